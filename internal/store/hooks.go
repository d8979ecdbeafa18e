package store

import (
	"context"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// OnEvent registers h to run inside the transaction of every event written
// with AddEvent, right after the event row. Features that must stay
// consistent with a ticket in the same transaction (its SLA clocks) react
// here; everything that can wait uses the outbox instead. h's error rolls
// the whole change back.
func (s *Store) OnEvent(h func(ctx context.Context, e *kefu.Event) error) {
	s.commitMu.Lock()
	s.eventHooks = append(s.eventHooks, h)
	s.commitMu.Unlock()
}

func (s *Store) runEventHooks(ctx context.Context, e *kefu.Event) error {
	s.commitMu.Lock()
	hooks := s.eventHooks
	s.commitMu.Unlock()
	for _, h := range hooks {
		if err := h(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// OnTimerSet registers f to learn, after commit, the earliest due time of
// the timers a transaction set, so the timer runner on this node can wake
// early instead of polling.
func (s *Store) OnTimerSet(f func(due time.Time)) {
	s.commitMu.Lock()
	s.timerHooks = append(s.timerHooks, f)
	s.commitMu.Unlock()
}

func (s *Store) timerSet(due time.Time) {
	s.commitMu.Lock()
	hooks := s.timerHooks
	s.commitMu.Unlock()
	for _, h := range hooks {
		h(due)
	}
}
