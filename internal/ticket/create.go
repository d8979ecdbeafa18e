package ticket

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/kefu"
)

// NewTicket is what it takes to open a ticket.
type NewTicket struct {
	Subject      string          `json:"subject"`
	Channel      kefu.Channel    `json:"channel"`
	Type         kefu.TicketType `json:"type,omitempty"`
	CategoryID   *int64          `json:"category_id,omitempty"`
	Priority     kefu.Priority   `json:"priority,omitempty"`
	AssigneeID   *int64          `json:"assignee_id,omitempty"`
	TeamID       *int64          `json:"team_id,omitempty"`
	OrderID      *int64          `json:"order_id,omitempty"`
	Tags         []string        `json:"tags,omitempty"`
	CustomFields map[string]any  `json:"custom_fields,omitempty"`
	Customer     customer.Ref    `json:"customer"`
	Message      NewMessage      `json:"message"`
	// FollowUpOf links a ticket opened because its customer wrote to a closed one.
	FollowUpOf *int64 `json:"-"`
}

// Create opens a ticket with its first message. A nil actor is a channel
// acting for the customer. The first message is the customer's unless the
// actor sets its kind to reply (outreach) or note.
func (s *Service) Create(ctx context.Context, actor *kefu.User, in NewTicket) (*kefu.Ticket, *kefu.Message, error) {
	if actor != nil {
		if err := auth.Can(actor, auth.CreateTickets); err != nil {
			return nil, nil, err
		}
	}
	if !in.Channel.Valid() {
		return nil, nil, kefu.Invalid("channel", "must be one of email, chat, portal, phone, api; got %q", in.Channel)
	}
	if in.Type == "" {
		in.Type = kefu.TypeConsultation
	}
	if !in.Type.Valid() {
		return nil, nil, kefu.Invalid("type", "must be one of consultation, complaint, after_sales; got %q", in.Type)
	}
	if in.Priority == "" {
		in.Priority = kefu.PriorityNormal
	}
	if !in.Priority.Valid() {
		return nil, nil, kefu.Invalid("priority", "must be one of low, normal, high, urgent; got %q", in.Priority)
	}
	kind := in.Message.Kind
	if kind == "" {
		kind = kefu.MessageCustomer
	}
	if kind != kefu.MessageCustomer && (actor == nil || (kind != kefu.MessageReply && kind != kefu.MessageNote)) {
		return nil, nil, kefu.Invalid("message.kind", "must be customer, reply or note; got %q", kind)
	}
	body, safeHTML, err := s.body(in.Message.Body, in.Message.HTML)
	if err != nil {
		return nil, nil, kefu.PrefixField("message.", err)
	}
	if body == "" && len(in.Message.Attachments) == 0 {
		return nil, nil, kefu.Invalid("message.body", "is required")
	}
	if strings.TrimSpace(in.Subject) == "" {
		in.Subject = subjectFrom(body)
	}
	subject, err := kefu.CleanText("subject", in.Subject, 1, MaxSubject)
	if err != nil {
		return nil, nil, err
	}
	tags, err := customer.CleanTags(in.Tags)
	if err != nil {
		return nil, nil, err
	}
	atts, err := s.storeUploads(ctx, in.Message.Attachments)
	if err != nil {
		return nil, nil, err
	}
	teamID := in.TeamID
	if teamID == nil {
		id, err := s.defaultTeam(ctx)
		if err != nil {
			return nil, nil, err
		}
		teamID = &id
	}

	var t *kefu.Ticket
	var m *kefu.Message
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		cust, err := s.customers.Resolve(ctx, actor, in.Customer)
		if err != nil {
			return err
		}
		if err := s.checkRefs(ctx, cust.ID, in.OrderID, in.CategoryID, in.AssigneeID); err != nil {
			return err
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		t = &kefu.Ticket{
			Subject: subject, Channel: in.Channel, Type: in.Type, CategoryID: in.CategoryID, Priority: in.Priority,
			Status: kefu.StatusNew, AssigneeID: in.AssigneeID, TeamID: teamID, CustomerID: cust.ID, OrderID: in.OrderID,
			FollowUpOf: in.FollowUpOf, Tags: tags, CustomFields: in.CustomFields,
			CreatedAt: now, UpdatedAt: now, LastMessageAt: now,
		}
		if kind == kefu.MessageReply {
			t.Status, t.FirstResponseAt = kefu.StatusOpen, &now
		}
		if err := s.st.CreateTicket(ctx, t); err != nil {
			return err
		}
		m = &kefu.Message{TicketID: t.ID, Kind: kind, Body: body, HTML: safeHTML, ExternalID: in.Message.ExternalID, Attachments: atts, CreatedAt: now,
			RawSHA256: in.Message.RawSHA256, QuoteAt: quoteAt(body, in.Message.QuoteAt)}
		if kind == kefu.MessageCustomer {
			m.AuthorCustomerID = &cust.ID
		} else {
			m.AuthorUserID = &actor.ID
		}
		if err := s.st.AddMessage(ctx, m); err != nil {
			return err
		}
		if err := s.event(ctx, kefu.EventTicketCreated, t.ID, actor, map[string]any{"number": t.Number, "channel": t.Channel, "customer_id": t.CustomerID, "follow_up_of": t.FollowUpOf}); err != nil {
			return err
		}
		return s.event(ctx, kefu.EventMessageAdded, t.ID, actor, map[string]any{"message_id": m.ID, "kind": m.Kind})
	})
	if err != nil {
		return nil, nil, err
	}
	return t, m, nil
}

// checkRefs checks references a ticket is about to take: the order must be
// the customer's, the category not archived, the assignee active.
func (s *Service) checkRefs(ctx context.Context, customerID int64, orderID, categoryID, assigneeID *int64) error {
	if orderID != nil {
		o, err := s.st.Order(ctx, *orderID)
		if errors.Is(err, kefu.ErrNotFound) {
			return &kefu.NotFoundError{What: "order", Field: "order_id"}
		}
		if err != nil {
			return err
		}
		if o.CustomerID != customerID {
			return kefu.Invalid("order_id", "order %s belongs to another customer", o.Number)
		}
	}
	if categoryID != nil {
		c, err := s.st.Category(ctx, *categoryID)
		if errors.Is(err, kefu.ErrNotFound) {
			return &kefu.NotFoundError{What: "category", Field: "category_id"}
		}
		if err != nil {
			return err
		}
		if c.Archived {
			return kefu.Invalid("category_id", "category %s is archived", c.Key)
		}
	}
	if assigneeID != nil {
		u, err := s.st.User(ctx, *assigneeID)
		if errors.Is(err, kefu.ErrNotFound) {
			return &kefu.NotFoundError{What: "assignee", Field: "assignee_id"}
		}
		if err != nil {
			return err
		}
		if u.Status != kefu.UserActive {
			return kefu.Invalid("assignee_id", "user %s is disabled", u.Email)
		}
	}
	return nil
}

// subjectFrom derives a subject from the first line of a message.
func subjectFrom(body string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(body), "\n")
	r := []rune(strings.TrimSpace(line))
	if len(r) > 80 {
		r = append(r[:79], '…')
	}
	return string(r)
}
