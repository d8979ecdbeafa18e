package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/automation"
	"github.com/kefu-dev/kefu/internal/kefu"
)

// UseRules gives the workspace the automation rules, for the admin pages
// that write, order and dry-run them; without it those pages are not found.
func (w *Web) UseRules(rules *automation.Service) { w.rules = rules }

// needs answers "not found" for the pages of a service the workspace was
// started without; present is asked per request, as UseRules may come
// after Register.
func (w *Web) needs(present func() bool, h pageFunc) pageFunc {
	return func(rw http.ResponseWriter, r *http.Request, v *view) {
		if !present() {
			w.fail(rw, r, v, kefu.NotFound("page"))
			return
		}
		h(rw, r, v)
	}
}

// Blank rows the rule form offers after the rule's own conditions and
// actions: enough for a typical rule without any script adding rows.
const (
	spareConditions = 3
	spareActions    = 2
)

// eventTriggers are the triggers a rule can tick; "time" has its own fields.
var eventTriggers = []string{automation.TriggerCreated, automation.TriggerUpdated, automation.TriggerCustomerReplied, automation.TriggerStatusChanged,
	automation.TriggerSLAWarning, automation.TriggerSLABreached, automation.TriggerPromiseDueSoon, automation.TriggerPromiseOverdue}

// ruleActionTypes are the action types in the order the form offers them.
var ruleActionTypes = []string{"assign", "set", "add_tags", "remove_tags", "reply", "note", "notify", "webhook"}

// conditionRow and actionRow are one row of the rule form, as text.
type conditionRow struct{ Field, Op, Value string }

type actionRow struct{ Type, Who, Field, Value, BodyZH, BodyEN string }

// ruleForm is a rule as the form shows it.
type ruleForm struct {
	ID         int64
	Name       string
	Enabled    bool
	Events     []string
	TimeStatus string
	TimeHours  string
	Conditions []conditionRow
	Actions    []actionRow
}

// formOfRule turns a rule into form rows, with spare blank rows.
func formOfRule(r *automation.Rule) *ruleForm {
	f := &ruleForm{ID: r.ID, Name: r.Name, Enabled: r.Enabled}
	for _, t := range r.Triggers {
		if t.On == automation.TriggerTime {
			f.TimeStatus, f.TimeHours = string(t.Status), strconv.FormatFloat(t.Hours, 'f', -1, 64)
		} else {
			f.Events = append(f.Events, t.On)
		}
	}
	for _, c := range r.Conditions {
		f.Conditions = append(f.Conditions, conditionRow{c.Field, c.Op, valueText(c.Value)})
	}
	for _, a := range r.Actions {
		row := actionRow{Type: a.Type, Field: a.Field, BodyZH: a.BodyZH, BodyEN: a.BodyEN}
		switch {
		case a.To == "assignee" || a.To == "team_leads":
			row.Who = a.To
		case a.UserID != nil:
			row.Who = "user:" + strconv.FormatInt(*a.UserID, 10)
		case a.TeamID != nil:
			row.Who = "team:" + strconv.FormatInt(*a.TeamID, 10)
		}
		switch a.Type {
		case "set":
			row.Value = valueText(a.Value)
		case "add_tags", "remove_tags":
			row.Value = strings.Join(a.Tags, ", ")
		case "reply":
			row.Value = a.Status
		case "webhook":
			row.Value = a.URL
		}
		f.Actions = append(f.Actions, row)
	}
	for range spareConditions {
		f.Conditions = append(f.Conditions, conditionRow{})
	}
	for range spareActions {
		f.Actions = append(f.Actions, actionRow{})
	}
	return f
}

// valueText shows a condition or set value; lists are comma separated.
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = fmt.Sprint(e)
		}
		return strings.Join(parts, ", ")
	case []string:
		return strings.Join(x, ", ")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// splitList splits a comma separated list (either width), dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(c rune) bool { return c == ',' || c == '，' || c == '、' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ruleFromForm reads the rule form; rows without a field or a type are the
// spare blank ones. The use case checks the rest.
func ruleFromForm(r *http.Request) (*automation.Rule, error) {
	rule := &automation.Rule{Name: r.FormValue("name"), Enabled: r.FormValue("enabled") == "1",
		Triggers: []automation.Trigger{}, Conditions: []automation.Condition{}, Actions: []automation.Action{}}
	for _, on := range r.Form["trigger"] {
		rule.Triggers = append(rule.Triggers, automation.Trigger{On: on})
	}
	if st, hs := r.FormValue("time_status"), strings.TrimSpace(r.FormValue("time_hours")); st != "" || hs != "" {
		hours, err := strconv.ParseFloat(hs, 64)
		if err != nil {
			return rule, kefu.Invalid("time_hours", "must be a number of hours like 72; got %q", hs)
		}
		rule.Triggers = append(rule.Triggers, automation.Trigger{On: automation.TriggerTime, Status: kefu.Status(st), Hours: hours})
	}
	fields, ops, vals := r.Form["c_field"], r.Form["c_op"], r.Form["c_value"]
	for i, field := range fields {
		if field = strings.TrimSpace(field); field == "" {
			continue
		}
		c := automation.Condition{Field: field, Op: at(ops, i)}
		switch val := strings.TrimSpace(at(vals, i)); c.Op {
		case "is_set", "not_set":
		case "in", "not_in":
			c.Value = splitList(val)
		default:
			c.Value = val
		}
		rule.Conditions = append(rule.Conditions, c)
	}
	types := r.Form["a_type"]
	for i, typ := range types {
		if typ == "" {
			continue
		}
		a := automation.Action{Type: typ, BodyZH: strings.TrimSpace(at(r.Form["a_body_zh"], i)), BodyEN: strings.TrimSpace(at(r.Form["a_body_en"], i))}
		who, value := at(r.Form["a_who"], i), strings.TrimSpace(at(r.Form["a_value"], i))
		if kind, id, ok := strings.Cut(who, ":"); ok {
			n := optID(id)
			if kind == "user" {
				a.UserID = n
			} else {
				a.TeamID = n
			}
		}
		switch typ {
		case "set":
			a.Field, a.Value = strings.TrimSpace(at(r.Form["a_field"], i)), value
		case "add_tags", "remove_tags":
			a.Tags = splitList(value)
		case "reply":
			a.Status = value
		case "notify":
			a.To = who
			if a.UserID != nil {
				a.To = "user"
			}
		case "webhook":
			a.URL = value
		}
		if typ != "assign" && typ != "notify" {
			a.UserID, a.TeamID = nil, nil
		}
		rule.Actions = append(rule.Actions, a)
	}
	return rule, nil
}

// at is xs[i], or "" when the form sent fewer values.
func at(xs []string, i int) string {
	if i < len(xs) {
		return xs[i]
	}
	return ""
}

// adminRules lists the rules in the order they run, with the form to write
// one or to edit the one named by ?edit=.
func (w *Web) adminRules(rw http.ResponseWriter, r *http.Request, v *view) {
	draft := &automation.Rule{Enabled: true}
	if id := optID(r.URL.Query().Get("edit")); id != nil {
		rs, err := w.rules.Rules(r.Context(), v.User)
		if err != nil {
			w.fail(rw, r, v, err)
			return
		}
		i := slices.IndexFunc(rs, func(x *automation.Rule) bool { return x.ID == *id })
		if i < 0 {
			w.fail(rw, r, v, kefu.NotFound("automation rule"))
			return
		}
		draft = rs[i]
	}
	w.showRules(rw, r, v, http.StatusOK, rulesExtra{Draft: draft})
}

// rulesExtra is what a post adds to the rules page.
type rulesExtra struct {
	Draft  *automation.Rule
	Error  string
	DryRun *automation.DryRunResult
	Ticket *kefu.Ticket // the dry run's sample
}

func (w *Web) showRules(rw http.ResponseWriter, r *http.Request, v *view, status int, x rulesExtra) {
	if err := auth.Can(v.User, auth.ManageSLA); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	rs, err := w.rules.Rules(r.Context(), v.User)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	teams, users, err := w.people(r.Context(), v.User)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	names := map[string]string{}
	for _, t := range teams {
		names["team:"+strconv.FormatInt(t.ID, 10)] = t.Name
	}
	for _, u := range users {
		names["user:"+strconv.FormatInt(u.ID, 10)] = u.Name
	}
	summaries := map[int64][]string{}
	for _, rule := range rs {
		for _, a := range formOfRule(rule).Actions {
			if a.Type != "" {
				summaries[rule.ID] = append(summaries[rule.ID], w.actionText(v.Lang, a, names))
			}
		}
	}
	type explained struct {
		conditionRow
		Label, Actual string
		Holds         bool
	}
	var did []string
	var checks []explained
	if x.DryRun != nil {
		for _, e := range x.DryRun.Conditions {
			label := w.cat.T(v.Lang, "rules.field."+e.Field)
			if key, ok := strings.CutPrefix(e.Field, "ticket.custom."); ok {
				label = w.cat.T(v.Lang, "rules.field.custom") + " " + key
			}
			checks = append(checks, explained{conditionRow{e.Field, e.Op, valueText(e.Value)}, label, valueText(e.Actual), e.Holds})
		}
		for _, a := range formOfRule(&automation.Rule{Actions: x.DryRun.Actions}).Actions {
			if a.Type != "" {
				did = append(did, w.actionText(v.Lang, a, names))
			}
		}
	}
	fields := slices.DeleteFunc(slices.Clone(automation.Fields), func(f string) bool { return strings.Contains(f, "<") })
	v.Page, v.Data = "admin", map[string]any{"Tab": "rules", "Rules": rs, "Summaries": summaries, "Form": formOfRule(x.Draft), "Error": x.Error,
		"DryRun": x.DryRun, "DryActions": did, "Checks": checks, "Sample": x.Ticket, "SampleNumber": r.FormValue("ticket_number"),
		"EventTriggers": eventTriggers, "Fields": fields, "Ops": automation.Ops, "ActionTypes": ruleActionTypes,
		"Teams": teams, "Users": users, "TimeStatuses": []kefu.Status{kefu.StatusNew, kefu.StatusOpen, kefu.StatusPending, kefu.StatusOnHold}}
	w.render(rw, r, status, "admin_rules", "", *v)
}

// actionText says in words what an action row does.
func (w *Web) actionText(lang string, a actionRow, names map[string]string) string {
	who := names[a.Who]
	if who == "" && a.Who != "" && !strings.Contains(a.Who, ":") {
		who = w.cat.T(lang, "rules.who."+a.Who)
	}
	detail := ""
	switch a.Type {
	case "assign", "notify":
		detail = who
	case "set":
		detail = a.Field + " = " + a.Value
	case "add_tags", "remove_tags", "webhook":
		detail = a.Value
	case "reply", "note":
		detail = a.BodyZH
		if lang == "en" && a.BodyEN != "" || detail == "" {
			detail = a.BodyEN
		}
	}
	if a.Type == "notify" && a.BodyZH+a.BodyEN != "" {
		detail += ": " + bilingual(lang, a.BodyZH, a.BodyEN)
	}
	label := w.cat.T(lang, "rules.action."+a.Type)
	if detail == "" {
		return label
	}
	return label + " · " + detail
}

// saveRule stores the rule form, or with do=dryrun tries it against a
// sample ticket and shows the result, storing nothing.
func (w *Web) saveRule(rw http.ResponseWriter, r *http.Request, v *view) {
	// Rights first: the sample ticket lookup must not answer anyone else.
	if err := auth.Can(v.User, auth.ManageSLA); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	rule, err := ruleFromForm(r)
	if id := optID(r.PathValue("id")); id != nil {
		rule.ID = *id
	}
	if err == nil && r.FormValue("do") == "dryrun" {
		var t *kefu.Ticket
		var res *automation.DryRunResult
		if t, err = w.sampleTicket(r); err == nil {
			res, err = w.rules.DryRun(r.Context(), v.User, rule, t.ID)
		}
		if err == nil {
			w.showRules(rw, r, v, http.StatusOK, rulesExtra{Draft: rule, DryRun: res, Ticket: t})
			return
		}
	} else if err == nil {
		err = w.saveRuleKeepingPlace(r, v, rule)
	}
	if err != nil {
		if fe := fieldError(err); fe != "" {
			w.showRules(rw, r, v, http.StatusUnprocessableEntity, rulesExtra{Draft: rule, Error: fe})
			return
		}
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, "/admin/rules", http.StatusSeeOther)
}

// saveRuleKeepingPlace saves a rule at its old position, or last when new.
func (w *Web) saveRuleKeepingPlace(r *http.Request, v *view, rule *automation.Rule) error {
	rs, err := w.rules.Rules(r.Context(), v.User)
	if err != nil {
		return err
	}
	found := rule.ID == 0
	for _, o := range rs {
		if o.ID == rule.ID {
			rule.Position, found = o.Position, true
		} else if rule.ID == 0 {
			rule.Position = max(rule.Position, o.Position+1)
		}
	}
	if !found {
		return kefu.NotFound("automation rule")
	}
	return w.rules.Save(r.Context(), v.User, rule)
}

// sampleTicket finds the dry run's ticket by its number (#1042 or 1042).
func (w *Web) sampleTicket(r *http.Request) (*kefu.Ticket, error) {
	s := strings.TrimPrefix(strings.TrimSpace(r.FormValue("ticket_number")), "#")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return nil, kefu.Invalid("ticket_number", "give the number of a sample ticket, like 1001")
	}
	t, err := w.st.TicketByNumber(r.Context(), n)
	if errors.Is(err, kefu.ErrNotFound) {
		return nil, kefu.Invalid("ticket_number", "there is no ticket #%d", n)
	}
	return t, err
}

// moveRule moves a rule up or down the order.
func (w *Web) moveRule(rw http.ResponseWriter, r *http.Request, v *view) {
	w.ruleChange(rw, r, v, func(id int64) error { return w.rules.Move(r.Context(), v.User, id, direction(r)) })
}

// toggleRule turns a rule on or off.
func (w *Web) toggleRule(rw http.ResponseWriter, r *http.Request, v *view) {
	w.ruleChange(rw, r, v, func(id int64) error {
		return w.rules.SetEnabled(r.Context(), v.User, id, r.FormValue("enabled") == "1")
	})
}

// deleteRule removes a rule.
func (w *Web) deleteRule(rw http.ResponseWriter, r *http.Request, v *view) {
	w.ruleChange(rw, r, v, func(id int64) error { return w.rules.Delete(r.Context(), v.User, id) })
}

func (w *Web) ruleChange(rw http.ResponseWriter, r *http.Request, v *view, change func(id int64) error) {
	id, err := pathID(r)
	if err == nil {
		err = change(id)
	}
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, "/admin/rules", http.StatusSeeOther)
}
