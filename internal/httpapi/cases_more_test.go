package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// TestPlaybooksAndPolicy: every problem has a playbook, a shop's edit
// changes the recommendation and can be undone, and policy changes are
// validated field by field.
func TestPlaybooksAndPolicy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		_, _, orderID, items := shopSetup(t, e, 2*24*time.Hour)
		pbs := e.mustStatus(e.do("agent", "GET", "/api/v1/aftersale/playbooks", nil), 200).items()
		if len(pbs) != 22 {
			t.Errorf("%d playbooks, want one per problem (22)", len(pbs))
		}
		path := "/api/v1/aftersale/playbooks/product.colour_difference"
		pb := e.mustStatus(e.do("agent", "GET", path, nil), 200).JSON
		if pb["first_offer"] != "exchange" || pb["custom"] != false {
			t.Errorf("default playbook = %v", pb)
		}
		pb["first_offer"], pb["fallbacks"] = "compensation", []string{"return_refund"}
		delete(pb, "custom")
		e.mustStatus(e.do("agent", "PUT", path, pb), 403)
		edited := e.mustStatus(e.do("lead", "PUT", path, pb), 200).JSON
		if edited["custom"] != true {
			t.Errorf("edited = %v", edited)
		}
		eval := func() map[string]any {
			return e.mustStatus(e.do("agent", "POST", "/api/v1/cases/evaluate", map[string]any{"order_id": orderID, "kind": "exchange",
				"reason": "product.colour_difference", "items": []any{map[string]any{"order_item_id": items[0], "quantity": 1}}}), 200).JSON
		}
		if rec := eval()["recommended"].(map[string]any); rec["kind"] != "compensation" || rec["amount"] != float64(500) {
			t.Errorf("after the edit the policy recommends %v", rec)
		}
		e.mustStatus(e.do("lead", "DELETE", path, nil), 200)
		if rec := eval()["recommended"].(map[string]any); rec["kind"] != "exchange" {
			t.Errorf("after the reset the policy recommends %v", rec)
		}
		bad := map[string]any{"first_offer": "exchange", "tasks": []any{map[string]any{"department": "marketing", "when": "received", "due_hours": 24, "title_zh": "x"}}}
		if r := e.do("lead", "PUT", path, bad); r.Status != 422 || r.errField() != "tasks[0].department" {
			t.Errorf("unknown department: %d %s", r.Status, r.Body)
		}
		if r := e.do("lead", "PUT", "/api/v1/aftersale/playbooks/product.nothing", map[string]any{"first_offer": "exchange"}); r.Status != 404 {
			t.Errorf("playbook for an unknown problem: %d", r.Status)
		}

		// Policy: a longer no-reason window makes a late return eligible; nonsense is refused.
		pol := e.mustStatus(e.do("agent", "GET", "/api/v1/aftersale/policy", nil), 200).JSON
		pol["compensation"].(map[string]any)["same_city"] = map[string]any{"min": 1000, "recommended": 500, "max": 200}
		if r := e.do("admin", "PUT", "/api/v1/aftersale/policy", pol); r.Status != 422 || r.errField() != "compensation.same_city" {
			t.Errorf("upside-down band: %d %s", r.Status, r.Body)
		}
		pol = e.mustStatus(e.do("agent", "GET", "/api/v1/aftersale/policy", nil), 200).JSON
		pol["time_zone"] = "Nowhere/Atlantis"
		if r := e.do("admin", "PUT", "/api/v1/aftersale/policy", pol); r.Status != 422 || r.errField() != "time_zone" {
			t.Errorf("bad time zone: %d %s", r.Status, r.Body)
		}
	})
}

// TestWebhookGivesUp: a shop that keeps failing exhausts the retries and
// the case shows it; the agent sends it again; the shop can report that it
// could not carry it out, and the agent then records it by hand.
func TestWebhookGivesUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		_, clk, orderID, items := shopSetup(t, e, 2*24*time.Hour)
		var calls atomic.Int32
		down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			http.Error(w, "down", http.StatusBadGateway)
		}))
		t.Cleanup(down.Close)
		e.mustStatus(e.do("admin", "PUT", "/api/v1/aftersale/webhook", map[string]any{"url": down.URL, "max_attempts": 2}), 200)
		ticketID := e.ticketFor(orderID)
		c := e.mustStatus(e.do("agent", "POST", "/api/v1/cases", map[string]any{"ticket_id": ticketID, "kind": "compensation", "reason": "product.flaw", "amount": 500,
			"items": []any{map[string]any{"order_item_id": items[0], "quantity": 1}}}), 201)
		cp := fmt.Sprintf("/api/v1/cases/%d", c.id())
		e.mustStatus(e.do("agent", "POST", cp+"/transitions", map[string]any{"to": "approved"}), 200)
		e.mustStatus(e.do("agent", "POST", cp+"/execution/retry", nil), 409) // nothing has failed yet
		for i := 0; i < 2; i++ {
			if n, err := e.cases.DeliverDue(context.Background()); err != nil || n != 1 {
				t.Fatalf("attempt %d: %d %v", i+1, n, err)
			}
			clk.advance(time.Minute)
		}
		got := e.mustStatus(e.do("agent", "GET", cp, nil), 200).JSON
		dl := got["deliveries"].([]any)[0].(map[string]any)
		if got["execution_status"] != "failed" || dl["status"] != "failed" || dl["attempts"] != float64(2) || calls.Load() != 2 {
			t.Fatalf("after the retries: execution %v, delivery %v, calls %d", got["execution_status"], dl, calls.Load())
		}
		if n, _ := e.cases.DeliverDue(context.Background()); n != 0 {
			t.Errorf("a failed delivery was tried again: %d", n)
		}
		again := e.mustStatus(e.do("agent", "POST", cp+"/execution/retry", nil), 200).JSON
		ds := again["deliveries"].([]any)
		newID := ds[1].(map[string]any)["event_id"]
		if len(ds) != 2 || again["execution_status"] != "pending" || newID == dl["event_id"] {
			t.Fatalf("retry: %v", again)
		}
		conf := e.mustStatus(e.do("admin", "POST", cp+"/confirmation", map[string]any{"event_id": newID, "status": "failed", "message": "该订单已在平台发起退款"}), 200).JSON
		if cs := conf["case"].(map[string]any); cs["execution_status"] != "failed" || cs["status"] != "approved" {
			t.Errorf("shop reported failure: %v", cs)
		}
		done := e.mustStatus(e.do("agent", "POST", cp+"/transitions", map[string]any{"to": "executed", "note": "已在淘宝后台手动退款 5 元"}), 200).JSON
		if done["status"] != "executed" || done["execution_status"] != "confirmed" {
			t.Errorf("manual execution: %v %v", done["status"], done["execution_status"])
		}
		if r := e.do("admin", "POST", cp+"/confirmation", map[string]any{"event_id": "kefu_case_0_nope"}); r.Status != 422 || r.errField() != "event_id" {
			t.Errorf("unknown event id: %d %s", r.Status, r.Body)
		}
	})
}
