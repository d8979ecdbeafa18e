package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/kefu-dev/kefu/internal/kefu"
)

const messageCols = `id, ticket_id, kind, author_user_id, author_customer_id, body, html, external_id, raw_sha256, quote_at, delivery_status, delivery_error, created_at`

func scanMessage(sc interface{ Scan(...any) error }, m *kefu.Message) error {
	var ext, raw sql.NullString
	err := sc.Scan(&m.ID, &m.TicketID, &m.Kind, nullInt{&m.AuthorUserID}, nullInt{&m.AuthorCustomerID}, &m.Body, &m.HTML, &ext,
		&raw, &m.QuoteAt, &m.DeliveryStatus, &m.DeliveryError, timeCol{&m.CreatedAt})
	m.ExternalID = ext.String
	m.RawSHA256 = raw.String
	return err
}

// AddMessage inserts m with its attachments (whose blobs must already be
// stored) and sets m.ID. A message whose ExternalID (an email Message-ID, a
// chat client id) is already stored is a conflict: the caller has a duplicate.
func (s *Store) AddMessage(ctx context.Context, m *kefu.Message) error {
	return s.WithTx(ctx, func(ctx context.Context) error {
		if m.CreatedAt.IsZero() {
			m.CreatedAt = now()
		}
		var ext, raw any
		if m.ExternalID != "" {
			ext = m.ExternalID
		}
		if m.RawSHA256 != "" {
			raw = m.RawSHA256
		}
		err := s.writeRow(ctx, `INSERT INTO messages (ticket_id, kind, author_user_id, author_customer_id, body, html, external_id,
				raw_sha256, quote_at, delivery_status, delivery_error, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			m.TicketID, m.Kind, m.AuthorUserID, m.AuthorCustomerID, m.Body, m.HTML, ext,
			raw, m.QuoteAt, m.DeliveryStatus, m.DeliveryError, m.CreatedAt).Scan(&m.ID)
		if isUniqueViolation(err) {
			return &kefu.ConflictError{Field: "external_id", Message: fmt.Sprintf("message %s is already stored", m.ExternalID)}
		}
		if isForeignKeyViolation(err) {
			return kefu.NotFound("ticket")
		}
		if err != nil {
			return fmt.Errorf("insert message on ticket %d: %w", m.TicketID, err)
		}
		for i := range m.Attachments {
			a := &m.Attachments[i]
			err := s.writeRow(ctx, `INSERT INTO message_attachments (message_id, sha256, filename) VALUES (?, ?, ?) RETURNING id`,
				m.ID, a.SHA256, a.Filename).Scan(&a.ID)
			if err != nil {
				return fmt.Errorf("attach %s to message %d: %w", a.Filename, m.ID, err)
			}
		}
		if m.Attachments == nil {
			m.Attachments = []kefu.Attachment{}
		}
		return nil
	})
}

// MessageByExternalID returns the message stored under an external id.
func (s *Store) MessageByExternalID(ctx context.Context, externalID string) (*kefu.Message, error) {
	var m kefu.Message
	if err := scanMessage(s.queryRow(ctx, `SELECT `+messageCols+` FROM messages WHERE external_id = ?`, externalID), &m); err != nil {
		return nil, notFound(err, "message")
	}
	return &m, s.loadAttachments(ctx, []*kefu.Message{&m})
}

// Messages lists a ticket's conversation in order, after message id after,
// at most limit messages (0: all).
func (s *Store) Messages(ctx context.Context, ticketID, after int64, limit int) ([]*kefu.Message, error) {
	q := `SELECT ` + messageCols + ` FROM messages WHERE ticket_id = ? AND id > ? ORDER BY id`
	args := []any{ticketID, after}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list messages of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	ms := []*kefu.Message{}
	for rows.Next() {
		m := &kefu.Message{}
		if err := scanMessage(rows, m); err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return ms, s.loadAttachments(ctx, ms)
}

// Message returns one message by id.
func (s *Store) Message(ctx context.Context, id int64) (*kefu.Message, error) {
	var m kefu.Message
	if err := scanMessage(s.queryRow(ctx, `SELECT `+messageCols+` FROM messages WHERE id = ?`, id), &m); err != nil {
		return nil, notFound(err, "message")
	}
	return &m, s.loadAttachments(ctx, []*kefu.Message{&m})
}

// SetMessageDelivery records how far a reply's mail got.
func (s *Store) SetMessageDelivery(ctx context.Context, id int64, status, reason string) error {
	if _, err := s.exec(ctx, `UPDATE messages SET delivery_status = ?, delivery_error = ? WHERE id = ?`, status, reason, id); err != nil {
		return fmt.Errorf("set delivery of message %d: %w", id, err)
	}
	return nil
}

// MoveMessages moves every message of one ticket to another (merging).
func (s *Store) MoveMessages(ctx context.Context, from, to int64) error {
	if _, err := s.exec(ctx, `UPDATE messages SET ticket_id = ? WHERE ticket_id = ?`, to, from); err != nil {
		return fmt.Errorf("move messages from ticket %d to %d: %w", from, to, err)
	}
	return nil
}

func (s *Store) loadAttachments(ctx context.Context, ms []*kefu.Message) error {
	if len(ms) == 0 {
		return nil
	}
	byID := make(map[int64]*kefu.Message, len(ms))
	args := make([]any, len(ms))
	for i, m := range ms {
		byID[m.ID] = m
		m.Attachments = []kefu.Attachment{}
		args[i] = m.ID
	}
	rows, err := s.query(ctx, `SELECT a.message_id, a.id, a.sha256, b.size, b.content_type, a.filename
		FROM message_attachments a JOIN blobs b ON b.sha256 = a.sha256
		WHERE a.message_id IN (`+placeholders(len(args))+`) ORDER BY a.id`, args...)
	if err != nil {
		return fmt.Errorf("load attachments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var mid int64
		var a kefu.Attachment
		if err := rows.Scan(&mid, &a.ID, &a.SHA256, &a.Size, &a.ContentType, &a.Filename); err != nil {
			return err
		}
		byID[mid].Attachments = append(byID[mid].Attachments, a)
	}
	return rows.Err()
}

// Attachment returns one attachment by id, with the ticket it belongs to so
// the caller can check the reader may see it.
func (s *Store) Attachment(ctx context.Context, id int64) (*kefu.Attachment, int64, error) {
	var a kefu.Attachment
	var ticketID int64
	err := s.queryRow(ctx, `SELECT a.id, a.sha256, b.size, b.content_type, a.filename, m.ticket_id
		FROM message_attachments a JOIN blobs b ON b.sha256 = a.sha256 JOIN messages m ON m.id = a.message_id
		WHERE a.id = ?`, id).Scan(&a.ID, &a.SHA256, &a.Size, &a.ContentType, &a.Filename, &ticketID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, kefu.NotFound("attachment")
	}
	if err != nil {
		return nil, 0, fmt.Errorf("load attachment %d: %w", id, err)
	}
	return &a, ticketID, nil
}
