// Package storetest gives tests a fresh, migrated store on each dialect: a
// SQLite file in a temporary folder, and, when KEFU_TEST_DATABASE_URL names a
// PostgreSQL server, a schema of its own on that server.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/kefu-dev/kefu/internal/store"
)

// EnvPostgres is the variable that makes tests run against PostgreSQL too,
// e.g. KEFU_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test.
const EnvPostgres = "KEFU_TEST_DATABASE_URL"

// Each runs fn as a subtest on SQLite and on PostgreSQL. Without
// KEFU_TEST_DATABASE_URL the PostgreSQL subtest is skipped, saying why.
func Each(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	t.Helper()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh migrated store of dialect d, closed when t ends.
func Open(t testing.TB, d store.Dialect) *store.Store {
	t.Helper()
	url := URL(t, d)
	st, err := store.Open(context.Background(), store.Options{DatabaseURL: url, DataDir: t.TempDir()})
	if err != nil {
		t.Fatalf("open %s store: %v", d, err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s store: %v", d, err)
	}
	return st
}

// URL returns a database URL for a fresh database of dialect d: "" for
// SQLite (the store then uses its data folder) or a PostgreSQL URL whose
// search_path is a new schema, dropped when t ends.
func URL(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return ""
	}
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: set %s (for example postgres://postgres@127.0.0.1:5432/test) to run them", EnvPostgres)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", EnvPostgres, err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		t.Fatalf("create test schema on %s: %v", base, err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	return withSearchPath(t, base, schema)
}

func withSearchPath(t testing.TB, base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
