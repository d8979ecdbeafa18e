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
	if c, ok := ctx.Value(causeKey{}).(*Cause); ok {
		e.Data = withCause(e.Data, c)
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

// Cause says what automation made a change: events written with a context
// carrying it record it under "cause", so the activity trail names the rule
// and automations can refuse to trigger themselves.
type Cause struct {
	RuleID   int64  `json:"rule_id"`
	RuleName string `json:"rule_name"`
	Depth    int    `json:"depth"` // how many rules led here, 1 for a rule reacting to a person
}

type causeKey struct{}

// WithCause returns a context whose events record c.
func WithCause(ctx context.Context, c *Cause) context.Context {
	return context.WithValue(ctx, causeKey{}, c)
}

// withCause adds "cause" to an event's JSON object.
func withCause(data json.RawMessage, c *Cause) json.RawMessage {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		m = map[string]json.RawMessage{}
	}
	cb, _ := json.Marshal(c)
	m["cause"] = cb
	b, err := json.Marshal(m)
	if err != nil {
		return data
	}
	return b
}

// CauseOf reads the cause recorded in an event, or nil.
func CauseOf(e *kefu.Event) *Cause {
	var d struct {
		Cause *Cause `json:"cause"`
	}
	if json.Unmarshal(e.Data, &d) != nil {
		return nil
	}
	return d.Cause
}

// Event returns the event with id.
func (s *Store) Event(ctx context.Context, id int64) (*kefu.Event, error) {
	rows, err := s.query(ctx, `SELECT id, type, ticket_id, actor_user_id, data, created_at FROM events WHERE id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("read event %d: %w", id, err)
	}
	defer rows.Close()
	es, err := scanEvents(rows)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, kefu.NotFound("event")
	}
	return es[0], nil
}
