package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fireRecorder is a timer handler whose effect is an event row naming the
// timer and the node, written in the timer's transaction: counting those
// rows counts firings that committed.
func fireRecorder(st *store.Store, node string, delay time.Duration) TimerHandler {
	return func(ctx context.Context, t *store.Timer) error {
		if delay > 0 {
			time.Sleep(delay)
		}
		return st.AddEvent(ctx, &kefu.Event{Type: "test.fired"}, map[string]any{"ref": t.RefID, "node": node})
	}
}

// firings counts committed firings per timer ref and per node.
func firings(t *testing.T, st *store.Store) (perRef map[int64]int, perNode map[string]int) {
	t.Helper()
	perRef, perNode = map[int64]int{}, map[string]int{}
	es, err := st.EventsAfter(context.Background(), 0, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Type != "test.fired" {
			continue
		}
		var d struct {
			Ref  int64  `json:"ref"`
			Node string `json:"node"`
		}
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatal(err)
		}
		perRef[d.Ref]++
		perNode[d.Node]++
	}
	return perRef, perNode
}

func setTimers(t *testing.T, st *store.Store, n int, due func(i int) time.Time) {
	t.Helper()
	refs := make([]int64, n)
	dues := make([]time.Time, n)
	for i := range refs {
		refs[i], dues[i] = int64(i+1), due(i)
	}
	if err := st.SetTimers(context.Background(), "test", refs, dues); err != nil {
		t.Fatal(err)
	}
}

func checkOnce(t *testing.T, st *store.Store, n int) map[string]int {
	t.Helper()
	perRef, perNode := firings(t, st)
	for ref := int64(1); ref <= int64(n); ref++ {
		if perRef[ref] != 1 {
			t.Errorf("timer %d fired %d times, want once", ref, perRef[ref])
		}
	}
	if len(perRef) != n {
		t.Errorf("%d timers fired, want %d", len(perRef), n)
	}
	if left, _ := st.CountTimers(context.Background()); left != 0 {
		t.Errorf("%d timers left, want none", left)
	}
	return perNode
}

func TestTimersFireWhenDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tm := NewTimers(st, quiet, time.Hour)
		tm.batch = 7
		tm.Register("test", fireRecorder(st, "a", 0))
		now := time.Now()
		setTimers(t, st, 20, func(i int) time.Time {
			if i < 15 {
				return now.Add(-time.Duration(i) * time.Second)
			}
			return now.Add(time.Hour) // not yet
		})
		n, err := tm.RunDue(ctx)
		if err != nil || n != 15 {
			t.Fatalf("RunDue = %d, %v; want 15 fired", n, err)
		}
		if n, _ := tm.RunDue(ctx); n != 0 {
			t.Errorf("second RunDue fired %d, want 0", n)
		}
		if left, _ := st.CountTimers(ctx); left != 5 {
			t.Errorf("%d timers left, want the 5 future ones", left)
		}
		// Setting a timer again moves it; cancelling removes it.
		if err := st.SetTimer(ctx, "test", 16, now.Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := st.CancelTimer(ctx, "test", 17); err != nil {
			t.Fatal(err)
		}
		if n, _ := tm.RunDue(ctx); n != 1 {
			t.Errorf("RunDue after moving one timer fired %d, want 1", n)
		}
		if left, _ := st.CountTimers(ctx); left != 3 {
			t.Errorf("%d timers left, want 3", left)
		}
	})
}

func TestTimerRetryAndBusy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tm := NewTimers(st, quiet, time.Hour)
		var calls atomic.Int32
		tm.Register("flaky", func(ctx context.Context, tr *store.Timer) error {
			// Its writes before failing must roll back with the savepoint.
			if err := st.AddEvent(ctx, &kefu.Event{Type: "test.partial"}, nil); err != nil {
				return err
			}
			if calls.Add(1) == 1 {
				return errors.New("downstream down")
			}
			return nil
		})
		tm.Register("busy", func(ctx context.Context, tr *store.Timer) error { return ErrTimerBusy })
		tm.Register("test", fireRecorder(st, "a", 0))
		past := time.Now().Add(-time.Minute)
		for kind, ref := range map[string]int64{"flaky": 1, "busy": 2, "test": 3} {
			if err := st.SetTimer(ctx, kind, ref, past); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := tm.RunDue(ctx); err != nil || n != 1 {
			t.Fatalf("RunDue = %d, %v; want only the good timer fired", n, err)
		}
		due, ok, _ := st.TimerDue(ctx, "flaky", 1)
		if !ok || time.Until(due) < 500*time.Millisecond {
			t.Errorf("failed timer due %v (set %v), want backed off by a second or more", due, ok)
		}
		due, ok, _ = st.TimerDue(ctx, "busy", 2)
		if !ok || time.Until(due) > time.Second {
			t.Errorf("busy timer due %v (set %v), want retried within a second", due, ok)
		}
		es, _ := st.EventsAfter(ctx, 0, 100)
		for _, e := range es {
			if e.Type == "test.partial" {
				t.Errorf("a failed handler's write survived")
			}
		}
		// Once due again it succeeds and is gone.
		if err := st.SetTimer(ctx, "flaky", 1, past); err != nil {
			t.Fatal(err)
		}
		if n, _ := tm.RunDue(ctx); n != 1 {
			t.Errorf("retry fired %d, want 1", n)
		}
	})
}

// TestTimersThreeNodes runs three timer workers on one PostgreSQL schema,
// as three kefu nodes would, and checks every timer fires exactly once.
func TestTimersThreeNodes(t *testing.T) {
	url := storetest.URL(t, store.Postgres)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var nodes []*store.Store
	for i := 0; i < 3; i++ {
		st, err := store.Open(ctx, store.Options{DatabaseURL: url})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, st)
	}
	const n = 600
	start := time.Now()
	setTimers(t, nodes[0], n, func(i int) time.Time { return start.Add(time.Duration(i%300) * 5 * time.Millisecond) })
	var wg sync.WaitGroup
	for i, st := range nodes {
		tm := NewTimers(st, quiet, 50*time.Millisecond)
		tm.batch = 10
		tm.Register("test", fireRecorder(st, fmt.Sprint("node", i), time.Millisecond))
		wg.Add(1)
		go func() { defer wg.Done(); tm.Run(ctx) }()
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if left, _ := nodes[0].CountTimers(ctx); left == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	perNode := checkOnce(t, nodes[0], n)
	t.Logf("firings per node: %v", perNode)
	if len(perNode) < 2 {
		t.Errorf("only %v fired timers; the nodes did not share the work", perNode)
	}
}

// TestTimersSurviveKill starts a timer worker in a child process, kills it
// with SIGKILL in the middle of its work, and lets a new worker finish:
// every timer fires exactly once, none is lost or repeated.
func TestTimersSurviveKill(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		const n = 400
		setTimers(t, st, n, func(int) time.Time { return time.Now().Add(-time.Second) })
		cmd := exec.Command(os.Args[0], "-test.run=^TestTimerChild$", "-test.v")
		cmd.Env = append(os.Environ(), "KEFU_TIMER_CHILD="+st.Source())
		out := &syncBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill it once it has committed some firings but not all.
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			perRef, _ := firings(t, st)
			if len(perRef) >= 30 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		before, _ := firings(t, st)
		if len(before) == 0 || len(before) >= n {
			t.Fatalf("the child fired %d of %d timers before it was killed; want some but not all\n%s", len(before), n, out.String())
		}
		// A restarted node carries on.
		tm := NewTimers(st, quiet, time.Hour)
		tm.Register("test", fireRecorder(st, "restarted", 0))
		if _, err := tm.RunDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		perNode := checkOnce(t, st, n)
		t.Logf("killed child fired %d, restarted node %d", perNode["child"], perNode["restarted"])
	})
}

// TestTimerChild is the worker TestTimersSurviveKill starts and kills; it
// does nothing in a normal run.
func TestTimerChild(t *testing.T) {
	url := os.Getenv("KEFU_TIMER_CHILD")
	if url == "" {
		t.Skip("only run as a child of TestTimersSurviveKill")
	}
	st, err := store.Open(context.Background(), store.Options{DatabaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	tm := NewTimers(st, quiet, time.Hour)
	tm.batch = 5
	tm.Register("test", fireRecorder(st, "child", 2*time.Millisecond))
	for {
		if _, err := tm.RunDue(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}
