package automation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/jobs"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/ticket"
)

// MaxDepth bounds a chain of rules reacting to each other's changes: an
// event caused by the MaxDepth-th rule in a chain triggers nothing.
const MaxDepth = 3

// Names of the automation consumer, timers and events.
const (
	Consumer      = "automation"
	TimerScan     = "automation.scan"    // ref 1: look for tickets a time rule applies to
	TimerWebhook  = "automation.webhook" // ref: the automation.webhook event
	EventApplied  = "automation.applied"
	EventNotified = "automation.notified"
	EventWebhook  = "automation.webhook"
	scanEvery     = time.Minute
	botEmail      = "automation@kefu.invalid"
)

// Service runs automation rules.
type Service struct {
	st      *store.Store
	tickets *ticket.Service
	log     *slog.Logger
	client  *http.Client
	now     func() time.Time

	mu  sync.Mutex
	bot *kefu.User
}

// New returns the automation service. Rules act through the ticket use
// cases as the user "自动化 Automation", so they obey the same state machine
// and write the same events as people do.
func New(st *store.Store, tickets *ticket.Service, log *slog.Logger) *Service {
	return &Service{st: st, tickets: tickets, log: log, client: &http.Client{Timeout: 10 * time.Second},
		now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// SetClock replaces the service's clock, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Register makes automation an outbox consumer and handles its timers.
func (s *Service) Register(outbox *jobs.Outbox, timers *jobs.Timers) {
	outbox.Register(Consumer, s.Handle)
	timers.Register(TimerScan, s.scan)
	timers.Register(TimerWebhook, s.deliver)
}

// Start makes sure the time-rule scan is scheduled.
func (s *Service) Start(ctx context.Context) error {
	return s.st.SetTimer(ctx, TimerScan, 1, s.now())
}

// botUser is the user rules act as, created on first use.
func (s *Service) botUser(ctx context.Context) (*kefu.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bot != nil {
		return s.bot, nil
	}
	u, _, err := s.st.UserByEmail(ctx, botEmail)
	if errors.Is(err, kefu.ErrNotFound) {
		u = &kefu.User{Email: botEmail, Name: "自动化 Automation", Role: kefu.RoleAdmin, Language: "zh-CN", Status: kefu.UserActive}
		err = s.st.CreateUser(ctx, u, "") // no password: nobody signs in as it
	}
	if err != nil {
		return nil, fmt.Errorf("automation user: %w", err)
	}
	s.bot = u
	return u, nil
}

// triggersOf maps an event to the triggers it fires.
func (s *Service) triggersOf(ctx context.Context, e *kefu.Event) ([]string, error) {
	switch e.Type {
	case kefu.EventTicketCreated:
		return []string{TriggerCreated}, nil
	case kefu.EventTicketUpdated:
		var d struct {
			Changes map[string]json.RawMessage `json:"changes"`
		}
		_ = json.Unmarshal(e.Data, &d)
		if _, ok := d.Changes["status"]; ok {
			return []string{TriggerUpdated, TriggerStatusChanged}, nil
		}
		return []string{TriggerUpdated}, nil
	case kefu.EventMessageAdded:
		var d struct {
			Kind      kefu.MessageKind `json:"kind"`
			MessageID int64            `json:"message_id"`
		}
		_ = json.Unmarshal(e.Data, &d)
		if d.Kind != kefu.MessageCustomer {
			return nil, nil
		}
		// The message a ticket is opened with is not a reply.
		first, err := s.st.Messages(ctx, *e.TicketID, 0, 1)
		if err != nil {
			return nil, err
		}
		if len(first) > 0 && first[0].ID == d.MessageID {
			return nil, nil
		}
		return []string{TriggerCustomerReplied}, nil
	case kefu.EventSLAWarning, kefu.EventSLABreached, kefu.EventPromiseDueSoon, kefu.EventPromiseOverdue:
		return []string{e.Type}, nil
	}
	return nil, nil
}

func (s *Service) rules(ctx context.Context) ([]*Rule, error) {
	stored, err := s.st.Rules(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Rule
	for _, r := range stored {
		if !r.Enabled {
			continue
		}
		d, err := decodeRule(r)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Handle is the outbox consumer: it runs the rules each event triggers, in
// event order and rule order.
func (s *Service) Handle(ctx context.Context, events []*kefu.Event) error {
	var rules []*Rule
	for _, e := range events {
		if e.TicketID == nil {
			continue
		}
		trig, err := s.triggersOf(ctx, e)
		if errors.Is(err, kefu.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if len(trig) == 0 {
			continue
		}
		cause := store.CauseOf(e)
		depth := 0
		if cause != nil {
			depth = cause.Depth
		}
		if depth >= MaxDepth {
			s.log.Info("automation chain stopped", "ticket_id", *e.TicketID, "event_id", e.ID, "rule", cause.RuleName, "depth", depth)
			continue
		}
		if rules == nil {
			if rules, err = s.rules(ctx); err != nil {
				return err
			}
		}
		for _, r := range rules {
			if cause != nil && cause.RuleID == r.ID {
				continue // a rule never reacts to its own changes
			}
			if !slices.ContainsFunc(r.Triggers, func(t Trigger) bool { return slices.Contains(trig, t.On) }) {
				continue
			}
			if err := s.runRule(ctx, r, *e.TicketID, depth+1, e.Type); err != nil {
				return fmt.Errorf("rule %q on ticket %d: %w", r.Name, *e.TicketID, err)
			}
		}
	}
	return nil
}

// subject loads what conditions read.
func (s *Service) subject(ctx context.Context, ticketID int64) (*Subject, error) {
	t, err := s.st.Ticket(ctx, ticketID)
	if err != nil {
		return nil, err
	}
	sub := &Subject{Ticket: t}
	if sub.Customer, err = s.st.Customer(ctx, t.CustomerID); err != nil {
		return nil, err
	}
	if t.OrderID != nil {
		if sub.Order, err = s.st.Order(ctx, *t.OrderID); err != nil && !errors.Is(err, kefu.ErrNotFound) {
			return nil, err
		}
	}
	if t.CategoryID != nil {
		if sub.Category, err = s.st.Category(ctx, *t.CategoryID); err != nil && !errors.Is(err, kefu.ErrNotFound) {
			return nil, err
		}
	}
	return sub, nil
}

// runRule applies a rule to a ticket if its conditions hold. Its actions
// run inside a savepoint: a rule that cannot act (a closed ticket, a user
// gone) is skipped and logged, and the others still run.
func (s *Service) runRule(ctx context.Context, r *Rule, ticketID int64, depth int, trigger string) error {
	sub, err := s.subject(ctx, ticketID)
	if errors.Is(err, kefu.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if sub.Ticket.MergedInto != nil {
		return nil
	}
	if ok, _ := Evaluate(r.Conditions, sub); !ok {
		return nil
	}
	bot, err := s.botUser(ctx)
	if err != nil {
		return err
	}
	cctx := store.WithCause(ctx, &store.Cause{RuleID: r.ID, RuleName: r.Name, Depth: depth})
	err = s.st.Savepoint(cctx, "rule", func(ctx context.Context) error {
		var done []string
		for _, a := range r.Actions {
			if err := s.act(ctx, bot, sub, a); err != nil {
				return fmt.Errorf("action %s: %w", a.Type, err)
			}
			done = append(done, a.Type)
		}
		return s.st.AddEvent(ctx, &kefu.Event{Type: EventApplied, TicketID: &ticketID, ActorUserID: &bot.ID},
			map[string]any{"rule_id": r.ID, "rule_name": r.Name, "trigger": trigger, "actions": done})
	})
	if err != nil && (errors.Is(err, kefu.ErrConflict) || errors.Is(err, kefu.ErrInvalid) || errors.Is(err, kefu.ErrNotFound) || errors.Is(err, kefu.ErrForbidden)) {
		s.log.Warn("automation rule could not act", "rule", r.Name, "ticket_id", ticketID, "err", err)
		return nil
	}
	return err
}

// act carries out one action as the automation user.
func (s *Service) act(ctx context.Context, bot *kefu.User, sub *Subject, a Action) error {
	t := sub.Ticket
	switch a.Type {
	case "assign":
		p := ticket.Patch{}
		if a.UserID != nil {
			p.AssigneeID = ticket.Field[*int64]{Set: true, Value: a.UserID}
		}
		if a.TeamID != nil {
			p.TeamID = ticket.Field[*int64]{Set: true, Value: a.TeamID}
			if a.UserID == nil {
				p.AssigneeID = ticket.Field[*int64]{Set: true, Value: nil}
			}
		}
		nt, err := s.tickets.Update(ctx, bot, t.ID, p)
		if err == nil {
			sub.Ticket = nt
		}
		return err
	case "set":
		p := ticket.Patch{}
		v := str(a.Value)
		switch {
		case a.Field == "priority":
			p.Priority = ticket.Field[kefu.Priority]{Set: true, Value: kefu.Priority(v)}
		case a.Field == "status":
			p.Status = ticket.Field[kefu.Status]{Set: true, Value: kefu.Status(v)}
		case a.Field == "type":
			p.Type = ticket.Field[kefu.TicketType]{Set: true, Value: kefu.TicketType(v)}
		default:
			custom := map[string]any{}
			for k, x := range t.CustomFields {
				custom[k] = x
			}
			custom[strings.TrimPrefix(a.Field, "custom.")] = a.Value
			p.CustomFields = ticket.Field[map[string]any]{Set: true, Value: custom}
		}
		nt, err := s.tickets.Update(ctx, bot, t.ID, p)
		if err == nil {
			sub.Ticket = nt
		}
		return err
	case "add_tags", "remove_tags":
		tags := slices.Clone(t.Tags)
		for _, tag := range a.Tags {
			if a.Type == "add_tags" && !slices.Contains(tags, tag) {
				tags = append(tags, tag)
			}
			if a.Type == "remove_tags" {
				tags = slices.DeleteFunc(tags, func(x string) bool { return x == tag })
			}
		}
		nt, err := s.tickets.Update(ctx, bot, t.ID, ticket.Patch{Tags: ticket.Field[[]string]{Set: true, Value: tags}})
		if err == nil {
			sub.Ticket = nt
		}
		return err
	case "reply", "note":
		kind := kefu.MessageReply
		if a.Type == "note" {
			kind = kefu.MessageNote
		}
		body := a.BodyZH
		if body == "" || (a.BodyEN != "" && sub.Customer != nil && strings.HasPrefix(strings.ToLower(sub.Customer.Language), "en")) {
			body = a.BodyEN
		}
		body = strings.ReplaceAll(body, "{{customer.name}}", sub.Customer.Name)
		body = strings.ReplaceAll(body, "{{ticket.number}}", strconv.FormatInt(t.Number, 10))
		_, nt, err := s.tickets.AddMessage(ctx, bot, t.ID, ticket.NewMessage{Kind: kind, Body: body, Status: kefu.Status(a.Status)})
		if err == nil {
			sub.Ticket = nt
		}
		return err
	case "notify":
		var to []int64
		switch a.To {
		case "assignee":
			if t.AssigneeID != nil {
				to = []int64{*t.AssigneeID}
			}
		case "team_leads":
			ids, err := s.st.TeamSupervisors(ctx, t.TeamID)
			if err != nil {
				return err
			}
			to = ids
		case "user":
			to = []int64{*a.UserID}
		}
		zh, en := a.BodyZH, a.BodyEN
		if zh == "" {
			zh = en
		}
		if en == "" {
			en = zh
		}
		for _, id := range to {
			n := &kefu.Notification{UserID: id, TicketID: &t.ID, Kind: "automation", TextZH: zh, TextEN: en}
			if err := s.st.AddNotification(ctx, n); err != nil {
				return err
			}
		}
		return s.st.AddEvent(ctx, &kefu.Event{Type: EventNotified, TicketID: &t.ID, ActorUserID: &bot.ID}, map[string]any{"to": to, "text_zh": zh, "text_en": en})
	case "webhook":
		e := &kefu.Event{Type: EventWebhook, TicketID: &t.ID, ActorUserID: &bot.ID}
		if err := s.st.AddEvent(ctx, e, map[string]any{"url": a.URL}); err != nil {
			return err
		}
		// Delivered by a timer after this commits, retried until it works.
		return s.st.SetTimer(ctx, TimerWebhook, e.ID, s.now())
	}
	return kefu.Invalid("type", "unknown action %q", a.Type)
}

// deliver posts a webhook action's payload: the event (with its id, for
// de-duplication: a delivery may repeat if the commit after it fails), the
// ticket and the rule. A failure returns an error and the timer retries
// with backoff.
func (s *Service) deliver(ctx context.Context, tm *store.Timer) error {
	e, err := s.st.Event(ctx, tm.RefID)
	if errors.Is(err, kefu.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var d struct {
		URL   string       `json:"url"`
		Cause *store.Cause `json:"cause"`
	}
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return err
	}
	var t *kefu.Ticket
	if e.TicketID != nil {
		t, _ = s.st.Ticket(ctx, *e.TicketID)
	}
	body, _ := json.Marshal(map[string]any{"event_id": e.ID, "type": "automation.webhook", "rule": d.Cause, "ticket": t, "created_at": e.CreatedAt})
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, d.URL, bytes.NewReader(body))
	if err != nil {
		return nil // the URL was checked when the rule was saved; nothing to retry
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Kefu-Event-Id", strconv.FormatInt(e.ID, 10))
	res, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", d.URL, err)
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("webhook %s answered %s", d.URL, res.Status)
	}
	return nil
}

// scan runs the time rules on the tickets that have waited long enough,
// then schedules itself again.
func (s *Service) scan(ctx context.Context, tm *store.Timer) error {
	rules, err := s.rules(ctx)
	if err != nil {
		return err
	}
	now := s.now()
	for _, r := range rules {
		for _, tr := range r.Triggers {
			if tr.On != TriggerTime {
				continue
			}
			cutoff := now.Add(-time.Duration(tr.Hours * float64(time.Hour)))
			ids, ats, err := s.st.StaleTickets(ctx, r.ID, string(tr.Status), cutoff, 100)
			if err != nil {
				return err
			}
			for i, id := range ids {
				fresh, err := s.st.RecordRuleRun(ctx, r.ID, id, strconv.FormatInt(ats[i].UnixMicro(), 10))
				if err != nil {
					return err
				}
				if fresh {
					if err := s.runRule(ctx, r, id, 1, TriggerTime); err != nil {
						return err
					}
				}
			}
		}
	}
	return s.st.SetTimer(ctx, TimerScan, 1, now.Add(scanEvery))
}

// Rules lists every rule (admin pages).
func (s *Service) Rules(ctx context.Context, actor *kefu.User) ([]*Rule, error) {
	if err := auth.Can(actor, auth.ManageSLA); err != nil {
		return nil, err
	}
	stored, err := s.st.Rules(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Rule, 0, len(stored))
	for _, r := range stored {
		d, err := decodeRule(r)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Save creates (ID 0) or replaces a rule.
func (s *Service) Save(ctx context.Context, actor *kefu.User, r *Rule) error {
	if err := auth.Can(actor, auth.ManageSLA); err != nil {
		return err
	}
	if err := Check(r); err != nil {
		return err
	}
	stored := encodeRule(r)
	if err := s.st.SaveRule(ctx, stored); err != nil {
		return err
	}
	r.ID = stored.ID
	return nil
}

// Delete removes a rule.
func (s *Service) Delete(ctx context.Context, actor *kefu.User, id int64) error {
	if err := auth.Can(actor, auth.ManageSLA); err != nil {
		return err
	}
	return s.st.DeleteRule(ctx, id)
}

// DryRunResult says what a rule would do to a ticket, changing nothing.
type DryRunResult struct {
	Matches    bool      `json:"matches"`
	Conditions []Explain `json:"conditions"`
	Actions    []Action  `json:"actions"` // what would run; empty when it does not match
}

// DryRun checks a rule (stored or not) against a sample ticket.
func (s *Service) DryRun(ctx context.Context, actor *kefu.User, r *Rule, ticketID int64) (*DryRunResult, error) {
	if err := auth.Can(actor, auth.ManageSLA); err != nil {
		return nil, err
	}
	if err := Check(r); err != nil {
		return nil, err
	}
	sub, err := s.subject(ctx, ticketID)
	if err != nil {
		return nil, err
	}
	ok, ex := Evaluate(r.Conditions, sub)
	res := &DryRunResult{Matches: ok, Conditions: ex, Actions: []Action{}}
	if ok {
		res.Actions = r.Actions
	}
	return res, nil
}

// Move moves a rule one place earlier (delta < 0) or later in the order
// rules run, renumbering them all so equal positions cannot make the order
// ambiguous. Moving the first one up or the last one down changes nothing.
func (s *Service) Move(ctx context.Context, actor *kefu.User, id int64, delta int) error {
	if err := auth.Can(actor, auth.ManageSLA); err != nil {
		return err
	}
	return s.st.WithTx(ctx, func(ctx context.Context) error {
		rs, err := s.st.Rules(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(rs, func(r *store.Rule) bool { return r.ID == id })
		if i < 0 {
			return kefu.NotFound("automation rule")
		}
		j := i + 1
		if delta < 0 {
			j = i - 1
		}
		if delta == 0 || j < 0 || j >= len(rs) {
			return nil
		}
		rs[i], rs[j] = rs[j], rs[i]
		for pos, r := range rs {
			if r.Position == pos {
				continue
			}
			r.Position = pos
			if err := s.st.SaveRule(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetEnabled turns a rule on or off.
func (s *Service) SetEnabled(ctx context.Context, actor *kefu.User, id int64, on bool) error {
	if err := auth.Can(actor, auth.ManageSLA); err != nil {
		return err
	}
	r, err := s.st.Rule(ctx, id)
	if err != nil {
		return err
	}
	r.Enabled = on
	return s.st.SaveRule(ctx, r)
}
