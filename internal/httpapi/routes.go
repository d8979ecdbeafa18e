package httpapi

import (
	"github.com/kefu-dev/kefu/internal/aftersale"
	"github.com/kefu-dev/kefu/internal/automation"
	"github.com/kefu-dev/kefu/internal/channel/email"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/routing"
	"github.com/kefu-dev/kefu/internal/schedule"
	"github.com/kefu-dev/kefu/internal/search"
	"github.com/kefu-dev/kefu/internal/sla"
	"github.com/kefu-dev/kefu/internal/store"
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
		{Method: "GET", Path: v1 + "/messages/{id}/raw", Summary: "Download the original mail (.eml) of a message that came by email", Tag: "messages", Raw: a.downloadRawMail},
		{Method: "GET", Path: v1 + "/inline/{sha256}", Summary: "An image a mail showed in place (cid:), by its SHA-256", Tag: "messages", Raw: a.serveInline},

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

		{Method: "POST", Path: v1 + "/cases/evaluate", Summary: "The policy's decision on a proposed case (eligibility, recommended offer, ceiling, reasons) without creating anything", Tag: "cases", Handler: a.evaluateCase, In: aftersale.EvaluateInput{}, Out: aftersale.Decision{}, Status: 200},
		{Method: "POST", Path: v1 + "/cases", Summary: "Open an after-sales case on a ticket", Tag: "cases", Handler: a.createCase, In: aftersale.NewCase{}, Out: aftersale.Detail{}, Status: 201},
		{Method: "GET", Path: v1 + "/cases", Summary: "List cases (by ticket, order, customer, status…)", Tag: "cases", Handler: a.listCases, Query: caseListParams, Out: page[kefu.Case]{}},
		{Method: "GET", Path: v1 + "/cases/{id}", Summary: "Get a case with its trail, evidence, tasks and deliveries to the shop", Tag: "cases", Handler: a.getCase, Out: aftersale.Detail{}},
		{Method: "POST", Path: v1 + "/cases/{id}/transitions", Summary: "Move a case (approve, reject, awaiting_return, received, inspected, executed, completed, cancelled)", Tag: "cases", Handler: a.transitionCase, In: aftersale.Move{}, Out: aftersale.Detail{}, Status: 200},
		{Method: "GET", Path: v1 + "/cases/{id}/transitions", Summary: "A case's audit trail", Tag: "cases", Handler: a.caseTransitions, Out: page[kefu.CaseTransition]{}},
		{Method: "POST", Path: v1 + "/cases/{id}/evidence", Summary: "Attach photos or videos to a case (multipart, or JSON with base64 data)", Tag: "cases", Handler: a.addEvidence, In: evidenceUpload{}, Out: page[kefu.Evidence]{}, Status: 201, Multipart: true, Form: evidenceForm},
		{Method: "GET", Path: v1 + "/cases/{id}/evidence/{evidence_id}", Summary: "Download a case's file", Tag: "cases", Raw: a.downloadEvidence},
		{Method: "POST", Path: v1 + "/cases/{id}/tasks", Summary: "Hand work on a case to a department", Tag: "cases", Handler: a.openCaseTask, In: aftersale.TaskInput{}, Out: kefu.CaseTask{}, Status: 201},
		{Method: "POST", Path: v1 + "/cases/{id}/confirmation", Summary: "The shop confirms it carried a case out (a repeat changes nothing)", Tag: "cases", Handler: a.confirmCase, In: aftersale.Confirmation{}, Out: aftersale.ConfirmResult{}, Status: 200},
		{Method: "POST", Path: v1 + "/cases/{id}/execution/retry", Summary: "Send a failed instruction to the shop again", Tag: "cases", Handler: a.retryExecution, Out: aftersale.Detail{}, Status: 200},
		{Method: "POST", Path: v1 + "/cases/confirmations", Summary: "The shop's signed callback (X-Kefu-Signature) confirming an instruction", Tag: "cases", Public: true, Raw: a.confirmSigned, In: aftersale.Confirmation{}, Out: aftersale.ConfirmResult{}},
		{Method: "GET", Path: v1 + "/cases/report", Summary: "Cases by reason, product, SKU, responsibility…, with amounts refunded", Tag: "cases", Handler: a.caseReport, Query: reportParams, Out: page[store.CaseReportRow]{}},
		{Method: "GET", Path: v1 + "/cases/report.csv", Summary: "The case report as CSV", Tag: "cases", Raw: a.caseReportCSV, Query: reportParams},
		{Method: "GET", Path: v1 + "/tickets/{id}/cases", Summary: "A ticket's cases", Tag: "cases", Handler: a.ticketCases, Out: page[kefu.Case]{}},
		{Method: "GET", Path: v1 + "/case-tasks", Summary: "Department tasks (a collaborator sees their teams')", Tag: "cases", Handler: a.listCaseTasks, Query: taskListParams, Out: page[kefu.CaseTask]{}},
		{Method: "POST", Path: v1 + "/case-tasks/{id}/complete", Summary: "Answer a department task (an inspection that passes moves its case on)", Tag: "cases", Handler: a.completeCaseTask, In: aftersale.TaskAnswer{}, Out: kefu.CaseTask{}, Status: 200},
		{Method: "GET", Path: v1 + "/aftersale/policy", Summary: "The shop's after-sales policy", Tag: "aftersale", Handler: a.getPolicy, Out: aftersale.Policy{}},
		{Method: "PUT", Path: v1 + "/aftersale/policy", Summary: "Replace the after-sales policy (admin)", Tag: "aftersale", Handler: a.putPolicy, In: aftersale.Policy{}, Out: aftersale.Policy{}},
		{Method: "GET", Path: v1 + "/aftersale/playbooks", Summary: "A playbook for every problem of the taxonomy", Tag: "aftersale", Handler: a.listPlaybooks, Out: page[aftersale.Playbook]{}},
		{Method: "GET", Path: v1 + "/aftersale/playbooks/{reason}", Summary: "The playbook of one problem", Tag: "aftersale", Handler: a.getPlaybook, Out: aftersale.Playbook{}},
		{Method: "PUT", Path: v1 + "/aftersale/playbooks/{reason}", Summary: "Edit a playbook (admin, supervisor)", Tag: "aftersale", Handler: a.putPlaybook, In: aftersale.Playbook{}, Out: aftersale.Playbook{}},
		{Method: "DELETE", Path: v1 + "/aftersale/playbooks/{reason}", Summary: "Go back to the default playbook", Tag: "aftersale", Handler: a.resetPlaybook, Out: aftersale.Playbook{}},
		{Method: "GET", Path: v1 + "/aftersale/webhook", Summary: "The shop webhook (admin; the secret is never shown)", Tag: "aftersale", Handler: a.getWebhook, Out: aftersale.WebhookView{}},
		{Method: "PUT", Path: v1 + "/aftersale/webhook", Summary: "Set the shop webhook; an empty secret keeps or generates one (shown once)", Tag: "aftersale", Handler: a.putWebhook, In: aftersale.Webhook{}, Out: aftersale.WebhookView{}},
		{Method: "GET", Path: v1 + "/search", Summary: "Search tickets, customers and orders the caller may see", Tag: "search", Handler: a.search, Query: searchParams, Out: search.Result{}},

		{Method: "GET", Path: v1 + "/users", Summary: "List users", Tag: "users", Handler: a.listUsers, Out: page[kefu.User]{}},
		{Method: "POST", Path: v1 + "/users", Summary: "Create a user (admin)", Tag: "users", Handler: a.createUser, In: user.Input{}, Out: userCreated{}, Status: 201},
		{Method: "GET", Path: v1 + "/users/{id}", Summary: "Get a user", Tag: "users", Handler: a.getUser, Out: kefu.User{}},
		{Method: "PATCH", Path: v1 + "/users/{id}", Summary: "Change a user (admin)", Tag: "users", Handler: a.updateUser, In: user.Input{}, Out: kefu.User{}},
		{Method: "GET", Path: v1 + "/teams", Summary: "List teams", Tag: "teams", Handler: a.listTeams, Out: page[kefu.Team]{}},
		{Method: "POST", Path: v1 + "/teams", Summary: "Create a team (admin)", Tag: "teams", Handler: a.createTeam, In: user.TeamInput{}, Out: kefu.Team{}, Status: 201},
		{Method: "GET", Path: v1 + "/teams/{id}", Summary: "Get a team with its members", Tag: "teams", Handler: a.getTeam, Out: teamWithMembers{}},
		{Method: "PATCH", Path: v1 + "/teams/{id}", Summary: "Change a team (admin)", Tag: "teams", Handler: a.updateTeam, In: user.TeamInput{}, Out: kefu.Team{}},
		{Method: "GET", Path: v1 + "/teams/{id}/settings", Summary: "A team's calendar and routing", Tag: "teams", Handler: a.getTeamSettings, Out: store.TeamSettings{}},
		{Method: "PUT", Path: v1 + "/teams/{id}/settings", Summary: "Set a team's calendar and routing (admin)", Tag: "teams", Handler: a.putTeamSettings, In: store.TeamSettings{}, Out: store.TeamSettings{}},

		{Method: "GET", Path: v1 + "/calendars", Summary: "Business calendars", Tag: "sla", Handler: a.listCalendars, Out: page[kefu.Calendar]{}},
		{Method: "POST", Path: v1 + "/calendars", Summary: "Add a business calendar (admin)", Tag: "sla", Handler: a.createCalendar, In: kefu.Calendar{}, Out: kefu.Calendar{}, Status: 201},
		{Method: "GET", Path: v1 + "/calendars/{id}", Summary: "Get a business calendar", Tag: "sla", Handler: a.getCalendar, Out: kefu.Calendar{}},
		{Method: "PUT", Path: v1 + "/calendars/{id}", Summary: "Replace a calendar and queue the recompute of the due times counted on it in the background (admin)", Tag: "sla", Handler: a.updateCalendar, In: kefu.Calendar{}, Out: calendarSaved{}},
		{Method: "GET", Path: v1 + "/calendars/{id}/recompute", Summary: "Progress of the background recompute of the due times counted on a calendar (0: every calendar, after a deletion)", Tag: "sla", Handler: a.getRecompute, Out: store.SLARecompute{}},
		{Method: "DELETE", Path: v1 + "/calendars/{id}", Summary: "Delete a calendar (admin)", Tag: "sla", Handler: a.deleteCalendar, Status: 204},
		{Method: "POST", Path: v1 + "/calendars/{id}/import", Summary: "Add holidays and make-up working days from an iCalendar file sent as the body (admin)", Tag: "sla", Handler: a.importCalendar,
			Query: []param{{"kind", "string", "auto (default: 班 or 'working day' in the summary marks a make-up day), holiday or workday"}}, Out: calendarSaved{}, Status: 200},
		{Method: "GET", Path: v1 + "/sla-policies", Summary: "SLA policies in the order they are tried", Tag: "sla", Handler: a.listSLAPolicies, Out: page[kefu.SLAPolicy]{}},
		{Method: "POST", Path: v1 + "/sla-policies", Summary: "Add an SLA policy (admin)", Tag: "sla", Handler: a.createSLAPolicy, In: kefu.SLAPolicy{}, Out: kefu.SLAPolicy{}, Status: 201},
		{Method: "GET", Path: v1 + "/sla-policies/{id}", Summary: "Get an SLA policy", Tag: "sla", Handler: a.getSLAPolicy, Out: kefu.SLAPolicy{}},
		{Method: "PUT", Path: v1 + "/sla-policies/{id}", Summary: "Replace an SLA policy and apply the policies anew (admin)", Tag: "sla", Handler: a.updateSLAPolicy, In: kefu.SLAPolicy{}, Out: kefu.SLAPolicy{}},
		{Method: "DELETE", Path: v1 + "/sla-policies/{id}", Summary: "Delete an SLA policy (admin)", Tag: "sla", Handler: a.deleteSLAPolicy, Status: 204},
		{Method: "GET", Path: v1 + "/at-risk", Summary: "Deadlines that pass soonest: SLA targets and promises, overdue first", Tag: "sla", Handler: a.atRisk, Query: atRiskParams, Out: page[store.AtRisk]{}},
		{Method: "GET", Path: v1 + "/tickets/{id}/sla", Summary: "A ticket's SLA targets and finished cycles", Tag: "sla", Handler: a.getTicketSLA, Out: ticketSLA{}},
		{Method: "GET", Path: v1 + "/tickets/{id}/promises", Summary: "A ticket's promises, newest first", Tag: "sla", Handler: a.listPromises, Out: page[promiseView]{}},
		{Method: "POST", Path: v1 + "/tickets/{id}/promises", Summary: "Promise a follow-up by a time (in: 2h, 24h, 48h; due_at; or business_minutes for a hand-off)", Tag: "sla", Handler: a.createPromise, In: sla.PromiseInput{}, Out: promiseView{}, Status: 201},
		{Method: "POST", Path: v1 + "/promises/{id}/keep", Summary: "Mark a promise kept", Tag: "sla", Handler: a.closePromise(true), Out: promiseView{}, Status: 200},
		{Method: "POST", Path: v1 + "/promises/{id}/cancel", Summary: "Cancel a promise", Tag: "sla", Handler: a.closePromise(false), Out: promiseView{}, Status: 200},
		{Method: "GET", Path: v1 + "/tickets/{id}/snooze", Summary: "A ticket's snooze", Tag: "sla", Handler: a.getSnooze, Out: store.Snooze{}},
		{Method: "PUT", Path: v1 + "/tickets/{id}/snooze", Summary: "Snooze a ticket until a time (it returns then, or when the customer writes)", Tag: "sla", Handler: a.putSnooze, In: snoozeInput{}, Out: store.Snooze{}},
		{Method: "DELETE", Path: v1 + "/tickets/{id}/snooze", Summary: "End a ticket's snooze now", Tag: "sla", Handler: a.deleteSnooze, Status: 204},
		{Method: "GET", Path: v1 + "/notifications", Summary: "The caller's notifications, newest first", Tag: "users", Handler: a.listNotifications,
			Query: []param{{"unread", "boolean", "only unread ones"}, {"before", "integer", "only notifications older than this id"}, {"limit", "integer", "page size"}}, Out: page[kefu.Notification]{}},
		{Method: "POST", Path: v1 + "/notifications/read", Summary: "Mark the caller's notifications up to up_to as read", Tag: "users", Handler: a.readNotifications, In: readInput{}, Status: 204},

		{Method: "GET", Path: v1 + "/tickets/{id}/scheduled-replies", Summary: "A ticket's replies scheduled to be sent later", Tag: "messages", Handler: a.listScheduled, Out: page[store.ScheduledMessage]{}},
		{Method: "POST", Path: v1 + "/tickets/{id}/scheduled-replies", Summary: "Write a reply now and send it at send_at", Tag: "messages", Handler: a.createScheduled, In: schedule.Input{}, Out: store.ScheduledMessage{}, Status: 201},
		{Method: "POST", Path: v1 + "/scheduled-replies/{id}/cancel", Summary: "Cancel a scheduled reply that has not gone yet", Tag: "messages", Handler: a.cancelScheduled, Out: store.ScheduledMessage{}, Status: 200},
		{Method: "GET", Path: v1 + "/users/{id}/routing", Summary: "An agent's presence, capacity, skills and languages", Tag: "routing", Handler: a.getAgentRouting, Out: store.AgentState{}},
		{Method: "PATCH", Path: v1 + "/users/{id}/routing", Summary: "Set presence (the agent or a supervisor), capacity, skills, languages (supervisors)", Tag: "routing", Handler: a.patchAgentRouting, In: routing.AgentInput{}, Out: store.AgentState{}},
		{Method: "GET", Path: v1 + "/automation-rules", Summary: "Automation rules in the order they run (admin)", Tag: "automation", Handler: a.listRules, Out: page[automation.Rule]{}},
		{Method: "POST", Path: v1 + "/automation-rules", Summary: "Add an automation rule (admin)", Tag: "automation", Handler: a.createRule, In: automation.Rule{}, Out: automation.Rule{}, Status: 201},
		{Method: "GET", Path: v1 + "/automation-rules/{id}", Summary: "Get an automation rule (admin)", Tag: "automation", Handler: a.getRule, Out: automation.Rule{}},
		{Method: "PUT", Path: v1 + "/automation-rules/{id}", Summary: "Replace, enable, disable or reorder a rule (admin)", Tag: "automation", Handler: a.updateRule, In: automation.Rule{}, Out: automation.Rule{}},
		{Method: "DELETE", Path: v1 + "/automation-rules/{id}", Summary: "Delete an automation rule (admin)", Tag: "automation", Handler: a.deleteRule, Status: 204},
		{Method: "POST", Path: v1 + "/automation-dry-run", Summary: "Try a rule on a sample ticket without changing anything (admin)", Tag: "automation", Handler: a.dryRunRule, In: dryRunInput{}, Out: automation.DryRunResult{}, Status: 200},

		{Method: "GET", Path: v1 + "/email-channels", Summary: "List email channels with their last fetch and error (admin)", Tag: "channels", Handler: a.listEmailChannels, Out: page[kefu.EmailChannel]{}},
		{Method: "POST", Path: v1 + "/email-channels", Summary: "Add an email channel (admin)", Tag: "channels", Handler: a.createEmailChannel, In: email.ChannelInput{}, Out: kefu.EmailChannel{}, Status: 201},
		{Method: "GET", Path: v1 + "/email-channels/{id}", Summary: "Get an email channel (admin)", Tag: "channels", Handler: a.getEmailChannel, Out: kefu.EmailChannel{}},
		{Method: "PATCH", Path: v1 + "/email-channels/{id}", Summary: "Change an email channel; absent fields and passwords stay (admin)", Tag: "channels", Handler: a.updateEmailChannel, In: email.ChannelInput{}, Out: kefu.EmailChannel{}},
		{Method: "DELETE", Path: v1 + "/email-channels/{id}", Summary: "Delete an email channel (admin)", Tag: "channels", Handler: a.deleteEmailChannel, Status: 204},
		{Method: "POST", Path: v1 + "/email-channels/{id}/test", Summary: "Connect to the channel's IMAP and SMTP servers and report their exact answers (admin)", Tag: "channels", Handler: a.testEmailChannel, Out: email.ConnectionTest{}, Status: 200},
		{Method: "GET", Path: v1 + "/categories", Summary: "The problem taxonomy", Tag: "categories", Handler: a.listCategories, Out: page[kefu.Category]{}},
		{Method: "POST", Path: v1 + "/categories", Summary: "Add a category (admin, supervisor)", Tag: "categories", Handler: a.createCategory, In: ticket.CategoryInput{}, Out: kefu.Category{}, Status: 201},
		{Method: "PATCH", Path: v1 + "/categories/{id}", Summary: "Rename, reorder or archive a category", Tag: "categories", Handler: a.updateCategory, In: ticket.CategoryInput{}, Out: kefu.Category{}},
	}
}
