package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/ticket"
)

// Profile is what the pre-chat (or leave-a-message) form asked the visitor.
type Profile struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
	Order string `json:"order,omitempty"`
}

// Visitor is one browser on a channel, as the websocket or upload handler
// established it.
type Visitor struct {
	Channel   *kefu.ChatChannel
	VisitorID string
	Identity  *Identity // verified, or nil
	Profile   Profile
	Language  string
}

// Incoming is a message from a visitor.
type Incoming struct {
	CID   string
	Body  string
	Files []ticket.Upload
}

// ErrLimited is returned when a visitor sends faster than the channel allows.
var ErrLimited = errors.New("rate limited")

// validCID reports whether a client message id is acceptable: 1–64 URL-safe characters.
func validCID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Send stores a visitor's message and returns its sequence number once it
// is committed. A message whose client id was stored before is not stored
// again: Send returns the first one's number, so a retry is harmless. The
// first message of a chat opens a ticket: queued for an agent when one is
// online in business hours, otherwise a left message answered by email.
func (s *Service) Send(ctx context.Context, v *Visitor, in Incoming) (seq int64, conv *kefu.Conversation, err error) {
	if !validCID(in.CID) {
		return 0, nil, kefu.Invalid("cid", "must be 1 to 64 letters, digits, - or _")
	}
	body, err := kefu.CleanText("body", in.Body, 0, MaxMessage)
	if err != nil {
		return 0, nil, err
	}
	if body == "" && len(in.Files) == 0 {
		return 0, nil, kefu.Invalid("body", "is required")
	}
	conv, err = s.st.EnsureConversation(ctx, v.Channel.ID, v.VisitorID)
	if err != nil {
		return 0, nil, err
	}
	extID := fmt.Sprintf("chat:%d:%s", conv.ID, in.CID)
	if !s.limits.allow("msg:"+v.VisitorID, v.Channel.RatePerMin) {
		if seq, ok := s.existing(ctx, extID); ok {
			return seq, conv, nil // a retry of a stored message is always answered
		}
		return 0, conv, ErrLimited
	}
	if len(in.Files) > 0 {
		if err := s.checkUploads(ctx, v.Channel, conv.ID, in.Files); err != nil {
			return 0, conv, err
		}
	}
	var entries []*kefu.ChatEntry
	var started bool
	var prevAgent *int64
	err = s.write(ctx, func(ctx context.Context) error {
		entries, started, prevAgent = nil, false, nil
		c, err := s.st.LockConversation(ctx, conv.ID)
		if err != nil {
			return err
		}
		conv = c
		prevAgent = c.AgentID
		for _, f := range in.Files {
			if err := s.st.AddChatUpload(ctx, c.ID, int64(len(f.Data))); err != nil {
				return err
			}
		}
		fresh, err := s.needsNewChat(ctx, c)
		if err != nil {
			return err
		}
		if fresh {
			started = true
			entries, err = s.startChat(ctx, v, c, body, extID, in)
			return err
		}
		m, t, err := s.tickets.AddMessage(ctx, nil, *c.TicketID, ticket.NewMessage{Kind: kefu.MessageCustomer, Body: body, ExternalID: extID, Attachments: in.Files})
		if err != nil {
			return err
		}
		if t.ID != *c.TicketID { // merged or followed up: the chat goes on there
			c.TicketID = &t.ID
			if err := s.st.UpdateConversation(ctx, c); err != nil {
				return err
			}
		}
		e, err := s.addEntry(ctx, c, kefu.EntryMessage, kefu.FromVisitor, &t.ID, m, nil, in.CID, body, entryData{Files: filesOf(m.Attachments)})
		if err != nil {
			return err
		}
		entries = append(entries, e)
		return nil
	})
	var ce *kefu.ConflictError
	if errors.As(err, &ce) && ce.Field == "external_id" {
		// The same message raced in through another connection and won.
		if seq, ok := s.existing(ctx, extID); ok {
			return seq, conv, nil
		}
	}
	if err != nil {
		return 0, conv, err
	}
	s.reg.attach(v.VisitorID, conv.ID)
	s.announce(ctx, conv, entries)
	if started {
		s.announceState(ctx, conv, prevAgent)
		if conv.State == kefu.ChatWaiting {
			s.assign(ctx, conv.ID)
		}
	}
	return entries[0].Seq, conv, nil
}

// existing returns the sequence number of a message already stored under extID.
func (s *Service) existing(ctx context.Context, extID string) (int64, bool) {
	m, err := s.st.MessageByExternalID(ctx, extID)
	if err != nil {
		return 0, false
	}
	e, err := s.st.ChatEntryByMessage(ctx, m.ID)
	if err != nil {
		return 0, false
	}
	return e.Seq, true
}

// needsNewChat reports whether the visitor's message starts a new chat
// (and ticket) rather than continuing the current one.
func (s *Service) needsNewChat(ctx context.Context, c *kefu.Conversation) (bool, error) {
	if c.TicketID == nil {
		return true, nil
	}
	switch c.State {
	case kefu.ChatIdle, kefu.ChatEnded:
		return true, nil
	case kefu.ChatOffline:
		t, err := s.st.Ticket(ctx, *c.TicketID)
		if err != nil {
			return false, err
		}
		return !t.Status.Active(), nil // the left message was answered: a new chat
	}
	return false, nil
}

// startChat opens the ticket of a new chat, inside Send's transaction.
func (s *Service) startChat(ctx context.Context, v *Visitor, c *kefu.Conversation, body, extID string, in Incoming) ([]*kefu.ChatEntry, error) {
	ch := v.Channel
	ref := customer.Ref{VisitorID: v.VisitorID, Name: v.Profile.Name, Email: v.Profile.Email, Phone: v.Profile.Phone, Language: v.Language}
	if id := v.Identity; id != nil {
		ref.ExternalID = id.ID
		if id.Name != "" {
			ref.Name = id.Name
		}
		if id.Email != "" {
			ref.Email = id.Email
		}
		if id.Phone != "" {
			ref.Phone = id.Phone
		}
	}
	if strings.TrimSpace(ref.Name) == "" {
		short := v.VisitorID[:4]
		if v.Language == "en" {
			ref.Name = "Visitor " + short
		} else {
			ref.Name = "访客 " + short
		}
	}
	if ref.Language != "en" {
		ref.Language = "zh-CN"
	}
	cust, err := s.customers.Resolve(ctx, nil, ref)
	if err != nil {
		return nil, kefu.PrefixField("profile.", err)
	}
	online := s.Available(ctx, ch)
	nt := ticket.NewTicket{Channel: kefu.ChannelChat, Customer: customer.Ref{ID: cust.ID}, TeamID: ch.TeamID,
		Message: ticket.NewMessage{Body: body, ExternalID: extID, Attachments: in.Files}}
	if body == "" {
		nt.Subject = "在线咨询 / Live chat"
	}
	if o := strings.TrimSpace(v.Profile.Order); o != "" {
		if ord, err := s.st.OrderByNumber(ctx, o); err == nil && ord.CustomerID == cust.ID {
			nt.OrderID = &ord.ID
		} else {
			nt.CustomFields = map[string]any{"order_number": o}
		}
	}
	if !online {
		nt.Tags = []string{"offline-message"}
	}
	t, m, err := s.tickets.Create(ctx, nil, nt)
	if err != nil {
		return nil, err
	}
	c.TicketID, c.CustomerID, c.AgentID = &t.ID, &cust.ID, nil
	c.State = kefu.ChatWaiting
	if !online {
		c.State = kefu.ChatOffline
	}
	c.StateChangedAt = t.CreatedAt
	if err := s.st.UpdateConversation(ctx, c); err != nil {
		return nil, err
	}
	var es []*kefu.ChatEntry
	e, err := s.addEntry(ctx, c, kefu.EntryMessage, kefu.FromVisitor, &t.ID, m, nil, in.CID, body, entryData{Files: filesOf(m.Attachments)})
	if err != nil {
		return nil, err
	}
	es = append(es, e)
	if !online {
		email := cust.Email()
		e, err := s.addEntry(ctx, c, kefu.EntrySystem, kefu.FromSystem, &t.ID, nil, nil, "", "offline", entryData{Email: email})
		if err != nil {
			return nil, err
		}
		es = append(es, e)
	}
	err = s.st.AddEvent(ctx, &kefu.Event{Type: kefu.EventChatStarted, TicketID: &t.ID}, map[string]any{"conversation_id": c.ID, "state": c.State})
	return es, err
}

// Reply adds an agent's message to a ticket. On a chat ticket it also goes
// into the visitor's conversation, numbered in the same transaction, and a
// reply to a waiting chat takes it. Other tickets are left to the ticket
// service alone.
func (s *Service) Reply(ctx context.Context, actor *kefu.User, ticketID int64, in ticket.NewMessage) (*kefu.Message, *kefu.Ticket, error) {
	conv, err := s.st.ConversationByTicket(ctx, ticketID)
	if errors.Is(err, kefu.ErrNotFound) {
		return s.tickets.AddMessage(ctx, actor, ticketID, in)
	}
	if err != nil {
		return nil, nil, err
	}
	var m *kefu.Message
	var t *kefu.Ticket
	var entries []*kefu.ChatEntry
	var stateChanged bool
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		entries, stateChanged = nil, false
		c, err := s.st.LockConversation(ctx, conv.ID) // the conversation before the ticket, always
		if err != nil {
			return err
		}
		conv = c
		m, t, err = s.tickets.AddMessage(ctx, actor, ticketID, in)
		if err != nil || m.Kind != kefu.MessageReply {
			return err
		}
		if c.State == kefu.ChatWaiting && c.TicketID != nil && *c.TicketID == t.ID {
			c.State, c.AgentID, c.StateChangedAt = kefu.ChatActive, &actor.ID, m.CreatedAt
			if err := s.st.UpdateConversation(ctx, c); err != nil {
				return err
			}
			stateChanged = true
			e, err := s.addEntry(ctx, c, kefu.EntrySystem, kefu.FromSystem, &t.ID, nil, &actor.ID, "", "joined", entryData{Name: actor.Name})
			if err != nil {
				return err
			}
			entries = append(entries, e)
		}
		e, err := s.addEntry(ctx, c, kefu.EntryMessage, kefu.FromAgent, &t.ID, m, &actor.ID, "", m.Body, entryData{Name: actor.Name, Files: filesOf(m.Attachments)})
		if err != nil {
			return err
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	s.announce(ctx, conv, entries)
	if stateChanged {
		s.announceState(ctx, conv, nil)
	}
	return m, t, nil
}

// Consumer is the outbox consumer that puts agent replies written outside
// the workspace (the REST API) into the visitor's conversation. It runs in
// the outbox's transaction, so each reply is numbered exactly once; the
// node's sync loop then delivers it.
func (s *Service) Consumer() func(ctx context.Context, es []*kefu.Event) error {
	return func(ctx context.Context, es []*kefu.Event) error {
		for _, e := range es {
			if e.Type != kefu.EventMessageAdded || e.TicketID == nil || !strings.Contains(string(e.Data), `"reply"`) {
				continue
			}
			var d struct {
				MessageID int64            `json:"message_id"`
				Kind      kefu.MessageKind `json:"kind"`
			}
			if err := json.Unmarshal(e.Data, &d); err != nil || d.Kind != kefu.MessageReply {
				continue
			}
			if _, err := s.st.ChatEntryByMessage(ctx, d.MessageID); err == nil {
				continue // numbered when it was written
			}
			conv, err := s.st.ConversationByTicket(ctx, *e.TicketID)
			if errors.Is(err, kefu.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			c, err := s.st.LockConversation(ctx, conv.ID)
			if err != nil {
				return err
			}
			ms, err := s.st.Messages(ctx, *e.TicketID, d.MessageID-1, 1)
			if err != nil {
				return err
			}
			if len(ms) == 0 || ms[0].ID != d.MessageID {
				continue // moved by a merge: the target ticket's chat has it
			}
			m := ms[0]
			var name string
			if m.AuthorUserID != nil {
				name = s.userName(ctx, *m.AuthorUserID)
			}
			if _, err := s.addEntry(ctx, c, kefu.EntryMessage, kefu.FromAgent, e.TicketID, m, m.AuthorUserID, "", m.Body, entryData{Name: name, Files: filesOf(m.Attachments)}); err != nil {
				return err
			}
		}
		return nil
	}
}
