package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// OutboxPosition is how far a consumer has read the events table.
type OutboxPosition struct {
	TxID    int64 // PostgreSQL transaction id of the last event read; 0 on SQLite
	EventID int64
}

// ClaimConsumer locks a consumer's position for the current transaction
// and returns it. ok is false when another node holds it (PostgreSQL), so
// each consumer runs on one node at a time.
func (s *Store) ClaimConsumer(ctx context.Context, name string) (pos OutboxPosition, ok bool, err error) {
	if _, err := s.exec(ctx, `INSERT INTO outbox_consumers (name, updated_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, now()); err != nil {
		return pos, false, fmt.Errorf("register consumer %s: %w", name, err)
	}
	q := `SELECT last_txid, last_event_id FROM outbox_consumers WHERE name = ?`
	if s.dialect == Postgres {
		q += ` FOR UPDATE SKIP LOCKED`
	}
	query, args := s.q(q, []any{name})
	err = s.conn(ctx, true).QueryRowContext(ctx, query, args...).Scan(&pos.TxID, &pos.EventID)
	if errors.Is(err, sql.ErrNoRows) {
		return pos, false, nil
	}
	if err != nil {
		return pos, false, fmt.Errorf("claim consumer %s: %w", name, err)
	}
	return pos, true, nil
}

// OutboxEvents returns up to limit events after pos that can no longer be
// joined by an earlier one, in the order consumers must see them.
func (s *Store) OutboxEvents(ctx context.Context, pos OutboxPosition, limit int) ([]*kefu.Event, []OutboxPosition, error) {
	var rows *sql.Rows
	var err error
	if s.dialect == Postgres {
		rows, err = s.query(ctx, `SELECT id, type, ticket_id, actor_user_id, data, created_at, txid::text::bigint FROM events
			WHERE (txid::text::bigint, id) > (?, ?) AND txid < pg_snapshot_xmin(pg_current_snapshot())
			ORDER BY txid, id LIMIT ?`, pos.TxID, pos.EventID, limit)
	} else {
		rows, err = s.query(ctx, `SELECT id, type, ticket_id, actor_user_id, data, created_at, 0 FROM events WHERE id > ? ORDER BY id LIMIT ?`, pos.EventID, limit)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var es []*kefu.Event
	var ps []OutboxPosition
	for rows.Next() {
		e := &kefu.Event{}
		var data string
		var p OutboxPosition
		if err := rows.Scan(&e.ID, &e.Type, nullInt{&e.TicketID}, nullInt{&e.ActorUserID}, textCol{&data}, timeCol{&e.CreatedAt}, &p.TxID); err != nil {
			return nil, nil, err
		}
		e.Data = []byte(data)
		p.EventID = e.ID
		es = append(es, e)
		ps = append(ps, p)
	}
	return es, ps, rows.Err()
}

// SaveConsumer stores a consumer's new position, in the transaction that
// claimed it and applied the events' effects.
func (s *Store) SaveConsumer(ctx context.Context, name string, pos OutboxPosition) error {
	_, err := s.exec(ctx, `UPDATE outbox_consumers SET last_txid = ?, last_event_id = ?, updated_at = ? WHERE name = ?`, pos.TxID, pos.EventID, now(), name)
	if err != nil {
		return fmt.Errorf("save consumer %s: %w", name, err)
	}
	return nil
}
