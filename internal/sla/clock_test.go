package sla

import (
	"fmt"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

func minutes(n int) *int { return &n }

// clockRig drives Reconcile the way the service does, on the China calendar.
type clockRig struct {
	t      *testing.T
	ticket *kefu.Ticket
	policy *kefu.SLAPolicy
	clocks map[string]*kefu.SLAClock
	calID  int64
	cal    *Calendar
	res    []kefu.SLAResult
}

func newClockRig(t *testing.T, created string) *clockRig {
	cal := MustCompile(ChinaCalendar("cn"))
	r := &clockRig{t: t, calID: 1, cal: cal, clocks: map[string]*kefu.SLAClock{},
		ticket: &kefu.Ticket{ID: 7, Status: kefu.StatusNew, Priority: kefu.PriorityNormal, Channel: kefu.ChannelEmail, CreatedAt: cn(created)},
		policy: &kefu.SLAPolicy{ID: 3, Name: "standard", Enabled: true, FirstResponseMinutes: minutes(120), NextResponseMinutes: minutes(240),
			ResolutionMinutes: minutes(24 * 60), WarnShare: 0.75, PauseStatuses: []kefu.Status{kefu.StatusPending}}}
	r.apply(kefu.EventTicketCreated, "", created)
	return r
}

func (r *clockRig) calendar(id *int64) (*Calendar, error) {
	if id == nil {
		return nil, nil
	}
	return r.cal, nil
}

func (r *clockRig) apply(event string, kind kefu.MessageKind, at string) {
	r.t.Helper()
	out, err := Reconcile(r.clocks, Situation{Ticket: r.ticket, Event: event, MessageKind: kind, At: cn(at), Policy: r.policy, CalendarID: &r.calID, Calendar: r.calendar})
	if err != nil {
		r.t.Fatal(err)
	}
	r.res = append(r.res, out.Finished...)
}

func (r *clockRig) reply(at string, status kefu.Status) {
	if r.ticket.FirstResponseAt == nil {
		a := cn(at)
		r.ticket.FirstResponseAt = &a
	}
	r.ticket.Status = status
	r.apply(kefu.EventMessageAdded, kefu.MessageReply, at)
}

func (r *clockRig) customer(at string) {
	if r.ticket.Status != kefu.StatusNew {
		r.ticket.Status = kefu.StatusOpen
	}
	r.apply(kefu.EventMessageAdded, kefu.MessageCustomer, at)
}

func (r *clockRig) status(s kefu.Status, at string) {
	r.ticket.Status = s
	if s == kefu.StatusSolved {
		a := cn(at)
		r.ticket.SolvedAt = &a
	}
	r.apply(kefu.EventTicketUpdated, "", at)
}

func (r *clockRig) want(metric, state, due string) {
	r.t.Helper()
	c := r.clocks[metric]
	if c == nil {
		if state != "" {
			r.t.Errorf("%s: no clock, want %s", metric, state)
		}
		return
	}
	got := "-"
	if c.DueAt != nil {
		got = c.DueAt.In(shanghai).Format("2006-01-02 15:04")
	}
	if c.State != state || got != due {
		r.t.Errorf("%s: %s due %s, want %s due %s", metric, c.State, got, state, due)
	}
}

func TestFirstResponseAndResolution(t *testing.T) {
	// Created Friday 17:00: two business hours of first response end on Monday.
	r := newClockRig(t, "2026-03-06 17:00")
	r.want(kefu.MetricFirstResponse, kefu.TargetRunning, "2026-03-09 10:00")
	r.want(kefu.MetricResolution, kefu.TargetRunning, "2026-03-11 14:00") // 24 business hours: Fri 1h, Mon 9h, Tue 9h, Wed 5h
	r.want(kefu.MetricNextResponse, "", "")
	if w := r.clocks[kefu.MetricFirstResponse].WarnAt; w == nil || !w.Equal(cn("2026-03-09 09:30")) {
		t.Errorf("first response warns at %v, want Monday 09:30 (75%% of 2h)", w)
	}
	r.reply("2026-03-09 09:45", kefu.StatusOpen)
	r.want(kefu.MetricFirstResponse, kefu.TargetMet, "-")
	if len(r.res) != 1 || r.res[0].Breached || r.res[0].BusinessSeconds != 105*60 {
		t.Errorf("result = %+v, want met in 105 business minutes, not breached", r.res)
	}
}

func TestPauseAndResume(t *testing.T) {
	r := newClockRig(t, "2026-03-09 09:00")
	r.reply("2026-03-09 10:00", kefu.StatusPending) // 1h used, now waiting on the customer
	r.want(kefu.MetricResolution, kefu.TargetPaused, "-")
	if c := r.clocks[kefu.MetricResolution]; c.Consumed != time.Hour {
		t.Errorf("consumed = %v, want 1h", c.Consumed)
	}
	// The customer answers a week later: 23 business hours remain.
	r.customer("2026-03-16 09:00")
	r.want(kefu.MetricResolution, kefu.TargetRunning, "2026-03-18 14:00")
	r.want(kefu.MetricNextResponse, kefu.TargetRunning, "2026-03-16 13:00")
	r.status(kefu.StatusSolved, "2026-03-17 09:00")
	r.want(kefu.MetricResolution, kefu.TargetMet, "-")
	r.want(kefu.MetricNextResponse, kefu.TargetCancelled, "-")
	last := r.res[len(r.res)-1]
	if next := r.res[len(r.res)-2]; next.Metric != kefu.MetricNextResponse || next.Outcome != kefu.TargetCancelled || !next.Breached {
		t.Errorf("next response result = %+v, want cancelled after its due time, so breached", next)
	}
	if last.Metric != kefu.MetricResolution || last.BusinessSeconds != 10*3600 || last.Breached {
		t.Errorf("resolution result = %+v, want 10 business hours, met", last)
	}
	// Reopened: the clock resumes with what it had used.
	r.status(kefu.StatusOpen, "2026-03-18 09:00")
	r.want(kefu.MetricResolution, kefu.TargetRunning, "2026-03-19 14:00")
}

func TestNextResponseCycles(t *testing.T) {
	r := newClockRig(t, "2026-03-09 09:00")
	r.customer("2026-03-09 09:10") // still waiting for the first response: no next-response clock
	r.want(kefu.MetricNextResponse, "", "")
	r.reply("2026-03-09 09:30", kefu.StatusOpen)
	r.customer("2026-03-09 17:00")
	r.want(kefu.MetricNextResponse, kefu.TargetRunning, "2026-03-10 12:00")
	r.reply("2026-03-10 13:00", kefu.StatusOpen) // an hour late
	r.want(kefu.MetricNextResponse, kefu.TargetMet, "-")
	if c := r.clocks[kefu.MetricNextResponse]; c.BreachedAt == nil || !c.BreachedAt.Equal(cn("2026-03-10 12:00")) {
		t.Errorf("late reply: breached_at = %v, want the due time", c.BreachedAt)
	}
	r.customer("2026-03-11 10:00") // a new cycle starts clean
	if c := r.clocks[kefu.MetricNextResponse]; c.BreachedAt != nil || c.State != kefu.TargetRunning {
		t.Errorf("new cycle = %+v, want running, not breached", c)
	}
}

func TestWarningAndBreach(t *testing.T) {
	r := newClockRig(t, "2026-03-09 09:00")
	clocks := []*kefu.SLAClock{r.clocks[kefu.MetricFirstResponse], r.clocks[kefu.MetricResolution]}
	if next := NextAlarm(clocks); !next.Equal(cn("2026-03-09 10:30")) {
		t.Fatalf("next alarm %s, want the first-response warning at 10:30", next)
	}
	steps := []struct {
		now      string
		want     string
		nextWant string
	}{
		{"2026-03-09 10:00", "", "2026-03-09 10:30"},
		{"2026-03-09 10:30", "warn first_response", "2026-03-09 11:00"},
		{"2026-03-09 11:00", "breach first_response", "2026-03-10 18:00"}, // resolution warns at 75% of 24h = 18h
		{"2026-03-10 18:00", "warn resolution", "2026-03-11 15:00"},
		{"2026-03-11 15:00", "breach resolution", ""},
		{"2026-03-12 15:00", "", ""},
	}
	for _, s := range steps {
		alarms, next := Alarms(clocks, cn(s.now))
		got := ""
		for _, a := range alarms {
			kind := "warn"
			if a.Breach {
				kind = "breach"
			}
			got += fmt.Sprintf("%s %s", kind, a.Clock.Metric)
		}
		nextGot := ""
		if !next.IsZero() {
			nextGot = next.In(shanghai).Format("2006-01-02 15:04")
		}
		if got != s.want || nextGot != s.nextWant {
			t.Errorf("at %s: alarms %q next %q, want %q next %q", s.now, got, nextGot, s.want, s.nextWant)
		}
	}
	v := View(clocks, r.policy, cn("2026-03-12 15:00"), r.calendar)
	if fmt.Sprint(v.Breached) != "[first_response resolution]" || v.ResolutionDueAt == nil || v.FirstResponseDueAt == nil {
		t.Errorf("view = %+v", v)
	}
	if rem := v.Targets[1].RemainingSeconds; rem != -9*3600 {
		t.Errorf("resolution remaining = %d s, want -9 business hours", rem)
	}
}

func TestPolicyChangeKeepsUsedTime(t *testing.T) {
	r := newClockRig(t, "2026-03-09 09:00")
	r.ticket.Priority = kefu.PriorityUrgent
	r.policy = &kefu.SLAPolicy{ID: 4, Name: "urgent", Enabled: true, FirstResponseMinutes: minutes(30), ResolutionMinutes: minutes(4 * 60),
		PauseStatuses: []kefu.Status{kefu.StatusPending}}
	r.apply(kefu.EventTicketUpdated, "", "2026-03-09 09:20")
	r.want(kefu.MetricFirstResponse, kefu.TargetRunning, "2026-03-09 09:30")
	r.want(kefu.MetricResolution, kefu.TargetRunning, "2026-03-09 13:00")
	if c := r.clocks[kefu.MetricFirstResponse]; c.WarnAt != nil || *c.PolicyID != 4 {
		t.Errorf("clock %+v: want policy 4 without warning", c)
	}
	// A policy without a resolution target cancels that clock; no policy cancels all.
	r.policy = nil
	r.apply(kefu.EventTicketUpdated, "", "2026-03-09 09:25")
	r.want(kefu.MetricFirstResponse, kefu.TargetCancelled, "-")
	r.want(kefu.MetricResolution, kefu.TargetCancelled, "-")
}

func TestMergedCancelsEverything(t *testing.T) {
	r := newClockRig(t, "2026-03-09 09:00")
	into := int64(99)
	r.ticket.MergedInto, r.ticket.Status = &into, kefu.StatusClosed
	r.apply(kefu.EventTicketMerged, "", "2026-03-09 10:00")
	r.want(kefu.MetricFirstResponse, kefu.TargetCancelled, "-")
	r.want(kefu.MetricResolution, kefu.TargetCancelled, "-")
}

func TestMatch(t *testing.T) {
	vip := kefu.VIPTier(2)
	team := int64(5)
	group, problem := int64(10), int64(11)
	policies := []*kefu.SLAPolicy{
		{ID: 1, Name: "disabled", Enabled: false},
		{ID: 2, Name: "vip", Enabled: true, Conditions: kefu.SLAConditions{MinVIPTier: &vip}},
		{ID: 3, Name: "urgent chat", Enabled: true, Conditions: kefu.SLAConditions{Channels: []kefu.Channel{kefu.ChannelChat}, Priorities: []kefu.Priority{kefu.PriorityUrgent}}},
		{ID: 4, Name: "logistics team", Enabled: true, Conditions: kefu.SLAConditions{CategoryIDs: []int64{group}, TeamIDs: []int64{team}}},
		{ID: 5, Name: "complaints", Enabled: true, Conditions: kefu.SLAConditions{Types: []kefu.TicketType{kefu.TypeComplaint}}},
	}
	tests := []struct {
		name   string
		ticket kefu.Ticket
		facts  Facts
		want   string
	}{
		{"vip first", kefu.Ticket{Channel: kefu.ChannelChat, Priority: kefu.PriorityUrgent}, Facts{VIPTier: 3}, "vip"},
		{"channel and priority", kefu.Ticket{Channel: kefu.ChannelChat, Priority: kefu.PriorityUrgent}, Facts{VIPTier: 1}, "urgent chat"},
		{"one condition short", kefu.Ticket{Channel: kefu.ChannelEmail, Priority: kefu.PriorityUrgent}, Facts{}, ""},
		{"category group covers its problems", kefu.Ticket{CategoryID: &problem, TeamID: &team}, Facts{CategoryParent: &group}, "logistics team"},
		{"team required", kefu.Ticket{CategoryID: &problem}, Facts{CategoryParent: &group}, ""},
		{"type", kefu.Ticket{Type: kefu.TypeComplaint}, Facts{}, "complaints"},
	}
	for _, tt := range tests {
		got := ""
		if p := Match(policies, &tt.ticket, tt.facts); p != nil {
			got = p.Name
		}
		if got != tt.want {
			t.Errorf("%s: matched %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestFirstResponseOwedAgainAfterSolvingWithoutReply(t *testing.T) {
	r := newClockRig(t, "2026-03-09 09:00")
	r.status(kefu.StatusSolved, "2026-03-09 09:30")
	r.want(kefu.MetricFirstResponse, kefu.TargetCancelled, "-")
	r.customer("2026-03-09 10:00")
	r.want(kefu.MetricFirstResponse, kefu.TargetRunning, "2026-03-09 12:00")
	r.want(kefu.MetricNextResponse, "", "")
}

func TestCalendarWithoutTimeLeftMakesNothingDue(t *testing.T) {
	cal := MustCompile(&kefu.Calendar{Days: []kefu.CalendarDay{{Date: "2026-01-04", Kind: kefu.DayWorkday}}})
	since := cn("2026-03-09 09:00")
	c := &kefu.SLAClock{Metric: kefu.MetricResolution, State: kefu.TargetRunning, TargetMinutes: 60, RunningSince: &since, WarnShare: 0.5}
	if err := Schedule(c, func(*int64) (*Calendar, error) { return cal, nil }); err != nil || c.DueAt != nil || c.WarnAt != nil {
		t.Errorf("Schedule = %v, due %v warn %v; want no error and nothing due", err, c.DueAt, c.WarnAt)
	}
}

// TestPolicyAppliedLateCountsOnItsCalendar: a policy that applies to a
// ticket opened before it existed counts the time since the ticket opened
// in business hours, not round the clock.
func TestPolicyAppliedLateCountsOnItsCalendar(t *testing.T) {
	cal := MustCompile(ChinaCalendar("cn"))
	calID := int64(1)
	tk := &kefu.Ticket{ID: 9, Status: kefu.StatusOpen, CreatedAt: cn("2026-03-06 17:00")}
	p := &kefu.SLAPolicy{ID: 1, Enabled: true, ResolutionMinutes: minutes(24 * 60), PauseStatuses: []kefu.Status{kefu.StatusPending}}
	clocks := map[string]*kefu.SLAClock{}
	_, err := Reconcile(clocks, Situation{Ticket: tk, At: cn("2026-03-09 10:00"), Policy: p, CalendarID: &calID,
		Calendar: func(*int64) (*Calendar, error) { return cal, nil }})
	if err != nil {
		t.Fatal(err)
	}
	// Counted from Friday 17:00: Fri 1 h, Mon 9, Tue 9, Wed 5: due Wednesday 14:00.
	if c := clocks[kefu.MetricResolution]; c.DueAt == nil || !c.DueAt.Equal(cn("2026-03-11 14:00")) {
		t.Errorf("due %v, want Wednesday 14:00", c.DueAt)
	}
}
