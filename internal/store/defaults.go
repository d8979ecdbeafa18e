package store

import (
	"context"
	"fmt"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// seedDefaults makes sure the default team and problem taxonomy exist. It
// only inserts what is missing, so a shop's edits survive every start.
func (s *Store) seedDefaults(ctx context.Context) error {
	t := now()
	if _, err := s.exec(ctx, `INSERT INTO teams (name, kind, description, created_at) VALUES (?, 'support', ?, ?) ON CONFLICT (name) DO NOTHING`,
		kefu.DefaultTeam, "After-sales team / 售后客服团队", t); err != nil {
		return fmt.Errorf("seed default team: %w", err)
	}
	for gi, g := range kefu.DefaultTaxonomy {
		if _, err := s.exec(ctx, `INSERT INTO categories (parent_id, key, name_zh, name_en, position) VALUES (NULL, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
			g.Key, g.NameZH, g.NameEN, gi); err != nil {
			return fmt.Errorf("seed category %s: %w", g.Key, err)
		}
		var parent int64
		if err := s.queryRow(ctx, `SELECT id FROM categories WHERE key = ?`, g.Key).Scan(&parent); err != nil {
			return fmt.Errorf("seed category %s: %w", g.Key, err)
		}
		for ci, c := range g.Children {
			if _, err := s.exec(ctx, `INSERT INTO categories (parent_id, key, name_zh, name_en, position) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
				parent, c.Key, c.NameZH, c.NameEN, ci); err != nil {
				return fmt.Errorf("seed category %s: %w", c.Key, err)
			}
		}
	}
	return nil
}
