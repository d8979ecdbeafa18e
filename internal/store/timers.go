package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Timer is a durable timer: something to do at DueAt about RefID (a
// ticket, a promise, a scheduled message), by its Kind's handler.
type Timer struct {
	ID        int64
	Kind      string
	RefID     int64
	DueAt     time.Time
	Attempts  int
	LastError string
}

// SetTimer schedules the timer (kind, ref) at due, replacing any earlier
// schedule of it. After commit the timer hooks learn of it.
func (s *Store) SetTimer(ctx context.Context, kind string, ref int64, due time.Time) error {
	due = due.UTC().Truncate(time.Microsecond)
	_, err := s.exec(ctx, `INSERT INTO timers (kind, ref_id, due_at, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (kind, ref_id) DO UPDATE SET due_at = excluded.due_at, attempts = 0, last_error = ''`, kind, ref, due, now())
	if err != nil {
		return fmt.Errorf("set %s timer %d: %w", kind, ref, err)
	}
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		if st.timer.IsZero() || due.Before(st.timer) {
			st.timer = due
		}
	} else {
		s.timerSet(due)
	}
	return nil
}

// CancelTimer removes the timer (kind, ref) if it is set.
func (s *Store) CancelTimer(ctx context.Context, kind string, ref int64) error {
	if _, err := s.exec(ctx, `DELETE FROM timers WHERE kind = ? AND ref_id = ?`, kind, ref); err != nil {
		return fmt.Errorf("cancel %s timer %d: %w", kind, ref, err)
	}
	return nil
}

// TimerDue returns when the timer (kind, ref) is due; ok is false when it is not set.
func (s *Store) TimerDue(ctx context.Context, kind string, ref int64) (due time.Time, ok bool, err error) {
	err = s.queryRow(ctx, `SELECT due_at FROM timers WHERE kind = ? AND ref_id = ?`, kind, ref).Scan(timeCol{&due})
	if errors.Is(err, sql.ErrNoRows) {
		return due, false, nil
	}
	if err != nil {
		return due, false, fmt.Errorf("read %s timer %d: %w", kind, ref, err)
	}
	return due, true, nil
}

// ClaimTimers locks up to limit timers due by now for the current
// transaction, earliest first. On PostgreSQL timers another node holds are
// skipped (FOR UPDATE SKIP LOCKED), so several nodes share the work and each
// timer is handled by one; SQLite has a single writer.
func (s *Store) ClaimTimers(ctx context.Context, at time.Time, limit int) ([]*Timer, error) {
	q := `SELECT id, kind, ref_id, due_at, attempts, last_error FROM timers WHERE due_at <= ? ORDER BY due_at, id LIMIT ?`
	if s.dialect == Postgres {
		q += ` FOR UPDATE SKIP LOCKED`
	}
	query, args := s.q(q, []any{at, limit})
	rows, err := s.conn(ctx, true).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("claim timers: %w", err)
	}
	defer rows.Close()
	var ts []*Timer
	for rows.Next() {
		t := &Timer{}
		if err := rows.Scan(&t.ID, &t.Kind, &t.RefID, timeCol{&t.DueAt}, &t.Attempts, &t.LastError); err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, rows.Err()
}

// DeleteTimer removes a claimed timer, in the transaction that applies its effect.
func (s *Store) DeleteTimer(ctx context.Context, id int64) error {
	if _, err := s.exec(ctx, `DELETE FROM timers WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete timer %d: %w", id, err)
	}
	return nil
}

// RetryTimer puts a timer whose handler failed back for later, recording why.
func (s *Store) RetryTimer(ctx context.Context, id int64, due time.Time, reason string) error {
	if len(reason) > 2000 {
		reason = reason[:2000]
	}
	if _, err := s.exec(ctx, `UPDATE timers SET due_at = ?, attempts = attempts + 1, last_error = ? WHERE id = ?`, due, reason, id); err != nil {
		return fmt.Errorf("retry timer %d: %w", id, err)
	}
	return nil
}

// NextTimer returns when the earliest timer is due; ok is false when none is set.
func (s *Store) NextTimer(ctx context.Context) (due time.Time, ok bool, err error) {
	var v any
	if err := s.queryRow(ctx, `SELECT MIN(due_at) FROM timers`).Scan(&v); err != nil {
		return due, false, fmt.Errorf("read next timer: %w", err)
	}
	if v == nil {
		return due, false, nil
	}
	if err := (timeCol{&due}).Scan(v); err != nil {
		return due, false, err
	}
	return due, true, nil
}

// CountTimers counts pending timers, for metrics and tests.
func (s *Store) CountTimers(ctx context.Context) (int, error) {
	var n int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM timers`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count timers: %w", err)
	}
	return n, nil
}

// Savepoint runs fn inside a savepoint of the current transaction: fn's
// error rolls back only what fn did, so one failing timer does not undo the
// others claimed in the same batch.
func (s *Store) Savepoint(ctx context.Context, name string, fn func(ctx context.Context) error) error {
	if _, err := s.exec(ctx, `SAVEPOINT `+name); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	if err := fn(ctx); err != nil {
		if _, rerr := s.exec(ctx, `ROLLBACK TO SAVEPOINT `+name); rerr != nil {
			return errors.Join(err, fmt.Errorf("roll back to savepoint: %w", rerr))
		}
		_, _ = s.exec(ctx, `RELEASE SAVEPOINT `+name)
		return err
	}
	if _, err := s.exec(ctx, `RELEASE SAVEPOINT `+name); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}
