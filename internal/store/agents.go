package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// Agent presences.
const (
	PresenceOnline  = "online"
	PresenceAway    = "away"
	PresenceOffline = "offline"
)

// AgentState is what routing knows of an agent: presence, how many active
// tickets they take at most, their skills and languages.
type AgentState struct {
	UserID     int64     `json:"user_id"`
	Presence   string    `json:"presence"`
	Capacity   int       `json:"capacity"`
	Skills     []string  `json:"skills"`    // category keys or groups, e.g. "logistics"
	Languages  []string  `json:"languages"` // e.g. "zh-CN", "en"
	PresenceAt time.Time `json:"presence_at"`
}

// AgentStateOf returns an agent's state; an agent never seen is offline
// with capacity 10 and their own language.
func (s *Store) AgentStateOf(ctx context.Context, userID int64) (*AgentState, error) {
	a := &AgentState{UserID: userID}
	var skills, langs string
	err := s.queryRow(ctx, `SELECT presence, capacity, skills, languages, presence_at FROM agent_states WHERE user_id = ?`, userID).
		Scan(&a.Presence, &a.Capacity, textCol{&skills}, textCol{&langs}, timeCol{&a.PresenceAt})
	if errors.Is(err, sql.ErrNoRows) {
		u, err := s.User(ctx, userID)
		if err != nil {
			return nil, err
		}
		return &AgentState{UserID: userID, Presence: PresenceOffline, Capacity: 10, Skills: []string{}, Languages: []string{u.Language}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state of agent %d: %w", userID, err)
	}
	if err := json.Unmarshal([]byte(skills), &a.Skills); err != nil {
		return nil, fmt.Errorf("decode skills of agent %d: %w", userID, err)
	}
	if err := json.Unmarshal([]byte(langs), &a.Languages); err != nil {
		return nil, fmt.Errorf("decode languages of agent %d: %w", userID, err)
	}
	return a, nil
}

// SaveAgentState stores an agent's state.
func (s *Store) SaveAgentState(ctx context.Context, a *AgentState) error {
	if a.Skills == nil {
		a.Skills = []string{}
	}
	if a.Languages == nil {
		a.Languages = []string{}
	}
	skills, _ := json.Marshal(a.Skills)
	langs, _ := json.Marshal(a.Languages)
	_, err := s.exec(ctx, `INSERT INTO agent_states (user_id, presence, capacity, skills, languages, presence_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET presence = excluded.presence, capacity = excluded.capacity, skills = excluded.skills,
		languages = excluded.languages, presence_at = excluded.presence_at`, a.UserID, a.Presence, a.Capacity, string(skills), string(langs), a.PresenceAt)
	if isForeignKeyViolation(err) {
		return kefu.NotFound("user")
	}
	if err != nil {
		return fmt.Errorf("save state of agent %d: %w", a.UserID, err)
	}
	return nil
}

// TeamAgents lists the active agents and supervisors of a team, by id.
func (s *Store) TeamAgents(ctx context.Context, teamID int64) ([]int64, error) {
	rows, err := s.query(ctx, `SELECT u.id FROM users u JOIN team_members m ON m.user_id = u.id
		WHERE m.team_id = ? AND u.status = 'active' AND u.role IN ('agent', 'supervisor') ORDER BY u.id`, teamID)
	if err != nil {
		return nil, fmt.Errorf("list agents of team %d: %w", teamID, err)
	}
	return scanIDs(rows)
}

// AgentLoads counts each user's tickets that need them now (new or open).
func (s *Store) AgentLoads(ctx context.Context, userIDs []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(userIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(userIDs))
	for i, id := range userIDs {
		args[i] = id
	}
	rows, err := s.query(ctx, `SELECT assignee_id, COUNT(*) FROM tickets WHERE status IN ('new', 'open') AND assignee_id IN (`+placeholders(len(args))+`) GROUP BY assignee_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("count agent loads: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// QueuedTickets lists a team's unassigned tickets that need an agent, in
// the order routing hands them out: VIP customers first, then urgency, then
// the oldest.
func (s *Store) QueuedTickets(ctx context.Context, teamID int64, limit int) ([]int64, error) {
	rows, err := s.query(ctx, `SELECT t.id FROM tickets t JOIN customers c ON c.id = t.customer_id
		WHERE t.team_id = ? AND t.assignee_id IS NULL AND t.status IN ('new', 'open') AND t.merged_into IS NULL
		ORDER BY c.vip_tier DESC, t.priority DESC, t.created_at, t.id LIMIT ?`, teamID, limit)
	if err != nil {
		return nil, fmt.Errorf("list queue of team %d: %w", teamID, err)
	}
	return scanIDs(rows)
}

// WaitingTicketsOf lists an agent's tickets still waiting for them (new or
// open): the work to hand back when they go offline.
func (s *Store) WaitingTicketsOf(ctx context.Context, userID int64) ([]int64, error) {
	rows, err := s.query(ctx, `SELECT id FROM tickets WHERE assignee_id = ? AND status IN ('new', 'open') ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list waiting tickets of user %d: %w", userID, err)
	}
	return scanIDs(rows)
}

// LockTeamSettings reads a team's settings for update, so two nodes never
// hand out its round-robin turn twice.
func (s *Store) LockTeamSettings(ctx context.Context, teamID int64) (*TeamSettings, error) {
	if _, err := s.exec(ctx, `INSERT INTO team_settings (team_id, updated_at) VALUES (?, ?) ON CONFLICT (team_id) DO NOTHING`, teamID, now()); err != nil {
		return nil, fmt.Errorf("lock settings of team %d: %w", teamID, err)
	}
	q := `SELECT calendar_id, strategy, by_skill, by_language, grace_minutes, last_user_id FROM team_settings WHERE team_id = ?`
	if s.dialect == Postgres {
		q += ` FOR UPDATE`
	}
	ts := &TeamSettings{TeamID: teamID}
	query, args := s.q(q, []any{teamID})
	err := s.conn(ctx, true).QueryRowContext(ctx, query, args...).Scan(nullInt{&ts.CalendarID}, &ts.Strategy, &ts.BySkill, &ts.ByLanguage, &ts.GraceMinutes, nullInt{&ts.LastUserID})
	if err != nil {
		return nil, fmt.Errorf("lock settings of team %d: %w", teamID, err)
	}
	return ts, nil
}
