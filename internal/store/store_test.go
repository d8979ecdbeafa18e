package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

func TestMigrateIsIdempotentAndSeeds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		applied, err := st.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Errorf("second Migrate applied %v, want nothing", applied)
		}
		pending, err := st.PendingMigrations(ctx)
		if err != nil || len(pending) != 0 {
			t.Errorf("PendingMigrations = %v, %v; want none", pending, err)
		}
		cats, err := st.Categories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		groups := 0
		for _, c := range cats {
			if c.ParentID == nil {
				groups++
			}
		}
		if groups != 4 || len(cats) < 20 {
			t.Errorf("got %d groups and %d categories, want 4 groups of the default taxonomy", groups, len(cats))
		}
		if _, err := st.TeamByName(ctx, kefu.DefaultTeam); err != nil {
			t.Errorf("default team: %v", err)
		}
	})
}

func TestUsersAndTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		team, _ := st.TeamByName(ctx, kefu.DefaultTeam)
		u := &kefu.User{Email: " Li@Example.COM", Name: "李娜", Role: kefu.RoleAgent, Language: "zh-CN", Status: kefu.UserActive, TeamIDs: []int64{team.ID}}
		if err := st.CreateUser(ctx, u, "hash"); err != nil {
			t.Fatal(err)
		}
		dup := &kefu.User{Email: "li@example.com", Name: "x", Role: kefu.RoleAgent, Language: "en", Status: kefu.UserActive}
		if err := st.CreateUser(ctx, dup, ""); !errors.Is(err, kefu.ErrConflict) {
			t.Errorf("duplicate email: got %v, want a conflict", err)
		}
		got, hash, err := st.UserByEmail(ctx, "LI@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != u.ID || hash != "hash" || len(got.TeamIDs) != 1 || got.TeamIDs[0] != team.ID {
			t.Errorf("UserByEmail = %+v %q", got, hash)
		}
		if err := st.CreateToken(ctx, u.ID, "cli", "tokhash"); err != nil {
			t.Fatal(err)
		}
		if got, err := st.UserByTokenHash(ctx, "tokhash"); err != nil || got.ID != u.ID {
			t.Errorf("UserByTokenHash = %v, %v", got, err)
		}
		if _, err := st.UserByTokenHash(ctx, "nope"); !errors.Is(err, kefu.ErrUnauthorized) {
			t.Errorf("unknown token: got %v", err)
		}
		bad := &kefu.User{Email: "b@example.com", Name: "b", Role: kefu.RoleAgent, Language: "en", Status: kefu.UserActive, TeamIDs: []int64{9999}}
		if err := st.CreateUser(ctx, bad, ""); !errors.Is(err, kefu.ErrNotFound) {
			t.Errorf("unknown team: got %v, want not found", err)
		}
		if _, _, err := st.UserByEmail(ctx, "b@example.com"); !errors.Is(err, kefu.ErrNotFound) {
			t.Errorf("failed CreateUser left a user behind: %v", err)
		}
	})
}

func newCustomer(t *testing.T, st *store.Store, email string) *kefu.Customer {
	t.Helper()
	c := &kefu.Customer{Name: "王芳", Language: "zh-CN", Identities: []kefu.Identity{{Kind: kefu.IdentityEmail, Value: email}}, Tags: []string{"VIP", "老客户"}}
	if err := st.CreateCustomer(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCustomers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := newCustomer(t, st, "wang@example.com")
		other := &kefu.Customer{Name: "x", Identities: []kefu.Identity{{Kind: kefu.IdentityEmail, Value: "wang@example.com"}}}
		if err := st.CreateCustomer(ctx, other); !errors.Is(err, kefu.ErrConflict) {
			t.Errorf("identity of another customer: got %v, want conflict", err)
		}
		if err := st.AddIdentity(ctx, c.ID, kefu.Identity{Kind: kefu.IdentityPhone, Value: "13800138000"}); err != nil {
			t.Fatal(err)
		}
		got, err := st.CustomerByIdentity(ctx, kefu.IdentityPhone, "13800138000")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != c.ID || len(got.Identities) != 2 || len(got.Tags) != 2 {
			t.Errorf("CustomerByIdentity = %+v", got)
		}
		list, err := st.Customers(ctx, store.CustomerFilter{Query: "1380013", Limit: 10})
		if err != nil || len(list) != 1 || list[0].ID != c.ID {
			t.Errorf("Customers by phone prefix = %v, %v", list, err)
		}
		got.Tags = []string{"易投诉"}
		got.VIPTier = 2
		if err := st.UpdateCustomer(ctx, got); err != nil {
			t.Fatal(err)
		}
		again, _ := st.Customer(ctx, c.ID)
		if again.VIPTier != 2 || len(again.Tags) != 1 || again.Tags[0] != "易投诉" {
			t.Errorf("after update: %+v", again)
		}
	})
}

func TestOrderUpsertKeepsItemIDs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := newCustomer(t, st, "o@example.com")
		placed := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
		o := &kefu.Order{ExternalID: "SO-1", Number: "DD1", CustomerID: c.ID, PlacedAt: placed, Currency: "CNY", Total: 19900,
			Items: []kefu.OrderItem{{SKU: "A", ProductName: "T恤", Variant: "L", Quantity: 1, UnitPrice: 9900, UnitCost: 4000},
				{SKU: "B", ProductName: "袜子", Quantity: 2, UnitPrice: 5000, UnitCost: 1000}},
			Shipments: []kefu.Shipment{{Carrier: "顺丰速运", TrackingNumber: "SF1", Status: kefu.ShipmentInTransit,
				Events: []kefu.ShipmentEvent{{At: placed.Add(time.Hour), Status: kefu.ShipmentInTransit, Location: "杭州", Description: "已揽收"}}}}}
		created, err := st.UpsertOrder(ctx, o)
		if err != nil || !created {
			t.Fatalf("UpsertOrder = %v, %v", created, err)
		}
		itemA := o.Items[0].ID
		o2 := *o
		o2.Items = []kefu.OrderItem{{SKU: "A", ProductName: "T恤", Variant: "L", Quantity: 2, UnitPrice: 9900, UnitCost: 4000}}
		o2.Shipments[0].Status = kefu.ShipmentDelivered
		if created, err := st.UpsertOrder(ctx, &o2); err != nil || created {
			t.Fatalf("second UpsertOrder = %v, %v", created, err)
		}
		got, err := st.Order(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Items) != 1 || got.Items[0].ID != itemA || got.Items[0].Quantity != 2 {
			t.Errorf("items after upsert = %+v, want item A kept with id %d", got.Items, itemA)
		}
		if len(got.Shipments) != 1 || got.Shipments[0].Status != kefu.ShipmentDelivered || len(got.Shipments[0].Events) != 1 {
			t.Errorf("shipments after upsert = %+v", got.Shipments)
		}
		if !got.PlacedAt.Equal(placed) {
			t.Errorf("placed_at = %v, want %v", got.PlacedAt, placed)
		}
		bad := &kefu.Order{ExternalID: "SO-2", Number: "DD2", CustomerID: 424242, PlacedAt: placed, Currency: "CNY"}
		if _, err := st.UpsertOrder(ctx, bad); !errors.Is(err, kefu.ErrNotFound) {
			t.Errorf("order of unknown customer: got %v", err)
		}
	})
}

func TestTicketsListAndCursor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := newCustomer(t, st, "t@example.com")
		base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i < 25; i++ {
			tk := &kefu.Ticket{Subject: "问题", Channel: kefu.ChannelEmail, Type: kefu.TypeAfterSales, Priority: kefu.PriorityNormal,
				Status: kefu.StatusOpen, CustomerID: c.ID, Tags: []string{"退款"}, CreatedAt: base.Add(time.Duration(i%5) * time.Hour)}
			if i%2 == 0 {
				tk.Status = kefu.StatusPending
			}
			if err := st.CreateTicket(ctx, tk); err != nil {
				t.Fatal(err)
			}
			if i == 0 && tk.Number != 1001 {
				t.Errorf("first ticket number = %d, want 1001", tk.Number)
			}
		}
		seen := map[int64]bool{}
		cursor := ""
		pages := 0
		for {
			page, next, err := st.Tickets(ctx, store.TicketFilter{Statuses: []kefu.Status{kefu.StatusPending}, Sort: "created_at", Cursor: cursor, Limit: 5, Tag: "退款"})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for i, tk := range page {
				if seen[tk.ID] {
					t.Fatalf("ticket %d returned twice", tk.ID)
				}
				seen[tk.ID] = true
				if tk.Status != kefu.StatusPending {
					t.Errorf("ticket %d has status %s", tk.ID, tk.Status)
				}
				if i > 0 && page[i-1].CreatedAt.Before(tk.CreatedAt) {
					t.Errorf("page not sorted by created_at desc")
				}
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if len(seen) != 13 || pages != 3 {
			t.Errorf("paged through %d pending tickets in %d pages, want 13 in 3", len(seen), pages)
		}
		if _, _, err := st.Tickets(ctx, store.TicketFilter{Cursor: "garbage!", Limit: 5}); !errors.Is(err, kefu.ErrInvalid) {
			t.Errorf("bad cursor: got %v", err)
		}
		bad := &kefu.Ticket{Subject: "x", Channel: kefu.ChannelAPI, Type: kefu.TypeConsultation, Priority: kefu.PriorityLow, Status: kefu.StatusNew, CustomerID: c.ID, TeamID: ptr(int64(777))}
		var nf *kefu.NotFoundError
		if err := st.CreateTicket(ctx, bad); !errors.As(err, &nf) || nf.Field != "team_id" {
			t.Errorf("ticket with unknown team: got %v, want not found on team_id", err)
		}
	})
}

func TestScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := newCustomer(t, st, "s@example.com")
		sales, _ := st.TeamByName(ctx, kefu.DefaultTeam)
		wh := &kefu.Team{Name: "仓库", Kind: kefu.TeamDepartment}
		if err := st.CreateTeam(ctx, wh); err != nil {
			t.Fatal(err)
		}
		mk := func(team int64) *kefu.Ticket {
			tk := &kefu.Ticket{Subject: "s", Channel: kefu.ChannelChat, Type: kefu.TypeComplaint, Priority: kefu.PriorityHigh, Status: kefu.StatusOpen, CustomerID: c.ID, TeamID: &team}
			if err := st.CreateTicket(ctx, tk); err != nil {
				t.Fatal(err)
			}
			return tk
		}
		inSales, handed := mk(sales.ID), mk(sales.ID)
		if err := st.AddHandoff(ctx, &kefu.Handoff{TicketID: handed.ID, ToTeamID: &wh.ID, Note: "请核实库存"}); err != nil {
			t.Fatal(err)
		}
		agent := &store.Scope{UserID: 50, TeamIDs: []int64{sales.ID}, OwnTeams: true}
		collab := &store.Scope{UserID: 51, TeamIDs: []int64{wh.ID}}
		for _, tc := range []struct {
			name  string
			scope *store.Scope
			id    int64
			want  bool
		}{
			{"agent sees team ticket", agent, inSales.ID, true},
			{"collaborator does not see team ticket", collab, inSales.ID, false},
			{"collaborator sees handed ticket", collab, handed.ID, true},
			{"admin sees all", &store.Scope{All: true}, inSales.ID, true},
		} {
			got, err := st.TicketVisible(ctx, tc.id, tc.scope)
			if err != nil || got != tc.want {
				t.Errorf("%s: TicketVisible = %v, %v; want %v", tc.name, got, err, tc.want)
			}
		}
		list, _, err := st.Tickets(ctx, store.TicketFilter{Scope: collab, Limit: 10})
		if err != nil || len(list) != 1 || list[0].ID != handed.ID {
			t.Errorf("collaborator list = %v, %v; want only the handed ticket", list, err)
		}
	})
}

func TestMessagesIdempotencyAndBlobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := newCustomer(t, st, "m@example.com")
		tk := &kefu.Ticket{Subject: "m", Channel: kefu.ChannelEmail, Type: kefu.TypeConsultation, Priority: kefu.PriorityNormal, Status: kefu.StatusNew, CustomerID: c.ID}
		if err := st.CreateTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
		sum, ctype, err := st.PutBlob(ctx, []byte("\x89PNG\r\n\x1a\n0000"))
		if err != nil || ctype != "image/png" {
			t.Fatalf("PutBlob = %s, %s, %v", sum, ctype, err)
		}
		if _, _, err := st.PutBlob(ctx, []byte("\x89PNG\r\n\x1a\n0000")); err != nil {
			t.Fatalf("PutBlob twice: %v", err)
		}
		m := &kefu.Message{TicketID: tk.ID, Kind: kefu.MessageCustomer, AuthorCustomerID: &c.ID, Body: "颜色不对", ExternalID: "<a@b>",
			Attachments: []kefu.Attachment{{SHA256: sum, Filename: "photo.png"}}}
		if err := st.AddMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		dup := &kefu.Message{TicketID: tk.ID, Kind: kefu.MessageCustomer, Body: "again", ExternalID: "<a@b>"}
		if err := st.AddMessage(ctx, dup); !errors.Is(err, kefu.ErrConflict) {
			t.Errorf("duplicate external id: got %v", err)
		}
		ms, err := st.Messages(ctx, tk.ID, 0, 0)
		if err != nil || len(ms) != 1 || len(ms[0].Attachments) != 1 || ms[0].Attachments[0].ContentType != "image/png" {
			t.Fatalf("Messages = %+v, %v", ms, err)
		}
		data, err := st.Blob(ctx, sum)
		if err != nil || string(data[:4]) != "\x89PNG" {
			t.Errorf("Blob = %q, %v", data, err)
		}
		err = st.WithTx(ctx, func(ctx context.Context) error {
			_, fresh, err := st.ClaimIdempotencyKey(ctx, 1, "k1")
			if err != nil || !fresh {
				t.Errorf("first claim: fresh=%v err=%v", fresh, err)
			}
			return st.SaveIdempotentResponse(ctx, 1, "k1", &store.IdempotentResponse{RequestHash: "h", Status: 201, Body: []byte(`{"id":1}`)})
		})
		if err != nil {
			t.Fatal(err)
		}
		err = st.WithTx(ctx, func(ctx context.Context) error {
			prev, fresh, err := st.ClaimIdempotencyKey(ctx, 1, "k1")
			if err != nil || fresh || prev.Status != 201 || string(prev.Body) != `{"id":1}` {
				t.Errorf("second claim = %+v, %v, %v", prev, fresh, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func ptr[T any](v T) *T { return &v }
