package main

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// testWriter sends what the benchmark prints to the test log, line by line.
type testWriter struct {
	t   *testing.T
	mu  sync.Mutex
	buf strings.Builder
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	s := w.buf.String()
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			break
		}
		w.t.Log(s[:i])
		s = s[i+1:]
	}
	w.buf.Reset()
	w.buf.WriteString(s)
	return len(p), nil
}

// TestCrashLosesNothing runs the crash mode small: 200 tickets, a 2 s create
// load with 32 clients, SIGKILL after 1 s, restart, and every ticket the
// server acknowledged must still be there. SQLite always; PostgreSQL when
// KEFU_TEST_DATABASE_URL is set.
func TestCrashLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("crash check builds kefu and runs servers; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	root, err := moduleRoot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	bin, err := buildKefu(ctx, root, tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			pg := os.Getenv("KEFU_TEST_DATABASE_URL")
			if dialect == "postgres" && pg == "" {
				t.Skip("PostgreSQL crash check skipped: set KEFU_TEST_DATABASE_URL (for example postgres://postgres@127.0.0.1:5432/postgres) to run it")
			}
			cfg := config{
				tickets: 200, messages: 600, duration: 2 * time.Second, crashAfter: time.Second, clients: 32,
				dialects: []string{dialect}, ops: []string{"create"}, pgURL: pg, crash: true, seed: 1, seedWorkers: 2,
				out: &testWriter{t: t},
			}
			if err := cfg.normalize(); err != nil {
				t.Fatal(err)
			}
			res, err := runCrash(ctx, cfg, bin, dialect, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if res.lost > 0 || res.mismatched > 0 {
				t.Fatalf("acknowledged %d, lost %d, %d came back with another number", res.acknowledged, res.lost, res.mismatched)
			}
		})
	}
}
