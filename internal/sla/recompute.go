package sla

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// TimerRecompute is the timer kind of a background recompute (ref: the
// calendar id, 0 for every calendar).
const TimerRecompute = "sla.recompute"

// Why a recompute is a chain of timers rather than a loop in the admin's
// request: at a million open tickets it takes most of a minute (bench/sla).
// Each firing of the timer recomputes one batch, saves how far it got in
// sla_recomputes and sets the timer again for now, all in the timer's own
// transaction. So the work runs on one node at a time (the timer is
// claimed with SKIP LOCKED), a batch commits exactly once with its
// progress, and a node killed mid-way leaves the timer due for the next
// node or the next start, which resumes after the last committed batch.

// QueueRecompute starts recomputing the due times counted on a calendar
// (0: on every calendar) in the background, in the caller's transaction
// when there is one, and returns its progress. A change while a recompute
// of the same calendar runs restarts it from the first clock.
func (s *Service) QueueRecompute(ctx context.Context, calendarID int64) (*store.SLARecompute, error) {
	return s.startJob(ctx, calendarID, TimerRecompute, calendarID)
}

// startJob (re)starts the background job whose progress is the
// sla_recomputes row key, and sets its timer (kind, ref) due now, in one
// transaction.
func (s *Service) startJob(ctx context.Context, key int64, kind string, ref int64) (*store.SLARecompute, error) {
	var j *store.SLARecompute
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		// Wait for a step in progress, so its progress cannot overwrite the restart.
		if _, err := s.st.SLARecomputeOf(ctx, key, true); err != nil && !errors.Is(err, kefu.ErrNotFound) {
			return err
		}
		var err error
		if j, err = s.st.StartSLARecompute(ctx, key); err != nil {
			return err
		}
		return s.st.SetTimer(ctx, kind, ref, s.now())
	})
	s.Invalidate()
	return j, err
}

// RecomputeStatus returns the progress of the last recompute of a
// calendar's due times (0: every calendar); not found if none ran.
func (s *Service) RecomputeStatus(ctx context.Context, actor *kefu.User, calendarID int64) (*store.SLARecompute, error) {
	if err := auth.Can(actor, auth.AddNotes); err != nil {
		return nil, err
	}
	return s.st.SLARecomputeOf(ctx, calendarID, false)
}

// fireRecompute is one step of a background recompute.
func (s *Service) fireRecompute(ctx context.Context, tm *store.Timer) error {
	j, err := s.st.SLARecomputeOf(ctx, tm.RefID, true)
	if errors.Is(err, kefu.ErrNotFound) {
		return nil
	}
	if err != nil || j.State != "running" {
		return err
	}
	if j.Total < 0 {
		if j.Total, err = s.st.CountRunningSLAClocks(ctx, j.CalendarID); err != nil {
			return err
		}
		s.logger().Info("SLA recompute started", "calendar_id", j.CalendarID, "clocks", j.Total)
	}
	s.recheck()
	n, done, err := s.recomputeBatch(ctx, j.CalendarID, &j.AfterTicket, &j.AfterMetric, s.recomputeSize())
	if err != nil {
		return err
	}
	j.Done += n
	j.Batches++
	if done {
		at := s.now()
		j.State, j.FinishedAt = "done", &at
		s.logger().Info("SLA recompute finished", "calendar_id", j.CalendarID, "clocks", j.Done, "batches", j.Batches, "took", at.Sub(j.StartedAt).Round(time.Millisecond).String())
	} else {
		if j.Batches%25 == 0 {
			s.logger().Info("SLA recompute progress", "calendar_id", j.CalendarID, "done", j.Done, "total", j.Total)
		}
		if err := s.st.SetTimer(ctx, TimerRecompute, j.CalendarID, s.now()); err != nil {
			return err
		}
	}
	return s.st.SaveSLARecompute(ctx, j)
}

// recheck makes the next read of policies and calendars look at their
// version in the database rather than trust this node's cache for
// cacheTTL: another node may have changed them moments ago.
func (s *Service) recheck() {
	s.mu.Lock()
	s.checked = time.Time{}
	s.mu.Unlock()
}

// SetLogger sets where background work (recomputes) reports progress.
func (s *Service) SetLogger(log *slog.Logger) { s.log = log }

func (s *Service) logger() *slog.Logger {
	if s.log == nil {
		return slog.Default()
	}
	return s.log
}

func (s *Service) recomputeSize() int {
	if s.BatchSize > 0 {
		return s.BatchSize
	}
	return recomputeBatch
}
