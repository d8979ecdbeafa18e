package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

const ticketCols = `id, number, subject, channel, type, category_id, priority, status, assignee_id, team_id, customer_id,
	order_id, follow_up_of, merged_into, custom_fields, first_response_at, solved_at, closed_at, last_message_at, created_at, updated_at`

// priorityRank stores priorities as small integers so that sorting by
// priority is sorting by urgency.
var priorityRank = map[kefu.Priority]int{kefu.PriorityLow: 0, kefu.PriorityNormal: 1, kefu.PriorityHigh: 2, kefu.PriorityUrgent: 3}

func scanTicket(sc interface{ Scan(...any) error }, t *kefu.Ticket) error {
	var prio int
	var custom string
	err := sc.Scan(&t.ID, &t.Number, &t.Subject, &t.Channel, &t.Type, nullInt{&t.CategoryID}, &prio, &t.Status,
		nullInt{&t.AssigneeID}, nullInt{&t.TeamID}, &t.CustomerID, nullInt{&t.OrderID}, nullInt{&t.FollowUpOf},
		nullInt{&t.MergedInto}, textCol{&custom}, nullTimeCol{&t.FirstResponseAt}, nullTimeCol{&t.SolvedAt},
		nullTimeCol{&t.ClosedAt}, timeCol{&t.LastMessageAt}, timeCol{&t.CreatedAt}, timeCol{&t.UpdatedAt})
	if err != nil {
		return err
	}
	if prio >= 0 && prio < len(kefu.Priorities) {
		t.Priority = kefu.Priorities[prio]
	}
	t.CustomFields = map[string]any{}
	if custom != "" && custom != "{}" {
		if err := json.Unmarshal([]byte(custom), &t.CustomFields); err != nil {
			return fmt.Errorf("decode custom fields of ticket %d: %w", t.ID, err)
		}
	}
	return nil
}

func customJSON(m map[string]any) (string, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", kefu.Invalid("custom_fields", "cannot be stored: %v", err)
	}
	return string(b), nil
}

// CreateTicket inserts t with its tags, gives it the next human number and
// sets t.ID and t.Number. Times left zero are set to now.
func (s *Store) CreateTicket(ctx context.Context, t *kefu.Ticket) error {
	return s.WithTx(ctx, func(ctx context.Context) error {
		n := now()
		if t.CreatedAt.IsZero() {
			t.CreatedAt = n
		}
		if t.UpdatedAt.IsZero() {
			t.UpdatedAt = t.CreatedAt
		}
		if t.LastMessageAt.IsZero() {
			t.LastMessageAt = t.CreatedAt
		}
		custom, err := customJSON(t.CustomFields)
		if err != nil {
			return err
		}
		// PostgreSQL numbers tickets from a sequence; SQLite has one writer, so
		// the next number after the highest is safe inside the transaction.
		numberCol, numberVal := "", ""
		if s.dialect == SQLite {
			numberCol, numberVal = "number, ", "(SELECT COALESCE(MAX(number), 1000) + 1 FROM tickets), "
		}
		err = s.writeRow(ctx, `INSERT INTO tickets (`+numberCol+`subject, channel, type, category_id, priority, status, assignee_id, team_id,
			customer_id, order_id, follow_up_of, merged_into, custom_fields, first_response_at, solved_at, closed_at, last_message_at, created_at, updated_at)
			VALUES (`+numberVal+`?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id, number`,
			t.Subject, t.Channel, t.Type, t.CategoryID, priorityRank[t.Priority], t.Status, t.AssigneeID, t.TeamID,
			t.CustomerID, t.OrderID, t.FollowUpOf, t.MergedInto, custom, t.FirstResponseAt, t.SolvedAt, t.ClosedAt,
			t.LastMessageAt, t.CreatedAt, t.UpdatedAt).Scan(&t.ID, &t.Number)
		if isForeignKeyViolation(err) {
			return s.ticketRefError(ctx, t, err)
		}
		if err != nil {
			return fmt.Errorf("insert ticket: %w", err)
		}
		return s.addTags(ctx, "ticket_tags", "ticket_id", t.ID, t.Tags)
	})
}

// UpdateTicket writes every mutable field of t and its tags.
func (s *Store) UpdateTicket(ctx context.Context, t *kefu.Ticket) error {
	return s.WithTx(ctx, func(ctx context.Context) error {
		custom, err := customJSON(t.CustomFields)
		if err != nil {
			return err
		}
		res, err := s.exec(ctx, `UPDATE tickets SET subject = ?, channel = ?, type = ?, category_id = ?, priority = ?, status = ?,
			assignee_id = ?, team_id = ?, customer_id = ?, order_id = ?, follow_up_of = ?, merged_into = ?, custom_fields = ?,
			first_response_at = ?, solved_at = ?, closed_at = ?, last_message_at = ?, updated_at = ? WHERE id = ?`,
			t.Subject, t.Channel, t.Type, t.CategoryID, priorityRank[t.Priority], t.Status, t.AssigneeID, t.TeamID,
			t.CustomerID, t.OrderID, t.FollowUpOf, t.MergedInto, custom, t.FirstResponseAt, t.SolvedAt, t.ClosedAt,
			t.LastMessageAt, t.UpdatedAt, t.ID)
		if isForeignKeyViolation(err) {
			return s.ticketRefError(ctx, t, err)
		}
		if err != nil {
			return fmt.Errorf("update ticket %d: %w", t.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kefu.NotFound("ticket")
		}
		return s.setTags(ctx, "ticket_tags", "ticket_id", t.ID, t.Tags)
	})
}

// ticketRefError finds which reference of t points nowhere, so the caller
// learns the field to fix rather than "foreign key failed".
func (s *Store) ticketRefError(ctx context.Context, t *kefu.Ticket, cause error) error {
	checks := []struct {
		id    *int64
		table string
		what  string
		field string
	}{
		{&t.CustomerID, "customers", "customer", "customer_id"},
		{t.AssigneeID, "users", "assignee", "assignee_id"},
		{t.TeamID, "teams", "team", "team_id"},
		{t.CategoryID, "categories", "category", "category_id"},
		{t.OrderID, "orders", "order", "order_id"},
		{t.FollowUpOf, "tickets", "ticket", "follow_up_of"},
		{t.MergedInto, "tickets", "ticket", "merged_into"},
	}
	// PostgreSQL names the constraint (and has aborted the transaction, so
	// nothing more can be asked); SQLite does not, so look.
	failed, isPG := fkColumn(cause)
	for _, c := range checks {
		if c.id == nil {
			continue
		}
		if isPG {
			if c.field == failed {
				return &kefu.NotFoundError{What: c.what, Field: c.field}
			}
			continue
		}
		var one int
		if err := s.queryRow(ctx, `SELECT 1 FROM `+c.table+` WHERE id = ?`, *c.id).Scan(&one); err != nil {
			return &kefu.NotFoundError{What: c.what, Field: c.field}
		}
	}
	return fmt.Errorf("ticket %d refers to something that does not exist: %w", t.ID, cause)
}

// Ticket returns the ticket with id.
func (s *Store) Ticket(ctx context.Context, id int64) (*kefu.Ticket, error) {
	var t kefu.Ticket
	if err := scanTicket(s.queryRow(ctx, `SELECT `+ticketCols+` FROM tickets WHERE id = ?`, id), &t); err != nil {
		return nil, notFound(err, "ticket")
	}
	return &t, s.loadTicketTags(ctx, []*kefu.Ticket{&t})
}

// TicketByNumber returns the ticket with a human number.
func (s *Store) TicketByNumber(ctx context.Context, number int64) (*kefu.Ticket, error) {
	var id int64
	if err := s.queryRow(ctx, `SELECT id FROM tickets WHERE number = ?`, number).Scan(&id); err != nil {
		return nil, notFound(err, "ticket")
	}
	return s.Ticket(ctx, id)
}

// LockTicket re-reads a ticket inside a transaction so that concurrent
// changes to it serialise (FOR UPDATE on PostgreSQL; SQLite has one writer).
func (s *Store) LockTicket(ctx context.Context, id int64) (*kefu.Ticket, error) {
	q := `SELECT ` + ticketCols + ` FROM tickets WHERE id = ?`
	if s.dialect == Postgres {
		q += ` FOR UPDATE`
	}
	var t kefu.Ticket
	query, args := s.q(q, []any{id})
	if err := scanTicket(s.conn(ctx, true).QueryRowContext(ctx, query, args...), &t); err != nil {
		return nil, notFound(err, "ticket")
	}
	return &t, s.loadTicketTags(ctx, []*kefu.Ticket{&t})
}

func (s *Store) loadTicketTags(ctx context.Context, ts []*kefu.Ticket) error {
	if len(ts) == 0 {
		return nil
	}
	byID := make(map[int64]*kefu.Ticket, len(ts))
	args := make([]any, len(ts))
	for i, t := range ts {
		byID[t.ID] = t
		t.Tags = []string{}
		args[i] = t.ID
	}
	tags, err := s.tagsOf(ctx, "ticket_tags", "ticket_id", args)
	if err != nil {
		return err
	}
	for id, tg := range tags {
		byID[id].Tags = tg
	}
	return nil
}

// Scope limits which tickets a user may see. Package auth builds it from the
// user's role; the store turns it into one SQL condition used for lists and
// for single tickets alike.
type Scope struct {
	All     bool    // admins and supervisors
	UserID  int64   // tickets assigned or handed to this user
	TeamIDs []int64 // tickets handed to these teams
	// OwnTeams adds tickets whose team is one of TeamIDs (agents); without
	// it only hand-offs count (collaborators from other departments).
	OwnTeams bool
}

func (sc *Scope) sql() (string, []any) {
	if sc == nil || sc.All {
		return "", nil
	}
	var or []string
	var args []any
	or = append(or, `t.assignee_id = ?`)
	args = append(args, sc.UserID)
	// An uncorrelated IN list is computed once per query, not once per row.
	handoff := `t.id IN (SELECT h.ticket_id FROM handoffs h WHERE (h.to_user_id = ?`
	args2 := []any{sc.UserID}
	if len(sc.TeamIDs) > 0 {
		ids := make([]any, len(sc.TeamIDs))
		for i, id := range sc.TeamIDs {
			ids[i] = id
		}
		if sc.OwnTeams {
			or = append(or, `t.team_id IN (`+placeholders(len(ids))+`)`)
			args = append(args, ids...)
		}
		handoff += ` OR h.to_team_id IN (` + placeholders(len(ids)) + `)`
		args2 = append(args2, ids...)
	}
	or = append(or, handoff+`))`)
	args = append(args, args2...)
	return `(` + strings.Join(or, ` OR `) + `)`, args
}

// TicketVisible reports whether the ticket with id is inside scope.
func (s *Store) TicketVisible(ctx context.Context, id int64, sc *Scope) (bool, error) {
	cond, args := sc.sql()
	if cond == "" {
		return true, nil
	}
	var one int
	err := s.queryRow(ctx, `SELECT 1 FROM tickets t WHERE t.id = ? AND `+cond, append([]any{id}, args...)...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check visibility of ticket %d: %w", id, err)
	}
	return true, nil
}

// TicketSorts are the orders a ticket list can take.
var TicketSorts = []string{"updated_at", "created_at", "last_message_at", "number", "priority"}

// TicketFilter selects and orders tickets for a list. Zero values filter nothing.
type TicketFilter struct {
	Scope       *Scope
	Statuses    []kefu.Status
	AssigneeID  int64
	Unassigned  bool
	TeamID      int64
	TeamIDs     []int64 // any of these teams
	CustomerID  int64
	OrderID     int64
	Channel     kefu.Channel
	Type        kefu.TicketType
	CategoryID  int64 // a group includes its problems
	Priority    kefu.Priority
	Tag         string
	Snoozed     string // "hide": leave snoozed tickets out; "only": only them
	CreatedFrom time.Time
	CreatedTo   time.Time
	UpdatedFrom time.Time
	UpdatedTo   time.Time
	Sort        string // one of TicketSorts; default updated_at
	Asc         bool   // default newest/highest first
	Cursor      string // from the previous page's NextCursor
	Limit       int
}

type ticketCursor struct {
	V  int64 `json:"v"`
	ID int64 `json:"i"`
}

// ticketWhere builds the conditions of a ticket filter, cursor aside.
func ticketWhere(f *TicketFilter) (where []string, args []any) {
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if cond, a := f.Scope.sql(); cond != "" {
		add(cond, a...)
	}
	if len(f.Statuses) > 0 {
		a := make([]any, len(f.Statuses))
		for i, st := range f.Statuses {
			a[i] = st
		}
		add(`t.status IN (`+placeholders(len(a))+`)`, a...)
	}
	if f.Unassigned {
		add(`t.assignee_id IS NULL`)
	} else if f.AssigneeID > 0 {
		add(`t.assignee_id = ?`, f.AssigneeID)
	}
	if f.TeamID > 0 {
		add(`t.team_id = ?`, f.TeamID)
	}
	if len(f.TeamIDs) > 0 {
		a := make([]any, len(f.TeamIDs))
		for i, id := range f.TeamIDs {
			a[i] = id
		}
		add(`t.team_id IN (`+placeholders(len(a))+`)`, a...)
	}
	if f.CustomerID > 0 {
		add(`t.customer_id = ?`, f.CustomerID)
	}
	if f.OrderID > 0 {
		add(`t.order_id = ?`, f.OrderID)
	}
	if f.Channel != "" {
		add(`t.channel = ?`, f.Channel)
	}
	if f.Type != "" {
		add(`t.type = ?`, f.Type)
	}
	if f.CategoryID > 0 {
		add(`(t.category_id = ? OR t.category_id IN (SELECT id FROM categories WHERE parent_id = ?))`, f.CategoryID, f.CategoryID)
	}
	if f.Priority != "" {
		add(`t.priority = ?`, priorityRank[f.Priority])
	}
	if f.Tag != "" {
		add(`t.id IN (SELECT ticket_id FROM ticket_tags WHERE tag = ?)`, f.Tag)
	}
	switch f.Snoozed {
	case "hide":
		add(`NOT EXISTS (SELECT 1 FROM snoozes z WHERE z.ticket_id = t.id)`)
	case "only":
		add(`EXISTS (SELECT 1 FROM snoozes z WHERE z.ticket_id = t.id)`)
	}
	if !f.CreatedFrom.IsZero() {
		add(`t.created_at >= ?`, f.CreatedFrom)
	}
	if !f.CreatedTo.IsZero() {
		add(`t.created_at < ?`, f.CreatedTo)
	}
	if !f.UpdatedFrom.IsZero() {
		add(`t.updated_at >= ?`, f.UpdatedFrom)
	}
	if !f.UpdatedTo.IsZero() {
		add(`t.updated_at < ?`, f.UpdatedTo)
	}
	return where, args
}

// CountTickets counts the tickets f selects (cursor and limit aside).
func (s *Store) CountTickets(ctx context.Context, f TicketFilter) (int, error) {
	where, args := ticketWhere(&f)
	q := `SELECT COUNT(*) FROM tickets t`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	var n int
	if err := s.queryRow(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count tickets: %w", err)
	}
	return n, nil
}

// Tickets lists the tickets f selects, and a cursor for the next page ("" at the end).
func (s *Store) Tickets(ctx context.Context, f TicketFilter) ([]*kefu.Ticket, string, error) {
	sortCol := f.Sort
	if sortCol == "" {
		sortCol = "updated_at"
	}
	isTime := strings.HasSuffix(sortCol, "_at")
	where, args := ticketWhere(&f)
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	cmp, dir := "<", "DESC"
	if f.Asc {
		cmp, dir = ">", "ASC"
	}
	if f.Cursor != "" {
		var c ticketCursor
		b, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		if err == nil {
			err = json.Unmarshal(b, &c)
		}
		if err != nil {
			return nil, "", kefu.Invalid("cursor", "is not a cursor this server issued")
		}
		var v any = c.V
		if isTime {
			v = time.UnixMicro(c.V).UTC()
		}
		// Written so SQLite can range-scan the (column, id) index.
		add(`t.`+sortCol+` `+cmp+`= ? AND (t.`+sortCol+` `+cmp+` ? OR t.id `+cmp+` ?)`, v, v, c.ID)
	}
	q := `SELECT ` + prefixCols("t", ticketCols) + ` FROM tickets t`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY t.` + sortCol + ` ` + dir + `, t.id ` + dir + ` LIMIT ?`
	args = append(args, f.Limit+1)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("list tickets: %w", err)
	}
	defer rows.Close()
	var ts []*kefu.Ticket
	for rows.Next() {
		t := &kefu.Ticket{}
		if err := scanTicket(rows, t); err != nil {
			return nil, "", err
		}
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(ts) > f.Limit {
		ts = ts[:f.Limit]
		last := ts[len(ts)-1]
		c := ticketCursor{ID: last.ID}
		switch sortCol {
		case "updated_at":
			c.V = last.UpdatedAt.UnixMicro()
		case "created_at":
			c.V = last.CreatedAt.UnixMicro()
		case "last_message_at":
			c.V = last.LastMessageAt.UnixMicro()
		case "number":
			c.V = last.Number
		case "priority":
			c.V = int64(priorityRank[last.Priority])
		}
		b, _ := json.Marshal(c)
		next = base64.RawURLEncoding.EncodeToString(b)
	}
	return ts, next, s.loadTicketTags(ctx, ts)
}

// CountTicketsByStatus counts tickets per status, for metrics and inbox counts.
func (s *Store) CountTicketsByStatus(ctx context.Context) (map[kefu.Status]int, error) {
	rows, err := s.query(ctx, `SELECT status, COUNT(*) FROM tickets GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count tickets: %w", err)
	}
	defer rows.Close()
	m := map[kefu.Status]int{}
	for rows.Next() {
		var st kefu.Status
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		m[st] = n
	}
	return m, rows.Err()
}

// AddHandoff records a transfer and sets h.ID.
func (s *Store) AddHandoff(ctx context.Context, h *kefu.Handoff) error {
	if h.CreatedAt.IsZero() {
		h.CreatedAt = now()
	}
	err := s.writeRow(ctx, `INSERT INTO handoffs (ticket_id, from_user_id, to_user_id, to_team_id, note, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		h.TicketID, h.FromUserID, h.ToUserID, h.ToTeamID, h.Note, h.CreatedAt).Scan(&h.ID)
	if err != nil {
		return fmt.Errorf("record hand-off of ticket %d: %w", h.TicketID, err)
	}
	return nil
}

// Handoffs lists a ticket's transfers, newest first.
func (s *Store) Handoffs(ctx context.Context, ticketID int64) ([]*kefu.Handoff, error) {
	rows, err := s.query(ctx, `SELECT id, ticket_id, from_user_id, to_user_id, to_team_id, note, created_at FROM handoffs WHERE ticket_id = ? ORDER BY id DESC`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("list hand-offs of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	hs := []*kefu.Handoff{}
	for rows.Next() {
		h := &kefu.Handoff{}
		if err := rows.Scan(&h.ID, &h.TicketID, nullInt{&h.FromUserID}, nullInt{&h.ToUserID}, nullInt{&h.ToTeamID}, &h.Note, timeCol{&h.CreatedAt}); err != nil {
			return nil, err
		}
		hs = append(hs, h)
	}
	return hs, rows.Err()
}

// InboxCounts are the sizes of the workspace inbox's views for one user.
type InboxCounts struct {
	Mine, Unassigned, Teams, All, Pending, OnHold, Solved int
	// Snoozed counts the open tickets put aside until a time; the other
	// open views leave them out.
	Snoozed int
}

// CountInbox counts every inbox view in one pass over the tickets that are
// not closed, inside scope. mine and teams are the user's id and teams.
// Snoozed tickets are counted in a second pass that starts from the few
// snoozes and is subtracted, so the big pass stays one walk of a covering
// index with no per-row look-up.
func (s *Store) CountInbox(ctx context.Context, sc *Scope, me int64, teams []int64) (InboxCounts, error) {
	cond, args := sc.sql()
	teamCond := "0 = 1"
	var teamArgs []any
	if len(teams) > 0 {
		teamCond = `t.team_id IN (` + placeholders(len(teams)) + `)`
		for _, id := range teams {
			teamArgs = append(teamArgs, id)
		}
	}
	active := `t.status IN ('new', 'open', 'pending', 'on_hold')`
	cols := `SELECT
		COALESCE(SUM(CASE WHEN t.assignee_id = ? AND t.status IN ('new', 'open', 'on_hold') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN t.assignee_id IS NULL AND ` + active + ` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + teamCond + ` AND ` + active + ` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + active + ` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN t.status = 'pending' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN t.status = 'on_hold' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN t.status = 'solved' THEN 1 ELSE 0 END), 0)`
	all := append([]any{me}, teamArgs...)
	if cond != "" {
		cond = ` AND ` + cond
		all = append(all, args...)
	}
	var c, z InboxCounts
	err := s.queryRow(ctx, cols+` FROM tickets t WHERE t.status IN ('new', 'open', 'pending', 'on_hold', 'solved')`+cond, all...).
		Scan(&c.Mine, &c.Unassigned, &c.Teams, &c.All, &c.Pending, &c.OnHold, &c.Solved)
	if err != nil {
		return c, fmt.Errorf("count inbox: %w", err)
	}
	err = s.queryRow(ctx, cols+` FROM `+s.snoozedJoin()+` AND `+active+cond, all...).
		Scan(&z.Mine, &z.Unassigned, &z.Teams, &z.All, &z.Pending, &z.OnHold, &z.Solved)
	if err != nil {
		return c, fmt.Errorf("count snoozed tickets: %w", err)
	}
	c.Mine -= z.Mine
	c.Unassigned -= z.Unassigned
	c.Teams -= z.Teams
	c.All -= z.All
	c.Pending -= z.Pending
	c.OnHold -= z.OnHold
	c.Snoozed = z.All
	return c, nil
}
