package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/kefu-dev/kefu/internal/kefu"
)

const orderCols = `id, external_id, number, customer_id, placed_at, paid_at, shipped_at, delivered_at,
	shipping_province, shipping_city, currency, subtotal, shipping_fee, discount, total, created_at, updated_at`

func scanOrder(sc interface{ Scan(...any) error }, o *kefu.Order) error {
	return sc.Scan(&o.ID, &o.ExternalID, &o.Number, &o.CustomerID, timeCol{&o.PlacedAt}, nullTimeCol{&o.PaidAt},
		nullTimeCol{&o.ShippedAt}, nullTimeCol{&o.DeliveredAt}, &o.ShippingProvince, &o.ShippingCity, &o.Currency,
		&o.Subtotal, &o.ShippingFee, &o.Discount, &o.Total, timeCol{&o.CreatedAt}, timeCol{&o.UpdatedAt})
}

// UpsertOrder inserts or updates an order by its external id, with items and
// shipments. Items are matched by SKU and variant and shipments by tracking
// number, so their ids stay stable for after-sales cases that point at them;
// items and shipments no longer in the order are removed. It sets o.ID and
// reports whether the order was new.
func (s *Store) UpsertOrder(ctx context.Context, o *kefu.Order) (created bool, err error) {
	err = s.WithTx(ctx, func(ctx context.Context) error {
		t := now()
		var existing int64
		err := s.queryRow(ctx, `SELECT id FROM orders WHERE external_id = ?`, o.ExternalID).Scan(&existing)
		switch {
		case err == nil:
			o.ID = existing
			_, err = s.exec(ctx, `UPDATE orders SET number = ?, customer_id = ?, placed_at = ?, paid_at = ?, shipped_at = ?, delivered_at = ?,
				shipping_province = ?, shipping_city = ?, currency = ?, subtotal = ?, shipping_fee = ?, discount = ?, total = ?, updated_at = ?
				WHERE id = ?`, o.Number, o.CustomerID, o.PlacedAt, o.PaidAt, o.ShippedAt, o.DeliveredAt, o.ShippingProvince, o.ShippingCity,
				o.Currency, o.Subtotal, o.ShippingFee, o.Discount, o.Total, t, o.ID)
		case errors.Is(err, sql.ErrNoRows):
			created = true
			o.CreatedAt = t
			err = s.writeRow(ctx, `INSERT INTO orders (external_id, number, customer_id, placed_at, paid_at, shipped_at, delivered_at,
				shipping_province, shipping_city, currency, subtotal, shipping_fee, discount, total, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				o.ExternalID, o.Number, o.CustomerID, o.PlacedAt, o.PaidAt, o.ShippedAt, o.DeliveredAt, o.ShippingProvince, o.ShippingCity,
				o.Currency, o.Subtotal, o.ShippingFee, o.Discount, o.Total, t, t).Scan(&o.ID)
		default:
			return fmt.Errorf("look up order %s: %w", o.ExternalID, err)
		}
		if isForeignKeyViolation(err) {
			return &kefu.NotFoundError{What: "customer", Field: "customer_id"}
		}
		if err != nil {
			return fmt.Errorf("write order %s: %w", o.ExternalID, err)
		}
		o.UpdatedAt = t
		if err := s.upsertItems(ctx, o); err != nil {
			return err
		}
		return s.upsertShipments(ctx, o)
	})
	return created, err
}

func (s *Store) upsertItems(ctx context.Context, o *kefu.Order) error {
	keep := []any{o.ID}
	for i := range o.Items {
		it := &o.Items[i]
		err := s.writeRow(ctx, `INSERT INTO order_items (order_id, position, sku, product_name, product_category, variant, quantity, unit_price, unit_cost, non_returnable)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (order_id, sku, variant) DO UPDATE SET position = excluded.position, product_name = excluded.product_name,
				product_category = excluded.product_category, quantity = excluded.quantity, unit_price = excluded.unit_price,
				unit_cost = excluded.unit_cost, non_returnable = excluded.non_returnable
			RETURNING id`, o.ID, i, it.SKU, it.ProductName, it.ProductCategory, it.Variant, it.Quantity, it.UnitPrice, it.UnitCost, it.NonReturnable).Scan(&it.ID)
		if err != nil {
			return fmt.Errorf("write item %s of order %s: %w", it.SKU, o.ExternalID, err)
		}
		keep = append(keep, it.ID)
	}
	if _, err := s.exec(ctx, deleteExceptSQL("order_items", len(keep)-1), keep...); err != nil {
		return fmt.Errorf("remove old items of order %s: %w", o.ExternalID, err)
	}
	return nil
}

// deleteExceptSQL is "DELETE FROM table WHERE order_id = ? AND id NOT IN (…)"
// for n kept ids (none kept: delete all of the order's rows).
func deleteExceptSQL(table string, n int) string {
	q := `DELETE FROM ` + table + ` WHERE order_id = ?`
	if n > 0 {
		q += ` AND id NOT IN (` + placeholders(n) + `)`
	}
	return q
}

func (s *Store) upsertShipments(ctx context.Context, o *kefu.Order) error {
	keep := []any{o.ID}
	for i := range o.Shipments {
		sh := &o.Shipments[i]
		err := s.writeRow(ctx, `INSERT INTO shipments (order_id, carrier, tracking_number, status, shipped_at, delivered_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (order_id, tracking_number) DO UPDATE SET carrier = excluded.carrier, status = excluded.status,
				shipped_at = excluded.shipped_at, delivered_at = excluded.delivered_at
			RETURNING id`, o.ID, sh.Carrier, sh.TrackingNumber, sh.Status, sh.ShippedAt, sh.DeliveredAt).Scan(&sh.ID)
		if err != nil {
			return fmt.Errorf("write shipment %s of order %s: %w", sh.TrackingNumber, o.ExternalID, err)
		}
		keep = append(keep, sh.ID)
		// Tracking events are a log the carrier resends whole; replace them.
		if _, err := s.exec(ctx, `DELETE FROM shipment_events WHERE shipment_id = ?`, sh.ID); err != nil {
			return fmt.Errorf("clear events of shipment %s: %w", sh.TrackingNumber, err)
		}
		for _, e := range sh.Events {
			if _, err := s.exec(ctx, `INSERT INTO shipment_events (shipment_id, at, status, location, description) VALUES (?, ?, ?, ?, ?)`,
				sh.ID, e.At, e.Status, e.Location, e.Description); err != nil {
				return fmt.Errorf("write event of shipment %s: %w", sh.TrackingNumber, err)
			}
		}
	}
	if _, err := s.exec(ctx, deleteExceptSQL("shipments", len(keep)-1), keep...); err != nil {
		return fmt.Errorf("remove old shipments of order %s: %w", o.ExternalID, err)
	}
	return nil
}

// Order returns the order with id, with items and shipments.
func (s *Store) Order(ctx context.Context, id int64) (*kefu.Order, error) {
	var o kefu.Order
	if err := scanOrder(s.queryRow(ctx, `SELECT `+orderCols+` FROM orders WHERE id = ?`, id), &o); err != nil {
		return nil, notFound(err, "order")
	}
	return &o, s.loadOrderDetails(ctx, []*kefu.Order{&o})
}

// OrderByNumber returns the order with a shop order number.
func (s *Store) OrderByNumber(ctx context.Context, number string) (*kefu.Order, error) {
	var id int64
	if err := s.queryRow(ctx, `SELECT id FROM orders WHERE number = ? ORDER BY id LIMIT 1`, number).Scan(&id); err != nil {
		return nil, notFound(err, "order")
	}
	return s.Order(ctx, id)
}

// OrderFilter selects orders for a list.
type OrderFilter struct {
	CustomerID int64
	Before     int64 // cursor: orders with a smaller id
	Limit      int
}

// Orders lists orders, newest first, with items and shipments.
func (s *Store) Orders(ctx context.Context, f OrderFilter) ([]*kefu.Order, error) {
	q := `SELECT ` + orderCols + ` FROM orders WHERE 1 = 1`
	var args []any
	if f.CustomerID > 0 {
		q += ` AND customer_id = ?`
		args = append(args, f.CustomerID)
	}
	if f.Before > 0 {
		q += ` AND id < ?`
		args = append(args, f.Before)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	defer rows.Close()
	var os []*kefu.Order
	for rows.Next() {
		o := &kefu.Order{}
		if err := scanOrder(rows, o); err != nil {
			return nil, err
		}
		os = append(os, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return os, s.loadOrderDetails(ctx, os)
}

func (s *Store) loadOrderDetails(ctx context.Context, os []*kefu.Order) error {
	if len(os) == 0 {
		return nil
	}
	byID := make(map[int64]*kefu.Order, len(os))
	args := make([]any, len(os))
	for i, o := range os {
		byID[o.ID] = o
		o.Items, o.Shipments = []kefu.OrderItem{}, []kefu.Shipment{}
		args[i] = o.ID
	}
	in := placeholders(len(args))
	rows, err := s.query(ctx, `SELECT order_id, id, sku, product_name, product_category, variant, quantity, unit_price, unit_cost, non_returnable
		FROM order_items WHERE order_id IN (`+in+`) ORDER BY order_id, position`, args...)
	if err != nil {
		return fmt.Errorf("load order items: %w", err)
	}
	for rows.Next() {
		var oid int64
		var it kefu.OrderItem
		if err := rows.Scan(&oid, &it.ID, &it.SKU, &it.ProductName, &it.ProductCategory, &it.Variant, &it.Quantity, &it.UnitPrice, &it.UnitCost, &it.NonReturnable); err != nil {
			rows.Close()
			return err
		}
		byID[oid].Items = append(byID[oid].Items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = s.query(ctx, `SELECT order_id, id, carrier, tracking_number, status, shipped_at, delivered_at
		FROM shipments WHERE order_id IN (`+in+`) ORDER BY order_id, id`, args...)
	if err != nil {
		return fmt.Errorf("load shipments: %w", err)
	}
	shipByID := map[int64]*kefu.Shipment{}
	var shipIDs []any
	type ref struct{ order, idx int64 }
	var refs []ref
	for rows.Next() {
		var oid int64
		var sh kefu.Shipment
		if err := rows.Scan(&oid, &sh.ID, &sh.Carrier, &sh.TrackingNumber, &sh.Status, nullTimeCol{&sh.ShippedAt}, nullTimeCol{&sh.DeliveredAt}); err != nil {
			rows.Close()
			return err
		}
		sh.Events = []kefu.ShipmentEvent{}
		byID[oid].Shipments = append(byID[oid].Shipments, sh)
		refs = append(refs, ref{oid, int64(len(byID[oid].Shipments) - 1)})
		shipIDs = append(shipIDs, sh.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range refs {
		sh := &byID[r.order].Shipments[r.idx]
		shipByID[sh.ID] = sh
	}
	if len(shipIDs) == 0 {
		return nil
	}
	rows, err = s.query(ctx, `SELECT shipment_id, at, status, location, description FROM shipment_events
		WHERE shipment_id IN (`+placeholders(len(shipIDs))+`) ORDER BY shipment_id, at, id`, shipIDs...)
	if err != nil {
		return fmt.Errorf("load shipment events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sid int64
		var e kefu.ShipmentEvent
		if err := rows.Scan(&sid, timeCol{&e.At}, &e.Status, &e.Location, &e.Description); err != nil {
			return err
		}
		shipByID[sid].Events = append(shipByID[sid].Events, e)
	}
	return rows.Err()
}
