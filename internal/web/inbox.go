package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/ticket"
)

// views are the inbox's saved views, in menu order.
var views = []string{"mine", "unassigned", "teams", "all", "at_risk", "snoozed", "pending", "on_hold", "solved"}

var activeStatuses = []kefu.Status{kefu.StatusNew, kefu.StatusOpen, kefu.StatusPending, kefu.StatusOnHold}

// viewFilter is the filter behind a view for user u.
func viewFilter(view string, u *kefu.User) store.TicketFilter {
	f := store.TicketFilter{Statuses: activeStatuses}
	switch view {
	case "mine":
		f.AssigneeID = u.ID
		f.Statuses = []kefu.Status{kefu.StatusNew, kefu.StatusOpen, kefu.StatusOnHold}
	case "unassigned":
		f.Unassigned = true
	case "teams":
		f.TeamIDs = u.TeamIDs
		if len(f.TeamIDs) == 0 {
			f.TeamIDs = []int64{-1}
		}
	case "pending":
		f.Statuses = []kefu.Status{kefu.StatusPending}
	case "on_hold":
		f.Statuses = []kefu.Status{kefu.StatusOnHold}
	case "solved":
		f.Statuses = []kefu.Status{kefu.StatusSolved}
	}
	if view != "solved" {
		// A snoozed ticket is out of the way until it wakes; the
		// "snoozed" view lists it (see snoozedRows).
		f.Snoozed = "hide"
	}
	return f
}

type viewCount struct {
	Key   string
	Count int // -1: not counted (the at-risk placeholder)
}

// countsFresh is how long a user's view counts are reused while tickets
// keep changing; without changes they are reused until the next one.
const countsFresh = 2 * time.Second

type cachedCounts struct {
	gen uint64
	at  time.Time
	c   store.InboxCounts
}

// inboxCounts counts the views for u, reusing the last count when no ticket
// changed since (a change anywhere bumps w.gen through the realtime hub).
func (w *Web) inboxCounts(ctx context.Context, u *kefu.User) (store.InboxCounts, error) {
	gen := w.gen.Load()
	w.countsMu.Lock()
	cc, ok := w.counts[u.ID]
	w.countsMu.Unlock()
	if ok && (cc.gen == gen || time.Since(cc.at) < countsFresh) {
		return cc.c, nil
	}
	c, err := w.st.CountInbox(ctx, auth.Scope(u), u.ID, u.TeamIDs)
	if err != nil {
		return c, err
	}
	w.countsMu.Lock()
	w.counts[u.ID] = cachedCounts{gen: gen, at: time.Now(), c: c}
	w.countsMu.Unlock()
	return c, nil
}

// watchChanges bumps the change generation on every ticket change, on
// whichever node it happened.
func (w *Web) watchChanges() {
	ch, _ := w.hub.Subscribe("inbox")
	for range ch {
		w.gen.Add(1)
	}
}

func (w *Web) viewCounts(ctx context.Context, u *kefu.User) ([]viewCount, error) {
	c, err := w.inboxCounts(ctx, u)
	if err != nil {
		return nil, err
	}
	n := map[string]int{"mine": c.Mine, "unassigned": c.Unassigned, "teams": c.Teams, "all": c.All,
		"at_risk": -1, "snoozed": c.Snoozed, "pending": c.Pending, "on_hold": c.OnHold, "solved": c.Solved}
	out := make([]viewCount, 0, len(views))
	for _, v := range views {
		out = append(out, viewCount{v, n[v]})
	}
	return out, nil
}

type inboxRow struct {
	T        *kefu.Ticket
	Customer string
	Category string
	Assignee string
}

// parseInbox reads the inbox's query: a view plus filters that narrow it.
func parseInbox(q url.Values, u *kefu.User) (string, store.TicketFilter, map[string]string) {
	view := q.Get("view")
	if !contains(views, view) {
		view = "mine"
		if u.Role == kefu.RoleCollaborator || u.Role == kefu.RoleSupervisor || u.Role == kefu.RoleAdmin {
			view = "all"
		}
	}
	f := viewFilter(view, u)
	raw := map[string]string{}
	for _, k := range []string{"status", "channel", "type", "priority", "category", "assignee", "team", "tag", "from", "to", "sort", "cursor"} {
		raw[k] = strings.TrimSpace(q.Get(k))
	}
	if s := kefu.Status(raw["status"]); s.Valid() {
		f.Statuses = []kefu.Status{s}
	}
	if c := kefu.Channel(raw["channel"]); c.Valid() {
		f.Channel = c
	}
	if t := kefu.TicketType(raw["type"]); t.Valid() {
		f.Type = t
	}
	if p := kefu.Priority(raw["priority"]); p.Valid() {
		f.Priority = p
	}
	f.CategoryID, _ = strconv.ParseInt(raw["category"], 10, 64)
	if raw["assignee"] == "none" {
		f.Unassigned, f.AssigneeID = true, 0
	} else if id, err := strconv.ParseInt(raw["assignee"], 10, 64); err == nil {
		f.Unassigned, f.AssigneeID = false, id
	}
	if id, err := strconv.ParseInt(raw["team"], 10, 64); err == nil {
		f.TeamID = id
	}
	f.Tag = raw["tag"]
	if t, err := time.ParseInLocation("2006-01-02", raw["from"], shanghai); err == nil {
		f.CreatedFrom = t
	}
	if t, err := time.ParseInLocation("2006-01-02", raw["to"], shanghai); err == nil {
		f.CreatedTo = t.AddDate(0, 0, 1)
	}
	if !contains(inboxSorts, raw["sort"]) {
		raw["sort"] = "updated_at"
	}
	f.Sort = raw["sort"]
	f.Cursor = raw["cursor"]
	f.Limit = 50
	return view, f, raw
}

// narrowed reports whether filters beyond the view are set, so the view's
// own count no longer tells how many tickets match.
func narrowed(raw map[string]string) bool {
	for k, v := range raw {
		if v != "" && k != "sort" && k != "cursor" {
			return true
		}
	}
	return false
}

var inboxSorts = []string{"updated_at", "created_at", "priority", "number"}

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}()

func contains(set []string, v string) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}

func (w *Web) inbox(rw http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	view, f, raw := parseInbox(r.URL.Query(), v.User)
	data := map[string]any{"View": view, "Q": raw, "F": f, "Cursor": f.Cursor,
		"Statuses": kefu.Statuses, "Channels": kefu.Channels, "Types": kefu.TicketTypes, "Priorities": kefu.Priorities, "Sorts": inboxSorts,
		"CanEdit": auth.Can(v.User, auth.EditTickets) == nil}
	counts, err := w.viewCounts(ctx, v.User)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	data["Views"] = counts
	users, teams, cats, err := w.directory(ctx, v.User)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	data["Users"], data["Teams"], data["Categories"] = users, teams, cats
	switch view {
	case "snoozed":
		if err := w.snoozedRows(ctx, v, r.URL.Query(), f.Cursor, users, cats, data); err != nil {
			w.fail(rw, r, v, err)
			return
		}
	case "at_risk":
		risks, err := w.atRisk(ctx, v.User)
		if err != nil {
			w.fail(rw, r, v, err)
			return
		}
		data["Risks"] = risks
	default:
		ts, next, err := w.tickets.List(ctx, v.User, f)
		if err != nil {
			w.fail(rw, r, v, err)
			return
		}
		n := -1
		if narrowed(raw) {
			cf := f
			cf.Cursor, cf.Scope = "", auth.Scope(v.User)
			if n, err = w.st.CountTickets(ctx, cf); err != nil {
				w.fail(rw, r, v, err)
				return
			}
		} else {
			for _, c := range counts {
				if c.Key == view {
					n = c.Count
				}
			}
		}
		data["Count"] = n
		if err := w.attachSLA(ctx, ts...); err != nil {
			w.fail(rw, r, v, err)
			return
		}
		rows, err := w.rows(ctx, v.Lang, ts, users, cats)
		if err != nil {
			w.fail(rw, r, v, err)
			return
		}
		data["Rows"] = rows
		q := r.URL.Query()
		q.Del("cursor")
		data["FirstURL"] = "/?" + q.Encode()
		if next != "" {
			q.Set("cursor", next)
			data["NextURL"] = "/?" + q.Encode()
		}
	}
	v.Page, v.Data = "inbox", data
	w.render(rw, r, http.StatusOK, "inbox", "", *v)
}

// inboxViews re-renders the view list with fresh counts (live updates).
func (w *Web) inboxViews(rw http.ResponseWriter, r *http.Request, v *view) {
	counts, err := w.viewCounts(r.Context(), v.User)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	view := r.URL.Query().Get("view")
	v.Data = map[string]any{"View": view, "Views": counts}
	w.render(rw, r, http.StatusOK, "inbox", "views", *v)
}

// directory loads the people, teams and categories the pages pick from.
func (w *Web) directory(ctx context.Context, u *kefu.User) ([]*kefu.User, []*kefu.Team, []*kefu.Category, error) {
	users, err := w.users.List(ctx, u)
	if err != nil {
		return nil, nil, nil, err
	}
	active := users[:0]
	for _, x := range users {
		if x.Status == kefu.UserActive {
			active = append(active, x)
		}
	}
	teams, err := w.users.Teams(ctx, u)
	if err != nil {
		return nil, nil, nil, err
	}
	cats, err := w.tickets.Categories(ctx, u)
	if err != nil {
		return nil, nil, nil, err
	}
	// Groups first, each followed by its problems.
	var ordered []*kefu.Category
	for _, g := range cats {
		if g.ParentID == nil && !g.Archived {
			ordered = append(ordered, g)
			for _, c := range cats {
				if c.ParentID != nil && *c.ParentID == g.ID && !c.Archived {
					ordered = append(ordered, c)
				}
			}
		}
	}
	return active, teams, ordered, nil
}

func (w *Web) rows(ctx context.Context, lang string, ts []*kefu.Ticket, users []*kefu.User, cats []*kefu.Category) ([]inboxRow, error) {
	ids := make([]int64, 0, len(ts))
	for _, t := range ts {
		ids = append(ids, t.CustomerID)
	}
	names, err := w.st.CustomerNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	userName := map[int64]string{}
	for _, u := range users {
		userName[u.ID] = u.Name
	}
	catName := map[int64]string{}
	for _, c := range cats {
		catName[c.ID] = categoryName(lang, c)
	}
	rows := make([]inboxRow, len(ts))
	for i, t := range ts {
		rows[i] = inboxRow{T: t, Customer: names[t.CustomerID]}
		if t.AssigneeID != nil {
			rows[i].Assignee = userName[*t.AssigneeID]
		}
		if t.CategoryID != nil {
			rows[i].Category = catName[*t.CategoryID]
		}
	}
	return rows, nil
}

// bulk applies one action (assign, status) and optionally a tag to the
// checked tickets, each through the ticket use case.
func (w *Web) bulk(rw http.ResponseWriter, r *http.Request, v *view) {
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, v, kefu.Invalid("form", "unreadable"))
		return
	}
	action, tag := r.FormValue("action"), strings.TrimSpace(r.FormValue("tag"))
	back := r.FormValue("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/"
	}
	var p ticket.Patch
	kind, val, _ := strings.Cut(action, ":")
	switch kind {
	case "assign":
		id, err := strconv.ParseInt(val, 10, 64)
		if err != nil {
			w.fail(rw, r, v, kefu.Invalid("action", "bad assignee"))
			return
		}
		p.AssigneeID = ticket.Field[*int64]{Set: true, Value: &id}
	case "status":
		p.Status = ticket.Field[kefu.Status]{Set: true, Value: kefu.Status(val)}
	}
	done := 0
	var failures []string
	for _, s := range r.Form["ids"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			continue
		}
		pp := p
		if tag != "" {
			t, err := w.tickets.Get(r.Context(), v.User, id)
			if err != nil {
				failures = append(failures, fmt.Sprintf("%d: %v", id, err))
				continue
			}
			pp.Tags = ticket.Field[[]string]{Set: true, Value: append(t.Tags, tag)}
		}
		if _, err := w.tickets.Update(r.Context(), v.User, id, pp); err != nil {
			failures = append(failures, fmt.Sprintf("%d: %v", id, err))
			continue
		}
		done++
	}
	if len(failures) > 0 && done == 0 {
		w.errorPage(rw, r, v.User, http.StatusConflict, strings.Join(failures, "; "))
		return
	}
	http.Redirect(rw, r, back, http.StatusSeeOther)
}
