package sla

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/kefu-dev/kefu/internal/jobs"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// Timer kinds this package handles.
const (
	TimerSLA     = "sla"     // ref: ticket id; the next warning or breach of its clocks
	TimerPromise = "promise" // ref: promise id; its reminder, then its due time
	TimerSnooze  = "snooze"  // ref: ticket id; the end of a snooze
)

// cacheTTL bounds how long a node trusts its cached policies and calendars
// before asking whether another node changed them.
const cacheTTL = 2 * time.Second

// Service keeps tickets' SLA clocks, promises and snoozes in step with what
// happens to them, and fires their timers.
//
// Clocks are updated inside the transaction of each ticket change (through
// the store's event hook), not by an outbox consumer: the ticket an API call
// returns already carries its due times, and a breach is never judged on a
// state older than the ticket's. What can wait (notifying browsers,
// webhooks, automations) reads the sla.* events from the outbox.
type Service struct {
	st  *store.Store
	now func() time.Time
	log *slog.Logger // nil: slog's default

	// BatchSize is how many clocks one step of a background recompute
	// takes (0: recomputeBatch), and how many tickets one step of a
	// re-application of the policies takes (0: reapplyBatch); tests make it
	// small to stop mid-way.
	BatchSize int
	// ReapplyInline is how long a policy change steps through the
	// re-application itself before it answers (0: reapplyInline; negative:
	// not at all, all of it in the background).
	ReapplyInline time.Duration

	mu        sync.Mutex
	version   string
	checked   time.Time
	policies  []*kefu.SLAPolicy
	calendars map[int64]*Calendar
	defaultID *int64
	leads     map[int64]cachedLeads // team id (0: none) → its supervisors
}

type cachedLeads struct {
	ids []int64
	at  time.Time
}

// supervisors returns whom a team's alarms reach, cached for cacheTTL: a
// burst of breaches should not ask for the same people each time.
func (s *Service) supervisors(ctx context.Context, teamID *int64) ([]int64, error) {
	key := int64(0)
	if teamID != nil {
		key = *teamID
	}
	s.mu.Lock()
	c, ok := s.leads[key]
	s.mu.Unlock()
	if ok && time.Since(c.at) < cacheTTL {
		return c.ids, nil
	}
	ids, err := s.st.TeamSupervisors(ctx, teamID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.leads == nil {
		s.leads = map[int64]cachedLeads{}
	}
	s.leads[key] = cachedLeads{ids: ids, at: time.Now()}
	s.mu.Unlock()
	return ids, nil
}

// New returns the service on st.
func New(st *store.Store) *Service {
	return &Service{st: st, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// SetClock replaces the service's clock, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Register hooks the service into ticket changes and the timer runner.
func (s *Service) Register(timers *jobs.Timers) {
	s.st.OnEvent(s.onEvent)
	timers.Register(TimerSLA, s.fireSLA)
	timers.Register(TimerPromise, s.firePromise)
	timers.Register(TimerSnooze, s.fireSnooze)
	timers.Register(TimerRecompute, s.fireRecompute)
	timers.Register(TimerReapply, s.fireReapply)
}

// Invalidate drops the cached policies and calendars (after a local edit).
func (s *Service) Invalidate() {
	s.mu.Lock()
	s.version, s.checked, s.leads = "", time.Time{}, nil
	s.mu.Unlock()
}

// config returns the policies in order and the compiled calendars,
// reloading them when another node or an edit changed them.
//
// The mutex guards only the cached values, never a query: a request holding
// a database connection must not wait on another request that waits for a
// connection (with a full pool, that deadlocked under load in bench/load).
func (s *Service) config(ctx context.Context) ([]*kefu.SLAPolicy, map[int64]*Calendar, *int64, error) {
	s.mu.Lock()
	if s.version != "" && time.Since(s.checked) < cacheTTL {
		defer s.mu.Unlock()
		return s.policies, s.calendars, s.defaultID, nil
	}
	cached := s.version
	s.mu.Unlock()
	v, err := s.st.SLAPolicyVersion(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	if v == cached {
		s.mu.Lock()
		if s.version == v {
			s.checked = time.Now()
			ps, cals, def := s.policies, s.calendars, s.defaultID
			s.mu.Unlock()
			return ps, cals, def, nil
		}
		s.mu.Unlock()
	}
	ps, err := s.st.SLAPolicies(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	cs, err := s.st.Calendars(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	cals := map[int64]*Calendar{}
	var def *int64
	for _, c := range cs {
		cc, err := Compile(c)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("calendar %s: %w", c.Name, err)
		}
		cals[c.ID] = cc
		if c.IsDefault {
			id := c.ID
			def = &id
		}
	}
	s.mu.Lock()
	s.policies, s.calendars, s.defaultID, s.version, s.checked = ps, cals, def, v, time.Now()
	s.mu.Unlock()
	return ps, cals, def, nil
}

// calendarFunc resolves calendar ids against a compiled set; an id whose
// calendar was deleted counts on the default one.
func calendarFunc(cals map[int64]*Calendar, def *int64) func(id *int64) (*Calendar, error) {
	return func(id *int64) (*Calendar, error) {
		if id == nil {
			return nil, nil
		}
		if c, ok := cals[*id]; ok {
			return c, nil
		}
		if def != nil {
			if c, ok := cals[*def]; ok {
				return c, nil
			}
		}
		return nil, nil
	}
}

// onEvent is the store's in-transaction event hook.
func (s *Service) onEvent(ctx context.Context, e *kefu.Event) error {
	if e.Type == kefu.EventCustomerUpdated {
		return s.customerChanged(ctx, e)
	}
	if e.TicketID == nil || strings.HasPrefix(e.Type, "sla.") || strings.HasPrefix(e.Type, "promise.") {
		return nil
	}
	switch e.Type {
	case kefu.EventTicketCreated, kefu.EventTicketUpdated, kefu.EventTicketMerged, kefu.EventMessageAdded:
	default:
		// A hand-off always comes with its ticket.updated.
		return nil
	}
	var kind kefu.MessageKind
	if e.Type == kefu.EventMessageAdded {
		var d struct {
			Kind kefu.MessageKind `json:"kind"`
		}
		_ = json.Unmarshal(e.Data, &d)
		kind = d.Kind
	}
	// An internal note moves no clock (it may keep a hand-off promise).
	if kind != kefu.MessageNote {
		if err := s.evaluate(ctx, *e.TicketID, e.Type, kind, e.CreatedAt); err != nil {
			return fmt.Errorf("SLA of ticket %d: %w", *e.TicketID, err)
		}
	}
	return s.promisesOnEvent(ctx, e, kind)
}

// evaluate brings one ticket's clocks up to date and sets its SLA timer.
func (s *Service) evaluate(ctx context.Context, ticketID int64, event string, kind kefu.MessageKind, at time.Time) error {
	policies, cals, def, err := s.config(ctx)
	if err != nil {
		return err
	}
	if len(policies) == 0 && event != "" {
		// A shop without SLA policies pays nothing per change; a
		// re-evaluation (event "") still cancels clocks of deleted ones.
		return nil
	}
	t, err := s.st.Ticket(ctx, ticketID)
	if err != nil {
		return err
	}
	policy, calID, err := s.policyFor(ctx, t, policies, def)
	if err != nil {
		return err
	}
	list, err := s.st.SLAClocks(ctx, t.ID)
	if err != nil {
		return err
	}
	clocks := map[string]*kefu.SLAClock{}
	for _, c := range list {
		clocks[c.Metric] = c
	}
	if at.IsZero() {
		at = s.now()
	}
	out, err := Reconcile(clocks, Situation{Ticket: t, Event: event, MessageKind: kind, At: at, Policy: policy, CalendarID: calID,
		Calendar: calendarFunc(cals, def)})
	if err != nil {
		return err
	}
	for _, c := range out.Changed {
		if err := s.st.SaveSLAClock(ctx, c); err != nil {
			return err
		}
	}
	for i := range out.Finished {
		if err := s.st.AddSLAResult(ctx, &out.Finished[i]); err != nil {
			return err
		}
	}
	if len(out.Changed) == 0 {
		return nil
	}
	all := make([]*kefu.SLAClock, 0, len(clocks))
	for _, c := range clocks {
		all = append(all, c)
	}
	return s.setTimer(ctx, t.ID, all)
}

func (s *Service) setTimer(ctx context.Context, ticketID int64, clocks []*kefu.SLAClock) error {
	if next := NextAlarm(clocks); !next.IsZero() {
		return s.st.SetTimer(ctx, TimerSLA, ticketID, next)
	}
	return s.st.CancelTimer(ctx, TimerSLA, ticketID)
}

// policyFor picks the ticket's policy and the calendar its clocks count on:
// the policy's, else the ticket team's, else the default calendar, else
// round the clock.
func (s *Service) policyFor(ctx context.Context, t *kefu.Ticket, policies []*kefu.SLAPolicy, def *int64) (*kefu.SLAPolicy, *int64, error) {
	if len(policies) == 0 {
		return nil, nil, nil
	}
	f := Facts{}
	var err error
	if f.VIPTier, err = s.st.CustomerVIPTier(ctx, t.CustomerID); err != nil {
		return nil, nil, err
	}
	if t.CategoryID != nil {
		c, err := s.st.Category(ctx, *t.CategoryID)
		if err != nil && !errors.Is(err, kefu.ErrNotFound) {
			return nil, nil, err
		}
		if c != nil {
			f.CategoryParent = c.ParentID
		}
	}
	p := Match(policies, t, f)
	if p == nil {
		return nil, nil, nil
	}
	if p.CalendarID != nil {
		return p, p.CalendarID, nil
	}
	if t.TeamID != nil {
		ts, err := s.st.TeamSettings(ctx, *t.TeamID)
		if err != nil {
			return nil, nil, err
		}
		if ts.CalendarID != nil {
			return p, ts.CalendarID, nil
		}
	}
	return p, def, nil
}

// fireSLA is the SLA timer: it raises the warnings and breaches now due on
// a ticket, escalates breaches, and sets the timer for the next one.
func (s *Service) fireSLA(ctx context.Context, tm *store.Timer) error {
	t, busy, err := s.st.TryLockTicket(ctx, tm.RefID)
	if errors.Is(err, kefu.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if busy {
		return jobs.ErrTimerBusy
	}
	clocks, err := s.st.SLAClocks(ctx, t.ID)
	if err != nil {
		return err
	}
	now := s.now()
	alarms, _ := Alarms(clocks, now)
	var breached []*kefu.SLAClock
	for _, a := range alarms {
		c := a.Clock
		c.UpdatedAt = now
		if err := s.st.SaveSLAClock(ctx, c); err != nil {
			return err
		}
		typ := kefu.EventSLAWarning
		if a.Breach {
			typ = kefu.EventSLABreached
			breached = append(breached, c)
		}
		data := map[string]any{"metric": c.Metric, "due_at": c.DueAt, "policy_id": c.PolicyID, "target_minutes": c.TargetMinutes}
		if err := s.st.AddEvent(ctx, &kefu.Event{Type: typ, TicketID: &t.ID, CreatedAt: now}, data); err != nil {
			return err
		}
		if err := s.notifyAlarm(ctx, t, c, a.Breach); err != nil {
			return err
		}
	}
	if err := s.setTimer(ctx, t.ID, clocks); err != nil {
		return err
	}
	if len(breached) > 0 {
		return s.escalate(ctx, t, breached, now)
	}
	return nil
}

var metricNames = map[string][2]string{
	kefu.MetricFirstResponse: {"首次响应", "first response"},
	kefu.MetricNextResponse:  {"下次响应", "next response"},
	kefu.MetricResolution:    {"解决", "resolution"},
}

// notifyAlarm tells the assignee (or, unassigned, the team's supervisors)
// about a warning or breach.
func (s *Service) notifyAlarm(ctx context.Context, t *kefu.Ticket, c *kefu.SLAClock, breach bool) error {
	var to []int64
	if t.AssigneeID != nil {
		to = []int64{*t.AssigneeID}
	} else {
		ids, err := s.supervisors(ctx, t.TeamID)
		if err != nil {
			return err
		}
		to = ids
	}
	name := metricNames[c.Metric]
	due := ""
	if c.DueAt != nil {
		due = c.DueAt.In(shanghaiOr(time.UTC)).Format("2006-01-02 15:04")
	}
	n := kefu.Notification{TicketID: &t.ID, Kind: kefu.EventSLAWarning,
		TextZH: fmt.Sprintf("工单 #%d 的%s时限即将到期（%s）", t.Number, name[0], due),
		TextEN: fmt.Sprintf("Ticket #%d: %s is due soon (%s)", t.Number, name[1], due)}
	if breach {
		n.Kind = kefu.EventSLABreached
		n.TextZH = fmt.Sprintf("工单 #%d 的%s已超时（应于 %s 前完成）", t.Number, name[0], due)
		n.TextEN = fmt.Sprintf("Ticket #%d: %s is overdue (was due %s)", t.Number, name[1], due)
	}
	return s.notify(ctx, to, n)
}

func (s *Service) notify(ctx context.Context, to []int64, n kefu.Notification) error {
	seen := map[int64]bool{}
	for _, id := range to {
		if seen[id] {
			continue
		}
		seen[id] = true
		m := n
		m.UserID = id
		if err := s.st.AddNotification(ctx, &m); err != nil {
			return err
		}
	}
	return nil
}

var cst = mustLoadLocation(DefaultTimeZone)

func mustLoadLocation(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	return l
}

// shanghaiOr is the zone texts show times in: the shop's default zone.
func shanghaiOr(fallback *time.Location) *time.Location {
	if cst != nil {
		return cst
	}
	return fallback
}

// escalate applies the policy's escalation to a breached ticket: notify the
// team's supervisors, raise the priority one step, reassign. Changes are
// written as a ticket.updated event with "by": "sla", so the activity trail
// says who did it.
func (s *Service) escalate(ctx context.Context, t *kefu.Ticket, breached []*kefu.SLAClock, now time.Time) error {
	if breached[0].PolicyID == nil {
		return nil
	}
	policies, _, _, err := s.config(ctx)
	if err != nil {
		return err
	}
	var p *kefu.SLAPolicy
	for _, x := range policies {
		if x.ID == *breached[0].PolicyID {
			p = x
		}
	}
	if p == nil {
		return nil // the policy was deleted since
	}
	e := p.Escalation
	var metrics []string
	for _, c := range breached {
		metrics = append(metrics, c.Metric)
	}
	changes := map[string][2]any{}
	if e.RaisePriority {
		for i, pr := range kefu.Priorities {
			if pr == t.Priority && i+1 < len(kefu.Priorities) {
				changes["priority"] = [2]any{t.Priority, kefu.Priorities[i+1]}
				t.Priority = kefu.Priorities[i+1]
				break
			}
		}
	}
	if e.ReassignUserID != nil && !sameID(t.AssigneeID, e.ReassignUserID) {
		u, err := s.st.User(ctx, *e.ReassignUserID)
		if err == nil && u.Status == kefu.UserActive {
			changes["assignee_id"] = [2]any{t.AssigneeID, u.ID}
			t.AssigneeID = &u.ID
		}
	}
	if e.ReassignTeamID != nil && !sameID(t.TeamID, e.ReassignTeamID) {
		if _, err := s.st.Team(ctx, *e.ReassignTeamID); err == nil {
			changes["team_id"] = [2]any{t.TeamID, *e.ReassignTeamID}
			changes["assignee_id"] = [2]any{t.AssigneeID, nil}
			t.TeamID, t.AssigneeID = copyID(e.ReassignTeamID), nil
		}
	}
	if e.NotifyLead {
		ids, err := s.supervisors(ctx, t.TeamID)
		if err != nil {
			return err
		}
		if t.AssigneeID != nil {
			ids = append(ids, *t.AssigneeID)
		}
		var zh, en []string
		for _, m := range metrics {
			zh, en = append(zh, metricNames[m][0]), append(en, metricNames[m][1])
		}
		err = s.notify(ctx, ids, kefu.Notification{TicketID: &t.ID, Kind: kefu.EventSLAEscalated,
			TextZH: fmt.Sprintf("升级：工单 #%d 的%s已超时，请跟进", t.Number, strings.Join(zh, "、")),
			TextEN: fmt.Sprintf("Escalated: ticket #%d breached %s; please follow up", t.Number, strings.Join(en, ", "))})
		if err != nil {
			return err
		}
	}
	if !e.NotifyLead && len(changes) == 0 {
		return nil
	}
	data := map[string]any{"policy_id": p.ID, "policy_name": p.Name, "metrics": metrics, "notify_lead": e.NotifyLead, "changes": changes}
	if err := s.st.AddEvent(ctx, &kefu.Event{Type: kefu.EventSLAEscalated, TicketID: &t.ID, CreatedAt: now}, data); err != nil {
		return err
	}
	if len(changes) == 0 {
		return nil
	}
	t.UpdatedAt = now
	if err := s.st.UpdateTicket(ctx, t); err != nil {
		return err
	}
	return s.st.AddEvent(ctx, &kefu.Event{Type: kefu.EventTicketUpdated, TicketID: &t.ID, CreatedAt: now},
		map[string]any{"changes": changes, "by": "sla", "policy_name": p.Name})
}

// Attach fills the SLA view of tickets for showing them.
func (s *Service) Attach(ctx context.Context, ts ...*kefu.Ticket) error {
	if len(ts) == 0 {
		return nil
	}
	policies, cals, def, err := s.config(ctx)
	if err != nil {
		return err
	}
	byID := map[int64]*kefu.SLAPolicy{}
	for _, p := range policies {
		byID[p.ID] = p
	}
	ids := make([]int64, 0, len(ts))
	for _, t := range ts {
		if t != nil {
			ids = append(ids, t.ID)
		}
	}
	clocks, err := s.st.SLAClocksOf(ctx, ids)
	if err != nil {
		return err
	}
	now := s.now()
	for _, t := range ts {
		if t == nil {
			continue
		}
		cs := clocks[t.ID]
		var p *kefu.SLAPolicy
		for _, c := range cs {
			if c.PolicyID != nil && c.Active() {
				p = byID[*c.PolicyID]
			}
		}
		t.SLA = View(cs, p, now, calendarFunc(cals, def))
	}
	return nil
}

// Recompute recomputes the due and warning times of every running clock on
// a calendar (0: on every calendar) after the calendar or policies changed,
// in batches, and moves the tickets' timers. It returns how many clocks it
// recomputed. The admin use cases do not call it: they queue the same work
// as a background job (QueueRecompute); tests and bench/sla call it to
// measure or to wait for the result.
func (s *Service) Recompute(ctx context.Context, calendarID int64) (int, error) {
	s.Invalidate()
	var afterTicket int64
	afterMetric := ""
	total := 0
	for {
		var n int
		var done bool
		err := s.st.WithTx(ctx, func(ctx context.Context) error {
			var err error
			n, done, err = s.recomputeBatch(ctx, calendarID, &afterTicket, &afterMetric, recomputeBatch)
			return err
		})
		total += n
		if err != nil || done {
			return total, err
		}
	}
}

// recomputeBatch is how many clocks one step of a recompute reads: large
// enough that the round trips do not dominate, small enough that a step's
// transaction holds SQLite's one writer for a fraction of a second.
const recomputeBatch = 2000

// recomputeBatch recomputes up to limit running clocks after the key
// (*afterTicket, *afterMetric) in the current transaction, moves their
// tickets' timers, and advances the key. done reports that no clock is left.
func (s *Service) recomputeBatch(ctx context.Context, calendarID int64, afterTicket *int64, afterMetric *string, limit int) (n int, done bool, err error) {
	_, cals, def, err := s.config(ctx)
	if err != nil {
		return 0, false, err
	}
	calendar := calendarFunc(cals, def)
	cs, err := s.st.RunningSLAClocks(ctx, calendarID, *afterTicket, *afterMetric, limit)
	if err != nil {
		return 0, false, err
	}
	if len(cs) == 0 {
		return 0, true, nil
	}
	// Finish the last ticket of the page on the next page, so every
	// ticket's timer sees all of its clocks.
	full := len(cs) == limit
	if full {
		last := cs[len(cs)-1].TicketID
		cut := len(cs)
		for cut > 0 && cs[cut-1].TicketID == last {
			cut--
		}
		if cut > 0 {
			cs = cs[:cut]
		}
	}
	next := map[int64]time.Time{}
	var order []int64
	for _, c := range cs {
		if err := Schedule(c, calendar); err != nil {
			return 0, false, err
		}
		n := NextAlarm([]*kefu.SLAClock{c})
		if prev, ok := next[c.TicketID]; !ok {
			order = append(order, c.TicketID)
			next[c.TicketID] = n
		} else if !n.IsZero() && (prev.IsZero() || n.Before(prev)) {
			next[c.TicketID] = n
		}
	}
	if err := s.st.SetSLAClockTimes(ctx, cs); err != nil {
		return 0, false, err
	}
	refs := make([]int64, 0, len(order))
	dues := make([]time.Time, 0, len(order))
	for _, id := range order {
		if n := next[id]; !n.IsZero() {
			refs, dues = append(refs, id), append(dues, n)
		}
	}
	if err := s.st.SetTimers(ctx, TimerSLA, refs, dues); err != nil {
		return 0, false, err
	}
	last := cs[len(cs)-1]
	*afterTicket, *afterMetric = last.TicketID, last.Metric
	return len(cs), !full, nil
}

// ReevaluateAll re-runs policy selection on every active ticket after the
// policies changed: new targets, business time already used kept.
func (s *Service) ReevaluateAll(ctx context.Context) (int, error) {
	s.Invalidate()
	var after int64
	n := 0
	for {
		ids, err := s.st.ActiveTicketIDs(ctx, after, 500)
		if err != nil || len(ids) == 0 {
			return n, err
		}
		for _, id := range ids {
			err := s.st.WithTx(ctx, func(ctx context.Context) error {
				if _, err := s.st.LockTicket(ctx, id); err != nil {
					return err
				}
				return s.evaluate(ctx, id, "", "", s.now())
			})
			if err != nil && !errors.Is(err, kefu.ErrNotFound) {
				return n, err
			}
			n++
		}
		after = ids[len(ids)-1]
	}
}

// defaultAtRiskWindow is how far ahead the at-risk view looks by default.
const defaultAtRiskWindow = 4 * time.Hour

// customerChanged re-applies the policies to a customer's open tickets: a
// customer who became VIP gets the VIP targets at once.
func (s *Service) customerChanged(ctx context.Context, e *kefu.Event) error {
	var d struct {
		CustomerID int64 `json:"customer_id"`
	}
	if err := json.Unmarshal(e.Data, &d); err != nil || d.CustomerID == 0 {
		return nil
	}
	ids, err := s.st.ActiveTicketIDsOfCustomer(ctx, d.CustomerID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := s.st.LockTicket(ctx, id); err != nil {
			return err
		}
		if err := s.evaluate(ctx, id, "", "", e.CreatedAt); err != nil {
			return fmt.Errorf("SLA of ticket %d: %w", id, err)
		}
	}
	return nil
}
