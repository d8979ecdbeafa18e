package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/chat"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/demo"
	"github.com/kefu-dev/kefu/internal/httpapi"
	"github.com/kefu-dev/kefu/internal/realtime"
	"github.com/kefu-dev/kefu/internal/search"
	"github.com/kefu-dev/kefu/internal/server"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
	"github.com/kefu-dev/kefu/internal/ticket"
	"github.com/kefu-dev/kefu/internal/user"
	"github.com/kefu-dev/kefu/internal/web"
)

// searchSite serves the workspace on the demo shop, indexed for search.
func searchSite(t *testing.T, st *store.Store) string {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Load(ctx, st, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := search.New(st).Reindex(ctx, nil); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	customers := customer.New(st)
	tickets := ticket.New(st, customers)
	users := user.New(st)
	ws, err := web.New(st, tickets, customers, users, nil, realtime.NewLocal(), chat.New(st, tickets, customers, realtime.NewLocal(), log), log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(st, httpapi.New(st, httpapi.Services{Tickets: tickets, Customers: customers, Users: users}, log), log, ws).Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

// searchUser is a signed-in browser.
type searchUser struct {
	t    *testing.T
	base string
	c    *http.Client
}

var loginCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func signInForSearch(t *testing.T, base, email string) *searchUser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u := &searchUser{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	_, page := u.get("/login")
	m := loginCSRF.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF token on the sign-in page")
	}
	res, err := u.c.PostForm(base+"/login", url.Values{"csrf": {m[1]}, "email": {email}, "password": {demo.Password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", email, res.StatusCode)
	}
	return u
}

func (u *searchUser) get(path string) (int, string) {
	u.t.Helper()
	res, err := u.c.Get(u.base + path)
	if err != nil {
		u.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

var ticketLink = regexp.MustCompile(`href="(/tickets/\d+)"`)

// TestSearchPage checks the workspace's search: the box in every page's
// header, results grouped by kind with highlighted snippets, links that
// open, and nothing a role may not open.
func TestSearchPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		base := searchSite(t, st)
		agent := signInForSearch(t, base, "agent@demo.test")
		if code, page := agent.get("/"); code != 200 || !strings.Contains(page, `id="search-q"`) {
			t.Fatalf("the inbox has no search box (%d)", code)
		}
		code, page := agent.get("/search")
		if code != 200 || !strings.Contains(page, `class="muted help"`) {
			t.Errorf("empty search page: %d", code)
		}
		code, page = agent.get("/search?q=" + url.QueryEscape("车厘子"))
		if code != 200 || !strings.Contains(page, "<mark>车厘子</mark>") || !strings.Contains(page, `data-kind="ticket"`) {
			t.Errorf("search 车厘子: %d\n%.2000s", code, page)
		}
		if !strings.Contains(page, `value="车厘子"`) {
			t.Error("the search box does not keep the query")
		}
		// A phone number: the customer, with a link to their tickets.
		code, page = agent.get("/search?q=" + url.QueryEscape("189-6650-6961"))
		if code != 200 || !strings.Contains(page, `data-kind="customer"`) || !strings.Contains(page, "李娜") || !strings.Contains(page, "/search?kind=ticket&amp;q=customer") {
			t.Errorf("search a phone: %d\n%.2000s", code, page)
		}
		// A bad status is said, not a failure.
		if code, page = agent.get("/search?q=" + url.QueryEscape("status:someday 退款")); code != 200 || !strings.Contains(page, `class="error"`) {
			t.Errorf("bad status: %d", code)
		}
		// What the warehouse finds, it may open.
		wh := signInForSearch(t, base, "warehouse@demo.test")
		opened := 0
		for _, q := range []string{"退款", "补发", "物流", "发错货"} {
			code, page := wh.get("/search?q=" + url.QueryEscape(q))
			if code != 200 {
				t.Fatalf("warehouse search %q: %d", q, code)
			}
			for _, m := range ticketLink.FindAllStringSubmatch(page, -1) {
				if code, _ := wh.get(m[1]); code != 200 {
					t.Errorf("warehouse finds %s for %q but cannot open it (%d)", m[1], q, code)
				}
				opened++
			}
		}
		if opened == 0 {
			t.Error("the warehouse finds nothing at all")
		}
		// Signed out: to the sign-in page.
		anon := &searchUser{t: t, base: base, c: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
		if code, _ := anon.get("/search?q=x"); code != http.StatusSeeOther {
			t.Errorf("signed out: %d", code)
		}
	})
}
