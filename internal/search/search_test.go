package search_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/jobs"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/search"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
	"github.com/kefu-dev/kefu/internal/ticket"
	"github.com/kefu-dev/kefu/internal/user"
)

// shop is a small shop with users of every role, its outbox and the
// search consumer on it.
type shop struct {
	t         *testing.T
	st        *store.Store
	search    *search.Service
	outbox    *jobs.Outbox
	tickets   *ticket.Service
	customers *customer.Service
	users     map[string]*kefu.User
	teams     map[string]int64
}

func newShop(t *testing.T, st *store.Store) *shop {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := &shop{t: t, st: st, search: search.New(st), customers: customer.New(st), users: map[string]*kefu.User{}, teams: map[string]int64{}}
	s.tickets = ticket.New(st, s.customers)
	s.outbox = jobs.NewOutbox(st, log, time.Hour)
	s.outbox.Register(search.ConsumerName, s.search.HandleEvents)
	users := user.New(st)
	sales, err := st.TeamByName(ctx, kefu.DefaultTeam)
	if err != nil {
		t.Fatal(err)
	}
	s.teams["sales"] = sales.ID
	for _, name := range []string{"tech", "warehouse"} {
		tm, err := users.CreateTeam(ctx, nil, user.TeamInput{Name: name, Kind: kefu.TeamDepartment})
		if err != nil {
			t.Fatal(err)
		}
		s.teams[name] = tm.ID
	}
	for _, u := range []struct {
		name string
		role kefu.Role
		team string
	}{{"admin", kefu.RoleAdmin, ""}, {"lead", kefu.RoleSupervisor, "sales"}, {"agent", kefu.RoleAgent, "sales"},
		{"agent2", kefu.RoleAgent, "tech"}, {"warehouse", kefu.RoleCollaborator, "warehouse"}} {
		in := user.Input{Email: u.name + "@test.test", Name: u.name, Role: u.role, Password: "secret"}
		if u.team != "" {
			in.TeamIDs = []int64{s.teams[u.team]}
		}
		created, _, err := users.Create(ctx, nil, in)
		if err != nil {
			t.Fatal(err)
		}
		s.users[u.name] = created
	}
	return s
}

func (s *shop) ticket(in ticket.NewTicket) *kefu.Ticket {
	s.t.Helper()
	if in.Channel == "" {
		in.Channel = kefu.ChannelChat
	}
	t, _, err := s.tickets.Create(context.Background(), s.users["admin"], in)
	if err != nil {
		s.t.Fatalf("create ticket %q: %v", in.Subject, err)
	}
	return t
}

// drain runs the outbox until the search consumer has seen every event.
// On PostgreSQL the outbox only hands out events of transactions older than
// every running one (cluster-wide), so another client's open transaction
// can hold it back for a while: keep trying.
func (s *shop) drain() {
	s.t.Helper()
	drainOutbox(s.t, s.st, s.outbox)
}

func drainOutbox(t *testing.T, st *store.Store, o *jobs.Outbox) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	for {
		o.DrainOnce(ctx)
		var last, pos int64
		if err := st.DB().QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM events`).Scan(&last); err != nil {
			t.Fatal(err)
		}
		if err := st.DB().QueryRowContext(ctx, `SELECT COALESCE(MAX(last_event_id), 0) FROM outbox_consumers WHERE name = 'search'`).Scan(&pos); err != nil {
			t.Fatal(err)
		}
		if pos >= last {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the search consumer is stuck at event %d of %d", pos, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *shop) find(role, q string, opts ...func(*search.Request)) []search.Item {
	s.t.Helper()
	req := search.Request{Q: q}
	for _, o := range opts {
		o(&req)
	}
	res, err := s.search.Search(context.Background(), s.users[role], req)
	if err != nil {
		s.t.Fatalf("search %q as %s: %v", q, role, err)
	}
	return res.Items
}

func ids(items []search.Item, kind store.SearchKind) []int64 {
	var out []int64
	for _, it := range items {
		if it.Kind == kind {
			out = append(out, it.ID)
		}
	}
	return out
}

func kindOnly(k store.SearchKind) func(*search.Request) {
	return func(r *search.Request) { r.Kind = k }
}

func TestSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newShop(t, st)
		admin := s.users["admin"]
		orders, err := s.customers.UpsertOrders(ctx, admin, []customer.OrderInput{{
			ExternalID: "SHOP-77001", Number: "DD2026110301", PlacedAt: time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC),
			Customer:  customer.Ref{Name: "李娜", Email: "Li.Na@Example.com", Phone: "+86 138-0013-8000"},
			Items:     []kefu.OrderItem{{SKU: "TS-001-BLK", ProductName: "纯棉短袖T恤", Variant: "黑色 L", Quantity: 1, UnitPrice: 7900}},
			Shipments: []kefu.Shipment{{Carrier: "顺丰", TrackingNumber: "SF1234567890123", Status: kefu.ShipmentDelivered}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		orderID := orders[0].ID
		li, err := st.CustomerByIdentity(ctx, kefu.IdentityEmail, "li.na@example.com")
		if err != nil {
			t.Fatal(err)
		}
		colour := s.ticket(ticket.NewTicket{Subject: "衣服有色差", OrderID: &orderID, Customer: customer.Ref{ID: li.ID}, Tags: []string{"VIP"},
			Message: ticket.NewMessage{Body: "你好，收到的T恤颜色跟图片差别很大，明显有色差，想换一件。"}})
		logistics := s.ticket(ticket.NewTicket{Subject: "物流一直没更新", Customer: customer.Ref{Email: "wang@example.com", Name: "王芳"},
			Message: ticket.NewMessage{Body: "快递三天没动了，物流信息一直停在杭州中转站。"}})
		refund := s.ticket(ticket.NewTicket{Subject: "Refund for damaged headphones", Channel: kefu.ChannelEmail, Customer: customer.Ref{Email: "emily@example.com", Name: "Emily Carter"},
			Message: ticket.NewMessage{Body: "The headphones arrived damaged. I would like a refund, please."}})
		trad := s.ticket(ticket.NewTicket{Subject: "申請退貨", Customer: customer.Ref{Email: "chan@example.hk", Name: "陳大文"},
			Message: ticket.NewMessage{Body: "商品質量有問題，想申請退貨。"}})
		wide := s.ticket(ticket.NewTicket{Subject: "屏幕碎了", Customer: customer.Ref{Email: "zhao@example.com", Name: "赵磊"},
			Message: ticket.NewMessage{Body: "ｉＰｈｏｎｅ　１５ 的屏幕收到就碎了，电话１３９００１３９０００。"}})
		s.drain()

		tickets := func(q string, opts ...func(*search.Request)) []int64 {
			return ids(s.find("admin", q, opts...), store.SearchTicket)
		}
		for _, c := range []struct {
			q    string
			want int64
		}{
			{"色差", colour.ID}, {"色", colour.ID}, {"衣服色差", colour.ID}, {`"有色差"`, colour.ID}, {"物流", logistics.ID}, {"杭州 中转", logistics.ID},
			{"refunds", refund.ID}, {"DAMAGE", refund.ID}, {"退货", trad.ID}, {"質量問題", trad.ID}, {"iphone 15", wide.ID},
			{"IPHONE", wide.ID}, {"13900139000", wide.ID}, {"9000", wide.ID}, {"139-0013-9000", wide.ID},
			{"13800138000", colour.ID}, {"0013 8000", colour.ID}, {"li.na@example.com", colour.ID}, {"DD2026110301", colour.ID},
			{"SF1234567890123", colour.ID}, {"#" + itoa(colour.Number), colour.ID}, {"李娜", colour.ID}, {"T恤", colour.ID},
		} {
			got := tickets(c.q)
			if len(got) == 0 || got[0] != c.want {
				t.Errorf("search %q: tickets %v, want %d first", c.q, got, c.want)
			}
		}
		for _, q := range []string{`"色差衣服"`, "退款", "qwertyuiop", "13800138001", "物流 refund"} {
			if got := tickets(q); len(got) != 0 {
				t.Errorf("search %q found tickets %v, want none", q, got)
			}
		}
		// A phone number, an e-mail address or an order number names a
		// customer or an order: that group comes first.
		for _, c := range []struct {
			q    string
			kind store.SearchKind
			id   int64
		}{
			{"13800138000", store.SearchCustomer, li.ID}, {"138 0013 8000", store.SearchCustomer, li.ID}, {"li.na@example.com", store.SearchCustomer, li.ID},
			{"DD2026110301", store.SearchOrder, orderID}, {"SF1234567890123", store.SearchOrder, orderID}, {"SHOP-77001", store.SearchOrder, orderID},
		} {
			items := s.find("admin", c.q)
			if len(items) == 0 || items[0].Kind != c.kind || items[0].ID != c.id {
				t.Errorf("search %q: first item %+v, want %s %d", c.q, first(items), c.kind, c.id)
			}
		}
		if got := ids(s.find("admin", "TS-001-BLK", kindOnly(store.SearchOrder)), store.SearchOrder); len(got) != 1 || got[0] != orderID {
			t.Errorf("SKU finds orders %v", got)
		}
		if got := ids(s.find("admin", "纯棉", kindOnly(store.SearchOrder)), store.SearchOrder); len(got) != 1 {
			t.Errorf("product name finds orders %v", got)
		}
		// Highlighting.
		items := s.find("admin", "色差", kindOnly(store.SearchTicket))
		if len(items) == 0 || !strings.Contains(items[0].Snippet, "<mark>色差</mark>") {
			t.Errorf("snippet of 色差: %+v", first(items))
		}
		if it := first(s.find("admin", "0013 8000", kindOnly(store.SearchCustomer))); !strings.Contains(it.Snippet, "<mark>13800138000</mark>") {
			t.Errorf("snippet of a partial phone: %q", it.Snippet)
		}
		if it := first(s.find("admin", "質量", kindOnly(store.SearchTicket))); !strings.Contains(it.Snippet, "<mark>質量</mark>") {
			t.Errorf("snippet keeps the original characters: %q", it.Snippet)
		}
		// Field prefixes.
		if got := tickets("customer:李娜"); len(got) != 1 || got[0] != colour.ID {
			t.Errorf("customer:李娜 finds %v", got)
		}
		if got := tickets("customer:13800138000 色差"); len(got) != 1 {
			t.Errorf("customer: with text finds %v", got)
		}
		if got := tickets("order:DD2026110301"); len(got) != 1 || got[0] != colour.ID {
			t.Errorf("order: finds %v", got)
		}
		if got := ids(s.find("admin", "order:SF1234567890123", kindOnly(store.SearchCustomer)), store.SearchCustomer); len(got) != 1 || got[0] != li.ID {
			t.Errorf("order: on customers finds %v", got)
		}
		if got := tickets("tag:VIP"); len(got) != 1 || got[0] != colour.ID {
			t.Errorf("tag:VIP finds %v", got)
		}
		if got := tickets("tag:vip"); len(got) != 0 {
			t.Errorf("tags match exactly; tag:vip finds %v", got)
		}
		if got := tickets("status:new 物流"); len(got) != 1 {
			t.Errorf("status:new 物流 finds %v", got)
		}
		if got := tickets("status:已关闭 物流"); len(got) != 0 {
			t.Errorf("status:已关闭 物流 finds %v", got)
		}
		if _, err := s.search.Search(ctx, admin, search.Request{Q: "status:someday"}); err == nil {
			t.Error("an unknown status is accepted")
		}
		// Filters.
		if got := tickets("refund", func(r *search.Request) { r.Channel = kefu.ChannelChat }); len(got) != 0 {
			t.Errorf("channel filter: %v", got)
		}
		if got := tickets("refund", func(r *search.Request) { r.Channel = kefu.ChannelEmail }); len(got) != 1 {
			t.Errorf("channel filter: %v", got)
		}
		if got := tickets("物流", func(r *search.Request) { r.From = time.Now().Add(time.Hour) }); len(got) != 0 {
			t.Errorf("date filter: %v", got)
		}
	})
}

func first(items []search.Item) search.Item {
	if len(items) == 0 {
		return search.Item{}
	}
	return items[0]
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestSearchVisibility checks that every role finds only what it may open:
// the same rules as ticket lists, and customers and orders only through
// tickets for collaborators.
func TestSearchVisibility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newShop(t, st)
		admin := s.users["admin"]
		mk := func(subject, email string, team string) *kefu.Ticket {
			tm := s.teams[team]
			return s.ticket(ticket.NewTicket{Subject: subject, TeamID: &tm, Customer: customer.Ref{Email: email, Name: "退款客户 " + subject},
				Message: ticket.NewMessage{Body: "申请退款，订单号见附件。"}})
		}
		sales := mk("sales", "sales@example.com", "sales")
		handed := mk("handed", "handed@example.com", "sales")
		tech := mk("tech", "tech@example.com", "tech")
		assigned := mk("assigned", "assigned@example.com", "sales")
		agent2 := s.users["agent2"].ID
		if _, err := s.tickets.Transfer(ctx, admin, handed.ID, nil, &[]int64{s.teams["warehouse"]}[0], "请仓库核实退款商品"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.tickets.Update(ctx, admin, assigned.ID, ticket.Patch{AssigneeID: ticket.Field[*int64]{Set: true, Value: &agent2}}); err != nil {
			t.Fatal(err)
		}
		for _, tk := range []*kefu.Ticket{sales, handed, tech, assigned} {
			if _, err := s.customers.UpsertOrders(ctx, admin, []customer.OrderInput{{ExternalID: "EXT-" + tk.Subject, Number: "退款单-" + tk.Subject,
				Customer: customer.Ref{ID: tk.CustomerID}, PlacedAt: time.Now()}}); err != nil {
				t.Fatal(err)
			}
		}
		s.drain()
		want := map[string][]*kefu.Ticket{
			"admin":     {sales, handed, tech, assigned},
			"lead":      {sales, handed, tech, assigned},
			"agent":     {sales, handed, assigned},
			"agent2":    {tech, assigned},
			"warehouse": {handed},
		}
		for role, visible := range want {
			items := s.find(role, "退款")
			var wantTickets, wantCustomers []int64
			for _, tk := range visible {
				wantTickets = append(wantTickets, tk.ID)
				wantCustomers = append(wantCustomers, tk.CustomerID)
			}
			if role != "warehouse" { // agents and up read every customer and order
				wantCustomers = []int64{sales.CustomerID, handed.CustomerID, tech.CustomerID, assigned.CustomerID}
			}
			if got := ids(items, store.SearchTicket); !sameSet(got, wantTickets) {
				t.Errorf("%s finds tickets %v, want %v", role, got, wantTickets)
			}
			if got := ids(items, store.SearchCustomer); !sameSet(got, wantCustomers) {
				t.Errorf("%s finds customers %v, want %v", role, got, wantCustomers)
			}
			if got := ids(items, store.SearchOrder); len(got) != len(wantCustomers) {
				t.Errorf("%s finds %d orders, want %d", role, len(got), len(wantCustomers))
			}
			// Whatever search shows, the reader may open.
			for _, id := range ids(items, store.SearchTicket) {
				if _, err := s.tickets.Get(ctx, s.users[role], id); err != nil {
					t.Errorf("%s finds ticket %d but cannot open it: %v", role, id, err)
				}
			}
			for _, id := range ids(items, store.SearchCustomer) {
				if _, err := s.customers.Get(ctx, s.users[role], id); err != nil {
					t.Errorf("%s finds customer %d but cannot open it: %v", role, id, err)
				}
			}
			for _, id := range ids(items, store.SearchOrder) {
				if _, err := s.customers.Order(ctx, s.users[role], id); err != nil {
					t.Errorf("%s finds order %d but cannot open it: %v", role, id, err)
				}
			}
		}
		// Transfers change visibility at once, without waiting for the index.
		if _, err := s.tickets.Transfer(ctx, admin, tech.ID, nil, &[]int64{s.teams["warehouse"]}[0], "请仓库确认库存"); err != nil {
			t.Fatal(err)
		}
		if got := ids(s.find("warehouse", "退款"), store.SearchTicket); !sameSet(got, []int64{handed.ID, tech.ID}) {
			t.Errorf("after a hand-off the warehouse finds %v", got)
		}
		// No user, no search.
		if _, err := s.search.Search(ctx, nil, search.Request{Q: "退款"}); err == nil {
			t.Error("a search without a user is answered")
		}
	})
}

func sameSet(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[int64]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

// TestIndexFollowsChanges checks that the outbox consumer keeps documents
// current as tickets, customers and orders change.
func TestIndexFollowsChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newShop(t, st)
		admin := s.users["admin"]
		a := s.ticket(ticket.NewTicket{Subject: "耳机没声音", Customer: customer.Ref{Email: "zhou@example.com", Name: "周杰"},
			Message: ticket.NewMessage{Body: "左边耳机没有声音。"}})
		b := s.ticket(ticket.NewTicket{Subject: "耳机左耳无声", Customer: customer.Ref{Email: "zhou@example.com"},
			Message: ticket.NewMessage{Body: "又写了一遍：蓝牙连接后左耳不响。"}})
		tickets := func(q string) []int64 { return ids(s.find("admin", q), store.SearchTicket) }
		if got := tickets("耳机"); len(got) != 0 {
			t.Errorf("found %v before the consumer ran", got)
		}
		s.drain()
		if got := tickets("耳机"); !sameSet(got, []int64{a.ID, b.ID}) {
			t.Fatalf("耳机 finds %v", got)
		}
		// A new subject replaces the old one.
		if _, err := s.tickets.Update(ctx, admin, a.ID, ticket.Patch{Subject: ticket.Field[string]{Set: true, Value: "Bluetooth headset silent"}}); err != nil {
			t.Fatal(err)
		}
		// A reply and a hand-off note are searchable.
		if _, _, err := s.tickets.AddMessage(ctx, admin, a.ID, ticket.NewMessage{Kind: kefu.MessageReply, Body: "请尝试恢复出厂设置。"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.tickets.Transfer(ctx, admin, a.ID, nil, &[]int64{s.teams["tech"]}[0], "疑似固件故障，请技术支持判断"); err != nil {
			t.Fatal(err)
		}
		s.drain()
		if got := tickets("headset"); !sameSet(got, []int64{a.ID}) {
			t.Errorf("new subject: %v", got)
		}
		if got := tickets("耳机没声音"); len(got) != 0 {
			t.Errorf("old subject still found: %v", got)
		}
		if got := tickets("出厂设置"); !sameSet(got, []int64{a.ID}) {
			t.Errorf("reply: %v", got)
		}
		if got := tickets("固件故障"); !sameSet(got, []int64{a.ID}) {
			t.Errorf("hand-off note: %v", got)
		}
		// Merging moves the conversation.
		if _, err := s.tickets.Merge(ctx, admin, b.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		s.drain()
		if got := tickets("蓝牙连接"); !sameSet(got, []int64{a.ID}) {
			t.Errorf("after the merge 蓝牙连接 finds %v, want the target %d", got, a.ID)
		}
		// A renamed customer: the customer and their tickets follow.
		c, err := s.customers.Get(ctx, admin, a.CustomerID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.customers.Update(ctx, admin, c.ID, customer.Input{Name: "周小伦", Identities: append(c.Identities, kefu.Identity{Kind: kefu.IdentityPhone, Value: "13512345678"})}); err != nil {
			t.Fatal(err)
		}
		// An order's parcel changes.
		feed := func(tracking string) int64 {
			res, err := s.customers.UpsertOrders(ctx, admin, []customer.OrderInput{{ExternalID: "E-1", Number: "N-1", Customer: customer.Ref{ID: c.ID},
				PlacedAt: time.Now(), Shipments: []kefu.Shipment{{Carrier: "中通", TrackingNumber: tracking}}}})
			if err != nil {
				t.Fatal(err)
			}
			return res[0].ID
		}
		orderID := feed("ZT100200300")
		if _, err := s.tickets.Update(ctx, admin, a.ID, ticket.Patch{OrderID: ticket.Field[*int64]{Set: true, Value: &orderID}}); err != nil {
			t.Fatal(err)
		}
		s.drain()
		feed("ZT999888777")
		s.drain()
		if got := ids(s.find("admin", "周小伦"), store.SearchCustomer); !sameSet(got, []int64{c.ID}) {
			t.Errorf("renamed customer: %v", got)
		}
		if got := tickets("周杰"); len(got) != 0 {
			t.Errorf("old customer name still finds tickets %v", got)
		}
		if got := tickets("5678"); !sameSet(got, []int64{a.ID, b.ID}) {
			t.Errorf("new phone finds tickets %v", got)
		}
		if got := tickets("ZT999888777"); !sameSet(got, []int64{a.ID}) {
			t.Errorf("new tracking number finds tickets %v", got)
		}
		if got := ids(s.find("admin", "ZT100200300"), store.SearchOrder); len(got) != 0 {
			t.Errorf("old tracking number finds orders %v", got)
		}
		// A deleted customer leaves the index.
		gone, err := s.customers.Create(ctx, admin, customer.Input{Name: "临时客户"})
		if err != nil {
			t.Fatal(err)
		}
		s.drain()
		if got := ids(s.find("admin", "临时客户"), store.SearchCustomer); !sameSet(got, []int64{gone.ID}) {
			t.Fatalf("new customer: %v", got)
		}
		if err := s.customers.Delete(ctx, admin, gone.ID); err != nil {
			t.Fatal(err)
		}
		s.drain()
		if got := ids(s.find("admin", "临时客户"), store.SearchCustomer); len(got) != 0 {
			t.Errorf("deleted customer still found: %v", got)
		}
	})
}

// TestReindex rebuilds the index from nothing and drops what is stale.
func TestReindex(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newShop(t, st)
		for i := 0; i < 30; i++ {
			s.ticket(ticket.NewTicket{Subject: "发票抬头 " + strconv.Itoa(i), Customer: customer.Ref{Email: "c" + strconv.Itoa(i) + "@example.com"},
				Message: ticket.NewMessage{Body: "请帮我开电子发票。"}})
		}
		// Events never reach the index here: the rebuild must find everything.
		if err := st.PutSearchDocs(ctx, store.SearchTicket, []store.SearchDoc{{ID: 999999, Fields: [4]string{"stale", "", "", ""}, TSV: "'stale':1A"}}); err != nil {
			t.Fatal(err)
		}
		done := map[store.SearchKind]int{}
		if err := s.search.Reindex(ctx, func(k store.SearchKind, n, total int) {
			if n > total {
				t.Errorf("progress %d of %d", n, total)
			}
			done[k] = n
		}); err != nil {
			t.Fatal(err)
		}
		if done[store.SearchTicket] != 30 || done[store.SearchCustomer] != 30 {
			t.Errorf("progress ended at %v", done)
		}
		if got := ids(s.find("admin", "发票", func(r *search.Request) { r.Limit = 50 }), store.SearchTicket); len(got) != 30 {
			t.Errorf("after reindex 发票 finds %d tickets", len(got))
		}
		match := search.FTS5(mustParse(t, "stale").Text)
		if st.Dialect() == store.Postgres {
			match = search.TSQuery(mustParse(t, "stale").Text)
		}
		if hits, err := st.Search(ctx, store.SearchQuery{Kind: store.SearchTicket, Match: match, Limit: 10}); err != nil || len(hits) != 0 {
			t.Errorf("stale document survives the reindex: %v %v", hits, err)
		}
	})
}

func mustParse(t *testing.T, q string) *search.Query {
	t.Helper()
	p, err := search.Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
