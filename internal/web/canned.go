package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// cannedItem is a canned response ready to insert: placeholders filled.
type cannedItem struct {
	Title, Shortcut, Text, Preview string
}

// fillPlaceholders replaces {{customer.name}}, {{order.number}},
// {{ticket.number}} and {{agent.name}} in a canned response.
func fillPlaceholders(s string, vals map[string]string) string {
	for k, v := range vals {
		s = strings.ReplaceAll(s, "{{"+k+"}}", v)
		s = strings.ReplaceAll(s, "{{ "+k+" }}", v)
	}
	return s
}

// cannedForTicket lists canned responses for the composer, in the
// customer's language, with the ticket's values filled in.
func (w *Web) cannedForTicket(rw http.ResponseWriter, r *http.Request, v *view) {
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
	cust, err := w.st.Customer(r.Context(), t.CustomerID)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	vals := map[string]string{"customer.name": cust.Name, "ticket.number": "#" + strconv.FormatInt(t.Number, 10), "agent.name": v.User.Name, "order.number": ""}
	if t.OrderID != nil {
		if o, err := w.st.Order(r.Context(), *t.OrderID); err == nil {
			vals["order.number"] = o.Number
		}
	}
	q := strings.TrimPrefix(strings.TrimSpace(r.URL.Query().Get("q")), "/")
	list, err := w.st.CannedResponses(r.Context(), q, 20)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	items := make([]cannedItem, 0, len(list))
	for _, c := range list {
		body := c.BodyZH
		if (cust.Language == "en" && c.BodyEN != "") || body == "" {
			body = c.BodyEN
		}
		text := fillPlaceholders(body, vals)
		preview := []rune(text)
		if len(preview) > 60 {
			preview = append(preview[:60], '…')
		}
		items = append(items, cannedItem{Title: c.Title, Shortcut: c.Shortcut, Text: text, Preview: string(preview)})
	}
	t2, err := w.pages["ticket"].Clone()
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := t2.Funcs(w.funcs(v.Lang)).ExecuteTemplate(rw, "canned_list", items); err != nil {
		w.log.Error("render canned list", "err", err)
	}
}

func (w *Web) cannedPage(rw http.ResponseWriter, r *http.Request, v *view) {
	list, err := w.st.CannedResponses(r.Context(), "", 500)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	v.Page, v.Data = "canned", map[string]any{"Items": list, "CanEdit": auth.Can(v.User, auth.ManageCategories) == nil, "Tab": "canned"}
	w.render(rw, r, http.StatusOK, "canned", "", *v)
}

// saveCanned creates, updates or deletes a canned response (supervisors and admins).
func (w *Web) saveCanned(rw http.ResponseWriter, r *http.Request, v *view) {
	if err := auth.Can(v.User, auth.ManageCategories); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	id, _ := strconv.ParseInt(r.FormValue("id"), 10, 64)
	if r.FormValue("delete") == "1" {
		if err := w.st.DeleteCannedResponse(r.Context(), id); err != nil {
			w.fail(rw, r, v, err)
			return
		}
		http.Redirect(rw, r, "/settings/canned", http.StatusSeeOther)
		return
	}
	title, err := kefu.CleanText("title", r.FormValue("title"), 1, 200)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	shortcut, err := kefu.CleanText("shortcut", strings.TrimPrefix(r.FormValue("shortcut"), "/"), 0, 32)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	c := &store.CannedResponse{ID: id, Title: title, Shortcut: shortcut,
		BodyZH: strings.TrimSpace(r.FormValue("body_zh")), BodyEN: strings.TrimSpace(r.FormValue("body_en"))}
	if c.BodyZH == "" && c.BodyEN == "" {
		w.fail(rw, r, v, kefu.Invalid("body_zh", "write the text in at least one language"))
		return
	}
	if err := w.st.SaveCannedResponse(r.Context(), c, &v.User.ID); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, "/settings/canned", http.StatusSeeOther)
}
