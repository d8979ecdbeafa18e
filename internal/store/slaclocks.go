package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

const slaClockCols = `ticket_id, metric, policy_id, calendar_id, state, target_minutes, warn_share, started_at, consumed_us,
	running_since, due_at, warn_at, warned_at, breached_at, met_at, updated_at`

func scanSLAClock(sc interface{ Scan(...any) error }, c *kefu.SLAClock) error {
	var consumed int64
	err := sc.Scan(&c.TicketID, &c.Metric, nullInt{&c.PolicyID}, nullInt{&c.CalendarID}, &c.State, &c.TargetMinutes, &c.WarnShare,
		timeCol{&c.StartedAt}, &consumed, nullTimeCol{&c.RunningSince}, nullTimeCol{&c.DueAt}, nullTimeCol{&c.WarnAt},
		nullTimeCol{&c.WarnedAt}, nullTimeCol{&c.BreachedAt}, nullTimeCol{&c.MetAt}, timeCol{&c.UpdatedAt})
	c.Consumed = time.Duration(consumed) * time.Microsecond
	return err
}

func (s *Store) scanSLAClocks(ctx context.Context, q string, args ...any) ([]*kefu.SLAClock, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read SLA clocks: %w", err)
	}
	defer rows.Close()
	var cs []*kefu.SLAClock
	for rows.Next() {
		c := &kefu.SLAClock{}
		if err := scanSLAClock(rows, c); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// SLAClocks returns a ticket's SLA clocks.
func (s *Store) SLAClocks(ctx context.Context, ticketID int64) ([]*kefu.SLAClock, error) {
	return s.scanSLAClocks(ctx, `SELECT `+slaClockCols+` FROM sla_targets WHERE ticket_id = ? ORDER BY metric`, ticketID)
}

// SLAClocksOf returns the clocks of several tickets, by ticket id.
func (s *Store) SLAClocksOf(ctx context.Context, ticketIDs []int64) (map[int64][]*kefu.SLAClock, error) {
	out := map[int64][]*kefu.SLAClock{}
	for len(ticketIDs) > 0 {
		n := min(len(ticketIDs), 500)
		args := make([]any, n)
		for i, id := range ticketIDs[:n] {
			args[i] = id
		}
		ticketIDs = ticketIDs[n:]
		cs, err := s.scanSLAClocks(ctx, `SELECT `+slaClockCols+` FROM sla_targets WHERE ticket_id IN (`+placeholders(n)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			out[c.TicketID] = append(out[c.TicketID], c)
		}
	}
	return out, nil
}

// SaveSLAClock inserts or replaces a clock.
func (s *Store) SaveSLAClock(ctx context.Context, c *kefu.SLAClock) error {
	_, err := s.exec(ctx, `INSERT INTO sla_targets (`+slaClockCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (ticket_id, metric) DO UPDATE SET policy_id = excluded.policy_id, calendar_id = excluded.calendar_id,
		state = excluded.state, target_minutes = excluded.target_minutes, warn_share = excluded.warn_share,
		started_at = excluded.started_at, consumed_us = excluded.consumed_us, running_since = excluded.running_since,
		due_at = excluded.due_at, warn_at = excluded.warn_at, warned_at = excluded.warned_at, breached_at = excluded.breached_at,
		met_at = excluded.met_at, updated_at = excluded.updated_at`,
		c.TicketID, c.Metric, c.PolicyID, c.CalendarID, c.State, c.TargetMinutes, c.WarnShare, c.StartedAt, c.Consumed.Microseconds(),
		c.RunningSince, c.DueAt, c.WarnAt, c.WarnedAt, c.BreachedAt, c.MetAt, c.UpdatedAt)
	if err != nil {
		return fmt.Errorf("save %s clock of ticket %d: %w", c.Metric, c.TicketID, err)
	}
	return nil
}

// AddSLAResult records a finished target cycle.
func (s *Store) AddSLAResult(ctx context.Context, r *kefu.SLAResult) error {
	_, err := s.exec(ctx, `INSERT INTO sla_results (ticket_id, metric, policy_id, target_minutes, started_at, ended_at, outcome, breached, business_seconds)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.TicketID, r.Metric, r.PolicyID, r.TargetMinutes, r.StartedAt, r.EndedAt, r.Outcome, r.Breached, r.BusinessSeconds)
	if err != nil {
		return fmt.Errorf("record SLA result of ticket %d: %w", r.TicketID, err)
	}
	return nil
}

// SLAResults lists a ticket's finished target cycles, oldest first.
func (s *Store) SLAResults(ctx context.Context, ticketID int64) ([]kefu.SLAResult, error) {
	rows, err := s.query(ctx, `SELECT ticket_id, metric, policy_id, target_minutes, started_at, ended_at, outcome, breached, business_seconds
		FROM sla_results WHERE ticket_id = ? ORDER BY id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("list SLA results of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	rs := []kefu.SLAResult{}
	for rows.Next() {
		var r kefu.SLAResult
		if err := rows.Scan(&r.TicketID, &r.Metric, nullInt{&r.PolicyID}, &r.TargetMinutes, timeCol{&r.StartedAt}, timeCol{&r.EndedAt},
			&r.Outcome, &r.Breached, &r.BusinessSeconds); err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	return rs, rows.Err()
}

// RunningSLAClocks pages through running clocks in (ticket, metric) order
// after the given key, for recomputing due times in bulk; calendarID 0
// means every calendar.
func (s *Store) RunningSLAClocks(ctx context.Context, calendarID, afterTicket int64, afterMetric string, limit int) ([]*kefu.SLAClock, error) {
	// A row comparison, so both databases walk the primary key in order.
	q := `SELECT ` + slaClockCols + ` FROM sla_targets WHERE (ticket_id, metric) > (?, ?) AND state = 'running'`
	args := []any{afterTicket, afterMetric}
	if calendarID > 0 {
		q += ` AND calendar_id = ?`
		args = append(args, calendarID)
	}
	q += ` ORDER BY ticket_id, metric LIMIT ?`
	return s.scanSLAClocks(ctx, q, append(args, limit)...)
}

// SetSLAClockTimes writes new due and warning times of many clocks at once.
func (s *Store) SetSLAClockTimes(ctx context.Context, cs []*kefu.SLAClock) error {
	if len(cs) == 0 {
		return nil
	}
	if s.dialect == Postgres {
		// One statement per batch: the round trips would dominate otherwise.
		ids := make([]int64, len(cs))
		metrics := make([]string, len(cs))
		dues := make([]*time.Time, len(cs))
		warns := make([]*time.Time, len(cs))
		for i, c := range cs {
			ids[i], metrics[i], dues[i], warns[i] = c.TicketID, c.Metric, utcPtr(c.DueAt), utcPtr(c.WarnAt)
		}
		_, err := s.conn(ctx, true).ExecContext(ctx, `UPDATE sla_targets t SET due_at = v.due_at, warn_at = v.warn_at
			FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS v(ticket_id, metric, due_at, warn_at)
			WHERE t.ticket_id = v.ticket_id AND t.metric = v.metric`, ids, metrics, dues, warns)
		if err != nil {
			return fmt.Errorf("set SLA due times: %w", err)
		}
		return nil
	}
	return s.WithTx(ctx, func(ctx context.Context) error {
		// One prepared statement for the batch: parsing it anew per row
		// was a third of the time.
		stmt, err := s.prepare(ctx, `UPDATE sla_targets SET due_at = ?, warn_at = ? WHERE ticket_id = ? AND metric = ?`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, c := range cs {
			if _, err := stmt.ExecContext(ctx, microsOrNil(c.DueAt), microsOrNil(c.WarnAt), c.TicketID, c.Metric); err != nil {
				return fmt.Errorf("set SLA due time of ticket %d: %w", c.TicketID, err)
			}
		}
		return nil
	})
}

// prepare prepares a SQLite statement on the current transaction.
func (s *Store) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	st, ok := ctx.Value(txKey{}).(*txState)
	if !ok {
		return nil, errors.New("prepare: no transaction")
	}
	stmt, err := st.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	return stmt, nil
}

// microsOrNil is a nullable time as SQLite stores it.
func microsOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// SetTimers schedules many timers of one kind at once (see SetTimer).
func (s *Store) SetTimers(ctx context.Context, kind string, refs []int64, dues []time.Time) error {
	if len(refs) == 0 {
		return nil
	}
	if s.dialect == Postgres {
		ds := make([]time.Time, len(dues))
		for i, d := range dues {
			ds[i] = d.UTC()
		}
		_, err := s.conn(ctx, true).ExecContext(ctx, `INSERT INTO timers (kind, ref_id, due_at, created_at)
			SELECT $1, r, d, now() FROM unnest($2::bigint[], $3::timestamptz[]) AS v(r, d)
			ON CONFLICT (kind, ref_id) DO UPDATE SET due_at = excluded.due_at, attempts = 0, last_error = ''`, kind, refs, ds)
		if err != nil {
			return fmt.Errorf("set %s timers: %w", kind, err)
		}
	} else {
		err := s.WithTx(ctx, func(ctx context.Context) error {
			stmt, err := s.prepare(ctx, `INSERT INTO timers (kind, ref_id, due_at, created_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (kind, ref_id) DO UPDATE SET due_at = excluded.due_at, attempts = 0, last_error = ''`)
			if err != nil {
				return err
			}
			defer stmt.Close()
			at := now().UnixMicro()
			for i, r := range refs {
				if _, err := stmt.ExecContext(ctx, kind, r, dues[i].UTC().Truncate(time.Microsecond).UnixMicro(), at); err != nil {
					return fmt.Errorf("set %s timer %d: %w", kind, r, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	earliest := dues[0]
	for _, d := range dues {
		if d.Before(earliest) {
			earliest = d
		}
	}
	s.timerSet(earliest)
	return nil
}

// AtRisk is one deadline in the inbox's "at risk" view: an SLA target or
// a promise, soonest first.
type AtRisk struct {
	TicketID  int64     `json:"ticket_id"`
	Number    int64     `json:"number"`
	Subject   string    `json:"subject"`
	Kind      string    `json:"kind"`   // "sla" or "promise"
	Metric    string    `json:"metric"` // the SLA metric, or the promise kind
	PromiseID *int64    `json:"promise_id,omitempty"`
	DueAt     time.Time `json:"due_at"`
	Breached  bool      `json:"breached"` // past due: breached target or overdue promise
	Warned    bool      `json:"warned"`
	Assignee  *int64    `json:"assignee_id"`
	TeamID    *int64    `json:"team_id"`
}

// AtRiskFilter selects the deadlines of the at-risk view.
type AtRiskFilter struct {
	Scope      *Scope
	Before     time.Time // only deadlines before this instant (past ones included)
	AssigneeID int64
	TeamID     int64
	Limit      int
}

// AtRiskList lists running SLA targets and open promises due before
// f.Before on tickets in scope, soonest (most overdue) first.
func (s *Store) AtRiskList(ctx context.Context, f AtRiskFilter) ([]*AtRisk, error) {
	var where []string
	var args []any
	if cond, a := f.Scope.sql(); cond != "" {
		where = append(where, cond)
		args = append(args, a...)
	}
	if f.AssigneeID > 0 {
		where = append(where, `t.assignee_id = ?`)
		args = append(args, f.AssigneeID)
	}
	if f.TeamID > 0 {
		where = append(where, `t.team_id = ?`)
		args = append(args, f.TeamID)
	}
	cond := ""
	if len(where) > 0 {
		cond = ` AND ` + strings.Join(where, ` AND `)
	}
	// Each half walks its due-time index and stops at the limit; only the
	// two short lists are merged and sorted.
	q := `SELECT * FROM (SELECT t.id, t.number, t.subject, 'sla' AS kind, x.metric, CAST(NULL AS BIGINT) AS promise_id, x.due_at, x.breached_at IS NOT NULL AS breached,
		x.warned_at IS NOT NULL AS warned, t.assignee_id, t.team_id
		FROM sla_targets x JOIN tickets t ON t.id = x.ticket_id
		WHERE x.state = 'running' AND x.due_at < ?` + cond + ` ORDER BY x.due_at, x.ticket_id LIMIT ?) a
		UNION ALL
		SELECT * FROM (SELECT t.id, t.number, t.subject, 'promise' AS kind, p.kind, p.id, p.due_at, p.overdue_at IS NOT NULL, p.reminded_at IS NOT NULL, t.assignee_id, t.team_id
		FROM promises p JOIN tickets t ON t.id = p.ticket_id
		WHERE p.state = 'open' AND p.due_at < ?` + cond + ` ORDER BY p.due_at, p.id LIMIT ?) b
		ORDER BY 7, 1 LIMIT ?`
	all := append([]any{f.Before}, args...)
	all = append(all, f.Limit, f.Before)
	all = append(all, args...)
	all = append(all, f.Limit, f.Limit)
	rows, err := s.query(ctx, q, all...)
	if err != nil {
		return nil, fmt.Errorf("list at-risk deadlines: %w", err)
	}
	defer rows.Close()
	out := []*AtRisk{}
	for rows.Next() {
		a := &AtRisk{}
		if err := rows.Scan(&a.TicketID, &a.Number, &a.Subject, &a.Kind, &a.Metric, nullInt{&a.PromiseID}, timeCol{&a.DueAt}, &a.Breached, &a.Warned,
			nullInt{&a.Assignee}, nullInt{&a.TeamID}); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// TryLockTicket locks a ticket for the current transaction without waiting
// (PostgreSQL: FOR UPDATE SKIP LOCKED). busy is true when another
// transaction holds it; a missing ticket is a not-found error. Timer
// handlers use it so they never wait on a ticket whose change is itself
// waiting on the timer row.
func (s *Store) TryLockTicket(ctx context.Context, id int64) (t *kefu.Ticket, busy bool, err error) {
	if s.dialect != Postgres {
		t, err = s.LockTicket(ctx, id)
		return t, false, err
	}
	t = &kefu.Ticket{}
	query, args := s.q(`SELECT `+ticketCols+` FROM tickets WHERE id = ? FOR UPDATE SKIP LOCKED`, []any{id})
	err = scanTicket(s.conn(ctx, true).QueryRowContext(ctx, query, args...), t)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := s.Ticket(ctx, id); err != nil {
			return nil, false, err
		}
		return nil, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("lock ticket %d: %w", id, err)
	}
	return t, false, s.loadTicketTags(ctx, []*kefu.Ticket{t})
}

// CustomerVIPTier returns a customer's VIP tier.
func (s *Store) CustomerVIPTier(ctx context.Context, id int64) (kefu.VIPTier, error) {
	var v kefu.VIPTier
	if err := s.queryRow(ctx, `SELECT vip_tier FROM customers WHERE id = ?`, id).Scan(&v); err != nil {
		return 0, notFound(err, "customer")
	}
	return v, nil
}
