// Package store keeps kefu's data in SQLite (the embedded default) or
// PostgreSQL. It holds all SQL, one file per entity, written once with "?"
// placeholders and rebound for PostgreSQL; the few statements that must differ
// sit next to their twin in a dialect value.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/kefu-dev/kefu/internal/kefu"
)

// Dialect names the database engine behind a Store.
type Dialect string

// Dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store is kefu's database. It is safe for concurrent use.
type Store struct {
	dialect Dialect
	// w takes writes and transactions; r takes reads outside a transaction.
	// On SQLite w is a single connection (SQLite has one writer) and r a pool
	// of read-only connections; on PostgreSQL both are the same pool.
	w, r    *sql.DB
	blobDir string // SQLite: attachments live as files here; PostgreSQL: in the blobs table
	source  string // the database URL, "sqlite:<file>" for SQLite

	rebound sync.Map // query text → rebound text for PostgreSQL
	// SQLite: prepared statements of the writer and of the reader pool.
	wstmts, rstmts *stmtCache

	commitMu    sync.Mutex
	commitHooks []func()
	timerHooks  []func(due time.Time)
	eventHooks  []func(ctx context.Context, e *kefu.Event) error
}

// Options configures Open.
type Options struct {
	// DatabaseURL is "postgres://…" for PostgreSQL; empty means SQLite in DataDir.
	DatabaseURL string
	// DataDir holds the SQLite database and attachment files.
	DataDir string
	// MaxConns bounds the PostgreSQL pool (default 20).
	MaxConns int
}

// Open connects to the database Options describe. It does not migrate.
func Open(ctx context.Context, o Options) (*Store, error) {
	if strings.HasPrefix(o.DatabaseURL, "postgres://") || strings.HasPrefix(o.DatabaseURL, "postgresql://") {
		return openPostgres(ctx, o)
	}
	if o.DatabaseURL != "" && !strings.HasPrefix(o.DatabaseURL, "sqlite:") {
		return nil, fmt.Errorf("open store: unsupported database URL scheme in %q (want postgres:// or sqlite:)", redact(o.DatabaseURL))
	}
	return openSQLite(ctx, o)
}

func openPostgres(ctx context.Context, o Options) (*Store, error) {
	db, err := sql.Open("pgx", o.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	n := o.MaxConns
	if n <= 0 {
		n = 20
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres %s: %w", redact(o.DatabaseURL), err)
	}
	s := &Store{dialect: Postgres, w: db, r: db, source: o.DatabaseURL}
	return s, nil
}

// sqlitePragmas are set on every connection. WAL lets readers run beside the
// writer; synchronous=NORMAL in WAL mode loses nothing when the process is
// killed (only an OS crash can roll back the last commits).
const sqlitePragmas = "_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-8000)"

func openSQLite(ctx context.Context, o Options) (*Store, error) {
	path := strings.TrimPrefix(o.DatabaseURL, "sqlite:")
	dir := o.DataDir
	if dir == "" {
		dir = "kefu-data"
	}
	if path == "" {
		path = filepath.Join(dir, "kefu.db")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	w, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&"+sqlitePragmas)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+"?mode=ro&"+sqlitePragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s for reading: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	s := &Store{dialect: SQLite, w: w, r: r, blobDir: filepath.Join(filepath.Dir(path), "attachments"), source: "sqlite:" + path,
		wstmts: newStmtCache(w), rstmts: newStmtCache(r)}
	if err := s.Optimize(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Optimize refreshes the query planner's statistics where they are stale
// (SQLite's PRAGMA optimize; PostgreSQL's autovacuum does this itself). The
// server calls it at start and every hour: without statistics SQLite may
// sort a whole status range instead of walking the (status, updated_at)
// index for the inbox.
func (s *Store) Optimize(ctx context.Context) error {
	if s.dialect != SQLite {
		return nil
	}
	if _, err := s.w.ExecContext(ctx, `PRAGMA optimize=0x10002`); err != nil {
		return fmt.Errorf("optimize sqlite: %w", err)
	}
	return nil
}

// Close releases the database connections.
func (s *Store) Close() error {
	if s.wstmts != nil {
		s.wstmts.close()
		s.rstmts.close()
	}
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// Source is the database URL the store was opened with ("sqlite:<file>"
// for SQLite), so another process can open the same database.
func (s *Store) Source() string { return s.source }

// Dialect reports the database engine.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB exposes the writer pool for metrics.
func (s *Store) DB() *sql.DB { return s.w }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.r.PingContext(ctx) }

// OnCommit registers f to run after every committed transaction that wrote
// events; the outbox dispatcher uses it to wake without polling.
func (s *Store) OnCommit(f func()) {
	s.commitMu.Lock()
	s.commitHooks = append(s.commitHooks, f)
	s.commitMu.Unlock()
}

type txKey struct{}

type txState struct {
	tx     *sql.Tx
	events bool      // an event was written: run the commit hooks
	timer  time.Time // the earliest timer set: run the timer hooks
}

// WithTx runs fn in a transaction carried by the context it passes on: every
// store call made with that context joins the transaction. A nested WithTx
// joins the outer one. fn's error rolls everything back.
func (s *Store) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*txState); ok {
		return fn(ctx)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	st := &txState{tx: tx}
	if err := fn(context.WithValue(ctx, txKey{}, st)); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if st.events {
		s.commitMu.Lock()
		hooks := s.commitHooks
		s.commitMu.Unlock()
		for _, h := range hooks {
			h()
		}
	}
	if !st.timer.IsZero() {
		s.timerSet(st.timer)
	}
	return nil
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) conn(ctx context.Context, write bool) querier {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		if s.wstmts != nil {
			return stmtQuerier{q: st.tx, tx: st.tx, cache: s.wstmts}
		}
		return st.tx
	}
	if write {
		if s.wstmts != nil {
			return stmtQuerier{q: s.w, cache: s.wstmts}
		}
		return s.w
	}
	if s.rstmts != nil {
		return stmtQuerier{q: s.r, cache: s.rstmts}
	}
	return s.r
}

// q rewrites a query and its arguments for the dialect: "?" placeholders
// become "$n" on PostgreSQL, and times become unix microseconds on SQLite so
// they sort and compare as integers.
func (s *Store) q(query string, args []any) (string, []any) {
	if s.dialect == SQLite {
		for i, a := range args {
			switch v := a.(type) {
			case time.Time:
				args[i] = v.UnixMicro()
			case *time.Time:
				if v == nil {
					args[i] = nil
				} else {
					args[i] = v.UnixMicro()
				}
			}
		}
		return query, args
	}
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			args[i] = v.UTC()
		case *time.Time:
			if v == nil {
				args[i] = nil
			} else {
				args[i] = v.UTC()
			}
		}
	}
	if r, ok := s.rebound.Load(query); ok {
		return r.(string), args
	}
	var b strings.Builder
	n := 0
	inStr := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inStr = !inStr
			b.WriteByte(c)
		case c == '?' && !inStr:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	r := b.String()
	s.rebound.Store(query, r)
	return r, args
}

func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query, args = s.q(query, args)
	return s.conn(ctx, true).ExecContext(ctx, query, args...)
}

func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query, args = s.q(query, args)
	return s.conn(ctx, false).QueryContext(ctx, query, args...)
}

func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query, args = s.q(query, args)
	return s.conn(ctx, false).QueryRowContext(ctx, query, args...)
}

// writeRow runs an INSERT/UPDATE … RETURNING on the writer.
func (s *Store) writeRow(ctx context.Context, query string, args ...any) *sql.Row {
	query, args = s.q(query, args)
	return s.conn(ctx, true).QueryRowContext(ctx, query, args...)
}

// now is the store's clock, truncated to what both databases keep.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	if _, ok := p.User.Password(); ok {
		p.User = url.UserPassword(p.User.Username(), "xxxxx")
	}
	return p.String()
}

// placeholders returns "?, ?, …" for n arguments.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}
