package sla

import (
	"errors"
	"fmt"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// Situation is what happened to a ticket, as the SLA clocks need to know
// it: the ticket as it is now, the event that changed it, and the policy
// and calendar that apply now.
type Situation struct {
	Ticket      *kefu.Ticket
	Event       string           // kefu event type; "" for a re-evaluation (policy or calendar change)
	MessageKind kefu.MessageKind // for message.added
	At          time.Time
	Policy      *kefu.SLAPolicy // nil when no policy applies
	CalendarID  *int64
	// Calendar returns the compiled calendar with an id (nil id: round the
	// clock), so a clock moved from one calendar to another can settle what
	// it used on the old one.
	Calendar func(id *int64) (*Calendar, error)
}

// Outcome is what Reconcile changed.
type Outcome struct {
	Changed  []*kefu.SLAClock // to store
	Finished []kefu.SLAResult // cycles that ended, for reports
}

// Reconcile brings a ticket's clocks (keyed by metric) up to date with a
// situation. It is pure: it changes the clocks it is given and reports which.
// The rules:
//   - first response runs from the ticket's creation until the first public
//     reply; resolution from creation until solved (a reopened ticket
//     resumes its resolution clock where it stopped);
//   - next response runs from each customer message after the first
//     response until the next public reply;
//   - every running clock pauses while the ticket is in one of the policy's
//     pause statuses (waiting on the customer) and resumes after;
//   - solving or merging cancels the response clocks that are still open;
//   - a policy or calendar change keeps the business time used and
//     recomputes the due time from it.
func Reconcile(clocks map[string]*kefu.SLAClock, s Situation) (Outcome, error) {
	var out Outcome
	t := s.Ticket
	changed := map[string]bool{}
	mark := func(m string) { changed[m] = true }
	finish := func(c *kefu.SLAClock, state string, at time.Time) error {
		used, err := used(c, at, s.Calendar)
		if err != nil {
			return err
		}
		breached := c.BreachedAt != nil || (c.DueAt != nil && at.After(*c.DueAt))
		if breached && c.BreachedAt == nil && state == kefu.TargetMet {
			// Met late, before the breach timer fired: it was still breached.
			b := *c.DueAt
			c.BreachedAt = &b
		}
		out.Finished = append(out.Finished, kefu.SLAResult{TicketID: c.TicketID, Metric: c.Metric, PolicyID: c.PolicyID,
			TargetMinutes: c.TargetMinutes, StartedAt: c.StartedAt, EndedAt: at, Outcome: state, Breached: breached,
			BusinessSeconds: int64(used / time.Second)})
		c.Consumed, c.RunningSince, c.DueAt, c.WarnAt = used, nil, nil, nil
		c.State = state
		if state == kefu.TargetMet {
			c.MetAt = &at
		}
		mark(c.Metric)
		return nil
	}
	start := func(metric string, from time.Time) *kefu.SLAClock {
		// A new clock counts on today's calendar from its start; only a
		// clock that already ran is "moved" between calendars below.
		c := &kefu.SLAClock{TicketID: t.ID, Metric: metric, State: kefu.TargetRunning, StartedAt: from, CalendarID: copyID(s.CalendarID)}
		since := from
		c.RunningSince = &since
		clocks[metric] = c
		mark(metric)
		return c
	}
	target := func(metric string) int {
		if s.Policy == nil {
			return 0
		}
		return s.Policy.Minutes(metric)
	}
	at := s.At
	done := !t.Status.Active() || t.MergedInto != nil

	// 1. What the event itself means.
	if s.Event == kefu.EventMessageAdded {
		switch s.MessageKind {
		case kefu.MessageReply:
			for _, m := range []string{kefu.MetricFirstResponse, kefu.MetricNextResponse} {
				if c := clocks[m]; c != nil && c.Active() {
					if err := finish(c, kefu.TargetMet, at); err != nil {
						return out, err
					}
				}
			}
		case kefu.MessageCustomer:
			first := clocks[kefu.MetricFirstResponse]
			// Solved without a public reply, then the customer wrote again:
			// the first response is owed again, from now.
			if first != nil && first.State == kefu.TargetCancelled && t.FirstResponseAt == nil && !done && target(kefu.MetricFirstResponse) > 0 {
				first = start(kefu.MetricFirstResponse, at)
			}
			waitingFirst := t.FirstResponseAt == nil || (first != nil && first.Active())
			next := clocks[kefu.MetricNextResponse]
			if !waitingFirst && !done && target(kefu.MetricNextResponse) > 0 && (next == nil || !next.Active()) {
				start(kefu.MetricNextResponse, at)
			}
		}
	}

	// 2. Targets the policy sets that have no clock yet (a new ticket, or a
	// policy that applies only now) start from the ticket's creation.
	if !done {
		if c := clocks[kefu.MetricFirstResponse]; c == nil && t.FirstResponseAt == nil && target(kefu.MetricFirstResponse) > 0 {
			start(kefu.MetricFirstResponse, t.CreatedAt)
		}
		if c := clocks[kefu.MetricResolution]; c == nil && target(kefu.MetricResolution) > 0 {
			start(kefu.MetricResolution, t.CreatedAt)
		}
		// A solved ticket that was reopened resumes its resolution clock.
		if c := clocks[kefu.MetricResolution]; c != nil && c.State == kefu.TargetMet && target(kefu.MetricResolution) > 0 {
			c.State, c.MetAt = kefu.TargetPaused, nil
			mark(c.Metric)
		}
	}

	// 3. Status: done tickets stop every clock; the pause statuses pause them.
	for _, m := range kefu.SLAMetrics {
		c := clocks[m]
		if c == nil || !c.Active() {
			continue
		}
		if done {
			state := kefu.TargetCancelled
			if m == kefu.MetricResolution && t.MergedInto == nil {
				state = kefu.TargetMet
			}
			end := at
			if state == kefu.TargetMet && t.SolvedAt != nil && t.SolvedAt.Before(at) {
				end = *t.SolvedAt
			}
			if err := finish(c, state, end); err != nil {
				return out, err
			}
			continue
		}
		tm := target(m)
		if tm == 0 {
			if err := finish(c, kefu.TargetCancelled, at); err != nil {
				return out, err
			}
			continue
		}
		// Settle time used on the clock's old calendar before moving it.
		if !sameID(c.CalendarID, s.CalendarID) && c.State == kefu.TargetRunning && c.RunningSince != nil && c.RunningSince.Before(at) {
			u, err := used(c, at, s.Calendar)
			if err != nil {
				return out, err
			}
			c.Consumed, c.RunningSince = u, &at
			mark(m)
		}
		if !sameID(c.CalendarID, s.CalendarID) || !sameID(c.PolicyID, &s.Policy.ID) || c.TargetMinutes != tm || c.WarnShare != s.Policy.WarnShare {
			c.CalendarID, c.PolicyID, c.TargetMinutes, c.WarnShare = copyID(s.CalendarID), copyID(&s.Policy.ID), tm, s.Policy.WarnShare
			mark(m)
		}
		pause := s.Policy.Pauses(t.Status)
		switch {
		case pause && c.State == kefu.TargetRunning:
			u, err := used(c, at, s.Calendar)
			if err != nil {
				return out, err
			}
			c.Consumed, c.RunningSince, c.State = u, nil, kefu.TargetPaused
			mark(m)
		case !pause && c.State == kefu.TargetPaused:
			since := at
			c.RunningSince, c.State = &since, kefu.TargetRunning
			mark(m)
		}
	}

	// 4. Due and warning times of what changed.
	for _, m := range kefu.SLAMetrics {
		c := clocks[m]
		if c == nil || !changed[m] {
			continue
		}
		if err := Schedule(c, s.Calendar); err != nil {
			return out, err
		}
		c.UpdatedAt = at
		out.Changed = append(out.Changed, c)
	}
	return out, nil
}

// Schedule recomputes a clock's due and warning times from its target, the
// business time used and the calendar; a paused or finished clock has none.
func Schedule(c *kefu.SLAClock, calendar func(id *int64) (*Calendar, error)) error {
	if c.State != kefu.TargetRunning || c.RunningSince == nil {
		c.DueAt, c.WarnAt = nil, nil
		return nil
	}
	cal, err := calendar(c.CalendarID)
	if err != nil {
		return err
	}
	since := *c.RunningSince
	left := c.Target() - c.Consumed
	due := since
	if left > 0 {
		if due, err = cal.Add(since, left); errors.Is(err, ErrNoBusinessTime) {
			// A calendar with no working time left cannot make anything
			// due; a ticket change must not fail because of it.
			c.DueAt, c.WarnAt = nil, nil
			return nil
		} else if err != nil {
			return fmt.Errorf("due time of %s: %w", c.Metric, err)
		}
	}
	c.DueAt = &due
	c.WarnAt = nil
	if c.WarnShare > 0 && c.WarnShare < 1 && c.WarnedAt == nil && c.BreachedAt == nil {
		warnLeft := time.Duration(float64(c.Target())*c.WarnShare) - c.Consumed
		w := since
		if warnLeft > 0 {
			if w, err = cal.Add(since, warnLeft); err != nil {
				return fmt.Errorf("warning time of %s: %w", c.Metric, err)
			}
		}
		c.WarnAt = &w
	}
	return nil
}

// used is the business time a clock has used by at.
func used(c *kefu.SLAClock, at time.Time, calendar func(id *int64) (*Calendar, error)) (time.Duration, error) {
	if c.State != kefu.TargetRunning || c.RunningSince == nil || !at.After(*c.RunningSince) {
		return c.Consumed, nil
	}
	cal, err := calendar(c.CalendarID)
	if err != nil {
		return 0, err
	}
	return c.Consumed + cal.Between(*c.RunningSince, at), nil
}

// Alarm is a warning or a breach that is due on a clock.
type Alarm struct {
	Clock  *kefu.SLAClock
	Breach bool // false: a warning
}

// Alarms returns the warnings and breaches due by now, marking them on the
// clocks, and the next instant one is due (zero when none is pending).
func Alarms(clocks []*kefu.SLAClock, now time.Time) (due []Alarm, next time.Time) {
	for _, c := range clocks {
		if c.State != kefu.TargetRunning {
			continue
		}
		if c.WarnAt != nil && c.WarnedAt == nil && c.BreachedAt == nil {
			if !c.WarnAt.After(now) {
				w := now
				c.WarnedAt, c.WarnAt = &w, nil
				due = append(due, Alarm{Clock: c})
			} else {
				next = earliest(next, *c.WarnAt)
			}
		}
		if c.DueAt != nil && c.BreachedAt == nil {
			if !c.DueAt.After(now) {
				b := *c.DueAt
				c.BreachedAt, c.WarnAt = &b, nil
				due = append(due, Alarm{Clock: c, Breach: true})
			} else {
				next = earliest(next, *c.DueAt)
			}
		}
	}
	return due, next
}

// NextAlarm is the next instant a warning or breach is due on the clocks.
func NextAlarm(clocks []*kefu.SLAClock) time.Time {
	var next time.Time
	for _, c := range clocks {
		if c.State != kefu.TargetRunning {
			continue
		}
		if c.WarnAt != nil && c.WarnedAt == nil && c.BreachedAt == nil {
			next = earliest(next, *c.WarnAt)
		}
		if c.DueAt != nil && c.BreachedAt == nil {
			next = earliest(next, *c.DueAt)
		}
	}
	return next
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

func sameID(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func copyID(p *int64) *int64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// View is how a ticket shows its clocks: due times of the running targets,
// remaining business time, and the targets breached in their current cycle.
func View(clocks []*kefu.SLAClock, policy *kefu.SLAPolicy, now time.Time, calendar func(id *int64) (*Calendar, error)) *kefu.TicketSLA {
	v := &kefu.TicketSLA{Breached: []string{}, Targets: []kefu.SLATarget{}}
	if policy != nil {
		v.PolicyID, v.PolicyName = copyID(&policy.ID), policy.Name
	}
	for _, m := range kefu.SLAMetrics {
		for _, c := range clocks {
			if c.Metric != m {
				continue
			}
			tv := kefu.SLATarget{Metric: m, State: c.State, TargetMinutes: c.TargetMinutes, StartedAt: c.StartedAt,
				DueAt: c.DueAt, WarnAt: c.WarnAt, WarnedAt: c.WarnedAt, BreachedAt: c.BreachedAt, MetAt: c.MetAt}
			if c.Active() {
				u, err := used(c, now, calendar)
				if err == nil {
					tv.RemainingSeconds = int64((c.Target() - u) / time.Second)
				}
				if c.State == kefu.TargetPaused {
					v.Paused = true
				}
			}
			if c.BreachedAt != nil {
				v.Breached = append(v.Breached, m)
			}
			if c.State == kefu.TargetRunning {
				switch m {
				case kefu.MetricFirstResponse:
					v.FirstResponseDueAt = c.DueAt
				case kefu.MetricNextResponse:
					v.NextResponseDueAt = c.DueAt
				case kefu.MetricResolution:
					v.ResolutionDueAt = c.DueAt
				}
			}
			v.Targets = append(v.Targets, tv)
		}
	}
	return v
}
