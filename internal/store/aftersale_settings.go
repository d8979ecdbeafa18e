package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// AftersaleSetting returns a stored after-sales setting (a JSON document).
func (s *Store) AftersaleSetting(ctx context.Context, key string) (string, error) {
	var v string
	if err := s.queryRow(ctx, `SELECT value FROM aftersale_settings WHERE key = ?`, key).Scan(textCol{&v}); err != nil {
		return "", notFound(err, "setting")
	}
	return v, nil
}

// PutAftersaleSetting stores an after-sales setting.
func (s *Store) PutAftersaleSetting(ctx context.Context, key, value string, by *int64) error {
	_, err := s.exec(ctx, `INSERT INTO aftersale_settings (key, value, updated_by, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		key, value, by, now())
	if err != nil {
		return fmt.Errorf("store setting %s: %w", key, err)
	}
	return nil
}

// EnsureAftersaleSetting stores value under key unless a value is there,
// and returns whichever is stored: every node agrees on a generated secret.
func (s *Store) EnsureAftersaleSetting(ctx context.Context, key, value string) (string, error) {
	if _, err := s.exec(ctx, `INSERT INTO aftersale_settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`,
		key, value, now()); err != nil {
		return "", fmt.Errorf("store setting %s: %w", key, err)
	}
	var v string
	if err := s.writeRow(ctx, `SELECT value FROM aftersale_settings WHERE key = ?`, key).Scan(textCol{&v}); err != nil {
		return "", fmt.Errorf("read setting %s: %w", key, err)
	}
	return v, nil
}

// Playbooks returns the shop's edited playbooks: reason → JSON.
func (s *Store) Playbooks(ctx context.Context) (map[string]string, error) {
	rows, err := s.query(ctx, `SELECT reason, data FROM playbooks`)
	if err != nil {
		return nil, fmt.Errorf("list playbooks: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, textCol{&v}); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// Playbook returns the shop's edited playbook for a reason.
func (s *Store) Playbook(ctx context.Context, reason string) (string, error) {
	var v string
	if err := s.queryRow(ctx, `SELECT data FROM playbooks WHERE reason = ?`, reason).Scan(textCol{&v}); err != nil {
		return "", notFound(err, "playbook")
	}
	return v, nil
}

// PutPlaybook stores a shop's playbook for a reason.
func (s *Store) PutPlaybook(ctx context.Context, reason, data string, by *int64) error {
	_, err := s.exec(ctx, `INSERT INTO playbooks (reason, data, updated_by, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (reason) DO UPDATE SET data = excluded.data, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		reason, data, by, now())
	if err != nil {
		return fmt.Errorf("store playbook %s: %w", reason, err)
	}
	return nil
}

// DeletePlaybook drops a shop's edit, so the default applies again.
func (s *Store) DeletePlaybook(ctx context.Context, reason string) error {
	if _, err := s.exec(ctx, `DELETE FROM playbooks WHERE reason = ?`, reason); err != nil {
		return fmt.Errorf("delete playbook %s: %w", reason, err)
	}
	return nil
}

// CreatePortalLink stores a one-time sign-in link (by the hash of its token).
func (s *Store) CreatePortalLink(ctx context.Context, tokenHash string, customerID int64, expires time.Time) error {
	if _, err := s.exec(ctx, `INSERT INTO portal_links (token_hash, customer_id, expires_at, created_at) VALUES (?, ?, ?, ?)`,
		tokenHash, customerID, expires, now()); err != nil {
		return fmt.Errorf("create portal link: %w", err)
	}
	return nil
}

// UsePortalLink spends a one-time link and returns its customer. A used,
// expired or unknown link is not found.
func (s *Store) UsePortalLink(ctx context.Context, tokenHash string, at time.Time) (int64, error) {
	var id int64
	err := s.writeRow(ctx, `UPDATE portal_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING customer_id`,
		at, tokenHash, at).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, kefu.NotFound("link")
	}
	if err != nil {
		return 0, fmt.Errorf("use portal link: %w", err)
	}
	return id, nil
}
