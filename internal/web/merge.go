package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/ticket"
)

// relatedKey is the custom field that holds a ticket's related ticket ids.
const relatedKey = "related"

// relations adds to the ticket page what merge and link need: the
// customer's other open tickets, the related tickets and, for a merged
// ticket, the survivor.
func (w *Web) relations(ctx context.Context, v *view, t *kefu.Ticket, d map[string]any) error {
	d["CanMerge"] = auth.Can(v.User, auth.MergeTickets) == nil && t.MergedInto == nil && t.Status != kefu.StatusClosed
	if t.MergedInto != nil {
		if s, err := w.tickets.Get(ctx, v.User, *t.MergedInto); err == nil {
			d["Survivor"] = s
		}
	}
	// The customer's recent tickets are already on the page (Previous); the
	// open ones among them are offered for merging and the rest stay listed
	// as previous, so no second query is needed.
	prev, _ := d["Previous"].([]*kefu.Ticket)
	var others, rest []*kefu.Ticket
	for _, p := range prev {
		if p.MergedInto == nil && p.Status != kefu.StatusSolved && p.Status != kefu.StatusClosed {
			others = append(others, p)
		} else {
			rest = append(rest, p)
		}
	}
	d["OpenOthers"], d["Previous"] = others, rest
	var related []*kefu.Ticket
	for _, id := range relatedIDs(t) {
		// Tickets the user may not see are left out rather than shown as errors.
		if r, err := w.tickets.Get(ctx, v.User, id); err == nil {
			related = append(related, r)
		}
	}
	d["Related"] = related
	return nil
}

// relatedIDs reads the related ids from custom fields (JSON numbers decode
// as float64).
func relatedIDs(t *kefu.Ticket) []int64 {
	raw, _ := t.CustomFields[relatedKey].([]any)
	var ids []int64
	for _, x := range raw {
		switch n := x.(type) {
		case float64:
			ids = append(ids, int64(n))
		case int64:
			ids = append(ids, n)
		case int:
			ids = append(ids, int64(n))
		}
	}
	return ids
}

// ticketRef finds a ticket by its id (form fields from buttons) or by the
// number an agent typed ("#1024" or "1024").
func (w *Web) ticketRef(ctx context.Context, v *view, idField, numberField string) (*kefu.Ticket, error) {
	if id := optID(idField); id != nil {
		return w.tickets.Get(ctx, v.User, *id)
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(numberField), "#"), 10, 64)
	if err != nil || n <= 0 {
		return nil, kefu.Invalid("number", "give a ticket number")
	}
	t, err := w.st.TicketByNumber(ctx, n)
	if err != nil {
		return nil, err
	}
	return w.tickets.Get(ctx, v.User, t.ID)
}

// merge merges one ticket into another: with source_id, that ticket merges
// into this one; with target_id or number, this one merges into that one.
func (w *Web) merge(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	_ = r.ParseForm()
	sourceID, targetID := id, int64(0)
	if src := optID(r.FormValue("source_id")); src != nil {
		sourceID, targetID = *src, id
	} else {
		other, err := w.ticketRef(r.Context(), v, r.FormValue("target_id"), r.FormValue("number"))
		if err != nil {
			w.fail(rw, r, v, err)
			return
		}
		targetID = other.ID
	}
	err = w.st.WithTx(r.Context(), func(ctx context.Context) error {
		source, err := w.tickets.Get(ctx, v.User, sourceID)
		if err != nil {
			return err
		}
		msgs, err := w.st.Messages(ctx, sourceID, 0, 0)
		if err != nil {
			return err
		}
		fromCustomer := false
		for _, m := range msgs {
			fromCustomer = fromCustomer || m.AuthorCustomerID != nil
		}
		target, err := w.tickets.Merge(ctx, v.User, sourceID, targetID)
		if err != nil {
			return err
		}
		if !fromCustomer || auth.Can(v.User, auth.ReplyToCustomer) != nil {
			return nil
		}
		// The customer wrote on the merged ticket, so they are told once,
		// in their language, where the conversation continues.
		cust, err := w.st.Customer(ctx, target.CustomerID)
		if err != nil {
			return err
		}
		lang := "zh-CN"
		if strings.HasPrefix(cust.Language, "en") {
			lang = "en"
		}
		body := w.cat.T(lang, "merge.notice", source.Number, target.Number)
		_, _, err = w.tickets.AddMessage(ctx, v.User, target.ID, ticket.NewMessage{Kind: kefu.MessageReply, Body: body})
		return err
	})
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/tickets/%d", targetID), http.StatusSeeOther)
}

// relate links two tickets as related (both ways); with unlink set it
// removes the link.
func (w *Web) relate(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	_ = r.ParseForm()
	unlink := r.FormValue("unlink") != ""
	err = w.st.WithTx(r.Context(), func(ctx context.Context) error {
		t, err := w.tickets.Get(ctx, v.User, id)
		if err != nil {
			return err
		}
		other, err := w.ticketRef(ctx, v, r.FormValue("other_id"), r.FormValue("number"))
		if err != nil {
			return err
		}
		if other.ID == t.ID {
			return kefu.Invalid("number", "a ticket cannot be related to itself")
		}
		for _, pair := range [][2]*kefu.Ticket{{t, other}, {other, t}} {
			if err := w.setRelated(ctx, v, pair[0], pair[1].ID, unlink); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/tickets/%d", id), http.StatusSeeOther)
}

func (w *Web) setRelated(ctx context.Context, v *view, t *kefu.Ticket, other int64, unlink bool) error {
	if t.MergedInto != nil {
		return nil // a merged ticket is frozen; the survivor carries the link
	}
	ids := []any{}
	found := false
	for _, x := range relatedIDs(t) {
		if x == other {
			found = true
			if unlink {
				continue
			}
		}
		ids = append(ids, x)
	}
	if found != unlink {
		return nil // nothing to change
	}
	if !unlink {
		ids = append(ids, other)
	}
	fields := map[string]any{}
	for k, x := range t.CustomFields {
		fields[k] = x
	}
	if len(ids) == 0 {
		delete(fields, relatedKey)
	} else {
		fields[relatedKey] = ids
	}
	_, err := w.tickets.Update(ctx, v.User, t.ID, ticket.Patch{CustomFields: ticket.Field[map[string]any]{Set: true, Value: fields}})
	return err
}
