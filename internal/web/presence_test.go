package web_test

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// TestPresence listens on a ticket's live stream as the agent while the lead
// says viewing, typing and left: each reaches the agent, from the lead, in
// order; the agent's own announcement is not echoed back; and a user who may
// not see the ticket cannot announce on it.
func TestPresence(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	base := newSite(t, st, true)
	ctx := context.Background()
	list, _, _ := st.Tickets(ctx, store.TicketFilter{Statuses: []kefu.Status{kefu.StatusNew}, Limit: 1})
	if len(list) == 0 {
		t.Fatal("no new ticket in the demo")
	}
	path := "/tickets/" + itoa(list[0].ID) + "/presence"
	leadUser, _, err := st.UserByEmail(ctx, "lead@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	agent, lead, wh := newBrowser(t, base), newBrowser(t, base), newBrowser(t, base)
	agent.signIn("agent@demo.test", "demo")
	lead.signIn("lead@demo.test", "demo")
	wh.signIn("warehouse@demo.test", "demo")

	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(sctx, "GET", base+"/live?topic=ticket."+itoa(list[0].ID), nil)
	res, err := agent.c.Do(req) // once the headers are here, the stream listens
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("live stream: %v %v", err, res)
	}
	defer res.Body.Close()
	events := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "data: ") {
				events <- line
			}
		}
		close(events)
	}()

	announce := func(b *browser, state string) int {
		code, _, _ := b.post(path, url.Values{"csrf": {b.csrf}, "state": {state}})
		return code
	}
	if code := announce(agent, "viewing"); code != http.StatusNoContent {
		t.Fatalf("agent announces: %d", code)
	}
	if code := announce(wh, "viewing"); code != http.StatusNotFound {
		t.Errorf("warehouse announces on a ticket it cannot see: %d", code)
	}
	for _, state := range []string{"viewing", "typing", "left"} {
		if code := announce(lead, state); code != http.StatusNoContent {
			t.Fatalf("lead announces %s: %d", state, code)
		}
		select {
		case ev, ok := <-events:
			if !ok || !strings.Contains(ev, `"type":"presence"`) || !strings.Contains(ev, `"user_id":`+itoa(leadUser.ID)+`,`) || !strings.Contains(ev, `"state":"`+state+`"`) {
				t.Errorf("after the lead's %s the agent got %q", state, ev)
			}
		case <-sctx.Done():
			t.Fatalf("the agent never heard the lead's %s", state)
		}
	}
}
