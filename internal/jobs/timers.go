package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kefu-dev/kefu/internal/store"
)

// Why timers are rows in kefu's own database rather than jobs in a queue
// library: every timer kefu has (an SLA warning or breach, a promise
// reminder, a snooze ending, a scheduled reply) acts on the database only.
// Claiming a timer, applying its effect and deleting it in one transaction
// makes each timer fire exactly once, on SQLite and PostgreSQL alike, with
// no second migration system and no second connection pool; several nodes
// share the work through FOR UPDATE SKIP LOCKED; a killed node's
// transaction rolls back and its timers stay due for the next claim. A due
// time is one indexed column, so recomputing a million of them after a
// calendar change is a bulk UPDATE. Effects outside the database
// (notifications to browsers, webhooks) go through the outbox.

// TimerHandler applies a due timer. It runs inside the transaction that
// claimed and deleted the timer, so what it writes commits exactly once with
// the deletion; it may set the same timer again for a later time. Returning
// ErrTimerBusy puts the timer back for a moment without counting a failure.
type TimerHandler func(ctx context.Context, t *store.Timer) error

// ErrTimerBusy says the timer's subject is locked by a change in progress;
// the timer is retried shortly.
var ErrTimerBusy = errors.New("timer subject is busy")

// Timers runs due timers.
type Timers struct {
	st       *store.Store
	log      *slog.Logger
	poll     time.Duration
	batch    int
	mu       sync.Mutex
	handlers map[string]TimerHandler
	wake     chan struct{}
	planned  atomic.Int64 // unix micros of the next planned look; 0 while working
	// Now is the runner's clock; tests move it forward.
	Now func() time.Time
	// Workers is how many claim loops Run starts: on PostgreSQL they fire
	// timers in parallel (each claims its own with SKIP LOCKED); SQLite has
	// one writer, so one is enough there.
	Workers int
	// Fired, when set, is called after each committed batch with the timers
	// it fired and the commit time: for metrics and the benchmark.
	Fired func(ts []*store.Timer, at time.Time)
}

// NewTimers returns a timer runner on st. It looks for due timers when the
// earliest one is due, when a transaction on this node sets an earlier one,
// and at least every poll (for timers other nodes set).
func NewTimers(st *store.Store, log *slog.Logger, poll time.Duration) *Timers {
	t := &Timers{st: st, log: log, poll: poll, batch: 100, handlers: map[string]TimerHandler{}, wake: make(chan struct{}, 1), Now: time.Now, Workers: 1}
	if st.Dialect() == store.Postgres {
		t.Workers = 2
	}
	st.OnTimerSet(t.timerSet)
	return t
}

// Register sets the handler of a timer kind.
func (t *Timers) Register(kind string, h TimerHandler) {
	t.mu.Lock()
	t.handlers[kind] = h
	t.mu.Unlock()
}

func (t *Timers) timerSet(due time.Time) {
	if p := t.planned.Load(); p != 0 && due.UnixMicro() >= p {
		return
	}
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// Run fires due timers until ctx ends.
func (t *Timers) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for i := 0; i < max(t.Workers, 1); i++ {
		wg.Add(1)
		go func() { defer wg.Done(); t.loop(ctx) }()
	}
	wg.Wait()
}

// loop is one claim loop: fire what is due, sleep until the next timer (or
// a wake-up, or poll), again.
func (t *Timers) loop(ctx context.Context) {
	sleep := time.NewTimer(time.Hour)
	defer sleep.Stop()
	for {
		t.planned.Store(0)
		fired, err := t.RunDue(ctx)
		if err != nil && ctx.Err() == nil {
			t.log.Error("timers failed; will retry", "err", err)
		}
		wait := t.poll
		if next, ok, err := t.st.NextTimer(ctx); err == nil && ok {
			if d := next.Sub(t.Now()); d < wait {
				wait = max(d, 0)
			}
		}
		if wait == 0 && fired == 0 {
			// The due timers are held by another worker or node: look
			// again shortly rather than spin.
			wait = min(t.poll, 20*time.Millisecond)
		}
		t.planned.Store(t.Now().Add(wait).UnixMicro())
		sleep.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-t.wake:
			// Since Go 1.23 Reset needs no drained channel.
		case <-sleep.C:
		}
	}
}

// RunDue fires every timer due now, batch by batch, and reports how many
// fired. Tests call it to fire timers deterministically.
func (t *Timers) RunDue(ctx context.Context) (int, error) {
	total := 0
	for {
		n, full, err := t.runBatch(ctx, t.Now())
		total += n
		if err != nil || !full {
			return total, err
		}
	}
}

func (t *Timers) runBatch(ctx context.Context, now time.Time) (fired int, full bool, err error) {
	var done []*store.Timer
	err = t.st.WithTx(ctx, func(ctx context.Context) error {
		done = done[:0]
		ts, err := t.st.ClaimTimers(ctx, now, t.batch)
		if err != nil {
			return err
		}
		full = len(ts) == t.batch
		for _, tm := range ts {
			t.mu.Lock()
			h := t.handlers[tm.Kind]
			t.mu.Unlock()
			herr := t.st.Savepoint(ctx, "timer", func(ctx context.Context) error {
				if err := t.st.DeleteTimer(ctx, tm.ID); err != nil {
					return err
				}
				if h == nil {
					return fmt.Errorf("no handler for %s timers on this node", tm.Kind)
				}
				return h(ctx, tm)
			})
			switch {
			case herr == nil:
				done = append(done, tm)
			case errors.Is(herr, ErrTimerBusy):
				if err := t.st.RetryTimer(ctx, tm.ID, now.Add(200*time.Millisecond), ""); err != nil {
					return err
				}
			default:
				if ctx.Err() != nil {
					return ctx.Err()
				}
				backoff := min(time.Duration(1<<min(tm.Attempts, 12))*time.Second, time.Hour)
				t.log.Warn("timer failed; will retry", "kind", tm.Kind, "ref", tm.RefID, "attempt", tm.Attempts+1, "retry_in", backoff.String(), "err", herr)
				if err := t.st.RetryTimer(ctx, tm.ID, now.Add(backoff), herr.Error()); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	if t.Fired != nil && len(done) > 0 {
		t.Fired(done, time.Now())
	}
	return len(done), full, nil
}
