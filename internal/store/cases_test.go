package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// newCase stores a customer, an order of one item, a ticket and a case.
func newCase(t *testing.T, st *store.Store) *kefu.Case {
	t.Helper()
	ctx := context.Background()
	c := newCustomer(t, st, "case@example.com")
	o := &kefu.Order{ExternalID: "SO-C1", Number: "DD-C1", CustomerID: c.ID, PlacedAt: time.Now().UTC(), Currency: "CNY",
		Items: []kefu.OrderItem{{SKU: "AP-1", ProductName: "T恤", Quantity: 2, UnitPrice: 7900}}}
	if _, err := st.UpsertOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	tk := &kefu.Ticket{Subject: "s", Channel: kefu.ChannelAPI, Type: kefu.TypeAfterSales, Priority: kefu.PriorityNormal, Status: kefu.StatusNew, CustomerID: c.ID, OrderID: &o.ID}
	if err := st.CreateTicket(ctx, tk); err != nil {
		t.Fatal(err)
	}
	cs := &kefu.Case{TicketID: tk.ID, OrderID: o.ID, CustomerID: c.ID, Kind: kefu.CaseRefundOnly, Status: kefu.CaseApproved, Reason: "product.flaw",
		Responsibility: kefu.ResponsibleShop, Currency: "CNY", Amount: 500, Channel: kefu.ChannelAPI,
		Items: []kefu.CaseItem{{OrderItemID: o.Items[0].ID, Quantity: 1, SKU: "AP-1", ProductName: "T恤", UnitPrice: 7900}}}
	if err := st.CreateCase(ctx, cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestDeliveriesClaimedOnce: several workers claiming due deliveries at
// once each get different ones, and a claimed delivery is not due again
// until its lease ends.
func TestDeliveriesClaimedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		cs := newCase(t, st)
		now := time.Now().UTC().Truncate(time.Microsecond)
		for i := 0; i < 12; i++ {
			d := &kefu.Delivery{CaseID: cs.ID, EventID: "ev-" + string(rune('a'+i)), Action: "refund", Payload: []byte(`{"n":1}`), Status: "pending", NextAttemptAt: &now}
			if err := st.CreateDelivery(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.CreateDelivery(ctx, &kefu.Delivery{CaseID: cs.ID, EventID: "ev-a", Action: "refund", Payload: []byte(`{}`), Status: "pending", NextAttemptAt: &now}); err == nil {
			t.Error("a second delivery with the same event id was accepted")
		}
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ds, err := st.ClaimDueDeliveries(ctx, now, time.Minute, 5)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, d := range ds {
					seen[d.EventID]++
				}
				mu.Unlock()
			}()
		}
		wg.Wait()
		if len(seen) != 12 {
			t.Errorf("claimed %d distinct deliveries, want all 12", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("%s claimed %d times", id, n)
			}
		}
		if ds, err := st.ClaimDueDeliveries(ctx, now.Add(30*time.Second), time.Minute, 50); err != nil || len(ds) != 0 {
			t.Errorf("claimed again within the lease: %d %v", len(ds), err)
		}
		if ds, err := st.ClaimDueDeliveries(ctx, now.Add(2*time.Minute), time.Minute, 50); err != nil || len(ds) != 12 {
			t.Errorf("after the lease: %d %v, want 12", len(ds), err)
		}
		// A case keeps its items when the shop drops the line from the order.
		o, err := st.Order(ctx, cs.OrderID)
		if err != nil {
			t.Fatal(err)
		}
		o.Items = []kefu.OrderItem{{SKU: "AP-2", ProductName: "短裤", Quantity: 1, UnitPrice: 8900}}
		if _, err := st.UpsertOrder(ctx, o); err != nil {
			t.Fatalf("the order cannot drop a line a case points at: %v", err)
		}
		got, err := st.Case(ctx, cs.ID)
		if err != nil || len(got.Items) != 1 || got.Items[0].OrderItemID != 0 || got.Items[0].SKU != "AP-1" || got.Items[0].UnitPrice != 7900 {
			t.Fatalf("case items = %+v, %v", got.Items, err)
		}
	})
}
