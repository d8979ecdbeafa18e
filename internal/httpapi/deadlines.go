package httpapi

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/sla"
	"github.com/kefu-dev/kefu/internal/store"
)

// attachSLA fills the sla field of tickets about to be returned. It runs
// after the use case committed, so the due times are those of the change.
func (a *API) attachSLA(r *http.Request, ts ...*kefu.Ticket) error {
	if a.deadlines == nil {
		return nil
	}
	return a.deadlines.Attach(r.Context(), ts...)
}

// calendarSaved is the answer to a calendar change: the calendar and the
// progress of the background recompute of the due times counted on it.
type calendarSaved struct {
	*kefu.Calendar
	Recompute *store.SLARecompute `json:"recompute"`
}

func (a *API) listCalendars(r *http.Request, actor *kefu.User) (int, any, error) {
	cs, err := a.deadlines.Calendars(r.Context(), actor)
	return http.StatusOK, page[*kefu.Calendar]{Items: cs}, err
}

func (a *API) getCalendar(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	c, err := a.deadlines.Calendar(r.Context(), actor, id)
	return http.StatusOK, c, err
}

func (a *API) createCalendar(r *http.Request, actor *kefu.User) (int, any, error) {
	var c kefu.Calendar
	if err := decode(r, &c); err != nil {
		return 0, nil, err
	}
	c.ID = 0
	err := a.deadlines.CreateCalendar(r.Context(), actor, &c)
	return http.StatusCreated, &c, err
}

func (a *API) updateCalendar(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var c kefu.Calendar
	if err := decode(r, &c); err != nil {
		return 0, nil, err
	}
	c.ID = id
	job, err := a.deadlines.UpdateCalendar(r.Context(), actor, &c)
	return http.StatusOK, calendarSaved{&c, job}, err
}

func (a *API) getRecompute(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 0 {
		return 0, nil, kefu.NotFound("calendar")
	}
	j, err := a.deadlines.RecomputeStatus(r.Context(), actor, id)
	return http.StatusOK, j, err
}

func (a *API) deleteCalendar(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, a.deadlines.DeleteCalendar(r.Context(), actor, id)
}

// importCalendar takes an iCalendar file (text/calendar) as the body.
func (a *API) importCalendar(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	q := &query{r: r}
	kind := q.oneOf("kind", func(s string) bool { return s == "holiday" || s == "workday" || s == "auto" }, "auto, holiday, workday")
	if q.err != nil {
		return 0, nil, q.err
	}
	if kind == "auto" {
		kind = ""
	}
	c, job, err := a.deadlines.ImportICal(r.Context(), actor, id, io.LimitReader(r.Body, maxJSONBody), kefu.DayKind(kind))
	return http.StatusOK, calendarSaved{c, job}, err
}

func (a *API) listSLAPolicies(r *http.Request, actor *kefu.User) (int, any, error) {
	ps, err := a.deadlines.Policies(r.Context(), actor)
	return http.StatusOK, page[*kefu.SLAPolicy]{Items: ps}, err
}

func (a *API) getSLAPolicy(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	p, err := a.deadlines.Policy(r.Context(), actor, id)
	return http.StatusOK, p, err
}

func (a *API) createSLAPolicy(r *http.Request, actor *kefu.User) (int, any, error) {
	p := kefu.SLAPolicy{Enabled: true} // absent means enabled
	if err := decode(r, &p); err != nil {
		return 0, nil, err
	}
	p.ID = 0
	err := a.deadlines.SavePolicy(r.Context(), actor, &p)
	return http.StatusCreated, &p, err
}

func (a *API) updateSLAPolicy(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var p kefu.SLAPolicy
	if err := decode(r, &p); err != nil {
		return 0, nil, err
	}
	p.ID = id
	err = a.deadlines.SavePolicy(r.Context(), actor, &p)
	return http.StatusOK, &p, err
}

func (a *API) deleteSLAPolicy(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, a.deadlines.DeletePolicy(r.Context(), actor, id)
}

func (a *API) getTeamSettings(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	ts, err := a.deadlines.TeamSettings(r.Context(), actor, id)
	return http.StatusOK, ts, err
}

func (a *API) putTeamSettings(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var ts store.TeamSettings
	if err := decode(r, &ts); err != nil {
		return 0, nil, err
	}
	ts.TeamID = id
	err = a.deadlines.SaveTeamSettings(r.Context(), actor, &ts)
	return http.StatusOK, &ts, err
}

// atRiskParams documents GET /at-risk.
var atRiskParams = []param{
	{"within", "integer", "minutes ahead to look (default 240); past deadlines are always included"},
	{"assignee_id", "integer", "only tickets assigned to this user; 'me' for the caller"},
	{"team_id", "integer", "only tickets of this team"},
	{"limit", "integer", "at most this many (default 50, at most 500)"},
}

func (a *API) atRisk(r *http.Request, actor *kefu.User) (int, any, error) {
	q := &query{r: r}
	within := q.int("within", 240, 1, 60*24*366)
	f := store.AtRiskFilter{TeamID: q.int("team_id", 0, 1, 1<<62), Limit: int(q.int("limit", 50, 1, 500))}
	if q.str("assignee_id") == "me" {
		f.AssigneeID = actor.ID
	} else {
		f.AssigneeID = q.int("assignee_id", 0, 1, 1<<62)
	}
	if q.err != nil {
		return 0, nil, q.err
	}
	f.Before = time.Now().Add(time.Duration(within) * time.Minute)
	items, err := a.deadlines.AtRisk(r.Context(), actor, f)
	return http.StatusOK, page[*store.AtRisk]{Items: items}, err
}

// ticketSLA is a ticket's SLA in full: the live view and finished cycles.
type ticketSLA struct {
	*kefu.TicketSLA
	Results []kefu.SLAResult `json:"results"`
}

func (a *API) getTicketSLA(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	t, err := a.tickets.Get(r.Context(), actor, id)
	if err != nil {
		return 0, nil, err
	}
	if err := a.attachSLA(r, t); err != nil {
		return 0, nil, err
	}
	res, err := a.deadlines.Results(r.Context(), actor, id)
	return http.StatusOK, ticketSLA{t.SLA, res}, err
}

// promiseView is a promise as the API shows it: once its reminder time has
// come, with the progress-update reply to offer the customer.
type promiseView struct {
	*kefu.Promise
	DueSoon         bool    `json:"due_soon"`
	Overdue         bool    `json:"overdue"`
	ProgressReplyZH *string `json:"progress_reply_zh"`
	ProgressReplyEN *string `json:"progress_reply_en"`
}

func (a *API) viewPromise(r *http.Request, p *kefu.Promise) promiseView {
	now := time.Now()
	v := promiseView{Promise: p}
	if p.State != kefu.PromiseOpen {
		return v
	}
	v.Overdue = !now.Before(p.DueAt)
	v.DueSoon = !v.Overdue && !now.Before(p.RemindAt)
	if v.DueSoon || v.Overdue {
		name := ""
		if t, err := a.st.Ticket(r.Context(), p.TicketID); err == nil {
			if c, err := a.st.Customer(r.Context(), t.CustomerID); err == nil {
				name = c.Name
			}
		}
		zh, en := sla.ProgressReply(p, name)
		v.ProgressReplyZH, v.ProgressReplyEN = &zh, &en
	}
	return v
}

func (a *API) listPromises(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	ps, err := a.deadlines.Promises(r.Context(), actor, id)
	if err != nil {
		return 0, nil, err
	}
	out := make([]promiseView, len(ps))
	for i, p := range ps {
		out[i] = a.viewPromise(r, p)
	}
	return http.StatusOK, page[promiseView]{Items: out}, nil
}

func (a *API) createPromise(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in sla.PromiseInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	p, err := a.deadlines.Promise(r.Context(), actor, id, in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, a.viewPromise(r, p), nil
}

func (a *API) closePromise(kept bool) handlerFunc {
	return func(r *http.Request, actor *kefu.User) (int, any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		p, err := a.deadlines.ClosePromise(r.Context(), actor, id, kept)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, a.viewPromise(r, p), nil
	}
}

type snoozeInput struct {
	Until time.Time `json:"until"`
}

func (a *API) getSnooze(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	z, err := a.deadlines.SnoozeOf(r.Context(), actor, id)
	return http.StatusOK, z, err
}

func (a *API) putSnooze(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in snoozeInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	z, err := a.deadlines.Snooze(r.Context(), actor, id, in.Until)
	return http.StatusOK, z, err
}

func (a *API) deleteSnooze(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, a.deadlines.Unsnooze(r.Context(), actor, id)
}

func (a *API) listNotifications(r *http.Request, actor *kefu.User) (int, any, error) {
	q := &query{r: r}
	before := q.int("before", 0, 0, 1<<62)
	limit := int(q.int("limit", 50, 1, 200))
	unread := strings.EqualFold(q.str("unread"), "true")
	if q.err != nil {
		return 0, nil, q.err
	}
	ns, err := a.st.Notifications(r.Context(), actor.ID, before, unread, limit+1)
	if err != nil {
		return 0, nil, err
	}
	next := ""
	if len(ns) > limit {
		ns = ns[:limit]
		next = fmt.Sprint(ns[len(ns)-1].ID)
	}
	return http.StatusOK, page[*kefu.Notification]{Items: ns, NextCursor: next}, nil
}

type readInput struct {
	UpTo int64 `json:"up_to"`
}

func (a *API) readNotifications(r *http.Request, actor *kefu.User) (int, any, error) {
	var in readInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.UpTo <= 0 {
		return 0, nil, kefu.Invalid("up_to", "is required: the id of the newest notification read")
	}
	return http.StatusNoContent, nil, a.st.MarkNotificationsRead(r.Context(), actor.ID, in.UpTo, time.Now())
}
