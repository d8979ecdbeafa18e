package sla

import (
	"context"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// QuickTimes are the times offered with one click to snooze a ticket or
// send a reply later, counted in the business calendar of the ticket's team
// (else the default calendar, else 09:00 in Asia/Shanghai): an agent who
// snoozes "until tomorrow" on a Friday evening means the next working
// morning, not Saturday.
type QuickTimes struct {
	InTwoHours  time.Time
	NextMorning time.Time // the next working day's opening
	NextMonday  time.Time // the opening on (or after) next Monday
	Zone        *time.Location
}

// QuickTimes returns the quick choices for a ticket of team teamID (nil:
// no team) as seen now.
func (s *Service) QuickTimes(ctx context.Context, teamID *int64) (QuickTimes, error) {
	now := s.now()
	q := QuickTimes{InTwoHours: now.Add(2 * time.Hour).Truncate(time.Minute), Zone: shanghaiOr(time.UTC)}
	_, cals, def, err := s.config(ctx)
	if err != nil {
		return q, err
	}
	calID := def
	if teamID != nil {
		ts, err := s.st.TeamSettings(ctx, *teamID)
		if err != nil {
			return q, err
		}
		if ts.CalendarID != nil {
			calID = ts.CalendarID
		}
	}
	cal, _ := calendarFunc(cals, def)(calID)
	if cal != nil {
		q.Zone = cal.Location()
	}
	local := now.In(q.Zone)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, q.Zone)
	untilMonday := (8 - int(local.Weekday())) % 7
	if untilMonday == 0 {
		untilMonday = 7
	}
	q.NextMorning = opening(cal, midnight.AddDate(0, 0, 1))
	q.NextMonday = opening(cal, midnight.AddDate(0, 0, untilMonday))
	return q, nil
}

// opening is the first business instant at or after t, or 09:00 of t's day
// when there is no calendar (or it never opens).
func opening(cal *Calendar, t time.Time) time.Time {
	nine := time.Date(t.Year(), t.Month(), t.Day(), 9, 0, 0, 0, t.Location())
	if cal == nil {
		return nine
	}
	// One minute of business time from t ends one minute after the opening.
	at, err := cal.Add(t, time.Minute)
	if err != nil {
		return nine
	}
	return at.Add(-time.Minute)
}

// Snoozed lists the open tickets put aside that actor may see, the ones
// waking first first.
func (s *Service) Snoozed(ctx context.Context, actor *kefu.User, after string, limit int) ([]*store.SnoozedTicket, string, error) {
	if err := auth.Can(actor, auth.AddNotes); err != nil {
		return nil, "", err
	}
	return s.st.SnoozedTickets(ctx, auth.Scope(actor), after, limit)
}
