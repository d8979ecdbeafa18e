package httpapi_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// TestTicketSLAContract checks what outside tools rely on: a ticket's JSON
// carries sla with the three due times (RFC 3339, null where no target
// applies) and the list of breached targets.
func TestTicketSLAContract(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		// Without a policy the object is there, every due time null.
		tk := e.newTicket("agent", nil)
		sla, ok := tk.JSON["sla"].(map[string]any)
		if !ok {
			t.Fatalf("ticket has no sla object: %s", tk.Body)
		}
		for _, k := range []string{"first_response_due_at", "next_response_due_at", "resolution_due_at"} {
			if v, present := sla[k]; !present || v != nil {
				t.Errorf("no policy: %s = %v (present %v), want null", k, v, present)
			}
		}
		if b, ok := sla["breached"].([]any); !ok || len(b) != 0 {
			t.Errorf("breached = %v, want []", sla["breached"])
		}

		// An admin sets up the demo calendar and a default policy; agents may not.
		cal := map[string]any{"name": "工作日", "time_zone": "Asia/Shanghai", "is_default": true,
			"hours": map[string]any{"mon": []string{"09:00-18:00"}, "tue": []string{"09:00-18:00"}, "wed": []string{"09:00-18:00"}, "thu": []string{"09:00-18:00"}, "fri": []string{"09:00-18:00"}}}
		e.mustStatus(e.do("agent", "POST", "/api/v1/calendars", cal), 403)
		created := e.mustStatus(e.do("admin", "POST", "/api/v1/calendars", cal), 201)
		calID := created.id()
		ics := "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261001\r\nDTEND;VALUE=DATE:20261008\r\nSUMMARY:国庆节\r\nEND:VEVENT\r\n" +
			"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261010\r\nSUMMARY:国庆节 补班\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		imp := e.mustStatus(e.do("admin", "POST", fmt.Sprintf("/api/v1/calendars/%d/import", calID), ics), 200)
		if days, _ := imp.JSON["days"].([]any); len(days) != 8 {
			t.Errorf("imported %d days, want 7 holidays and 1 make-up day: %s", len(days), imp.Body)
		}
		// The import's recompute runs in the background: the answer says so,
		// and its progress can be read until it is done.
		job, _ := imp.JSON["recompute"].(map[string]any)
		if job == nil || job["state"] != "running" || job["calendar_id"] != float64(calID) {
			t.Errorf("import answer has no running recompute: %s", imp.Body)
		}
		status := e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/calendars/%d/recompute", calID), nil), 200)
		if status.JSON["state"] == nil || status.JSON["done"] == nil {
			t.Errorf("recompute status: %s", status.Body)
		}
		e.mustStatus(e.do("agent", "GET", "/api/v1/calendars/999999/recompute", nil), 404)
		bad := e.do("admin", "POST", "/api/v1/calendars", map[string]any{"name": "x", "time_zone": "Mars/Base", "hours": map[string]any{"mon": []string{"09:00-18:00"}}})
		if bad.Status != 422 || fieldOf(bad) != "time_zone" {
			t.Errorf("bad zone: %d %s", bad.Status, bad.Body)
		}
		pol := map[string]any{"name": "默认 Default", "first_response_minutes": 120, "next_response_minutes": 240, "resolution_minutes": 1440, "warn_share": 0.75,
			"escalation": map[string]any{"notify_lead": true}}
		e.mustStatus(e.do("agent", "POST", "/api/v1/sla-policies", pol), 403)
		e.mustStatus(e.do("admin", "POST", "/api/v1/sla-policies", pol), 201)
		badPol := e.do("admin", "POST", "/api/v1/sla-policies", map[string]any{"name": "none"})
		if badPol.Status != 422 {
			t.Errorf("policy without targets: %d %s", badPol.Status, badPol.Body)
		}

		// The existing ticket got the policy; a new one shows it on creation.
		got := e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/tickets/%d", tk.id()), nil), 200)
		sla = got.JSON["sla"].(map[string]any)
		if _, err := time.Parse(time.RFC3339, fmt.Sprint(sla["first_response_due_at"])); err != nil {
			t.Errorf("first_response_due_at = %v, want RFC 3339", sla["first_response_due_at"])
		}
		if sla["resolution_due_at"] == nil || sla["next_response_due_at"] != nil {
			t.Errorf("sla = %v", sla)
		}
		fresh := e.newTicket("agent", nil)
		if s := fresh.JSON["sla"].(map[string]any); s["first_response_due_at"] == nil || s["policy_name"] != "默认 Default" {
			t.Errorf("new ticket sla = %v", s)
		}
		// Lists carry it too.
		list := e.mustStatus(e.do("agent", "GET", "/api/v1/tickets", nil), 200)
		for _, it := range list.items() {
			if s, ok := it["sla"].(map[string]any); !ok || s["first_response_due_at"] == nil {
				t.Errorf("listed ticket %v has sla %v", it["id"], it["sla"])
			}
		}
		// The at-risk view lists both tickets' targets within a week.
		risk := e.mustStatus(e.do("agent", "GET", "/api/v1/at-risk?within=10080", nil), 200)
		if n := len(risk.items()); n != 4 {
			t.Errorf("at risk: %d entries, want first response and resolution of 2 tickets: %s", n, risk.Body)
		}
		// Promise with a quick choice, then its list with the due time.
		p := e.mustStatus(e.do("agent", "POST", fmt.Sprintf("/api/v1/tickets/%d/promises", fresh.id()), map[string]any{"in": "24h", "note": "联系仓库"}), 201)
		if p.JSON["state"] != "open" || p.JSON["due_soon"] != false {
			t.Errorf("promise = %s", p.Body)
		}
		ps := e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/tickets/%d/promises", fresh.id()), nil), 200)
		if len(ps.items()) != 1 {
			t.Errorf("promises: %s", ps.Body)
		}
		e.mustStatus(e.do("warehouse", "POST", fmt.Sprintf("/api/v1/promises/%d/keep", p.id()), nil), 403) // collaborators do not change tickets
		kept := e.mustStatus(e.do("agent", "POST", fmt.Sprintf("/api/v1/promises/%d/keep", p.id()), nil), 200)
		if kept.JSON["state"] != "kept" {
			t.Errorf("kept promise: %s", kept.Body)
		}
		detail := e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/tickets/%d/sla", fresh.id()), nil), 200)
		if targets, _ := detail.JSON["targets"].([]any); len(targets) != 2 {
			t.Errorf("ticket SLA detail: %s", detail.Body)
		}
	})
}

func fieldOf(r resp) string {
	e, _ := r.JSON["error"].(map[string]any)
	f, _ := e["field"].(string)
	return f
}

func TestRoutingAndAutomationEndpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		agent, agent2 := e.users["agent"], e.users["agent2"]
		me := e.mustStatus(e.do("agent", "PATCH", fmt.Sprintf("/api/v1/users/%d/routing", agent.ID), map[string]any{"presence": "online"}), 200)
		if me.JSON["presence"] != "online" {
			t.Errorf("presence: %s", me.Body)
		}
		e.mustStatus(e.do("agent", "PATCH", fmt.Sprintf("/api/v1/users/%d/routing", agent2.ID), map[string]any{"presence": "offline"}), 403)
		e.mustStatus(e.do("agent", "PATCH", fmt.Sprintf("/api/v1/users/%d/routing", agent.ID), map[string]any{"capacity": 99}), 403)
		e.mustStatus(e.do("lead", "PATCH", fmt.Sprintf("/api/v1/users/%d/routing", agent.ID), map[string]any{"capacity": 3, "skills": []string{"logistics"}}), 200)
		got := e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/users/%d/routing", agent.ID), nil), 200)
		if got.JSON["capacity"] != float64(3) {
			t.Errorf("routing state %s", got.Body)
		}

		rule := map[string]any{"name": "退款", "triggers": []any{map[string]any{"on": "ticket.created"}},
			"conditions": []any{map[string]any{"field": "ticket.subject", "op": "contains", "value": "退款"}},
			"actions":    []any{map[string]any{"type": "add_tags", "tags": []string{"refund"}}}}
		e.mustStatus(e.do("agent", "POST", "/api/v1/automation-rules", rule), 403)
		created := e.mustStatus(e.do("admin", "POST", "/api/v1/automation-rules", rule), 201)
		if created.JSON["enabled"] != true {
			t.Errorf("new rule not enabled: %s", created.Body)
		}
		bad := e.do("admin", "POST", "/api/v1/automation-rules", map[string]any{"name": "x", "triggers": []any{map[string]any{"on": "never"}}})
		if bad.Status != 422 || fieldOf(bad) != "triggers[0].on" {
			t.Errorf("bad rule: %d %s", bad.Status, bad.Body)
		}
		tk := e.newTicket("agent", map[string]any{"subject": "我要退款"})
		dry := e.mustStatus(e.do("admin", "POST", "/api/v1/automation-dry-run", map[string]any{"rule": rule, "ticket_id": tk.id()}), 200)
		if dry.JSON["matches"] != true {
			t.Errorf("dry run: %s", dry.Body)
		}
		list := e.mustStatus(e.do("admin", "GET", "/api/v1/automation-rules", nil), 200)
		if len(list.items()) != 1 {
			t.Errorf("rules: %s", list.Body)
		}
		rule["enabled"] = false
		upd := e.mustStatus(e.do("admin", "PUT", fmt.Sprintf("/api/v1/automation-rules/%d", created.id()), rule), 200)
		if upd.JSON["enabled"] != false {
			t.Errorf("disable: %s", upd.Body)
		}
		e.mustStatus(e.do("admin", "DELETE", fmt.Sprintf("/api/v1/automation-rules/%d", created.id()), nil), 204)
		e.mustStatus(e.do("admin", "GET", fmt.Sprintf("/api/v1/automation-rules/%d", created.id()), nil), 404)
	})
}

func TestScheduledReplyEndpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		tk := e.newTicket("agent", nil)
		at := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		m := e.mustStatus(e.do("agent", "POST", fmt.Sprintf("/api/v1/tickets/%d/scheduled-replies", tk.id()), map[string]any{"body": "明早回复", "send_at": at}), 201)
		if m.JSON["state"] != "scheduled" {
			t.Errorf("scheduled: %s", m.Body)
		}
		e.mustStatus(e.do("warehouse", "POST", fmt.Sprintf("/api/v1/tickets/%d/scheduled-replies", tk.id()), map[string]any{"body": "x", "send_at": at}), 403)
		c := e.mustStatus(e.do("agent", "POST", fmt.Sprintf("/api/v1/scheduled-replies/%d/cancel", m.id()), nil), 200)
		if c.JSON["state"] != "cancelled" {
			t.Errorf("cancelled: %s", c.Body)
		}
		e.mustStatus(e.do("agent", "POST", fmt.Sprintf("/api/v1/scheduled-replies/%d/cancel", m.id()), nil), 409)
		// Snooze: the ticket leaves lists that hide snoozed tickets.
		e.mustStatus(e.do("agent", "PUT", fmt.Sprintf("/api/v1/tickets/%d/snooze", tk.id()), map[string]any{"until": at}), 200)
		other := e.newTicket("agent", nil)
		hidden := e.mustStatus(e.do("agent", "GET", "/api/v1/tickets?snoozed=hide", nil), 200)
		only := e.mustStatus(e.do("agent", "GET", "/api/v1/tickets?snoozed=only", nil), 200)
		if len(hidden.items()) != 1 || hidden.items()[0]["id"] != float64(other.id()) || len(only.items()) != 1 || only.items()[0]["id"] != float64(tk.id()) {
			t.Errorf("snoozed=hide %s\nsnoozed=only %s", hidden.Body, only.Body)
		}
		e.mustStatus(e.do("agent", "DELETE", fmt.Sprintf("/api/v1/tickets/%d/snooze", tk.id()), nil), 204)
		e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/tickets/%d/snooze", tk.id()), nil), 404)
		list := e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/tickets/%d/scheduled-replies", tk.id()), nil), 200)
		if len(list.items()) != 1 {
			t.Errorf("list: %s", list.Body)
		}
	})
}
