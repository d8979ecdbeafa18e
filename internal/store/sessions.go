package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// CreateSession stores a browser session by the hash of its id.
func (s *Store) CreateSession(ctx context.Context, idHash string, userID int64, csrf string, expires time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`, idHash, userID, csrf, now(), expires)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionUser returns the active user of an unexpired session and its CSRF token.
func (s *Store) SessionUser(ctx context.Context, idHash string) (*kefu.User, string, error) {
	var u kefu.User
	var csrf string
	err := s.queryRow(ctx, `SELECT u.id, u.email, u.name, u.role, u.language, u.status, u.created_at, u.updated_at, s.csrf
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ? AND s.expires_at > ?`, idHash, now()).
		Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.Language, &u.Status, timeCol{&u.CreatedAt}, timeCol{&u.UpdatedAt}, &csrf)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", kefu.ErrUnauthorized
	}
	if err != nil {
		return nil, "", fmt.Errorf("look up session: %w", err)
	}
	return &u, csrf, s.loadTeams(ctx, []*kefu.User{&u})
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	_, err := s.exec(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash)
	return err
}

// LoginFailed counts a failed sign-in and locks the account until until.
func (s *Store) LoginFailed(ctx context.Context, userID int64, lockUntil func(failures int) *time.Time) error {
	return s.WithTx(ctx, func(ctx context.Context) error {
		var n int
		if err := s.writeRow(ctx, `UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins`, userID).Scan(&n); err != nil {
			return fmt.Errorf("count failed sign-in: %w", err)
		}
		if until := lockUntil(n); until != nil {
			if _, err := s.exec(ctx, `UPDATE users SET locked_until = ? WHERE id = ?`, until, userID); err != nil {
				return err
			}
		}
		return nil
	})
}

// LoginSucceeded clears a user's failed sign-ins.
func (s *Store) LoginSucceeded(ctx context.Context, userID int64) error {
	_, err := s.exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?`, userID)
	return err
}

// LockedUntil says until when a user's sign-in is locked (nil: not locked).
func (s *Store) LockedUntil(ctx context.Context, userID int64) (*time.Time, error) {
	var t *time.Time
	err := s.queryRow(ctx, `SELECT locked_until FROM users WHERE id = ?`, userID).Scan(nullTimeCol{&t})
	return t, err
}

// CannedResponse is a standard reply (话术) agents insert with a shortcut.
type CannedResponse struct {
	ID       int64
	Title    string
	Shortcut string
	BodyZH   string
	BodyEN   string
}

// CannedResponses lists canned responses whose title, shortcut or body
// contains q (all when q is empty), by title.
func (s *Store) CannedResponses(ctx context.Context, q string, limit int) ([]*CannedResponse, error) {
	p := "%" + escapeLike(q) + "%"
	rows, err := s.query(ctx, `SELECT id, title, shortcut, body_zh, body_en FROM canned_responses
		WHERE ? = '' OR title LIKE ? ESCAPE '\' OR shortcut LIKE ? ESCAPE '\' OR body_zh LIKE ? ESCAPE '\' OR body_en LIKE ? ESCAPE '\'
		ORDER BY shortcut = ? DESC, title LIMIT ?`, q, p, p, p, p, q, limit)
	if err != nil {
		return nil, fmt.Errorf("list canned responses: %w", err)
	}
	defer rows.Close()
	var cs []*CannedResponse
	for rows.Next() {
		c := &CannedResponse{}
		if err := rows.Scan(&c.ID, &c.Title, &c.Shortcut, &c.BodyZH, &c.BodyEN); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// CannedResponse returns one canned response.
func (s *Store) CannedResponse(ctx context.Context, id int64) (*CannedResponse, error) {
	c := &CannedResponse{}
	err := s.queryRow(ctx, `SELECT id, title, shortcut, body_zh, body_en FROM canned_responses WHERE id = ?`, id).Scan(&c.ID, &c.Title, &c.Shortcut, &c.BodyZH, &c.BodyEN)
	if err != nil {
		return nil, notFound(err, "canned response")
	}
	return c, nil
}

// SaveCannedResponse inserts (ID 0) or updates a canned response.
func (s *Store) SaveCannedResponse(ctx context.Context, c *CannedResponse, by *int64) error {
	t := now()
	if c.ID == 0 {
		err := s.writeRow(ctx, `INSERT INTO canned_responses (title, shortcut, body_zh, body_en, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.Title, c.Shortcut, c.BodyZH, c.BodyEN, by, t, t).Scan(&c.ID)
		if err != nil {
			return fmt.Errorf("create canned response: %w", err)
		}
		return nil
	}
	res, err := s.exec(ctx, `UPDATE canned_responses SET title = ?, shortcut = ?, body_zh = ?, body_en = ?, updated_at = ? WHERE id = ?`, c.Title, c.Shortcut, c.BodyZH, c.BodyEN, t, c.ID)
	if err != nil {
		return fmt.Errorf("update canned response: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kefu.NotFound("canned response")
	}
	return nil
}

// DeleteCannedResponse removes a canned response.
func (s *Store) DeleteCannedResponse(ctx context.Context, id int64) error {
	_, err := s.exec(ctx, `DELETE FROM canned_responses WHERE id = ?`, id)
	return err
}

// CustomerNames returns the names of customers by id, for lists.
func (s *Store) CustomerNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	m := map[int64]string{}
	if len(ids) == 0 {
		return m, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.query(ctx, `SELECT id, name FROM customers WHERE id IN (`+placeholders(len(args))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("customer names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		m[id] = n
	}
	return m, rows.Err()
}
