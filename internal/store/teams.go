package store

import (
	"context"
	"fmt"

	"github.com/kefu-dev/kefu/internal/kefu"
)

const teamCols = `id, name, kind, description, created_at`

func scanTeam(sc interface{ Scan(...any) error }, t *kefu.Team) error {
	return sc.Scan(&t.ID, &t.Name, &t.Kind, &t.Description, timeCol{&t.CreatedAt})
}

// CreateTeam inserts t and sets t.ID.
func (s *Store) CreateTeam(ctx context.Context, t *kefu.Team) error {
	t.CreatedAt = now()
	err := s.writeRow(ctx, `INSERT INTO teams (name, kind, description, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		t.Name, t.Kind, t.Description, t.CreatedAt).Scan(&t.ID)
	if isUniqueViolation(err) {
		return &kefu.ConflictError{Field: "name", Message: fmt.Sprintf("a team named %s already exists", t.Name)}
	}
	if err != nil {
		return fmt.Errorf("insert team: %w", err)
	}
	return nil
}

// UpdateTeam writes t's name, kind and description.
func (s *Store) UpdateTeam(ctx context.Context, t *kefu.Team) error {
	res, err := s.exec(ctx, `UPDATE teams SET name = ?, kind = ?, description = ? WHERE id = ?`, t.Name, t.Kind, t.Description, t.ID)
	if isUniqueViolation(err) {
		return &kefu.ConflictError{Field: "name", Message: fmt.Sprintf("a team named %s already exists", t.Name)}
	}
	if err != nil {
		return fmt.Errorf("update team %d: %w", t.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kefu.NotFound("team")
	}
	return nil
}

// Team returns the team with id.
func (s *Store) Team(ctx context.Context, id int64) (*kefu.Team, error) {
	var t kefu.Team
	if err := scanTeam(s.queryRow(ctx, `SELECT `+teamCols+` FROM teams WHERE id = ?`, id), &t); err != nil {
		return nil, notFound(err, "team")
	}
	return &t, nil
}

// TeamByName returns the team called name.
func (s *Store) TeamByName(ctx context.Context, name string) (*kefu.Team, error) {
	var t kefu.Team
	if err := scanTeam(s.queryRow(ctx, `SELECT `+teamCols+` FROM teams WHERE name = ?`, name), &t); err != nil {
		return nil, notFound(err, "team")
	}
	return &t, nil
}

// Teams lists every team, support teams first.
func (s *Store) Teams(ctx context.Context) ([]*kefu.Team, error) {
	rows, err := s.query(ctx, `SELECT `+teamCols+` FROM teams ORDER BY kind DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	defer rows.Close()
	var ts []*kefu.Team
	for rows.Next() {
		t := &kefu.Team{}
		if err := scanTeam(rows, t); err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, rows.Err()
}

// TeamMembers lists the ids of a team's members.
func (s *Store) TeamMembers(ctx context.Context, teamID int64) ([]int64, error) {
	rows, err := s.query(ctx, `SELECT user_id FROM team_members WHERE team_id = ? ORDER BY user_id`, teamID)
	if err != nil {
		return nil, fmt.Errorf("list members of team %d: %w", teamID, err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
