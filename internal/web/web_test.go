package web_test

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/aftersale"
	"github.com/kefu-dev/kefu/internal/channel/email"
	"github.com/kefu-dev/kefu/internal/chat"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/demo"
	"github.com/kefu-dev/kefu/internal/httpapi"
	"github.com/kefu-dev/kefu/internal/jobs"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/realtime"
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
	deadlines.Register(jobs.NewTimers(st, log, time.Hour))
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
	srv := httptest.NewServer(server.New(st, httpapi.New(st, httpapi.Services{Tickets: tickets, Customers: customers, Users: users, Cases: aftersale.New(st, tickets, log), Email: email.NewChannels(st)}, log), log, ws).Handler())
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
