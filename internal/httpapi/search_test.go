package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/jobs"
	"github.com/kefu-dev/kefu/internal/search"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// drainSearch runs the search index's outbox consumer until it has seen
// every event.
func (e *env) drainSearch() {
	e.t.Helper()
	o := jobs.NewOutbox(e.st, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Hour)
	o.Register(search.ConsumerName, search.New(e.st).HandleEvents)
	// On PostgreSQL another client's open transaction can hold the outbox
	// back for a while (it hands out only events older than every running
	// transaction): keep trying until the consumer has seen every event.
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	for {
		o.DrainOnce(ctx)
		var last, pos int64
		if err := e.st.DB().QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM events`).Scan(&last); err != nil {
			e.t.Fatal(err)
		}
		if err := e.st.DB().QueryRowContext(ctx, `SELECT COALESCE(MAX(last_event_id), 0) FROM outbox_consumers WHERE name = 'search'`).Scan(&pos); err != nil {
			e.t.Fatal(err)
		}
		if pos >= last {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("the search consumer is stuck at event %d of %d", pos, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (e *env) search(role string, params string) resp {
	e.t.Helper()
	return e.do(role, "GET", "/api/v1/search?"+params, nil)
}

// TestSearchAPI checks the contract outside tools rely on: GET
// /api/v1/search?q=…&kind=…&limit=… answers {"items": [...]} ranked, each
// with its kind, id and a highlighted snippet; and that every role finds
// only what it may open.
func TestSearchAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		sales := e.newTicket("agent", map[string]any{"subject": "衣服有色差", "customer": map[string]any{"email": "li.na@example.com", "name": "李娜", "phone": "138-0013-8000"},
			"message": map[string]any{"body": "收到的衣服颜色和图片差别很大，有色差 <script>alert(1)</script>"}}).id()
		handed := e.newTicket("agent", map[string]any{"subject": "色差严重，要求退货", "customer": map[string]any{"email": "h@example.com", "name": "韩梅梅"}}).id()
		e.mustStatus(e.do("agent", "POST", fmt.Sprintf("/api/v1/tickets/%d/transfer", handed), map[string]any{"to_team_id": e.teams["warehouse"], "note": "请仓库核对色差批次"}), 201)
		tech := e.newTicket("admin", map[string]any{"subject": "耳机有色差", "team_id": e.teams["tech"], "customer": map[string]any{"email": "t@example.com", "name": "陶喆"}}).id()
		e.drainSearch()

		r := e.mustStatus(e.search("admin", "q="+url.QueryEscape("色差")+"&kind=ticket&limit=10"), 200)
		items := r.items()
		if len(items) != 3 {
			t.Fatalf("admin finds %d tickets: %s", len(items), r.Body)
		}
		prev := 1e9
		for _, it := range items {
			if it["kind"] != "ticket" || it["id"] == nil || it["title"] == nil {
				t.Errorf("item %v lacks kind, id or title", it)
			}
			if s, _ := it["snippet"].(string); !strings.Contains(s, "<mark>色差</mark>") {
				t.Errorf("snippet %q is not highlighted", s)
			}
			score := it["score"].(float64)
			if score > prev {
				t.Errorf("items are not ranked: %v after %v", score, prev)
			}
			prev = score
		}
		if s := items[0]["snippet"].(string); strings.Contains(s, "<script>") {
			t.Errorf("snippet is not escaped: %s", s)
		}
		// limit, and the phone number finds the customer first.
		if r := e.mustStatus(e.search("admin", "q="+url.QueryEscape("色差")+"&limit=1"), 200); len(r.items()) == 0 || len(r.items()) > 3 {
			t.Errorf("limit=1 gives %d items", len(r.items()))
		}
		r = e.mustStatus(e.search("admin", "q="+url.QueryEscape("138 0013 8000")), 200)
		if its := r.items(); len(its) < 2 || its[0]["kind"] != "customer" || its[1]["kind"] != "ticket" || int64(its[1]["id"].(float64)) != sales {
			t.Errorf("phone search: %s", r.Body)
		}
		// Visibility per role.
		for role, want := range map[string][]int64{
			"admin": {sales, handed, tech}, "lead": {sales, handed, tech}, "agent": {sales, handed}, "agent2": {tech}, "warehouse": {handed},
		} {
			r := e.mustStatus(e.search(role, "q="+url.QueryEscape("色差")), 200)
			var got []int64
			for _, it := range r.items() {
				if it["kind"] == "ticket" {
					got = append(got, int64(it["id"].(float64)))
				}
				if role == "warehouse" && it["kind"] != "ticket" {
					// The warehouse sees the customer of the ticket handed to it, no other.
					if it["kind"] == "customer" && it["title"] != "韩梅梅" {
						t.Errorf("warehouse finds customer %v", it["title"])
					}
				}
			}
			if !sameIDs(got, want) {
				t.Errorf("%s finds tickets %v, want %v", role, got, want)
			}
		}
		if r := e.mustStatus(e.search("warehouse", "q="+url.QueryEscape("李娜")), 200); len(r.items()) != 0 {
			t.Errorf("warehouse finds another team's customer: %s", r.Body)
		}
		// Filters and errors.
		if r := e.mustStatus(e.search("admin", "q="+url.QueryEscape("色差")+fmt.Sprintf("&team_id=%d", e.teams["tech"])), 200); len(r.items()) != 1 {
			t.Errorf("team filter: %s", r.Body)
		}
		if r := e.mustStatus(e.search("admin", "q="+url.QueryEscape("色差 status:on_hold")), 200); len(r.items()) != 1 {
			t.Errorf("status: prefix: %s", r.Body)
		}
		for _, bad := range []string{"", "q=", "q=x&kind=user", "q=x&limit=0", "q=x&limit=51", "q=x&status=maybe", "q=x&created_from=yesterday", "q=" + url.QueryEscape("status:maybe")} {
			r := e.search("admin", bad)
			if r.Status != 400 && r.Status != 422 {
				t.Errorf("GET /search?%s: %d %s", bad, r.Status, r.Body)
			}
			if r.errCode() == "" {
				t.Errorf("GET /search?%s: no error shape: %s", bad, r.Body)
			}
		}
		if r := e.search("", "q=x"); r.Status != 401 {
			t.Errorf("no token: %d", r.Status)
		}
	})
}

func sameIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[int64]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
		if seen[x] < 0 {
			return false
		}
	}
	return true
}

// TestSearchShape checks a search answer against the OpenAPI document.
func TestSearchShape(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	e.newTicket("agent", nil)
	e.drainSearch()
	doc := e.mustStatus(e.do("", "GET", "/api/v1/openapi.json", nil), 200)
	op := doc.JSON["paths"].(map[string]any)["/api/v1/search"].(map[string]any)["get"].(map[string]any)
	r := e.mustStatus(e.search("agent", "q="+url.QueryEscape("颜色")+"&kind=ticket"), 200)
	if len(r.items()) != 1 {
		t.Fatalf("search: %s", r.Body)
	}
	checkShape(t, "GET /search", responseSchema(op), r.JSON)
}
