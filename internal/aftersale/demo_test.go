package aftersale_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/aftersale"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
	"github.com/kefu-dev/kefu/internal/ticket"
	"github.com/kefu-dev/kefu/internal/user"
)

// TestLoadDemo: after-sales tickets in every status get cases that follow
// them, of several kinds; a second load adds nothing.
func TestLoadDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		customers := customer.New(st)
		tickets := ticket.New(st, customers)
		cases := aftersale.New(st, tickets, log)
		users := user.New(st)
		lead, _, err := users.Create(ctx, nil, user.Input{Email: "lead@demo.test", Name: "王蕾", Role: kefu.RoleSupervisor, Password: "demo"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		delivered, shipped := now.Add(-3*24*time.Hour), now.Add(-5*24*time.Hour)
		res, err := customers.UpsertOrders(ctx, lead, []customer.OrderInput{{ExternalID: "D-1", Number: "KFDEMO1", Customer: customer.Ref{Email: "d@example.com"},
			PlacedAt: shipped.Add(-time.Hour), PaidAt: &shipped, ShippedAt: &shipped, DeliveredAt: &delivered, ShippingProvince: "浙江省", ShippingCity: "杭州市",
			Subtotal: 7900, Total: 7900, Items: []kefu.OrderItem{{SKU: "AP-1001", ProductName: "T恤", ProductCategory: "apparel", Quantity: 1, UnitPrice: 7900, UnitCost: 3100}}}})
		if err != nil {
			t.Fatal(err)
		}
		orderID := res[0].ID
		for _, tc := range []struct {
			reason string
			status kefu.Status
		}{
			{"product.colour_difference", kefu.StatusNew},
			{"product.wrong_size", kefu.StatusPending},
			{"product.quality_defect", kefu.StatusOpen},
			{"product.wrong_item", kefu.StatusOnHold},
			{"product.flaw", kefu.StatusSolved},
			{"product.not_as_pictured", kefu.StatusClosed},
			{"buyer.refund_before_shipment", kefu.StatusSolved}, // the order has shipped: refused
			{"buyer.change_address", kefu.StatusSolved},         // no case for this problem
		} {
			cat, err := st.CategoryByKey(ctx, tc.reason)
			if err != nil {
				t.Fatal(err)
			}
			tk, _, err := tickets.Create(ctx, lead, ticket.NewTicket{Subject: tc.reason, Channel: kefu.ChannelChat, Type: kefu.TypeAfterSales,
				CategoryID: &cat.ID, OrderID: &orderID, Customer: customer.Ref{Email: "d@example.com"}, Message: ticket.NewMessage{Body: "demo"}})
			if err != nil {
				t.Fatal(err)
			}
			tk.Status = tc.status
			if err := st.UpdateTicket(ctx, tk); err != nil {
				t.Fatal(err)
			}
		}
		n, err := cases.LoadDemo(ctx)
		if err != nil || n != 7 {
			t.Fatalf("LoadDemo = %d, %v; want 7", n, err)
		}
		got := map[string]string{}
		cs, err := st.Cases(ctx, store.CaseFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			got[c.Reason] = string(c.Kind) + ":" + string(c.Status)
		}
		want := map[string]string{
			"product.colour_difference":    "exchange:requested",
			"product.wrong_size":           "exchange:approved",
			"product.quality_defect":       "exchange:awaiting_return",
			"product.wrong_item":           "exchange:received",
			"product.flaw":                 "compensation:executed",
			"product.not_as_pictured":      "return_refund:completed",
			"buyer.refund_before_shipment": "refund_only:rejected",
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: case %q, want %q", k, got[k], v)
			}
		}
		if n, err := cases.LoadDemo(ctx); err != nil || n != 0 {
			t.Errorf("second load = %d, %v", n, err)
		}
	})
}
