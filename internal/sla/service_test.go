package sla_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/jobs"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/sla"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
	"github.com/kefu-dev/kefu/internal/ticket"
	"github.com/kefu-dev/kefu/internal/user"
)

// rig is a store with the SLA service wired as kefu serve wires it, a
// controllable clock, and a supervisor and an agent in the default team.
type rig struct {
	t       *testing.T
	ctx     context.Context
	st      *store.Store
	svc     *sla.Service
	timers  *jobs.Timers
	tickets *ticket.Service
	mu      sync.Mutex
	now     time.Time
	lead    *kefu.User
	agent   *kefu.User
	team    int64
}

func newRig(t *testing.T, st *store.Store) *rig {
	t.Helper()
	ctx := context.Background()
	r := &rig{t: t, ctx: ctx, st: st, now: time.Now().UTC().Truncate(time.Microsecond)}
	r.svc = sla.New(st)
	r.svc.SetClock(r.clock)
	r.timers = jobs.NewTimers(st, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Hour)
	r.timers.Now = r.clock
	r.svc.Register(r.timers)
	customers := customer.New(st)
	r.tickets = ticket.New(st, customers)
	team, err := st.TeamByName(ctx, kefu.DefaultTeam)
	if err != nil {
		t.Fatal(err)
	}
	r.team = team.ID
	users := user.New(st)
	for _, u := range []struct {
		name string
		role kefu.Role
		dst  **kefu.User
	}{{"lead", kefu.RoleSupervisor, &r.lead}, {"agent", kefu.RoleAgent, &r.agent}} {
		created, _, err := users.Create(ctx, nil, user.Input{Email: u.name + "@test.test", Name: u.name, Role: u.role, Password: "secret", TeamIDs: []int64{team.ID}})
		if err != nil {
			t.Fatal(err)
		}
		*u.dst = created
	}
	return r
}

func (r *rig) clock() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.now
}

// advance moves the clock and fires what is due.
func (r *rig) advance(d time.Duration) {
	r.t.Helper()
	r.mu.Lock()
	r.now = r.now.Add(d)
	r.mu.Unlock()
	if _, err := r.timers.RunDue(r.ctx); err != nil {
		r.t.Fatal(err)
	}
}

// newAdmin creates an admin, who may change calendars and policies.
func (r *rig) newAdmin() *kefu.User {
	r.t.Helper()
	admin, _, err := user.New(r.st).Create(r.ctx, nil, user.Input{Email: "admin@test.test", Name: "admin", Role: kefu.RoleAdmin, Password: "secret"})
	if err != nil {
		r.t.Fatal(err)
	}
	return admin
}

// secondNode is another node on the rig's database and clock, as after a
// restart: its own service, taking batch clocks or tickets a step, and
// its own timer runner.
func (r *rig) secondNode(batch int) (*sla.Service, *jobs.Timers) {
	svc := sla.New(r.st)
	svc.SetClock(r.clock)
	svc.BatchSize = batch
	timers := jobs.NewTimers(r.st, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Hour)
	timers.Now = r.clock
	svc.Register(timers)
	return svc, timers
}

func (r *rig) policy(p *kefu.SLAPolicy) *kefu.SLAPolicy {
	r.t.Helper()
	p.Enabled = true
	if err := sla.CheckPolicy(p); err != nil {
		r.t.Fatal(err)
	}
	if err := r.st.CreateSLAPolicy(r.ctx, p); err != nil {
		r.t.Fatal(err)
	}
	r.svc.Invalidate()
	return p
}

func (r *rig) open(subject string, vip kefu.VIPTier) *kefu.Ticket {
	r.t.Helper()
	tk, _, err := r.tickets.Create(r.ctx, nil, ticket.NewTicket{Subject: subject, Channel: kefu.ChannelEmail,
		Customer: customer.Ref{Email: fmt.Sprintf("%s-%d@buyer.test", subject, vip), Name: "买家"}, Message: ticket.NewMessage{Body: "请问什么时候发货？"}})
	if err != nil {
		r.t.Fatal(err)
	}
	if vip > 0 {
		c, err := r.st.Customer(r.ctx, tk.CustomerID)
		if err != nil {
			r.t.Fatal(err)
		}
		// Through the customer use case, whose event re-applies the policies.
		in := customer.Input{Name: c.Name, Language: c.Language, Identities: c.Identities, Tags: c.Tags, VIPTier: int(vip)}
		if _, err := customer.New(r.st).Update(r.ctx, r.lead, c.ID, in); err != nil {
			r.t.Fatal(err)
		}
	}
	return tk
}

func (r *rig) view(id int64) *kefu.Ticket {
	r.t.Helper()
	tk, err := r.st.Ticket(r.ctx, id)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.svc.Attach(r.ctx, tk); err != nil {
		r.t.Fatal(err)
	}
	return tk
}

func (r *rig) events(id int64) []string {
	r.t.Helper()
	es, err := r.st.TicketEvents(r.ctx, id, 0, 1000)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Type)
	}
	return out
}

func (r *rig) notes(u *kefu.User) []string {
	r.t.Helper()
	ns, err := r.st.Notifications(r.ctx, u.ID, 0, false, 100)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, n := range ns {
		out = append(out, n.Kind)
	}
	slices.Reverse(out)
	return out
}

func mins(n int) *int { return &n }

func count(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	return n
}

// TestSLALifecycle follows one ticket round the clock: due times on
// creation, a warning, a breach with escalation, the first response, a
// pause while waiting on the customer, the next response, and resolution.
func TestSLALifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st)
		r.policy(&kefu.SLAPolicy{Name: "standard", FirstResponseMinutes: mins(60), NextResponseMinutes: mins(120), ResolutionMinutes: mins(480),
			WarnShare: 0.75, Escalation: kefu.SLAEscalation{NotifyLead: true, RaisePriority: true}})
		tk := r.open("where", 0)
		created := tk.CreatedAt
		v := r.view(tk.ID).SLA
		if v.FirstResponseDueAt == nil || !v.FirstResponseDueAt.Equal(created.Add(time.Hour)) {
			t.Fatalf("first response due %v, want created+1h", v.FirstResponseDueAt)
		}
		if v.ResolutionDueAt == nil || !v.ResolutionDueAt.Equal(created.Add(8*time.Hour)) || v.NextResponseDueAt != nil || v.PolicyName != "standard" {
			t.Fatalf("sla = %+v", v)
		}
		if due, ok, _ := st.TimerDue(r.ctx, sla.TimerSLA, tk.ID); !ok || !due.Equal(created.Add(45*time.Minute)) {
			t.Fatalf("timer at %v, want the warning at created+45m", due)
		}

		r.now = created
		r.advance(44 * time.Minute)
		if n := count(r.events(tk.ID), kefu.EventSLAWarning); n != 0 {
			t.Fatalf("warning before its time")
		}
		r.advance(2 * time.Minute) // +46m
		if evs := r.events(tk.ID); count(evs, kefu.EventSLAWarning) != 1 || count(evs, kefu.EventSLABreached) != 0 {
			t.Fatalf("events %v, want one warning", evs)
		}
		if got := r.notes(r.lead); !slices.Equal(got, []string{kefu.EventSLAWarning}) {
			t.Errorf("lead notified %v, want the warning (the ticket is unassigned)", got)
		}
		r.advance(15 * time.Minute) // +61m: breached
		evs := r.events(tk.ID)
		if count(evs, kefu.EventSLABreached) != 1 || count(evs, kefu.EventSLAEscalated) != 1 {
			t.Fatalf("events %v, want one breach and one escalation", evs)
		}
		got := r.view(tk.ID)
		if got.Priority != kefu.PriorityHigh {
			t.Errorf("priority %s, want raised to high", got.Priority)
		}
		if !slices.Equal(got.SLA.Breached, []string{kefu.MetricFirstResponse}) {
			t.Errorf("breached %v", got.SLA.Breached)
		}
		if got := r.notes(r.lead); !slices.Equal(got, []string{kefu.EventSLAWarning, kefu.EventSLABreached, kefu.EventSLAEscalated}) {
			t.Errorf("lead notified %v", got)
		}
		r.advance(time.Hour) // nothing fires twice
		if evs := r.events(tk.ID); count(evs, kefu.EventSLABreached) != 1 || count(evs, kefu.EventSLAWarning) != 1 {
			t.Errorf("events after another hour %v: an alarm fired twice", evs)
		}

		// The agent answers and asks the customer for photos: resolution pauses.
		if _, _, err := r.tickets.AddMessage(r.ctx, r.agent, tk.ID, ticket.NewMessage{Kind: kefu.MessageReply, Body: "请提供照片", Status: kefu.StatusPending}); err != nil {
			t.Fatal(err)
		}
		v = r.view(tk.ID).SLA
		if v.FirstResponseDueAt != nil || v.ResolutionDueAt != nil || !v.Paused {
			t.Errorf("after reply + pending: %+v, want no running targets and paused", v)
		}
		res, err := st.SLAResults(r.ctx, tk.ID)
		if err != nil || len(res) != 1 || res[0].Metric != kefu.MetricFirstResponse || !res[0].Breached || res[0].Outcome != kefu.TargetMet {
			t.Fatalf("results %+v %v, want first response met late", res, err)
		}
		if _, ok, _ := st.TimerDue(r.ctx, sla.TimerSLA, tk.ID); ok {
			t.Errorf("a paused ticket still has an SLA timer")
		}
		// The customer answers: next response starts and resolution resumes.
		if _, _, err := r.tickets.AddMessage(r.ctx, nil, tk.ID, ticket.NewMessage{Kind: kefu.MessageCustomer, Body: "照片如下"}); err != nil {
			t.Fatal(err)
		}
		v = r.view(tk.ID).SLA
		if v.NextResponseDueAt == nil || v.ResolutionDueAt == nil || v.Paused {
			t.Fatalf("after the customer wrote: %+v", v)
		}
		// Solved: resolution met, the next-response clock cancelled.
		if _, err := r.tickets.Update(r.ctx, r.agent, tk.ID, ticket.Patch{Status: ticket.Field[kefu.Status]{Set: true, Value: kefu.StatusSolved}}); err != nil {
			t.Fatal(err)
		}
		v = r.view(tk.ID).SLA
		if v.NextResponseDueAt != nil || v.ResolutionDueAt != nil {
			t.Errorf("solved ticket still due: %+v", v)
		}
		res, _ = st.SLAResults(r.ctx, tk.ID)
		var outcomes []string
		for _, x := range res {
			outcomes = append(outcomes, x.Metric+":"+x.Outcome)
		}
		if !slices.Equal(outcomes, []string{"first_response:met", "next_response:cancelled", "resolution:met"}) {
			t.Errorf("results %v", outcomes)
		}
	})
}

func TestSLAPolicyChoiceAndAtRisk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st)
		vip := kefu.VIPTier(2)
		r.policy(&kefu.SLAPolicy{Name: "vip", Position: 0, FirstResponseMinutes: mins(15), Conditions: kefu.SLAConditions{MinVIPTier: &vip},
			Escalation: kefu.SLAEscalation{ReassignUserID: &r.agent.ID}})
		r.policy(&kefu.SLAPolicy{Name: "everyone", Position: 1, FirstResponseMinutes: mins(240)})
		plain := r.open("plain", 0)
		gold := r.open("gold", 3)
		if got := r.view(gold.ID).SLA; got.PolicyName != "vip" || !got.FirstResponseDueAt.Equal(gold.CreatedAt.Add(15*time.Minute)) {
			t.Errorf("VIP ticket: %+v", got)
		}
		if got := r.view(plain.ID).SLA; got.PolicyName != "everyone" {
			t.Errorf("plain ticket policy %q", got.PolicyName)
		}
		r.now = gold.CreatedAt
		r.advance(16 * time.Minute)
		if got := r.view(gold.ID); got.AssigneeID == nil || *got.AssigneeID != r.agent.ID {
			t.Errorf("breached VIP ticket assigned to %v, want reassigned to the agent", got.AssigneeID)
		}
		// At risk: the breached VIP ticket first, then the plain one due within the day.
		list, err := st.AtRiskList(r.ctx, store.AtRiskFilter{Before: r.clock().Add(24 * time.Hour), Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].TicketID != gold.ID || !list[0].Breached || list[1].TicketID != plain.ID || list[1].Breached {
			t.Errorf("at risk = %+v", list)
		}
		// Agents only see their own tickets in it.
		scoped, _ := st.AtRiskList(r.ctx, store.AtRiskFilter{Scope: &store.Scope{UserID: r.lead.ID}, Before: r.clock().Add(24 * time.Hour), Limit: 10})
		if len(scoped) != 0 {
			t.Errorf("a user without tickets sees %d at-risk entries", len(scoped))
		}
	})
}

func TestPromiseReminderOverdueAndKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st)
		tk := r.open("parcel", 0)
		r.now = time.Now().UTC().Truncate(time.Microsecond)
		start := r.now
		p, err := r.svc.Promise(r.ctx, r.agent, tk.ID, sla.PromiseInput{In: "2h", Note: "联系快递核实包裹位置"})
		if err != nil {
			t.Fatal(err)
		}
		if !p.DueAt.Equal(start.Add(2*time.Hour)) || !p.RemindAt.Equal(start.Add(90*time.Minute)) || *p.OwnerUserID != r.agent.ID {
			t.Fatalf("promise %+v: want due in 2h, reminder 30 min before, owned by the agent", p)
		}
		for _, bad := range []sla.PromiseInput{{}, {In: "3h"}, {In: "2h", DueAt: &start}, {Kind: "handoff", In: "2h"}} {
			if _, err := r.svc.Promise(r.ctx, r.agent, tk.ID, bad); !errors.Is(err, kefu.ErrInvalid) {
				t.Errorf("promise %+v: err %v, want invalid", bad, err)
			}
		}
		r.advance(91 * time.Minute)
		if got := r.notes(r.agent); !slices.Equal(got, []string{"promise.reminder"}) {
			t.Errorf("agent notified %v, want a reminder", got)
		}
		zh, en := sla.ProgressReply(p, "王女士")
		if zh == "" || en == "" || !containsAll(zh, "仍在", "联系快递") || !containsAll(en, "still on it") {
			t.Errorf("progress reply %q / %q", zh, en)
		}
		r.advance(30 * time.Minute)
		got, _ := st.Promise(r.ctx, p.ID)
		if got.OverdueAt == nil || got.State != kefu.PromiseOpen {
			t.Fatalf("promise after its due time: %+v", got)
		}
		list, _ := st.AtRiskList(r.ctx, store.AtRiskFilter{Before: r.clock(), Limit: 10})
		found := false
		for _, a := range list {
			if a.Kind == "promise" && a.PromiseID != nil && *a.PromiseID == p.ID && a.Breached {
				found = true
			}
		}
		if !found {
			t.Errorf("overdue promise not at risk: %+v", list)
		}
		// The reply keeps it (late); nothing else fires afterwards.
		if _, _, err := r.tickets.AddMessage(r.ctx, r.agent, tk.ID, ticket.NewMessage{Kind: kefu.MessageReply, Body: "已联系快递，明天送达"}); err != nil {
			t.Fatal(err)
		}
		got, _ = st.Promise(r.ctx, p.ID)
		if got.State != kefu.PromiseKept {
			t.Errorf("promise state %s after the reply, want kept", got.State)
		}
		evs := r.events(tk.ID)
		for _, typ := range []string{kefu.EventPromiseCreated, kefu.EventPromiseDueSoon, kefu.EventPromiseOverdue, kefu.EventPromiseKept} {
			if count(evs, typ) != 1 {
				t.Errorf("events %v: want one %s", evs, typ)
			}
		}
	})
}

func TestHandoffPromiseOnBusinessCalendar(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st)
		cal := sla.ChinaCalendar("工作日")
		cal.IsDefault = true
		if err := st.CreateCalendar(r.ctx, cal); err != nil {
			t.Fatal(err)
		}
		r.svc.Invalidate()
		users := user.New(st)
		wh, err := users.CreateTeam(r.ctx, nil, user.TeamInput{Name: "仓库", Kind: kefu.TeamDepartment})
		if err != nil {
			t.Fatal(err)
		}
		keeper, _, err := users.Create(r.ctx, nil, user.Input{Email: "wh@test.test", Name: "仓管", Role: kefu.RoleCollaborator, Password: "secret", TeamIDs: []int64{wh.ID}})
		if err != nil {
			t.Fatal(err)
		}
		tk := r.open("stock", 0)
		// Friday 17:00 in Shanghai, 4 business hours: due Monday 12:00.
		sh, _ := time.LoadLocation("Asia/Shanghai")
		r.now = time.Date(2026, 3, 6, 17, 0, 0, 0, sh).UTC()
		p, err := r.svc.Promise(r.ctx, r.agent, tk.ID, sla.PromiseInput{Kind: kefu.PromiseHandoff, TeamID: &wh.ID, BusinessMinutes: 240, Note: "查库存"})
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 3, 9, 12, 0, 0, 0, sh); !p.DueAt.Equal(want) || p.OwnerUserID != nil {
			t.Errorf("hand-off due %s owner %v, want %s and the department's queue", p.DueAt.In(sh), p.OwnerUserID, want)
		}
		if _, err := r.tickets.Transfer(r.ctx, r.agent, tk.ID, nil, &wh.ID, "请查库存"); err != nil {
			t.Fatal(err)
		}
		// The department answers with a note: the promise is kept.
		if _, _, err := r.tickets.AddMessage(r.ctx, keeper, tk.ID, ticket.NewMessage{Kind: kefu.MessageNote, Body: "有货，明天发"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.Promise(r.ctx, p.ID); got.State != kefu.PromiseKept {
			t.Errorf("hand-off promise %s after the department's note, want kept", got.State)
		}
	})
}

func TestRecomputeAfterCalendarChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st)
		cal := &kefu.Calendar{Name: "office", TimeZone: "Asia/Shanghai", Hours: sla.ChinaOfficeHours(), IsDefault: true}
		if err := st.CreateCalendar(r.ctx, cal); err != nil {
			t.Fatal(err)
		}
		r.policy(&kefu.SLAPolicy{Name: "business", FirstResponseMinutes: mins(9 * 60)})
		tk := r.open("hours", 0)
		before := *r.view(tk.ID).SLA.FirstResponseDueAt
		// Open round the clock every day from now on: due sooner.
		all := []string{"00:00-24:00"}
		cal.Hours = kefu.WeeklyHours{"mon": all, "tue": all, "wed": all, "thu": all, "fri": all, "sat": all, "sun": all}
		if err := st.UpdateCalendar(r.ctx, cal); err != nil {
			t.Fatal(err)
		}
		n, err := r.svc.Recompute(r.ctx, cal.ID)
		if err != nil || n != 1 {
			t.Fatalf("Recompute = %d, %v; want 1 clock", n, err)
		}
		after := r.view(tk.ID).SLA.FirstResponseDueAt
		want := tk.CreatedAt.Add(9 * time.Hour)
		if !after.Equal(want) {
			t.Errorf("due %s after the change (was %s), want %s", after, before, want)
		}
		if due, ok, _ := st.TimerDue(r.ctx, sla.TimerSLA, tk.ID); !ok || !due.Equal(want) {
			t.Errorf("timer at %s, want moved to %s", due, want)
		}
	})
}

func TestSnooze(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st)
		a, b := r.open("a", 0), r.open("b", 0)
		r.now = time.Now().UTC()
		for _, tk := range []*kefu.Ticket{a, b} {
			if _, err := r.svc.Snooze(r.ctx, r.agent, tk.ID, r.now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		// The customer of a writes: a is back at once.
		if _, _, err := r.tickets.AddMessage(r.ctx, nil, a.ID, ticket.NewMessage{Kind: kefu.MessageCustomer, Body: "还在吗？"}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SnoozeOf(r.ctx, a.ID); !errors.Is(err, kefu.ErrNotFound) {
			t.Errorf("a still snoozed after the customer wrote (%v)", err)
		}
		if _, err := st.SnoozeOf(r.ctx, b.ID); err != nil {
			t.Errorf("b not snoozed: %v", err)
		}
		r.advance(61 * time.Minute)
		if _, err := st.SnoozeOf(r.ctx, b.ID); !errors.Is(err, kefu.ErrNotFound) {
			t.Errorf("b still snoozed after its time (%v)", err)
		}
		if count(r.events(b.ID), "ticket.snooze_ended") != 1 {
			t.Errorf("b events %v", r.events(b.ID))
		}
	})
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !contains(s, p) {
			return false
		}
	}
	return true
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestSeedDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st)
		tk := r.open("before-demo", 0)
		for i := 0; i < 2; i++ { // the second run changes nothing
			if err := r.svc.SeedDemo(r.ctx); err != nil {
				t.Fatal(err)
			}
		}
		cs, _ := st.Calendars(r.ctx)
		ps, _ := st.SLAPolicies(r.ctx)
		if len(cs) != 1 || !cs[0].IsDefault || cs[0].TimeZone != "Asia/Shanghai" || len(ps) != 2 {
			t.Fatalf("calendars %d, policies %d", len(cs), len(ps))
		}
		cal := sla.MustCompile(cs[0])
		sh, _ := time.LoadLocation("Asia/Shanghai")
		// 2026 National Day: Wednesday 30 September 17:00 + 2 business hours.
		if got, _ := cal.Add(time.Date(2026, 9, 30, 17, 0, 0, 0, sh), 2*time.Hour); !got.Equal(time.Date(2026, 10, 8, 10, 0, 0, 0, sh)) {
			t.Errorf("demo calendar over National Day: %s", got.In(sh))
		}
		if v := r.view(tk.ID).SLA; v.PolicyName != sla.DemoPolicyName || v.FirstResponseDueAt == nil {
			t.Errorf("open ticket after the demo seed: %+v", v)
		}
	})
}
