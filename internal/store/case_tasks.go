package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

const caseTaskCols = `k.id, k.case_id, c.ticket_id, k.team_id, k.kind, k.title, k.due_at, k.status, k.result, k.answer,
	k.done_by, k.done_at, k.created_by, k.created_at`

func scanCaseTask(sc interface{ Scan(...any) error }, t *kefu.CaseTask) error {
	return sc.Scan(&t.ID, &t.CaseID, &t.TicketID, &t.TeamID, &t.Kind, &t.Title, timeCol{&t.DueAt}, &t.Status, &t.Result,
		&t.Answer, nullInt{&t.DoneBy}, nullTimeCol{&t.DoneAt}, nullInt{&t.CreatedBy}, timeCol{&t.CreatedAt})
}

// CreateCaseTask inserts a department task and sets t.ID.
func (s *Store) CreateCaseTask(ctx context.Context, t *kefu.CaseTask) error {
	if t.CreatedAt.IsZero() {
		t.CreatedAt = now()
	}
	err := s.writeRow(ctx, `INSERT INTO case_tasks (case_id, team_id, kind, title, due_at, status, result, answer, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, t.CaseID, t.TeamID, t.Kind, t.Title, t.DueAt, t.Status, t.Result, t.Answer,
		t.CreatedBy, t.CreatedAt).Scan(&t.ID)
	if isForeignKeyViolation(err) {
		return &kefu.NotFoundError{What: "team", Field: "team_id"}
	}
	if err != nil {
		return fmt.Errorf("create task of case %d: %w", t.CaseID, err)
	}
	return nil
}

// UpdateCaseTask writes a task's status, verdict and answer.
func (s *Store) UpdateCaseTask(ctx context.Context, t *kefu.CaseTask) error {
	res, err := s.exec(ctx, `UPDATE case_tasks SET status = ?, result = ?, answer = ?, done_by = ?, done_at = ?, due_at = ? WHERE id = ?`,
		t.Status, t.Result, t.Answer, t.DoneBy, t.DoneAt, t.DueAt, t.ID)
	if err != nil {
		return fmt.Errorf("update task %d: %w", t.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kefu.NotFound("task")
	}
	return nil
}

// CaseTask returns a task.
func (s *Store) CaseTask(ctx context.Context, id int64) (*kefu.CaseTask, error) {
	t := &kefu.CaseTask{}
	err := scanCaseTask(s.queryRow(ctx, `SELECT `+caseTaskCols+` FROM case_tasks k JOIN cases c ON c.id = k.case_id WHERE k.id = ?`, id), t)
	if err != nil {
		return nil, notFound(err, "task")
	}
	return t, nil
}

// CaseTaskFilter selects department tasks.
type CaseTaskFilter struct {
	CaseID  int64
	TeamIDs []int64
	Status  kefu.TaskStatus
	Before  int64 // cursor: tasks with a smaller id
	Limit   int
}

// CaseTasks lists tasks: newest first.
func (s *Store) CaseTasks(ctx context.Context, f CaseTaskFilter, at time.Time) ([]*kefu.CaseTask, error) {
	q := `SELECT ` + caseTaskCols + ` FROM case_tasks k JOIN cases c ON c.id = k.case_id WHERE 1 = 1`
	var args []any
	if f.CaseID > 0 {
		q += ` AND k.case_id = ?`
		args = append(args, f.CaseID)
	}
	if len(f.TeamIDs) > 0 {
		q += ` AND k.team_id IN (` + placeholders(len(f.TeamIDs)) + `)`
		for _, id := range f.TeamIDs {
			args = append(args, id)
		}
	}
	if f.Status != "" {
		q += ` AND k.status = ?`
		args = append(args, f.Status)
	}
	if f.Before > 0 {
		q += ` AND k.id < ?`
		args = append(args, f.Before)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	q += ` ORDER BY k.id DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	defer rows.Close()
	ts := []*kefu.CaseTask{}
	for rows.Next() {
		t := &kefu.CaseTask{}
		if err := scanCaseTask(rows, t); err != nil {
			return nil, err
		}
		t.Overdue = t.Status == kefu.TaskOpen && at.After(t.DueAt)
		ts = append(ts, t)
	}
	return ts, rows.Err()
}
