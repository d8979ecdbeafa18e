package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

const caseCols = `id, ticket_id, order_id, customer_id, kind, status, reason, responsibility, description, item_condition,
	currency, requested_amount, amount, ceiling, shipping_paid_by, return_carrier, return_tracking, approval_request,
	rejection_reason, execution_status, shop_reference, rating, rating_comment, channel, created_by_user_id, decision,
	created_at, updated_at, closed_at`

func scanCase(sc interface{ Scan(...any) error }, c *kefu.Case) error {
	var approval, decision string
	err := sc.Scan(&c.ID, &c.TicketID, &c.OrderID, &c.CustomerID, &c.Kind, &c.Status, &c.Reason, &c.Responsibility,
		&c.Description, &c.Condition, &c.Currency, &c.RequestedAmount, &c.Amount, &c.Ceiling, &c.ShippingPaidBy,
		&c.ReturnCarrier, &c.ReturnTracking, textCol{&approval}, &c.RejectionReason, &c.Execution, &c.ShopReference,
		&c.Rating, &c.RatingComment, &c.Channel, nullInt{&c.CreatedByUserID}, textCol{&decision},
		timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}, nullTimeCol{&c.ClosedAt})
	if err != nil {
		return err
	}
	c.Approval = nil
	if approval != "" && approval != "null" {
		c.Approval = &kefu.ApprovalRequest{}
		if err := json.Unmarshal([]byte(approval), c.Approval); err != nil {
			return fmt.Errorf("decode approval request of case %d: %w", c.ID, err)
		}
	}
	if decision == "" {
		decision = "{}"
	}
	c.Decision = json.RawMessage(decision)
	return nil
}

// caseArgs are the mutable columns of a case, in caseSet order.
func caseArgs(c *kefu.Case) ([]any, error) {
	var approval any
	if c.Approval != nil {
		b, err := json.Marshal(c.Approval)
		if err != nil {
			return nil, fmt.Errorf("encode approval request: %w", err)
		}
		approval = string(b)
	}
	decision := string(c.Decision)
	if decision == "" {
		decision = "{}"
	}
	return []any{c.Kind, c.Status, c.Reason, c.Responsibility, c.Description, c.Condition, c.Currency, c.RequestedAmount,
		c.Amount, c.Ceiling, c.ShippingPaidBy, c.ReturnCarrier, c.ReturnTracking, approval, c.RejectionReason, c.Execution,
		c.ShopReference, c.Rating, c.RatingComment, decision, c.UpdatedAt, c.ClosedAt}, nil
}

const caseSet = `kind = ?, status = ?, reason = ?, responsibility = ?, description = ?, item_condition = ?, currency = ?,
	requested_amount = ?, amount = ?, ceiling = ?, shipping_paid_by = ?, return_carrier = ?, return_tracking = ?,
	approval_request = ?, rejection_reason = ?, execution_status = ?, shop_reference = ?, rating = ?, rating_comment = ?,
	decision = ?, updated_at = ?, closed_at = ?`

// CreateCase inserts c with its items and sets c.ID. Times left zero are set to now.
func (s *Store) CreateCase(ctx context.Context, c *kefu.Case) error {
	return s.WithTx(ctx, func(ctx context.Context) error {
		if c.CreatedAt.IsZero() {
			c.CreatedAt = now()
		}
		if c.UpdatedAt.IsZero() {
			c.UpdatedAt = c.CreatedAt
		}
		args, err := caseArgs(c)
		if err != nil {
			return err
		}
		args = append([]any{c.TicketID, c.OrderID, c.CustomerID, c.Channel, c.CreatedByUserID, c.CreatedAt}, args...)
		err = s.writeRow(ctx, `INSERT INTO cases (ticket_id, order_id, customer_id, channel, created_by_user_id, created_at,
			kind, status, reason, responsibility, description, item_condition, currency, requested_amount, amount, ceiling,
			shipping_paid_by, return_carrier, return_tracking, approval_request, rejection_reason, execution_status,
			shop_reference, rating, rating_comment, decision, updated_at, closed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, args...).Scan(&c.ID)
		if isForeignKeyViolation(err) {
			return &kefu.NotFoundError{What: "ticket, order or customer", Field: "ticket_id"}
		}
		if err != nil {
			return fmt.Errorf("insert case: %w", err)
		}
		for i, it := range c.Items {
			var oi any
			if it.OrderItemID > 0 {
				oi = it.OrderItemID
			}
			if _, err := s.exec(ctx, `INSERT INTO case_items (case_id, position, order_item_id, quantity, sku, product_name, product_category, variant, unit_price)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, i, oi, it.Quantity, it.SKU, it.ProductName, it.ProductCategory, it.Variant, it.UnitPrice); err != nil {
				return fmt.Errorf("insert item of case %d: %w", c.ID, err)
			}
		}
		return nil
	})
}

// UpdateCase writes every mutable field of c (its items do not change).
func (s *Store) UpdateCase(ctx context.Context, c *kefu.Case) error {
	args, err := caseArgs(c)
	if err != nil {
		return err
	}
	res, err := s.exec(ctx, `UPDATE cases SET `+caseSet+` WHERE id = ?`, append(args, c.ID)...)
	if err != nil {
		return fmt.Errorf("update case %d: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kefu.NotFound("case")
	}
	return nil
}

// Case returns the case with id, with its items.
func (s *Store) Case(ctx context.Context, id int64) (*kefu.Case, error) {
	var c kefu.Case
	if err := scanCase(s.queryRow(ctx, `SELECT `+caseCols+` FROM cases WHERE id = ?`, id), &c); err != nil {
		return nil, notFound(err, "case")
	}
	return &c, s.loadCaseItems(ctx, []*kefu.Case{&c})
}

// LockCase re-reads a case inside a transaction so that concurrent changes
// to it serialise (FOR UPDATE on PostgreSQL; SQLite has one writer).
func (s *Store) LockCase(ctx context.Context, id int64) (*kefu.Case, error) {
	q := `SELECT ` + caseCols + ` FROM cases WHERE id = ?`
	if s.dialect == Postgres {
		q += ` FOR UPDATE`
	}
	query, args := s.q(q, []any{id})
	var c kefu.Case
	if err := scanCase(s.conn(ctx, true).QueryRowContext(ctx, query, args...), &c); err != nil {
		return nil, notFound(err, "case")
	}
	return &c, s.loadCaseItems(ctx, []*kefu.Case{&c})
}

// CaseFilter selects cases for a list. Zero fields do not filter.
type CaseFilter struct {
	TicketID   int64
	OrderID    int64
	CustomerID int64
	Statuses   []kefu.CaseStatus
	Kind       kefu.CaseKind
	Reason     string
	Scope      *Scope // only cases on tickets the scope may see; nil for all
	// TaskTeamIDs widens Scope to cases with a task for one of these teams,
	// so a department sees the cases it works on.
	TaskTeamIDs []int64
	Before      int64 // cursor: cases with a smaller id
	Limit       int
}

// Cases lists cases, newest first, with their items.
func (s *Store) Cases(ctx context.Context, f CaseFilter) ([]*kefu.Case, error) {
	q := `SELECT ` + caseCols + ` FROM cases WHERE 1 = 1`
	var args []any
	add := func(cond string, v any) {
		q += ` AND ` + cond
		args = append(args, v)
	}
	if f.TicketID > 0 {
		add(`ticket_id = ?`, f.TicketID)
	}
	if f.OrderID > 0 {
		add(`order_id = ?`, f.OrderID)
	}
	if f.CustomerID > 0 {
		add(`customer_id = ?`, f.CustomerID)
	}
	if f.Kind != "" {
		add(`kind = ?`, f.Kind)
	}
	if f.Reason != "" {
		add(`reason = ?`, f.Reason)
	}
	if f.Before > 0 {
		add(`id < ?`, f.Before)
	}
	if len(f.Statuses) > 0 {
		q += ` AND status IN (` + placeholders(len(f.Statuses)) + `)`
		for _, st := range f.Statuses {
			args = append(args, st)
		}
	}
	if f.Scope != nil && !f.Scope.All {
		cond, sargs := f.Scope.sql()
		q += ` AND (ticket_id IN (SELECT t.id FROM tickets t WHERE ` + cond + `)`
		args = append(args, sargs...)
		if len(f.TaskTeamIDs) > 0 {
			q += ` OR id IN (SELECT k.case_id FROM case_tasks k WHERE k.team_id IN (` + placeholders(len(f.TaskTeamIDs)) + `))`
			for _, id := range f.TaskTeamIDs {
				args = append(args, id)
			}
		}
		q += `)`
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	defer rows.Close()
	cs := []*kefu.Case{}
	for rows.Next() {
		c := &kefu.Case{}
		if err := scanCase(rows, c); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return cs, s.loadCaseItems(ctx, cs)
}

func (s *Store) loadCaseItems(ctx context.Context, cs []*kefu.Case) error {
	if len(cs) == 0 {
		return nil
	}
	byID := make(map[int64]*kefu.Case, len(cs))
	args := make([]any, len(cs))
	for i, c := range cs {
		byID[c.ID] = c
		c.Items = []kefu.CaseItem{}
		args[i] = c.ID
	}
	rows, err := s.query(ctx, `SELECT case_id, order_item_id, quantity, sku, product_name, product_category, variant, unit_price
		FROM case_items WHERE case_id IN (`+placeholders(len(args))+`) ORDER BY case_id, position`, args...)
	if err != nil {
		return fmt.Errorf("load case items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cid int64
		var oi *int64
		var it kefu.CaseItem
		if err := rows.Scan(&cid, nullInt{&oi}, &it.Quantity, &it.SKU, &it.ProductName, &it.ProductCategory, &it.Variant, &it.UnitPrice); err != nil {
			return err
		}
		if oi != nil {
			it.OrderItemID = *oi
		}
		byID[cid].Items = append(byID[cid].Items, it)
	}
	return rows.Err()
}

// AddCaseTransition records one audited move of a case and sets tr.ID.
func (s *Store) AddCaseTransition(ctx context.Context, tr *kefu.CaseTransition) error {
	if tr.CreatedAt.IsZero() {
		tr.CreatedAt = now()
	}
	data := string(tr.Data)
	if data == "" {
		data = "{}"
	}
	err := s.writeRow(ctx, `INSERT INTO case_transitions (case_id, from_status, to_status, actor, actor_user_id, actor_customer_id, note, data, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tr.CaseID, tr.From, tr.To, tr.Actor, tr.ActorUserID, tr.ActorCustomerID,
		tr.Note, data, tr.CreatedAt).Scan(&tr.ID)
	if err != nil {
		return fmt.Errorf("record transition of case %d: %w", tr.CaseID, err)
	}
	return nil
}

// CaseTransitions is a case's audit trail, oldest first.
func (s *Store) CaseTransitions(ctx context.Context, caseID int64) ([]*kefu.CaseTransition, error) {
	rows, err := s.query(ctx, `SELECT id, case_id, from_status, to_status, actor, actor_user_id, actor_customer_id, note, data, created_at
		FROM case_transitions WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list transitions of case %d: %w", caseID, err)
	}
	defer rows.Close()
	trs := []*kefu.CaseTransition{}
	for rows.Next() {
		tr := &kefu.CaseTransition{}
		var data string
		if err := rows.Scan(&tr.ID, &tr.CaseID, &tr.From, &tr.To, &tr.Actor, nullInt{&tr.ActorUserID}, nullInt{&tr.ActorCustomerID},
			&tr.Note, textCol{&data}, timeCol{&tr.CreatedAt}); err != nil {
			return nil, err
		}
		tr.Data = json.RawMessage(data)
		trs = append(trs, tr)
	}
	return trs, rows.Err()
}

// AddEvidence attaches a stored blob to a case and sets ev.ID.
func (s *Store) AddEvidence(ctx context.Context, ev *kefu.Evidence) error {
	if ev.CreatedAt.IsZero() {
		ev.CreatedAt = now()
	}
	err := s.writeRow(ctx, `INSERT INTO case_evidence (case_id, sha256, filename, note, author_user_id, author_customer_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, ev.CaseID, ev.SHA256, ev.Filename, ev.Note, ev.AuthorUserID, ev.AuthorCustomerID, ev.CreatedAt).Scan(&ev.ID)
	if err != nil {
		return fmt.Errorf("add evidence to case %d: %w", ev.CaseID, err)
	}
	return nil
}

const evidenceCols = `e.id, e.case_id, e.sha256, e.filename, b.content_type, b.size, e.note, e.author_user_id, e.author_customer_id, e.created_at`

func scanEvidence(sc interface{ Scan(...any) error }, ev *kefu.Evidence) error {
	return sc.Scan(&ev.ID, &ev.CaseID, &ev.SHA256, &ev.Filename, &ev.ContentType, &ev.Size, &ev.Note,
		nullInt{&ev.AuthorUserID}, nullInt{&ev.AuthorCustomerID}, timeCol{&ev.CreatedAt})
}

// CaseEvidence lists a case's evidence, oldest first.
func (s *Store) CaseEvidence(ctx context.Context, caseID int64) ([]*kefu.Evidence, error) {
	rows, err := s.query(ctx, `SELECT `+evidenceCols+` FROM case_evidence e JOIN blobs b ON b.sha256 = e.sha256
		WHERE e.case_id = ? ORDER BY e.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list evidence of case %d: %w", caseID, err)
	}
	defer rows.Close()
	evs := []*kefu.Evidence{}
	for rows.Next() {
		ev := &kefu.Evidence{}
		if err := scanEvidence(rows, ev); err != nil {
			return nil, err
		}
		evs = append(evs, ev)
	}
	return evs, rows.Err()
}

// Evidence returns one piece of evidence.
func (s *Store) Evidence(ctx context.Context, id int64) (*kefu.Evidence, error) {
	ev := &kefu.Evidence{}
	err := scanEvidence(s.queryRow(ctx, `SELECT `+evidenceCols+` FROM case_evidence e JOIN blobs b ON b.sha256 = e.sha256 WHERE e.id = ?`, id), ev)
	if err != nil {
		return nil, notFound(err, "evidence")
	}
	return ev, nil
}

// OrdersWithOpenCase reports which of the given orders already have a case
// for reason that is not finished, so automatic rules do not open twice.
func (s *Store) OrdersWithOpenCase(ctx context.Context, reason string, orderIDs []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(orderIDs) == 0 {
		return out, nil
	}
	args := []any{reason}
	for _, id := range orderIDs {
		args = append(args, id)
	}
	rows, err := s.query(ctx, `SELECT DISTINCT order_id FROM cases WHERE reason = ? AND status NOT IN ('rejected', 'cancelled')
		AND order_id IN (`+placeholders(len(orderIDs))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("look for open cases: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// StalledShipment is a parcel that left but has shown no movement since LastMove.
type StalledShipment struct {
	OrderID    int64
	ShipmentID int64
	Tracking   string
	Carrier    string
	LastMove   time.Time
}

// StalledShipments lists parcels not delivered, lost or returned whose last
// tracking event (or dispatch, when there is none) is before cutoff.
func (s *Store) StalledShipments(ctx context.Context, cutoff time.Time, limit int) ([]StalledShipment, error) {
	rows, err := s.query(ctx, `SELECT sh.order_id, sh.id, sh.tracking_number, sh.carrier,
			COALESCE((SELECT MAX(e.at) FROM shipment_events e WHERE e.shipment_id = sh.id), sh.shipped_at) AS last_move
		FROM shipments sh
		WHERE sh.status IN ('in_transit', 'out_for_delivery', 'exception') AND sh.delivered_at IS NULL AND sh.shipped_at IS NOT NULL
		  AND COALESCE((SELECT MAX(e.at) FROM shipment_events e WHERE e.shipment_id = sh.id), sh.shipped_at) < ?
		ORDER BY sh.id LIMIT ?`, cutoff, limit)
	if err != nil {
		return nil, fmt.Errorf("find stalled shipments: %w", err)
	}
	defer rows.Close()
	var out []StalledShipment
	for rows.Next() {
		var ss StalledShipment
		if err := rows.Scan(&ss.OrderID, &ss.ShipmentID, &ss.Tracking, &ss.Carrier, timeCol{&ss.LastMove}); err != nil {
			return nil, err
		}
		out = append(out, ss)
	}
	return out, rows.Err()
}

// MoveCases re-points a merged ticket's cases to the ticket it merged into.
func (s *Store) MoveCases(ctx context.Context, from, to int64) error {
	if _, err := s.exec(ctx, `UPDATE cases SET ticket_id = ? WHERE ticket_id = ?`, to, from); err != nil {
		return fmt.Errorf("move cases from ticket %d to %d: %w", from, to, err)
	}
	return nil
}
