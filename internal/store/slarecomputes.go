package store

import (
	"context"
	"fmt"
	"time"
)

// SLARecompute is the progress of recomputing the running SLA clocks of a
// calendar (0: of every calendar) in the background.
type SLARecompute struct {
	CalendarID  int64      `json:"calendar_id"`
	State       string     `json:"state"` // running, done
	AfterTicket int64      `json:"-"`     // the last clock done: (ticket, metric)
	AfterMetric string     `json:"-"`
	Done        int        `json:"done"`  // clocks recomputed so far
	Total       int        `json:"total"` // running clocks when it started; -1 until counted
	Batches     int        `json:"batches"`
	StartedAt   time.Time  `json:"started_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	FinishedAt  *time.Time `json:"finished_at"`
}

const slaRecomputeCols = `calendar_id, state, after_ticket, after_metric, done, total, batches, started_at, updated_at, finished_at`

// StartSLARecompute (re)starts the recompute of a calendar from the first
// clock: a change while one runs restarts it, since clocks already done
// were computed on the old calendar.
func (s *Store) StartSLARecompute(ctx context.Context, calendarID int64) (*SLARecompute, error) {
	at := now()
	_, err := s.exec(ctx, `INSERT INTO sla_recomputes (calendar_id, state, after_ticket, after_metric, done, total, batches, started_at, updated_at)
		VALUES (?, 'running', 0, '', 0, -1, 0, ?, ?)
		ON CONFLICT (calendar_id) DO UPDATE SET state = 'running', after_ticket = 0, after_metric = '', done = 0, total = -1, batches = 0,
			started_at = excluded.started_at, updated_at = excluded.updated_at, finished_at = NULL`, calendarID, at, at)
	if err != nil {
		return nil, fmt.Errorf("start SLA recompute of calendar %d: %w", calendarID, err)
	}
	return &SLARecompute{CalendarID: calendarID, State: "running", Total: -1, StartedAt: at, UpdatedAt: at}, nil
}

// SLARecomputeOf returns a calendar's recompute; lock holds its row for the
// current transaction (PostgreSQL), so a batch and a restart of the job
// never interleave.
func (s *Store) SLARecomputeOf(ctx context.Context, calendarID int64, lock bool) (*SLARecompute, error) {
	q := `SELECT ` + slaRecomputeCols + ` FROM sla_recomputes WHERE calendar_id = ?`
	if lock && s.dialect == Postgres {
		q += ` FOR UPDATE`
	}
	var j SLARecompute
	query, args := s.q(q, []any{calendarID})
	err := s.conn(ctx, lock).QueryRowContext(ctx, query, args...).Scan(&j.CalendarID, &j.State, &j.AfterTicket, &j.AfterMetric, &j.Done, &j.Total, &j.Batches,
		timeCol{&j.StartedAt}, timeCol{&j.UpdatedAt}, nullTimeCol{&j.FinishedAt})
	if err != nil {
		return nil, fmt.Errorf("read SLA recompute of calendar %d: %w", calendarID, notFound(err, "SLA recompute"))
	}
	return &j, nil
}

// SaveSLARecompute stores a recompute's progress.
func (s *Store) SaveSLARecompute(ctx context.Context, j *SLARecompute) error {
	j.UpdatedAt = now()
	_, err := s.exec(ctx, `UPDATE sla_recomputes SET state = ?, after_ticket = ?, after_metric = ?, done = ?, total = ?, batches = ?, updated_at = ?, finished_at = ?
		WHERE calendar_id = ?`, j.State, j.AfterTicket, j.AfterMetric, j.Done, j.Total, j.Batches, j.UpdatedAt, j.FinishedAt, j.CalendarID)
	if err != nil {
		return fmt.Errorf("save SLA recompute of calendar %d: %w", j.CalendarID, err)
	}
	return nil
}

// CountRunningSLAClocks counts the running clocks on a calendar (0: on
// every calendar), for a recompute's progress.
func (s *Store) CountRunningSLAClocks(ctx context.Context, calendarID int64) (int, error) {
	q := `SELECT COUNT(*) FROM sla_targets WHERE state = 'running'`
	var args []any
	if calendarID > 0 {
		q += ` AND calendar_id = ?`
		args = append(args, calendarID)
	}
	var n int
	if err := s.queryRow(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count running SLA clocks: %w", err)
	}
	return n, nil
}
