package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Rule is an automation rule as stored; package automation gives the JSON
// documents their meaning.
type Rule struct {
	ID         int64           `json:"id"`
	Name       string          `json:"name"`
	Position   int             `json:"position"`
	Enabled    bool            `json:"enabled"`
	Triggers   json.RawMessage `json:"triggers"`
	Conditions json.RawMessage `json:"conditions"`
	Actions    json.RawMessage `json:"actions"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
}

const ruleCols = `id, name, position, enabled, triggers, conditions, actions, created_at, updated_at`

func scanRule(sc interface{ Scan(...any) error }, r *Rule) error {
	var tr, co, ac string
	if err := sc.Scan(&r.ID, &r.Name, &r.Position, &r.Enabled, textCol{&tr}, textCol{&co}, textCol{&ac}, timeCol{&r.CreatedAt}, timeCol{&r.UpdatedAt}); err != nil {
		return err
	}
	r.Triggers, r.Conditions, r.Actions = json.RawMessage(tr), json.RawMessage(co), json.RawMessage(ac)
	return nil
}

// SaveRule inserts (ID 0) or replaces a rule.
func (s *Store) SaveRule(ctx context.Context, r *Rule) error {
	r.UpdatedAt = now()
	var err error
	if r.ID == 0 {
		r.CreatedAt = r.UpdatedAt
		err = s.writeRow(ctx, `INSERT INTO automation_rules (name, position, enabled, triggers, conditions, actions, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.Name, r.Position, r.Enabled, string(r.Triggers), string(r.Conditions), string(r.Actions),
			r.CreatedAt, r.UpdatedAt).Scan(&r.ID)
	} else {
		var res interface{ RowsAffected() (int64, error) }
		res, err = s.exec(ctx, `UPDATE automation_rules SET name = ?, position = ?, enabled = ?, triggers = ?, conditions = ?, actions = ?, updated_at = ? WHERE id = ?`,
			r.Name, r.Position, r.Enabled, string(r.Triggers), string(r.Conditions), string(r.Actions), r.UpdatedAt, r.ID)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return notFound(errNoRows, "automation rule")
			}
		}
	}
	if isUniqueViolation(err) {
		return conflict("name", "an automation rule with this name already exists")
	}
	if err != nil {
		return fmt.Errorf("save automation rule: %w", err)
	}
	return nil
}

// DeleteRule removes a rule.
func (s *Store) DeleteRule(ctx context.Context, id int64) error {
	res, err := s.exec(ctx, `DELETE FROM automation_rules WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete automation rule %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound(errNoRows, "automation rule")
	}
	return nil
}

// Rule returns the rule with id.
func (s *Store) Rule(ctx context.Context, id int64) (*Rule, error) {
	var r Rule
	if err := scanRule(s.queryRow(ctx, `SELECT `+ruleCols+` FROM automation_rules WHERE id = ?`, id), &r); err != nil {
		return nil, notFound(err, "automation rule")
	}
	return &r, nil
}

// Rules lists every rule in the order they run.
func (s *Store) Rules(ctx context.Context) ([]*Rule, error) {
	rows, err := s.query(ctx, `SELECT `+ruleCols+` FROM automation_rules ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("list automation rules: %w", err)
	}
	defer rows.Close()
	rs := []*Rule{}
	for rows.Next() {
		r := &Rule{}
		if err := scanRule(rows, r); err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	return rs, rows.Err()
}

// StaleTickets lists tickets in a status whose last change is at or before
// cutoff and on which the rule has not yet run for that change: the
// candidates of a time rule ("pending for 72 hours").
func (s *Store) StaleTickets(ctx context.Context, ruleID int64, status string, cutoff time.Time, limit int) ([]int64, []time.Time, error) {
	rows, err := s.query(ctx, `SELECT t.id, t.updated_at FROM tickets t WHERE t.status = ? AND t.updated_at <= ?
		AND NOT EXISTS (SELECT 1 FROM automation_runs r WHERE r.rule_id = ? AND r.ticket_id = t.id AND r.key = `+s.textOfTime("t.updated_at")+`)
		ORDER BY t.updated_at, t.id LIMIT ?`, status, cutoff, ruleID, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("list stale tickets: %w", err)
	}
	defer rows.Close()
	var ids []int64
	var ats []time.Time
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, timeCol{&at}); err != nil {
			return nil, nil, err
		}
		ids, ats = append(ids, id), append(ats, at)
	}
	return ids, ats, rows.Err()
}

// textOfTime is a time column as the text key automation_runs keeps:
// its unix microseconds.
func (s *Store) textOfTime(col string) string {
	if s.dialect == Postgres {
		return `((EXTRACT(EPOCH FROM ` + col + `) * 1000000)::bigint)::text`
	}
	return `CAST(` + col + ` AS TEXT)`
}

// RecordRuleRun notes that a time rule ran on a ticket for the stretch
// identified by key; false when it already had.
func (s *Store) RecordRuleRun(ctx context.Context, ruleID, ticketID int64, key string) (bool, error) {
	res, err := s.exec(ctx, `INSERT INTO automation_runs (rule_id, ticket_id, key, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, ruleID, ticketID, key, now())
	if err != nil {
		return false, fmt.Errorf("record run of rule %d: %w", ruleID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
