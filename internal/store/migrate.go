package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

func (s *Store) migrations() ([]migration, error) {
	dir := "migrations/" + string(s.dialect)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		v, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", name)
		}
		b, err := migrationFS.ReadFile(dir + "/" + name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrationLockID is the PostgreSQL advisory lock that keeps two nodes
// starting at once from migrating together.
const migrationLockID = 0x6b656675 // "kefu"

// Migrate applies every pending migration, each in its own transaction, and
// then makes sure the defaults every shop starts with exist. It is safe to
// run from several processes at once.
func (s *Store) Migrate(ctx context.Context) (applied []string, err error) {
	return s.MigrateTo(ctx, 0)
}

// MigrateTo is Migrate up to and including migration version (all of them
// when version is 0): tests use it to build a database as an older release
// left it and check that a newer migration makes its data right.
func (s *Store) MigrateTo(ctx context.Context, version int) (applied []string, err error) {
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	ms, err := s.migrations()
	if err != nil {
		return nil, err
	}
	err = s.WithTx(ctx, func(ctx context.Context) error {
		if s.dialect == Postgres {
			if _, err := s.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, migrationLockID); err != nil {
				return fmt.Errorf("lock for migration: %w", err)
			}
		}
		done, err := s.appliedVersions(ctx)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if done[m.version] || version > 0 && m.version > version {
				continue
			}
			if _, err := s.conn(ctx, true).ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("apply migration %s: %w", m.name, err)
			}
			if _, err := s.exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.version, m.name); err != nil {
				return fmt.Errorf("record migration %s: %w", m.name, err)
			}
			applied = append(applied, m.name)
		}
		return s.seedDefaults(ctx)
	})
	return applied, err
}

func (s *Store) appliedVersions(ctx context.Context) (map[int]bool, error) {
	rows, err := s.query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	defer rows.Close()
	done := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		done[v] = true
	}
	return done, rows.Err()
}

// PendingMigrations lists migrations the database has not applied yet;
// /readyz fails while there are any.
func (s *Store) PendingMigrations(ctx context.Context) ([]string, error) {
	ms, err := s.migrations()
	if err != nil {
		return nil, err
	}
	done, err := s.appliedVersions(ctx)
	if err != nil {
		return nil, err
	}
	var pending []string
	for _, m := range ms {
		if !done[m.version] {
			pending = append(pending, m.name)
		}
	}
	return pending, nil
}
