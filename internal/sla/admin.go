package sla

import (
	"context"
	"errors"
	"io"
	"slices"
	"sort"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// Changes to calendars move due times of tickets already running; the
// admin use cases below queue their recompute as a background job in the
// change's own transaction (see recompute.go) and return its progress, which
// the admin can follow: at a million open tickets it takes most of a minute
// (bench/sla).

// Calendars lists the calendars; every signed-in user may read them.
func (s *Service) Calendars(ctx context.Context, actor *kefu.User) ([]*kefu.Calendar, error) {
	if err := auth.Can(actor, auth.AddNotes); err != nil {
		return nil, err
	}
	return s.st.Calendars(ctx)
}

// Calendar returns one calendar.
func (s *Service) Calendar(ctx context.Context, actor *kefu.User, id int64) (*kefu.Calendar, error) {
	if err := auth.Can(actor, auth.AddNotes); err != nil {
		return nil, err
	}
	return s.st.Calendar(ctx, id)
}

func cleanCalendar(c *kefu.Calendar) error {
	name, err := kefu.CleanText("name", c.Name, 1, 200)
	if err != nil {
		return err
	}
	c.Name = name
	if c.TimeZone == "" {
		c.TimeZone = DefaultTimeZone
	}
	if c.Hours == nil {
		c.Hours = kefu.WeeklyHours{}
	}
	sort.Slice(c.Days, func(i, j int) bool { return c.Days[i].Date < c.Days[j].Date })
	for i := 1; i < len(c.Days); i++ {
		if c.Days[i].Date == c.Days[i-1].Date {
			return kefu.Invalid("days", "%s is listed twice", c.Days[i].Date)
		}
	}
	_, err = Compile(c)
	return err
}

// CreateCalendar adds a calendar (admin).
func (s *Service) CreateCalendar(ctx context.Context, actor *kefu.User, c *kefu.Calendar) error {
	if err := auth.Can(actor, auth.ManageSLA); err != nil {
		return err
	}
	if err := cleanCalendar(c); err != nil {
		return err
	}
	if err := s.st.CreateCalendar(ctx, c); err != nil {
		return err
	}
	s.Invalidate()
	return nil
}

// UpdateCalendar replaces a calendar's fields (admin) and queues the
// recompute of the due times counted on it; the answer is its progress.
func (s *Service) UpdateCalendar(ctx context.Context, actor *kefu.User, c *kefu.Calendar) (*store.SLARecompute, error) {
	if err := auth.Can(actor, auth.ManageSLA); err != nil {
		return nil, err
	}
	if err := cleanCalendar(c); err != nil {
		return nil, err
	}
	var j *store.SLARecompute
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		if err := s.st.UpdateCalendar(ctx, c); err != nil {
			return err
		}
		var err error
		j, err = s.QueueRecompute(ctx, c.ID)
		return err
	})
	return j, err
}

// ImportICal adds the all-day events of an iCalendar file to a calendar as
// holidays and make-up working days (an imported date replaces the same
// date) and queues the recompute of due times. kind forces one kind ("" detects it).
func (s *Service) ImportICal(ctx context.Context, actor *kefu.User, id int64, r io.Reader, kind kefu.DayKind) (*kefu.Calendar, *store.SLARecompute, error) {
	if err := auth.Can(actor, auth.ManageSLA); err != nil {
		return nil, nil, err
	}
	if kind != "" && !kind.Valid() {
		return nil, nil, kefu.Invalid("kind", "must be holiday or workday; got %q", kind)
	}
	days, err := ParseICal(r, kind)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.st.Calendar(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	byDate := map[string]kefu.CalendarDay{}
	for _, d := range c.Days {
		byDate[d.Date] = d
	}
	for _, d := range days {
		byDate[d.Date] = d
	}
	c.Days = c.Days[:0]
	for _, d := range byDate {
		c.Days = append(c.Days, d)
	}
	job, err := s.UpdateCalendar(ctx, actor, c)
	return c, job, err
}

// DeleteCalendar removes a calendar (admin); what counted on it counts on
// the default calendar.
func (s *Service) DeleteCalendar(ctx context.Context, actor *kefu.User, id int64) error {
	if err := auth.Can(actor, auth.ManageSLA); err != nil {
		return err
	}
	return s.st.WithTx(ctx, func(ctx context.Context) error {
		if err := s.st.DeleteCalendar(ctx, id); err != nil {
			return err
		}
		_, err := s.QueueRecompute(ctx, 0)
		return err
	})
}

// Policies lists the SLA policies in the order they are tried.
func (s *Service) Policies(ctx context.Context, actor *kefu.User) ([]*kefu.SLAPolicy, error) {
	if err := auth.Can(actor, auth.AddNotes); err != nil {
		return nil, err
	}
	return s.st.SLAPolicies(ctx)
}

// Policy returns one SLA policy.
func (s *Service) Policy(ctx context.Context, actor *kefu.User, id int64) (*kefu.SLAPolicy, error) {
	if err := auth.Can(actor, auth.AddNotes); err != nil {
		return nil, err
	}
	return s.st.SLAPolicy(ctx, id)
}

// SavePolicy creates (ID 0) or replaces an SLA policy (admin) and applies
// the policies anew to every active ticket.
func (s *Service) SavePolicy(ctx context.Context, actor *kefu.User, p *kefu.SLAPolicy) error {
	if err := auth.Can(actor, auth.ManageSLA); err != nil {
		return err
	}
	if err := CheckPolicy(p); err != nil {
		return err
	}
	if p.CalendarID != nil {
		if _, err := s.st.Calendar(ctx, *p.CalendarID); errors.Is(err, kefu.ErrNotFound) {
			return &kefu.NotFoundError{What: "calendar", Field: "calendar_id"}
		} else if err != nil {
			return err
		}
	}
	var err error
	if p.ID == 0 {
		err = s.st.CreateSLAPolicy(ctx, p)
	} else {
		err = s.st.UpdateSLAPolicy(ctx, p)
	}
	if err != nil {
		return err
	}
	_, err = s.QueueReapply(ctx)
	return err
}

// DeletePolicy removes an SLA policy (admin) and applies the others anew.
func (s *Service) DeletePolicy(ctx context.Context, actor *kefu.User, id int64) error {
	if err := auth.Can(actor, auth.ManageSLA); err != nil {
		return err
	}
	if err := s.st.DeleteSLAPolicy(ctx, id); err != nil {
		return err
	}
	_, err := s.QueueReapply(ctx)
	return err
}

// TeamSettings returns a team's calendar and routing settings.
func (s *Service) TeamSettings(ctx context.Context, actor *kefu.User, teamID int64) (*store.TeamSettings, error) {
	if err := auth.Can(actor, auth.AddNotes); err != nil {
		return nil, err
	}
	if _, err := s.st.Team(ctx, teamID); err != nil {
		return nil, err
	}
	return s.st.TeamSettings(ctx, teamID)
}

// SaveTeamSettings stores a team's calendar and routing (admin) and
// recomputes due times when the calendar changed.
func (s *Service) SaveTeamSettings(ctx context.Context, actor *kefu.User, ts *store.TeamSettings) error {
	if err := auth.Can(actor, auth.ManageSLA); err != nil {
		return err
	}
	switch ts.Strategy {
	case "":
		ts.Strategy = "manual"
	case "manual", "round_robin", "least_loaded":
	default:
		return kefu.Invalid("strategy", "must be manual, round_robin or least_loaded; got %q", ts.Strategy)
	}
	if ts.GraceMinutes < 0 || ts.GraceMinutes > 24*60 {
		return kefu.Invalid("grace_minutes", "must be between 0 and 1440")
	}
	if _, err := s.st.Team(ctx, ts.TeamID); err != nil {
		return err
	}
	old, err := s.st.TeamSettings(ctx, ts.TeamID)
	if err != nil {
		return err
	}
	ts.LastUserID = old.LastUserID
	if err := s.st.SaveTeamSettings(ctx, ts); err != nil {
		return err
	}
	if !sameID(old.CalendarID, ts.CalendarID) {
		_, err = s.QueueReapply(ctx)
	}
	return err
}

// AtRisk lists the deadlines that will pass soonest (or have passed) on
// tickets the actor may see: SLA targets and open promises.
func (s *Service) AtRisk(ctx context.Context, actor *kefu.User, f store.AtRiskFilter) ([]*store.AtRisk, error) {
	if err := auth.Can(actor, auth.AddNotes); err != nil {
		return nil, err
	}
	f.Scope = auth.Scope(actor)
	if f.Before.IsZero() {
		f.Before = s.now().Add(defaultAtRiskWindow)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	return s.st.AtRiskList(ctx, f)
}

// Results lists a ticket's finished SLA cycles, for reports.
func (s *Service) Results(ctx context.Context, actor *kefu.User, ticketID int64) ([]kefu.SLAResult, error) {
	if _, err := s.Promises(ctx, actor, ticketID); err != nil {
		return nil, err
	}
	return s.st.SLAResults(ctx, ticketID)
}

// MovePolicy moves an SLA policy one place earlier (delta < 0) or later in
// the order policies are tried (admin), renumbering them all so equal
// positions cannot make the order ambiguous, and applies them anew. Moving
// the first one up or the last one down changes nothing.
func (s *Service) MovePolicy(ctx context.Context, actor *kefu.User, id int64, delta int) error {
	if err := auth.Can(actor, auth.ManageSLA); err != nil {
		return err
	}
	moved := false
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		ps, err := s.st.SLAPolicies(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(ps, func(p *kefu.SLAPolicy) bool { return p.ID == id })
		if i < 0 {
			return kefu.NotFound("SLA policy")
		}
		j := i + 1
		if delta < 0 {
			j = i - 1
		}
		if delta == 0 || j < 0 || j >= len(ps) {
			return nil
		}
		ps[i], ps[j] = ps[j], ps[i]
		for pos, p := range ps {
			if p.Position == pos {
				continue
			}
			p.Position = pos
			if err := s.st.UpdateSLAPolicy(ctx, p); err != nil {
				return err
			}
		}
		moved = true
		return nil
	})
	if err != nil || !moved {
		return err
	}
	// Outside the renumbering's transaction: each ticket is re-evaluated in
	// its own, as SavePolicy does, rather than all in one long one.
	_, err = s.QueueReapply(ctx)
	return err
}
