// Package automation runs a shop's rules: when something happens to a
// ticket (it is created or updated, the customer replies, its status
// changes, an SLA warns or breaches, a promise falls due) or when a ticket
// has sat in a status for a time, the rules whose conditions hold act on it:
// assign, set fields, tag, reply with a canned text, add a note, notify,
// call a webhook. Rules run in their order; what they do is in the activity
// trail under the rule's name; a rule never reacts to its own changes and a
// chain of rules stops after MaxDepth steps, so rules cannot loop.
package automation

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// Triggers a rule can listen to.
const (
	TriggerCreated         = "ticket.created"
	TriggerUpdated         = "ticket.updated"
	TriggerCustomerReplied = "customer.replied"
	TriggerStatusChanged   = "status.changed"
	TriggerSLAWarning      = "sla.warning"
	TriggerSLABreached     = "sla.breached"
	TriggerPromiseDueSoon  = "promise.due_soon"
	TriggerPromiseOverdue  = "promise.overdue"
	TriggerTime            = "time"
)

var triggers = []string{TriggerCreated, TriggerUpdated, TriggerCustomerReplied, TriggerStatusChanged, TriggerSLAWarning,
	TriggerSLABreached, TriggerPromiseDueSoon, TriggerPromiseOverdue, TriggerTime}

// Trigger is when a rule runs: an event, or for "time" a ticket left in a
// status for Hours with no change.
type Trigger struct {
	On     string      `json:"on"`
	Status kefu.Status `json:"status,omitempty"` // time: the status
	Hours  float64     `json:"hours,omitempty"`  // time: how long unchanged in it
}

// Condition compares a field of the ticket, its customer or its order.
type Condition struct {
	Field string `json:"field"`
	Op    string `json:"op"`
	Value any    `json:"value,omitempty"`
}

// Fields conditions can read.
var Fields = []string{"ticket.status", "ticket.priority", "ticket.channel", "ticket.type", "ticket.subject", "ticket.tags",
	"ticket.category", "ticket.assignee_id", "ticket.team_id", "ticket.custom.<key>", "customer.vip_tier", "customer.language",
	"customer.tags", "customer.name", "order.number", "order.total", "order.delivered", "order.shipment_status", "order.province"}

// Ops conditions can use.
var Ops = []string{"eq", "ne", "in", "not_in", "contains", "not_contains", "gt", "gte", "lt", "lte", "is_set", "not_set"}

// Action is one thing a rule does.
type Action struct {
	Type   string   `json:"type"`
	UserID *int64   `json:"user_id,omitempty"` // assign, notify
	TeamID *int64   `json:"team_id,omitempty"` // assign (to a team's queue)
	Field  string   `json:"field,omitempty"`   // set: priority, status, type, or custom.<key>
	Value  any      `json:"value,omitempty"`   // set
	Tags   []string `json:"tags,omitempty"`    // add_tags, remove_tags
	BodyZH string   `json:"body_zh,omitempty"` // reply, note, notify
	BodyEN string   `json:"body_en,omitempty"` // reply, notify
	Status string   `json:"status,omitempty"`  // reply: the status to leave the ticket in
	To     string   `json:"to,omitempty"`      // notify: "assignee", "team_leads" or "user"
	URL    string   `json:"url,omitempty"`     // webhook
}

// Action types.
var actionTypes = []string{"assign", "set", "add_tags", "remove_tags", "reply", "note", "notify", "webhook"}

// Rule is an automation rule with its documents decoded.
type Rule struct {
	ID         int64       `json:"id"`
	Name       string      `json:"name"`
	Position   int         `json:"position"`
	Enabled    bool        `json:"enabled"`
	Triggers   []Trigger   `json:"triggers"`
	Conditions []Condition `json:"conditions"`
	Actions    []Action    `json:"actions"`
}

func decodeRule(r *store.Rule) (*Rule, error) {
	out := &Rule{ID: r.ID, Name: r.Name, Position: r.Position, Enabled: r.Enabled}
	for _, d := range []struct {
		src json.RawMessage
		dst any
	}{{r.Triggers, &out.Triggers}, {r.Conditions, &out.Conditions}, {r.Actions, &out.Actions}} {
		if len(d.src) == 0 {
			continue
		}
		if err := json.Unmarshal(d.src, d.dst); err != nil {
			return nil, fmt.Errorf("decode rule %d: %w", r.ID, err)
		}
	}
	return out, nil
}

func encodeRule(r *Rule) *store.Rule {
	tr, _ := json.Marshal(r.Triggers)
	co, _ := json.Marshal(r.Conditions)
	ac, _ := json.Marshal(r.Actions)
	return &store.Rule{ID: r.ID, Name: r.Name, Position: r.Position, Enabled: r.Enabled, Triggers: tr, Conditions: co, Actions: ac}
}

// Check validates a rule before it is stored.
func Check(r *Rule) error {
	name, err := kefu.CleanText("name", r.Name, 1, 200)
	if err != nil {
		return err
	}
	r.Name = name
	if len(r.Triggers) == 0 {
		return kefu.Invalid("triggers", "a rule needs at least one trigger")
	}
	for i, t := range r.Triggers {
		f := fmt.Sprintf("triggers[%d]", i)
		if !slices.Contains(triggers, t.On) {
			return kefu.Invalid(f+".on", "must be one of %s; got %q", strings.Join(triggers, ", "), t.On)
		}
		if t.On == TriggerTime {
			if !t.Status.Valid() || !t.Status.Active() {
				return kefu.Invalid(f+".status", "a time trigger names an active status (new, open, pending, on_hold)")
			}
			if t.Hours <= 0 || t.Hours > 24*366 {
				return kefu.Invalid(f+".hours", "must be above 0 and at most a year")
			}
		}
	}
	for i, c := range r.Conditions {
		f := fmt.Sprintf("conditions[%d]", i)
		if !knownField(c.Field) {
			return kefu.Invalid(f+".field", "unknown field %q; see the list of fields", c.Field)
		}
		if !slices.Contains(Ops, c.Op) {
			return kefu.Invalid(f+".op", "must be one of %s; got %q", strings.Join(Ops, ", "), c.Op)
		}
	}
	if len(r.Actions) == 0 {
		return kefu.Invalid("actions", "a rule needs at least one action")
	}
	for i, a := range r.Actions {
		f := fmt.Sprintf("actions[%d]", i)
		switch a.Type {
		case "assign":
			if a.UserID == nil && a.TeamID == nil {
				return kefu.Invalid(f+".user_id", "assign names a user_id or a team_id")
			}
		case "set":
			if a.Field != "priority" && a.Field != "status" && a.Field != "type" && !strings.HasPrefix(a.Field, "custom.") {
				return kefu.Invalid(f+".field", "set changes priority, status, type or custom.<key>; got %q", a.Field)
			}
		case "add_tags", "remove_tags":
			if len(a.Tags) == 0 {
				return kefu.Invalid(f+".tags", "name at least one tag")
			}
		case "reply", "note":
			if strings.TrimSpace(a.BodyZH) == "" && strings.TrimSpace(a.BodyEN) == "" {
				return kefu.Invalid(f+".body_zh", "write the text (body_zh, body_en or both)")
			}
		case "notify":
			if a.To != "assignee" && a.To != "team_leads" && (a.To != "user" || a.UserID == nil) {
				return kefu.Invalid(f+".to", "notify assignee, team_leads, or user with user_id")
			}
		case "webhook":
			u, err := url.Parse(a.URL)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return kefu.Invalid(f+".url", "must be an http or https URL")
			}
		default:
			return kefu.Invalid(f+".type", "must be one of %s; got %q", strings.Join(actionTypes, ", "), a.Type)
		}
	}
	return nil
}

func knownField(f string) bool {
	if strings.HasPrefix(f, "ticket.custom.") && len(f) > len("ticket.custom.") {
		return true
	}
	return slices.Contains(Fields, f) && f != "ticket.custom.<key>"
}

// Subject is what conditions look at: the ticket, its customer and order.
type Subject struct {
	Ticket   *kefu.Ticket
	Customer *kefu.Customer
	Order    *kefu.Order
	Category *kefu.Category
}

// value reads a field; ok is false when it is not set.
func (s *Subject) value(field string) (any, bool) {
	t, c, o := s.Ticket, s.Customer, s.Order
	switch field {
	case "ticket.status":
		return string(t.Status), true
	case "ticket.priority":
		return string(t.Priority), true
	case "ticket.channel":
		return string(t.Channel), true
	case "ticket.type":
		return string(t.Type), true
	case "ticket.subject":
		return t.Subject, true
	case "ticket.tags":
		return t.Tags, len(t.Tags) > 0
	case "ticket.category":
		if s.Category == nil {
			return nil, false
		}
		return s.Category.Key, true
	case "ticket.assignee_id":
		if t.AssigneeID == nil {
			return nil, false
		}
		return float64(*t.AssigneeID), true
	case "ticket.team_id":
		if t.TeamID == nil {
			return nil, false
		}
		return float64(*t.TeamID), true
	case "customer.vip_tier":
		return float64(c.VIPTier), c != nil
	case "customer.language":
		return c.Language, c != nil && c.Language != ""
	case "customer.tags":
		return c.Tags, c != nil && len(c.Tags) > 0
	case "customer.name":
		return c.Name, c != nil && c.Name != ""
	}
	if o == nil && strings.HasPrefix(field, "order.") {
		return nil, false
	}
	switch field {
	case "order.number":
		return o.Number, true
	case "order.total":
		return float64(o.Total), true
	case "order.delivered":
		return o.DeliveredAt != nil, true
	case "order.province":
		return o.ShippingProvince, o.ShippingProvince != ""
	case "order.shipment_status":
		if len(o.Shipments) == 0 {
			return nil, false
		}
		return string(o.Shipments[len(o.Shipments)-1].Status), true
	}
	if key, ok := strings.CutPrefix(field, "ticket.custom."); ok {
		v, ok := t.CustomFields[key]
		return v, ok && v != nil
	}
	return nil, false
}

// Explain is how one condition judged a subject, for dry runs.
type Explain struct {
	Condition
	Actual any  `json:"actual"`
	Holds  bool `json:"holds"`
}

// Evaluate judges every condition; all must hold.
func Evaluate(conds []Condition, s *Subject) (bool, []Explain) {
	all := true
	out := make([]Explain, 0, len(conds))
	for _, c := range conds {
		v, set := s.value(c.Field)
		ok := holds(c, v, set)
		all = all && ok
		out = append(out, Explain{Condition: c, Actual: v, Holds: ok})
	}
	return all, out
}

func holds(c Condition, v any, set bool) bool {
	switch c.Op {
	case "is_set":
		return set
	case "not_set":
		return !set
	}
	if list, ok := v.([]string); ok { // tags: contains / not_contains / in
		switch c.Op {
		case "contains", "eq", "in":
			return slices.ContainsFunc(values(c.Value), func(w string) bool { return slices.Contains(list, w) })
		case "not_contains", "ne", "not_in":
			return !slices.ContainsFunc(values(c.Value), func(w string) bool { return slices.Contains(list, w) })
		}
		return false
	}
	if !set {
		return c.Op == "ne" || c.Op == "not_in" || c.Op == "not_contains"
	}
	sv := fmt.Sprint(v)
	switch c.Op {
	case "eq":
		return sv == str(c.Value)
	case "ne":
		return sv != str(c.Value)
	case "in":
		return slices.Contains(values(c.Value), sv)
	case "not_in":
		return !slices.Contains(values(c.Value), sv)
	case "contains":
		return strings.Contains(strings.ToLower(sv), strings.ToLower(str(c.Value)))
	case "not_contains":
		return !strings.Contains(strings.ToLower(sv), strings.ToLower(str(c.Value)))
	case "gt", "gte", "lt", "lte":
		a, err1 := strconv.ParseFloat(sv, 64)
		b, err2 := strconv.ParseFloat(str(c.Value), 64)
		if err1 != nil || err2 != nil {
			return false
		}
		switch c.Op {
		case "gt":
			return a > b
		case "gte":
			return a >= b
		case "lt":
			return a < b
		}
		return a <= b
	}
	return false
}

func str(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func values(v any) []string {
	switch x := v.(type) {
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = str(e)
		}
		return out
	case []string:
		return x
	case nil:
		return nil
	}
	return []string{str(v)}
}
