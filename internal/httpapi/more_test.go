package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

func TestOrdersAndCustomers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		feed := map[string]any{"orders": []any{map[string]any{
			"external_id": "SO-1", "number": "DD20261101001", "customer": map[string]any{"external_id": "U100", "email": "wang@example.com", "name": "王芳"},
			"placed_at": "2026-11-01T10:00:00+08:00", "paid_at": "2026-11-01T10:01:00+08:00", "shipping_province": "浙江", "shipping_city": "杭州",
			"currency": "CNY", "subtotal": 25800, "total": 25800,
			"items":     []any{map[string]any{"sku": "TS-NV-L", "product_name": "纯棉T恤", "product_category": "apparel", "variant": "藏青 L", "quantity": 2, "unit_price": 12900, "unit_cost": 5200}},
			"shipments": []any{map[string]any{"carrier": "顺丰速运", "tracking_number": "SF1234567890", "status": "in_transit", "events": []any{map[string]any{"at": "2026-11-02T08:00:00+08:00", "status": "in_transit", "location": "杭州", "description": "已揽收"}}}},
		}}}
		r := e.mustStatus(e.do("admin", "POST", "/api/v1/orders", feed), 200)
		it := r.items()[0]
		if it["created"] != true {
			t.Errorf("first upsert: %v", it)
		}
		r = e.mustStatus(e.do("admin", "POST", "/api/v1/orders", feed), 200)
		if r.items()[0]["created"] != false || r.items()[0]["id"] != it["id"] {
			t.Errorf("second upsert: %v", r.items())
		}
		cs := e.mustStatus(e.do("agent", "GET", "/api/v1/customers?phone=&email=WANG@example.com", nil), 200).items()
		if len(cs) != 1 || cs[0]["name"] != "王芳" {
			t.Fatalf("customer by email: %v", cs)
		}
		cid := int64(cs[0]["id"].(float64))
		orders := e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/customers/%d/orders", cid), nil), 200).items()
		if len(orders) != 1 || orders[0]["number"] != "DD20261101001" {
			t.Fatalf("customer orders: %v", orders)
		}
		ships := orders[0]["shipments"].([]any)
		if len(ships) != 1 || len(ships[0].(map[string]any)["events"].([]any)) != 1 {
			t.Errorf("shipments: %v", ships)
		}
		// A ticket about the order, by the customer's shop id.
		tk := e.newTicket("agent", map[string]any{"order_id": it["id"], "customer": map[string]any{"external_id": "U100"}})
		if tk.JSON["customer_id"].(float64) != float64(cid) {
			t.Errorf("ticket customer = %v, want %d", tk.JSON["customer_id"], cid)
		}
		// Another customer's order cannot be linked.
		other := e.newTicket("agent", map[string]any{"customer": map[string]any{"email": "other@example.com"}})
		r = e.do("agent", "PATCH", fmt.Sprintf("/api/v1/tickets/%d", other.id()), map[string]any{"order_id": it["id"]})
		if r.Status != 422 || r.errField() != "order_id" {
			t.Errorf("linking another customer's order: %d %s", r.Status, r.Body)
		}
		ts := e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/customers/%d/tickets", cid), nil), 200).items()
		if len(ts) != 1 {
			t.Errorf("customer tickets: %v", ts)
		}
		// Customers: create, update, search, delete.
		c := e.mustStatus(e.do("agent", "POST", "/api/v1/customers", map[string]any{"name": "Tom", "language": "en",
			"identities": []any{map[string]any{"kind": "phone", "value": "+86 139-1234-5678"}}, "tags": []string{"VIP"}, "birthday": "1990-05-01", "greetings_opt_in": true}), 201)
		if ids := c.JSON["identities"].([]any); ids[0].(map[string]any)["value"] != "13912345678" {
			t.Errorf("phone not normalised: %v", ids)
		}
		if found := e.mustStatus(e.do("agent", "GET", "/api/v1/customers?phone=139%201234%205678", nil), 200).items(); len(found) != 1 {
			t.Errorf("search by phone with spaces: %v", found)
		}
		if found := e.mustStatus(e.do("agent", "GET", "/api/v1/customers?q=1391234", nil), 200).items(); len(found) != 1 {
			t.Errorf("search by partial phone: %v", found)
		}
		path := fmt.Sprintf("/api/v1/customers/%d", c.id())
		u := e.mustStatus(e.do("agent", "PATCH", path, map[string]any{"name": "Tom Li", "language": "en", "vip_tier": 2, "identities": []any{map[string]any{"kind": "email", "value": "tom@example.com"}}}), 200)
		if u.JSON["vip_tier"].(float64) != 2 || u.JSON["name"] != "Tom Li" {
			t.Errorf("update: %v", u.JSON)
		}
		if r := e.do("agent", "DELETE", fmt.Sprintf("/api/v1/customers/%d", cid), nil); r.Status != 409 {
			t.Errorf("deleting a customer with orders: %d %s", r.Status, r.Body)
		}
		e.mustStatus(e.do("agent", "DELETE", path, nil), 204)
		e.mustStatus(e.do("agent", "GET", path, nil), 404)
	})
}

func TestTransferAndMerge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		a := e.newTicket("agent", map[string]any{"tags": []string{"物流"}})
		b := e.newTicket("agent", map[string]any{"subject": "同一个问题", "tags": []string{"催单"}})
		h := e.mustStatus(e.do("agent", "POST", fmt.Sprintf("/api/v1/tickets/%d/transfer", a.id()),
			map[string]any{"to_user_id": e.users["lead"].ID, "note": "客户第三次来问，请主管跟进"}), 201)
		if h.JSON["note"] != "客户第三次来问，请主管跟进" {
			t.Errorf("handoff: %v", h.JSON)
		}
		got := e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/tickets/%d", a.id()), nil), 200)
		if got.JSON["assignee_id"].(float64) != float64(e.users["lead"].ID) {
			t.Errorf("assignee after transfer: %v", got.JSON["assignee_id"])
		}
		m := e.mustStatus(e.do("agent", "POST", fmt.Sprintf("/api/v1/tickets/%d/merge", b.id()), map[string]any{"target_id": a.id()}), 200)
		if tags := fmt.Sprint(m.JSON["tags"]); !strings.Contains(tags, "催单") || !strings.Contains(tags, "物流") {
			t.Errorf("merged tags: %v", tags)
		}
		src := e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/tickets/%d", b.id()), nil), 200)
		if src.JSON["status"] != "closed" || src.JSON["merged_into"].(float64) != float64(a.id()) {
			t.Errorf("source after merge: %v", src.JSON)
		}
		msgs := e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/tickets/%d/messages", a.id()), nil), 200).items()
		if len(msgs) != 3 || msgs[2]["kind"] != "system" {
			t.Errorf("target conversation after merge: %v", msgs)
		}
		// The customer writing to the merged ticket lands on the target.
		r := e.mustStatus(e.do("admin", "POST", fmt.Sprintf("/api/v1/tickets/%d/messages", b.id()), map[string]any{"kind": "customer", "body": "还有消息吗"}), 201)
		if r.JSON["ticket"].(map[string]any)["id"].(float64) != float64(a.id()) {
			t.Errorf("message to merged ticket landed on %v", r.JSON["ticket"])
		}
		if r := e.do("agent", "POST", fmt.Sprintf("/api/v1/tickets/%d/merge", b.id()), map[string]any{"target_id": a.id()}); r.Status != 409 {
			t.Errorf("merging twice: %d", r.Status)
		}
	})
}

func TestAttachments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		tk := e.newTicket("agent", nil)
		img := image.NewRGBA(image.Rect(0, 0, 8, 8))
		img.Set(1, 1, color.RGBA{0, 0, 128, 255})
		var pngData bytes.Buffer
		_ = png.Encode(&pngData, img)
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("kind", "reply")
		_ = mw.WriteField("body", "这是我们仓库拍的实物图")
		fw, _ := mw.CreateFormFile("attachments", "实物.png")
		_, _ = fw.Write(pngData.Bytes())
		fw, _ = mw.CreateFormFile("attachments", "evil.html")
		_, _ = fw.Write([]byte("<html><script>alert(1)</script></html>"))
		mw.Close()
		r := e.do("agent", "POST", fmt.Sprintf("/api/v1/tickets/%d/messages", tk.id()), body.Bytes(), "Content-Type", mw.FormDataContentType())
		e.mustStatus(r, 201)
		atts := r.JSON["attachments"].([]any)
		if len(atts) != 2 {
			t.Fatalf("attachments: %v", atts)
		}
		first := atts[0].(map[string]any)
		if first["content_type"] != "image/png" || first["filename"] != "实物.png" || int(first["size"].(float64)) != pngData.Len() {
			t.Errorf("attachment: %v", first)
		}
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/attachments/%d", e.url, int64(first["id"].(float64))), nil)
		req.Header.Set("Authorization", "Bearer "+e.tokens["agent"])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !bytes.Equal(data, pngData.Bytes()) || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("download: %d bytes, headers %v", len(data), res.Header)
		}
		html := atts[1].(map[string]any)
		req, _ = http.NewRequest("GET", fmt.Sprintf("%s/api/v1/attachments/%d", e.url, int64(html["id"].(float64))), nil)
		req.Header.Set("Authorization", "Bearer "+e.tokens["agent"])
		res, _ = http.DefaultClient.Do(req)
		res.Body.Close()
		if !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("HTML attachment served inline: %v", res.Header)
		}
		// Someone who cannot see the ticket cannot fetch its files.
		req.Header.Set("Authorization", "Bearer "+e.tokens["warehouse"])
		res, _ = http.DefaultClient.Do(req)
		res.Body.Close()
		if res.StatusCode != 404 {
			t.Errorf("attachment for an outsider: %d", res.StatusCode)
		}
	})
}

// TestOpenAPIMatchesRoutes checks the document against the server: every
// documented operation is routed (not the catch-all "no_route"), every
// undocumented method on a documented path is refused, and real responses
// carry exactly the properties the document lists for them.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	r := e.mustStatus(e.do("", "GET", "/api/v1/openapi.json", nil), 200)
	paths := r.JSON["paths"].(map[string]any)
	if len(paths) < 20 {
		t.Fatalf("document has %d paths", len(paths))
	}
	for p, ops := range paths {
		concrete := strings.NewReplacer("{id}", "999999").Replace(p)
		for _, m := range []string{"get", "post", "patch", "delete", "put"} {
			_, documented := ops.(map[string]any)[m]
			res := e.do("admin", strings.ToUpper(m), concrete, "{}")
			routed := res.errCode() != "no_route" && res.Status != 405
			if documented && !routed {
				t.Errorf("%s %s is documented but not served (%d %s)", m, p, res.Status, res.Body)
			}
			if !documented && routed {
				t.Errorf("%s %s is served (%d) but not documented", m, p, res.Status)
			}
		}
	}
	// Shapes: the documented properties of a ticket, its creation answer and
	// a list page match what the server sends.
	created := e.newTicket("agent", nil)
	ticketPath := paths["/api/v1/tickets/{id}"].(map[string]any)["get"].(map[string]any)
	checkShape(t, "GET /tickets/{id}", responseSchema(ticketPath), e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/tickets/%d", created.id()), nil), 200).JSON)
	createOp := paths["/api/v1/tickets"].(map[string]any)["post"].(map[string]any)
	checkShape(t, "POST /tickets", responseSchema(createOp), created.JSON)
	msgOp := paths["/api/v1/tickets/{id}/messages"].(map[string]any)["get"].(map[string]any)
	checkShape(t, "GET /tickets/{id}/messages", responseSchema(msgOp), e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/tickets/%d/messages", created.id()), nil), 200).JSON)
}

func responseSchema(op map[string]any) map[string]any {
	for code, v := range op["responses"].(map[string]any) {
		if strings.HasPrefix(code, "2") {
			return v.(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
		}
	}
	return nil
}

// checkShape compares an object's keys with a schema's properties, recursively.
func checkShape(t *testing.T, where string, schema map[string]any, v any) {
	t.Helper()
	switch val := v.(type) {
	case map[string]any:
		props, ok := schema["properties"].(map[string]any)
		if !ok {
			return // free-form object
		}
		var want, got []string
		for k := range props {
			want = append(want, k)
		}
		for k := range val {
			got = append(got, k)
		}
		sort.Strings(want)
		sort.Strings(got)
		for _, k := range got {
			if _, ok := props[k]; !ok {
				t.Errorf("%s: response has %q, the document does not", where, k)
			}
		}
		for _, k := range want {
			if _, ok := val[k]; !ok && !reflect.DeepEqual(props[k], nil) {
				// omitempty fields may be absent; only flag required-looking ones.
				if s, _ := props[k].(map[string]any); s["nullable"] == nil && k != "external_id" && k != "birthday" && k != "password" {
					t.Errorf("%s: the document has %q, the response does not", where, k)
				}
			}
		}
		for k, sub := range val {
			if ps, ok := props[k].(map[string]any); ok {
				checkShape(t, where+"."+k, ps, sub)
			}
		}
	case []any:
		items, _ := schema["items"].(map[string]any)
		for _, it := range val {
			checkShape(t, where+"[]", items, it)
		}
	}
	_ = json.Marshal
}
