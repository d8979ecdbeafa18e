package sla

import (
	"context"
	"errors"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// TimerReapply is the timer kind of a background re-application of the SLA
// policies to every active ticket (ref: always 0).
const TimerReapply = "sla.reapply"

// ReapplyKey is the sla_recomputes row that holds the progress of the
// re-application: calendar ids are positive and 0 stands for every
// calendar, so -1 cannot name a calendar's recompute.
const ReapplyKey = -1

// reapplyBatch is how many tickets one step re-evaluates, each locked as a
// reply would lock it, all in the step's transaction.
const reapplyBatch = 200

// reapplyInline is how long the admin's request spends stepping through the
// job itself before it answers: a shop of a few thousand open tickets sees
// the new policy everywhere at once, a bigger one watches the rest finish in
// the background.
const reapplyInline = 2 * time.Second

// Why the policies are re-applied as a job, like a calendar's recompute: a
// changed, moved or deleted policy, or a team's new calendar, may change
// which targets every active ticket has. Done in the admin's request, a big
// shop waits minutes and a node that dies mid-way leaves some tickets on
// the old policy for good; as timer steps that commit their progress with
// their work, it finishes exactly once whatever happens to the node.

// QueueReapply starts applying the SLA policies anew to every active ticket
// (restarting a run in progress, which worked from older policies), steps
// through it for up to reapplyInline, and returns its progress.
func (s *Service) QueueReapply(ctx context.Context) (*store.SLARecompute, error) {
	if _, err := s.startJob(ctx, ReapplyKey, TimerReapply, 0); err != nil {
		return nil, err
	}
	budget := s.ReapplyInline
	if budget == 0 {
		budget = reapplyInline
	}
	for end := time.Now().Add(budget); time.Now().Before(end); {
		var done bool
		err := s.st.WithTx(ctx, func(ctx context.Context) error {
			var err error
			done, err = s.reapplyStep(ctx)
			if err == nil && done {
				err = s.st.CancelTimer(ctx, TimerReapply, 0)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		if done {
			break
		}
	}
	return s.st.SLARecomputeOf(ctx, ReapplyKey, false)
}

// ReapplyStatus returns the progress of the last re-application of the SLA
// policies; not found if none ran.
func (s *Service) ReapplyStatus(ctx context.Context, actor *kefu.User) (*store.SLARecompute, error) {
	return s.RecomputeStatus(ctx, actor, ReapplyKey)
}

// fireReapply is one step of a background re-application; the timer is set
// again while tickets remain.
func (s *Service) fireReapply(ctx context.Context, _ *store.Timer) error {
	done, err := s.reapplyStep(ctx)
	if err != nil || done {
		return err
	}
	return s.st.SetTimer(ctx, TimerReapply, 0, s.now())
}

// reapplyStep re-evaluates the next batch of active tickets in the
// caller's transaction and saves how far it got; done when none remain (or
// no run is in progress).
func (s *Service) reapplyStep(ctx context.Context) (done bool, err error) {
	j, err := s.st.SLARecomputeOf(ctx, ReapplyKey, true)
	if errors.Is(err, kefu.ErrNotFound) {
		return true, nil
	}
	if err != nil || j.State != "running" {
		return true, err
	}
	if j.Total < 0 {
		if j.Total, err = s.st.CountActiveTickets(ctx); err != nil {
			return false, err
		}
		s.logger().Info("SLA policies re-applied to active tickets: started", "tickets", j.Total)
	}
	s.recheck()
	ids, err := s.st.ActiveTicketIDs(ctx, j.AfterTicket, s.reapplySize())
	if err != nil {
		return false, err
	}
	for _, id := range ids {
		if _, err := s.st.LockTicket(ctx, id); errors.Is(err, kefu.ErrNotFound) {
			continue
		} else if err != nil {
			return false, err
		}
		if err := s.evaluate(ctx, id, "", "", s.now()); err != nil && !errors.Is(err, kefu.ErrNotFound) {
			return false, err
		}
		j.AfterTicket = id
	}
	j.Done += len(ids)
	j.Batches++
	if done = len(ids) < s.reapplySize(); done {
		at := s.now()
		j.State, j.FinishedAt = "done", &at
		s.logger().Info("SLA policies re-applied to active tickets: finished", "tickets", j.Done, "steps", j.Batches, "took", at.Sub(j.StartedAt).Round(time.Millisecond).String())
	}
	return done, s.st.SaveSLARecompute(ctx, j)
}

func (s *Service) reapplySize() int {
	if s.BatchSize > 0 {
		return s.BatchSize
	}
	return reapplyBatch
}
