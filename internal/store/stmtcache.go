package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"time"
)

// stmtCache keeps SQLite statements prepared, by query text. The pure-Go
// SQLite driver parses and plans every query it is handed afresh, which
// under live chat load was a quarter of the server's CPU (most of it on the
// one writer connection, where it delays everyone). PostgreSQL needs none
// of this: pgx caches prepared statements itself.
type stmtCache struct {
	db      *sql.DB
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool
	closed  bool
	wg      sync.WaitGroup // background prepares
}

// maxStmts bounds the cache: queries built with a varying number of
// placeholders beyond it run unprepared, as before.
const maxStmts = 1000

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// get returns the prepared statement for query, or nil when there is none
// yet. A miss prepares it in the background: inside a transaction the
// writer's only connection is taken, so preparing now would wait forever.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.m[query]; st != nil {
		return st
	}
	if c.closed || c.pending[query] || len(c.m)+len(c.pending) >= maxStmts || strings.Contains(query, ";") {
		return nil
	}
	c.pending[query] = true
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		st, err := c.db.PrepareContext(context.Background(), query)
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.pending, query)
		switch {
		case err != nil: // a query that does not prepare fails when it runs, with its own error
		case c.closed:
			_ = st.Close()
		default:
			c.m[query] = st
		}
	}()
	return nil
}

// close waits for the prepares under way and releases the statements, so
// no connection outlives the store (a test's folder is removed after).
func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	// A prepare waits for its connection; one held by a transaction that
	// never ends must not hold up the shutdown for ever.
	done := make(chan struct{})
	go func() { c.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		_ = st.Close()
		delete(c.m, q)
	}
}

// stmtQuerier runs queries through cached statements where there are any.
type stmtQuerier struct {
	q     querier
	tx    *sql.Tx // nil outside a transaction
	cache *stmtCache
}

func (s stmtQuerier) stmt(ctx context.Context, query string) *sql.Stmt {
	st := s.cache.get(query)
	if st == nil || s.tx == nil {
		return st
	}
	// The transaction holds the writer's connection, on which the statement
	// was prepared: database/sql reuses it rather than preparing again.
	return s.tx.StmtContext(ctx, st)
}

func (s stmtQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := s.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return s.q.ExecContext(ctx, query, args...)
}

func (s stmtQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := s.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return s.q.QueryContext(ctx, query, args...)
}

func (s stmtQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := s.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.q.QueryRowContext(ctx, query, args...)
}
