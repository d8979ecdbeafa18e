package ticket

import (
	"context"
	"fmt"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/kefu"
)

// NewMessage is a message to add to a ticket.
type NewMessage struct {
	Kind        kefu.MessageKind `json:"kind"`
	Body        string           `json:"body"`
	HTML        string           `json:"html,omitempty"`
	Attachments []Upload         `json:"-"`
	// ExternalID is the channel's id (email Message-ID, chat client id);
	// a message whose id is already stored is refused as a duplicate.
	ExternalID string `json:"external_id,omitempty"`
	// RawSHA256 names the stored original of a message a channel received
	// (the .eml of a mail); QuoteAt is where quoted history starts in Body.
	RawSHA256 string `json:"-"`
	QuoteAt   int    `json:"-"`
	// Status optionally moves the ticket along with a reply ("reply and
	// set pending"), subject to the state machine.
	Status kefu.Status `json:"status,omitempty"`
}

// AddMessage adds a reply, a note or a customer message to a ticket. A nil
// actor is a channel speaking for the customer. A customer message on a
// closed ticket opens a follow-up ticket instead; the returned ticket is the
// one the message landed on.
func (s *Service) AddMessage(ctx context.Context, actor *kefu.User, ticketID int64, in NewMessage) (*kefu.Message, *kefu.Ticket, error) {
	switch in.Kind {
	case kefu.MessageReply:
		if err := auth.Can(actor, auth.ReplyToCustomer); err != nil {
			return nil, nil, err
		}
	case kefu.MessageNote:
		if err := auth.Can(actor, auth.AddNotes); err != nil {
			return nil, nil, err
		}
	case kefu.MessageCustomer:
		if actor != nil {
			if err := auth.Can(actor, auth.CreateTickets); err != nil {
				return nil, nil, err
			}
		}
	default:
		return nil, nil, kefu.Invalid("kind", "must be reply or note; got %q", in.Kind)
	}
	if in.Status != "" && in.Kind != kefu.MessageReply {
		return nil, nil, kefu.Invalid("status", "can only be set with a reply")
	}
	if in.Status != "" && !in.Status.Valid() {
		return nil, nil, kefu.Invalid("status", "unknown status %q", in.Status)
	}
	body, safeHTML, err := s.body(in.Body, in.HTML)
	if err != nil {
		return nil, nil, err
	}
	if body == "" && len(in.Attachments) == 0 {
		return nil, nil, kefu.Invalid("body", "is required")
	}
	atts, err := s.storeUploads(ctx, in.Attachments)
	if err != nil {
		return nil, nil, err
	}
	var m *kefu.Message
	var t *kefu.Ticket
	var followUp *NewTicket
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		t, err = s.visible(ctx, actor, ticketID)
		if err != nil {
			return err
		}
		for hops := 0; t.MergedInto != nil && hops < 10; hops++ {
			if in.Kind != kefu.MessageCustomer {
				return &kefu.ConflictError{Field: "ticket", Message: fmt.Sprintf("ticket #%d was merged into another ticket; write there", t.Number)}
			}
			if t, err = s.st.LockTicket(ctx, *t.MergedInto); err != nil {
				return err
			}
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		old := *t
		ch := changes{}
		switch in.Kind {
		case kefu.MessageCustomer:
			next, ok := kefu.StatusAfterCustomerMessage(t.Status)
			if !ok {
				followUp = &NewTicket{Subject: t.Subject, Channel: t.Channel, Type: t.Type, CategoryID: t.CategoryID,
					Priority: t.Priority, TeamID: t.TeamID, OrderID: t.OrderID, FollowUpOf: &t.ID,
					Customer: customer.Ref{ID: t.CustomerID}, Message: in}
				return nil
			}
			t.Status = next
		case kefu.MessageReply:
			if t.Status == kefu.StatusClosed {
				return &kefu.ConflictError{Field: "ticket", Message: fmt.Sprintf("ticket #%d is closed; a new message from the customer opens a follow-up", t.Number)}
			}
			if t.FirstResponseAt == nil {
				t.FirstResponseAt = &now
			}
			next := kefu.StatusAfterReply(t.Status)
			if in.Status != "" {
				next = in.Status
			}
			if !kefu.CanTransition(t.Status, next) {
				return &kefu.ConflictError{Field: "status", Message: fmt.Sprintf("a ticket cannot go from %s to %s", t.Status, next)}
			}
			applyStatus(t, next, now)
		}
		ch.add("status", old.Status, t.Status)
		t.LastMessageAt, t.UpdatedAt = now, now
		if err := s.st.UpdateTicket(ctx, t); err != nil {
			return err
		}
		m = &kefu.Message{TicketID: t.ID, Kind: in.Kind, Body: body, HTML: safeHTML, ExternalID: in.ExternalID, Attachments: atts, CreatedAt: now,
			RawSHA256: in.RawSHA256, QuoteAt: quoteAt(body, in.QuoteAt)}
		if in.Kind == kefu.MessageCustomer {
			m.AuthorCustomerID = &t.CustomerID
		} else {
			m.AuthorUserID = &actor.ID
		}
		if err := s.st.AddMessage(ctx, m); err != nil {
			return err
		}
		if err := s.event(ctx, kefu.EventMessageAdded, t.ID, actor, map[string]any{"message_id": m.ID, "kind": m.Kind}); err != nil {
			return err
		}
		if len(ch) > 0 {
			return s.event(ctx, kefu.EventTicketUpdated, t.ID, actor, map[string]any{"changes": ch})
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if followUp != nil {
		// The closed ticket stays closed; the customer's news starts a linked ticket.
		nt, nm, err := s.Create(ctx, nil, *followUp)
		return nm, nt, err
	}
	return m, t, nil
}

// quoteAt keeps a fold point only where it falls inside the stored body.
func quoteAt(body string, at int) int {
	if at <= 0 || at >= len(body) {
		return 0
	}
	return at
}

// applyStatus moves t to status next and keeps the timestamps that go with it.
func applyStatus(t *kefu.Ticket, next kefu.Status, now time.Time) {
	if t.Status == next {
		return
	}
	switch next {
	case kefu.StatusSolved:
		t.SolvedAt = &now
	case kefu.StatusClosed:
		t.ClosedAt = &now
		if t.SolvedAt == nil {
			t.SolvedAt = &now
		}
	default:
		t.SolvedAt = nil // reopened
	}
	t.Status = next
}
