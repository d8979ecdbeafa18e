package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

const promiseCols = `id, ticket_id, kind, state, owner_user_id, team_id, note, due_at, remind_at, reminded_at, overdue_at, kept_at, created_by, created_at`

func scanPromise(sc interface{ Scan(...any) error }, p *kefu.Promise) error {
	return sc.Scan(&p.ID, &p.TicketID, &p.Kind, &p.State, nullInt{&p.OwnerUserID}, nullInt{&p.TeamID}, &p.Note, timeCol{&p.DueAt},
		timeCol{&p.RemindAt}, nullTimeCol{&p.RemindedAt}, nullTimeCol{&p.OverdueAt}, nullTimeCol{&p.KeptAt}, &p.CreatedBy, timeCol{&p.CreatedAt})
}

// CreatePromise inserts p and sets p.ID.
func (s *Store) CreatePromise(ctx context.Context, p *kefu.Promise) error {
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now()
	}
	err := s.writeRow(ctx, `INSERT INTO promises (ticket_id, kind, state, owner_user_id, team_id, note, due_at, remind_at, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		p.TicketID, p.Kind, p.State, p.OwnerUserID, p.TeamID, p.Note, p.DueAt, p.RemindAt, p.CreatedBy, p.CreatedAt).Scan(&p.ID)
	if isForeignKeyViolation(err) {
		return &kefu.NotFoundError{What: "user or team", Field: "owner_user_id"}
	}
	if err != nil {
		return fmt.Errorf("insert promise: %w", err)
	}
	return nil
}

// UpdatePromise writes a promise's state and times.
func (s *Store) UpdatePromise(ctx context.Context, p *kefu.Promise) error {
	res, err := s.exec(ctx, `UPDATE promises SET state = ?, owner_user_id = ?, note = ?, due_at = ?, remind_at = ?, reminded_at = ?, overdue_at = ?, kept_at = ? WHERE id = ?`,
		p.State, p.OwnerUserID, p.Note, p.DueAt, p.RemindAt, p.RemindedAt, p.OverdueAt, p.KeptAt, p.ID)
	if err != nil {
		return fmt.Errorf("update promise %d: %w", p.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kefu.NotFound("promise")
	}
	return nil
}

// Promise returns the promise with id.
func (s *Store) Promise(ctx context.Context, id int64) (*kefu.Promise, error) {
	var p kefu.Promise
	if err := scanPromise(s.queryRow(ctx, `SELECT `+promiseCols+` FROM promises WHERE id = ?`, id), &p); err != nil {
		return nil, notFound(err, "promise")
	}
	return &p, nil
}

// Promises lists a ticket's promises, newest first; open only when openOnly.
func (s *Store) Promises(ctx context.Context, ticketID int64, openOnly bool) ([]*kefu.Promise, error) {
	q := `SELECT ` + promiseCols + ` FROM promises WHERE ticket_id = ?`
	if openOnly {
		q += ` AND state = 'open'`
	}
	rows, err := s.query(ctx, q+` ORDER BY id DESC`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("list promises of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	ps := []*kefu.Promise{}
	for rows.Next() {
		p := &kefu.Promise{}
		if err := scanPromise(rows, p); err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, rows.Err()
}

// AddNotification writes a notification and sets n.ID.
func (s *Store) AddNotification(ctx context.Context, n *kefu.Notification) error {
	if n.CreatedAt.IsZero() {
		n.CreatedAt = now()
	}
	err := s.writeRow(ctx, `INSERT INTO notifications (user_id, ticket_id, kind, text_zh, text_en, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		n.UserID, n.TicketID, n.Kind, n.TextZH, n.TextEN, n.CreatedAt).Scan(&n.ID)
	if err != nil {
		return fmt.Errorf("notify user %d: %w", n.UserID, err)
	}
	return nil
}

// Notifications lists a user's notifications, newest first, before id
// before (0: from the newest); unread only when unreadOnly.
func (s *Store) Notifications(ctx context.Context, userID, before int64, unreadOnly bool, limit int) ([]*kefu.Notification, error) {
	q := `SELECT id, user_id, ticket_id, kind, text_zh, text_en, created_at, read_at FROM notifications WHERE user_id = ?`
	args := []any{userID}
	if before > 0 {
		q += ` AND id < ?`
		args = append(args, before)
	}
	if unreadOnly {
		q += ` AND read_at IS NULL`
	}
	rows, err := s.query(ctx, q+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list notifications of user %d: %w", userID, err)
	}
	defer rows.Close()
	ns := []*kefu.Notification{}
	for rows.Next() {
		n := &kefu.Notification{}
		if err := rows.Scan(&n.ID, &n.UserID, nullInt{&n.TicketID}, &n.Kind, &n.TextZH, &n.TextEN, timeCol{&n.CreatedAt}, nullTimeCol{&n.ReadAt}); err != nil {
			return nil, err
		}
		ns = append(ns, n)
	}
	return ns, rows.Err()
}

// MarkNotificationsRead marks a user's notifications up to id upTo as read.
func (s *Store) MarkNotificationsRead(ctx context.Context, userID, upTo int64, at time.Time) error {
	if _, err := s.exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND id <= ? AND read_at IS NULL`, at, userID, upTo); err != nil {
		return fmt.Errorf("mark notifications of user %d read: %w", userID, err)
	}
	return nil
}

// TeamSupervisors lists the active supervisors of a team, or every active
// supervisor and admin when the team has none: whom an escalation reaches.
func (s *Store) TeamSupervisors(ctx context.Context, teamID *int64) ([]int64, error) {
	var ids []int64
	if teamID != nil {
		rows, err := s.query(ctx, `SELECT u.id FROM users u JOIN team_members m ON m.user_id = u.id
			WHERE m.team_id = ? AND u.role = 'supervisor' AND u.status = 'active' ORDER BY u.id`, *teamID)
		if err != nil {
			return nil, fmt.Errorf("list supervisors of team %d: %w", *teamID, err)
		}
		if ids, err = scanIDs(rows); err != nil {
			return nil, err
		}
	}
	if len(ids) > 0 {
		return ids, nil
	}
	rows, err := s.query(ctx, `SELECT id FROM users WHERE role IN ('supervisor', 'admin') AND status = 'active' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list supervisors: %w", err)
	}
	return scanIDs(rows)
}

func scanIDs(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ActiveTicketIDs pages through the ids of tickets still being worked on.
func (s *Store) ActiveTicketIDs(ctx context.Context, after int64, limit int) ([]int64, error) {
	rows, err := s.query(ctx, `SELECT id FROM tickets WHERE status NOT IN ('solved', 'closed') AND id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list active tickets: %w", err)
	}
	return scanIDs(rows)
}

// CountActiveTickets counts the tickets not solved or closed.
func (s *Store) CountActiveTickets(ctx context.Context) (int, error) {
	var n int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM tickets WHERE status NOT IN ('solved', 'closed')`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count active tickets: %w", err)
	}
	return n, nil
}

// Snooze is a ticket put aside until a time.
type Snooze struct {
	TicketID  int64     `json:"ticket_id"`
	Until     time.Time `json:"until"`
	UserID    *int64    `json:"user_id"`
	CreatedAt time.Time `json:"created_at"`
}

// SetSnooze snoozes a ticket until a time, replacing an earlier snooze.
func (s *Store) SetSnooze(ctx context.Context, z *Snooze) error {
	z.CreatedAt = now()
	_, err := s.exec(ctx, `INSERT INTO snoozes (ticket_id, until, user_id, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (ticket_id) DO UPDATE SET until = excluded.until, user_id = excluded.user_id, created_at = excluded.created_at`,
		z.TicketID, z.Until, z.UserID, z.CreatedAt)
	if err != nil {
		return fmt.Errorf("snooze ticket %d: %w", z.TicketID, err)
	}
	return nil
}

// ClearSnooze ends a ticket's snooze and reports whether there was one.
func (s *Store) ClearSnooze(ctx context.Context, ticketID int64) (bool, error) {
	res, err := s.exec(ctx, `DELETE FROM snoozes WHERE ticket_id = ?`, ticketID)
	if err != nil {
		return false, fmt.Errorf("end snooze of ticket %d: %w", ticketID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// SnoozeOf returns a ticket's snooze; not found when it is not snoozed.
func (s *Store) SnoozeOf(ctx context.Context, ticketID int64) (*Snooze, error) {
	z := &Snooze{TicketID: ticketID}
	err := s.queryRow(ctx, `SELECT until, user_id, created_at FROM snoozes WHERE ticket_id = ?`, ticketID).Scan(timeCol{&z.Until}, nullInt{&z.UserID}, timeCol{&z.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kefu.NotFound("snooze")
	}
	if err != nil {
		return nil, fmt.Errorf("read snooze of ticket %d: %w", ticketID, err)
	}
	return z, nil
}

// ActiveTicketIDsOfCustomer lists a customer's tickets still being worked on.
func (s *Store) ActiveTicketIDsOfCustomer(ctx context.Context, customerID int64) ([]int64, error) {
	rows, err := s.query(ctx, `SELECT id FROM tickets WHERE customer_id = ? AND status NOT IN ('solved', 'closed') ORDER BY id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("list active tickets of customer %d: %w", customerID, err)
	}
	return scanIDs(rows)
}
