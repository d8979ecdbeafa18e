package httpapi

import (
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/search"
	"github.com/kefu-dev/kefu/internal/ticket"
	"github.com/kefu-dev/kefu/internal/user"
)

// routeTable is the whole API on one screen. The OpenAPI document is built
// from it, so a route cannot exist without being described.
func (a *API) routeTable() []route {
	const v1 = "/api/v1"
	cursorParams := []param{{"limit", "integer", "page size"}, {"cursor", "string", "next_cursor of the previous page"}}
	afterParams := []param{{"after", "integer", "only entries after this id"}, {"limit", "integer", "page size"}}
	return []route{
		{Method: "GET", Path: v1 + "/openapi.json", Summary: "This document", Tag: "meta", Public: true, Raw: a.serveOpenAPI, Out: map[string]any{}},
		{Method: "GET", Path: v1 + "/me", Summary: "The user the token belongs to", Tag: "users", Handler: a.me, Out: kefu.User{}},

		{Method: "POST", Path: v1 + "/tickets", Summary: "Open a ticket with its first message", Tag: "tickets", Handler: a.createTicket, In: ticket.NewTicket{}, Out: ticketCreated{}, Status: 201},
		{Method: "GET", Path: v1 + "/tickets", Summary: "List tickets the caller may see", Tag: "tickets", Handler: a.listTickets, Query: ticketListParams, Out: page[kefu.Ticket]{}},
		{Method: "GET", Path: v1 + "/tickets/{id}", Summary: "Get a ticket", Tag: "tickets", Handler: a.getTicket, Out: kefu.Ticket{}},
		{Method: "PATCH", Path: v1 + "/tickets/{id}", Summary: "Change a ticket's fields or status (absent fields stay, null clears)", Tag: "tickets", Handler: a.updateTicket, In: ticket.Patch{}, Out: kefu.Ticket{}},
		{Method: "POST", Path: v1 + "/tickets/{id}/merge", Summary: "Merge this ticket into target_id", Tag: "tickets", Handler: a.mergeTicket, In: mergeInput{}, Out: kefu.Ticket{}, Status: 200},
		{Method: "POST", Path: v1 + "/tickets/{id}/transfer", Summary: "Hand the ticket to an agent or team, with a note", Tag: "tickets", Handler: a.transferTicket, In: transferInput{}, Out: kefu.Handoff{}, Status: 201},
		{Method: "GET", Path: v1 + "/tickets/{id}/handoffs", Summary: "A ticket's hand-offs, newest first", Tag: "tickets", Handler: a.listHandoffs, Out: page[kefu.Handoff]{}},
		{Method: "GET", Path: v1 + "/tickets/{id}/messages", Summary: "A ticket's conversation in order", Tag: "messages", Handler: a.listMessages, Query: afterParams, Out: page[kefu.Message]{}},
		{Method: "POST", Path: v1 + "/tickets/{id}/messages", Summary: "Add a reply or an internal note (JSON, or multipart/form-data with attachments)", Tag: "messages", Handler: a.addMessage, In: ticket.NewMessage{}, Out: messageAdded{}, Status: 201, Multipart: true},
		{Method: "GET", Path: v1 + "/tickets/{id}/activity", Summary: "A ticket's activity trail", Tag: "tickets", Handler: a.listActivity, Query: afterParams, Out: page[kefu.Event]{}},
		{Method: "GET", Path: v1 + "/attachments/{id}", Summary: "Download an attachment", Tag: "messages", Raw: a.downloadAttachment},

		{Method: "GET", Path: v1 + "/customers", Summary: "List or search customers", Tag: "customers", Handler: a.listCustomers, Query: customerListParams, Out: page[kefu.Customer]{}},
		{Method: "POST", Path: v1 + "/customers", Summary: "Create a customer", Tag: "customers", Handler: a.createCustomer, In: customer.Input{}, Out: kefu.Customer{}, Status: 201},
		{Method: "GET", Path: v1 + "/customers/{id}", Summary: "Get a customer", Tag: "customers", Handler: a.getCustomer, Out: kefu.Customer{}},
		{Method: "PATCH", Path: v1 + "/customers/{id}", Summary: "Replace a customer's fields", Tag: "customers", Handler: a.updateCustomer, In: customer.Input{}, Out: kefu.Customer{}},
		{Method: "DELETE", Path: v1 + "/customers/{id}", Summary: "Delete a customer without tickets or orders", Tag: "customers", Handler: a.deleteCustomer, Status: 204},
		{Method: "GET", Path: v1 + "/customers/{id}/tickets", Summary: "A customer's tickets", Tag: "customers", Handler: a.customerTickets, Query: cursorParams, Out: page[kefu.Ticket]{}},
		{Method: "GET", Path: v1 + "/customers/{id}/orders", Summary: "A customer's orders", Tag: "customers", Handler: a.customerOrders, Query: cursorParams, Out: page[kefu.Order]{}},

		{Method: "POST", Path: v1 + "/orders", Summary: "Insert or update orders by external_id (how a shop feeds kefu)", Tag: "orders", Handler: a.upsertOrders, In: ordersUpsert{}, Out: ordersUpserted{}, Status: 200},
		{Method: "GET", Path: v1 + "/orders", Summary: "List orders", Tag: "orders", Handler: a.listOrders, Query: append([]param{{"customer_id", "integer", "orders of this customer"}}, cursorParams...), Out: page[kefu.Order]{}},
		{Method: "GET", Path: v1 + "/orders/{id}", Summary: "Get an order with items and shipments", Tag: "orders", Handler: a.getOrder, Out: kefu.Order{}},

		{Method: "GET", Path: v1 + "/search", Summary: "Search tickets, customers and orders the caller may see", Tag: "search", Handler: a.search, Query: searchParams, Out: search.Result{}},

		{Method: "GET", Path: v1 + "/users", Summary: "List users", Tag: "users", Handler: a.listUsers, Out: page[kefu.User]{}},
		{Method: "POST", Path: v1 + "/users", Summary: "Create a user (admin)", Tag: "users", Handler: a.createUser, In: user.Input{}, Out: userCreated{}, Status: 201},
		{Method: "GET", Path: v1 + "/users/{id}", Summary: "Get a user", Tag: "users", Handler: a.getUser, Out: kefu.User{}},
		{Method: "PATCH", Path: v1 + "/users/{id}", Summary: "Change a user (admin)", Tag: "users", Handler: a.updateUser, In: user.Input{}, Out: kefu.User{}},
		{Method: "GET", Path: v1 + "/teams", Summary: "List teams", Tag: "teams", Handler: a.listTeams, Out: page[kefu.Team]{}},
		{Method: "POST", Path: v1 + "/teams", Summary: "Create a team (admin)", Tag: "teams", Handler: a.createTeam, In: user.TeamInput{}, Out: kefu.Team{}, Status: 201},
		{Method: "GET", Path: v1 + "/teams/{id}", Summary: "Get a team with its members", Tag: "teams", Handler: a.getTeam, Out: teamWithMembers{}},
		{Method: "PATCH", Path: v1 + "/teams/{id}", Summary: "Change a team (admin)", Tag: "teams", Handler: a.updateTeam, In: user.TeamInput{}, Out: kefu.Team{}},
		{Method: "GET", Path: v1 + "/categories", Summary: "The problem taxonomy", Tag: "categories", Handler: a.listCategories, Out: page[kefu.Category]{}},
		{Method: "POST", Path: v1 + "/categories", Summary: "Add a category (admin, supervisor)", Tag: "categories", Handler: a.createCategory, In: ticket.CategoryInput{}, Out: kefu.Category{}, Status: 201},
		{Method: "PATCH", Path: v1 + "/categories/{id}", Summary: "Rename, reorder or archive a category", Tag: "categories", Handler: a.updateCategory, In: ticket.CategoryInput{}, Out: kefu.Category{}},
	}
}
