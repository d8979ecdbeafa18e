package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/sla"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// TestDueTimesPromisesAndAtRisk checks the workspace shows what the SLA
// knows: due times in the inbox, the at-risk view, the SLA panel and the
// promises of a ticket, in both languages, and that a promise can be made.
func TestDueTimesPromisesAndAtRisk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		base := newSite(t, st, true)
		ctx := context.Background()
		open, _, err := st.Tickets(ctx, store.TicketFilter{Statuses: []kefu.Status{kefu.StatusNew}, Limit: 1})
		if err != nil || len(open) == 0 {
			t.Fatal("the demo has no new ticket")
		}
		tk := open[0]
		b := newBrowser(t, base)
		if code := b.signIn("lead@demo.test", "demo"); code != http.StatusSeeOther {
			t.Fatalf("sign in: %d", code)
		}
		_, inbox, _ := b.get("/?view=all")
		if !strings.Contains(inbox, `class="due-badge`) {
			t.Errorf("the inbox shows no due times")
		}
		_, risk, _ := b.get("/?view=at_risk")
		if !strings.Contains(risk, `class="tickets risks"`) || !strings.Contains(risk, "#") {
			t.Errorf("the at-risk view lists nothing:\n%s", excerpt(risk, "risks"))
		}
		page := "/tickets/" + itoa(tk.ID)
		_, body, _ := b.get(page)
		for _, want := range []string{`id="sla"`, "首次响应", `class="promise-form"`} {
			if !strings.Contains(body, want) {
				t.Errorf("ticket page lacks %q", want)
			}
		}
		if !strings.Contains(body, sla.DemoPolicyName) && !strings.Contains(body, sla.DemoVIPPolicy) {
			t.Errorf("ticket page names no SLA policy:\n%s", excerpt(body, `id="sla"`))
		}
		code, _, _ := b.post(page+"/promises", url.Values{"csrf": {b.csrf}, "in": {"2h"}, "note": {"联系仓库核实库存"}})
		if code != http.StatusSeeOther {
			t.Fatalf("promise form: %d", code)
		}
		_, body, _ = b.get(page)
		if !strings.Contains(body, "联系仓库核实库存") || !strings.Contains(body, `action="/promises/`) {
			t.Errorf("the new promise is not on the page:\n%s", excerpt(body, "promises"))
		}
		// A hand-off to the warehouse with a due time in business hours.
		wh, err := st.TeamByName(ctx, "仓库")
		if err != nil {
			t.Fatal(err)
		}
		code, _, _ = b.post(page+"/transfer", url.Values{"csrf": {b.csrf}, "to_team_id": {itoa(wh.ID)}, "note": {"请核实库存"}, "due_business_hours": {"4"}})
		if code != http.StatusSeeOther {
			t.Fatalf("transfer with a due time: %d", code)
		}
		ps, err := st.Promises(ctx, tk.ID, true)
		if err != nil || len(ps) != 2 || ps[0].Kind != kefu.PromiseHandoff || ps[0].TeamID == nil || *ps[0].TeamID != wh.ID {
			t.Errorf("promises after the hand-off: %+v %v", ps, err)
		}
		// English.
		b.post("/settings/language", url.Values{"csrf": {b.csrf}, "lang": {"en"}})
		_, body, _ = b.get(page)
		if !strings.Contains(body, "First response") || !strings.Contains(body, "Promises") {
			t.Errorf("English ticket page lacks the SLA panel:\n%s", excerpt(body, "sla"))
		}
	})
}

func excerpt(s, near string) string {
	i := strings.Index(s, near)
	if i < 0 {
		i = 0
	}
	return s[i:min(len(s), i+1500)]
}
