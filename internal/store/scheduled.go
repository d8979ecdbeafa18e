package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// ScheduledMessage is a reply written now to be sent later.
type ScheduledMessage struct {
	ID           int64       `json:"id"`
	TicketID     int64       `json:"ticket_id"`
	AuthorUserID int64       `json:"author_user_id"`
	Body         string      `json:"body"`
	HTML         string      `json:"html"`
	StatusAfter  kefu.Status `json:"status_after,omitempty"`
	SendAt       time.Time   `json:"send_at"`
	State        string      `json:"state"` // scheduled, sent, cancelled, failed
	MessageID    *int64      `json:"message_id"`
	Error        string      `json:"error,omitempty"`
	CreatedAt    time.Time   `json:"created_at"`
}

const scheduledCols = `id, ticket_id, author_user_id, body, html, status_after, send_at, state, message_id, error, created_at`

func scanScheduled(sc interface{ Scan(...any) error }, m *ScheduledMessage) error {
	return sc.Scan(&m.ID, &m.TicketID, &m.AuthorUserID, &m.Body, &m.HTML, &m.StatusAfter, timeCol{&m.SendAt}, &m.State,
		nullInt{&m.MessageID}, &m.Error, timeCol{&m.CreatedAt})
}

// CreateScheduledMessage inserts m and sets m.ID.
func (s *Store) CreateScheduledMessage(ctx context.Context, m *ScheduledMessage) error {
	m.CreatedAt = now()
	err := s.writeRow(ctx, `INSERT INTO scheduled_messages (ticket_id, author_user_id, body, html, status_after, send_at, state, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, m.TicketID, m.AuthorUserID, m.Body, m.HTML, m.StatusAfter, m.SendAt, m.State, m.CreatedAt).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("schedule a reply on ticket %d: %w", m.TicketID, err)
	}
	return nil
}

// UpdateScheduledMessage writes a scheduled message's state and result.
func (s *Store) UpdateScheduledMessage(ctx context.Context, m *ScheduledMessage) error {
	_, err := s.exec(ctx, `UPDATE scheduled_messages SET state = ?, message_id = ?, error = ? WHERE id = ?`, m.State, m.MessageID, m.Error, m.ID)
	if err != nil {
		return fmt.Errorf("update scheduled message %d: %w", m.ID, err)
	}
	return nil
}

// ScheduledMessage returns one scheduled message, locked for update on PostgreSQL.
func (s *Store) ScheduledMessage(ctx context.Context, id int64) (*ScheduledMessage, error) {
	q := `SELECT ` + scheduledCols + ` FROM scheduled_messages WHERE id = ?`
	if s.dialect == Postgres {
		if _, ok := ctx.Value(txKey{}).(*txState); ok {
			q += ` FOR UPDATE`
		}
	}
	var m ScheduledMessage
	query, args := s.q(q, []any{id})
	if err := scanScheduled(s.conn(ctx, true).QueryRowContext(ctx, query, args...), &m); err != nil {
		return nil, notFound(err, "scheduled message")
	}
	return &m, nil
}

// ScheduledMessages lists a ticket's scheduled messages, newest first.
func (s *Store) ScheduledMessages(ctx context.Context, ticketID int64) ([]*ScheduledMessage, error) {
	rows, err := s.query(ctx, `SELECT `+scheduledCols+` FROM scheduled_messages WHERE ticket_id = ? ORDER BY id DESC`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("list scheduled messages of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	out := []*ScheduledMessage{}
	for rows.Next() {
		m := &ScheduledMessage{}
		if err := scanScheduled(rows, m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
