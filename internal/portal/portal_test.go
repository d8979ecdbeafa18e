package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/aftersale"
	"github.com/kefu-dev/kefu/internal/channel/email"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/httpapi"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/portal"
	"github.com/kefu-dev/kefu/internal/server"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
	"github.com/kefu-dev/kefu/internal/ticket"
	"github.com/kefu-dev/kefu/internal/user"
)

// shop is a running kefu with the portal, staff and two customers' orders.
type shop struct {
	t                *testing.T
	url              string
	cases            *aftersale.Service
	tickets          *ticket.Service
	agent, warehouse *kefu.User
	fresh, late      *kefu.Order // delivered two days ago; delivered twelve days ago
	clock            time.Time   // the after-sales service's clock
	shop             *shopSystem // the shop's system behind the webhook
	secret           string      // the webhook secret
}

// shopSystem is the shop's side of the webhook: it fails the first call.
type shopSystem struct {
	mu     sync.Mutex
	events []string
}

func (sh *shopSystem) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.events = append(sh.events, r.Header.Get(aftersale.HeaderEventID))
	if len(sh.events) == 1 {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func newShop(t *testing.T, st *store.Store) *shop { return newShopWith(t, st, nil) }

func newShopWith(t *testing.T, st *store.Store, mailer portal.Mailer) *shop {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	customers := customer.New(st)
	users := user.New(st)
	tickets := ticket.New(st, customers)
	cases := aftersale.New(st, tickets, log)
	api := httpapi.New(st, httpapi.Services{Tickets: tickets, Customers: customers, Users: users, Cases: cases, Email: email.NewChannels(st)}, log)
	srv := httptest.NewServer(server.New(st, api, log, portal.New(cases, log, mailer)).Handler())
	t.Cleanup(srv.Close)
	s := &shop{t: t, url: srv.URL, cases: cases, tickets: tickets, clock: time.Now().UTC(), shop: &shopSystem{}}
	cases.SetClock(func() time.Time { return s.clock })
	shopSrv := httptest.NewServer(s.shop)
	t.Cleanup(shopSrv.Close)
	wh, err := users.CreateTeam(ctx, nil, user.TeamInput{Name: "仓库", Kind: kefu.TeamDepartment})
	if err != nil {
		t.Fatal(err)
	}
	sales, err := st.TeamByName(ctx, kefu.DefaultTeam)
	if err != nil {
		t.Fatal(err)
	}
	admin, _, err := users.Create(ctx, nil, user.Input{Email: "admin@test.test", Name: "admin", Role: kefu.RoleAdmin, Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	if s.agent, _, err = users.Create(ctx, nil, user.Input{Email: "agent@test.test", Name: "小雨", Role: kefu.RoleAgent, Password: "secret", TeamIDs: []int64{sales.ID}}); err != nil {
		t.Fatal(err)
	}
	if s.warehouse, _, err = users.Create(ctx, nil, user.Input{Email: "wh@test.test", Name: "周强", Role: kefu.RoleCollaborator, Password: "secret", TeamIDs: []int64{wh.ID}}); err != nil {
		t.Fatal(err)
	}
	wv, err := cases.SetWebhook(ctx, admin, aftersale.Webhook{URL: shopSrv.URL})
	if err != nil {
		t.Fatal(err)
	}
	s.secret = wv.Secret
	now := time.Now().UTC()
	order := func(ext, number, email, phone string, deliveredAgo time.Duration) customer.OrderInput {
		d := now.Add(-deliveredAgo)
		sh := d.Add(-40 * time.Hour)
		return customer.OrderInput{ExternalID: ext, Number: number, Customer: customer.Ref{Email: email, Phone: phone, Name: "韩梅梅"},
			PlacedAt: sh.Add(-20 * time.Hour), PaidAt: &sh, ShippedAt: &sh, DeliveredAt: &d, ShippingProvince: "上海市", ShippingCity: "上海市",
			Subtotal: 7900, Total: 7900, Items: []kefu.OrderItem{{SKU: "AP-1001", ProductName: "纯棉圆领短袖T恤", ProductCategory: "apparel",
				Variant: "颜色: 雾霾蓝; 尺码: M", Quantity: 1, UnitPrice: 7900, UnitCost: 3100}}}
	}
	res, err := customers.UpsertOrders(ctx, admin, []customer.OrderInput{
		order("SO-1", "KF20261120001", "hmm@example.com", "13800138000", 2*24*time.Hour),
		order("SO-2", "KF20261110002", "hmm@example.com", "", 12*24*time.Hour),
		order("SO-3", "KF20261120003", "other@example.com", "", 2*24*time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.fresh, err = st.Order(ctx, res[0].ID); err != nil {
		t.Fatal(err)
	}
	if s.late, err = st.Order(ctx, res[1].ID); err != nil {
		t.Fatal(err)
	}
	return s
}

// browser is a customer's browser: cookies, and the CSRF token of the last page.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func (s *shop) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: s.t, base: s.url, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

type page struct {
	status int
	loc    string
	body   string
	header http.Header
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	p := page{status: res.StatusCode, loc: res.Header.Get("Location"), body: html.UnescapeString(string(data)), header: res.Header}
	if m := csrfRe.FindStringSubmatch(string(data)); m != nil {
		b.csrf = m[1]
	}
	return p
}

func (b *browser) get(path string) page {
	req, _ := http.NewRequest("GET", b.base+path, nil)
	return b.do(req)
}

// post sends a form; files (field → name → bytes) make it multipart.
func (b *browser) post(path string, form url.Values, files map[string]map[string][]byte) page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	var req *http.Request
	if files == nil {
		req, _ = http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, vs := range form {
			for _, v := range vs {
				_ = mw.WriteField(k, v)
			}
		}
		for field, fs := range files {
			for name, data := range fs {
				w, _ := mw.CreateFormFile(field, name)
				_, _ = w.Write(data)
			}
		}
		mw.Close()
		req, _ = http.NewRequest("POST", b.base+path, &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
	}
	return b.do(req)
}

func (b *browser) signIn(order, contact string) {
	b.t.Helper()
	b.get("/portal/")
	if p := b.post("/portal/login", url.Values{"order": {order}, "contact": {contact}}, nil); p.status != 303 || p.loc != "/portal/orders" {
		b.t.Fatalf("sign in: %d %s", p.status, p.loc)
	}
}

var png = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// TestPortalFlow is the whole flow: a customer opens a
// colour-difference request in the portal with a photo and sees it is
// eligible and that an exchange is suggested; the agent sees the
// recommended exchange and approves it; the customer enters the return
// tracking number; the warehouse passes the inspection; the webhook to the
// shop's system is retried after a failure and confirmed; the customer
// sees every step, in both languages, and rates it.
func TestPortalFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		ctx := context.Background()
		b := s.browser()

		signin := b.get("/portal/")
		if signin.status != 200 || !strings.Contains(signin.body, "查询订单与售后") || !strings.Contains(signin.header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Fatalf("sign-in page: %d %v", signin.status, signin.header)
		}
		if p := b.post("/portal/login", url.Values{"order": {s.fresh.Number}, "contact": {"13900000000"}}, nil); p.status != 401 || !strings.Contains(p.body, "不匹配") {
			t.Errorf("wrong phone: %d", p.status)
		}
		if p := b.post("/portal/login", url.Values{"order": {s.fresh.Number}, "contact": {"+86 138-0013-8000"}, "csrf": {"forged"}}, nil); p.status != 403 {
			t.Errorf("forged CSRF: %d", p.status)
		}
		b.signIn(s.fresh.Number, "+86 138-0013-8000")
		orders := b.get("/portal/orders")
		if orders.status != 200 || !strings.Contains(orders.body, s.fresh.Number) || !strings.Contains(orders.body, s.late.Number) || strings.Contains(orders.body, "KF20261120003") {
			t.Fatalf("orders page: %d", orders.status)
		}

		form := b.get(fmt.Sprintf("/portal/orders/%d/request", s.fresh.ID))
		if form.status != 200 || !strings.Contains(form.body, "色差") {
			t.Fatalf("request form: %d", form.status)
		}
		item := fmt.Sprint(s.fresh.Items[0].ID)
		req := url.Values{"item": {item}, "reason": {"product.colour_difference"}, "kind": {"return_refund"}, "condition": {"tried"},
			"description": {"收到的T恤是深蓝色，和页面上的雾霾蓝差很多"}}
		check := b.post(fmt.Sprintf("/portal/orders/%d/check", s.fresh.ID), req, nil)
		if check.status != 200 || !strings.Contains(check.body, `data-eligible="true"`) || !strings.Contains(check.body, "换货，商家承担运费") {
			t.Fatalf("live check: %d %s", check.status, check.body)
		}
		if strings.Contains(check.body, "毛利") || strings.Contains(check.body, "margin") {
			t.Errorf("the customer sees the shop's margin: %s", check.body)
		}
		req.Set("action", "submit")
		sent := b.post(fmt.Sprintf("/portal/orders/%d/request", s.fresh.ID), req, map[string]map[string][]byte{"photos": {"colour.png": png}})
		if sent.status != 303 || !strings.HasPrefix(sent.loc, "/portal/cases/") {
			t.Fatalf("submit: %d %s %s", sent.status, sent.loc, sent.body)
		}
		casePath := sent.loc
		var caseID int64
		fmt.Sscanf(strings.TrimPrefix(casePath, "/portal/cases/"), "%d", &caseID)
		cp := b.get(casePath)
		if cp.status != 200 || !strings.Contains(cp.body, "已提交") || !strings.Contains(cp.body, "我们已收到您的售后申请") {
			t.Fatalf("case page: %d", cp.status)
		}
		img := regexp.MustCompile(`src="(/portal/cases/\d+/files/\d+)"`).FindStringSubmatch(cp.body)
		if img == nil {
			t.Fatalf("no photo on the case page")
		}
		if p := b.get(img[1]); p.status != 200 || p.header.Get("Content-Type") != "image/png" {
			t.Errorf("photo: %d %s", p.status, p.header.Get("Content-Type"))
		}

		// The agent's side: the request is a portal ticket with the recommended exchange.
		d, err := s.cases.Get(ctx, s.agent, caseID)
		if err != nil {
			t.Fatal(err)
		}
		var dec aftersale.Decision
		if err := json.Unmarshal(d.Decision, &dec); err != nil {
			t.Fatal(err)
		}
		if d.Channel != kefu.ChannelPortal || len(d.Evidence) != 1 || dec.Recommended == nil || dec.Recommended.Kind != kefu.CaseExchange {
			t.Errorf("agent sees: channel %s, %d photos, decision %s", d.Channel, len(d.Evidence), d.Decision)
		}
		if _, err := s.cases.Transition(ctx, s.agent, caseID, aftersale.Move{To: kefu.CaseApproved, Kind: kefu.CaseExchange}); err != nil {
			t.Fatal(err)
		}
		approved := b.get(casePath)
		if !strings.Contains(approved.body, "文一西路") || !strings.Contains(approved.body, `data-testid="tracking-form"`) {
			t.Errorf("approved page lacks the return address or the tracking form")
		}
		if p := b.post(casePath+"/tracking", url.Values{"carrier": {"顺丰速运"}, "tracking_number": {"SF1400000000001"}}, nil); p.status != 303 {
			t.Fatalf("tracking: %d %s", p.status, p.body)
		}
		if _, err := s.cases.Transition(ctx, s.agent, caseID, aftersale.Move{To: kefu.CaseReceived}); err != nil {
			t.Fatal(err)
		}
		tasks, err := s.cases.Tasks(ctx, s.warehouse, store.CaseTaskFilter{Status: kefu.TaskOpen})
		if err != nil || len(tasks) != 1 {
			t.Fatalf("warehouse tasks: %v %v", tasks, err)
		}
		if _, err := s.cases.CompleteTask(ctx, s.warehouse, tasks[0].ID, aftersale.TaskAnswer{Result: kefu.TaskPass, Answer: "吊牌完好"}); err != nil {
			t.Fatal(err)
		}
		// The shop's system gets the signed instruction: it fails once, the retry lands, the shop confirms.
		for i, want := range []int{1, 0} {
			if n, err := s.cases.DeliverDue(ctx); err != nil || n != want {
				t.Fatalf("delivery round %d: %d %v", i, n, err)
			}
		}
		s.clock = s.clock.Add(31 * time.Second)
		if n, err := s.cases.DeliverDue(ctx); err != nil || n != 1 {
			t.Fatalf("retry: %d %v", n, err)
		}
		if len(s.shop.events) != 2 || s.shop.events[0] != s.shop.events[1] {
			t.Fatalf("the shop saw %v", s.shop.events)
		}
		body := []byte(`{"event_id":"` + s.shop.events[0] + `","reference":"EX-20261123-01"}`)
		confirm, _ := http.NewRequest("POST", s.url+"/api/v1/cases/confirmations", bytes.NewReader(body))
		confirm.Header.Set(aftersale.HeaderSignature, aftersale.Sign(s.secret, time.Now(), body))
		res, err := http.DefaultClient.Do(confirm)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("confirmation: %v %v", res, err)
		}
		res.Body.Close()
		done := b.get(casePath)
		for _, want := range []string{"已收到您的退货快递单号", "正在验收", "验收通过", "新的商品已经为您发出", `data-testid="rate-form"`} {
			if !strings.Contains(done.body, want) {
				t.Errorf("the case page lacks %q", want)
			}
		}
		if p := b.post(casePath+"/rate", url.Values{"rating": {"5"}, "comment": {"处理很快"}}, nil); p.status != 303 {
			t.Fatalf("rate: %d %s", p.status, p.body)
		}
		rated := b.get(casePath + "?lang=en")
		if !strings.Contains(rated.body, "Completed") || !strings.Contains(rated.body, "5/5") || !strings.Contains(rated.body, "A new item is on its way") {
			t.Errorf("English case page after rating: %s", rated.body)
		}
		if strings.Count(rated.body, "<time>") < 7 {
			t.Errorf("timeline too short")
		}
		if p := b.post(casePath+"/rate", url.Values{"rating": {"1"}}, nil); p.status != 422 {
			t.Errorf("rating twice: %d", p.status)
		}

		// Another customer sees none of it.
		o := s.browser()
		o.signIn("KF20261120003", "other@example.com")
		if p := o.get(casePath); p.status != 404 {
			t.Errorf("someone else's case: %d", p.status)
		}
		if p := o.get(fmt.Sprintf("/portal/orders/%d/request", s.fresh.ID)); p.status != 404 {
			t.Errorf("someone else's order: %d", p.status)
		}
	})
}

// TestPortalRefusesIneligible: a request outside the policy is refused with
// the reason, in the customer's language, and nothing is created.
func TestPortalRefusesIneligible(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		b := s.browser()
		b.signIn(s.late.Number, "HMM@example.com")
		b.get(fmt.Sprintf("/portal/orders/%d/request?lang=en", s.late.ID))
		req := url.Values{"item": {fmt.Sprint(s.late.Items[0].ID)}, "reason": {"buyer.seven_day_return"}, "kind": {"return_refund"},
			"description": {"I changed my mind"}, "action": {"submit"}}
		p := b.post(fmt.Sprintf("/portal/orders/%d/request", s.late.ID), req, map[string]map[string][]byte{"photos": {"a.png": png}})
		if p.status != 422 || !strings.Contains(p.body, `data-eligible="false"`) || !strings.Contains(p.body, "no-reason window closed") {
			t.Fatalf("late return: %d %s", p.status, p.body)
		}
		cs, err := s.cases.CustomerCases(context.Background(), s.late.CustomerID)
		if err != nil || len(cs) != 0 {
			t.Errorf("a refused request created cases: %v %v", cs, err)
		}
		// Only photos, videos and PDFs, by their bytes.
		bad := url.Values{"item": {fmt.Sprint(s.fresh.Items[0].ID)}, "reason": {"product.colour_difference"}, "kind": {"exchange"},
			"description": {"看图"}, "action": {"submit"}}
		fresh := s.browser()
		fresh.signIn(s.fresh.Number, "13800138000")
		fresh.get(fmt.Sprintf("/portal/orders/%d/request", s.fresh.ID))
		if p := fresh.post(fmt.Sprintf("/portal/orders/%d/request", s.fresh.ID), bad, map[string]map[string][]byte{"photos": {"x.png": []byte("<html><script>alert(1)</script>")}}); p.status != 422 || !strings.Contains(p.body, "只能上传照片") {
			t.Errorf("HTML as a photo: %d", p.status)
		}
		// Missing fields are asked for, not guessed.
		if p := b.post(fmt.Sprintf("/portal/orders/%d/request", s.late.ID), url.Values{"action": {"submit"}}, nil); p.status != 422 {
			t.Errorf("empty request: %d", p.status)
		}
	})
}

// TestPortalThrottlesGuessing: after five wrong contacts for one order,
// even the right one is refused for a while.
func TestPortalThrottlesGuessing(t *testing.T) {
	s := newShop(t, storetest.Open(t, store.SQLite))
	b := s.browser()
	b.get("/portal/")
	for i := 0; i < 5; i++ {
		if p := b.post("/portal/login", url.Values{"order": {s.fresh.Number}, "contact": {fmt.Sprintf("1390000000%d", i)}}, nil); p.status != 401 {
			t.Fatalf("guess %d: %d", i, p.status)
		}
	}
	if p := b.post("/portal/login", url.Values{"order": {s.fresh.Number}, "contact": {"13800138000"}}, nil); p.status != 429 || !strings.Contains(p.body, "尝试次数过多") {
		t.Errorf("sixth try: %d", p.status)
	}
	// Another order from the same address is not blocked.
	other := s.browser()
	other.signIn("KF20261120003", "other@example.com")
}

// mailbox is a Mailer that keeps what it would send.
type mailbox struct {
	to, link string
}

func (m *mailbox) SendPortalLink(_ context.Context, to, _, _, link string) error {
	m.to, m.link = to, link
	return nil
}

// TestPortalLinkAndTickets: a one-time link signs the customer in once;
// they see their conversations, a reply reaches the ticket, and a reply to
// a closed ticket opens a follow-up.
func TestPortalLinkAndTickets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		mb := &mailbox{}
		s := newShopWith(t, st, mb)
		ctx := context.Background()
		tk, _, err := s.tickets.Create(ctx, s.agent, ticket.NewTicket{Subject: "发票怎么开", Channel: kefu.ChannelEmail,
			Customer: customer.Ref{Email: "hmm@example.com"}, Message: ticket.NewMessage{Body: "请问可以开发票吗？"}})
		if err != nil {
			t.Fatal(err)
		}
		b := s.browser()
		b.get("/portal/")
		if p := b.post("/portal/link", url.Values{"email": {"nobody@example.com"}}, nil); p.status != 200 || mb.link != "" || !strings.Contains(p.body, "登录链接已经发出") {
			t.Errorf("unknown address: %d, link %q", p.status, mb.link)
		}
		if p := b.post("/portal/link", url.Values{"email": {"HMM@example.com"}}, nil); p.status != 200 || mb.to != "hmm@example.com" || !strings.Contains(mb.link, "/portal/link/") {
			t.Fatalf("link: %d to %q %q", p.status, mb.to, mb.link)
		}
		u, _ := url.Parse(mb.link)
		if p := b.get(u.Path); p.status != 303 || p.loc != "/portal/orders" {
			t.Fatalf("using the link: %d %s", p.status, p.loc)
		}
		if p := s.browser().get(u.Path); p.status != 410 {
			t.Errorf("a used link worked again: %d", p.status)
		}
		orders := b.get("/portal/orders")
		if !strings.Contains(orders.body, "发票怎么开") {
			t.Fatalf("the conversation is not listed")
		}
		tp := fmt.Sprintf("/portal/tickets/%d", tk.ID)
		if p := b.get(tp); p.status != 200 || !strings.Contains(p.body, "请问可以开发票吗") {
			t.Fatalf("ticket page: %d", p.status)
		}
		if p := b.post(tp+"/reply", url.Values{"body": {"需要公司抬头的"}}, nil); p.status != 303 || p.loc != tp {
			t.Fatalf("reply: %d %s", p.status, p.loc)
		}
		if p := b.post(tp+"/reply", url.Values{"body": {"  "}}, nil); p.status != 422 || !strings.Contains(p.body, "请填写内容") {
			t.Errorf("empty reply: %d %s", p.status, p.body)
		}
		tk.Status = kefu.StatusClosed
		if err := st.UpdateTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
		p := b.post(tp+"/reply", url.Values{"body": {"还有一个问题"}}, nil)
		if p.status != 303 || p.loc == tp {
			t.Errorf("reply to a closed ticket: %d %s", p.status, p.loc)
		}
		if fu := b.get(p.loc); !strings.Contains(fu.body, "还有一个问题") {
			t.Errorf("the follow-up lacks the message")
		}
	})
}
