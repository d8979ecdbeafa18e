package web_test

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/aftersale"
	"github.com/kefu-dev/kefu/internal/automation"
	"github.com/kefu-dev/kefu/internal/channel/email"
	"github.com/kefu-dev/kefu/internal/chat"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/demo"
	"github.com/kefu-dev/kefu/internal/httpapi"
	"github.com/kefu-dev/kefu/internal/jobs"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/realtime"
	"github.com/kefu-dev/kefu/internal/schedule"
	"github.com/kefu-dev/kefu/internal/server"
	"github.com/kefu-dev/kefu/internal/sla"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
	"github.com/kefu-dev/kefu/internal/ticket"
	"github.com/kefu-dev/kefu/internal/user"
	"github.com/kefu-dev/kefu/internal/web"
)

func newSite(t *testing.T, st *store.Store, withDemo bool) string {
	t.Helper()
	if withDemo {
		if _, err := demo.Load(context.Background(), st, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	customers := customer.New(st)
	tickets := ticket.New(st, customers)
	users := user.New(st)
	deadlines := sla.New(st)
	timers := jobs.NewTimers(st, log, time.Hour)
	deadlines.Register(timers)
	if withDemo {
		if err := deadlines.SeedDemo(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	hub := realtime.NewLocal()
	ws, err := web.New(st, tickets, customers, users, deadlines, hub, chat.New(st, tickets, customers, hub, log), log)
	if err != nil {
		t.Fatal(err)
	}
	cases, channels := aftersale.New(st, tickets, log), email.NewChannels(st)
	if withDemo {
		if _, err := cases.LoadDemo(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	ws.UseCases(cases, channels)
	ws.UseRules(automation.New(st, tickets, log))
	later := schedule.New(st, tickets)
	later.Register(timers)
	ws.UseSchedule(later)
	srv := httptest.NewServer(server.New(st, httpapi.New(st, httpapi.Services{Tickets: tickets, Customers: customers, Users: users, Cases: cases, Email: channels}, log), log, ws).Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) get(path string) (int, string, http.Header) {
	b.t.Helper()
	res, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if m := csrfField.FindStringSubmatch(string(body)); m != nil {
		b.csrf = m[1]
	}
	return res.StatusCode, string(body), res.Header
}

func (b *browser) post(path string, form url.Values) (int, string, http.Header) {
	b.t.Helper()
	res, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body), res.Header
}

func (b *browser) signIn(email, password string) int {
	b.t.Helper()
	b.get("/login")
	code, _, _ := b.post("/login", url.Values{"csrf": {b.csrf}, "email": {email}, "password": {password}})
	if code == http.StatusSeeOther {
		b.get("/") // pick up the session's CSRF token
	}
	return code
}

// TestPagesByRole renders every page for every demo role (so every
// template runs on real data) and checks who may reach what.
func TestPagesByRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		base := newSite(t, st, true)
		ctx := context.Background()
		wh, _ := st.TeamByName(ctx, "仓库")
		handed, _, _ := st.Tickets(ctx, store.TicketFilter{Scope: &store.Scope{UserID: -1, TeamIDs: []int64{wh.ID}}, Limit: 1})
		notHanded, _, _ := st.Tickets(ctx, store.TicketFilter{Statuses: []kefu.Status{kefu.StatusNew}, Limit: 1})
		if len(handed) == 0 || len(notHanded) == 0 {
			t.Fatal("demo lacks the tickets this test needs")
		}
		hp, np := "/tickets/"+itoa(handed[0].ID), "/tickets/"+itoa(notHanded[0].ID)
		cals, _ := st.Calendars(ctx)
		policies, _ := st.SLAPolicies(ctx)
		if len(cals) == 0 || len(policies) == 0 {
			t.Fatal("demo lacks a calendar and SLA policies")
		}
		calID, policyID := cals[0].ID, policies[0].ID
		pages := []struct {
			path string
			want map[string]int
		}{
			{"/", map[string]int{"admin": 200, "lead": 200, "agent": 200, "warehouse": 200, "": 303}},
			{"/?view=unassigned&channel=email&priority=high&sort=priority", map[string]int{"agent": 200}},
			{"/?view=at_risk", map[string]int{"agent": 200}},
			{"/?view=teams&from=2026-01-01&to=2030-01-01&tag=VIP", map[string]int{"lead": 200}},
			{"/inbox/views?view=all", map[string]int{"agent": 200, "": 303}},
			{np, map[string]int{"admin": 200, "agent": 200, "warehouse": 404, "": 303}},
			{hp, map[string]int{"admin": 200, "warehouse": 200}},
			{np + "/conversation", map[string]int{"agent": 200, "warehouse": 404}},
			{np + "/canned?q=hi", map[string]int{"agent": 200, "warehouse": 404}},
			{"/settings/canned", map[string]int{"lead": 200, "agent": 200, "warehouse": 200}},
			{"/settings/channels", map[string]int{"admin": 200, "lead": 403, "agent": 403, "warehouse": 403, "": 303}},
			{"/settings/channels?edit=99999999", map[string]int{"admin": 404}},
			{"/messages/99999999/raw", map[string]int{"agent": 404, "": 303}},
			{"/settings", map[string]int{"admin": 200, "lead": 200, "agent": 200, "warehouse": 200, "": 303}},
			{"/settings?saved=password", map[string]int{"agent": 200}},
			{"/customers", map[string]int{"admin": 200, "lead": 200, "agent": 200, "warehouse": 403, "": 303}},
			{"/customers?q=1", map[string]int{"agent": 200}},
			{"/customers?q=nobody-starts-like-this", map[string]int{"agent": 200}},
			{"/customers?before=999999999", map[string]int{"lead": 200}},
			{"/customers/" + itoa(notHanded[0].CustomerID), map[string]int{"admin": 200, "lead": 200, "agent": 200, "warehouse": 403, "": 303}},
			{"/customers/99999999", map[string]int{"agent": 404}},
			{"/admin/users", map[string]int{"admin": 200, "lead": 403, "agent": 403, "warehouse": 403, "": 303}},
			{"/admin/teams", map[string]int{"admin": 200, "lead": 403, "agent": 403, "warehouse": 403, "": 303}},
			{"/admin/categories", map[string]int{"admin": 200, "lead": 200, "agent": 403, "warehouse": 403, "": 303}},
			{"/admin/calendars", map[string]int{"admin": 200, "lead": 403, "agent": 403, "warehouse": 403, "": 303}},
			{"/admin/calendars/" + itoa(calID), map[string]int{"admin": 200, "lead": 403, "agent": 403, "warehouse": 403, "": 303}},
			{"/admin/calendars/" + itoa(calID) + "?year=2025", map[string]int{"admin": 200}},
			{"/admin/calendars/99999999", map[string]int{"admin": 404}},
			{"/admin/sla", map[string]int{"admin": 200, "lead": 403, "agent": 403, "warehouse": 403, "": 303}},
			{"/admin/sla?edit=" + itoa(policyID), map[string]int{"admin": 200, "lead": 403}},
			{"/admin/sla?edit=99999999", map[string]int{"admin": 404}},
			{"/admin/rules", map[string]int{"admin": 200, "lead": 403, "agent": 403, "warehouse": 403, "": 303}},
			{"/admin/rules?edit=99999999", map[string]int{"admin": 404, "agent": 403}},
			{"/tickets/99999999", map[string]int{"agent": 404}},
			{"/no/such/page", map[string]int{"agent": 404, "": 404}},
			{"/login", map[string]int{"": 200}},
		}
		for _, role := range []string{"admin", "lead", "agent", "warehouse", ""} {
			b := newBrowser(t, base)
			if role != "" {
				if code := b.signIn(role+"@demo.test", "demo"); code != http.StatusSeeOther {
					t.Fatalf("sign in as %s: %d", role, code)
				}
			}
			for _, p := range pages {
				want, ok := p.want[role]
				if !ok {
					continue
				}
				code, body, _ := b.get(p.path)
				if code != want {
					t.Errorf("GET %s as %q: %d, want %d", p.path, role, code, want)
				}
				if code == 200 && strings.Contains(body, "text/template") {
					t.Errorf("GET %s as %q: template error in page", p.path, role)
				}
			}
		}
	})
}

func itoa(n int64) string { return jsonNum(n) }

func jsonNum(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestWorkspaceActions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		base := newSite(t, st, true)
		ctx := context.Background()
		list, _, _ := st.Tickets(ctx, store.TicketFilter{Statuses: []kefu.Status{kefu.StatusNew}, Limit: 1})
		tk := list[0]
		p := "/tickets/" + jsonNum(tk.ID)
		agent := newBrowser(t, base)
		agent.signIn("agent@demo.test", "demo")

		// A form without the CSRF token is refused and changes nothing.
		if code, _, _ := agent.post(p+"/messages", url.Values{"kind": {"note"}, "body": {"x"}}); code != http.StatusForbidden {
			t.Errorf("POST without CSRF: %d", code)
		}
		// Reply, note, properties, transfer, link order.
		if code, _, _ := agent.post(p+"/messages", url.Values{"csrf": {agent.csrf}, "kind": {"reply"}, "body": {"您好，已为您登记"}, "status": {"pending"}}); code != http.StatusSeeOther {
			t.Errorf("reply: %d", code)
		}
		if code, _, _ := agent.post(p+"/props", url.Values{"csrf": {agent.csrf}, "priority": {"urgent"}, "tags": {"加急, 色差"}}); code != http.StatusSeeOther {
			t.Errorf("props: %d", code)
		}
		if code, body, _ := agent.post(p+"/transfer", url.Values{"csrf": {agent.csrf}, "to_team_id": {"3"}, "note": {""}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "note") {
			t.Errorf("transfer without a note: %d", code)
		}
		got, _ := st.Ticket(ctx, tk.ID)
		if got.Status != kefu.StatusPending || got.Priority != kefu.PriorityUrgent || strings.Join(got.Tags, ",") != "加急,色差" {
			t.Errorf("after actions: %s %s %v", got.Status, got.Priority, got.Tags)
		}
		// Bulk: assign two tickets to me.
		more, _, _ := st.Tickets(ctx, store.TicketFilter{Unassigned: true, Statuses: []kefu.Status{kefu.StatusNew, kefu.StatusOpen}, Limit: 2})
		form := url.Values{"csrf": {agent.csrf}, "action": {"assign:" + jsonNum(agentID(t, st))}, "back": {"/"}}
		for _, m := range more {
			form.Add("ids", jsonNum(m.ID))
		}
		if code, _, _ := agent.post("/tickets/bulk", form); code != http.StatusSeeOther {
			t.Errorf("bulk: %d", code)
		}
		for _, m := range more {
			if g, _ := st.Ticket(ctx, m.ID); g.AssigneeID == nil || *g.AssigneeID != agentID(t, st) {
				t.Errorf("bulk assign missed ticket %d", m.ID)
			}
		}
		// Agents read canned responses but may not edit them; supervisors may.
		if code, _, _ := agent.post("/settings/canned", url.Values{"csrf": {agent.csrf}, "title": {"x"}, "body_zh": {"x"}}); code != http.StatusForbidden {
			t.Errorf("agent edits canned: %d", code)
		}
		lead := newBrowser(t, base)
		lead.signIn("lead@demo.test", "demo")
		if code, _, _ := lead.post("/settings/canned", url.Values{"csrf": {lead.csrf}, "title": {"催发货"}, "shortcut": {"ship"}, "body_zh": {"{{customer.name}}您好，订单{{order.number}}今天发出"}}); code != http.StatusSeeOther {
			t.Errorf("lead edits canned: %d", code)
		}
		_, body, _ := agent.get(p + "/canned?q=ship")
		if strings.Contains(body, "{{") || !strings.Contains(body, "您好") {
			t.Errorf("canned list with placeholders: %s", body)
		}
		// Sign out ends the session.
		agent.post("/logout", url.Values{"csrf": {agent.csrf}})
		if code, _, _ := agent.get("/"); code != http.StatusSeeOther {
			t.Errorf("after sign-out: %d", code)
		}
	})
}

func agentID(t *testing.T, st *store.Store) int64 {
	u, _, err := st.UserByEmail(context.Background(), "agent@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func TestSignInLockOutAndFirstRun(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	base := newSite(t, st, false)
	b := newBrowser(t, base)
	// No user yet: /login sends to the first-run page, which creates an admin.
	if code, _, h := b.get("/login"); code != http.StatusSeeOther || h.Get("Location") != "/setup" {
		t.Fatalf("first run: %d %s", code, h.Get("Location"))
	}
	b.get("/setup")
	if code, _, _ := b.post("/setup", url.Values{"csrf": {b.csrf}, "name": {"店长"}, "email": {"boss@shop.cn"}, "password": {"s3cret!"}}); code != http.StatusSeeOther {
		t.Fatalf("setup: %d", code)
	}
	if code, _, _ := b.get("/"); code != 200 {
		t.Fatalf("after setup: %d", code)
	}
	// Once someone exists, /setup is closed.
	other := newBrowser(t, base)
	other.get("/login")
	if code, _, _ := other.post("/setup", url.Values{"csrf": {other.csrf}, "name": {"x"}, "email": {"x@x.cn"}, "password": {"xxxxxx"}}); code != http.StatusSeeOther {
		t.Errorf("second setup: %d", code)
	}
	if _, _, err := st.UserByEmail(context.Background(), "x@x.cn"); err == nil {
		t.Error("setup created a second admin")
	}
	// Wrong passwords lock the account for a while, even for the right password.
	for i := 0; i < 5; i++ {
		if code := other.signIn("boss@shop.cn", "wrong"); code != http.StatusUnauthorized {
			t.Errorf("attempt %d: %d", i, code)
		}
	}
	if code := other.signIn("boss@shop.cn", "s3cret!"); code != http.StatusTooManyRequests {
		t.Errorf("right password while locked: %d", code)
	}
	// A sign-in form without its CSRF cookie value is refused.
	fresh := newBrowser(t, base)
	if code, _, _ := fresh.post("/login", url.Values{"email": {"boss@shop.cn"}, "password": {"s3cret!"}}); code != http.StatusForbidden {
		t.Errorf("login without CSRF: %d", code)
	}
}

// TestCatalogsMatch checks both languages have the same keys and every key
// a template uses exists.
func TestCatalogsMatch(t *testing.T) {
	load := func(lang string) map[string]string {
		m := map[string]string{}
		names, _ := fs.Glob(os.DirFS("i18n"), "*"+lang+".json")
		for _, name := range names {
			if name != lang+".json" && !strings.HasSuffix(name, "."+lang+".json") {
				continue
			}
			b, err := os.ReadFile("i18n/" + name)
			if err != nil {
				t.Fatal(err)
			}
			part := map[string]string{}
			if err := json.Unmarshal(b, &part); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for k, v := range part {
				m[k] = v
			}
		}
		return m
	}
	zh, en := load("zh-CN"), load("en")
	for k := range zh {
		if _, ok := en[k]; !ok {
			t.Errorf("%s missing in en", k)
		}
	}
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("%s missing in zh-CN", k)
		}
	}
	used := regexp.MustCompile(`\bt "([a-z_.]+)"`)
	_ = fs.WalkDir(os.DirFS("templates"), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile("templates/" + p)
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if _, ok := zh[m[1]]; !ok {
				t.Errorf("%s uses unknown key %s", p, m[1])
			}
		}
		return nil
	})
	for _, prefix := range []string{"status.", "channel.", "type.", "priority.", "role.", "view.", "kind.", "sort."} {
		found := false
		for k := range zh {
			found = found || strings.HasPrefix(k, prefix)
		}
		if !found {
			t.Errorf("no keys with prefix %s", prefix)
		}
	}
}

// TestChannelAdmin: an admin adds an email channel, the password is never
// shown back, and a connection test against a closed port shows the
// servers' own error text.
func TestChannelAdmin(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	base := newSite(t, st, true)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close() // nothing listens there now
	admin := newBrowser(t, base)
	admin.signIn("admin@demo.test", "demo")
	admin.get("/settings/channels")
	form := url.Values{"csrf": {admin.csrf}, "address": {"Help@Shop.test"}, "display_name": {"小店客服"}, "enabled": {"on"},
		"imap_host": {"127.0.0.1"}, "imap_port": {port}, "imap_security": {"plain"}, "imap_username": {"help"}, "imap_password": {"top-secret-imap"},
		"smtp_host": {"127.0.0.1"}, "smtp_port": {port}, "smtp_security": {"plain"}, "smtp_password": {"top-secret-smtp"}, "ack_enabled": {"on"}, "ack_hours": {"12"}}
	if code, body, _ := admin.post("/settings/channels", form); code != http.StatusSeeOther {
		t.Fatalf("create channel: %d %s", code, body)
	}
	chs, err := st.EmailChannels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ch *kefu.EmailChannel
	for _, c := range chs {
		if c.Address == "help@shop.test" {
			ch = c
		}
	}
	if ch == nil || !ch.AckEnabled || ch.AckHours != 12 || !ch.IMAPPasswordSet || ch.DisplayName != "小店客服" {
		t.Fatalf("stored channel: %+v", ch)
	}
	_, body, _ := admin.get("/settings/channels?edit=" + itoa(ch.ID))
	if !strings.Contains(body, "help@shop.test") || strings.Contains(body, "top-secret") {
		t.Errorf("edit page shows the address %v, leaks a password %v", strings.Contains(body, "help@shop.test"), strings.Contains(body, "top-secret"))
	}
	// Saving the form with blank passwords keeps them.
	form.Set("id", itoa(ch.ID))
	form.Set("imap_password", "")
	form.Set("display_name", "小店")
	if code, _, _ := admin.post("/settings/channels", form); code != http.StatusSeeOther {
		t.Fatalf("update channel: %d", code)
	}
	if got, _ := st.EmailChannel(context.Background(), ch.ID); got.DisplayName != "小店" || got.IMAPPassword != "top-secret-imap" {
		t.Errorf("after update: %q, password kept %v", got.DisplayName, got.IMAPPassword == "top-secret-imap")
	}
	// A bad port shows the form again with the field at fault.
	form.Set("imap_port", "abc")
	if code, body, _ := admin.post("/settings/channels", form); code != http.StatusUnprocessableEntity || !strings.Contains(body, "imap_port") {
		t.Errorf("bad port: %d", code)
	}
	code, body, _ := admin.post("/settings/channels/"+itoa(ch.ID)+"/test", url.Values{"csrf": {admin.csrf}})
	if code != 200 || !strings.Contains(body, `id="conntest"`) || !strings.Contains(body, "refused") {
		t.Errorf("test connection: %d, no refusal shown", code)
	}
	// Agents may not test or add channels.
	agent := newBrowser(t, base)
	agent.signIn("agent@demo.test", "demo")
	if code, _, _ := agent.post("/settings/channels/"+itoa(ch.ID)+"/test", url.Values{"csrf": {agent.csrf}}); code != http.StatusForbidden {
		t.Errorf("agent tests a channel: %d", code)
	}
	if code, _, _ := agent.post("/settings/channels", url.Values{"csrf": {agent.csrf}, "address": {"x@x.test"}}); code != http.StatusForbidden {
		t.Errorf("agent adds a channel: %d", code)
	}
}

// TestCasePanel: the panel lists a ticket's demo cases with their allowed
// moves, evaluates a proposal before creating it, and approves a case
// through the after-sales rules.
func TestCasePanel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		base := newSite(t, st, true)
		ctx := context.Background()
		cs, err := st.Cases(ctx, store.CaseFilter{Statuses: []kefu.CaseStatus{kefu.CaseRequested}, Limit: 50})
		if err != nil || len(cs) == 0 {
			t.Fatalf("demo has no requested case: %v", err)
		}
		var c *kefu.Case
		for _, x := range cs {
			var dec aftersale.Decision
			if json.Unmarshal(x.Decision, &dec) == nil && dec.Eligible && !dec.NeedsApproval {
				c = x
				break
			}
		}
		if c == nil {
			t.Fatal("no requested demo case an agent may approve")
		}
		lead := newBrowser(t, base)
		lead.signIn("lead@demo.test", "demo")
		p := "/tickets/" + itoa(c.TicketID)
		code, body, _ := lead.get(p)
		if code != 200 || !strings.Contains(body, `id="case-`+itoa(c.ID)+`"`) || !strings.Contains(body, `data-move="approved"`) || !strings.Contains(body, `id="newcase"`) {
			t.Fatalf("ticket page: %d, case panel missing", code)
		}
		// Rejecting needs a reason: refused without one, nothing changes.
		if code, _, _ := lead.post("/cases/"+itoa(c.ID)+"/move", url.Values{"csrf": {lead.csrf}, "to": {"rejected"}}); code != http.StatusUnprocessableEntity {
			t.Errorf("reject without a note: %d", code)
		}
		if code, _, h := lead.post("/cases/"+itoa(c.ID)+"/move", url.Values{"csrf": {lead.csrf}, "to": {"approved"}}); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), p) {
			t.Fatalf("approve: %d %s", code, h.Get("Location"))
		}
		got, _ := st.Case(ctx, c.ID)
		if got.Status != kefu.CaseApproved {
			t.Errorf("after approve: %s", got.Status)
		}
		_, body, _ = lead.get(p)
		if !strings.Contains(body, `class="case case-approved" id="case-`+itoa(c.ID)+`"`) {
			t.Error("the panel does not show the approved state")
		}
		// Evaluate first: the recommendation appears and nothing is created.
		tk, _ := st.Ticket(ctx, c.TicketID)
		o, _ := st.Order(ctx, *tk.OrderID)
		before, _ := st.Cases(ctx, store.CaseFilter{TicketID: tk.ID, Limit: 50})
		form := url.Values{"csrf": {lead.csrf}, "item": {itoa(o.Items[0].ID)}, "qty_" + itoa(o.Items[0].ID): {"1"}, "kind": {string(c.Kind)}, "reason": {c.Reason}}
		code, body, _ = lead.post(p+"/cases/evaluate", form)
		if code != 200 || !strings.Contains(body, `id="evaluation"`) || !strings.Contains(body, `id="create-case"`) {
			t.Fatalf("evaluate: %d", code)
		}
		if after, _ := st.Cases(ctx, store.CaseFilter{TicketID: tk.ID, Limit: 50}); len(after) != len(before) {
			t.Error("evaluating created a case")
		}
		if code, _, _ := lead.post(p+"/cases", form); code != http.StatusSeeOther {
			t.Errorf("open case: %d", code)
		}
		if after, _ := st.Cases(ctx, store.CaseFilter{TicketID: tk.ID, Limit: 50}); len(after) != len(before)+1 {
			t.Errorf("cases after opening one: %d, want %d", len(after), len(before)+1)
		}
		// A warehouse user sees no transitions for cases of tickets outside its team.
		wh := newBrowser(t, base)
		wh.signIn("warehouse@demo.test", "demo")
		if code, _, _ := wh.post("/cases/"+itoa(c.ID)+"/move", url.Values{"csrf": {wh.csrf}, "to": {"cancelled"}, "note": {"x"}}); code != http.StatusNotFound && code != http.StatusForbidden {
			t.Errorf("warehouse cancels a case: %d", code)
		}
	})
}

// TestMailMessages: a failed reply shows its badge and the server's reason,
// quoted history folds away, and the original mail is served only to users
// who may see the ticket.
func TestMailMessages(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	base := newSite(t, st, true)
	ctx := context.Background()
	list, _, _ := st.Tickets(ctx, store.TicketFilter{Statuses: []kefu.Status{kefu.StatusNew}, Limit: 1})
	tk := list[0]
	raw := []byte("From: a@b.test\r\nSubject: hi\r\n\r\nhello\r\n")
	sum, _, err := st.PutBlob(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	body := "新的问题在这里\n\n> 在 2026年11月1日，客服 写道：\n> 以前的回复"
	in := &kefu.Message{TicketID: tk.ID, Kind: kefu.MessageCustomer, AuthorCustomerID: &tk.CustomerID, Body: body, RawSHA256: sum, QuoteAt: strings.Index(body, "\n\n>")}
	if err := st.AddMessage(ctx, in); err != nil {
		t.Fatal(err)
	}
	uid := agentID(t, st)
	out := &kefu.Message{TicketID: tk.ID, Kind: kefu.MessageReply, AuthorUserID: &uid, Body: "您好", DeliveryStatus: "failed", DeliveryError: "550 5.1.1 <x@b.test>: Recipient address rejected"}
	if err := st.AddMessage(ctx, out); err != nil {
		t.Fatal(err)
	}
	agent := newBrowser(t, base)
	agent.signIn("agent@demo.test", "demo")
	_, page, _ := agent.get("/tickets/" + itoa(tk.ID))
	for _, want := range []string{"delivery-failed", "550 5.1.1 &lt;x@b.test&gt;: Recipient address rejected", `<details class="quoted">`, "/messages/" + itoa(in.ID) + "/raw"} {
		if !strings.Contains(page, want) {
			t.Errorf("ticket page lacks %q", want)
		}
	}
	if i, j := strings.Index(page, "新的问题在这里"), strings.Index(page, `<details class="quoted">`); i < 0 || j < i {
		t.Error("the new text is not shown before the folded quote")
	}
	code, got, h := agent.get("/messages/" + itoa(in.ID) + "/raw")
	if code != 200 || got != string(raw) || h.Get("Content-Type") != "message/rfc822" {
		t.Errorf("raw mail: %d %q %s", code, got, h.Get("Content-Type"))
	}
	if code, _, _ := agent.get("/messages/" + itoa(out.ID) + "/raw"); code != http.StatusNotFound {
		t.Errorf("raw of a message without one: %d", code)
	}
	wh := newBrowser(t, base)
	wh.signIn("warehouse@demo.test", "demo")
	if code, _, _ := wh.get("/messages/" + itoa(in.ID) + "/raw"); code != http.StatusNotFound {
		t.Errorf("raw mail for a user who may not see the ticket: %d", code)
	}
}

// TestMergeAndRelate merges a customer's duplicate from the ticket page's
// panel and links related tickets both ways.
func TestMergeAndRelate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		base := newSite(t, st, true)
		ctx := context.Background()
		list, _, _ := st.Tickets(ctx, store.TicketFilter{Statuses: []kefu.Status{kefu.StatusNew}, Limit: 1})
		survivor := list[0]
		// A duplicate from the same customer, written by the customer.
		dup := &kefu.Ticket{Number: survivor.Number + 900000, Subject: "重复 duplicate", Channel: survivor.Channel, Type: survivor.Type,
			Priority: kefu.PriorityNormal, Status: kefu.StatusNew, CustomerID: survivor.CustomerID, TeamID: survivor.TeamID,
			CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC(), LastMessageAt: time.Now().UTC()}
		if err := st.CreateTicket(ctx, dup); err != nil {
			t.Fatal(err)
		}
		if err := st.AddMessage(ctx, &kefu.Message{TicketID: dup.ID, Kind: kefu.MessageCustomer, AuthorCustomerID: &survivor.CustomerID, Body: "还没发货", CreatedAt: time.Now().UTC()}); err != nil {
			t.Fatal(err)
		}
		sp, dp := "/tickets/"+itoa(survivor.ID), "/tickets/"+itoa(dup.ID)
		agent := newBrowser(t, base)
		agent.signIn("agent@demo.test", "demo")
		_, page, _ := agent.get(sp)
		if !strings.Contains(page, `name="source_id" value="`+itoa(dup.ID)+`"`) {
			t.Fatalf("the duplicate is not offered for merging on %s", sp)
		}
		// Link first, so the link shows on both pages.
		if code, _, _ := agent.post(sp+"/relate", url.Values{"csrf": {agent.csrf}, "number": {"#" + itoa(dup.Number)}}); code != http.StatusSeeOther {
			t.Fatalf("relate: %d", code)
		}
		for _, p := range []string{sp, dp} {
			if _, body, _ := agent.get(p); !strings.Contains(body, `name="other_id"`) {
				t.Errorf("%s does not list the related ticket", p)
			}
		}
		// Without the token nothing merges.
		if code, _, _ := agent.post(sp+"/merge", url.Values{"source_id": {itoa(dup.ID)}}); code != http.StatusForbidden {
			t.Errorf("merge without CSRF: %d", code)
		}
		if code, _, h := agent.post(sp+"/merge", url.Values{"csrf": {agent.csrf}, "source_id": {itoa(dup.ID)}}); code != http.StatusSeeOther || h.Get("Location") != sp {
			t.Fatalf("merge: %d %s", code, h.Get("Location"))
		}
		got, _ := st.Ticket(ctx, dup.ID)
		if got.MergedInto == nil || *got.MergedInto != survivor.ID || got.Status != kefu.StatusClosed {
			t.Errorf("after merge: merged_into=%v status=%s", got.MergedInto, got.Status)
		}
		msgs, _ := st.Messages(ctx, survivor.ID, 0, 0)
		notices, moved := 0, false
		for _, m := range msgs {
			if m.Kind == kefu.MessageReply && strings.Contains(m.Body, "#"+itoa(dup.Number)) {
				notices++
			}
			moved = moved || m.Body == "还没发货"
		}
		if notices != 1 || !moved {
			t.Errorf("customer notices %d (want 1), message moved %v", notices, moved)
		}
		// The merged ticket points to the survivor and cannot merge again.
		if _, body, _ := agent.get(dp); !strings.Contains(body, `class="banner merged"`) || !strings.Contains(body, `href="/tickets/`+itoa(survivor.ID)+`"`) {
			t.Error("merged ticket has no banner pointing to the survivor")
		}
		if code, _, _ := agent.post(sp+"/merge", url.Values{"csrf": {agent.csrf}, "source_id": {itoa(dup.ID)}}); code != http.StatusConflict {
			t.Errorf("second merge: %d", code)
		}
		// Collaborators may not merge.
		wh := newBrowser(t, base)
		wh.signIn("warehouse@demo.test", "demo")
		if code, _, _ := wh.post(sp+"/merge", url.Values{"csrf": {wh.csrf}, "number": {"1"}}); code != http.StatusForbidden && code != http.StatusNotFound {
			t.Errorf("warehouse merges: %d", code)
		}
	})
}

// TestChangePassword changes one's own password only with the current one.
func TestChangePassword(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	base := newSite(t, st, true)
	b := newBrowser(t, base)
	b.signIn("agent@demo.test", "demo")
	b.get("/settings")
	cases := []struct {
		current, next, again string
		want                 int
	}{
		{"wrong", "new-secret-1", "new-secret-1", http.StatusUnprocessableEntity},
		{"demo", "new-secret-1", "new-secret-2", http.StatusUnprocessableEntity},
		{"demo", "short", "short", http.StatusUnprocessableEntity},
		{"demo", "new-secret-1", "new-secret-1", http.StatusSeeOther},
	}
	for _, c := range cases {
		code, _, _ := b.post("/settings/password", url.Values{"csrf": {b.csrf}, "current_password": {c.current}, "password": {c.next}, "password2": {c.again}})
		if code != c.want {
			t.Errorf("change %q → %q/%q: %d, want %d", c.current, c.next, c.again, code, c.want)
		}
	}
	if code, _, _ := b.post("/settings/password", url.Values{"current_password": {"new-secret-1"}, "password": {"x12345678"}, "password2": {"x12345678"}}); code != http.StatusForbidden {
		t.Errorf("change without CSRF: %d", code)
	}
	if code := newBrowser(t, base).signIn("agent@demo.test", "demo"); code != http.StatusUnauthorized {
		t.Errorf("old password still works: %d", code)
	}
	if code := newBrowser(t, base).signIn("agent@demo.test", "new-secret-1"); code != http.StatusSeeOther {
		t.Errorf("new password refused: %d", code)
	}
}

// TestCustomersPages finds a customer by a name prefix and shows their
// profile with tickets and orders.
func TestCustomersPages(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	base := newSite(t, st, true)
	ctx := context.Background()
	list, _, _ := st.Tickets(ctx, store.TicketFilter{Statuses: []kefu.Status{kefu.StatusNew}, Limit: 1})
	c, err := st.Customer(ctx, list[0].CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, base)
	b.signIn("agent@demo.test", "demo")
	prefix := string([]rune(c.Name)[:1])
	if _, body, _ := b.get("/customers?q=" + url.QueryEscape(prefix)); !strings.Contains(body, `href="/customers/`+itoa(c.ID)+`"`) {
		t.Errorf("search %q does not find %s", prefix, c.Name)
	}
	if _, body, _ := b.get("/customers?q=zzzz-nobody"); !strings.Contains(body, `class="empty"`) {
		t.Error("an empty search shows no empty state")
	}
	if _, body, _ := b.get("/customers/" + itoa(c.ID)); !strings.Contains(body, `href="/tickets/`+itoa(list[0].ID)+`"`) {
		t.Error("the profile does not list the customer's ticket")
	}
}

// TestForbiddenSaysWhichRole shows the roles that could reach a refused page.
func TestForbiddenSaysWhichRole(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	base := newSite(t, st, true)
	b := newBrowser(t, base)
	b.signIn("warehouse@demo.test", "demo")
	code, body, _ := b.get("/customers")
	if code != http.StatusForbidden || !strings.Contains(body, "管理员") || !strings.Contains(body, "协作部门") {
		t.Errorf("403 page: %d, does not name the needed roles and the user's role", code)
	}
}

// TestAdminPages creates a user with a one-time password, changes their
// role, creates and renames a team, and edits the taxonomy; agents are
// refused every change.
func TestAdminPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		base := newSite(t, st, true)
		ctx := context.Background()
		admin := newBrowser(t, base)
		admin.signIn("admin@demo.test", "demo")
		agent := newBrowser(t, base)
		agent.signIn("agent@demo.test", "demo")
		lead := newBrowser(t, base)
		lead.signIn("lead@demo.test", "demo")

		if code, _, _ := agent.post("/admin/users", url.Values{"csrf": {agent.csrf}, "name": {"x"}, "email": {"x@demo.test"}, "role": {"admin"}}); code != http.StatusForbidden {
			t.Errorf("agent creates a user: %d", code)
		}
		if code, _, _ := lead.post("/admin/teams", url.Values{"csrf": {lead.csrf}, "name": {"x"}}); code != http.StatusForbidden {
			t.Errorf("supervisor creates a team: %d", code)
		}
		if code, _, _ := agent.post("/admin/categories", url.Values{"csrf": {agent.csrf}, "key": {"x"}, "name_zh": {"x"}, "name_en": {"x"}}); code != http.StatusForbidden {
			t.Errorf("agent adds a category: %d", code)
		}

		code, body, h := admin.post("/admin/users", url.Values{"csrf": {admin.csrf}, "name": {"小王"}, "email": {"wang@demo.test"}, "role": {"agent"}, "language": {"zh-CN"}})
		m := oneTime.FindStringSubmatch(body)
		if code != http.StatusOK || m == nil || h.Get("Cache-Control") != "no-store" {
			t.Fatalf("create user: %d, password shown %v", code, m != nil)
		}
		if c := newBrowser(t, base).signIn("wang@demo.test", m[1]); c != http.StatusSeeOther {
			t.Errorf("new user signs in with the one-time password: %d", c)
		}
		if _, body, _ := admin.get("/admin/users"); strings.Contains(body, m[1]) {
			t.Error("the one-time password is shown again")
		}
		u, _, _ := st.UserByEmail(ctx, "wang@demo.test")
		wh, _ := st.TeamByName(ctx, "仓库")
		if code, _, _ := admin.post("/admin/users/"+itoa(u.ID), url.Values{"csrf": {admin.csrf}, "name": {"小王"}, "role": {"supervisor"}, "status": {"disabled"}, "team_ids": {itoa(wh.ID)}}); code != http.StatusSeeOther {
			t.Errorf("update user: %d", code)
		}
		u, _, _ = st.UserByEmail(ctx, "wang@demo.test")
		if u.Role != kefu.RoleSupervisor || u.Status != kefu.UserDisabled || !u.InTeam(wh.ID) {
			t.Errorf("after update: %s %s %v", u.Role, u.Status, u.TeamIDs)
		}

		if code, _, _ := admin.post("/admin/teams", url.Values{"csrf": {admin.csrf}, "name": {"售后二组"}, "kind": {"support"}}); code != http.StatusSeeOther {
			t.Errorf("create team: %d", code)
		}
		tm, err := st.TeamByName(ctx, "售后二组")
		if err != nil {
			t.Fatal(err)
		}
		admin.post("/admin/teams/"+itoa(tm.ID), url.Values{"csrf": {admin.csrf}, "name": {"售后三组"}, "kind": {"support"}})
		if _, err := st.TeamByName(ctx, "售后三组"); err != nil {
			t.Errorf("rename team: %v", err)
		}

		if code, _, _ := lead.post("/admin/categories", url.Values{"csrf": {lead.csrf}, "key": {"gift"}, "name_zh": {"赠品"}, "name_en": {"Gifts"}}); code != http.StatusSeeOther {
			t.Fatalf("add group: %d", code)
		}
		var gift *kefu.Category
		cats, _ := st.Categories(ctx)
		for _, c := range cats {
			if c.Key == "gift" {
				gift = c
			}
		}
		if gift == nil {
			t.Fatal("group not stored")
		}
		lead.post("/admin/categories/"+itoa(gift.ID), url.Values{"csrf": {lead.csrf}, "name_zh": {"赠品问题"}, "name_en": {"Gift issues"}, "archived": {"1"}})
		if c, _ := st.Category(ctx, gift.ID); c.NameZH != "赠品问题" || c.NameEN != "Gift issues" || !c.Archived {
			t.Errorf("rename and archive: %+v", c)
		}
	})
}

var oneTime = regexp.MustCompile(`<code class="password">([^<]+)</code>`)
