package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// table is a stream of rows for one table.
type table struct {
	name string
	cols []string
	next func() ([]any, bool)
}

// loader writes tables straight into a database, bypassing kefu's store:
// the benchmark measures the search index, not the seeding.
type loader interface {
	load(ctx context.Context, t table) error
}

// sqliteLoader inserts many rows per statement, many statements per
// transaction, on the store's single writer connection.
type sqliteLoader struct{ db *sql.DB }

func (l sqliteLoader) load(ctx context.Context, t table) error {
	per := min(500, 30000/len(t.cols))
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + ")"
	stmt := func(n int) string {
		return "INSERT INTO " + t.name + " (" + strings.Join(t.cols, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
	}
	full := stmt(per)
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	args := make([]any, 0, per*len(t.cols))
	n, inTx := 0, 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		q := full
		if n != per {
			q = stmt(n)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert into %s: %w", t.name, err)
		}
		inTx += n
		args, n = args[:0], 0
		if inTx >= 50000 {
			if err := tx.Commit(); err != nil {
				return err
			}
			if tx, err = l.db.BeginTx(ctx, nil); err != nil {
				return err
			}
			inTx = 0
		}
		return nil
	}
	for {
		row, ok := t.next()
		if !ok {
			break
		}
		for _, v := range row {
			switch x := v.(type) {
			case time.Time:
				v = x.UnixMicro()
			case bool:
				if x {
					v = 1
				} else {
					v = 0
				}
			}
			args = append(args, v)
		}
		n++
		if n == per {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return tx.Commit()
}

// pgLoader streams rows with COPY.
type pgLoader struct{ conn *pgx.Conn }

func (l pgLoader) load(ctx context.Context, t table) error {
	_, err := l.conn.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromFunc(func() ([]any, error) {
		row, ok := t.next()
		if !ok {
			return nil, nil
		}
		return row, nil
	}))
	if err != nil {
		return fmt.Errorf("copy into %s: %w", t.name, err)
	}
	return nil
}

// seed writes the whole corpus. teams are the two support teams' ids and
// agent the user some tickets are assigned to.
func seed(ctx context.Context, l loader, c *corpus, teams [2]int64, agent int64, progress func(string)) error {
	counter := func(n int) func() (int64, bool) {
		i := int64(0)
		return func() (int64, bool) {
			i++
			return i, i <= int64(n)
		}
	}
	// Customers and their identities.
	next := counter(c.customers)
	progress("customers")
	if err := l.load(ctx, table{"customers", []string{"id", "name", "language", "created_at", "updated_at"}, func() ([]any, bool) {
		id, ok := next()
		if !ok {
			return nil, false
		}
		cu := c.customer(id)
		return []any{id, cu.name, cu.lang, cu.created, cu.created}, true
	}}); err != nil {
		return err
	}
	next = counter(c.customers * 2)
	if err := l.load(ctx, table{"customer_identities", []string{"id", "customer_id", "kind", "value"}, func() ([]any, bool) {
		id, ok := next()
		if !ok {
			return nil, false
		}
		cu := c.customer((id + 1) / 2)
		if id%2 == 1 {
			return []any{id, cu.id, "email", cu.email}, true
		}
		return []any{id, cu.id, "phone", cu.phone}, true
	}}); err != nil {
		return err
	}
	// Orders, their items and parcels.
	progress("orders")
	next = counter(c.orders)
	if err := l.load(ctx, table{"orders", []string{"id", "external_id", "number", "customer_id", "placed_at", "shipped_at", "shipping_province", "shipping_city",
		"currency", "subtotal", "total", "created_at", "updated_at"}, func() ([]any, bool) {
		id, ok := next()
		if !ok {
			return nil, false
		}
		o := c.order(id)
		return []any{id, o.ext, o.number, o.customer, o.placed, o.shipped, "", o.city, "CNY", o.total, o.total, o.placed, o.shipped}, true
	}}); err != nil {
		return err
	}
	oid, itemID := int64(0), int64(0)
	var pending [][]any
	if err := l.load(ctx, table{"order_items", []string{"id", "order_id", "position", "sku", "product_name", "product_category", "variant", "quantity", "unit_price"}, func() ([]any, bool) {
		for len(pending) == 0 {
			oid++
			if oid > int64(c.orders) {
				return nil, false
			}
			o := c.order(oid)
			for i, p := range o.items {
				itemID++
				pending = append(pending, []any{itemID, oid, int64(i), p.sku, p.zh, p.cat, "", int64(o.qty[i]), p.price})
			}
		}
		row := pending[0]
		pending = pending[1:]
		return row, true
	}}); err != nil {
		return err
	}
	next = counter(c.orders)
	if err := l.load(ctx, table{"shipments", []string{"id", "order_id", "carrier", "tracking_number", "status", "shipped_at"}, func() ([]any, bool) {
		id, ok := next()
		if !ok {
			return nil, false
		}
		o := c.order(id)
		return []any{id, id, o.carrier, o.tracking, "delivered", o.shipped}, true
	}}); err != nil {
		return err
	}
	// Tickets, their tags and messages: drawn once, written to three tables.
	progress("tickets")
	const chunk = 20000
	msgID := int64(0)
	for first := int64(1); first <= int64(c.tickets); first += chunk {
		last := min(first+chunk-1, int64(c.tickets))
		ts := make([]ticketRow, 0, last-first+1)
		for id := first; id <= last; id++ {
			ts = append(ts, c.ticket(id))
		}
		i := 0
		if err := l.load(ctx, table{"tickets", []string{"id", "number", "subject", "channel", "type", "priority", "status", "assignee_id", "team_id",
			"customer_id", "order_id", "last_message_at", "created_at", "updated_at"}, func() ([]any, bool) {
			if i == len(ts) {
				return nil, false
			}
			t := ts[i]
			i++
			var assignee, order any
			if t.assigned {
				assignee = agent
			}
			if t.order > 0 {
				order = t.order
			}
			return []any{t.id, t.number, t.subject, t.channel, t.typ, int16(t.priority), t.status, assignee, teams[t.team], t.customer, order, t.updated, t.created, t.updated}, true
		}}); err != nil {
			return err
		}
		i, j := 0, 0
		if err := l.load(ctx, table{"ticket_tags", []string{"ticket_id", "tag"}, func() ([]any, bool) {
			for i < len(ts) && j >= len(ts[i].tags) {
				i, j = i+1, 0
			}
			if i == len(ts) {
				return nil, false
			}
			j++
			return []any{ts[i].id, ts[i].tags[j-1]}, true
		}}); err != nil {
			return err
		}
		i, j = 0, 0
		if err := l.load(ctx, table{"messages", []string{"id", "ticket_id", "kind", "author_user_id", "author_customer_id", "body", "created_at"}, func() ([]any, bool) {
			for i < len(ts) && j >= len(ts[i].messages) {
				i, j = i+1, 0
			}
			if i == len(ts) {
				return nil, false
			}
			t, m := ts[i], ts[i].messages[j]
			j++
			msgID++
			var user, cust any
			if m.kind == "customer" {
				cust = t.customer
			} else {
				user = agent
			}
			return []any{msgID, t.id, m.kind, user, cust, m.body, m.at}, true
		}}); err != nil {
			return err
		}
		progress(fmt.Sprintf("tickets %d/%d", last, c.tickets))
	}
	return nil
}
