package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/kefu-dev/kefu/internal/kefu"
)

const chatChannelCols = `id, key, name, secret, origins, prechat, color, language, hours, time_zone, auto_assign, max_chats, max_upload_mb, rate_per_min, team_id, email_channel_id, created_at, updated_at`

func scanChatChannel(sc interface{ Scan(...any) error }, c *kefu.ChatChannel) error {
	var origins string
	err := sc.Scan(&c.ID, &c.Key, &c.Name, &c.Secret, &origins, &c.PreChat, &c.Color, &c.Language, &c.Hours, &c.TimeZone,
		&c.AutoAssign, &c.MaxChats, &c.MaxUploadMB, &c.RatePerMin, nullInt{&c.TeamID}, nullInt{&c.EmailChannelID}, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
	c.Origins = splitLines(origins)
	return err
}

func splitLines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// CreateChatChannel inserts c and sets its id. A taken key is a conflict.
func (s *Store) CreateChatChannel(ctx context.Context, c *kefu.ChatChannel) error {
	c.CreatedAt, c.UpdatedAt = now(), now()
	err := s.writeRow(ctx, `INSERT INTO chat_channels (key, name, secret, origins, prechat, color, language, hours, time_zone, auto_assign, max_chats, max_upload_mb, rate_per_min, team_id, email_channel_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.Key, c.Name, c.Secret, strings.Join(c.Origins, "\n"), c.PreChat, c.Color, c.Language, c.Hours, c.TimeZone, c.AutoAssign,
		c.MaxChats, c.MaxUploadMB, c.RatePerMin, c.TeamID, c.EmailChannelID, c.CreatedAt, c.UpdatedAt).Scan(&c.ID)
	if isUniqueViolation(err) {
		return &kefu.ConflictError{Field: "key", Message: fmt.Sprintf("a chat channel with key %q exists", c.Key)}
	}
	if err != nil {
		return fmt.Errorf("insert chat channel: %w", err)
	}
	return nil
}

// UpdateChatChannel stores every field of c but its key and secret.
func (s *Store) UpdateChatChannel(ctx context.Context, c *kefu.ChatChannel) error {
	c.UpdatedAt = now()
	res, err := s.exec(ctx, `UPDATE chat_channels SET name = ?, origins = ?, prechat = ?, color = ?, language = ?, hours = ?, time_zone = ?,
		auto_assign = ?, max_chats = ?, max_upload_mb = ?, rate_per_min = ?, team_id = ?, email_channel_id = ?, updated_at = ? WHERE id = ?`,
		c.Name, strings.Join(c.Origins, "\n"), c.PreChat, c.Color, c.Language, c.Hours, c.TimeZone, c.AutoAssign,
		c.MaxChats, c.MaxUploadMB, c.RatePerMin, c.TeamID, c.EmailChannelID, c.UpdatedAt, c.ID)
	if err != nil {
		return fmt.Errorf("update chat channel %d: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kefu.NotFound("chat channel")
	}
	return nil
}

// ChatChannel returns a channel by id.
func (s *Store) ChatChannel(ctx context.Context, id int64) (*kefu.ChatChannel, error) {
	var c kefu.ChatChannel
	if err := scanChatChannel(s.queryRow(ctx, `SELECT `+chatChannelCols+` FROM chat_channels WHERE id = ?`, id), &c); err != nil {
		return nil, notFound(err, "chat channel")
	}
	return &c, nil
}

// ChatChannelByKey returns the channel a widget names by its public key.
func (s *Store) ChatChannelByKey(ctx context.Context, key string) (*kefu.ChatChannel, error) {
	var c kefu.ChatChannel
	if err := scanChatChannel(s.queryRow(ctx, `SELECT `+chatChannelCols+` FROM chat_channels WHERE key = ?`, key), &c); err != nil {
		return nil, notFound(err, "chat channel")
	}
	return &c, nil
}

// ChatChannels lists every channel by id.
func (s *Store) ChatChannels(ctx context.Context) ([]*kefu.ChatChannel, error) {
	rows, err := s.query(ctx, `SELECT `+chatChannelCols+` FROM chat_channels ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list chat channels: %w", err)
	}
	defer rows.Close()
	cs := []*kefu.ChatChannel{}
	for rows.Next() {
		c := &kefu.ChatChannel{}
		if err := scanChatChannel(rows, c); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// Setting returns the value stored under key, storing def first when the
// key is new: every node then reads the same value (a shared secret).
func (s *Store) Setting(ctx context.Context, key, def string) (string, error) {
	if _, err := s.exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, def); err != nil {
		return "", fmt.Errorf("store setting %s: %w", key, err)
	}
	var v string
	err := s.conn(ctx, true).QueryRowContext(ctx, s.rebind(`SELECT value FROM settings WHERE key = ?`), key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", kefu.NotFound("setting")
	}
	if err != nil {
		return "", fmt.Errorf("read setting %s: %w", key, err)
	}
	return v, nil
}

// rebind rewrites a query's placeholders for the dialect (no time arguments).
func (s *Store) rebind(q string) string {
	q, _ = s.q(q, nil)
	return q
}
