package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// adminPolicies lists the SLA policies in the order they are tried, with
// the form to add one or to edit the one named by ?edit=.
func (w *Web) adminPolicies(rw http.ResponseWriter, r *http.Request, v *view) {
	var draft *kefu.SLAPolicy
	if id := optID(r.URL.Query().Get("edit")); id != nil {
		p, err := w.deadlines.Policy(r.Context(), v.User, *id)
		if err != nil {
			w.fail(rw, r, v, err)
			return
		}
		draft = p
	}
	w.showPolicies(rw, r, v, http.StatusOK, "", draft)
}

func (w *Web) showPolicies(rw http.ResponseWriter, r *http.Request, v *view, status int, errMsg string, draft *kefu.SLAPolicy) {
	if err := auth.Can(v.User, auth.ManageSLA); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	ctx := r.Context()
	var ps []*kefu.SLAPolicy
	var cals []*kefu.Calendar
	var cats []*kefu.Category
	teams, users, err := w.people(ctx, v.User)
	if err == nil {
		ps, err = w.deadlines.Policies(ctx, v.User)
	}
	if err == nil {
		cals, err = w.deadlines.Calendars(ctx, v.User)
	}
	if err == nil {
		cats, err = w.tickets.Categories(ctx, v.User)
	}
	var job *store.SLARecompute
	if err == nil {
		job, err = lastJob(w.deadlines.ReapplyStatus(ctx, v.User))
	}
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	if draft == nil {
		draft = &kefu.SLAPolicy{Enabled: true, WarnShare: 0.75, PauseStatuses: []kefu.Status{kefu.StatusPending}}
	}
	names := map[string]map[int64]string{"cal": {}, "team": {}, "user": {}, "cat": {}}
	for _, c := range cals {
		names["cal"][c.ID] = c.Name
	}
	for _, t := range teams {
		names["team"][t.ID] = t.Name
	}
	for _, u := range users {
		names["user"][u.ID] = u.Name
	}
	for _, c := range cats {
		names["cat"][c.ID] = categoryName(v.Lang, c)
	}
	v.Page, v.Data = "admin", map[string]any{"Tab": "sla", "Policies": ps, "Reapply": job, "Draft": draft, "Error": errMsg,
		"Calendars": cals, "Teams": teams, "Users": users, "Categories": cats, "Names": names,
		"Channels": kefu.Channels, "Types": kefu.TicketTypes, "Priorities": kefu.Priorities,
		"PauseStatuses": []kefu.Status{kefu.StatusOpen, kefu.StatusPending, kefu.StatusOnHold},
		"WarnPercent":   int(math.Round(draft.WarnShare * 100))}
	w.render(rw, r, status, "admin_policies", "", *v)
}

// people lists the teams and users, for the selects that name them.
func (w *Web) people(ctx context.Context, actor *kefu.User) ([]*kefu.Team, []*kefu.User, error) {
	teams, err := w.users.Teams(ctx, actor)
	if err != nil {
		return nil, nil, err
	}
	users, err := w.users.List(ctx, actor)
	return teams, users, err
}

// formMinutes reads an optional target in business minutes; blank is no
// target.
func formMinutes(r *http.Request, field string) (*int, error) {
	s := strings.TrimSpace(r.FormValue(field))
	if s == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, kefu.Invalid(field, "must be a whole number of minutes; got %q", s)
	}
	return &n, nil
}

// policyFromForm reads the policy form; the use case checks the values.
func policyFromForm(r *http.Request) (*kefu.SLAPolicy, error) {
	p := &kefu.SLAPolicy{Name: r.FormValue("name"), Description: r.FormValue("description"), Enabled: r.FormValue("enabled") == "1",
		CalendarID: optID(r.FormValue("calendar_id"))}
	c := &p.Conditions
	for _, s := range r.Form["channels"] {
		c.Channels = append(c.Channels, kefu.Channel(s))
	}
	for _, s := range r.Form["types"] {
		c.Types = append(c.Types, kefu.TicketType(s))
	}
	for _, s := range r.Form["priorities"] {
		c.Priorities = append(c.Priorities, kefu.Priority(s))
	}
	c.CategoryIDs, c.TeamIDs = formIDs(r, "category_ids"), formIDs(r, "team_ids")
	if len(c.CategoryIDs) == 0 {
		c.CategoryIDs = nil
	}
	if len(c.TeamIDs) == 0 {
		c.TeamIDs = nil
	}
	if s := strings.TrimSpace(r.FormValue("min_vip_tier")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return p, kefu.Invalid("conditions.min_vip_tier", "must be a whole number; got %q", s)
		}
		tier := kefu.VIPTier(n)
		c.MinVIPTier = &tier
	}
	var err error
	for field, dst := range map[string]**int{"first_response_minutes": &p.FirstResponseMinutes, "next_response_minutes": &p.NextResponseMinutes, "resolution_minutes": &p.ResolutionMinutes} {
		if *dst, err = formMinutes(r, field); err != nil {
			return p, err
		}
	}
	if s := strings.TrimSpace(r.FormValue("warn_percent")); s != "" {
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return p, kefu.Invalid("warn_share", "must be a percentage like 75; got %q", s)
		}
		p.WarnShare = n / 100
	}
	// An empty list (nothing ticked) means the clock never pauses; the
	// hidden pause_set field tells it apart from a form without the field.
	if r.FormValue("pause_set") == "1" {
		p.PauseStatuses = []kefu.Status{}
		for _, s := range r.Form["pause_statuses"] {
			p.PauseStatuses = append(p.PauseStatuses, kefu.Status(s))
		}
	}
	p.Escalation = kefu.SLAEscalation{NotifyLead: r.FormValue("notify_lead") == "1", RaisePriority: r.FormValue("raise_priority") == "1",
		ReassignUserID: optID(r.FormValue("reassign_user_id")), ReassignTeamID: optID(r.FormValue("reassign_team_id"))}
	return p, nil
}

// savePolicy creates a policy (no id; it goes last) or replaces one.
func (w *Web) savePolicy(rw http.ResponseWriter, r *http.Request, v *view) {
	// No transaction around this: SavePolicy re-evaluates every active
	// ticket, each in a transaction of its own.
	p, err := policyFromForm(r)
	if err == nil {
		err = w.placePolicy(r.Context(), v.User, p, optID(r.PathValue("id")))
	}
	if err == nil {
		err = w.deadlines.SavePolicy(r.Context(), v.User, p)
	}
	if err != nil {
		if fe := fieldError(err); fe != "" {
			w.showPolicies(rw, r, v, http.StatusUnprocessableEntity, fe, p)
			return
		}
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, "/admin/sla", http.StatusSeeOther)
}

// placePolicy gives a policy from the form its id and old position, or
// for a new one (id nil) the place after the last.
func (w *Web) placePolicy(ctx context.Context, actor *kefu.User, p *kefu.SLAPolicy, id *int64) error {
	if id != nil {
		old, err := w.deadlines.Policy(ctx, actor, *id)
		if err != nil {
			return err
		}
		p.ID, p.Position = old.ID, old.Position
		return nil
	}
	ps, err := w.deadlines.Policies(ctx, actor)
	if err != nil {
		return err
	}
	for _, o := range ps {
		p.Position = max(p.Position, o.Position+1)
	}
	return nil
}

// movePolicy moves a policy up or down the order.
func (w *Web) movePolicy(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	if err == nil {
		err = w.deadlines.MovePolicy(r.Context(), v.User, id, direction(r))
	}
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, "/admin/sla", http.StatusSeeOther)
}

// togglePolicy enables or disables a policy.
func (w *Web) togglePolicy(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	var p *kefu.SLAPolicy
	if err == nil {
		p, err = w.deadlines.Policy(r.Context(), v.User, id)
	}
	if err == nil {
		p.Enabled = r.FormValue("enabled") == "1"
		err = w.deadlines.SavePolicy(r.Context(), v.User, p)
	}
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, "/admin/sla", http.StatusSeeOther)
}

// deletePolicy removes a policy.
func (w *Web) deletePolicy(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	if err == nil {
		err = w.deadlines.DeletePolicy(r.Context(), v.User, id)
	}
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, "/admin/sla", http.StatusSeeOther)
}

// direction reads the dir field of a move form: -1 for up, 1 for down.
func direction(r *http.Request) int {
	if r.FormValue("dir") == "up" {
		return -1
	}
	return 1
}

// containsText reports whether a list (of any kind: channels, ids…) holds
// v, compared as text, for ticking the form's checkboxes.
func containsText(list any, v any) bool {
	rv := reflect.ValueOf(list)
	if rv.Kind() != reflect.Slice {
		return false
	}
	want := fmt.Sprint(v)
	for i := range rv.Len() {
		if fmt.Sprint(rv.Index(i).Interface()) == want {
			return true
		}
	}
	return false
}

// minutes shows a target in business minutes as hours and minutes.
func (w *Web) minutes(lang string, m any) string {
	var n int
	switch x := m.(type) {
	case int:
		n = x
	case *int:
		if x == nil {
			return ""
		}
		n = *x
	}
	switch {
	case n%60 == 0:
		return w.cat.T(lang, "rules.hours_n", n/60)
	case n < 60:
		return w.cat.T(lang, "rules.minutes_n", n)
	}
	return w.cat.T(lang, "rules.hours_minutes_n", n/60, n%60)
}

// reapplyProgress is the policies page's progress line alone, polled while
// a change reaches the open tickets in the background.
func (w *Web) reapplyProgress(rw http.ResponseWriter, r *http.Request, v *view) {
	if err := auth.Can(v.User, auth.ManageSLA); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	job, err := lastJob(w.deadlines.ReapplyStatus(r.Context(), v.User))
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	v.Data = map[string]any{"Reapply": job}
	w.render(rw, r, http.StatusOK, "admin_policies", "reapply", *v)
}
