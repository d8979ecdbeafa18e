package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/sla"
	"github.com/kefu-dev/kefu/internal/store"
)

// dueView is the soonest deadline of a ticket, as the inbox shows it.
type dueView struct {
	At     time.Time
	Metric string
	Class  string // "breached", "warned" or ""
}

// soonestDue picks the running SLA target due first.
func soonestDue(t *kefu.Ticket) *dueView {
	if t == nil || t.SLA == nil {
		return nil
	}
	var d *dueView
	for _, x := range t.SLA.Targets {
		if x.State != kefu.TargetRunning || x.DueAt == nil {
			continue
		}
		if d == nil || x.DueAt.Before(d.At) {
			d = &dueView{At: *x.DueAt, Metric: x.Metric}
			switch {
			case x.BreachedAt != nil || !time.Now().Before(*x.DueAt):
				d.Class = "breached"
			case x.WarnedAt != nil:
				d.Class = "warned"
			}
		}
	}
	return d
}

// until says how far a deadline is: "in 2h" or "2h overdue".
func (w *Web) until(lang string, at time.Time) string {
	d := time.Until(at)
	key := "due.in"
	if d < 0 {
		key, d = "due.over", -d
	}
	var span string
	switch {
	case d < time.Hour:
		span = w.cat.T(lang, "span.m", int(d.Minutes()))
	case d < 48*time.Hour:
		span = w.cat.T(lang, "span.h", int(d.Hours()))
	default:
		span = w.cat.T(lang, "span.d", int(d.Hours()/24))
	}
	return w.cat.T(lang, key, span)
}

// attachSLA fills the due times of tickets about to be shown.
func (w *Web) attachSLA(ctx context.Context, ts ...*kefu.Ticket) error {
	if w.deadlines == nil {
		return nil
	}
	return w.deadlines.Attach(ctx, ts...)
}

// atRisk loads the inbox's "at risk" view: the deadlines passing soonest.
func (w *Web) atRisk(ctx context.Context, u *kefu.User) ([]*store.AtRisk, error) {
	if w.deadlines == nil {
		return nil, nil
	}
	return w.deadlines.AtRisk(ctx, u, store.AtRiskFilter{Limit: 100})
}

// promiseRow is a promise on the ticket page, with the progress update to
// offer once it is near.
type promiseRow struct {
	*kefu.Promise
	Near     bool
	Overdue  bool
	Progress string
}

func (w *Web) promises(ctx context.Context, v *view, t *kefu.Ticket, customerName string) ([]promiseRow, error) {
	if w.deadlines == nil {
		return nil, nil
	}
	ps, err := w.deadlines.Promises(ctx, v.User, t.ID)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	out := make([]promiseRow, 0, len(ps))
	for _, p := range ps {
		r := promiseRow{Promise: p}
		if p.State == kefu.PromiseOpen {
			r.Overdue = !now.Before(p.DueAt)
			r.Near = !r.Overdue && !now.Before(p.RemindAt)
			if r.Near || r.Overdue {
				zh, en := sla.ProgressReply(p, customerName)
				r.Progress = zh
				if v.Lang == "en" {
					r.Progress = en
				}
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// addPromise records a promise from the ticket page: a quick choice (2 h,
// 24 h, 48 h) or a date and time.
func (w *Web) addPromise(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	if w.deadlines == nil {
		w.fail(rw, r, v, kefu.NotFound("page"))
		return
	}
	in := sla.PromiseInput{Note: r.FormValue("note")}
	if q := r.FormValue("in"); q != "" && q != "date" {
		in.In = q
	} else if at, err := time.ParseInLocation("2006-01-02T15:04", r.FormValue("due"), w.loc); err == nil {
		in.DueAt = &at
	}
	if _, err := w.deadlines.Promise(r.Context(), v.User, id, in); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/tickets/%d", id), http.StatusSeeOther)
}

// keepPromise marks a promise kept from the ticket page.
func (w *Web) keepPromise(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || w.deadlines == nil {
		w.fail(rw, r, v, kefu.NotFound("promise"))
		return
	}
	p, err := w.deadlines.ClosePromise(r.Context(), v.User, id, true)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/tickets/%d", p.TicketID), http.StatusSeeOther)
}
