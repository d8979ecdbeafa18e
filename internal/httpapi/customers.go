package httpapi

import (
	"fmt"
	"net/http"

	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

var customerListParams = []param{
	{"q", "string", "prefix of the name or of any identity (email, phone, ids)"},
	{"email", "string", "the customer with exactly this email"},
	{"phone", "string", "the customer with this phone number, with or without separators"},
	{"external_id", "string", "the customer with this shop id"},
	{"tag", "string", "customers with this tag"},
	{"limit", "integer", "page size, 1 to 200 (default 50)"},
	{"cursor", "string", "next_cursor of the previous page"},
}

func (a *API) listCustomers(r *http.Request, actor *kefu.User) (int, any, error) {
	q := &query{r: r}
	for _, p := range []struct {
		name string
		kind kefu.IdentityKind
	}{{"email", kefu.IdentityEmail}, {"phone", kefu.IdentityPhone}, {"external_id", kefu.IdentityExternal}} {
		if v := q.str(p.name); v != "" {
			c, err := a.customers.ByIdentity(r.Context(), actor, p.kind, v)
			if err != nil && !isNotFound(err) {
				return 0, nil, err
			}
			items := []*kefu.Customer{}
			if c != nil {
				items = append(items, c)
			}
			return http.StatusOK, page[*kefu.Customer]{Items: items}, nil
		}
	}
	f := store.CustomerFilter{Query: q.str("q"), Tag: q.str("tag"), Before: q.int("cursor", 0, 1, 1<<62), Limit: int(q.int("limit", 50, 1, 200))}
	if q.err != nil {
		return 0, nil, q.err
	}
	f.Limit++
	cs, err := a.customers.List(r.Context(), actor, f)
	if err != nil {
		return 0, nil, err
	}
	next := ""
	if len(cs) == f.Limit {
		cs = cs[:f.Limit-1]
		next = fmt.Sprint(cs[len(cs)-1].ID)
	}
	if cs == nil {
		cs = []*kefu.Customer{}
	}
	return http.StatusOK, page[*kefu.Customer]{Items: cs, NextCursor: next}, nil
}

func (a *API) createCustomer(r *http.Request, actor *kefu.User) (int, any, error) {
	var in customer.Input
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	c, err := a.customers.Create(r.Context(), actor, in)
	return http.StatusCreated, c, err
}

func (a *API) getCustomer(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	c, err := a.customers.Get(r.Context(), actor, id)
	return http.StatusOK, c, err
}

func (a *API) updateCustomer(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in customer.Input
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	c, err := a.customers.Update(r.Context(), actor, id, in)
	return http.StatusOK, c, err
}

func (a *API) deleteCustomer(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, a.customers.Delete(r.Context(), actor, id)
}

func (a *API) customerTickets(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	if _, err := a.customers.Get(r.Context(), actor, id); err != nil {
		return 0, nil, err
	}
	q := &query{r: r}
	f := store.TicketFilter{CustomerID: id, Sort: "created_at", Cursor: q.str("cursor"), Limit: int(q.int("limit", 50, 1, 200))}
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

func (a *API) customerOrders(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	if _, err := a.customers.Get(r.Context(), actor, id); err != nil {
		return 0, nil, err
	}
	return a.orderPage(r, actor, id)
}

func (a *API) listOrders(r *http.Request, actor *kefu.User) (int, any, error) {
	q := &query{r: r}
	cid := q.int("customer_id", 0, 1, 1<<62)
	if q.err != nil {
		return 0, nil, q.err
	}
	return a.orderPage(r, actor, cid)
}

func (a *API) orderPage(r *http.Request, actor *kefu.User, customerID int64) (int, any, error) {
	q := &query{r: r}
	f := store.OrderFilter{CustomerID: customerID, Before: q.int("cursor", 0, 1, 1<<62), Limit: int(q.int("limit", 50, 1, 200)) + 1}
	if q.err != nil {
		return 0, nil, q.err
	}
	os, err := a.customers.Orders(r.Context(), actor, f)
	if err != nil {
		return 0, nil, err
	}
	next := ""
	if len(os) == f.Limit {
		os = os[:f.Limit-1]
		next = fmt.Sprint(os[len(os)-1].ID)
	}
	if os == nil {
		os = []*kefu.Order{}
	}
	return http.StatusOK, page[*kefu.Order]{Items: os, NextCursor: next}, nil
}

// ordersUpsert is the body of a bulk order upsert.
type ordersUpsert struct {
	Orders []customer.OrderInput `json:"orders"`
}

type ordersUpserted struct {
	Items []customer.UpsertResult `json:"items"`
}

func (a *API) upsertOrders(r *http.Request, actor *kefu.User) (int, any, error) {
	var in ordersUpsert
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	res, err := a.customers.UpsertOrders(r.Context(), actor, in.Orders)
	return http.StatusOK, ordersUpserted{Items: res}, err
}

func (a *API) getOrder(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	o, err := a.customers.Order(r.Context(), actor, id)
	return http.StatusOK, o, err
}
