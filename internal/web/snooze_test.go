package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
	"github.com/kefu-dev/kefu/internal/ticket"
)

var viewCount = func(view string) *regexp.Regexp {
	return regexp.MustCompile(`data-view="` + view + `">(\d*)<`)
}

func countOf(t *testing.T, page, view string) string {
	t.Helper()
	m := viewCount(view).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no count for view %s", view)
	}
	return m[1]
}

// TestSnoozeAndSendLater walks the ticket page's snooze control and the
// composer's "send later" on both databases: a snoozed ticket leaves "my
// open tickets" (and its count) for "snoozed", comes back when unsnoozed
// or when the customer writes; a scheduled reply is listed until it is
// cancelled; the warehouse may not snooze.
func TestSnoozeAndSendLater(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		base := newSite(t, st, true)
		ctx := context.Background()
		agent := newBrowser(t, base)
		if code := agent.signIn("agent@demo.test", "demo"); code != http.StatusSeeOther {
			t.Fatalf("sign in: %d", code)
		}
		uid := agentID(t, st)
		mine, _, err := st.Tickets(ctx, store.TicketFilter{AssigneeID: uid, Statuses: []kefu.Status{kefu.StatusOpen, kefu.StatusNew}, Limit: 1})
		if err != nil || len(mine) == 0 {
			t.Fatalf("the demo agent has no open ticket (%v)", err)
		}
		tk := mine[0]
		page := "/tickets/" + itoa(tk.ID)
		link := `href="` + page + `"`
		_, inbox, _ := agent.get("/?view=mine")
		mineBefore, snoozedBefore := countOf(t, inbox, "mine"), countOf(t, inbox, "snoozed")
		_, body, _ := agent.get(page)
		for _, want := range []string{`id="snooze-menu"`, `value="morning"`, `id="later"`, `formaction="` + page + `/scheduled"`} {
			if !strings.Contains(body, want) {
				t.Errorf("ticket page lacks %q", want)
			}
		}
		if code, msg, _ := agent.post(page+"/snooze", url.Values{"csrf": {agent.csrf}, "for": {"2h"}}); code != http.StatusSeeOther {
			t.Fatalf("snooze: %d %s", code, msg)
		}
		_, body, _ = agent.get(page)
		if !strings.Contains(body, "暂缓至") || !strings.Contains(body, `id="unsnooze"`) {
			t.Errorf("the ticket page does not say it is snoozed:\n%s", excerpt(body, "snooze"))
		}
		_, inbox, _ = agent.get("/?view=mine")
		if strings.Contains(inbox, link) {
			t.Errorf("the snoozed ticket is still in my open tickets")
		}
		if got := countOf(t, inbox, "mine"); got == mineBefore {
			t.Errorf("my count stayed %s after snoozing", got)
		}
		_, snoozed, _ := agent.get("/?view=snoozed")
		if !strings.Contains(snoozed, link) || !strings.Contains(snoozed, `class="wakes"`) {
			t.Errorf("the snoozed view lacks the ticket:\n%s", excerpt(snoozed, "snoozed"))
		}
		if got := countOf(t, snoozed, "snoozed"); got == snoozedBefore {
			t.Errorf("the snoozed count stayed %s", got)
		}
		// Unsnoozed: back in my tickets.
		if code, _, _ := agent.post(page+"/unsnooze", url.Values{"csrf": {agent.csrf}}); code != http.StatusSeeOther {
			t.Fatalf("unsnooze: %d", code)
		}
		if _, inbox, _ = agent.get("/?view=mine"); !strings.Contains(inbox, link) || countOf(t, inbox, "mine") != mineBefore {
			t.Errorf("the ticket did not come back to my open tickets")
		}
		// Snoozed until a picked time, then the customer writes: back at once.
		code, msg, _ := agent.post(page+"/snooze", url.Values{"csrf": {agent.csrf}, "for": {"at"}, "until": {"2099-01-02T10:00"}})
		if code != http.StatusSeeOther {
			t.Fatalf("snooze until a date: %d %s", code, msg)
		}
		if z, err := st.SnoozeOf(ctx, tk.ID); err != nil || z.Until.Year() != 2099 {
			t.Fatalf("snooze after the picker: %+v %v", z, err)
		}
		tickets := ticket.New(st, customer.New(st))
		if _, _, err := tickets.AddMessage(ctx, nil, tk.ID, ticket.NewMessage{Kind: kefu.MessageCustomer, Body: "还在吗？"}); err != nil {
			t.Fatal(err)
		}
		if _, inbox, _ = agent.get("/?view=mine"); !strings.Contains(inbox, link) {
			t.Errorf("the customer wrote but the ticket stayed snoozed")
		}
		// A past time is refused.
		if code, _, _ := agent.post(page+"/snooze", url.Values{"csrf": {agent.csrf}, "for": {"at"}, "until": {"2001-01-02T10:00"}}); code != http.StatusUnprocessableEntity {
			t.Errorf("snooze into the past: %d, want 422", code)
		}

		// Send later, then cancel.
		code, msg, _ = agent.post(page+"/scheduled", url.Values{"csrf": {agent.csrf}, "body": {"明早给您答复物流进度"}, "later": {"morning"}})
		if code != http.StatusSeeOther {
			t.Fatalf("schedule a reply: %d %s", code, msg)
		}
		_, body, _ = agent.get(page)
		m := regexp.MustCompile(`action="/scheduled/(\d+)/cancel"`).FindStringSubmatch(body)
		if !strings.Contains(body, "明早给您答复物流进度") || m == nil {
			t.Fatalf("the scheduled reply is not listed with a cancel button:\n%s", excerpt(body, `id="scheduled"`))
		}
		msgs, _ := st.Messages(ctx, tk.ID, 0, 1000)
		for _, x := range msgs {
			if x.Body == "明早给您答复物流进度" {
				t.Errorf("the scheduled reply was sent at once")
			}
		}
		if code, _, _ := agent.post("/scheduled/"+m[1]+"/cancel", url.Values{"csrf": {agent.csrf}}); code != http.StatusSeeOther {
			t.Fatalf("cancel: %d", code)
		}
		_, body, _ = agent.get(page)
		if !strings.Contains(body, "已取消") || strings.Contains(body, `action="/scheduled/`+m[1]+`/cancel"`) {
			t.Errorf("the cancelled reply still offers a cancel:\n%s", excerpt(body, `id="scheduled"`))
		}
		if code, _, _ := agent.post("/scheduled/"+m[1]+"/cancel", url.Values{"csrf": {agent.csrf}}); code != http.StatusConflict {
			t.Errorf("cancel twice: %d, want 409", code)
		}
		if code, _, _ := agent.post(page+"/scheduled", url.Values{"csrf": {agent.csrf}, "body": {"x"}, "later": {"at"}, "send_at": {"2001-01-01T09:00"}}); code != http.StatusUnprocessableEntity {
			t.Errorf("schedule into the past: %d, want 422", code)
		}

		// English labels.
		agent.post("/settings/language", url.Values{"csrf": {agent.csrf}, "lang": {"en"}})
		if _, body, _ = agent.get(page); !strings.Contains(body, "Send later") || !strings.Contains(body, "Next working morning") {
			t.Errorf("English ticket page lacks the snooze and send-later labels")
		}
		if _, inbox, _ = agent.get("/?view=snoozed"); !strings.Contains(inbox, "Snoozed") {
			t.Errorf("English inbox lacks the snoozed view")
		}

		// The warehouse (a collaborator) sees tickets handed to it but may
		// not snooze them, nor schedule replies.
		wh := newBrowser(t, base)
		wh.signIn("warehouse@demo.test", "demo")
		_, list, _ := wh.get("/?view=all")
		id := regexp.MustCompile(`href="/tickets/(\d+)"`).FindStringSubmatch(list)
		if id == nil {
			t.Fatal("the warehouse sees no ticket")
		}
		_, body, _ = wh.get("/tickets/" + id[1])
		if strings.Contains(body, `id="snooze-menu"`) || strings.Contains(body, `id="later"`) {
			t.Errorf("the warehouse is offered snooze or send later")
		}
		if code, _, _ := wh.post("/tickets/"+id[1]+"/snooze", url.Values{"csrf": {wh.csrf}, "for": {"2h"}}); code != http.StatusForbidden {
			t.Errorf("warehouse snoozes: %d, want 403", code)
		}
		if code, _, _ := wh.post("/tickets/"+id[1]+"/scheduled", url.Values{"csrf": {wh.csrf}, "body": {"x"}, "later": {"2h"}}); code != http.StatusForbidden {
			t.Errorf("warehouse schedules a reply: %d, want 403", code)
		}
	})
}
