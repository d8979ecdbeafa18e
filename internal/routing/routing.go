// Package routing puts each new ticket in front of the right agent: per
// team, manual, round robin or least loaded, optionally by skill and by the
// customer's language, within each agent's capacity, to agents who are
// online, VIP customers first. An agent who goes offline or away keeps
// their waiting work for the team's grace period; after it the work goes
// back to the queue and to someone else.
//
// Routing reacts to ticket events through the outbox, so it runs on one
// node at a time and in event order; the team's round-robin turn is also
// locked in the database, so a second writer could not hand it out twice.
package routing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/jobs"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// Names of routing's event, timer and outbox consumer.
const (
	EventPresence = "agent.presence_changed"
	TimerGrace    = "routing.grace" // ref: user id
	Consumer      = "routing"
)

// Strategies.
const (
	Manual       = "manual"
	RoundRobin   = "round_robin"
	LeastLoaded  = "least_loaded"
	queueBatch   = 200
	defaultGrace = 10
)

// Service routes tickets.
type Service struct {
	st  *store.Store
	now func() time.Time
}

// New returns the routing service on st.
func New(st *store.Store) *Service {
	return &Service{st: st, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// SetClock replaces the service's clock, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Register makes routing an outbox consumer and handles its grace timers.
func (s *Service) Register(outbox *jobs.Outbox, timers *jobs.Timers) {
	outbox.Register(Consumer, s.Handle)
	timers.Register(TimerGrace, s.fireGrace)
}

// AgentInput changes what routing knows of an agent; nil fields stay.
type AgentInput struct {
	Presence  *string   `json:"presence"`
	Capacity  *int      `json:"capacity"`
	Skills    *[]string `json:"skills"`
	Languages *[]string `json:"languages"`
}

// Agent returns an agent's routing state.
func (s *Service) Agent(ctx context.Context, actor *kefu.User, userID int64) (*store.AgentState, error) {
	if err := auth.Can(actor, auth.AddNotes); err != nil {
		return nil, err
	}
	return s.st.AgentStateOf(ctx, userID)
}

// UpdateAgent changes an agent's presence (the agent or a supervisor),
// capacity, skills or languages (supervisors and admins).
func (s *Service) UpdateAgent(ctx context.Context, actor *kefu.User, userID int64, in AgentInput) (*store.AgentState, error) {
	self := actor != nil && actor.ID == userID
	lead := actor != nil && (actor.Role == kefu.RoleAdmin || actor.Role == kefu.RoleSupervisor) && actor.Status == kefu.UserActive
	if err := auth.Can(actor, auth.AddNotes); err != nil {
		return nil, err
	}
	if !lead && (!self || in.Capacity != nil || in.Skills != nil || in.Languages != nil) {
		return nil, fmt.Errorf("only supervisors change other agents or capacity and skills: %w", kefu.ErrForbidden)
	}
	var a *store.AgentState
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if a, err = s.st.AgentStateOf(ctx, userID); err != nil {
			return err
		}
		old := a.Presence
		if in.Capacity != nil {
			if *in.Capacity < 0 || *in.Capacity > 1000 {
				return kefu.Invalid("capacity", "must be between 0 and 1000")
			}
			a.Capacity = *in.Capacity
		}
		if in.Skills != nil {
			a.Skills = cleanList(*in.Skills)
		}
		if in.Languages != nil {
			a.Languages = cleanList(*in.Languages)
		}
		if in.Presence != nil {
			switch *in.Presence {
			case store.PresenceOnline, store.PresenceAway, store.PresenceOffline:
			default:
				return kefu.Invalid("presence", "must be online, away or offline; got %q", *in.Presence)
			}
			if *in.Presence != old {
				a.Presence, a.PresenceAt = *in.Presence, s.now()
			}
		}
		if a.PresenceAt.IsZero() {
			a.PresenceAt = s.now()
		}
		if err := s.st.SaveAgentState(ctx, a); err != nil {
			return err
		}
		if a.Presence == store.PresenceOnline {
			if err := s.st.CancelTimer(ctx, TimerGrace, userID); err != nil {
				return err
			}
		} else if old == store.PresenceOnline {
			grace, err := s.graceOf(ctx, userID)
			if err != nil {
				return err
			}
			if err := s.st.SetTimer(ctx, TimerGrace, userID, a.PresenceAt.Add(grace)); err != nil {
				return err
			}
		}
		return s.st.AddEvent(ctx, &kefu.Event{Type: EventPresence, ActorUserID: &actor.ID},
			map[string]any{"user_id": userID, "presence": a.Presence, "was": old, "capacity": a.Capacity})
	})
	return a, err
}

func cleanList(in []string) []string {
	out := []string{}
	for _, v := range in {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// graceOf is the shortest grace period of the agent's teams.
func (s *Service) graceOf(ctx context.Context, userID int64) (time.Duration, error) {
	u, err := s.st.User(ctx, userID)
	if err != nil {
		return 0, err
	}
	g := -1
	for _, t := range u.TeamIDs {
		ts, err := s.st.TeamSettings(ctx, t)
		if err != nil {
			return 0, err
		}
		if g < 0 || ts.GraceMinutes < g {
			g = ts.GraceMinutes
		}
	}
	if g < 0 {
		g = defaultGrace
	}
	return time.Duration(g) * time.Minute, nil
}

// Handle is the outbox consumer: it routes the queues of the teams that
// events touched.
func (s *Service) Handle(ctx context.Context, events []*kefu.Event) error {
	teams := map[int64]bool{}
	for _, e := range events {
		switch e.Type {
		case kefu.EventTicketCreated, kefu.EventTicketUpdated, kefu.EventTicketHandedOff:
			if e.TicketID == nil {
				continue
			}
			t, err := s.st.Ticket(ctx, *e.TicketID)
			if errors.Is(err, kefu.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if t.TeamID != nil {
				teams[*t.TeamID] = true
			}
			// A change of team frees a place in the old team too.
			var d struct {
				Changes map[string][2]*int64 `json:"changes"`
			}
			if json.Unmarshal(e.Data, &d) == nil {
				if c, ok := d.Changes["team_id"]; ok && c[0] != nil {
					teams[*c[0]] = true
				}
			}
		case EventPresence:
			var d struct {
				UserID int64 `json:"user_id"`
			}
			if err := json.Unmarshal(e.Data, &d); err != nil {
				continue
			}
			u, err := s.st.User(ctx, d.UserID)
			if err != nil {
				continue
			}
			for _, t := range u.TeamIDs {
				teams[t] = true
			}
		}
	}
	ids := make([]int64, 0, len(teams))
	for id := range teams {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if _, err := s.Drain(ctx, id); err != nil {
			return fmt.Errorf("route team %d: %w", id, err)
		}
	}
	return nil
}

// candidate is an agent who may take work now.
type candidate struct {
	id    int64
	state *store.AgentState
	lang  string
	load  int
}

// Drain hands a team's queued tickets, VIP customers first, to its online
// agents with room, by the team's strategy, and reports how many it
// assigned. A manual team is left alone.
func (s *Service) Drain(ctx context.Context, teamID int64) (int, error) {
	assigned := 0
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		ts, err := s.st.LockTeamSettings(ctx, teamID)
		if err != nil {
			return err
		}
		if ts.Strategy == Manual || ts.Strategy == "" {
			return nil
		}
		cands, err := s.candidates(ctx, teamID)
		if err != nil || len(cands) == 0 {
			return err
		}
		queue, err := s.st.QueuedTickets(ctx, teamID, queueBatch)
		if err != nil {
			return err
		}
		for _, id := range queue {
			t, err := s.st.LockTicket(ctx, id)
			if err != nil {
				return err
			}
			if t.AssigneeID != nil || t.TeamID == nil || *t.TeamID != teamID {
				continue
			}
			c, err := s.choose(ctx, ts, t, cands)
			if err != nil {
				return err
			}
			if c == nil {
				if !anyRoom(cands) {
					return s.st.SaveTeamSettings(ctx, ts)
				}
				continue // nobody fits this one (skill, language); try the next
			}
			t.AssigneeID = &c.id
			t.UpdatedAt = s.now()
			if err := s.st.UpdateTicket(ctx, t); err != nil {
				return err
			}
			err = s.st.AddEvent(ctx, &kefu.Event{Type: kefu.EventTicketUpdated, TicketID: &t.ID},
				map[string]any{"changes": map[string][2]any{"assignee_id": {nil, c.id}}, "by": "routing", "strategy": ts.Strategy})
			if err != nil {
				return err
			}
			c.load++
			ts.LastUserID = &c.id
			assigned++
		}
		return s.st.SaveTeamSettings(ctx, ts)
	})
	return assigned, err
}

func anyRoom(cs []*candidate) bool {
	for _, c := range cs {
		if c.load < c.state.Capacity {
			return true
		}
	}
	return false
}

func (s *Service) candidates(ctx context.Context, teamID int64) ([]*candidate, error) {
	ids, err := s.st.TeamAgents(ctx, teamID)
	if err != nil {
		return nil, err
	}
	loads, err := s.st.AgentLoads(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []*candidate
	for _, id := range ids {
		a, err := s.st.AgentStateOf(ctx, id)
		if err != nil {
			return nil, err
		}
		if a.Presence != store.PresenceOnline || a.Capacity <= 0 {
			continue
		}
		u, err := s.st.User(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, &candidate{id: id, state: a, lang: u.Language, load: loads[id]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out, nil
}

// choose picks the agent for a ticket among those with room, or nil.
func (s *Service) choose(ctx context.Context, ts *store.TeamSettings, t *kefu.Ticket, cands []*candidate) (*candidate, error) {
	fit := make([]*candidate, 0, len(cands))
	for _, c := range cands {
		if c.load < c.state.Capacity {
			fit = append(fit, c)
		}
	}
	if ts.ByLanguage {
		c, err := s.st.Customer(ctx, t.CustomerID)
		if err != nil {
			return nil, err
		}
		fit = filter(fit, func(a *candidate) bool {
			langs := a.state.Languages
			if len(langs) == 0 {
				langs = []string{a.lang}
			}
			return slices.ContainsFunc(langs, func(l string) bool { return sameLanguage(l, c.Language) })
		})
	}
	if ts.BySkill && t.CategoryID != nil {
		need, err := s.skillsFor(ctx, *t.CategoryID)
		if err != nil {
			return nil, err
		}
		skilled := filter(fit, func(a *candidate) bool {
			return slices.ContainsFunc(a.state.Skills, func(sk string) bool { return slices.Contains(need, sk) })
		})
		if len(skilled) == 0 { // nobody has the skill: generalists (no skills listed) may take it
			skilled = filter(fit, func(a *candidate) bool { return len(a.state.Skills) == 0 })
		}
		fit = skilled
	}
	if len(fit) == 0 {
		return nil, nil
	}
	// Round robin: the first agent after the last one served. Least loaded:
	// the fewest active tickets, ties broken in round-robin order.
	last := int64(0)
	if ts.LastUserID != nil {
		last = *ts.LastUserID
	}
	order := make([]*candidate, 0, len(fit))
	for _, c := range fit {
		if c.id > last {
			order = append(order, c)
		}
	}
	for _, c := range fit {
		if c.id <= last {
			order = append(order, c)
		}
	}
	if ts.Strategy == LeastLoaded {
		best := order[0]
		for _, c := range order[1:] {
			if c.load < best.load {
				best = c
			}
		}
		return best, nil
	}
	return order[0], nil
}

func filter(cs []*candidate, keep func(*candidate) bool) []*candidate {
	var out []*candidate
	for _, c := range cs {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// sameLanguage compares languages by their primary tag: "zh-CN" serves "zh".
func sameLanguage(a, b string) bool {
	pa, _, _ := strings.Cut(strings.ToLower(a), "-")
	pb, _, _ := strings.Cut(strings.ToLower(b), "-")
	return pa == pb
}

// skillsFor is what a category asks of an agent: its own key or its group's.
func (s *Service) skillsFor(ctx context.Context, categoryID int64) ([]string, error) {
	c, err := s.st.Category(ctx, categoryID)
	if errors.Is(err, kefu.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	need := []string{c.Key}
	if c.ParentID != nil {
		if p, err := s.st.Category(ctx, *c.ParentID); err == nil {
			need = append(need, p.Key)
		}
	}
	return need, nil
}

// fireGrace hands an agent's waiting work back to the queue when they are
// still not online after the grace period.
func (s *Service) fireGrace(ctx context.Context, tm *store.Timer) error {
	a, err := s.st.AgentStateOf(ctx, tm.RefID)
	if errors.Is(err, kefu.ErrNotFound) {
		return nil
	}
	if err != nil || a.Presence == store.PresenceOnline {
		return err
	}
	ids, err := s.st.WaitingTicketsOf(ctx, tm.RefID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		t, busy, err := s.st.TryLockTicket(ctx, id)
		if err != nil {
			return err
		}
		if busy {
			return jobs.ErrTimerBusy
		}
		if t.AssigneeID == nil || *t.AssigneeID != tm.RefID {
			continue
		}
		t.AssigneeID, t.UpdatedAt = nil, s.now()
		if err := s.st.UpdateTicket(ctx, t); err != nil {
			return err
		}
		err = s.st.AddEvent(ctx, &kefu.Event{Type: kefu.EventTicketUpdated, TicketID: &t.ID},
			map[string]any{"changes": map[string][2]any{"assignee_id": {tm.RefID, nil}}, "by": "routing", "reason": "agent_" + a.Presence})
		if err != nil {
			return err
		}
	}
	return nil
}
