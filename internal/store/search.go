package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// SearchKind is a kind of thing the search index holds.
type SearchKind string

// Search kinds.
const (
	SearchTicket   SearchKind = "ticket"
	SearchCustomer SearchKind = "customer"
	SearchOrder    SearchKind = "order"
)

// SearchKinds lists every kind in the order results are grouped.
var SearchKinds = []SearchKind{SearchTicket, SearchCustomer, SearchOrder}

// searchTable describes where a kind's documents and rows live.
type searchTable struct {
	index  string // search_tickets: an FTS5 table on SQLite, (id, tsv) on PostgreSQL
	idCol  string // the id column of index on PostgreSQL
	entity string // the table of the things themselves
	alias  string // its alias in queries
}

var searchTables = map[SearchKind]searchTable{
	SearchTicket:   {"search_tickets", "ticket_id", "tickets", "t"},
	SearchCustomer: {"search_customers", "customer_id", "customers", "c"},
	SearchOrder:    {"search_orders", "order_id", "orders", "o"},
}

func tableOf(kind SearchKind) (searchTable, error) {
	t, ok := searchTables[kind]
	if !ok {
		return t, fmt.Errorf("unknown search kind %q", kind)
	}
	return t, nil
}

// SearchDoc is one document of the search index, already tokenised by
// package search: the four columns of the FTS5 table on SQLite (title, ids,
// uni, body), a tsvector literal on PostgreSQL.
type SearchDoc struct {
	ID     int64
	Fields [4]string
	TSV    string
}

// PutSearchDocs writes documents, replacing those with the same id.
func (s *Store) PutSearchDocs(ctx context.Context, kind SearchKind, docs []SearchDoc) error {
	tb, err := tableOf(kind)
	if err != nil {
		return err
	}
	const batch = 50
	for len(docs) > 0 {
		n := min(batch, len(docs))
		chunk := docs[:n]
		docs = docs[n:]
		var q strings.Builder
		var args []any
		if s.dialect == SQLite {
			q.WriteString(`INSERT OR REPLACE INTO ` + tb.index + ` (rowid, title, ids, uni, body) VALUES `)
			for i, d := range chunk {
				if i > 0 {
					q.WriteString(", ")
				}
				q.WriteString("(?, ?, ?, ?, ?)")
				args = append(args, d.ID, d.Fields[0], d.Fields[1], d.Fields[2], d.Fields[3])
			}
		} else {
			q.WriteString(`INSERT INTO ` + tb.index + ` (` + tb.idCol + `, tsv) VALUES `)
			for i, d := range chunk {
				if i > 0 {
					q.WriteString(", ")
				}
				q.WriteString("(?, ?::tsvector)")
				args = append(args, d.ID, d.TSV)
			}
			q.WriteString(` ON CONFLICT (` + tb.idCol + `) DO UPDATE SET tsv = excluded.tsv`)
		}
		if _, err := s.exec(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("write %s search documents: %w", kind, err)
		}
	}
	return nil
}

// DeleteSearchDocs removes documents by id.
func (s *Store) DeleteSearchDocs(ctx context.Context, kind SearchKind, ids []int64) error {
	tb, err := tableOf(kind)
	if err != nil || len(ids) == 0 {
		return err
	}
	col := tb.idCol
	if s.dialect == SQLite {
		col = "rowid"
	}
	if _, err := s.exec(ctx, `DELETE FROM `+tb.index+` WHERE `+col+` IN (`+placeholders(len(ids))+`)`, int64Args(ids)...); err != nil {
		return fmt.Errorf("delete %s search documents: %w", kind, err)
	}
	return nil
}

// DeleteOrphanSearchDocs removes documents of things that no longer exist.
func (s *Store) DeleteOrphanSearchDocs(ctx context.Context, kind SearchKind) (int64, error) {
	tb, err := tableOf(kind)
	if err != nil {
		return 0, err
	}
	q := `DELETE FROM ` + tb.index + ` WHERE rowid NOT IN (SELECT id FROM ` + tb.entity + `)`
	if s.dialect == Postgres {
		q = `DELETE FROM ` + tb.index + ` d WHERE NOT EXISTS (SELECT 1 FROM ` + tb.entity + ` x WHERE x.id = d.` + tb.idCol + `)`
	}
	res, err := s.exec(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("delete orphan %s search documents: %w", kind, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// SearchIndexSize is the space the search index takes on disk, in bytes,
// or -1 when the database cannot tell.
func (s *Store) SearchIndexSize(ctx context.Context) (int64, error) {
	var n int64
	if s.dialect == Postgres {
		err := s.queryRow(ctx, `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c
			WHERE c.relkind = 'r' AND c.relname IN ('search_tickets', 'search_customers', 'search_orders')
			AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())`).Scan(&n)
		return n, err
	}
	err := s.queryRow(ctx, `SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name LIKE 'search\_%' ESCAPE '\'`).Scan(&n)
	if err != nil {
		return -1, nil
	}
	return n, nil
}

// SearchEntityIDs lists the ids of the things of a kind after id after, in
// order: how a full reindex walks the database.
func (s *Store) SearchEntityIDs(ctx context.Context, kind SearchKind, after int64, limit int) ([]int64, error) {
	tb, err := tableOf(kind)
	if err != nil {
		return nil, err
	}
	return s.ids(ctx, `SELECT id FROM `+tb.entity+` WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
}

// CountSearchEntities counts the things of a kind.
func (s *Store) CountSearchEntities(ctx context.Context, kind SearchKind) (int, error) {
	tb, err := tableOf(kind)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.queryRow(ctx, `SELECT COUNT(*) FROM `+tb.entity).Scan(&n)
	return n, err
}

// TicketIDsOfCustomers lists the tickets of some customers.
func (s *Store) TicketIDsOfCustomers(ctx context.Context, customerIDs []int64) ([]int64, error) {
	return s.idsIn(ctx, `SELECT id FROM tickets WHERE customer_id IN `, customerIDs)
}

// TicketIDsOfOrders lists the tickets linked to some orders.
func (s *Store) TicketIDsOfOrders(ctx context.Context, orderIDs []int64) ([]int64, error) {
	return s.idsIn(ctx, `SELECT id FROM tickets WHERE order_id IN `, orderIDs)
}

// OrderIDsOfCustomers lists the orders of some customers.
func (s *Store) OrderIDsOfCustomers(ctx context.Context, customerIDs []int64) ([]int64, error) {
	return s.idsIn(ctx, `SELECT id FROM orders WHERE customer_id IN `, customerIDs)
}

func (s *Store) idsIn(ctx context.Context, prefix string, in []int64) ([]int64, error) {
	var out []int64
	for len(in) > 0 {
		n := min(500, len(in))
		ids, err := s.ids(ctx, prefix+`(`+placeholders(n)+`)`, int64Args(in[:n])...)
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
		in = in[n:]
	}
	return out, nil
}

func (s *Store) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func int64Args(ids []int64) []any {
	a := make([]any, len(ids))
	for i, id := range ids {
		a[i] = id
	}
	return a
}

// LockConsumer waits for and holds an outbox consumer's position until the
// transaction ends, so that work done beside the consumer (a full reindex)
// cannot interleave with one of its batches. SQLite has one writer and
// needs nothing.
func (s *Store) LockConsumer(ctx context.Context, name string) error {
	if s.dialect != Postgres {
		return nil
	}
	if _, err := s.exec(ctx, `INSERT INTO outbox_consumers (name, updated_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, now()); err != nil {
		return fmt.Errorf("register consumer %s: %w", name, err)
	}
	query, args := s.q(`SELECT 1 FROM outbox_consumers WHERE name = ? FOR UPDATE`, []any{name})
	var one int
	if err := s.conn(ctx, true).QueryRowContext(ctx, query, args...).Scan(&one); err != nil {
		return fmt.Errorf("lock consumer %s: %w", name, err)
	}
	return nil
}

// SearchText is one piece of text of a ticket: a message or a hand-off note.
type SearchText struct {
	Kind string // a message kind, or "handoff"
	Body string
}

// TicketSearchSource is everything a ticket's search document is made of,
// and what a search result shows of it.
type TicketSearchSource struct {
	ID, Number      int64
	Subject         string
	Status          kefu.Status
	Channel         kefu.Channel
	CustomerID      int64
	OrderID         *int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Tags            []string
	CustomerName    string
	Identities      []string
	OrderNumber     string
	OrderExternalID string
	Tracking        []string // carrier and tracking number of the order's parcels
	Products        []string // SKU and name of the order's items
	Texts           []SearchText
}

// CustomerSearchSource is everything a customer's search document is made of.
type CustomerSearchSource struct {
	ID         int64
	Name       string
	Notes      string
	Identities []string
	Tags       []string
	CreatedAt  time.Time
}

// OrderSearchSource is everything an order's search document is made of.
type OrderSearchSource struct {
	ID           int64
	Number       string
	ExternalID   string
	CustomerID   int64
	CustomerName string
	PlacedAt     time.Time
	Province     string
	City         string
	Items        []string // SKU, product name, variant
	Tracking     []string // carrier and tracking number
}

// TicketSearchSources loads the sources of the tickets with ids; tickets
// that do not exist are left out.
func (s *Store) TicketSearchSources(ctx context.Context, ids []int64) ([]*TicketSearchSource, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in := placeholders(len(ids))
	args := int64Args(ids)
	rows, err := s.query(ctx, `SELECT id, number, subject, status, channel, customer_id, order_id, created_at, updated_at
		FROM tickets WHERE id IN (`+in+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("load tickets to index: %w", err)
	}
	var out []*TicketSearchSource
	byID := map[int64]*TicketSearchSource{}
	byCustomer := map[int64][]*TicketSearchSource{}
	byOrder := map[int64][]*TicketSearchSource{}
	for rows.Next() {
		t := &TicketSearchSource{}
		if err := rows.Scan(&t.ID, &t.Number, &t.Subject, &t.Status, &t.Channel, &t.CustomerID, nullInt{&t.OrderID},
			timeCol{&t.CreatedAt}, timeCol{&t.UpdatedAt}); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, t)
		byID[t.ID] = t
		byCustomer[t.CustomerID] = append(byCustomer[t.CustomerID], t)
		if t.OrderID != nil {
			byOrder[*t.OrderID] = append(byOrder[*t.OrderID], t)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	// Looked up by id rather than joined: a join may make the planner hash
	// a whole table to find a few rows.
	if err := s.eachRow(ctx, `SELECT id, name FROM customers WHERE id IN `, keysOf(byCustomer), func(sc scanner) error {
		var id int64
		var name string
		if err := sc.Scan(&id, &name); err != nil {
			return err
		}
		for _, t := range byCustomer[id] {
			t.CustomerName = name
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("load customers to index: %w", err)
	}
	if err := s.eachRow(ctx, `SELECT id, number, external_id FROM orders WHERE id IN `, keysOf(byOrder), func(sc scanner) error {
		var id int64
		var number, ext string
		if err := sc.Scan(&id, &number, &ext); err != nil {
			return err
		}
		for _, t := range byOrder[id] {
			t.OrderNumber, t.OrderExternalID = number, ext
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("load orders to index: %w", err)
	}
	tags, err := s.tagsOf(ctx, "ticket_tags", "ticket_id", args)
	if err != nil {
		return nil, err
	}
	for id, tg := range tags {
		if t := byID[id]; t != nil {
			t.Tags = tg
		}
	}
	if err := s.eachRow(ctx, `SELECT customer_id, value FROM customer_identities WHERE customer_id IN `, keysOf(byCustomer), func(sc scanner) error {
		var cid int64
		var v string
		if err := sc.Scan(&cid, &v); err != nil {
			return err
		}
		for _, t := range byCustomer[cid] {
			t.Identities = append(t.Identities, v)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("load identities to index: %w", err)
	}
	if err := s.eachRow(ctx, `SELECT order_id, carrier, tracking_number FROM shipments WHERE order_id IN `, keysOf(byOrder), func(sc scanner) error {
		var oid int64
		var carrier, num string
		if err := sc.Scan(&oid, &carrier, &num); err != nil {
			return err
		}
		for _, t := range byOrder[oid] {
			t.Tracking = append(t.Tracking, carrier+" "+num)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("load shipments to index: %w", err)
	}
	if err := s.eachRow(ctx, `SELECT order_id, sku, product_name FROM order_items WHERE order_id IN `, keysOf(byOrder), func(sc scanner) error {
		var oid int64
		var sku, name string
		if err := sc.Scan(&oid, &sku, &name); err != nil {
			return err
		}
		for _, t := range byOrder[oid] {
			t.Products = append(t.Products, sku+" "+name)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("load order items to index: %w", err)
	}
	if err := s.eachRow(ctx, `SELECT ticket_id, kind, body FROM messages WHERE ticket_id IN `, ids, func(sc scanner) error {
		var tid int64
		var st SearchText
		if err := sc.Scan(&tid, &st.Kind, &st.Body); err != nil {
			return err
		}
		if t := byID[tid]; t != nil {
			t.Texts = append(t.Texts, st)
		}
		return nil
	}, ` ORDER BY ticket_id, id`); err != nil {
		return nil, fmt.Errorf("load messages to index: %w", err)
	}
	if err := s.eachRow(ctx, `SELECT ticket_id, note FROM handoffs WHERE ticket_id IN `, ids, func(sc scanner) error {
		var tid int64
		st := SearchText{Kind: "handoff"}
		if err := sc.Scan(&tid, &st.Body); err != nil {
			return err
		}
		if t := byID[tid]; t != nil {
			t.Texts = append(t.Texts, st)
		}
		return nil
	}, ` ORDER BY ticket_id, id`); err != nil {
		return nil, fmt.Errorf("load hand-offs to index: %w", err)
	}
	return out, nil
}

// CustomerSearchSources loads the sources of the customers with ids.
func (s *Store) CustomerSearchSources(ctx context.Context, ids []int64) ([]*CustomerSearchSource, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := int64Args(ids)
	rows, err := s.query(ctx, `SELECT id, name, notes, created_at FROM customers WHERE id IN (`+placeholders(len(ids))+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("load customers to index: %w", err)
	}
	var out []*CustomerSearchSource
	byID := map[int64]*CustomerSearchSource{}
	for rows.Next() {
		c := &CustomerSearchSource{}
		if err := rows.Scan(&c.ID, &c.Name, &c.Notes, timeCol{&c.CreatedAt}); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
		byID[c.ID] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return nil, err
	}
	if err := s.eachRow(ctx, `SELECT customer_id, value FROM customer_identities WHERE customer_id IN `, ids, func(sc scanner) error {
		var cid int64
		var v string
		if err := sc.Scan(&cid, &v); err != nil {
			return err
		}
		if c := byID[cid]; c != nil {
			c.Identities = append(c.Identities, v)
		}
		return nil
	}, ` ORDER BY id`); err != nil {
		return nil, fmt.Errorf("load identities to index: %w", err)
	}
	tags, err := s.tagsOf(ctx, "customer_tags", "customer_id", args)
	if err != nil {
		return nil, err
	}
	for id, tg := range tags {
		if c := byID[id]; c != nil {
			c.Tags = tg
		}
	}
	return out, nil
}

// OrderSearchSources loads the sources of the orders with ids.
func (s *Store) OrderSearchSources(ctx context.Context, ids []int64) ([]*OrderSearchSource, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := s.query(ctx, `SELECT id, number, external_id, customer_id, placed_at, shipping_province, shipping_city
		FROM orders WHERE id IN (`+placeholders(len(ids))+`) ORDER BY id`, int64Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("load orders to index: %w", err)
	}
	var out []*OrderSearchSource
	byID := map[int64]*OrderSearchSource{}
	byCustomer := map[int64][]*OrderSearchSource{}
	for rows.Next() {
		o := &OrderSearchSource{}
		if err := rows.Scan(&o.ID, &o.Number, &o.ExternalID, &o.CustomerID, timeCol{&o.PlacedAt}, &o.Province, &o.City); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, o)
		byID[o.ID] = o
		byCustomer[o.CustomerID] = append(byCustomer[o.CustomerID], o)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return nil, err
	}
	if err := s.eachRow(ctx, `SELECT id, name FROM customers WHERE id IN `, keysOf(byCustomer), func(sc scanner) error {
		var id int64
		var name string
		if err := sc.Scan(&id, &name); err != nil {
			return err
		}
		for _, o := range byCustomer[id] {
			o.CustomerName = name
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("load customers to index: %w", err)
	}
	if err := s.eachRow(ctx, `SELECT order_id, sku, product_name, variant FROM order_items WHERE order_id IN `, ids, func(sc scanner) error {
		var oid int64
		var sku, name, variant string
		if err := sc.Scan(&oid, &sku, &name, &variant); err != nil {
			return err
		}
		if o := byID[oid]; o != nil {
			o.Items = append(o.Items, strings.TrimSpace(sku+" "+name+" "+variant))
		}
		return nil
	}, ` ORDER BY order_id, position`); err != nil {
		return nil, fmt.Errorf("load order items to index: %w", err)
	}
	if err := s.eachRow(ctx, `SELECT order_id, carrier, tracking_number FROM shipments WHERE order_id IN `, ids, func(sc scanner) error {
		var oid int64
		var carrier, num string
		if err := sc.Scan(&oid, &carrier, &num); err != nil {
			return err
		}
		if o := byID[oid]; o != nil {
			o.Tracking = append(o.Tracking, carrier+" "+num)
		}
		return nil
	}, ` ORDER BY order_id, id`); err != nil {
		return nil, fmt.Errorf("load shipments to index: %w", err)
	}
	return out, nil
}

type scanner interface{ Scan(...any) error }

// eachRow runs prefix + "(ids…)" + suffix in chunks of ids and calls fn
// for every row.
func (s *Store) eachRow(ctx context.Context, prefix string, ids []int64, fn func(scanner) error, suffix ...string) error {
	for len(ids) > 0 {
		n := min(500, len(ids))
		q := prefix + `(` + placeholders(n) + `)` + strings.Join(suffix, "")
		rows, err := s.query(ctx, q, int64Args(ids[:n])...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := fn(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

func keysOf[V any](m map[int64]V) []int64 {
	ks := make([]int64, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// SearchQuery is a search of one kind, its full-text parts already
// rendered for the store's dialect by package search.
type SearchQuery struct {
	Kind SearchKind
	// Match is the full-text condition on the kind's own documents: an FTS5
	// MATCH expression or a tsquery literal; "" lists by recency.
	Match string
	// CustomerMatch and OrderMatch are conditions on the documents of the
	// customer, or an order, the thing belongs to (field prefixes).
	CustomerMatch, OrderMatch string
	// Scope limits tickets to those the reader may open. For customers and
	// orders it applies when ViaTickets is set: then only customers with a
	// ticket in scope, and their orders, are found (collaborators).
	Scope      *Scope
	ViaTickets bool
	Tags       []string // exact tags: tickets' own, customers' own
	// Ticket filters.
	Statuses   []kefu.Status
	Channel    kefu.Channel
	AssigneeID int64
	TeamID     int64
	CategoryID int64
	// From and To bound when tickets and customers were created and orders placed.
	From, To time.Time
	// Window is how many of the most recent matches are ranked; Limit how
	// many of them come back, best first.
	Window, Limit int
}

// SearchHit is a thing that matched, with its relevance (higher is better).
type SearchHit struct {
	ID    int64
	Score float64
}

// Search runs a search of one kind. Matches are ranked by relevance, among
// the Window most recent ones: a word in half the tickets must not make a
// search read half the index.
func (s *Store) Search(ctx context.Context, q SearchQuery) ([]SearchHit, error) {
	tb, err := tableOf(q.Kind)
	if err != nil {
		return nil, err
	}
	if q.Limit <= 0 {
		q.Limit = 10
	}
	if q.Window < q.Limit {
		q.Window = q.Limit
	}
	var where []string
	var args []any
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	a := tb.alias
	subMatch := func(kind SearchKind, match string) (string, []any) {
		st := searchTables[kind]
		if s.dialect == SQLite {
			return `SELECT rowid FROM ` + st.index + ` WHERE ` + st.index + ` MATCH ?`, []any{match}
		}
		return `SELECT ` + st.idCol + ` FROM ` + st.index + ` WHERE tsv @@ ?::tsquery`, []any{match}
	}
	switch q.Kind {
	case SearchTicket:
		if cond, ca := q.Scope.sql(); cond != "" {
			add(cond, ca...)
		}
		if len(q.Statuses) > 0 {
			sa := make([]any, len(q.Statuses))
			for i, st := range q.Statuses {
				sa[i] = st
			}
			add(`t.status IN (`+placeholders(len(sa))+`)`, sa...)
		}
		if q.Channel != "" {
			add(`t.channel = ?`, q.Channel)
		}
		if q.AssigneeID > 0 {
			add(`t.assignee_id = ?`, q.AssigneeID)
		}
		if q.TeamID > 0 {
			add(`t.team_id = ?`, q.TeamID)
		}
		if q.CategoryID > 0 {
			add(`(t.category_id = ? OR t.category_id IN (SELECT id FROM categories WHERE parent_id = ?))`, q.CategoryID, q.CategoryID)
		}
		for _, tag := range q.Tags {
			add(`t.id IN (SELECT ticket_id FROM ticket_tags WHERE tag = ?)`, tag)
		}
		if q.CustomerMatch != "" {
			sub, sa := subMatch(SearchCustomer, q.CustomerMatch)
			add(`t.customer_id IN (`+sub+`)`, sa...)
		}
		if q.OrderMatch != "" {
			sub, sa := subMatch(SearchOrder, q.OrderMatch)
			add(`t.order_id IN (`+sub+`)`, sa...)
		}
		if !q.From.IsZero() {
			add(`t.created_at >= ?`, q.From)
		}
		if !q.To.IsZero() {
			add(`t.created_at < ?`, q.To)
		}
	case SearchCustomer:
		if q.ViaTickets {
			cond, ca := q.Scope.sql()
			if cond == "" {
				cond = "1 = 1"
			}
			add(`c.id IN (SELECT t.customer_id FROM tickets t WHERE `+cond+`)`, ca...)
		}
		for _, tag := range q.Tags {
			add(`c.id IN (SELECT customer_id FROM customer_tags WHERE tag = ?)`, tag)
		}
		if q.OrderMatch != "" {
			sub, sa := subMatch(SearchOrder, q.OrderMatch)
			add(`c.id IN (SELECT customer_id FROM orders WHERE id IN (`+sub+`))`, sa...)
		}
		if !q.From.IsZero() {
			add(`c.created_at >= ?`, q.From)
		}
		if !q.To.IsZero() {
			add(`c.created_at < ?`, q.To)
		}
	case SearchOrder:
		if q.ViaTickets {
			cond, ca := q.Scope.sql()
			if cond == "" {
				cond = "1 = 1"
			}
			add(`o.customer_id IN (SELECT t.customer_id FROM tickets t WHERE `+cond+`)`, ca...)
		}
		if q.CustomerMatch != "" {
			sub, sa := subMatch(SearchCustomer, q.CustomerMatch)
			add(`o.customer_id IN (`+sub+`)`, sa...)
		}
		if !q.From.IsZero() {
			add(`o.placed_at >= ?`, q.From)
		}
		if !q.To.IsZero() {
			add(`o.placed_at < ?`, q.To)
		}
	}
	what := "search " + string(q.Kind) + "s"
	if q.Match == "" {
		query := `SELECT ` + a + `.id, 0 FROM ` + tb.entity + ` ` + a + ` WHERE 1 = 1` + andAll(where) + ` ORDER BY ` + a + `.id DESC LIMIT ?`
		var hits []SearchHit
		err := s.searchTx(ctx, func(ctx context.Context) (err error) {
			hits, err = s.searchRows(ctx, what, query, append(args, q.Limit))
			return err
		})
		return hits, err
	}
	if s.dialect == Postgres {
		return s.searchPostgres(ctx, q, tb, andAll(where), args)
	}
	if len(where) == 0 {
		return s.searchRows(ctx, what, s.windowSQL(tb, ""), []any{q.Match, q.Window, q.Limit})
	}
	// First the most recent matches of all, then the reader's scope and the
	// filters on those: cheap, and enough unless they leave too little.
	hits, err := s.searchRows(ctx, what, s.windowSQL(tb, andAll(where)), append(append([]any{q.Match, q.Window}, args...), q.Limit))
	if err != nil || len(hits) >= q.Limit {
		return hits, err
	}
	// Then the most recent matches within the scope and the filters.
	return s.searchRows(ctx, what, s.scopedSQL(tb, andAll(where)), append(append([]any{q.Match}, args...), q.Window, q.Limit))
}

func andAll(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return ` AND ` + strings.Join(conds, ` AND `)
}

// Relevance on SQLite: bm25 weighted by column (title, ids, uni, body).
const sqliteRank = `bm25(%s, 5.0, 3.0, 0.5, 1.0)`

// windowSQL ranks, among the Window most recent matches, those that pass
// cond (conditions on the entity; "" for none). SQLite only. Arguments:
// match, window, cond's, limit.
func (s *Store) windowSQL(tb searchTable, cond string) string {
	a := tb.alias
	join := ``
	if cond != "" {
		join = ` JOIN ` + tb.entity + ` ` + a + ` ON ` + a + `.id = cand.id`
	}
	return `SELECT cand.id, -cand.score FROM (SELECT rowid AS id, ` + fmt.Sprintf(sqliteRank, tb.index) + ` AS score FROM ` + tb.index + `
			WHERE ` + tb.index + ` MATCH ? ORDER BY rowid DESC LIMIT ?) cand` + join + ` WHERE 1 = 1` + cond + `
			ORDER BY cand.score, cand.id DESC LIMIT ?`
}

// scopedSQL ranks the Window most recent matches that pass cond. SQLite
// only. Arguments: match, cond's, window, limit.
func (s *Store) scopedSQL(tb searchTable, cond string) string {
	a := tb.alias
	// CROSS JOIN keeps the full-text table the outer loop, newest first.
	return `SELECT id, -score FROM (SELECT ` + tb.index + `.rowid AS id, ` + fmt.Sprintf(sqliteRank, tb.index) + ` AS score
			FROM ` + tb.index + ` CROSS JOIN ` + tb.entity + ` ` + a + ` ON ` + a + `.id = ` + tb.index + `.rowid
			WHERE ` + tb.index + ` MATCH ?` + cond + ` ORDER BY ` + tb.index + `.rowid DESC LIMIT ?) ORDER BY score, id DESC LIMIT ?`
}

// searchRows runs a query whose rows are hits: id and score. what names
// it in an error.
func (s *Store) searchRows(ctx context.Context, what string, query string, args []any) ([]SearchHit, error) {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var hits []SearchHit
	for rows.Next() {
		var h SearchHit
		if err := rows.Scan(&h.ID, &h.Score); err != nil {
			return nil, err
		}
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// On PostgreSQL a search is three steps (migration 0012): the Window newest
// matches, found bucket by bucket from the newest (newestMatches); those the
// reader may open, by id (visibleIDs); those ranked by ts_rank over their
// title vector, rank_tsv (rankPostgres). None reads a whole document unless
// the query is a phrase, which GIN must check against the positions of the
// rows it finds, or the document is among the newest few ranked by body.

// searchBucket is the width, in ids, of a recency bucket: the second column
// of the search tables' GIN indexes is ARRAY[id / 1024]; the SQL here must
// spell the same expression for the index to answer it.
const searchBucket = 1024

// Recency buckets a search asks for at first, and at most at once; beyond
// that it asks for all older matches in one go.
const (
	firstBuckets = 4
	maxBuckets   = 512
)

// searchPostgres ranks those of the Window newest matches that pass cond,
// and when those leave fewer than Limit, the Window newest matches among
// those that pass it (a narrow scope, a filter). Arguments of cond:
// condArgs.
func (s *Store) searchPostgres(ctx context.Context, q SearchQuery, tb searchTable, cond string, condArgs []any) ([]SearchHit, error) {
	var hits []SearchHit
	err := s.searchTx(ctx, func(ctx context.Context) error {
		ids, err := s.newestMatches(ctx, tb, q.Match, "", nil, q.Window)
		if err != nil {
			return err
		}
		if ids, err = s.visibleIDs(ctx, tb, ids, cond, condArgs); err != nil {
			return err
		}
		if hits, err = s.rankPostgres(ctx, tb, q.Match, ids, q.Limit); err != nil || cond == "" || len(hits) >= q.Limit {
			return err
		}
		if ids, err = s.newestMatches(ctx, tb, q.Match, cond, condArgs, q.Window); err != nil {
			return err
		}
		hits, err = s.rankPostgres(ctx, tb, q.Match, ids, q.Limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search %ss: %w", q.Kind, err)
	}
	return hits, nil
}

// searchTx runs fn in a transaction set up for searching. On PostgreSQL it
// rules out sequential scans: the planner does not know that testing a row
// against a tsquery means reading a large tsvector, and would otherwise scan
// the whole table for a very common word. That makes any plan with a
// sequential scan look enormously expensive (the scope's hand-offs subquery
// has one), so JIT is off too, or PostgreSQL would spend most of a second
// compiling each search.
func (s *Store) searchTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.dialect != Postgres {
		return fn(ctx)
	}
	return s.WithTx(ctx, func(ctx context.Context) error {
		// SET LOCAL both, in one round trip.
		if _, err := s.exec(ctx, `SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)`); err != nil {
			return fmt.Errorf("set up search: %w", err)
		}
		return fn(ctx)
	})
}

// newestMatches lists, newest first, the ids of the window most recent
// documents that match and pass cond. It asks for the newest few buckets
// first; when they hold too few matches it asks for as many older buckets
// as the rate of matches so far says the rest of the window needs, and
// half as many again; when that is a great many, or nothing matched yet,
// for all older matches at once. A frequent word thus reads about window
// rows, however many tickets have it, and a rare one costs a few index
// lookups more than before.
//
// With a condition each step reads at most scopedFetch matches and keeps
// those that pass it; the next step goes on below the oldest one read.
//
// "ORDER BY id + 0" keeps the planner from walking the primary key
// backwards and testing every document's tsvector until enough match: the
// GIN index finds the matches.
func (s *Store) newestMatches(ctx context.Context, tb searchTable, match, cond string, condArgs []any, window int) ([]int64, error) {
	var top int64
	if err := s.queryRow(ctx, `SELECT COALESCE(MAX(`+tb.idCol+`), 0) FROM `+tb.index).Scan(&top); err != nil {
		return nil, fmt.Errorf("newest document: %w", err)
	}
	sel := `SELECT d.` + tb.idCol + ` FROM ` + tb.index + ` d WHERE d.tsv @@ ?::tsquery AND d.` + tb.idCol + ` < ?`
	order := ` ORDER BY d.` + tb.idCol + ` + 0 DESC LIMIT ?`
	below := top + 1 // ids below it are still to be read
	n := int64(firstBuckets)
	var ids []int64
	for below > 0 && len(ids) < window {
		hi := (below - 1) / searchBucket
		lo := hi - n + 1
		fetch := window - len(ids)
		if cond != "" {
			fetch = scopedFetch
		}
		q := sel
		args := []any{match, below}
		if lo <= 0 || n > maxBuckets {
			lo = 0 // everything older than what was read already
		} else {
			q += ` AND ARRAY[d.` + tb.idCol + ` / ` + strconv.Itoa(searchBucket) + `] && ?::bigint[]`
			args = append(args, bucketList(lo, hi))
		}
		read, err := s.ids(ctx, q+order, append(args, fetch)...)
		if err != nil {
			return nil, fmt.Errorf("newest matches: %w", err)
		}
		below = lo * searchBucket
		if len(read) == fetch {
			below = read[len(read)-1]
		}
		if read, err = s.visibleIDs(ctx, tb, read, cond, condArgs); err != nil {
			return nil, err
		}
		ids = append(ids, read...)
		// Buckets read so far, and how many more the rest needs at that rate.
		done := max((top-below)/searchBucket, 1)
		if len(ids) == 0 {
			n = below/searchBucket + 1 // all the rest
		} else {
			n = done*int64(window-len(ids))/int64(len(ids))*3/2 + 1
		}
	}
	return ids[:min(len(ids), window)], nil
}

// scopedFetch is how many matches one step of a scoped search reads.
const scopedFetch = 5000

// visibleIDs keeps, in their order, the ids whose things pass cond. It
// looks them up by id: joined to the search, the planner may read every
// ticket of the reader's scope to find a few.
func (s *Store) visibleIDs(ctx context.Context, tb searchTable, ids []int64, cond string, condArgs []any) ([]int64, error) {
	if cond == "" || len(ids) == 0 {
		return ids, nil
	}
	pass, err := s.ids(ctx, `SELECT `+tb.alias+`.id FROM `+tb.entity+` `+tb.alias+` WHERE `+tb.alias+`.id = ANY(?::bigint[])`+cond,
		append([]any{int64List(ids)}, condArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("filter matches: %w", err)
	}
	ok := make(map[int64]bool, len(pass))
	for _, id := range pass {
		ok[id] = true
	}
	out := ids[:0:0]
	for _, id := range ids {
		if ok[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

// int64List writes ids as a bigint[] literal.
func int64List(ids []int64) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte('}')
	return b.String()
}

// bucketList writes the buckets lo to hi as a bigint[] literal.
func bucketList(lo, hi int64) string {
	var b strings.Builder
	b.WriteByte('{')
	for k := hi; k >= lo; k-- {
		if k < hi {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(k, 10))
	}
	b.WriteByte('}')
	return b.String()
}

// bodyRanked is how many of the newest matches are also ranked by their
// whole document: reading a document's vector is what made ranking the
// whole window slow, and a few hundred cost a few milliseconds.
const bodyRanked = 200

// rankPostgres orders the documents ids (newest first) and returns the
// best limit. First by ts_rank over their title vector (the
// subject, tags, number; a customer's name and identities; an order's
// numbers), normalised by its length: a title that names the query wins.
// Then, among the newest bodyRanked, by ts_rank over the whole document
// (weights: title 1, identifiers 0.6, body 0.2, single characters 0.1),
// so that of the tickets that only mention the query, those that are about
// it come first. Then newest first. The score returned is the title's.
//
// The title's rank is cut to six places (in float8: numeric arithmetic
// would cost more than the ranking): ts_rank gives a vector without
// the query's words a tiny score (about 1e-21, by its length) that would
// otherwise decide the order before the body does.
func (s *Store) rankPostgres(ctx context.Context, tb searchTable, match string, ids []int64, limit int) ([]SearchHit, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	threshold := ids[min(bodyRanked, len(ids))-1]
	return s.searchRows(ctx, "rank", `SELECT id, title FROM (SELECT d.`+tb.idCol+` AS id, floor(ts_rank(d.rank_tsv, m.q, 1)::float8 * 1000000) / 1000000 AS title,
			CASE WHEN d.`+tb.idCol+` >= ? THEN ts_rank('{0.2, 0.1, 0.6, 1.0}', d.tsv, m.q, 1) ELSE 0 END AS body
			FROM `+tb.index+` d, (SELECT ?::tsquery AS q) m WHERE d.`+tb.idCol+` = ANY(?::bigint[])) r
			ORDER BY title DESC, body DESC, id DESC LIMIT ?`, []any{threshold, match, int64List(ids), limit})
}
