package jobs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

type recorder struct {
	mu  sync.Mutex
	ids []int64
}

func (r *recorder) handle(_ context.Context, es []*kefu.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range es {
		r.ids = append(r.ids, e.ID)
	}
	return nil
}

func (r *recorder) got() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int64(nil), r.ids...)
}

// drainUntil drains until r has n events or 10 s pass: on PostgreSQL a
// transaction open anywhere in the cluster (another test package, say)
// rightly holds events back until it ends.
func drainUntil(ctx context.Context, o *Outbox, r *recorder, n int) {
	deadline := time.Now().Add(10 * time.Second)
	for len(r.got()) < n && time.Now().Before(deadline) {
		o.DrainOnce(ctx)
		if len(r.got()) < n {
			time.Sleep(20 * time.Millisecond)
		}
	}
}

func addEvent(t *testing.T, ctx context.Context, st *store.Store) int64 {
	t.Helper()
	e := &kefu.Event{Type: "test"}
	if err := st.WithTx(ctx, func(ctx context.Context) error { return st.AddEvent(ctx, e, nil) }); err != nil {
		t.Fatal(err)
	}
	return e.ID
}

func TestOutboxDeliversEachEventOnceInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		o := NewOutbox(st, log, time.Hour)
		o.batch = 3
		var a, b recorder
		o.Register("a", a.handle)
		o.Register("b", b.handle)
		var want []int64
		for i := 0; i < 7; i++ {
			want = append(want, addEvent(t, ctx, st))
		}
		drainUntil(ctx, o, &a, len(want))
		drainUntil(ctx, o, &b, len(want))
		for name, r := range map[string]*recorder{"a": &a, "b": &b} {
			if got := r.got(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("consumer %s got %v, want %v", name, got, want)
			}
		}
		// A new dispatcher (a restarted node) resumes where the last one stopped.
		o2 := NewOutbox(st, log, time.Hour)
		var c recorder
		o2.Register("a", c.handle)
		later := addEvent(t, ctx, st)
		drainUntil(ctx, o2, &c, 1)
		if got := c.got(); len(got) != 1 || got[0] != later {
			t.Errorf("after restart consumer a got %v, want only %d", got, later)
		}
	})
}

// TestOutboxWaitsForSlowTransactions: on PostgreSQL an event id taken by a
// transaction that commits late must not be skipped by a consumer that
// already saw a higher id.
func TestOutboxWaitsForSlowTransactions(t *testing.T) {
	st := storetest.Open(t, store.Postgres)
	ctx := context.Background()
	o := NewOutbox(st, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Hour)
	var r recorder
	o.Register("r", r.handle)
	started, release, done := make(chan int64), make(chan struct{}), make(chan error)
	go func() {
		done <- st.WithTx(ctx, func(ctx context.Context) error {
			e := &kefu.Event{Type: "slow"}
			if err := st.AddEvent(ctx, e, nil); err != nil {
				return err
			}
			started <- e.ID
			<-release
			return nil
		})
	}()
	slow := <-started
	fast := addEvent(t, ctx, st)
	if fast < slow {
		t.Fatalf("expected the slow transaction's id %d below %d", slow, fast)
	}
	o.DrainOnce(ctx)
	if got := r.got(); len(got) != 0 {
		t.Errorf("delivered %v while an older transaction was still open", got)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	drainUntil(ctx, o, &r, 2)
	if got := r.got(); len(got) != 2 || got[0] != slow || got[1] != fast {
		t.Errorf("got %v, want [%d %d]", got, slow, fast)
	}
}
