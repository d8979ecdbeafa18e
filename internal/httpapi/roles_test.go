package httpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// TestRoles checks the role rules on every endpoint: who may read and
// change what, and that a ticket outside a user's scope is "not found".
func TestRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		// A sales ticket, a ticket handed to the warehouse, and a tech team ticket.
		sales := e.newTicket("agent", nil).id()
		handed := e.newTicket("agent", map[string]any{"customer": map[string]any{"email": "h@example.com"}}).id()
		e.mustStatus(e.do("agent", "POST", fmt.Sprintf("/api/v1/tickets/%d/transfer", handed), map[string]any{"to_team_id": e.teams["warehouse"], "note": "请仓库核实是否发错货"}), 201)
		tech := e.newTicket("admin", map[string]any{"team_id": e.teams["tech"], "customer": map[string]any{"email": "t@example.com"}}).id()
		salesCustomer := int64(e.mustStatus(e.do("admin", "GET", fmt.Sprintf("/api/v1/tickets/%d", sales), nil), 200).JSON["customer_id"].(float64))
		techCustomer := int64(e.mustStatus(e.do("admin", "GET", fmt.Sprintf("/api/v1/tickets/%d", tech), nil), 200).JSON["customer_id"].(float64))
		order := e.mustStatus(e.do("admin", "POST", "/api/v1/orders", map[string]any{"orders": []any{map[string]any{
			"external_id": "SO-9", "number": "DD9", "customer": map[string]any{"id": salesCustomer}, "placed_at": "2026-11-01T10:00:00+08:00"}}}), 200)
		orderID := int64(order.items()[0]["id"].(float64))

		tp := func(id int64) string { return fmt.Sprintf("/api/v1/tickets/%d", id) }
		type check struct {
			method, path string
			body         any
			want         map[string]int // role → status
		}
		all := func(s int) map[string]int {
			return map[string]int{"admin": s, "lead": s, "agent": s, "agent2": s, "warehouse": s}
		}
		checks := []check{
			{"GET", "/api/v1/me", nil, all(200)},
			{"GET", tp(sales), nil, map[string]int{"admin": 200, "lead": 200, "agent": 200, "agent2": 404, "warehouse": 404}},
			{"GET", tp(handed), nil, map[string]int{"admin": 200, "lead": 200, "agent": 200, "agent2": 404, "warehouse": 200}},
			{"GET", tp(tech), nil, map[string]int{"admin": 200, "lead": 200, "agent": 404, "agent2": 200, "warehouse": 404}},
			{"GET", tp(sales) + "/messages", nil, map[string]int{"admin": 200, "agent": 200, "agent2": 404, "warehouse": 404}},
			{"GET", tp(handed) + "/messages", nil, map[string]int{"warehouse": 200, "agent2": 404}},
			{"GET", tp(sales) + "/activity", nil, map[string]int{"agent": 200, "warehouse": 404}},
			{"GET", tp(handed) + "/handoffs", nil, map[string]int{"warehouse": 200, "agent2": 404}},
			{"POST", tp(handed) + "/messages", map[string]any{"kind": "note", "body": "已核实，发错了颜色"}, map[string]int{"warehouse": 201, "agent2": 404}},
			{"POST", tp(handed) + "/messages", map[string]any{"kind": "reply", "body": "您好"}, map[string]int{"warehouse": 403, "agent": 201}},
			{"PATCH", tp(handed), map[string]any{"priority": "high"}, map[string]int{"warehouse": 403, "agent2": 404, "agent": 200}},
			{"PATCH", tp(tech), map[string]any{"priority": "high"}, map[string]int{"agent": 404, "agent2": 200}},
			{"POST", "/api/v1/tickets", map[string]any{"subject": "s", "channel": "api", "customer": map[string]any{"email": "n@example.com"}, "message": map[string]any{"body": "b"}},
				map[string]int{"warehouse": 403, "agent": 201, "lead": 201}},
			{"GET", "/api/v1/customers", nil, map[string]int{"admin": 200, "agent": 200, "warehouse": 403}},
			{"GET", fmt.Sprintf("/api/v1/customers/%d", salesCustomer), nil, map[string]int{"agent": 200, "warehouse": 404}},
			{"GET", fmt.Sprintf("/api/v1/customers/%d/tickets", techCustomer), nil, map[string]int{"agent2": 200, "warehouse": 404}},
			{"POST", "/api/v1/customers", map[string]any{"name": "新客户"}, map[string]int{"agent": 201, "warehouse": 403}},
			{"GET", fmt.Sprintf("/api/v1/orders/%d", orderID), nil, map[string]int{"agent": 200, "warehouse": 404}},
			{"GET", "/api/v1/orders", nil, map[string]int{"agent": 200, "warehouse": 403}},
			{"POST", "/api/v1/orders", map[string]any{"orders": []any{map[string]any{"external_id": "SO-10", "number": "DD10", "customer": map[string]any{"email": "o10@example.com"}, "placed_at": "2026-11-01T10:00:00Z"}}},
				map[string]int{"admin": 200, "lead": 200, "agent": 403, "warehouse": 403}},
			{"GET", "/api/v1/users", nil, all(200)},
			{"POST", "/api/v1/users", map[string]any{"email": "new@test.test", "name": "n", "role": "agent"}, map[string]int{"lead": 403, "agent": 403, "warehouse": 403, "admin": 201}},
			{"PATCH", fmt.Sprintf("/api/v1/users/%d", e.users["agent2"].ID), map[string]any{"name": "x", "role": "agent"}, map[string]int{"agent": 403, "lead": 403, "admin": 200}},
			{"GET", "/api/v1/teams", nil, all(200)},
			{"POST", "/api/v1/teams", map[string]any{"name": "物流", "kind": "department"}, map[string]int{"lead": 403, "admin": 201}},
			{"GET", "/api/v1/categories", nil, all(200)},
			{"POST", "/api/v1/categories", map[string]any{"key": "product.smell", "name_zh": "异味", "name_en": "Bad smell"}, map[string]int{"agent": 403, "lead": 201}},
			{"POST", tp(sales) + "/merge", map[string]any{"target_id": tech}, map[string]int{"warehouse": 403, "agent": 422}},
		}
		for _, c := range checks {
			for _, role := range []string{"admin", "lead", "agent", "agent2", "warehouse"} {
				want, ok := c.want[role]
				if !ok {
					continue
				}
				r := e.do(role, c.method, c.path, c.body)
				if r.Status != want {
					t.Errorf("%s %s as %s: got %d, want %d: %s", c.method, c.path, role, r.Status, want, strings.TrimSpace(string(r.Body)))
				}
			}
		}
		// Lists show only what the user may open.
		for role, want := range map[string][]int64{"warehouse": {handed}, "agent2": {tech}} {
			r := e.mustStatus(e.do(role, "GET", "/api/v1/tickets?limit=100", nil), 200)
			var got []int64
			for _, it := range r.items() {
				got = append(got, int64(it["id"].(float64)))
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s lists %v, want %v", role, got, want)
			}
		}
		// No token, a bad token, a disabled user.
		if r := e.do("", "GET", "/api/v1/tickets", nil); r.Status != 401 || r.errCode() != "unauthorized" {
			t.Errorf("no token: %d %s", r.Status, r.Body)
		}
		e.tokens["bogus"] = "kefu_nope"
		if r := e.do("bogus", "GET", "/api/v1/tickets", nil); r.Status != 401 {
			t.Errorf("bad token: %d", r.Status)
		}
		e.mustStatus(e.do("admin", "PATCH", fmt.Sprintf("/api/v1/users/%d", e.users["agent2"].ID), map[string]any{"name": "x", "role": "agent", "status": "disabled"}), 200)
		if r := e.do("agent2", "GET", "/api/v1/tickets", nil); r.Status != 401 {
			t.Errorf("disabled user: %d", r.Status)
		}
	})
}
