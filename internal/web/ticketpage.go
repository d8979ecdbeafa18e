package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/realtime"
	"github.com/kefu-dev/kefu/internal/sla"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/ticket"
)

type msgRow struct {
	M      *kefu.Message
	Author string
}

type activityRow struct {
	At   time.Time
	Who  string
	What string
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, kefu.NotFound("page")
	}
	return id, nil
}

func optID(s string) *int64 {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return nil
	}
	return &id
}

func idString(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

// ticketData gathers everything the ticket page shows.
func (w *Web) ticketData(ctx context.Context, v *view, id int64) (map[string]any, error) {
	t, err := w.tickets.Get(ctx, v.User, id)
	if err != nil {
		return nil, err
	}
	users, teams, cats, err := w.directory(ctx, v.User)
	if err != nil {
		return nil, err
	}
	d := map[string]any{"T": t, "Users": users, "Teams": teams, "Categories": cats,
		"Statuses": kefu.Statuses, "Priorities": kefu.Priorities, "Types": kefu.TicketTypes,
		"ReplyStatuses": []kefu.Status{kefu.StatusPending, kefu.StatusOnHold, kefu.StatusSolved},
		"CategoryID":    idString(t.CategoryID), "AssigneeID": idString(t.AssigneeID), "TeamID": idString(t.TeamID),
		"CanEdit": auth.Can(v.User, auth.EditTickets) == nil, "CanReply": auth.Can(v.User, auth.ReplyToCustomer) == nil,
		"CanNote": auth.Can(v.User, auth.AddNotes) == nil}
	userName := map[int64]string{}
	for _, u := range users {
		userName[u.ID] = u.Name
	}
	cust, err := w.st.Customer(ctx, t.CustomerID)
	if err != nil {
		return nil, err
	}
	d["Customer"] = cust
	if d["Chat"], err = w.chatStrip(ctx, v, t, cust); err != nil {
		return nil, err
	}
	if err := w.attachSLA(ctx, t); err != nil {
		return nil, err
	}
	if d["Promises"], err = w.promises(ctx, v, t, cust.Name); err != nil {
		return nil, err
	}
	d["HasDeadlines"] = w.deadlines != nil
	if err := w.snoozeData(ctx, v, t, d); err != nil {
		return nil, err
	}
	msgs, err := w.messages(ctx, v, t, cust, userName)
	if err != nil {
		return nil, err
	}
	d["Messages"] = msgs
	orders, err := w.st.Orders(ctx, store.OrderFilter{CustomerID: t.CustomerID, Limit: 10})
	if err != nil {
		return nil, err
	}
	var others []*kefu.Order
	for _, o := range orders {
		if t.OrderID != nil && o.ID == *t.OrderID {
			d["Order"] = o
		} else {
			others = append(others, o)
		}
	}
	if t.OrderID != nil && d["Order"] == nil {
		if o, err := w.st.Order(ctx, *t.OrderID); err == nil {
			d["Order"] = o
		}
	}
	d["OtherOrders"] = others
	if err := w.loadCases(ctx, v, t, d); err != nil {
		return nil, err
	}
	prev, _, err := w.tickets.List(ctx, v.User, store.TicketFilter{CustomerID: t.CustomerID, Sort: "created_at", Limit: 11})
	if err != nil {
		return nil, err
	}
	var previous []*kefu.Ticket
	for _, p := range prev {
		if p.ID != t.ID && len(previous) < 10 {
			previous = append(previous, p)
		}
	}
	d["Previous"] = previous
	if err := w.relations(ctx, v, t, d); err != nil {
		return nil, err
	}
	if t.FollowUpOf != nil {
		if p, err := w.st.Ticket(ctx, *t.FollowUpOf); err == nil {
			d["FollowUpNumber"] = p.Number
		}
	}
	hs, err := w.st.Handoffs(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	if len(hs) > 0 {
		h := hs[0]
		d["Handoff"] = h
		if h.FromUserID != nil {
			d["HandoffFrom"] = userName[*h.FromUserID]
		}
		var to []string
		if h.ToUserID != nil {
			to = append(to, userName[*h.ToUserID])
		}
		if h.ToTeamID != nil {
			for _, tm := range teams {
				if tm.ID == *h.ToTeamID {
					to = append(to, tm.Name)
				}
			}
		}
		d["HandoffTo"] = strings.Join(to, " / ")
	}
	events, err := w.st.TicketEvents(ctx, t.ID, 0, 200)
	if err != nil {
		return nil, err
	}
	d["Activity"] = w.activity(v.Lang, events, userName)
	return d, nil
}

func (w *Web) messages(ctx context.Context, v *view, t *kefu.Ticket, cust *kefu.Customer, userName map[int64]string) ([]msgRow, error) {
	ms, err := w.st.Messages(ctx, t.ID, 0, 0)
	if err != nil {
		return nil, err
	}
	rows := make([]msgRow, len(ms))
	for i, m := range ms {
		rows[i].M = m
		switch {
		case m.AuthorUserID != nil:
			rows[i].Author = userName[*m.AuthorUserID]
		case m.AuthorCustomerID != nil:
			rows[i].Author = cust.Name
		}
	}
	return rows, nil
}

func (w *Web) activity(lang string, es []*kefu.Event, userName map[int64]string) []activityRow {
	rows := make([]activityRow, 0, len(es))
	for _, e := range es {
		who := w.cat.T(lang, "kind.system")
		if e.ActorUserID != nil {
			who = userName[*e.ActorUserID]
		}
		what := e.Type
		if e.Type == kefu.EventTicketUpdated {
			var d struct {
				Changes map[string][2]any `json:"changes"`
			}
			if json.Unmarshal(e.Data, &d) == nil {
				keys := make([]string, 0, len(d.Changes))
				for k := range d.Changes {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				var parts []string
				for _, k := range keys {
					parts = append(parts, fmt.Sprintf("%s: %v → %v", k, fmtVal(d.Changes[k][0]), fmtVal(d.Changes[k][1])))
				}
				what = strings.Join(parts, "; ")
			}
		}
		rows = append(rows, activityRow{At: e.CreatedAt, Who: who, What: what})
	}
	return rows
}

func fmtVal(v any) string {
	if v == nil {
		return "—"
	}
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func (w *Web) ticketPage(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	d, err := w.ticketData(r.Context(), v, id)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	v.Page, v.Data = "ticket", d
	w.render(rw, r, http.StatusOK, "ticket", "", *v)
}

// conversation re-renders the message list (live updates).
func (w *Web) conversation(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	t, err := w.tickets.Get(r.Context(), v.User, id)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	users, err := w.users.List(r.Context(), v.User)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	names := map[int64]string{}
	for _, u := range users {
		names[u.ID] = u.Name
	}
	cust, err := w.st.Customer(r.Context(), t.CustomerID)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	msgs, err := w.messages(r.Context(), v, t, cust, names)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	cs, err := w.chatStrip(r.Context(), v, t, cust)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	v.Data = map[string]any{"T": t, "Messages": msgs, "Chat": cs}
	w.render(rw, r, http.StatusOK, "ticket", "conversation", *v)
}

// maxUpload bounds one message's attachments, as in the API.
const maxUpload = 64 << 20

func (w *Web) addMessage(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	r.Body = http.MaxBytesReader(rw, r.Body, maxUpload)
	if err := r.ParseMultipartForm(32 << 20); err != nil && err != http.ErrNotMultipart {
		w.fail(rw, r, v, kefu.Invalid("attachments", "the upload is too large or broken: %v", err))
		return
	}
	in := ticket.NewMessage{Kind: kefu.MessageKind(r.FormValue("kind")), Body: r.FormValue("body"), Status: kefu.Status(r.FormValue("status"))}
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["attachments"] {
			f, err := fh.Open()
			if err != nil {
				w.fail(rw, r, v, err)
				return
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				w.fail(rw, r, v, err)
				return
			}
			in.Attachments = append(in.Attachments, ticket.Upload{Filename: fh.Filename, Data: data})
		}
	}
	_, t, err := w.chat.Reply(r.Context(), v.User, id, in)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	if r.Header.Get("X-Requested-With") == "fetch" { // the chat composer sends without leaving the page
		rw.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/tickets/%d", t.ID), http.StatusSeeOther)
}

// updateProps applies the property form: only fields that differ change.
func (w *Web) updateProps(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	t, err := w.tickets.Get(r.Context(), v.User, id)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	_ = r.ParseForm()
	var p ticket.Patch
	if s := kefu.Status(r.FormValue("status")); s != "" && s != t.Status {
		p.Status = ticket.Field[kefu.Status]{Set: true, Value: s}
	}
	if s := kefu.Priority(r.FormValue("priority")); s != "" && s != t.Priority {
		p.Priority = ticket.Field[kefu.Priority]{Set: true, Value: s}
	}
	if s := kefu.TicketType(r.FormValue("type")); s != "" && s != t.Type {
		p.Type = ticket.Field[kefu.TicketType]{Set: true, Value: s}
	}
	if _, ok := r.Form["category_id"]; ok && r.FormValue("category_id") != idString(t.CategoryID) {
		p.CategoryID = ticket.Field[*int64]{Set: true, Value: optID(r.FormValue("category_id"))}
	}
	if _, ok := r.Form["assignee_id"]; ok && r.FormValue("assignee_id") != idString(t.AssigneeID) {
		p.AssigneeID = ticket.Field[*int64]{Set: true, Value: optID(r.FormValue("assignee_id"))}
	}
	if _, ok := r.Form["team_id"]; ok && r.FormValue("team_id") != idString(t.TeamID) {
		p.TeamID = ticket.Field[*int64]{Set: true, Value: optID(r.FormValue("team_id"))}
	}
	if _, ok := r.Form["tags"]; ok {
		var tags []string
		for _, tg := range strings.FieldsFunc(r.FormValue("tags"), func(c rune) bool { return c == ',' || c == '，' }) {
			if tg = strings.TrimSpace(tg); tg != "" {
				tags = append(tags, tg)
			}
		}
		if strings.Join(tags, ",") != strings.Join(t.Tags, ",") {
			p.Tags = ticket.Field[[]string]{Set: true, Value: tags}
		}
	}
	if _, err := w.tickets.Update(r.Context(), v.User, id, p); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	if r.Header.Get("HX-Request") == "true" {
		rw.Header().Set("HX-Trigger", `{"kefu:saved": ""}`)
		rw.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/tickets/%d", id), http.StatusSeeOther)
}

func (w *Web) transfer(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	toTeam := optID(r.FormValue("to_team_id"))
	hours, _ := strconv.Atoi(r.FormValue("due_business_hours"))
	// The hand-off and the department's due time commit together.
	if hours <= 0 || toTeam == nil || w.deadlines == nil {
		// A chat hears of its new agent; other tickets just change hands.
		_, err = w.chat.Transfer(r.Context(), v.User, id, optID(r.FormValue("to_user_id")), toTeam, r.FormValue("note"))
	} else {
		err = w.st.WithTx(r.Context(), func(ctx context.Context) error {
			if _, err := w.tickets.Transfer(ctx, v.User, id, optID(r.FormValue("to_user_id")), toTeam, r.FormValue("note")); err != nil {
				return err
			}
			if hours > 0 && toTeam != nil && w.deadlines != nil {
				_, err := w.deadlines.Promise(ctx, v.User, id, sla.PromiseInput{Kind: kefu.PromiseHandoff, TeamID: toTeam,
					BusinessMinutes: hours * 60, Note: r.FormValue("note")})
				return err
			}
			return nil
		})
	}
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/tickets/%d", id), http.StatusSeeOther)
}

func (w *Web) linkOrder(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	p := ticket.Patch{OrderID: ticket.Field[*int64]{Set: true, Value: optID(r.FormValue("order_id"))}}
	if _, err := w.tickets.Update(r.Context(), v.User, id, p); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/tickets/%d", id), http.StatusSeeOther)
}

// presence tells the others on a ticket that this user views or types.
func (w *Web) presence(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	if _, err := w.tickets.Get(r.Context(), v.User, id); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	state := "viewing"
	switch r.FormValue("state") {
	case "typing":
		state = "typing"
		w.chat.Typing(r.Context(), v.User, id) // the chat visitor sees it too
	case "left":
		// Said when the page goes away, so colleagues stop being warned at
		// once rather than when the viewing times out.
		state = "left"
	}
	data, _ := json.Marshal(map[string]string{"state": state, "name": v.User.Name})
	_ = w.hub.Publish(r.Context(), realtime.Message{Topic: fmt.Sprintf("ticket.%d", id), Type: "presence", TicketID: id, UserID: v.User.ID, Data: data})
	rw.WriteHeader(http.StatusNoContent)
}

// attachment serves a file of a ticket the user may see, with safe headers.
func (w *Web) attachment(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	att, ticketID, err := w.st.Attachment(r.Context(), id)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	if _, err := w.tickets.Get(r.Context(), v.User, ticketID); err != nil {
		w.fail(rw, r, v, kefu.NotFound("attachment"))
		return
	}
	data, err := w.st.Blob(r.Context(), att.SHA256)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	disp := "attachment"
	if strings.HasPrefix(att.ContentType, "image/") && !strings.Contains(att.ContentType, "svg") {
		disp = "inline"
	}
	h := rw.Header()
	h.Set("Content-Type", att.ContentType)
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": att.Filename}))
	h.Set("Cache-Control", "private, max-age=86400")
	_, _ = rw.Write(data)
}
