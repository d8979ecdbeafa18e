package main

import (
	"context"
	"fmt"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/sla"
	"github.com/kefu-dev/kefu/internal/store"
)

// Far clocks run on the China calendar with targets long enough that
// nothing of theirs falls due during the run (about 9 and 18 working days),
// so the recompute does real business-time arithmetic over weeks and
// holidays.
const (
	farFirstMinutes      = 80 * 60
	farResolutionMinutes = 160 * 60
)

// fill writes n open tickets with a first-response and a resolution clock
// each, set-based in SQL.
func fill(ctx context.Context, st *store.Store, n int, cal *kefu.Calendar, p *kefu.SLAPolicy) error {
	db := st.DB()
	pg := st.Dialect() == store.Postgres
	tv := func(t time.Time) any {
		if pg {
			return t.UTC()
		}
		return t.UnixMicro()
	}
	team, err := st.TeamByName(ctx, kefu.DefaultTeam)
	if err != nil {
		return err
	}
	c := &kefu.Customer{Name: "bench", Language: "zh-CN"}
	if err := st.CreateCustomer(ctx, c); err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	cc := sla.MustCompile(cal)
	add := func(m int) time.Time {
		t, err := cc.Add(now, time.Duration(m)*time.Minute)
		if err != nil {
			panic(err)
		}
		return t
	}
	frDue, frWarn := add(farFirstMinutes), add(farFirstMinutes*3/4)
	resDue, resWarn := add(farResolutionMinutes), add(farResolutionMinutes*3/4)

	series := `WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ?) SELECT g FROM s`
	ts := func(expr string) string { return expr }
	if pg {
		series = `SELECT g FROM generate_series(1, ?::bigint) g`
		ts = func(expr string) string { return expr + `::timestamptz` }
	}
	stmts := []struct {
		what string
		q    string
		args []any
	}{
		{"tickets", `INSERT INTO tickets (id, number, subject, channel, type, priority, status, team_id, customer_id, custom_fields, last_message_at, created_at, updated_at)
			SELECT g, 100000 + g, 'bench ticket', 'email', 'consultation', 1, 'open', ?, ?, '{}', ` + ts("?") + `, ` + ts("?") + `, ` + ts("?") + ` FROM (` + series + `) q`,
			[]any{team.ID, c.ID, tv(now), tv(now), tv(now), n}},
		{"first-response clocks", `INSERT INTO sla_targets (ticket_id, metric, policy_id, calendar_id, state, target_minutes, warn_share, started_at, consumed_us,
			running_since, due_at, warn_at, updated_at)
			SELECT g, 'first_response', ?, ?, 'running', ?, 0.75, ` + ts("?") + `, 0, ` + ts("?") + `, ` + ts("?") + `, ` + ts("?") + `, ` + ts("?") + ` FROM (` + series + `) q`,
			[]any{p.ID, cal.ID, farFirstMinutes, tv(now), tv(now), tv(frDue), tv(frWarn), tv(now), n}},
		{"resolution clocks", `INSERT INTO sla_targets (ticket_id, metric, policy_id, calendar_id, state, target_minutes, warn_share, started_at, consumed_us,
			running_since, due_at, warn_at, updated_at)
			SELECT g, 'resolution', ?, ?, 'running', ?, 0.75, ` + ts("?") + `, 0, ` + ts("?") + `, ` + ts("?") + `, ` + ts("?") + `, ` + ts("?") + ` FROM (` + series + `) q`,
			[]any{p.ID, cal.ID, farResolutionMinutes, tv(now), tv(now), tv(resDue), tv(resWarn), tv(now), n}},
	}
	for _, s := range stmts {
		q := s.q
		if pg {
			q = rebind(st, q)
		}
		t := time.Now()
		if _, err := db.ExecContext(ctx, q, s.args...); err != nil {
			return fmt.Errorf("fill %s: %w", s.what, err)
		}
		fmt.Printf("  %s: %s\n", s.what, time.Since(t).Round(time.Millisecond))
	}
	_, err = db.ExecContext(ctx, `ANALYZE`)
	return err
}

// schedule makes the first-response clocks of the first `due` tickets run
// round the clock and fall due from start on, rate per second, with their
// warning already given (so their timers are their breaches), then sets one
// SLA timer per ticket.
func schedule(ctx context.Context, st *store.Store, due, rate int, start time.Time) error {
	pg := st.Dialect() == store.Postgres
	tv := func(t time.Time) any {
		if pg {
			return t.UTC()
		}
		return t.UnixMicro()
	}
	step := int64(time.Second/time.Microsecond) / int64(rate)
	var stmts []struct {
		what string
		q    string
		args []any
	}
	if pg {
		stmts = append(stmts, struct {
			what string
			q    string
			args []any
		}{"deadlines due during the run", `UPDATE sla_targets SET calendar_id = NULL, target_minutes = 60, warn_at = NULL,
			due_at = $1::timestamptz + (ticket_id - 1) * ($2 * interval '1 microsecond'),
			running_since = $1::timestamptz + (ticket_id - 1) * ($2 * interval '1 microsecond') - interval '60 minutes',
			warned_at = $1::timestamptz + (ticket_id - 1) * ($2 * interval '1 microsecond') - interval '15 minutes'
			WHERE metric = 'first_response' AND ticket_id <= $3`, []any{tv(start), step, due}})
	} else {
		stmts = append(stmts, struct {
			what string
			q    string
			args []any
		}{"deadlines due during the run", `UPDATE sla_targets SET calendar_id = NULL, target_minutes = 60, warn_at = NULL,
			due_at = ? + (ticket_id - 1) * ?, running_since = ? + (ticket_id - 1) * ? - 3600000000, warned_at = ? + (ticket_id - 1) * ? - 900000000
			WHERE metric = 'first_response' AND ticket_id <= ?`, []any{tv(start), step, tv(start), step, tv(start), step, due}})
	}
	stmts = append(stmts, struct {
		what string
		q    string
		args []any
	}{"timers", `INSERT INTO timers (kind, ref_id, due_at, created_at)
		SELECT 'sla', ticket_id, MIN(CASE WHEN warned_at IS NULL AND warn_at < due_at THEN warn_at ELSE due_at END), MIN(updated_at)
		FROM sla_targets GROUP BY ticket_id`, nil})
	for _, s := range stmts {
		t := time.Now()
		if _, err := st.DB().ExecContext(ctx, s.q, s.args...); err != nil {
			return fmt.Errorf("schedule %s: %w", s.what, err)
		}
		fmt.Printf("  %s: %s\n", s.what, time.Since(t).Round(time.Millisecond))
	}
	return nil
}
