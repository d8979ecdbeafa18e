package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/schedule"
	"github.com/kefu-dev/kefu/internal/store"
)

// UseSchedule gives the workspace the scheduled-reply use cases; without
// them (nil) the composer has no "send later".
func (w *Web) UseSchedule(later *schedule.Service) { w.later = later }

// quickChoice is one of the times offered to snooze or send later.
type quickChoice struct {
	Key string // the form value
	At  time.Time
}

// snoozeData fills what the ticket page shows about snoozing and replies
// waiting to be sent: the snooze (if any), the quick times, and the
// scheduled replies.
func (w *Web) snoozeData(ctx context.Context, v *view, t *kefu.Ticket, d map[string]any) error {
	if w.deadlines == nil {
		return nil
	}
	z, err := w.deadlines.SnoozeOf(ctx, v.User, t.ID)
	switch {
	case err == nil:
		d["Snooze"] = z
	case !errors.Is(err, kefu.ErrNotFound):
		return err
	}
	q, err := w.deadlines.QuickTimes(ctx, t.TeamID)
	if err != nil {
		return err
	}
	d["Quick"] = []quickChoice{{"2h", q.InTwoHours}, {"morning", q.NextMorning}, {"monday", q.NextMonday}}
	if w.later != nil && auth.Can(v.User, auth.ReplyToCustomer) == nil {
		ms, err := w.later.List(ctx, v.User, t.ID)
		if err != nil {
			return err
		}
		var pending []*store.ScheduledMessage
		for _, m := range ms {
			// Sent ones are ordinary replies in the conversation by now.
			if m.State != schedule.Sent {
				pending = append(pending, m)
			}
		}
		d["Scheduled"] = pending
		d["CanSchedule"] = true
	}
	return nil
}

// pickTime reads a quick choice ("2h", "morning", "monday") or, for "at",
// a date and time from the picker, shown in Shanghai time.
func (w *Web) pickTime(ctx context.Context, t *kefu.Ticket, choice, at, field string) (time.Time, error) {
	if choice == "" || choice == "at" {
		v, err := time.ParseInLocation("2006-01-02T15:04", at, w.loc)
		if err != nil {
			return time.Time{}, kefu.Invalid(field, "pick a date and time")
		}
		return v, nil
	}
	q, err := w.deadlines.QuickTimes(ctx, t.TeamID)
	if err != nil {
		return time.Time{}, err
	}
	switch choice {
	case "2h":
		return q.InTwoHours, nil
	case "morning":
		return q.NextMorning, nil
	case "monday":
		return q.NextMonday, nil
	}
	return time.Time{}, kefu.Invalid(field, "unknown choice %q", choice)
}

// snooze puts the ticket aside from the ticket page.
func (w *Web) snooze(rw http.ResponseWriter, r *http.Request, v *view) {
	t, ok := w.formTicket(rw, r, v)
	if !ok {
		return
	}
	until, err := w.pickTime(r.Context(), t, r.FormValue("for"), r.FormValue("until"), "until")
	if err == nil {
		_, err = w.deadlines.Snooze(r.Context(), v.User, t.ID, until)
	}
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	w.forgetCounts(v.User.ID)
	http.Redirect(rw, r, fmt.Sprintf("/tickets/%d", t.ID), http.StatusSeeOther)
}

// unsnooze brings the ticket back now.
func (w *Web) unsnooze(rw http.ResponseWriter, r *http.Request, v *view) {
	t, ok := w.formTicket(rw, r, v)
	if !ok {
		return
	}
	if err := w.deadlines.Unsnooze(r.Context(), v.User, t.ID); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	w.forgetCounts(v.User.ID)
	http.Redirect(rw, r, fmt.Sprintf("/tickets/%d", t.ID), http.StatusSeeOther)
}

// formTicket reads the ticket a snooze or schedule form is about.
func (w *Web) formTicket(rw http.ResponseWriter, r *http.Request, v *view) (*kefu.Ticket, bool) {
	id, err := pathID(r)
	if err == nil && w.deadlines == nil {
		err = kefu.NotFound("page")
	}
	var t *kefu.Ticket
	if err == nil {
		t, err = w.tickets.Get(r.Context(), v.User, id)
	}
	if err != nil {
		w.fail(rw, r, v, err)
		return nil, false
	}
	return t, true
}

// scheduleReply is the composer's "send later": the reply is stored now
// and sent by a durable timer at the chosen time.
func (w *Web) scheduleReply(rw http.ResponseWriter, r *http.Request, v *view) {
	r.Body = http.MaxBytesReader(rw, r.Body, maxUpload)
	if err := r.ParseMultipartForm(1 << 20); err != nil && err != http.ErrNotMultipart {
		w.fail(rw, r, v, kefu.Invalid("body", "the form is too large or broken: %v", err))
		return
	}
	if r.MultipartForm != nil && len(r.MultipartForm.File["attachments"]) > 0 {
		w.fail(rw, r, v, kefu.Invalid("attachments", "%s", w.cat.T(v.Lang, "later.no_attachments")))
		return
	}
	t, ok := w.formTicket(rw, r, v)
	if !ok {
		return
	}
	if w.later == nil {
		w.fail(rw, r, v, kefu.NotFound("page"))
		return
	}
	at, err := w.pickTime(r.Context(), t, r.FormValue("later"), r.FormValue("send_at"), "send_at")
	if err == nil {
		_, err = w.later.Schedule(r.Context(), v.User, t.ID, schedule.Input{Body: r.FormValue("body"), Status: kefu.Status(r.FormValue("status")), SendAt: at})
	}
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/tickets/%d#scheduled", t.ID), http.StatusSeeOther)
}

// cancelScheduled stops a scheduled reply that has not gone yet.
func (w *Web) cancelScheduled(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || w.later == nil {
		w.fail(rw, r, v, kefu.NotFound("scheduled message"))
		return
	}
	m, err := w.later.Cancel(r.Context(), v.User, id)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/tickets/%d#scheduled", m.TicketID), http.StatusSeeOther)
}

// snoozedRow is a row of the "snoozed" view: the ticket and when it wakes.
type snoozedRow struct {
	inboxRow
	Until time.Time
}

// snoozedRows loads the "snoozed" view, the tickets waking first first.
func (w *Web) snoozedRows(ctx context.Context, v *view, q url.Values, cursor string, users []*kefu.User, cats []*kefu.Category, data map[string]any) error {
	if w.deadlines == nil {
		return nil
	}
	zs, next, err := w.deadlines.Snoozed(ctx, v.User, cursor, 50)
	if err != nil {
		return err
	}
	ts := make([]*kefu.Ticket, len(zs))
	for i, z := range zs {
		ts[i] = z.Ticket
	}
	rows, err := w.rows(ctx, v.Lang, ts, users, cats)
	if err != nil {
		return err
	}
	out := make([]snoozedRow, len(zs))
	for i, z := range zs {
		out[i] = snoozedRow{inboxRow: rows[i], Until: z.Until}
	}
	data["Snoozed"] = out
	q.Del("cursor")
	data["FirstURL"] = "/?" + q.Encode()
	if next != "" {
		q.Set("cursor", next)
		data["NextURL"] = "/?" + q.Encode()
	}
	return nil
}

// forgetCounts drops a user's cached view counts: after their own snooze
// the next inbox they open must already count it, not wait for the outbox
// to tell every node.
func (w *Web) forgetCounts(userID int64) {
	w.countsMu.Lock()
	delete(w.counts, userID)
	w.countsMu.Unlock()
}
