package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// AddEvent writes an event in the caller's transaction (the outbox) and sets
// e.ID. data is marshalled to JSON.
func (s *Store) AddEvent(ctx context.Context, e *kefu.Event, data any) error {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = now()
	}
	if data == nil {
		e.Data = json.RawMessage(`{}`)
	} else {
		b, err := json.Marshal(data)
		if err != nil {
			return fmt.Errorf("encode %s event: %w", e.Type, err)
		}
		e.Data = b
	}
	err := s.writeRow(ctx, `INSERT INTO events (type, ticket_id, actor_user_id, data, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		e.Type, e.TicketID, e.ActorUserID, string(e.Data), e.CreatedAt).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("write %s event: %w", e.Type, err)
	}
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		st.events = true
	}
	return s.runEventHooks(ctx, e)
}

func scanEvents(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}) ([]*kefu.Event, error) {
	es := []*kefu.Event{}
	for rows.Next() {
		e := &kefu.Event{}
		var data string
		if err := rows.Scan(&e.ID, &e.Type, nullInt{&e.TicketID}, nullInt{&e.ActorUserID}, textCol{&data}, timeCol{&e.CreatedAt}); err != nil {
			return nil, err
		}
		e.Data = json.RawMessage(data)
		es = append(es, e)
	}
	return es, rows.Err()
}

// TicketEvents is a ticket's activity trail, oldest first, after event id after.
func (s *Store) TicketEvents(ctx context.Context, ticketID, after int64, limit int) ([]*kefu.Event, error) {
	rows, err := s.query(ctx, `SELECT id, type, ticket_id, actor_user_id, data, created_at FROM events
		WHERE ticket_id = ? AND id > ? ORDER BY id LIMIT ?`, ticketID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list events of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	return scanEvents(rows)
}

// EventsAfter lists events after id, oldest first: how outbox consumers read.
func (s *Store) EventsAfter(ctx context.Context, after int64, limit int) ([]*kefu.Event, error) {
	rows, err := s.query(ctx, `SELECT id, type, ticket_id, actor_user_id, data, created_at FROM events WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	return scanEvents(rows)
}

// MoveEvents re-points a merged ticket's activity to the ticket it merged into.
func (s *Store) MoveEvents(ctx context.Context, from, to int64) error {
	if _, err := s.exec(ctx, `UPDATE events SET ticket_id = ? WHERE ticket_id = ?`, to, from); err != nil {
		return fmt.Errorf("move events from ticket %d to %d: %w", from, to, err)
	}
	return nil
}
