package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// customersPerPage is one page of the customer list.
const customersPerPage = 50

// customersPage lists customers, newest first, searched by a prefix of the
// name or of any identity (phone, email, WeChat id, order platform id).
func (w *Web) customersPage(rw http.ResponseWriter, r *http.Request, v *view) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	list, err := w.customers.List(r.Context(), v.User, store.CustomerFilter{Query: q, Before: before, Limit: customersPerPage + 1})
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	next := ""
	if len(list) > customersPerPage {
		list = list[:customersPerPage]
		next = "/customers?" + url.Values{"q": {q}, "before": {strconv.FormatInt(list[len(list)-1].ID, 10)}}.Encode()
	}
	v.Page, v.Data = "customers", map[string]any{"Customers": list, "Q": q, "NextURL": next, "Paged": before > 0}
	w.render(rw, r, http.StatusOK, "customers", "", *v)
}

// customerPage is a customer's profile: identities, tags, notes, VIP tier,
// orders with their shipments, and tickets.
func (w *Web) customerPage(rw http.ResponseWriter, r *http.Request, v *view) {
	// Collaborators see a customer only beside a ticket handed to them,
	// never as a profile of their own.
	if err := auth.Can(v.User, auth.ReadCustomers); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	c, err := w.customers.Get(r.Context(), v.User, id)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	orders, err := w.customers.Orders(r.Context(), v.User, store.OrderFilter{CustomerID: id, Limit: 20})
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	tickets, _, err := w.tickets.List(r.Context(), v.User, store.TicketFilter{CustomerID: id, Sort: "created_at", Limit: 50})
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	open := 0
	for _, t := range tickets {
		if t.Status != kefu.StatusSolved && t.Status != kefu.StatusClosed {
			open++
		}
	}
	v.Page, v.Data = "customers", map[string]any{"C": c, "Orders": orders, "Tickets": tickets, "Open": open}
	w.render(rw, r, http.StatusOK, "customer", "", *v)
}
