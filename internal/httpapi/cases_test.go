package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/aftersale"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// testShop is a shop's system that receives kefu's signed webhooks: it
// fails the first call (to prove the retry) and accepts the rest.
type testShop struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	calls  []shopCall
	srv    *httptest.Server
}

type shopCall struct {
	eventID, idemKey string
	body             string
	signatureOK      bool
}

func newTestShop(t *testing.T) *testShop {
	s := &testShop{t: t}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		defer s.mu.Unlock()
		err := aftersale.VerifySignature(s.secret, r.Header.Get(aftersale.HeaderSignature), body, time.Now())
		s.calls = append(s.calls, shopCall{eventID: r.Header.Get(aftersale.HeaderEventID), idemKey: r.Header.Get("Idempotency-Key"), body: string(body), signatureOK: err == nil})
		if len(s.calls) == 1 {
			http.Error(w, "database is busy", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *testShop) callCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

// clock is a movable time for the after-sales service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// shopSetup gives the env a clock, the test shop as webhook, the test
// teams as the policy's departments, and a customer with a delivered order
// of a ¥79 T-shirt to Hangzhou (same city as the shop) and a ¥59.90 pair
// of shorts.
func shopSetup(t *testing.T, e *env, deliveredAgo time.Duration) (shop *testShop, clk *clock, orderID int64, items []int64) {
	t.Helper()
	clk = &clock{t: time.Now().UTC().Truncate(time.Microsecond)}
	e.cases.SetClock(clk.now)
	shop = newTestShop(t)
	wh := e.mustStatus(e.do("admin", "PUT", "/api/v1/aftersale/webhook", map[string]any{"url": shop.srv.URL}), 200)
	shop.secret, _ = wh.JSON["secret"].(string)
	if len(shop.secret) < 32 {
		t.Fatalf("webhook secret not shown once: %s", wh.Body)
	}
	if again := e.mustStatus(e.do("admin", "GET", "/api/v1/aftersale/webhook", nil), 200); again.JSON["secret"] != nil || again.JSON["secret_set"] != true {
		t.Errorf("the secret is shown again: %s", again.Body)
	}
	pol := e.mustStatus(e.do("agent", "GET", "/api/v1/aftersale/policy", nil), 200).JSON
	pol["departments"] = map[string]any{"warehouse": "warehouse", "tech": "tech", "logistics": "logistics"}
	e.mustStatus(e.do("admin", "PUT", "/api/v1/aftersale/policy", pol), 200)
	e.mustStatus(e.do("agent", "PUT", "/api/v1/aftersale/policy", pol), 403)

	delivered := clk.now().Add(-deliveredAgo)
	shipped := delivered.Add(-36 * time.Hour)
	r := e.mustStatus(e.do("admin", "POST", "/api/v1/orders", map[string]any{"orders": []any{map[string]any{
		"external_id": "SO-1001", "number": "KF20261101001", "customer": map[string]any{"email": "buyer@example.com", "name": "李雷"},
		"placed_at": shipped.Add(-24 * time.Hour), "paid_at": shipped.Add(-24 * time.Hour), "shipped_at": shipped, "delivered_at": delivered,
		"shipping_province": "浙江省", "shipping_city": "杭州市", "subtotal": 13890, "total": 13890,
		"items": []any{
			map[string]any{"sku": "AP-1001", "product_name": "纯棉圆领短袖T恤", "product_category": "apparel", "variant": "颜色: 雾霾蓝; 尺码: M", "quantity": 1, "unit_price": 7900, "unit_cost": 3100},
			map[string]any{"sku": "AP-1007", "product_name": "运动速干短裤", "product_category": "apparel", "variant": "颜色: 黑色; 尺码: L", "quantity": 1, "unit_price": 5990, "unit_cost": 4000},
		}}}}), 200)
	orderID = int64(r.items()[0]["id"].(float64))
	o := e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/orders/%d", orderID), nil), 200)
	for _, it := range o.JSON["items"].([]any) {
		items = append(items, int64(it.(map[string]any)["id"].(float64)))
	}
	return shop, clk, orderID, items
}

func (e *env) ticketFor(orderID int64) int64 {
	e.t.Helper()
	return e.newTicket("agent", map[string]any{"order_id": orderID, "type": "after_sales"}).id()
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

// TestCaseFlow is a colour-difference case from request to rating: the
// policy recommends an exchange, the agent approves it, the buyer ships it
// back, the warehouse passes the inspection, the webhook to the shop fails
// once and is retried, the shop confirms (twice: the second changes
// nothing) and the customer's rating completes the case.
func TestCaseFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		shop, clk, orderID, items := shopSetup(t, e, 2*24*time.Hour)
		ticketID := e.ticketFor(orderID)
		proposal := map[string]any{"order_id": orderID, "kind": "return_refund", "reason": "product.colour_difference",
			"items": []any{map[string]any{"order_item_id": items[0], "quantity": 1}}}

		ev := e.mustStatus(e.do("agent", "POST", "/api/v1/cases/evaluate", proposal), 200).JSON
		rec, _ := ev["recommended"].(map[string]any)
		if ev["eligible"] != true || rec["kind"] != "exchange" || rec["shipping_paid_by"] != "shop" {
			t.Fatalf("evaluate: eligible %v, recommended %v", ev["eligible"], rec)
		}
		// A quality-type return refunds the item and reimburses ¥15 return postage.
		if num(ev["ceiling"]) != 7900+1500 {
			t.Errorf("ceiling = %v, want 9400", ev["ceiling"])
		}
		if n, _ := e.st.CountTicketsByStatus(context.Background()); n == nil {
			t.Fatal("no counts")
		}
		before := e.mustStatus(e.do("agent", "GET", "/api/v1/cases", nil), 200).items()
		if len(before) != 0 {
			t.Fatalf("evaluate created something: %v", before)
		}

		body := map[string]any{"ticket_id": ticketID, "description": "颜色和图片差很多"}
		for k, v := range proposal {
			if k != "order_id" {
				body[k] = v
			}
		}
		created := e.mustStatus(e.do("agent", "POST", "/api/v1/cases", body), 201)
		caseID := created.id()
		cp := fmt.Sprintf("/api/v1/cases/%d", caseID)
		if created.JSON["status"] != "requested" || created.JSON["order_id"] != float64(orderID) || created.JSON["responsibility"] != "shop" {
			t.Errorf("created = %s", created.Body)
		}
		if dec, _ := created.JSON["decision"].(map[string]any); dec["recommended"].(map[string]any)["kind"] != "exchange" {
			t.Errorf("stored decision = %v", dec)
		}
		if dl, _ := created.JSON["deadlines"].([]any); len(dl) != 1 || dl[0].(map[string]any)["key"] != "process" || dl[0].(map[string]any)["overdue"] != false {
			t.Errorf("deadlines of a new case = %v", created.JSON["deadlines"])
		}
		byTicket := e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/cases?ticket_id=%d", ticketID), nil), 200).items()
		byOrder := e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/cases?order_id=%d", orderID), nil), 200).items()
		onTicket := e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/tickets/%d/cases", ticketID), nil), 200).items()
		if len(byTicket) != 1 || len(byOrder) != 1 || len(onTicket) != 1 {
			t.Errorf("lists: by ticket %d, by order %d, on ticket %d", len(byTicket), len(byOrder), len(onTicket))
		}
		// Photos as evidence.
		png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde")
		evs := e.mustStatus(e.do("agent", "POST", cp+"/evidence", map[string]any{"note": "客户补充的照片", "files": []any{map[string]any{"filename": "colour.png", "data": png}}}), 201).items()
		if len(evs) != 1 || evs[0]["content_type"] != "image/png" {
			t.Fatalf("evidence = %v", evs)
		}
		img := e.do("agent", "GET", fmt.Sprintf("%s/evidence/%d", cp, num(evs[0]["id"])), nil)
		if img.Status != 200 || img.Header.Get("Content-Type") != "image/png" || img.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("evidence download: %d %v", img.Status, img.Header)
		}

		// The agent approves the recommended exchange (no note needed: it is the recommendation).
		e.mustStatus(e.do("warehouse", "POST", cp+"/transitions", map[string]any{"to": "approved", "kind": "exchange"}), 404)
		app := e.mustStatus(e.do("agent", "POST", cp+"/transitions", map[string]any{"to": "approved", "kind": "exchange"}), 200).JSON
		if app["status"] != "approved" || app["kind"] != "exchange" || app["amount"] != float64(0) || app["shipping_paid_by"] != "shop" {
			t.Errorf("approved = %v %v %v %v", app["status"], app["kind"], app["amount"], app["shipping_paid_by"])
		}
		e.mustStatus(e.do("agent", "POST", cp+"/transitions", map[string]any{"to": "awaiting_return", "carrier": "顺丰速运", "tracking_number": "SF1234567890123"}), 200)
		recv := e.mustStatus(e.do("agent", "POST", cp+"/transitions", map[string]any{"to": "received", "note": "仓库已签收"}), 200).JSON
		tasks, _ := recv["tasks"].([]any)
		if len(tasks) != 1 {
			t.Fatalf("tasks after receipt = %v", recv["tasks"])
		}
		task := tasks[0].(map[string]any)
		if task["kind"] != "inspect" || num(task["team_id"]) != e.teams["warehouse"] || task["status"] != "open" {
			t.Errorf("task = %v", task)
		}
		// The warehouse sees its task (and only its teams' tasks), and the case through it.
		wt := e.mustStatus(e.do("warehouse", "GET", "/api/v1/case-tasks?status=open", nil), 200).items()
		if len(wt) != 1 || num(wt[0]["case_id"]) != caseID {
			t.Errorf("warehouse tasks = %v", wt)
		}
		e.mustStatus(e.do("warehouse", "GET", fmt.Sprintf("/api/v1/case-tasks?team_id=%d", e.teams["tech"]), nil), 403)
		e.mustStatus(e.do("warehouse", "GET", cp, nil), 200)
		e.mustStatus(e.do("agent2", "GET", cp, nil), 404)
		e.mustStatus(e.do("warehouse", "POST", fmt.Sprintf("/api/v1/case-tasks/%d/complete", num(task["id"])), map[string]any{"result": "fail"}), 422)
		e.mustStatus(e.do("warehouse", "POST", fmt.Sprintf("/api/v1/case-tasks/%d/complete", num(task["id"])), map[string]any{"result": "pass", "answer": "吊牌完好，确认色差"}), 200)
		got := e.mustStatus(e.do("agent", "GET", cp, nil), 200).JSON
		if got["status"] != "inspected" || got["execution_status"] != "pending" {
			t.Fatalf("after inspection: status %v execution %v", got["status"], got["execution_status"])
		}

		// The webhook: the first attempt fails, nothing is due until the backoff passes, the retry lands.
		if n, err := e.cases.DeliverDue(context.Background()); err != nil || n != 1 {
			t.Fatalf("first delivery: %d %v", n, err)
		}
		if n, _ := e.cases.DeliverDue(context.Background()); n != 0 {
			t.Errorf("retried before the backoff: %d", n)
		}
		clk.advance(31 * time.Second)
		if n, err := e.cases.DeliverDue(context.Background()); err != nil || n != 1 {
			t.Fatalf("retry: %d %v", n, err)
		}
		if shop.callCount() != 2 {
			t.Fatalf("shop got %d calls, want 2", shop.callCount())
		}
		for _, c := range shop.calls {
			if !c.signatureOK || c.eventID == "" || c.idemKey != c.eventID || !strings.Contains(c.body, `"action":"exchange"`) {
				t.Errorf("webhook call = %+v", c)
			}
		}
		if shop.calls[0].eventID != shop.calls[1].eventID {
			t.Errorf("the retry changed the event id: %s vs %s", shop.calls[0].eventID, shop.calls[1].eventID)
		}
		got = e.mustStatus(e.do("agent", "GET", cp, nil), 200).JSON
		dl := got["deliveries"].([]any)[0].(map[string]any)
		log := dl["attempts_log"].([]any)
		if got["execution_status"] != "delivered" || dl["status"] != "delivered" || len(log) != 2 ||
			log[0].(map[string]any)["status_code"] != float64(503) || log[1].(map[string]any)["status_code"] != float64(202) {
			t.Errorf("after retry: execution %v, delivery %v", got["execution_status"], dl)
		}

		// The shop confirms; the same confirmation again changes nothing.
		eventID := shop.calls[0].eventID
		e.mustStatus(e.do("agent", "POST", cp+"/confirmation", map[string]any{"event_id": eventID}), 403)
		conf := e.mustStatus(e.do("admin", "POST", cp+"/confirmation", map[string]any{"event_id": eventID, "reference": "EX-778"}), 200).JSON
		cs := conf["case"].(map[string]any)
		if conf["duplicate"] != false || cs["status"] != "executed" || cs["shop_reference"] != "EX-778" || cs["execution_status"] != "confirmed" {
			t.Errorf("confirmation = %v", conf)
		}
		trailBefore := len(e.mustStatus(e.do("agent", "GET", cp+"/transitions", nil), 200).items())
		activityBefore := len(e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/tickets/%d/activity?limit=1000", ticketID), nil), 200).items())
		dup := e.mustStatus(e.do("admin", "POST", cp+"/confirmation", map[string]any{"event_id": eventID, "reference": "EX-999"}), 200).JSON
		if dup["duplicate"] != true || dup["case"].(map[string]any)["shop_reference"] != "EX-778" {
			t.Errorf("duplicate confirmation = %v", dup)
		}
		signed := []byte(`{"event_id":"` + eventID + `"}`)
		res := e.do("", "POST", "/api/v1/cases/confirmations", signed, aftersale.HeaderSignature, aftersale.Sign(shop.secret, time.Now(), signed))
		if res.Status != 200 || res.JSON["duplicate"] != true {
			t.Errorf("signed duplicate: %d %s", res.Status, res.Body)
		}
		if after := len(e.mustStatus(e.do("agent", "GET", cp+"/transitions", nil), 200).items()); after != trailBefore {
			t.Errorf("duplicate confirmation added transitions: %d → %d", trailBefore, after)
		}
		if after := len(e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/tickets/%d/activity?limit=1000", ticketID), nil), 200).items()); after != activityBefore {
			t.Errorf("duplicate confirmation wrote events: %d → %d", activityBefore, after)
		}

		// The document describes what the server sends for a case and a decision.
		paths := e.mustStatus(e.do("", "GET", "/api/v1/openapi.json", nil), 200).JSON["paths"].(map[string]any)
		getOp := paths["/api/v1/cases/{id}"].(map[string]any)["get"].(map[string]any)
		checkShape(t, "GET /cases/{id}", responseSchema(getOp), got)
		evalOp := paths["/api/v1/cases/evaluate"].(map[string]any)["post"].(map[string]any)
		checkShape(t, "POST /cases/evaluate", responseSchema(evalOp), ev)

		// The customer rates the result (in the portal); that completes the case.
		if err := e.cases.CustomerRate(context.Background(), num(got["customer_id"]), caseID, 5, "换货很快"); err != nil {
			t.Fatal(err)
		}
		final := e.mustStatus(e.do("agent", "GET", cp, nil), 200).JSON
		var steps []string
		for _, tr := range final["transitions"].([]any) {
			m := tr.(map[string]any)
			steps = append(steps, fmt.Sprintf("%v:%v", m["to"], m["actor"]))
		}
		want := "requested:user approved:user awaiting_return:user received:user inspected:user executed:shop completed:customer"
		if strings.Join(steps, " ") != want || final["rating"] != float64(5) {
			t.Errorf("trail = %s, rating %v", strings.Join(steps, " "), final["rating"])
		}
		// The customer was told each step in the ticket's conversation.
		msgs := e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/tickets/%d/messages", ticketID), nil), 200).items()
		notices := 0
		for _, m := range msgs {
			if m["kind"] == "system" {
				notices++
			}
		}
		if notices != 7 {
			t.Errorf("progress notices = %d, want 7", notices)
		}
	})
}

// TestCaseBadInput: amounts over the ceiling need a supervisor, ineligible
// requests are refused with their reason, the state machine holds, and
// malformed input names its field.
func TestCaseBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		_, _, orderID, items := shopSetup(t, e, 2*24*time.Hour)
		ticketID := e.ticketFor(orderID)
		newCase := func(kind, reason string, amount int64) string {
			r := e.mustStatus(e.do("agent", "POST", "/api/v1/cases", map[string]any{"ticket_id": ticketID, "kind": kind, "reason": reason, "amount": amount,
				"items": []any{map[string]any{"order_item_id": items[0], "quantity": 1}}}), 201)
			return fmt.Sprintf("/api/v1/cases/%d", r.id())
		}

		// Same-city ¥79 shirt: compensation up to ¥10. The customer asks ¥15.
		cp := newCase("compensation", "product.colour_difference", 1500)
		r := e.do("agent", "POST", cp+"/transitions", map[string]any{"to": "approved"})
		if r.Status != 403 || r.errCode() != "approval_required" || !strings.Contains(string(r.Body), "ceiling") {
			t.Errorf("agent approving ¥15: %d %s", r.Status, r.Body)
		}
		asked := e.mustStatus(e.do("agent", "POST", cp+"/transitions", map[string]any{"to": "approved", "request_approval": true, "note": "客户坚持要 15 元"}), 200).JSON
		if asked["status"] != "requested" || asked["approval_request"] == nil {
			t.Errorf("approval request = %v %v", asked["status"], asked["approval_request"])
		}
		e.mustStatus(e.do("lead", "POST", cp+"/transitions", map[string]any{"to": "approved"}), 422)
		ok := e.mustStatus(e.do("lead", "POST", cp+"/transitions", map[string]any{"to": "approved", "note": "老客户，特批"}), 200).JSON
		if ok["status"] != "approved" || ok["amount"] != float64(1500) || ok["approval_request"] != nil {
			t.Errorf("supervisor approval = %v %v %v", ok["status"], ok["amount"], ok["approval_request"])
		}
		// Within the ceiling and the agent's limit the agent approves alone.
		cp2 := newCase("compensation", "product.colour_difference", 0)
		ok2 := e.mustStatus(e.do("agent", "POST", cp2+"/transitions", map[string]any{"to": "approved", "amount": 800}), 200).JSON
		if ok2["amount"] != float64(800) || ok2["execution_status"] != "pending" {
			t.Errorf("agent approval = %v %v", ok2["amount"], ok2["execution_status"])
		}
		// Approved compensation cannot be approved again or received.
		if r := e.do("agent", "POST", cp2+"/transitions", map[string]any{"to": "approved"}); r.Status != 409 {
			t.Errorf("approve twice: %d %s", r.Status, r.Body)
		}
		if r := e.do("agent", "POST", cp2+"/transitions", map[string]any{"to": "received"}); r.Status != 409 {
			t.Errorf("receive a compensation: %d %s", r.Status, r.Body)
		}

		// A buyer's change of mind 10 days after delivery: recorded, but no agent can approve it.
		_, _, oldOrder, oldItems := shopSetupOrder(t, e, "SO-OLD", "KF-OLD", 10*24*time.Hour)
		oldTicket := e.ticketFor(oldOrder)
		late := e.mustStatus(e.do("agent", "POST", "/api/v1/cases", map[string]any{"ticket_id": oldTicket, "kind": "return_refund", "reason": "buyer.seven_day_return",
			"items": []any{map[string]any{"order_item_id": oldItems[0], "quantity": 1}}}), 201)
		if dec := late.JSON["decision"].(map[string]any); dec["eligible"] != false {
			t.Errorf("late return eligible: %v", dec)
		}
		lp := fmt.Sprintf("/api/v1/cases/%d", late.id())
		r = e.do("agent", "POST", lp+"/transitions", map[string]any{"to": "approved"})
		if r.Status != 403 || !strings.Contains(string(r.Body), "no-reason window closed") {
			t.Errorf("approve a late return: %d %s", r.Status, r.Body)
		}
		e.mustStatus(e.do("agent", "POST", lp+"/transitions", map[string]any{"to": "rejected"}), 422)
		rej := e.mustStatus(e.do("agent", "POST", lp+"/transitions", map[string]any{"to": "rejected", "note": "已超过七天无理由退货期限"}), 200).JSON
		if rej["status"] != "rejected" || rej["rejection_reason"] != "已超过七天无理由退货期限" || rej["closed_at"] == nil {
			t.Errorf("rejected = %v", rej)
		}
		if r := e.do("agent", "POST", lp+"/transitions", map[string]any{"to": "approved"}); r.Status != 409 {
			t.Errorf("approve a rejected case: %d", r.Status)
		}

		// Malformed input names its field.
		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"order_id": orderID, "kind": "teleport", "reason": "product.flaw"}, "kind"},
			{map[string]any{"order_id": orderID, "kind": "exchange", "reason": "product.nonsense"}, "reason"},
			{map[string]any{"order_id": orderID, "kind": "exchange", "reason": "product.flaw", "items": []any{map[string]any{"order_item_id": 999999, "quantity": 1}}}, "items[0].order_item_id"},
			{map[string]any{"order_id": orderID, "kind": "exchange", "reason": "product.flaw", "items": []any{map[string]any{"order_item_id": items[0], "quantity": 3}}}, "items[0].quantity"},
			{map[string]any{"order_id": orderID, "kind": "exchange", "reason": "product.flaw", "condition": "shiny"}, "condition"},
			{map[string]any{"kind": "exchange", "reason": "product.flaw"}, "order_id"},
		} {
			if r := e.do("agent", "POST", "/api/v1/cases/evaluate", tc.body); r.Status != 422 || r.errField() != tc.field {
				t.Errorf("evaluate %v: %d %s, want 422 on %s", tc.body, r.Status, r.Body, tc.field)
			}
		}
		if r := e.do("agent", "POST", "/api/v1/cases", map[string]any{"ticket_id": 999999, "kind": "exchange", "reason": "product.flaw"}); r.Status != 422 || r.errField() != "ticket_id" {
			t.Errorf("case on a missing ticket: %d %s", r.Status, r.Body)
		}
		if r := e.do("warehouse", "POST", "/api/v1/cases", map[string]any{"ticket_id": ticketID, "kind": "exchange", "reason": "product.flaw"}); r.Status != 403 {
			t.Errorf("collaborator opening a case: %d", r.Status)
		}
		// A signature that does not match is refused.
		body := []byte(`{"event_id":"nope"}`)
		if r := e.do("", "POST", "/api/v1/cases/confirmations", body, aftersale.HeaderSignature, aftersale.Sign("wrong-secret-wrong-secret", time.Now(), body)); r.Status != 401 {
			t.Errorf("bad signature: %d %s", r.Status, r.Body)
		}
		if r := e.do("", "POST", "/api/v1/cases/confirmations", body, aftersale.HeaderSignature, "t=1,v1=00"); r.Status != 401 {
			t.Errorf("stale signature: %d %s", r.Status, r.Body)
		}
	})
}

// shopSetupOrder adds another delivered order for buyer@example.com.
func shopSetupOrder(t *testing.T, e *env, ext, number string, deliveredAgo time.Duration) (*testShop, *clock, int64, []int64) {
	t.Helper()
	delivered := time.Now().UTC().Add(-deliveredAgo)
	r := e.mustStatus(e.do("admin", "POST", "/api/v1/orders", map[string]any{"orders": []any{map[string]any{
		"external_id": ext, "number": number, "customer": map[string]any{"email": "buyer@example.com"},
		"placed_at": delivered.Add(-72 * time.Hour), "paid_at": delivered.Add(-72 * time.Hour), "shipped_at": delivered.Add(-48 * time.Hour), "delivered_at": delivered,
		"shipping_province": "四川省", "shipping_city": "成都市", "subtotal": 7900, "total": 7900,
		"items": []any{map[string]any{"sku": "AP-1001", "product_name": "纯棉圆领短袖T恤", "product_category": "apparel", "quantity": 1, "unit_price": 7900, "unit_cost": 3100}},
	}}}), 200)
	id := int64(r.items()[0]["id"].(float64))
	o := e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/orders/%d", id), nil), 200)
	return nil, nil, id, []int64{num(o.JSON["items"].([]any)[0].(map[string]any)["id"])}
}

// TestLostParcelRuleAndReport: a parcel without movement gets a resend case
// once, with the logistics tasks; the report counts cases and refunds.
func TestLostParcelRuleAndReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		_, clk, orderID, items := shopSetup(t, e, 2*24*time.Hour)
		e.mustStatus(e.do("admin", "POST", "/api/v1/teams", map[string]any{"name": "logistics", "kind": "department"}), 201)
		shipped := clk.now().Add(-8 * 24 * time.Hour)
		e.mustStatus(e.do("admin", "POST", "/api/v1/orders", map[string]any{"orders": []any{map[string]any{
			"external_id": "SO-LOST", "number": "KF-LOST", "customer": map[string]any{"email": "far@example.com", "name": "王芳"},
			"placed_at": shipped.Add(-24 * time.Hour), "paid_at": shipped.Add(-24 * time.Hour), "shipped_at": shipped,
			"shipping_province": "四川省", "shipping_city": "成都市", "subtotal": 24900, "total": 24900,
			"items": []any{map[string]any{"sku": "EL-2002", "product_name": "智能运动手环", "product_category": "electronics", "quantity": 1, "unit_price": 24900, "unit_cost": 13800}},
			"shipments": []any{map[string]any{"carrier": "中通快递", "tracking_number": "75123456789012", "status": "in_transit", "shipped_at": shipped,
				"events": []any{map[string]any{"at": shipped.Add(20 * time.Hour), "status": "in_transit", "location": "杭州转运中心", "description": "已发往成都"}}}},
		}}}), 200)
		for round, want := range []int{1, 0} {
			n, err := e.cases.OpenLostParcelCases(context.Background())
			if err != nil || n != want {
				t.Fatalf("round %d: opened %d (%v), want %d", round, n, err, want)
			}
		}
		lost := e.mustStatus(e.do("admin", "GET", "/api/v1/cases?reason=logistics.parcel_lost", nil), 200).items()
		if len(lost) != 1 || lost[0]["kind"] != "resend" || lost[0]["responsibility"] != "logistics" || lost[0]["channel"] != "api" {
			t.Fatalf("lost-parcel cases = %v", lost)
		}
		d := e.mustStatus(e.do("admin", "GET", fmt.Sprintf("/api/v1/cases/%d", num(lost[0]["id"])), nil), 200).JSON
		if ts := d["tasks"].([]any); len(ts) != 2 {
			t.Errorf("lost-parcel tasks = %v", ts)
		}
		if dec := d["decision"].(map[string]any); dec["eligible"] != true {
			t.Errorf("lost-parcel decision = %v", dec["reasons"])
		}

		// Report: a compensation carried out and the lost parcel.
		ticketID := e.ticketFor(orderID)
		c := e.mustStatus(e.do("agent", "POST", "/api/v1/cases", map[string]any{"ticket_id": ticketID, "kind": "compensation", "reason": "product.flaw", "amount": 600,
			"items": []any{map[string]any{"order_item_id": items[0], "quantity": 1}}}), 201)
		e.mustStatus(e.do("agent", "POST", fmt.Sprintf("/api/v1/cases/%d/transitions", c.id()), map[string]any{"to": "approved"}), 200)
		e.mustStatus(e.do("admin", "PUT", "/api/v1/aftersale/webhook", map[string]any{"url": ""}), 200)                                 // turn webhooks off: carried out by hand
		e.mustStatus(e.do("agent", "POST", fmt.Sprintf("/api/v1/cases/%d/transitions", c.id()), map[string]any{"to": "executed"}), 409) // a webhook is pending
		rows := e.mustStatus(e.do("lead", "GET", "/api/v1/cases/report?by=reason", nil), 200).items()
		if len(rows) != 2 {
			t.Errorf("report rows = %v", rows)
		}
		e.mustStatus(e.do("agent", "GET", "/api/v1/cases/report", nil), 403)
		sku := e.mustStatus(e.do("lead", "GET", "/api/v1/cases/report?by=sku", nil), 200).items()
		if len(sku) != 2 {
			t.Errorf("report by sku = %v", sku)
		}
		res := e.do("lead", "GET", "/api/v1/cases/report.csv?by=responsibility", nil)
		if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.Contains(string(res.Body), "responsibility,name,cases") ||
			!strings.Contains(string(res.Body), "logistics,,1,1,1,0,0.00") {
			t.Errorf("CSV: %d %s", res.Status, res.Body)
		}
	})
}
