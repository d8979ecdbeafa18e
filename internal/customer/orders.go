package customer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// MaxOrdersPerUpsert bounds one bulk upsert so a request stays one short transaction.
const MaxOrdersPerUpsert = 500

// OrderInput is an order as a shop's system sends it. The customer is named
// by a Ref (usually the shop's own customer id plus email or phone) and is
// created when kefu does not know them yet.
type OrderInput struct {
	ExternalID       string           `json:"external_id"`
	Number           string           `json:"number"`
	Customer         Ref              `json:"customer"`
	PlacedAt         time.Time        `json:"placed_at"`
	PaidAt           *time.Time       `json:"paid_at"`
	ShippedAt        *time.Time       `json:"shipped_at"`
	DeliveredAt      *time.Time       `json:"delivered_at"`
	ShippingProvince string           `json:"shipping_province"`
	ShippingCity     string           `json:"shipping_city"`
	Currency         string           `json:"currency"`
	Subtotal         int64            `json:"subtotal"`
	ShippingFee      int64            `json:"shipping_fee"`
	Discount         int64            `json:"discount"`
	Total            int64            `json:"total"`
	Items            []kefu.OrderItem `json:"items"`
	Shipments        []kefu.Shipment  `json:"shipments"`
}

// UpsertResult says what happened to one order of a bulk upsert.
type UpsertResult struct {
	ExternalID string `json:"external_id"`
	ID         int64  `json:"id"`
	Created    bool   `json:"created"`
}

func (in *OrderInput) validate() error {
	var err error
	if in.ExternalID, err = kefu.CleanText("external_id", in.ExternalID, 1, 100); err != nil {
		return err
	}
	if in.Number, err = kefu.CleanText("number", in.Number, 1, 100); err != nil {
		return err
	}
	if in.PlacedAt.IsZero() {
		return kefu.Invalid("placed_at", "is required (RFC 3339 time)")
	}
	if in.Currency == "" {
		in.Currency = "CNY"
	}
	if len(in.Currency) != 3 {
		return kefu.Invalid("currency", "must be an ISO 4217 code such as CNY; got %q", in.Currency)
	}
	for name, v := range map[string]int64{"subtotal": in.Subtotal, "shipping_fee": in.ShippingFee, "discount": in.Discount, "total": in.Total} {
		if v < 0 {
			return kefu.Invalid(name, "must not be negative (amounts are minor units, e.g. 分)")
		}
	}
	seen := map[[2]string]bool{}
	for i := range in.Items {
		it := &in.Items[i]
		f := fmt.Sprintf("items[%d].", i)
		if it.SKU, err = kefu.CleanText(f+"sku", it.SKU, 1, 100); err != nil {
			return err
		}
		if it.ProductName, err = kefu.CleanText(f+"product_name", it.ProductName, 1, 300); err != nil {
			return err
		}
		if it.Quantity <= 0 {
			return kefu.Invalid(f+"quantity", "must be at least 1")
		}
		if it.UnitPrice < 0 || it.UnitCost < 0 {
			return kefu.Invalid(f+"unit_price", "prices and costs must not be negative")
		}
		k := [2]string{it.SKU, it.Variant}
		if seen[k] {
			return kefu.Invalid(f+"sku", "SKU %s (%s) appears twice; put the quantity on one line", it.SKU, it.Variant)
		}
		seen[k] = true
	}
	for i := range in.Shipments {
		sh := &in.Shipments[i]
		f := fmt.Sprintf("shipments[%d].", i)
		if sh.TrackingNumber, err = kefu.CleanText(f+"tracking_number", sh.TrackingNumber, 1, 100); err != nil {
			return err
		}
		if sh.Carrier, err = kefu.CleanText(f+"carrier", sh.Carrier, 1, 100); err != nil {
			return err
		}
		if sh.Status == "" {
			sh.Status = kefu.ShipmentPending
		}
		if !sh.Status.Valid() {
			return kefu.Invalid(f+"status", "unknown shipment status %q", sh.Status)
		}
		for j, e := range sh.Events {
			if !e.Status.Valid() || e.At.IsZero() {
				return kefu.Invalid(fmt.Sprintf("%sevents[%d]", f, j), "needs a time (at) and a known status")
			}
		}
	}
	return nil
}

// UpsertOrders inserts or updates orders by external id, all or nothing.
func (s *Service) UpsertOrders(ctx context.Context, actor *kefu.User, ins []OrderInput) ([]UpsertResult, error) {
	if err := auth.Can(actor, auth.FeedOrders); err != nil {
		return nil, err
	}
	if len(ins) == 0 {
		return nil, kefu.Invalid("orders", "is empty")
	}
	if len(ins) > MaxOrdersPerUpsert {
		return nil, kefu.Invalid("orders", "at most %d orders per request, got %d", MaxOrdersPerUpsert, len(ins))
	}
	for i := range ins {
		if err := ins[i].validate(); err != nil {
			return nil, kefu.PrefixField(fmt.Sprintf("orders[%d].", i), err)
		}
	}
	results := make([]UpsertResult, 0, len(ins))
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		for i, in := range ins {
			c, err := s.Resolve(ctx, actor, in.Customer)
			if err != nil {
				return kefu.PrefixField(fmt.Sprintf("orders[%d].", i), err)
			}
			o := &kefu.Order{ExternalID: in.ExternalID, Number: in.Number, CustomerID: c.ID, PlacedAt: in.PlacedAt,
				PaidAt: in.PaidAt, ShippedAt: in.ShippedAt, DeliveredAt: in.DeliveredAt, ShippingProvince: in.ShippingProvince,
				ShippingCity: in.ShippingCity, Currency: in.Currency, Subtotal: in.Subtotal, ShippingFee: in.ShippingFee,
				Discount: in.Discount, Total: in.Total, Items: in.Items, Shipments: in.Shipments}
			created, err := s.st.UpsertOrder(ctx, o)
			if err != nil {
				return kefu.PrefixField(fmt.Sprintf("orders[%d].", i), err)
			}
			results = append(results, UpsertResult{ExternalID: o.ExternalID, ID: o.ID, Created: created})
			e := &kefu.Event{Type: kefu.EventOrderUpserted}
			if actor != nil {
				e.ActorUserID = &actor.ID
			}
			if err := s.st.AddEvent(ctx, e, map[string]any{"order_id": o.ID, "customer_id": c.ID, "created": created}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// Order returns an order; collaborators see it only through a ticket handed to them.
func (s *Service) Order(ctx context.Context, actor *kefu.User, id int64) (*kefu.Order, error) {
	o, err := s.st.Order(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.canRead(ctx, actor, o.CustomerID); err != nil {
		if errors.Is(err, kefu.ErrNotFound) {
			return nil, kefu.NotFound("order")
		}
		return nil, err
	}
	return o, nil
}

// Orders lists orders, newest first.
func (s *Service) Orders(ctx context.Context, actor *kefu.User, f store.OrderFilter) ([]*kefu.Order, error) {
	if err := auth.Can(actor, auth.ReadCustomers); err != nil {
		return nil, err
	}
	return s.st.Orders(ctx, f)
}
