package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/kefu-dev/kefu/internal/kefu"
)

const userCols = `id, email, name, role, language, status, created_at, updated_at`

func scanUser(sc interface{ Scan(...any) error }, u *kefu.User) error {
	return sc.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.Language, &u.Status, timeCol{&u.CreatedAt}, timeCol{&u.UpdatedAt})
}

// CreateUser inserts u with its team memberships and sets u.ID.
func (s *Store) CreateUser(ctx context.Context, u *kefu.User, passwordHash string) error {
	return s.WithTx(ctx, func(ctx context.Context) error {
		t := now()
		u.Email = strings.ToLower(strings.TrimSpace(u.Email))
		u.CreatedAt, u.UpdatedAt = t, t
		err := s.writeRow(ctx, `INSERT INTO users (email, name, role, language, status, password_hash, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			u.Email, u.Name, u.Role, u.Language, u.Status, passwordHash, t, t).Scan(&u.ID)
		if isUniqueViolation(err) {
			return &kefu.ConflictError{Field: "email", Message: fmt.Sprintf("a user with email %s already exists", u.Email)}
		}
		if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		return s.setUserTeams(ctx, u.ID, u.TeamIDs)
	})
}

func (s *Store) setUserTeams(ctx context.Context, userID int64, teams []int64) error {
	if _, err := s.exec(ctx, `DELETE FROM team_members WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("clear teams of user %d: %w", userID, err)
	}
	for _, t := range teams {
		_, err := s.exec(ctx, `INSERT INTO team_members (team_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, t, userID)
		if isForeignKeyViolation(err) {
			return &kefu.NotFoundError{What: "team", Field: "team_ids"}
		}
		if err != nil {
			return fmt.Errorf("add user %d to team %d: %w", userID, t, err)
		}
	}
	return nil
}

// UpdateUser writes u's name, role, language, status and teams.
func (s *Store) UpdateUser(ctx context.Context, u *kefu.User) error {
	return s.WithTx(ctx, func(ctx context.Context) error {
		u.UpdatedAt = now()
		res, err := s.exec(ctx, `UPDATE users SET name = ?, role = ?, language = ?, status = ?, updated_at = ? WHERE id = ?`,
			u.Name, u.Role, u.Language, u.Status, u.UpdatedAt, u.ID)
		if err != nil {
			return fmt.Errorf("update user %d: %w", u.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kefu.NotFound("user")
		}
		return s.setUserTeams(ctx, u.ID, u.TeamIDs)
	})
}

// SetPassword replaces a user's password hash.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string) error {
	_, err := s.exec(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, now(), userID)
	if err != nil {
		return fmt.Errorf("set password of user %d: %w", userID, err)
	}
	return nil
}

// User returns the user with id.
func (s *Store) User(ctx context.Context, id int64) (*kefu.User, error) {
	var u kefu.User
	if err := scanUser(s.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id), &u); err != nil {
		return nil, notFound(err, "user")
	}
	return &u, s.loadTeams(ctx, []*kefu.User{&u})
}

// UserByEmail returns the user with email and their password hash.
func (s *Store) UserByEmail(ctx context.Context, email string) (*kefu.User, string, error) {
	var u kefu.User
	var hash string
	row := s.queryRow(ctx, `SELECT `+userCols+`, password_hash FROM users WHERE email = ?`, strings.ToLower(strings.TrimSpace(email)))
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.Language, &u.Status, timeCol{&u.CreatedAt}, timeCol{&u.UpdatedAt}, &hash); err != nil {
		return nil, "", notFound(err, "user")
	}
	return &u, hash, s.loadTeams(ctx, []*kefu.User{&u})
}

// Users lists every user, by name.
func (s *Store) Users(ctx context.Context) ([]*kefu.User, error) {
	rows, err := s.query(ctx, `SELECT `+userCols+` FROM users ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var us []*kefu.User
	for rows.Next() {
		u := &kefu.User{}
		if err := scanUser(rows, u); err != nil {
			return nil, err
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return us, s.loadTeams(ctx, us)
}

// CountUsers reports how many users exist; the first-run page needs zero.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

func (s *Store) loadTeams(ctx context.Context, us []*kefu.User) error {
	if len(us) == 0 {
		return nil
	}
	byID := make(map[int64]*kefu.User, len(us))
	args := make([]any, len(us))
	for i, u := range us {
		byID[u.ID] = u
		u.TeamIDs = []int64{}
		args[i] = u.ID
	}
	rows, err := s.query(ctx, `SELECT user_id, team_id FROM team_members WHERE user_id IN (`+placeholders(len(args))+`) ORDER BY team_id`, args...)
	if err != nil {
		return fmt.Errorf("load team memberships: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var uid, tid int64
		if err := rows.Scan(&uid, &tid); err != nil {
			return err
		}
		byID[uid].TeamIDs = append(byID[uid].TeamIDs, tid)
	}
	return rows.Err()
}

// CreateToken stores the hash of a new API token for a user.
func (s *Store) CreateToken(ctx context.Context, userID int64, name, hash string) error {
	_, err := s.exec(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)`, userID, name, hash, now())
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	return nil
}

// UserByTokenHash returns the active user owning the token with hash.
func (s *Store) UserByTokenHash(ctx context.Context, hash string) (*kefu.User, error) {
	var u kefu.User
	err := scanUser(s.queryRow(ctx, `SELECT u.id, u.email, u.name, u.role, u.language, u.status, u.created_at, u.updated_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`, hash), &u)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kefu.ErrUnauthorized
	}
	if err != nil {
		return nil, fmt.Errorf("look up token: %w", err)
	}
	return &u, s.loadTeams(ctx, []*kefu.User{&u})
}
