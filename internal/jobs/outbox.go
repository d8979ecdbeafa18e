// Package jobs runs kefu's background work. The outbox dispatcher feeds
// events, written in the same transaction as each change, to consumers
// (search indexing, live updates, webhooks, automations): each consumer sees
// every event once and in order, on one node at a time, and resumes where
// it stopped after a crash.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// Handler applies one batch of events. It runs inside the transaction that
// advances the consumer's position, so what it writes to the database
// commits exactly once with it. Effects outside the database (a webhook, a
// browser push) may repeat after a crash and must be idempotent (events
// carry their id for that).
type Handler func(ctx context.Context, events []*kefu.Event) error

// Outbox dispatches events to registered consumers.
type Outbox struct {
	st        *store.Store
	log       *slog.Logger
	batch     int
	poll      time.Duration
	mu        sync.Mutex
	consumers map[string]Handler
	wake      chan struct{}
}

// NewOutbox returns a dispatcher on st. It wakes when a transaction that
// wrote events commits on this node, and polls every poll for other nodes'.
func NewOutbox(st *store.Store, log *slog.Logger, poll time.Duration) *Outbox {
	o := &Outbox{st: st, log: log, batch: 500, poll: poll, consumers: map[string]Handler{}, wake: make(chan struct{}, 1)}
	st.OnCommit(o.Wake)
	return o
}

// Register adds a consumer under a stable name (its position is kept under it).
func (o *Outbox) Register(name string, h Handler) {
	o.mu.Lock()
	o.consumers[name] = h
	o.mu.Unlock()
}

// Wake asks the dispatcher to look for new events now.
func (o *Outbox) Wake() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Run dispatches until ctx ends.
func (o *Outbox) Run(ctx context.Context) {
	t := time.NewTicker(o.poll)
	defer t.Stop()
	for {
		o.DrainOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-o.wake:
		case <-t.C:
		}
	}
}

// DrainOnce gives every consumer all events available now. Tests call it
// to make the outbox's effects visible deterministically.
func (o *Outbox) DrainOnce(ctx context.Context) {
	o.mu.Lock()
	names := make([]string, 0, len(o.consumers))
	for n := range o.consumers {
		names = append(names, n)
	}
	o.mu.Unlock()
	for _, n := range names {
		for {
			more, err := o.step(ctx, n)
			if err != nil {
				if ctx.Err() == nil {
					o.log.Error("outbox consumer failed; will retry", "consumer", n, "err", err)
				}
				break
			}
			if !more {
				break
			}
		}
	}
}

// step runs one batch for a consumer; more reports a full batch.
func (o *Outbox) step(ctx context.Context, name string) (more bool, err error) {
	o.mu.Lock()
	h := o.consumers[name]
	o.mu.Unlock()
	err = o.st.WithTx(ctx, func(ctx context.Context) error {
		pos, ok, err := o.st.ClaimConsumer(ctx, name)
		if err != nil || !ok {
			return err
		}
		events, positions, err := o.st.OutboxEvents(ctx, pos, o.batch)
		if err != nil || len(events) == 0 {
			return err
		}
		if err := h(ctx, events); err != nil {
			return fmt.Errorf("consumer %s at event %d: %w", name, events[0].ID, err)
		}
		more = len(events) == o.batch
		return o.st.SaveConsumer(ctx, name, positions[len(positions)-1])
	})
	return more, err
}
