package demo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/demo"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// refNow is the fixed reference instant the demo is drawn around.
var refNow = time.Date(2026, 10, 12, 9, 30, 0, 0, time.UTC)

func load(t *testing.T, st *store.Store) *demo.Summary {
	t.Helper()
	start := time.Now()
	sum, err := demo.Load(context.Background(), st, refNow)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	t.Logf("loaded %+v in %v", sum, time.Since(start).Round(time.Millisecond))
	return sum
}

func allTickets(t *testing.T, st *store.Store, scope *store.Scope) []*kefu.Ticket {
	t.Helper()
	ts, _, err := st.Tickets(context.Background(), store.TicketFilter{Scope: scope, Sort: "number", Asc: true, Limit: 1000})
	if err != nil {
		t.Fatalf("list tickets: %v", err)
	}
	return ts
}

func within(t *testing.T, what string, n, lo, hi int) {
	t.Helper()
	if n < lo || n > hi {
		t.Errorf("%s = %d, want %d–%d", what, n, lo, hi)
	}
}

func TestLoad(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, store.SQLite)
	sum := load(t, st)

	within(t, "users", sum.Users, 8, 12)
	within(t, "teams created", sum.Teams, 3, 3)
	within(t, "customers", sum.Customers, 55, 65)
	within(t, "orders", sum.Orders, 270, 330)
	within(t, "tickets", sum.Tickets, 140, 160)
	within(t, "messages", sum.Messages, 4*sum.Tickets, 9*sum.Tickets)

	ts := allTickets(t, st, nil)
	if len(ts) != sum.Tickets {
		t.Fatalf("store has %d tickets, summary says %d", len(ts), sum.Tickets)
	}
	cats, err := st.Categories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	group := map[int64]string{}
	for _, c := range cats {
		if c.ParentID == nil {
			group[c.ID] = c.Key
		}
	}
	for _, c := range cats {
		if c.ParentID != nil {
			group[c.ID] = group[*c.ParentID]
		}
	}
	seen := map[string]bool{}
	withOrder := 0
	for _, tk := range ts {
		seen["channel:"+string(tk.Channel)] = true
		seen["type:"+string(tk.Type)] = true
		seen["status:"+string(tk.Status)] = true
		seen["priority:"+string(tk.Priority)] = true
		if tk.CategoryID != nil {
			seen["group:"+group[*tk.CategoryID]] = true
		}
		if tk.OrderID != nil {
			withOrder++
		}
		checkTimes(t, tk)
	}
	var want []string
	for _, c := range kefu.Channels {
		want = append(want, "channel:"+string(c))
	}
	for _, ty := range kefu.TicketTypes {
		want = append(want, "type:"+string(ty))
	}
	for _, s := range kefu.Statuses {
		want = append(want, "status:"+string(s))
	}
	for _, p := range kefu.Priorities {
		want = append(want, "priority:"+string(p))
	}
	for _, g := range kefu.DefaultTaxonomy {
		want = append(want, "group:"+g.Key)
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("no ticket with %s", w)
		}
	}
	if withOrder < len(ts)*3/4 {
		t.Errorf("%d of %d tickets have an order, want most", withOrder, len(ts))
	}

	// Today's inbox has fresh work.
	fresh := 0
	for _, tk := range ts {
		if refNow.Sub(tk.CreatedAt) < 12*time.Hour && tk.Status.Active() {
			fresh++
		}
	}
	if fresh < 3 {
		t.Errorf("%d active tickets from the last 12 hours, want a few", fresh)
	}

	// The warehouse sees tickets handed to it, some of them still on hold there.
	wh, _, err := st.UserByEmail(ctx, "warehouse@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	if wh.Role != kefu.RoleCollaborator {
		t.Errorf("warehouse user is %s", wh.Role)
	}
	whTickets := allTickets(t, st, auth.Scope(wh))
	onHold := 0
	for _, tk := range whTickets {
		if tk.Status == kefu.StatusOnHold && tk.TeamID != nil && wh.InTeam(*tk.TeamID) {
			onHold++
		}
	}
	if len(whTickets) < 5 || onHold == 0 {
		t.Errorf("warehouse sees %d tickets, %d on hold with it; want several and some on hold", len(whTickets), onHold)
	}

	checkConversations(t, st, ts)
	checkOrders(t, st)
	for _, tk := range ts {
		if tk.OrderID == nil {
			continue
		}
		o, err := st.Order(ctx, *tk.OrderID)
		if err != nil {
			t.Fatal(err)
		}
		if o.CustomerID != tk.CustomerID || !o.PlacedAt.Before(tk.CreatedAt) {
			t.Errorf("ticket %d is about order %s of customer %d placed %v", tk.Number, o.Number, o.CustomerID, o.PlacedAt)
		}
	}

	// The password works.
	_, hash, err := st.UserByEmail(ctx, "agent@demo.test")
	if err != nil || !auth.CheckPassword(hash, demo.Password) {
		t.Errorf("agent@demo.test cannot sign in with the demo password (err %v)", err)
	}

	// Loading again changes nothing.
	again, err := demo.Load(ctx, st, refNow.Add(time.Hour))
	if err != nil || again != nil {
		t.Fatalf("second Load = %+v, %v; want nil, nil", again, err)
	}
	if n := len(allTickets(t, st, nil)); n != sum.Tickets {
		t.Errorf("after a second Load there are %d tickets, want %d", n, sum.Tickets)
	}
	if n, _ := st.CountUsers(ctx); n != sum.Users {
		t.Errorf("after a second Load there are %d users, want %d", n, sum.Users)
	}
}

// checkTimes checks a ticket's timestamps agree with its status.
func checkTimes(t *testing.T, tk *kefu.Ticket) {
	t.Helper()
	bad := func(why string) { t.Errorf("ticket %d (%s): %s", tk.Number, tk.Status, why) }
	if tk.CreatedAt.After(refNow) || tk.LastMessageAt.After(refNow) || tk.UpdatedAt.After(refNow) {
		bad("has a time after now")
	}
	if refNow.Sub(tk.CreatedAt) > 92*24*time.Hour {
		bad("is older than three months")
	}
	if tk.LastMessageAt.Before(tk.CreatedAt) {
		bad("last message before creation")
	}
	switch tk.Status {
	case kefu.StatusNew:
		if tk.FirstResponseAt != nil {
			bad("new but answered")
		}
	default:
		if tk.FirstResponseAt == nil || tk.FirstResponseAt.Before(tk.CreatedAt) {
			bad("no sensible first response")
		}
	}
	if (tk.SolvedAt != nil) != (tk.Status == kefu.StatusSolved || tk.Status == kefu.StatusClosed) {
		bad("solved_at does not match the status")
	}
	if (tk.ClosedAt != nil) != (tk.Status == kefu.StatusClosed) {
		bad("closed_at does not match the status")
	}
	if tk.ClosedAt != nil && tk.ClosedAt.Before(*tk.SolvedAt) {
		bad("closed before solved")
	}
	if tk.Status != kefu.StatusNew && tk.AssigneeID == nil {
		bad("worked on but unassigned")
	}
}

// checkConversations checks authors, order and attachments of every message.
func checkConversations(t *testing.T, st *store.Store, ts []*kefu.Ticket) {
	t.Helper()
	ctx := context.Background()
	attachments := 0
	for _, tk := range ts {
		ms, err := st.Messages(ctx, tk.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		within(t, fmt.Sprintf("messages of ticket %d", tk.Number), len(ms), 1, 14)
		for i, m := range ms {
			switch m.Kind {
			case kefu.MessageCustomer:
				if m.AuthorCustomerID == nil || *m.AuthorCustomerID != tk.CustomerID || m.AuthorUserID != nil {
					t.Errorf("ticket %d message %d: customer message with wrong author", tk.Number, i)
				}
			case kefu.MessageReply, kefu.MessageNote:
				if m.AuthorUserID == nil || m.AuthorCustomerID != nil {
					t.Errorf("ticket %d message %d: %s without a user", tk.Number, i, m.Kind)
				}
			}
			if i > 0 && m.CreatedAt.Before(ms[i-1].CreatedAt) {
				t.Errorf("ticket %d: message %d is older than the one before", tk.Number, i)
			}
			if m.CreatedAt.After(refNow) {
				t.Errorf("ticket %d: message %d is in the future", tk.Number, i)
			}
			for _, a := range m.Attachments {
				attachments++
				if a.ContentType != "image/png" || a.Size == 0 {
					t.Errorf("attachment %s is %s, %d bytes", a.Filename, a.ContentType, a.Size)
				}
			}
		}
		if ms[len(ms)-1].CreatedAt != tk.LastMessageAt {
			t.Errorf("ticket %d: last_message_at %v, last message %v", tk.Number, tk.LastMessageAt, ms[len(ms)-1].CreatedAt)
		}
		evs, err := st.TicketEvents(ctx, tk.ID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		created, added := 0, 0
		for _, e := range evs {
			switch e.Type {
			case kefu.EventTicketCreated:
				created++
			case kefu.EventMessageAdded:
				added++
			}
		}
		if created != 1 || added != len(ms) {
			t.Errorf("ticket %d: %d created and %d message events for %d messages", tk.Number, created, added, len(ms))
		}
	}
	if attachments < 10 {
		t.Errorf("%d attachments, want photos on many tickets", attachments)
	}
}

// checkOrders checks the orders' money and parcel histories.
func checkOrders(t *testing.T, st *store.Store) {
	t.Helper()
	os, err := st.Orders(context.Background(), store.OrderFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[kefu.ShipmentStatus]bool{}
	for _, o := range os {
		var sub int64
		for _, it := range o.Items {
			sub += it.UnitPrice * int64(it.Quantity)
			if it.UnitCost >= it.UnitPrice {
				t.Errorf("order %s: %s costs more than it sells for", o.Number, it.SKU)
			}
		}
		if sub != o.Subtotal || o.Total != o.Subtotal+o.ShippingFee-o.Discount {
			t.Errorf("order %s: amounts do not add up", o.Number)
		}
		if refNow.Sub(o.PlacedAt) > 125*24*time.Hour || o.PlacedAt.After(refNow) {
			t.Errorf("order %s placed %v", o.Number, o.PlacedAt)
		}
		if o.PaidAt != nil && o.PaidAt.Before(o.PlacedAt) {
			t.Errorf("order %s paid before it was placed", o.Number)
		}
		if o.ShippedAt != nil && (o.PaidAt == nil || o.ShippedAt.Before(*o.PaidAt)) {
			t.Errorf("order %s shipped before it was paid", o.Number)
		}
		if o.DeliveredAt != nil && o.ShippedAt != nil && o.DeliveredAt.Before(*o.ShippedAt) {
			t.Errorf("order %s delivered before it shipped", o.Number)
		}
		if o.DeliveredAt != nil && o.Items[0].ProductCategory != "digital" {
			delivered := false
			for _, sh := range o.Shipments {
				delivered = delivered || sh.Status == kefu.ShipmentDelivered
			}
			if !delivered {
				t.Errorf("order %s delivered at %v without a delivered parcel", o.Number, o.DeliveredAt)
			}
		}
		for _, sh := range o.Shipments {
			statuses[sh.Status] = true
			within(t, "events of "+sh.TrackingNumber, len(sh.Events), 2, 8)
			if last := sh.Events[len(sh.Events)-1]; last.Status != sh.Status || last.At.After(refNow) {
				t.Errorf("shipment %s: status %s but last scan %s at %v", sh.TrackingNumber, sh.Status, last.Status, last.At)
			}
			if (sh.Status == kefu.ShipmentDelivered) != (sh.DeliveredAt != nil) {
				t.Errorf("shipment %s: status %s, delivered_at %v", sh.TrackingNumber, sh.Status, sh.DeliveredAt)
			}
		}
	}
	for _, s := range kefu.ShipmentStatuses {
		if !statuses[s] {
			t.Errorf("no shipment is %s", s)
		}
	}
}

func TestLoadIsDeterministic(t *testing.T) {
	var runs [2][]string
	for i := range runs {
		st := storetest.Open(t, store.SQLite)
		load(t, st)
		for _, tk := range allTickets(t, st, nil) {
			runs[i] = append(runs[i], fmt.Sprintf("#%d %s %s %s %v", tk.Number, tk.Subject, tk.Status, tk.Channel, tk.CreatedAt))
		}
	}
	if len(runs[0]) != len(runs[1]) {
		t.Fatalf("two loads made %d and %d tickets", len(runs[0]), len(runs[1]))
	}
	for i := range runs[0] {
		if runs[0][i] != runs[1][i] {
			t.Fatalf("ticket %d differs:\n%s\n%s", i, runs[0][i], runs[1][i])
		}
	}
}
