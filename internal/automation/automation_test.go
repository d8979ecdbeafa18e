package automation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/automation"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/jobs"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
	"github.com/kefu-dev/kefu/internal/ticket"
	"github.com/kefu-dev/kefu/internal/user"
)

type rig struct {
	t       *testing.T
	ctx     context.Context
	st      *store.Store
	svc     *automation.Service
	outbox  *jobs.Outbox
	timers  *jobs.Timers
	tickets *ticket.Service
	admin   *kefu.User
	agent   *kefu.User
	lead    *kefu.User
	mu      sync.Mutex
	now     time.Time
	n       int
}

func newRig(t *testing.T, st *store.Store) *rig {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := &rig{t: t, ctx: ctx, st: st, now: time.Now().UTC().Truncate(time.Microsecond)}
	r.tickets = ticket.New(st, customer.New(st))
	r.svc = automation.New(st, r.tickets, log)
	r.svc.SetClock(r.clock)
	r.outbox = jobs.NewOutbox(st, log, time.Hour)
	r.timers = jobs.NewTimers(st, log, time.Hour)
	r.timers.Now = r.clock
	r.svc.Register(r.outbox, r.timers)
	team, _ := st.TeamByName(ctx, kefu.DefaultTeam)
	users := user.New(st)
	for _, u := range []struct {
		name string
		role kefu.Role
		dst  **kefu.User
	}{{"admin", kefu.RoleAdmin, &r.admin}, {"agent", kefu.RoleAgent, &r.agent}, {"lead", kefu.RoleSupervisor, &r.lead}} {
		created, _, err := users.Create(ctx, nil, user.Input{Email: u.name + "@t.test", Name: u.name, Role: u.role, Password: "secret", TeamIDs: []int64{team.ID}})
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

func (r *rig) rule(rule automation.Rule) *automation.Rule {
	r.t.Helper()
	rule.Enabled = true
	if err := r.svc.Save(r.ctx, r.admin, &rule); err != nil {
		r.t.Fatal(err)
	}
	return &rule
}

// settle lets the outbox deliver every event written so far.
func (r *rig) settle() {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		es, _ := r.st.EventsAfter(r.ctx, 0, 1_000_000)
		last := int64(0)
		if len(es) > 0 {
			last = es[len(es)-1].ID
		}
		r.outbox.DrainOnce(r.ctx)
		var pos int64
		_ = r.st.WithTx(r.ctx, func(ctx context.Context) error {
			p, _, err := r.st.ClaimConsumer(ctx, automation.Consumer)
			pos = p.EventID
			return err
		})
		if pos >= last {
			if es2, _ := r.st.EventsAfter(r.ctx, last, 10); len(es2) == 0 {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	r.t.Fatal("the outbox did not settle")
}

func (r *rig) open(subject, lang string) *kefu.Ticket {
	r.t.Helper()
	r.n++
	tk, _, err := r.tickets.Create(r.ctx, nil, ticket.NewTicket{Subject: subject, Channel: kefu.ChannelEmail,
		Customer: customer.Ref{Email: fmt.Sprintf("c%d@buyer.test", r.n), Name: "王芳", Language: lang}, Message: ticket.NewMessage{Body: subject}})
	if err != nil {
		r.t.Fatal(err)
	}
	return tk
}

func (r *rig) ticket(id int64) *kefu.Ticket {
	r.t.Helper()
	tk, err := r.st.Ticket(r.ctx, id)
	if err != nil {
		r.t.Fatal(err)
	}
	return tk
}

// applied lists the rules that acted on a ticket, in order.
func (r *rig) applied(id int64) []string {
	r.t.Helper()
	es, err := r.st.TicketEvents(r.ctx, id, 0, 10000)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		if e.Type == automation.EventApplied {
			var d struct {
				Name string `json:"rule_name"`
			}
			_ = json.Unmarshal(e.Data, &d)
			out = append(out, d.Name)
		}
	}
	return out
}

func (r *rig) update(id int64, p ticket.Patch) {
	r.t.Helper()
	if _, err := r.tickets.Update(r.ctx, r.agent, id, p); err != nil {
		r.t.Fatal(err)
	}
}

func status(s kefu.Status) ticket.Patch {
	return ticket.Patch{Status: ticket.Field[kefu.Status]{Set: true, Value: s}}
}

func TestEventTriggersConditionsAndActions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st)
		tech, err := user.New(st).CreateTeam(r.ctx, nil, user.TeamInput{Name: "tech", Kind: kefu.TeamSupport})
		if err != nil {
			t.Fatal(err)
		}
		r.rule(automation.Rule{Name: "退款加急", Position: 0, Triggers: []automation.Trigger{{On: automation.TriggerCreated}},
			Conditions: []automation.Condition{{Field: "ticket.subject", Op: "contains", Value: "退款"}},
			Actions: []automation.Action{{Type: "set", Field: "priority", Value: "high"}, {Type: "add_tags", Tags: []string{"refund"}},
				{Type: "set", Field: "custom.source", Value: "rule"}, {Type: "note", BodyZH: "自动标记为退款"}}})
		r.rule(automation.Rule{Name: "welcome", Position: 1, Triggers: []automation.Trigger{{On: automation.TriggerCreated}},
			Conditions: []automation.Condition{{Field: "customer.language", Op: "eq", Value: "en"}},
			Actions:    []automation.Action{{Type: "reply", BodyZH: "您好 {{customer.name}}", BodyEN: "Hello {{customer.name}}, we got ticket #{{ticket.number}}"}}})
		r.rule(automation.Rule{Name: "customer back", Triggers: []automation.Trigger{{On: automation.TriggerCustomerReplied}},
			Actions: []automation.Action{{Type: "remove_tags", Tags: []string{"refund"}}, {Type: "notify", To: "team_leads", BodyZH: "客户回复了", BodyEN: "The customer wrote"}}})
		r.rule(automation.Rule{Name: "solved", Triggers: []automation.Trigger{{On: automation.TriggerStatusChanged}},
			Conditions: []automation.Condition{{Field: "ticket.status", Op: "eq", Value: "solved"}},
			Actions:    []automation.Action{{Type: "add_tags", Tags: []string{"done"}}}})
		r.rule(automation.Rule{Name: "breach to tech", Triggers: []automation.Trigger{{On: automation.TriggerSLABreached}, {On: automation.TriggerPromiseOverdue}},
			Actions: []automation.Action{{Type: "assign", TeamID: &tech.ID}, {Type: "notify", To: "user", UserID: &r.lead.ID, BodyZH: "超时"}}})
		r.rule(automation.Rule{Name: "assign urgent", Triggers: []automation.Trigger{{On: automation.TriggerUpdated}},
			Conditions: []automation.Condition{{Field: "ticket.priority", Op: "eq", Value: "urgent"}, {Field: "ticket.assignee_id", Op: "not_set"}},
			Actions:    []automation.Action{{Type: "assign", UserID: &r.lead.ID}, {Type: "set", Field: "type", Value: "complaint"}}})

		refund := r.open("我要退款", "zh-CN")
		en := r.open("Where is my parcel", "en")
		r.settle()
		got := r.ticket(refund.ID)
		if got.Priority != kefu.PriorityHigh || !slices.Contains(got.Tags, "refund") || got.CustomFields["source"] != "rule" {
			t.Errorf("refund ticket after rules: priority %s tags %v custom %v", got.Priority, got.Tags, got.CustomFields)
		}
		if a := r.applied(refund.ID); !slices.Equal(a, []string{"退款加急"}) {
			t.Errorf("rules applied to the refund ticket: %v", a)
		}
		ms, _ := st.Messages(r.ctx, en.ID, 0, 10)
		if last := ms[len(ms)-1]; last.Kind != kefu.MessageReply || last.Body != fmt.Sprintf("Hello 王芳, we got ticket #%d", en.Number) {
			t.Errorf("canned reply = %s %q", last.Kind, last.Body)
		}
		// Actions appear in the trail with the rule's name.
		es, _ := st.TicketEvents(r.ctx, refund.ID, 0, 100)
		named := 0
		for _, e := range es {
			if c := store.CauseOf(e); c != nil && c.RuleName == "退款加急" {
				named++
			}
		}
		if named < 4 {
			t.Errorf("%d events name the rule, want every action's events", named)
		}
		// customer.replied: not on the opening message, yes on a later one.
		if _, _, err := r.tickets.AddMessage(r.ctx, nil, refund.ID, ticket.NewMessage{Kind: kefu.MessageCustomer, Body: "还没退"}); err != nil {
			t.Fatal(err)
		}
		r.settle()
		if got := r.ticket(refund.ID); slices.Contains(got.Tags, "refund") {
			t.Errorf("customer.replied rule did not run: tags %v", got.Tags)
		}
		ns, _ := st.Notifications(r.ctx, r.lead.ID, 0, false, 10)
		if len(ns) != 1 || ns[0].TextEN != "The customer wrote" {
			t.Errorf("lead notifications %+v", ns)
		}
		// status.changed.
		r.update(en.ID, status(kefu.StatusSolved))
		r.settle()
		if got := r.ticket(en.ID); !slices.Contains(got.Tags, "done") {
			t.Errorf("status.changed rule did not run: %v", got.Tags)
		}
		// ticket.updated with two conditions.
		r.update(refund.ID, ticket.Patch{Priority: ticket.Field[kefu.Priority]{Set: true, Value: kefu.PriorityUrgent}})
		r.settle()
		if got := r.ticket(refund.ID); got.AssigneeID == nil || *got.AssigneeID != r.lead.ID || got.Type != kefu.TypeComplaint {
			t.Errorf("urgent ticket: assignee %v type %s", got.AssigneeID, got.Type)
		}
		r.rule(automation.Rule{Name: "hurry", Triggers: []automation.Trigger{{On: automation.TriggerSLAWarning}, {On: automation.TriggerPromiseDueSoon}},
			Actions: []automation.Action{{Type: "add_tags", Tags: []string{"hurry"}}, {Type: "notify", To: "assignee", BodyEN: "hurry"}}})
		for _, typ := range []string{kefu.EventSLAWarning, kefu.EventPromiseDueSoon} {
			tk := r.open("快", "zh-CN")
			r.update(tk.ID, ticket.Patch{AssigneeID: ticket.Field[*int64]{Set: true, Value: &r.agent.ID}})
			if err := st.WithTx(r.ctx, func(ctx context.Context) error {
				return st.AddEvent(ctx, &kefu.Event{Type: typ, TicketID: &tk.ID}, nil)
			}); err != nil {
				t.Fatal(err)
			}
			r.settle()
			if got := r.ticket(tk.ID); !slices.Contains(got.Tags, "hurry") {
				t.Errorf("%s rule did not run: %v", typ, got.Tags)
			}
		}
		if ns, _ := st.Notifications(r.ctx, r.agent.ID, 0, false, 10); len(ns) != 2 || ns[0].TextZH != "hurry" {
			t.Errorf("assignee notifications %+v, want two (bilingual text falls back to the one given)", ns)
		}
		// sla.breached and promise.overdue come from the SLA timers; written by hand here.
		for _, typ := range []string{kefu.EventSLABreached, kefu.EventPromiseOverdue} {
			tk := r.open("慢", "zh-CN")
			if err := st.WithTx(r.ctx, func(ctx context.Context) error {
				return st.AddEvent(ctx, &kefu.Event{Type: typ, TicketID: &tk.ID}, map[string]any{"metric": "first_response"})
			}); err != nil {
				t.Fatal(err)
			}
			r.settle()
			if got := r.ticket(tk.ID); got.TeamID == nil || *got.TeamID != tech.ID {
				t.Errorf("%s rule did not move the ticket to tech", typ)
			}
		}
	})
}

func TestLoopProtection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st)
		// A rule that reacts to updates by updating: it must not trigger itself.
		r.rule(automation.Rule{Name: "self", Position: 0, Triggers: []automation.Trigger{{On: automation.TriggerUpdated}},
			Actions: []automation.Action{{Type: "add_tags", Tags: []string{"seen"}}}})
		tk := r.open("loop", "zh-CN")
		r.update(tk.ID, ticket.Patch{Subject: ticket.Field[string]{Set: true, Value: "loop 2"}})
		r.settle()
		if a := r.applied(tk.ID); !slices.Equal(a, []string{"self"}) {
			t.Errorf("self-triggering rule ran %v, want once", a)
		}
		// Two rules that undo each other stop after MaxDepth steps.
		if err := st.DeleteRule(r.ctx, 1); err != nil {
			t.Fatal(err)
		}
		r.rule(automation.Rule{Name: "ping", Position: 1, Triggers: []automation.Trigger{{On: automation.TriggerUpdated}},
			Conditions: []automation.Condition{{Field: "ticket.tags", Op: "contains", Value: "x"}},
			Actions:    []automation.Action{{Type: "remove_tags", Tags: []string{"x"}}, {Type: "add_tags", Tags: []string{"y"}}}})
		r.rule(automation.Rule{Name: "pong", Position: 2, Triggers: []automation.Trigger{{On: automation.TriggerUpdated}},
			Conditions: []automation.Condition{{Field: "ticket.tags", Op: "contains", Value: "y"}},
			Actions:    []automation.Action{{Type: "remove_tags", Tags: []string{"y"}}, {Type: "add_tags", Tags: []string{"x"}}}})
		tk2 := r.open("ping pong", "zh-CN")
		r.update(tk2.ID, ticket.Patch{Tags: ticket.Field[[]string]{Set: true, Value: []string{"x"}}})
		r.settle()
		a := r.applied(tk2.ID)
		if len(a) == 0 || len(a) > 2*automation.MaxDepth {
			t.Fatalf("ping-pong rules ran %d times (%v), want a bounded chain", len(a), a)
		}
		es, _ := st.TicketEvents(r.ctx, tk2.ID, 0, 1000)
		for _, e := range es {
			if c := store.CauseOf(e); c != nil && c.Depth > automation.MaxDepth {
				t.Errorf("event %s at depth %d beyond %d", e.Type, c.Depth, automation.MaxDepth)
			}
		}
		// The person's update runs ping, then pong (rules of one event see
		// the changes of the rules before them); ping's change runs pong
		// again and pong's runs ping; the next changes are at MaxDepth.
		if !slices.Equal(a, []string{"ping", "pong", "pong", "ping"}) && !slices.Equal(a, []string{"ping", "pong", "ping", "pong"}) {
			t.Errorf("ping-pong chain %v", a)
		}
		// More updates by a person later start a new, again bounded, chain.
		before := len(a)
		r.update(tk2.ID, ticket.Patch{Subject: ticket.Field[string]{Set: true, Value: "again"}})
		r.settle()
		if after := len(r.applied(tk2.ID)); after-before > 2*automation.MaxDepth {
			t.Errorf("second chain ran %d rules", after-before)
		}
	})
}

func TestTimeRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st)
		// The example of the issue: pending 72 h → remind the customer; 48 h more → solve.
		r.rule(automation.Rule{Name: "close after reminder", Position: 0, Triggers: []automation.Trigger{{On: automation.TriggerTime, Status: kefu.StatusPending, Hours: 48}},
			Conditions: []automation.Condition{{Field: "ticket.tags", Op: "contains", Value: "reminded"}},
			Actions:    []automation.Action{{Type: "set", Field: "status", Value: "solved"}}})
		r.rule(automation.Rule{Name: "remind", Position: 1, Triggers: []automation.Trigger{{On: automation.TriggerTime, Status: kefu.StatusPending, Hours: 72}},
			Conditions: []automation.Condition{{Field: "ticket.tags", Op: "not_contains", Value: "reminded"}},
			Actions: []automation.Action{{Type: "reply", BodyZH: "您好，请问问题解决了吗？", Status: "pending"},
				{Type: "add_tags", Tags: []string{"reminded"}}}})
		tk := r.open("等待回复", "zh-CN")
		r.update(tk.ID, status(kefu.StatusPending))
		if err := r.svc.Start(r.ctx); err != nil {
			t.Fatal(err)
		}
		step := func(d time.Duration) {
			r.mu.Lock()
			r.now = r.now.Add(d)
			r.mu.Unlock()
			if _, err := r.timers.RunDue(r.ctx); err != nil {
				t.Fatal(err)
			}
		}
		step(71 * time.Hour)
		if a := r.applied(tk.ID); len(a) != 0 {
			t.Fatalf("rules ran before 72 h: %v", a)
		}
		step(2 * time.Hour)
		if a := r.applied(tk.ID); !slices.Equal(a, []string{"remind"}) {
			t.Fatalf("after 73 h: %v, want the reminder", a)
		}
		// The reminder happened "now" on the test clock.
		setUpdatedAt(t, st, tk.ID, r.clock())
		step(47 * time.Hour)
		if got := r.ticket(tk.ID); got.Status != kefu.StatusPending {
			t.Fatalf("solved before 48 h: %s", got.Status)
		}
		step(2 * time.Hour)
		if got := r.ticket(tk.ID); got.Status != kefu.StatusSolved {
			t.Errorf("after 48 h more: %s, want solved", got.Status)
		}
		step(200 * time.Hour) // nothing runs twice
		if a := r.applied(tk.ID); !slices.Equal(a, []string{"remind", "close after reminder"}) {
			t.Errorf("rules applied %v", a)
		}
	})
}

func setUpdatedAt(t *testing.T, st *store.Store, id int64, at time.Time) {
	t.Helper()
	var err error
	if st.Dialect() == store.Postgres {
		_, err = st.DB().Exec(`UPDATE tickets SET updated_at = $1 WHERE id = $2`, at, id)
	} else {
		_, err = st.DB().Exec(`UPDATE tickets SET updated_at = ? WHERE id = ?`, at.UnixMicro(), id)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestWebhookAndDryRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st)
		var mu sync.Mutex
		var got []string
		fail := true
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			if fail { // the first delivery fails; the timer retries
				fail = false
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			got = append(got, req.Header.Get("X-Kefu-Event-Id"))
		}))
		defer srv.Close()
		rule := r.rule(automation.Rule{Name: "hook", Triggers: []automation.Trigger{{On: automation.TriggerCreated}},
			Conditions: []automation.Condition{{Field: "ticket.channel", Op: "in", Value: []any{"email", "chat"}}},
			Actions:    []automation.Action{{Type: "webhook", URL: srv.URL}}})
		tk := r.open("hook", "zh-CN")
		r.settle()
		if _, err := r.timers.RunDue(r.ctx); err != nil {
			t.Fatal(err)
		}
		r.mu.Lock()
		r.now = r.now.Add(time.Minute)
		r.mu.Unlock()
		if _, err := r.timers.RunDue(r.ctx); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		if len(got) != 1 || got[0] == "" {
			t.Errorf("webhook deliveries %v, want one after a retry", got)
		}
		mu.Unlock()
		// Dry run: explains each condition, changes nothing.
		res, err := r.svc.DryRun(r.ctx, r.admin, rule, tk.ID)
		if err != nil || !res.Matches || len(res.Actions) != 1 || !res.Conditions[0].Holds {
			t.Errorf("dry run = %+v, %v", res, err)
		}
		other := *rule
		other.Conditions = []automation.Condition{{Field: "customer.vip_tier", Op: "gte", Value: 1}}
		if res, _ := r.svc.DryRun(r.ctx, r.admin, &other, tk.ID); res.Matches || len(res.Actions) != 0 {
			t.Errorf("dry run of a non-matching rule = %+v", res)
		}
		if _, err := r.svc.DryRun(r.ctx, r.agent, rule, tk.ID); err == nil {
			t.Errorf("an agent dry-ran a rule")
		}
	})
}

func TestEvaluate(t *testing.T) {
	delivered := time.Now()
	sub := &automation.Subject{
		Ticket:   &kefu.Ticket{Status: kefu.StatusOpen, Priority: kefu.PriorityHigh, Channel: kefu.ChannelChat, Subject: "颜色不对", Tags: []string{"vip", "colour"}, CustomFields: map[string]any{"sku": "A1"}},
		Customer: &kefu.Customer{Name: "李雷", Language: "zh-CN", VIPTier: 2, Tags: []string{"repeat"}},
		Order:    &kefu.Order{Number: "20261101", Total: 19900, DeliveredAt: &delivered, ShippingProvince: "浙江", Shipments: []kefu.Shipment{{Status: kefu.ShipmentDelivered}}},
		Category: &kefu.Category{Key: "product.colour_difference"},
	}
	tests := []struct {
		c    automation.Condition
		want bool
	}{
		{automation.Condition{Field: "ticket.status", Op: "eq", Value: "open"}, true},
		{automation.Condition{Field: "ticket.status", Op: "ne", Value: "open"}, false},
		{automation.Condition{Field: "ticket.priority", Op: "in", Value: []any{"high", "urgent"}}, true},
		{automation.Condition{Field: "ticket.channel", Op: "not_in", Value: []any{"email"}}, true},
		{automation.Condition{Field: "ticket.subject", Op: "contains", Value: "颜色"}, true},
		{automation.Condition{Field: "ticket.subject", Op: "not_contains", Value: "颜色"}, false},
		{automation.Condition{Field: "ticket.tags", Op: "contains", Value: "vip"}, true},
		{automation.Condition{Field: "ticket.tags", Op: "not_contains", Value: "refund"}, true},
		{automation.Condition{Field: "ticket.category", Op: "eq", Value: "product.colour_difference"}, true},
		{automation.Condition{Field: "ticket.assignee_id", Op: "not_set"}, true},
		{automation.Condition{Field: "ticket.custom.sku", Op: "eq", Value: "A1"}, true},
		{automation.Condition{Field: "ticket.custom.missing", Op: "is_set"}, false},
		{automation.Condition{Field: "customer.vip_tier", Op: "gte", Value: 2}, true},
		{automation.Condition{Field: "customer.vip_tier", Op: "gt", Value: 2.0}, false},
		{automation.Condition{Field: "customer.tags", Op: "contains", Value: "repeat"}, true},
		{automation.Condition{Field: "customer.language", Op: "eq", Value: "en"}, false},
		{automation.Condition{Field: "order.total", Op: "lt", Value: 20000}, true},
		{automation.Condition{Field: "order.total", Op: "lte", Value: 19899}, false},
		{automation.Condition{Field: "order.delivered", Op: "eq", Value: true}, true},
		{automation.Condition{Field: "order.shipment_status", Op: "eq", Value: "delivered"}, true},
		{automation.Condition{Field: "order.province", Op: "eq", Value: "浙江"}, true},
		{automation.Condition{Field: "order.number", Op: "is_set"}, true},
		{automation.Condition{Field: "ticket.type", Op: "eq", Value: "consultation"}, false},
		{automation.Condition{Field: "ticket.team_id", Op: "is_set"}, false},
		{automation.Condition{Field: "customer.name", Op: "contains", Value: "李"}, true},
	}
	for _, tt := range tests {
		if ok, _ := automation.Evaluate([]automation.Condition{tt.c}, sub); ok != tt.want {
			t.Errorf("%s %s %v = %v, want %v", tt.c.Field, tt.c.Op, tt.c.Value, ok, tt.want)
		}
	}
	noOrder := *sub
	noOrder.Order = nil
	if ok, _ := automation.Evaluate([]automation.Condition{{Field: "order.total", Op: "gt", Value: 0}}, &noOrder); ok {
		t.Errorf("a ticket without an order matched an order condition")
	}
}

func TestCheckRejectsBadRules(t *testing.T) {
	bad := []automation.Rule{
		{Name: "", Triggers: []automation.Trigger{{On: "ticket.created"}}, Actions: []automation.Action{{Type: "note", BodyZH: "x"}}},
		{Name: "no trigger", Actions: []automation.Action{{Type: "note", BodyZH: "x"}}},
		{Name: "bad trigger", Triggers: []automation.Trigger{{On: "never"}}, Actions: []automation.Action{{Type: "note", BodyZH: "x"}}},
		{Name: "bad time", Triggers: []automation.Trigger{{On: "time", Status: kefu.StatusSolved, Hours: 1}}, Actions: []automation.Action{{Type: "note", BodyZH: "x"}}},
		{Name: "bad field", Triggers: []automation.Trigger{{On: "ticket.created"}}, Conditions: []automation.Condition{{Field: "ticket.colour", Op: "eq"}}, Actions: []automation.Action{{Type: "note", BodyZH: "x"}}},
		{Name: "bad op", Triggers: []automation.Trigger{{On: "ticket.created"}}, Conditions: []automation.Condition{{Field: "ticket.status", Op: "like"}}, Actions: []automation.Action{{Type: "note", BodyZH: "x"}}},
		{Name: "no action", Triggers: []automation.Trigger{{On: "ticket.created"}}},
		{Name: "bad url", Triggers: []automation.Trigger{{On: "ticket.created"}}, Actions: []automation.Action{{Type: "webhook", URL: "ftp://x"}}},
		{Name: "bad set", Triggers: []automation.Trigger{{On: "ticket.created"}}, Actions: []automation.Action{{Type: "set", Field: "subject"}}},
	}
	for _, r := range bad {
		if err := automation.Check(&r); err == nil {
			t.Errorf("rule %q passed the check", r.Name)
		}
	}
}
