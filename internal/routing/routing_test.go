package routing_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/jobs"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/routing"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
	"github.com/kefu-dev/kefu/internal/ticket"
	"github.com/kefu-dev/kefu/internal/user"
)

type rig struct {
	t       *testing.T
	ctx     context.Context
	st      *store.Store
	svc     *routing.Service
	outbox  *jobs.Outbox
	timers  *jobs.Timers
	tickets *ticket.Service
	team    int64
	lead    *kefu.User
	agents  []*kefu.User
	now     time.Time
	n       int
}

func newRig(t *testing.T, st *store.Store, strategy string, agents int) *rig {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := &rig{t: t, ctx: ctx, st: st, now: time.Now().UTC().Truncate(time.Microsecond)}
	r.svc = routing.New(st)
	r.svc.SetClock(func() time.Time { return r.now })
	r.outbox = jobs.NewOutbox(st, log, time.Hour)
	r.timers = jobs.NewTimers(st, log, time.Hour)
	r.timers.Now = func() time.Time { return r.now }
	r.svc.Register(r.outbox, r.timers)
	r.tickets = ticket.New(st, customer.New(st))
	team, err := st.TeamByName(ctx, kefu.DefaultTeam)
	if err != nil {
		t.Fatal(err)
	}
	r.team = team.ID
	if err := st.SaveTeamSettings(ctx, &store.TeamSettings{TeamID: team.ID, Strategy: strategy, GraceMinutes: 5}); err != nil {
		t.Fatal(err)
	}
	users := user.New(st)
	lead, _, err := users.Create(ctx, nil, user.Input{Email: "lead@t.test", Name: "lead", Role: kefu.RoleSupervisor, Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	r.lead = lead
	for i := 0; i < agents; i++ {
		u, _, err := users.Create(ctx, nil, user.Input{Email: fmt.Sprintf("a%d@t.test", i), Name: fmt.Sprint("a", i), Role: kefu.RoleAgent, Password: "secret", TeamIDs: []int64{team.ID}})
		if err != nil {
			t.Fatal(err)
		}
		r.agents = append(r.agents, u)
		r.agent(i, routing.AgentInput{Presence: ptr(store.PresenceOnline)})
	}
	r.settle()
	return r
}

func ptr[T any](v T) *T { return &v }

func (r *rig) agent(i int, in routing.AgentInput) {
	r.t.Helper()
	if _, err := r.svc.UpdateAgent(r.ctx, r.lead, r.agents[i].ID, in); err != nil {
		r.t.Fatal(err)
	}
}

// settle lets the outbox deliver everything written so far: on PostgreSQL
// a transaction open elsewhere in the cluster may hold events back briefly.
func (r *rig) settle() {
	r.t.Helper()
	var last int64
	if es, err := r.st.EventsAfter(r.ctx, 0, 1_000_000); err == nil && len(es) > 0 {
		last = es[len(es)-1].ID
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		r.outbox.DrainOnce(r.ctx)
		pos, ok, err := r.consumerPos()
		if err == nil && ok && pos >= last {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.t.Fatalf("the outbox did not deliver up to event %d", last)
}

func (r *rig) consumerPos() (int64, bool, error) {
	var pos int64
	err := r.st.WithTx(r.ctx, func(ctx context.Context) error {
		p, _, err := r.st.ClaimConsumer(ctx, routing.Consumer)
		pos = p.EventID
		return err
	})
	return pos, true, err
}

func (r *rig) open(lang string, vip kefu.VIPTier, category *int64) *kefu.Ticket {
	r.t.Helper()
	r.n++
	tk, _, err := r.tickets.Create(r.ctx, nil, ticket.NewTicket{Channel: kefu.ChannelChat, CategoryID: category,
		Customer: customer.Ref{Email: fmt.Sprintf("c%d@buyer.test", r.n), Language: lang}, Message: ticket.NewMessage{Body: "你好"}})
	if err != nil {
		r.t.Fatal(err)
	}
	if vip > 0 {
		c, _ := r.st.Customer(r.ctx, tk.CustomerID)
		c.VIPTier = vip
		if err := r.st.UpdateCustomer(r.ctx, c); err != nil {
			r.t.Fatal(err)
		}
	}
	return tk
}

func (r *rig) assignee(id int64) string {
	r.t.Helper()
	tk, err := r.st.Ticket(r.ctx, id)
	if err != nil {
		r.t.Fatal(err)
	}
	if tk.AssigneeID == nil {
		return "-"
	}
	for i, a := range r.agents {
		if a.ID == *tk.AssigneeID {
			return fmt.Sprint("a", i)
		}
	}
	return "?"
}

func TestRoundRobin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st, routing.RoundRobin, 3)
		var got []string
		for i := 0; i < 5; i++ {
			tk := r.open("zh-CN", 0, nil)
			r.settle()
			got = append(got, r.assignee(tk.ID))
		}
		if fmt.Sprint(got) != "[a0 a1 a2 a0 a1]" {
			t.Errorf("round robin gave %v", got)
		}
	})
}

func TestLeastLoadedAndCapacity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st, routing.LeastLoaded, 2)
		r.agent(0, routing.AgentInput{Capacity: ptr(1)})
		r.agent(1, routing.AgentInput{Capacity: ptr(2)})
		var ids []int64
		for i := 0; i < 4; i++ {
			ids = append(ids, r.open("zh-CN", 0, nil).ID)
		}
		r.settle()
		var got []string
		for _, id := range ids {
			got = append(got, r.assignee(id))
		}
		// Three places in all: the fourth waits in the queue.
		if fmt.Sprint(got) != "[a0 a1 a1 -]" {
			t.Errorf("least loaded with capacity gave %v", got)
		}
		// a0 solves theirs: the queued ticket goes to a0.
		if _, err := r.tickets.Update(r.ctx, r.agents[0], ids[0], ticket.Patch{Status: ticket.Field[kefu.Status]{Set: true, Value: kefu.StatusSolved}}); err != nil {
			t.Fatal(err)
		}
		r.settle()
		if got := r.assignee(ids[3]); got != "a0" {
			t.Errorf("queued ticket went to %s after a0 freed a place, want a0", got)
		}
	})
}

func TestManualLeavesTicketsAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st, routing.Manual, 2)
		tk := r.open("zh-CN", 0, nil)
		r.settle()
		if got := r.assignee(tk.ID); got != "-" {
			t.Errorf("manual team assigned to %s", got)
		}
	})
}

func TestVIPFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st, routing.RoundRobin, 1)
		r.agent(0, routing.AgentInput{Presence: ptr(store.PresenceAway)})
		r.settle()
		plain := r.open("zh-CN", 0, nil)
		vip := r.open("zh-CN", 3, nil)
		r.agent(0, routing.AgentInput{Capacity: ptr(1), Presence: ptr(store.PresenceOnline)})
		r.settle()
		if r.assignee(vip.ID) != "a0" || r.assignee(plain.ID) != "-" {
			t.Errorf("VIP %s, plain %s: want the VIP ticket first", r.assignee(vip.ID), r.assignee(plain.ID))
		}
	})
}

func TestSkillsAndLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st, routing.RoundRobin, 3)
		if err := st.SaveTeamSettings(r.ctx, &store.TeamSettings{TeamID: r.team, Strategy: routing.RoundRobin, BySkill: true, ByLanguage: true, GraceMinutes: 5}); err != nil {
			t.Fatal(err)
		}
		logistics, err := st.CategoryByKey(r.ctx, kefu.DefaultTaxonomy[2].Children[0].Key)
		if err != nil {
			t.Fatal(err)
		}
		r.agent(0, routing.AgentInput{Languages: ptr([]string{"zh-CN"}), Skills: ptr([]string{"product"})})
		r.agent(1, routing.AgentInput{Languages: ptr([]string{"zh-CN"}), Skills: ptr([]string{kefu.DefaultTaxonomy[2].Key})})
		r.agent(2, routing.AgentInput{Languages: ptr([]string{"en"})})
		en := r.open("en", 0, nil)
		ship := r.open("zh-CN", 0, &logistics.ID)
		r.settle()
		if got := r.assignee(en.ID); got != "a2" {
			t.Errorf("English ticket went to %s, want a2 (the English speaker)", got)
		}
		if got := r.assignee(ship.ID); got != "a1" {
			t.Errorf("%s ticket went to %s, want a1 (skill %s)", logistics.Key, got, kefu.DefaultTaxonomy[2].Key)
		}
	})
}

func TestOfflineGracePeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st, routing.RoundRobin, 2)
		tk := r.open("zh-CN", 0, nil)
		r.settle()
		if r.assignee(tk.ID) != "a0" {
			t.Fatalf("ticket went to %s", r.assignee(tk.ID))
		}
		r.agent(0, routing.AgentInput{Presence: ptr(store.PresenceOffline)})
		r.settle()
		r.now = r.now.Add(4 * time.Minute)
		if _, err := r.timers.RunDue(r.ctx); err != nil {
			t.Fatal(err)
		}
		r.settle()
		if got := r.assignee(tk.ID); got != "a0" {
			t.Errorf("within the grace period the ticket moved to %s", got)
		}
		r.now = r.now.Add(2 * time.Minute)
		if _, err := r.timers.RunDue(r.ctx); err != nil {
			t.Fatal(err)
		}
		r.settle()
		if got := r.assignee(tk.ID); got != "a1" {
			t.Errorf("after the grace period the ticket is with %s, want a1", got)
		}
		// Coming back within the grace period keeps the work.
		tk2 := r.open("zh-CN", 0, nil)
		r.settle()
		owner := r.assignee(tk2.ID)
		r.agent(1, routing.AgentInput{Presence: ptr(store.PresenceAway)})
		r.agent(1, routing.AgentInput{Presence: ptr(store.PresenceOnline)})
		r.now = r.now.Add(time.Hour)
		if _, err := r.timers.RunDue(r.ctx); err != nil {
			t.Fatal(err)
		}
		r.settle()
		if got := r.assignee(tk2.ID); got != owner {
			t.Errorf("an agent back within the grace period lost ticket to %s", got)
		}
	})
}

func TestOnlySupervisorsChangeOthers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st, routing.RoundRobin, 2)
		if _, err := r.svc.UpdateAgent(r.ctx, r.agents[0], r.agents[1].ID, routing.AgentInput{Presence: ptr(store.PresenceOffline)}); err == nil {
			t.Errorf("an agent set another agent's presence")
		}
		if _, err := r.svc.UpdateAgent(r.ctx, r.agents[0], r.agents[0].ID, routing.AgentInput{Capacity: ptr(100)}); err == nil {
			t.Errorf("an agent raised their own capacity")
		}
		if _, err := r.svc.UpdateAgent(r.ctx, r.agents[0], r.agents[0].ID, routing.AgentInput{Presence: ptr(store.PresenceAway)}); err != nil {
			t.Errorf("an agent could not set their own presence: %v", err)
		}
	})
}
