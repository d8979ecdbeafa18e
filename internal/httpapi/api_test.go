package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/aftersale"
	"github.com/kefu-dev/kefu/internal/automation"
	"github.com/kefu-dev/kefu/internal/channel/email"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/httpapi"
	"github.com/kefu-dev/kefu/internal/jobs"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/routing"
	"github.com/kefu-dev/kefu/internal/schedule"
	"github.com/kefu-dev/kefu/internal/server"
	"github.com/kefu-dev/kefu/internal/sla"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
	"github.com/kefu-dev/kefu/internal/ticket"
	"github.com/kefu-dev/kefu/internal/user"
)

// env is a real kefu server over HTTP on a fresh database, with one user
// (and token) per role.
type env struct {
	t      *testing.T
	st     *store.Store
	api    *httpapi.API
	cases  *aftersale.Service
	sla    *sla.Service
	timers *jobs.Timers
	url    string
	tokens map[string]string // admin, lead, agent, agent2, warehouse
	users  map[string]*kefu.User
	teams  map[string]int64 // sales (default), tech, warehouse
}

func newEnv(t *testing.T, st *store.Store) *env {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	customers := customer.New(st)
	users := user.New(st)
	deadlines := sla.New(st)
	timers := jobs.NewTimers(st, log, time.Hour)
	deadlines.Register(timers)
	tickets := ticket.New(st, customers)
	outbox := jobs.NewOutbox(st, log, time.Hour)
	routes := routing.New(st)
	routes.Register(outbox, timers)
	rules := automation.New(st, tickets, log)
	rules.Register(outbox, timers)
	later := schedule.New(st, tickets)
	later.Register(timers)
	cases := aftersale.New(st, tickets, log)
	api := httpapi.New(st, httpapi.Services{Tickets: tickets, Customers: customers, Users: users, Cases: cases, Deadlines: deadlines, Routing: routes, Rules: rules, Later: later, Email: email.NewChannels(st)}, log)
	srv := httptest.NewServer(server.New(st, api, log).Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, st: st, api: api, cases: cases, sla: deadlines, timers: timers, url: srv.URL, tokens: map[string]string{}, users: map[string]*kefu.User{}, teams: map[string]int64{}}
	sales, err := st.TeamByName(ctx, kefu.DefaultTeam)
	if err != nil {
		t.Fatal(err)
	}
	e.teams["sales"] = sales.ID
	for _, name := range []string{"tech", "warehouse"} {
		tm, err := users.CreateTeam(ctx, nil, user.TeamInput{Name: name, Kind: kefu.TeamDepartment})
		if err != nil {
			t.Fatal(err)
		}
		e.teams[name] = tm.ID
	}
	for _, u := range []struct {
		name string
		role kefu.Role
		team string
	}{{"admin", kefu.RoleAdmin, ""}, {"lead", kefu.RoleSupervisor, "sales"}, {"agent", kefu.RoleAgent, "sales"}, {"agent2", kefu.RoleAgent, "tech"}, {"warehouse", kefu.RoleCollaborator, "warehouse"}} {
		in := user.Input{Email: u.name + "@test.test", Name: u.name, Role: u.role, Password: "secret"}
		if u.team != "" {
			in.TeamIDs = []int64{e.teams[u.team]}
		}
		created, _, err := users.Create(ctx, nil, in)
		if err != nil {
			t.Fatal(err)
		}
		e.users[u.name] = created
		tok, err := users.AddToken(ctx, nil, in.Email, "test")
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[u.name] = tok
	}
	return e
}

// resp is an HTTP answer with its JSON decoded.
type resp struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   map[string]any
}

func (r resp) errCode() string {
	e, _ := r.JSON["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func (r resp) errField() string {
	e, _ := r.JSON["error"].(map[string]any)
	s, _ := e["field"].(string)
	return s
}

func (r resp) id() int64 {
	f, _ := r.JSON["id"].(float64)
	return int64(f)
}

func (r resp) items() []map[string]any {
	raw, _ := r.JSON["items"].([]any)
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i], _ = v.(map[string]any)
	}
	return out
}

// do sends a request as a role ("" for no token). body is JSON-encoded
// unless it is a string or []byte, sent as is.
func (e *env) do(role, method, path string, body any, headers ...string) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	r := resp{Status: res.StatusCode, Header: res.Header, Body: data}
	_ = json.Unmarshal(data, &r.JSON)
	return r
}

func (e *env) mustStatus(r resp, want int) resp {
	e.t.Helper()
	if r.Status != want {
		e.t.Fatalf("status %d, want %d: %s", r.Status, want, r.Body)
	}
	return r
}

func (e *env) newTicket(role string, extra map[string]any) resp {
	e.t.Helper()
	body := map[string]any{"subject": "衣服颜色和图片不一样", "channel": "api",
		"customer": map[string]any{"email": "buyer@example.com", "name": "李雷"},
		"message":  map[string]any{"body": "收到的衣服是深蓝色，页面上是浅蓝色。"}}
	for k, v := range extra {
		body[k] = v
	}
	return e.mustStatus(e.do(role, "POST", "/api/v1/tickets", body), 201)
}

func (e *env) countTickets() int {
	e.t.Helper()
	counts, err := e.st.CountTicketsByStatus(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

func TestTicketLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		created := e.newTicket("agent", nil)
		id := created.id()
		if n, _ := created.JSON["number"].(float64); n < 1001 {
			t.Errorf("number = %v, want ≥ 1001", created.JSON["number"])
		}
		if created.JSON["status"] != "new" {
			t.Errorf("status = %v, want new", created.JSON["status"])
		}
		path := fmt.Sprintf("/api/v1/tickets/%d", id)
		got := e.mustStatus(e.do("agent", "GET", path, nil), 200)
		if got.JSON["subject"] != "衣服颜色和图片不一样" {
			t.Errorf("subject = %v", got.JSON["subject"])
		}
		reply := e.mustStatus(e.do("agent", "POST", path+"/messages", map[string]any{"kind": "reply", "body": "非常抱歉给您带来了不便，请拍照给我们看看。", "status": "pending"}), 201)
		if tk, _ := reply.JSON["ticket"].(map[string]any); tk["status"] != "pending" || tk["first_response_at"] == nil {
			t.Errorf("after reply: ticket = %v", tk)
		}
		e.mustStatus(e.do("agent", "POST", path+"/messages", map[string]any{"kind": "note", "body": "仓库核实批次色差"}), 201)
		msgs := e.mustStatus(e.do("agent", "GET", path+"/messages", nil), 200).items()
		if len(msgs) != 3 || msgs[0]["kind"] != "customer" || msgs[1]["kind"] != "reply" || msgs[2]["kind"] != "note" {
			t.Errorf("messages = %v", msgs)
		}
		solved := e.mustStatus(e.do("agent", "PATCH", path, map[string]any{"status": "solved", "priority": "high", "tags": []string{"色差"}}), 200)
		if solved.JSON["status"] != "solved" || solved.JSON["solved_at"] == nil || solved.JSON["priority"] != "high" {
			t.Errorf("after solve: %v", solved.JSON)
		}
		// A customer reply reopens a solved ticket.
		back := e.mustStatus(e.do("admin", "POST", path+"/messages", map[string]any{"kind": "customer", "body": "还是不行"}), 201)
		if tk, _ := back.JSON["ticket"].(map[string]any); tk["status"] != "open" || tk["id"].(float64) != float64(id) {
			t.Errorf("customer reply on solved: ticket = %v", tk)
		}
		e.mustStatus(e.do("agent", "PATCH", path, map[string]any{"status": "closed"}), 200)
		// Closed is final: no reopening, and a new customer message starts a linked follow-up.
		r := e.do("agent", "PATCH", path, map[string]any{"status": "open"})
		if r.Status != 409 || r.errField() != "status" {
			t.Errorf("reopen closed: %d %s", r.Status, r.Body)
		}
		fu := e.mustStatus(e.do("admin", "POST", path+"/messages", map[string]any{"kind": "customer", "body": "又坏了"}), 201)
		tk, _ := fu.JSON["ticket"].(map[string]any)
		if tk["id"].(float64) == float64(id) || tk["follow_up_of"] != float64(id) || tk["status"] != "new" {
			t.Errorf("follow-up = %v", tk)
		}
		act := e.mustStatus(e.do("agent", "GET", path+"/activity", nil), 200).items()
		if len(act) < 5 || act[0]["type"] != "ticket.created" {
			t.Errorf("activity = %v", act)
		}
	})
}

func TestListFiltersAndCursor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		for i := 0; i < 7; i++ {
			ch := "email"
			if i%2 == 1 {
				ch = "chat"
			}
			e.newTicket("agent", map[string]any{"channel": ch, "subject": fmt.Sprintf("t%d", i)})
		}
		seen := map[float64]bool{}
		cursor := ""
		for pages := 0; pages < 10; pages++ {
			r := e.mustStatus(e.do("agent", "GET", "/api/v1/tickets?status=new&channel=email&limit=2&cursor="+cursor, nil), 200)
			for _, it := range r.items() {
				if it["channel"] != "email" || seen[it["id"].(float64)] {
					t.Errorf("unexpected item %v", it)
				}
				seen[it["id"].(float64)] = true
			}
			cursor, _ = r.JSON["next_cursor"].(string)
			if cursor == "" {
				break
			}
		}
		if len(seen) != 4 {
			t.Errorf("paged %d email tickets, want 4", len(seen))
		}
		r := e.do("agent", "GET", "/api/v1/tickets?status=bogus", nil)
		if r.Status != 400 || r.errField() != "status" {
			t.Errorf("bad status filter: %d %s", r.Status, r.Body)
		}
		r = e.do("agent", "GET", "/api/v1/tickets?limit=5000", nil)
		if r.Status != 400 || r.errField() != "limit" {
			t.Errorf("bad limit: %d %s", r.Status, r.Body)
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		body := map[string]any{"subject": "退款", "channel": "api", "customer": map[string]any{"email": "idem@example.com"}, "message": map[string]any{"body": "我要退款"}}
		first := e.mustStatus(e.do("agent", "POST", "/api/v1/tickets", body, "Idempotency-Key", "abc-1"), 201)
		again := e.mustStatus(e.do("agent", "POST", "/api/v1/tickets", body, "Idempotency-Key", "abc-1"), 201)
		if first.id() != again.id() || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("retry returned %d (replayed=%q), first %d", again.id(), again.Header.Get("Idempotent-Replayed"), first.id())
		}
		if n := e.countTickets(); n != 1 {
			t.Errorf("%d tickets after a retried create, want 1", n)
		}
		body["subject"] = "别的"
		r := e.do("agent", "POST", "/api/v1/tickets", body, "Idempotency-Key", "abc-1")
		if r.Status != 422 || r.errCode() != "idempotency_key_reused" {
			t.Errorf("key reused for another body: %d %s", r.Status, r.Body)
		}
		// Keys belong to their user: another user's same key is a new request.
		e.mustStatus(e.do("lead", "POST", "/api/v1/tickets", body, "Idempotency-Key", "abc-1"), 201)
		// A failed request does not burn its key.
		bad := map[string]any{"subject": "x", "channel": "fax", "customer": map[string]any{"email": "i2@example.com"}, "message": map[string]any{"body": "x"}}
		if r := e.do("agent", "POST", "/api/v1/tickets", bad, "Idempotency-Key", "k2"); r.Status != 422 {
			t.Fatalf("bad channel: %d", r.Status)
		}
		bad["channel"] = "email"
		e.mustStatus(e.do("agent", "POST", "/api/v1/tickets", bad, "Idempotency-Key", "k2"), 201)
	})
}

func TestBadInputChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		base := e.newTicket("agent", nil)
		tp := fmt.Sprintf("/api/v1/tickets/%d", base.id())
		solved := e.newTicket("agent", map[string]any{"customer": map[string]any{"email": "s@example.com"}})
		sp := fmt.Sprintf("/api/v1/tickets/%d", solved.id())
		e.mustStatus(e.do("agent", "PATCH", sp, map[string]any{"status": "solved"}), 200)
		before := e.countTickets()
		valid := `{"subject":"s","channel":"api","customer":{"email":"x@example.com"},"message":{"body":"b"}}`
		cases := []struct {
			name, method, path string
			body               any
			status             int
			code, field        string
		}{
			{"malformed JSON", "POST", "/api/v1/tickets", `{"subject": "s",`, 400, "malformed_json", ""},
			{"not JSON at all", "POST", "/api/v1/tickets", `subject=s`, 400, "malformed_json", ""},
			{"trailing data", "POST", "/api/v1/tickets", valid + `{}`, 400, "malformed_json", ""},
			{"empty body", "POST", "/api/v1/tickets", ``, 400, "malformed_json", ""},
			{"wrong type", "POST", "/api/v1/tickets", `{"subject": 42, "channel":"api"}`, 400, "wrong_type", "subject"},
			{"wrong nested type", "POST", "/api/v1/tickets", `{"subject":"s","channel":"api","customer":{"email":"x@example.com"},"message":{"body":"b"},"order_id":"12"}`, 400, "wrong_type", "order_id"},
			{"unknown field", "POST", "/api/v1/tickets", `{"subject":"s","channel":"api","colour":"red"}`, 400, "unknown_field", "colour"},
			{"oversized body", "POST", "/api/v1/tickets", `{"subject":"` + strings.Repeat("x", 2<<20) + `"}`, 413, "too_large", ""},
			{"unknown channel", "POST", "/api/v1/tickets", `{"subject":"s","channel":"fax","customer":{"email":"x@example.com"},"message":{"body":"b"}}`, 422, "invalid", "channel"},
			{"bad email", "POST", "/api/v1/tickets", `{"subject":"s","channel":"api","customer":{"email":"not-an-email"},"message":{"body":"b"}}`, 422, "invalid", "customer.email"},
			{"no customer", "POST", "/api/v1/tickets", `{"subject":"s","channel":"api","message":{"body":"b"}}`, 422, "invalid", "customer"},
			{"no body", "POST", "/api/v1/tickets", `{"subject":"s","channel":"api","customer":{"email":"x@example.com"},"message":{}}`, 422, "invalid", "message.body"},
			{"subject too long", "POST", "/api/v1/tickets", `{"subject":"` + strings.Repeat("长", 501) + `","channel":"api","customer":{"email":"x@example.com"},"message":{"body":"b"}}`, 422, "invalid", "subject"},
			{"unknown team", "POST", "/api/v1/tickets", `{"subject":"s","channel":"api","team_id":999999,"customer":{"email":"x@example.com"},"message":{"body":"b"}}`, 422, "unknown_reference", "team_id"},
			{"unknown order", "POST", "/api/v1/tickets", `{"subject":"s","channel":"api","order_id":999999,"customer":{"email":"x@example.com"},"message":{"body":"b"}}`, 422, "unknown_reference", "order_id"},
			{"unknown customer id", "POST", "/api/v1/tickets", `{"subject":"s","channel":"api","customer":{"id":999999},"message":{"body":"b"}}`, 422, "unknown_reference", "customer.id"},
			{"unknown ticket", "GET", "/api/v1/tickets/999999", nil, 404, "not_found", ""},
			{"non-numeric id", "GET", "/api/v1/tickets/abc", nil, 404, "not_found", ""},
			{"reply to unknown ticket", "POST", "/api/v1/tickets/999999/messages", `{"kind":"reply","body":"x"}`, 404, "not_found", ""},
			{"bad message kind", "POST", tp + "/messages", `{"kind":"shout","body":"x"}`, 422, "invalid", "kind"},
			{"forbidden transition", "PATCH", sp, `{"status":"pending"}`, 409, "conflict", "status"},
			{"unknown status", "PATCH", tp, `{"status":"done"}`, 422, "invalid", "status"},
			{"unknown assignee", "PATCH", tp, `{"assignee_id": 999999}`, 422, "unknown_reference", "assignee_id"},
			{"unknown category", "PATCH", tp, `{"category_id": 999999}`, 422, "unknown_reference", "category_id"},
			{"bad priority", "PATCH", tp, `{"priority":"asap"}`, 422, "invalid", "priority"},
			{"patch unknown field", "PATCH", tp, `{"colour":"red"}`, 400, "unknown_field", "colour"},
			{"transfer without note", "POST", tp + "/transfer", `{"to_team_id": 1}`, 422, "invalid", "note"},
			{"merge into itself", "POST", tp + "/merge", fmt.Sprintf(`{"target_id": %d}`, base.id()), 422, "invalid", "target_id"},
			{"merge into unknown", "POST", tp + "/merge", `{"target_id": 999999}`, 422, "unknown_reference", "target_id"},
			{"wrong content type", "POST", "/api/v1/customers", nil, 415, "unsupported_media_type", ""},
			{"unknown route", "GET", "/api/v1/nothing", nil, 404, "no_route", ""},
			{"order for unknown customer id", "POST", "/api/v1/orders", `{"orders":[{"external_id":"SO1","number":"D1","customer":{"id":999999},"placed_at":"2026-11-01T10:00:00+08:00"}]}`, 422, "unknown_reference", "orders[0].customer.id"},
			{"order with bad time", "POST", "/api/v1/orders", `{"orders":[{"external_id":"SO1","number":"D1","customer":{"email":"o@example.com"},"placed_at":"yesterday"}]}`, 400, "wrong_type", ""},
			{"order item without sku", "POST", "/api/v1/orders", `{"orders":[{"external_id":"SO1","number":"D1","customer":{"email":"o@example.com"},"placed_at":"2026-11-01T10:00:00+08:00","items":[{"product_name":"x","quantity":1}]}]}`, 422, "invalid", "orders[0].items[0].sku"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				role := "admin"
				var r resp
				if tc.name == "wrong content type" {
					r = e.do(role, tc.method, tc.path, `{"name":"x"}`, "Content-Type", "text/plain")
				} else {
					r = e.do(role, tc.method, tc.path, tc.body)
				}
				if r.Status != tc.status || r.errCode() != tc.code || r.errField() != tc.field {
					t.Errorf("got %d %s/%s, want %d %s/%s: %s", r.Status, r.errCode(), r.errField(), tc.status, tc.code, tc.field, r.Body)
				}
				if e, _ := r.JSON["error"].(map[string]any); e == nil || e["message"] == "" {
					t.Errorf("error shape missing: %s", r.Body)
				}
			})
		}
		if after := e.countTickets(); after != before {
			t.Errorf("bad requests changed the ticket count from %d to %d", before, after)
		}
		got := e.mustStatus(e.do("agent", "GET", tp, nil), 200)
		if got.JSON["status"] != "new" || got.JSON["assignee_id"] != nil || got.JSON["priority"] != "normal" {
			t.Errorf("bad patches changed the ticket: %v", got.JSON)
		}
		if msgs := e.mustStatus(e.do("agent", "GET", tp+"/messages", nil), 200).items(); len(msgs) != 1 {
			t.Errorf("bad requests added messages: %d", len(msgs))
		}
		if cs := e.mustStatus(e.do("admin", "GET", "/api/v1/customers?email=o@example.com", nil), 200).items(); len(cs) != 0 {
			t.Errorf("a refused order upsert created its customer: %v", cs)
		}
	})
}
