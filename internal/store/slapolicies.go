package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kefu-dev/kefu/internal/kefu"
)

const slaPolicyCols = `id, name, description, position, enabled, conditions, calendar_id, first_response_minutes, next_response_minutes,
	resolution_minutes, warn_share, pause_statuses, escalation, created_at, updated_at`

func scanSLAPolicy(sc interface{ Scan(...any) error }, p *kefu.SLAPolicy) error {
	var cond, pause, esc string
	var fr, nr, res *int64
	if err := sc.Scan(&p.ID, &p.Name, &p.Description, &p.Position, &p.Enabled, textCol{&cond}, nullInt{&p.CalendarID},
		nullInt{&fr}, nullInt{&nr}, nullInt{&res}, &p.WarnShare, textCol{&pause}, textCol{&esc}, timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt}); err != nil {
		return err
	}
	p.FirstResponseMinutes, p.NextResponseMinutes, p.ResolutionMinutes = intPtr(fr), intPtr(nr), intPtr(res)
	for _, j := range []struct {
		src string
		dst any
	}{{cond, &p.Conditions}, {pause, &p.PauseStatuses}, {esc, &p.Escalation}} {
		if err := json.Unmarshal([]byte(j.src), j.dst); err != nil {
			return fmt.Errorf("decode SLA policy %d: %w", p.ID, err)
		}
	}
	return nil
}

func intPtr(p *int64) *int {
	if p == nil {
		return nil
	}
	v := int(*p)
	return &v
}

func policyJSON(p *kefu.SLAPolicy) (cond, pause, esc string, err error) {
	c, err := json.Marshal(p.Conditions)
	if err != nil {
		return
	}
	if p.PauseStatuses == nil {
		p.PauseStatuses = []kefu.Status{}
	}
	ps, err := json.Marshal(p.PauseStatuses)
	if err != nil {
		return
	}
	e, err := json.Marshal(p.Escalation)
	return string(c), string(ps), string(e), err
}

// CreateSLAPolicy inserts p and sets p.ID.
func (s *Store) CreateSLAPolicy(ctx context.Context, p *kefu.SLAPolicy) error {
	cond, pause, esc, err := policyJSON(p)
	if err != nil {
		return err
	}
	p.CreatedAt = now()
	p.UpdatedAt = p.CreatedAt
	err = s.writeRow(ctx, `INSERT INTO sla_policies (name, description, position, enabled, conditions, calendar_id, first_response_minutes,
		next_response_minutes, resolution_minutes, warn_share, pause_statuses, escalation, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		p.Name, p.Description, p.Position, p.Enabled, cond, p.CalendarID, p.FirstResponseMinutes, p.NextResponseMinutes,
		p.ResolutionMinutes, p.WarnShare, pause, esc, p.CreatedAt, p.UpdatedAt).Scan(&p.ID)
	return policyError(err, "insert SLA policy")
}

// UpdateSLAPolicy writes every field of p.
func (s *Store) UpdateSLAPolicy(ctx context.Context, p *kefu.SLAPolicy) error {
	cond, pause, esc, err := policyJSON(p)
	if err != nil {
		return err
	}
	p.UpdatedAt = now()
	res, err := s.exec(ctx, `UPDATE sla_policies SET name = ?, description = ?, position = ?, enabled = ?, conditions = ?, calendar_id = ?,
		first_response_minutes = ?, next_response_minutes = ?, resolution_minutes = ?, warn_share = ?, pause_statuses = ?, escalation = ?,
		updated_at = ? WHERE id = ?`,
		p.Name, p.Description, p.Position, p.Enabled, cond, p.CalendarID, p.FirstResponseMinutes, p.NextResponseMinutes,
		p.ResolutionMinutes, p.WarnShare, pause, esc, p.UpdatedAt, p.ID)
	if err := policyError(err, "update SLA policy"); err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kefu.NotFound("SLA policy")
	}
	return nil
}

func policyError(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case isUniqueViolation(err):
		return &kefu.ConflictError{Field: "name", Message: "an SLA policy with this name already exists"}
	case isForeignKeyViolation(err):
		return &kefu.NotFoundError{What: "calendar", Field: "calendar_id"}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// DeleteSLAPolicy removes a policy; its tickets' clocks are re-evaluated by the caller.
func (s *Store) DeleteSLAPolicy(ctx context.Context, id int64) error {
	res, err := s.exec(ctx, `DELETE FROM sla_policies WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete SLA policy %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kefu.NotFound("SLA policy")
	}
	return nil
}

// SLAPolicy returns the policy with id.
func (s *Store) SLAPolicy(ctx context.Context, id int64) (*kefu.SLAPolicy, error) {
	var p kefu.SLAPolicy
	if err := scanSLAPolicy(s.queryRow(ctx, `SELECT `+slaPolicyCols+` FROM sla_policies WHERE id = ?`, id), &p); err != nil {
		return nil, notFound(err, "SLA policy")
	}
	return &p, nil
}

// SLAPolicies lists every policy in the order they are tried.
func (s *Store) SLAPolicies(ctx context.Context) ([]*kefu.SLAPolicy, error) {
	rows, err := s.query(ctx, `SELECT `+slaPolicyCols+` FROM sla_policies ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("list SLA policies: %w", err)
	}
	defer rows.Close()
	ps := []*kefu.SLAPolicy{}
	for rows.Next() {
		p := &kefu.SLAPolicy{}
		if err := scanSLAPolicy(rows, p); err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, rows.Err()
}

// SLAPolicyVersion changes whenever a policy or calendar changes, so nodes
// can cache both and notice another node's edit with one cheap query.
func (s *Store) SLAPolicyVersion(ctx context.Context) (string, error) {
	var a, b, n1, n2 int64
	err := s.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM sla_policies), (SELECT COUNT(*) FROM calendars),
		(SELECT COALESCE(MAX(`+s.epochMicros("updated_at")+`), 0) FROM sla_policies), (SELECT COALESCE(MAX(`+s.epochMicros("updated_at")+`), 0) FROM calendars)`).Scan(&a, &b, &n1, &n2)
	if err != nil {
		return "", fmt.Errorf("read SLA policy version: %w", err)
	}
	return fmt.Sprint(a, ".", b, ".", n1, ".", n2), nil
}

// epochMicros is a time column as integer microseconds in either dialect.
func (s *Store) epochMicros(col string) string {
	if s.dialect == Postgres {
		return `(EXTRACT(EPOCH FROM ` + col + `) * 1000000)::bigint`
	}
	return col
}
