package httpapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/ticket"
)

// ticketCreated is the answer to creating a ticket: the ticket and its first message.
type ticketCreated struct {
	*kefu.Ticket
	Message *kefu.Message `json:"message"`
}

func (a *API) createTicket(r *http.Request, actor *kefu.User) (int, any, error) {
	var in ticket.NewTicket
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	t, m, err := a.tickets.Create(r.Context(), actor, in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, ticketCreated{t, m}, a.attachSLA(r, t)
}

func (a *API) getTicket(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	t, err := a.tickets.Get(r.Context(), actor, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, t, a.attachSLA(r, t)
}

// ticketListParams documents the filters of GET /tickets.
var ticketListParams = []param{
	{"status", "string", "comma-separated statuses: new, open, pending, on_hold, solved, closed"},
	{"assignee_id", "integer", "tickets assigned to this user; 'none' for unassigned"},
	{"team_id", "integer", "tickets of this team"},
	{"customer_id", "integer", "tickets of this customer"},
	{"order_id", "integer", "tickets linked to this order"},
	{"channel", "string", "email, chat, portal, phone or api"},
	{"type", "string", "consultation, complaint or after_sales"},
	{"category_id", "integer", "a category; a group includes its problems"},
	{"priority", "string", "low, normal, high or urgent"},
	{"tag", "string", "tickets with this tag"},
	{"snoozed", "string", "hide: leave snoozed tickets out; only: only snoozed ones"},
	{"created_from", "string", "created at or after (RFC 3339 or YYYY-MM-DD)"},
	{"created_to", "string", "created before"},
	{"updated_from", "string", "updated at or after"},
	{"updated_to", "string", "updated before"},
	{"sort", "string", "updated_at (default), created_at, last_message_at, number or priority"},
	{"order", "string", "desc (default) or asc"},
	{"limit", "integer", "page size, 1 to 200 (default 50)"},
	{"cursor", "string", "next_cursor of the previous page"},
}

func (a *API) listTickets(r *http.Request, actor *kefu.User) (int, any, error) {
	q := &query{r: r}
	f := store.TicketFilter{
		TeamID:      q.int("team_id", 0, 1, 1<<62),
		CustomerID:  q.int("customer_id", 0, 1, 1<<62),
		OrderID:     q.int("order_id", 0, 1, 1<<62),
		CategoryID:  q.int("category_id", 0, 1, 1<<62),
		Channel:     kefu.Channel(q.oneOf("channel", func(s string) bool { return kefu.Channel(s).Valid() }, "email, chat, portal, phone, api")),
		Type:        kefu.TicketType(q.oneOf("type", func(s string) bool { return kefu.TicketType(s).Valid() }, "consultation, complaint, after_sales")),
		Priority:    kefu.Priority(q.oneOf("priority", func(s string) bool { return kefu.Priority(s).Valid() }, "low, normal, high, urgent")),
		Tag:         q.str("tag"),
		Snoozed:     q.oneOf("snoozed", func(s string) bool { return s == "hide" || s == "only" }, "hide, only"),
		CreatedFrom: q.time("created_from"),
		CreatedTo:   q.time("created_to"),
		UpdatedFrom: q.time("updated_from"),
		UpdatedTo:   q.time("updated_to"),
		Sort:        q.oneOf("sort", func(s string) bool { return oneOfStr(s, store.TicketSorts) }, strings.Join(store.TicketSorts, ", ")),
		Asc:         q.oneOf("order", func(s string) bool { return s == "asc" || s == "desc" }, "asc, desc") == "asc",
		Cursor:      q.str("cursor"),
		Limit:       int(q.int("limit", 50, 1, 200)),
	}
	if v := q.str("assignee_id"); v == "none" {
		f.Unassigned = true
	} else {
		f.AssigneeID = q.int("assignee_id", 0, 1, 1<<62)
	}
	if v := q.str("status"); v != "" {
		for _, s := range strings.Split(v, ",") {
			st := kefu.Status(strings.TrimSpace(s))
			if !st.Valid() {
				return 0, nil, errorf(http.StatusBadRequest, "invalid_parameter", "status", fmt.Sprintf("status must be among new, open, pending, on_hold, solved, closed; got %q", s))
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	if q.err != nil {
		return 0, nil, q.err
	}
	ts, next, err := a.tickets.List(r.Context(), actor, f)
	if err != nil {
		return 0, nil, err
	}
	if ts == nil {
		ts = []*kefu.Ticket{}
	}
	return http.StatusOK, page[*kefu.Ticket]{Items: ts, NextCursor: next}, a.attachSLA(r, ts...)
}

func (a *API) updateTicket(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var p ticket.Patch
	if err := decode(r, &p); err != nil {
		return 0, nil, err
	}
	t, err := a.tickets.Update(r.Context(), actor, id, p)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, t, a.attachSLA(r, t)
}

type mergeInput struct {
	TargetID int64 `json:"target_id"`
}

func (a *API) mergeTicket(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in mergeInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.TargetID <= 0 {
		return 0, nil, kefu.Invalid("target_id", "is required: the ticket to merge this one into")
	}
	t, err := a.tickets.Merge(r.Context(), actor, id, in.TargetID)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, t, a.attachSLA(r, t)
}

type transferInput struct {
	ToUserID *int64 `json:"to_user_id"`
	ToTeamID *int64 `json:"to_team_id"`
	Note     string `json:"note"`
}

func (a *API) transferTicket(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in transferInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	h, err := a.tickets.Transfer(r.Context(), actor, id, in.ToUserID, in.ToTeamID, in.Note)
	return http.StatusCreated, h, err
}

func (a *API) listHandoffs(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	hs, err := a.tickets.Handoffs(r.Context(), actor, id)
	return http.StatusOK, page[*kefu.Handoff]{Items: hs}, err
}

func (a *API) listMessages(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	q := &query{r: r}
	after := q.int("after", 0, 0, 1<<62)
	limit := int(q.int("limit", 500, 1, 1000))
	if q.err != nil {
		return 0, nil, q.err
	}
	ms, err := a.tickets.Messages(r.Context(), actor, id, after, limit+1)
	if err != nil {
		return 0, nil, err
	}
	next := ""
	if len(ms) > limit {
		ms = ms[:limit]
		next = fmt.Sprint(ms[len(ms)-1].ID)
	}
	return http.StatusOK, page[*kefu.Message]{Items: ms, NextCursor: next}, nil
}

// messageAdded is the answer to adding a message: the message and the ticket
// it landed on (a follow-up ticket when the original was closed).
type messageAdded struct {
	*kefu.Message
	Ticket *kefu.Ticket `json:"ticket"`
}

func (a *API) addMessage(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in ticket.NewMessage
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		if in, err = readMultipartMessage(r); err != nil {
			return 0, nil, err
		}
	} else if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	m, t, err := a.tickets.AddMessage(r.Context(), actor, id, in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, messageAdded{m, t}, a.attachSLA(r, t)
}

// maxAttachments bounds the files on one message.
const maxAttachments = 20

// readMultipartMessage reads a message sent as multipart/form-data: fields
// kind, body, html, status, external_id and any number of "attachments" files.
func readMultipartMessage(r *http.Request) (ticket.NewMessage, error) {
	var in ticket.NewMessage
	r.Body = http.MaxBytesReader(nil, r.Body, maxMultipartBody)
	mr, err := r.MultipartReader()
	if err != nil {
		return in, errorf(http.StatusBadRequest, "malformed_multipart", "", "the multipart body could not be read: "+err.Error())
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return in, errorf(http.StatusRequestEntityTooLarge, "too_large", "", fmt.Sprintf("the request body is larger than %d bytes", maxMultipartBody))
			}
			return in, errorf(http.StatusBadRequest, "malformed_multipart", "", "the multipart body could not be read: "+err.Error())
		}
		name := part.FormName()
		data, err := io.ReadAll(io.LimitReader(part, ticket.MaxAttachment+1))
		if err != nil {
			return in, errorf(http.StatusRequestEntityTooLarge, "too_large", name, fmt.Sprintf("the request body is larger than %d bytes", maxMultipartBody))
		}
		switch name {
		case "kind":
			in.Kind = kefu.MessageKind(data)
		case "body":
			in.Body = string(data)
		case "html":
			in.HTML = string(data)
		case "status":
			in.Status = kefu.Status(data)
		case "external_id":
			in.ExternalID = string(data)
		case "attachments":
			if len(in.Attachments) >= maxAttachments {
				return in, kefu.Invalid("attachments", "at most %d files per message", maxAttachments)
			}
			in.Attachments = append(in.Attachments, ticket.Upload{Filename: part.FileName(), Data: data})
		default:
			return in, errorf(http.StatusBadRequest, "unknown_field", name, fmt.Sprintf("unknown field %q", name))
		}
	}
	return in, nil
}

func (a *API) listActivity(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	q := &query{r: r}
	after := q.int("after", 0, 0, 1<<62)
	limit := int(q.int("limit", 200, 1, 1000))
	if q.err != nil {
		return 0, nil, q.err
	}
	es, err := a.tickets.Activity(r.Context(), actor, id, after, limit+1)
	if err != nil {
		return 0, nil, err
	}
	next := ""
	if len(es) > limit {
		es = es[:limit]
		next = fmt.Sprint(es[len(es)-1].ID)
	}
	return http.StatusOK, page[*kefu.Event]{Items: es, NextCursor: next}, nil
}

// downloadAttachment serves an attachment's bytes with headers that keep a
// browser from running them: the sniffed type, nosniff, a sandbox CSP, and
// attachment disposition for anything but images.
func (a *API) downloadAttachment(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	id, err := pathID(r, "id")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	att, ticketID, err := a.st.Attachment(r.Context(), id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if _, err := a.tickets.Get(r.Context(), actor, ticketID); err != nil {
		a.writeError(w, r, kefu.NotFound("attachment"))
		return
	}
	data, err := a.st.Blob(r.Context(), att.SHA256)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	disp := "attachment"
	if strings.HasPrefix(att.ContentType, "image/") && !strings.Contains(att.ContentType, "svg") {
		disp = "inline"
	}
	w.Header().Set("Content-Type", att.ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": att.Filename}))
	w.Header().Set("ETag", `"`+att.SHA256+`"`)
	w.Header().Set("Cache-Control", "private, max-age=86400")
	_, _ = w.Write(data)
}

func oneOfStr(s string, set []string) bool {
	for _, v := range set {
		if s == v {
			return true
		}
	}
	return false
}
