package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"sort"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/ticket"
)

// ForTicket returns the conversation a chat ticket belongs to.
func (s *Service) ForTicket(ctx context.Context, ticketID int64) (*kefu.Conversation, error) {
	return s.st.ConversationByTicket(ctx, ticketID)
}

// change runs fn on a chat ticket's conversation, locked, in one
// transaction with what fn does to the ticket; it then publishes the new
// entries and state.
func (s *Service) change(ctx context.Context, ticketID int64, fn func(ctx context.Context, c *kefu.Conversation) ([]*kefu.ChatEntry, error)) (*kefu.Conversation, error) {
	conv, err := s.st.ConversationByTicket(ctx, ticketID)
	if err != nil {
		return nil, err
	}
	var entries []*kefu.ChatEntry
	var prev *int64
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.st.LockConversation(ctx, conv.ID)
		if err != nil {
			return err
		}
		conv, prev = c, c.AgentID
		entries, err = fn(ctx, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.announce(ctx, conv, entries)
	s.announceState(ctx, conv, prev)
	return conv, nil
}

func current(c *kefu.Conversation, ticketID int64) error {
	if c.TicketID == nil || *c.TicketID != ticketID {
		return &kefu.ConflictError{Field: "ticket", Message: "this ticket is not the visitor's current chat"}
	}
	return nil
}

// Accept lets an agent take a waiting chat. Taking a chat someone else took
// a moment earlier is a conflict that names them.
func (s *Service) Accept(ctx context.Context, actor *kefu.User, ticketID int64) (*kefu.Conversation, error) {
	if err := auth.Can(actor, auth.ReplyToCustomer); err != nil {
		return nil, err
	}
	return s.change(ctx, ticketID, func(ctx context.Context, c *kefu.Conversation) ([]*kefu.ChatEntry, error) {
		if err := current(c, ticketID); err != nil {
			return nil, err
		}
		if c.AgentID != nil && *c.AgentID == actor.ID && c.State == kefu.ChatActive {
			return nil, nil
		}
		if c.State != kefu.ChatWaiting && c.State != kefu.ChatOffline {
			msg := "this chat is no longer waiting"
			if c.AgentID != nil {
				msg = fmt.Sprintf("%s already took this chat", s.userName(ctx, *c.AgentID))
			}
			return nil, &kefu.ConflictError{Field: "ticket", Message: msg}
		}
		return s.take(ctx, c, actor)
	})
}

// take makes actor the chat's agent, inside the caller's transaction.
func (s *Service) take(ctx context.Context, c *kefu.Conversation, actor *kefu.User) ([]*kefu.ChatEntry, error) {
	t, err := s.st.Ticket(ctx, *c.TicketID)
	if err != nil {
		return nil, err
	}
	p := ticket.Patch{}
	if t.AssigneeID == nil || *t.AssigneeID != actor.ID {
		p.AssigneeID = ticket.Field[*int64]{Set: true, Value: &actor.ID}
	}
	if t.Status == kefu.StatusNew {
		p.Status = ticket.Field[kefu.Status]{Set: true, Value: kefu.StatusOpen}
	}
	if _, err := s.tickets.Update(ctx, actor, t.ID, p); err != nil {
		return nil, err
	}
	c.State, c.AgentID, c.StateChangedAt = kefu.ChatActive, &actor.ID, time.Now().UTC()
	if err := s.st.UpdateConversation(ctx, c); err != nil {
		return nil, err
	}
	e, err := s.addEntry(ctx, c, kefu.EntrySystem, kefu.FromSystem, c.TicketID, nil, &actor.ID, "", "joined", entryData{Name: actor.Name})
	if err != nil {
		return nil, err
	}
	return []*kefu.ChatEntry{e}, nil
}

// End ends a chat. An agent ending it solves the ticket; a visitor ending it
// (actor nil) leaves the ticket to the agent. Either way the visitor is
// offered a rating.
func (s *Service) End(ctx context.Context, actor *kefu.User, ticketID int64) (*kefu.Conversation, error) {
	if actor != nil {
		if err := auth.Can(actor, auth.ReplyToCustomer); err != nil {
			return nil, err
		}
	}
	conv, err := s.change(ctx, ticketID, func(ctx context.Context, c *kefu.Conversation) ([]*kefu.ChatEntry, error) {
		if err := current(c, ticketID); err != nil {
			return nil, err
		}
		if c.State == kefu.ChatEnded || c.State == kefu.ChatIdle {
			return nil, nil
		}
		by := kefu.FromVisitor
		var uid *int64
		if actor != nil {
			by, uid = kefu.FromAgent, &actor.ID
			t, err := s.st.Ticket(ctx, ticketID)
			if err != nil {
				return nil, err
			}
			if t.Status.Active() {
				if _, err := s.tickets.Update(ctx, actor, ticketID, ticket.Patch{Status: ticket.Field[kefu.Status]{Set: true, Value: kefu.StatusSolved}}); err != nil {
					return nil, err
				}
			}
		}
		c.State, c.StateChangedAt = kefu.ChatEnded, time.Now().UTC()
		if err := s.st.UpdateConversation(ctx, c); err != nil {
			return nil, err
		}
		if err := s.st.AddEvent(ctx, &kefu.Event{Type: kefu.EventChatEnded, TicketID: &ticketID, ActorUserID: uid}, map[string]any{"conversation_id": c.ID, "by": by}); err != nil {
			return nil, err
		}
		var name string
		if actor != nil {
			name = actor.Name
		}
		e, err := s.addEntry(ctx, c, kefu.EntrySystem, kefu.FromSystem, &ticketID, nil, uid, "", "ended", entryData{By: by, Name: name})
		if err != nil {
			return nil, err
		}
		return []*kefu.ChatEntry{e}, nil
	})
	if err == nil {
		go s.drainQueue(context.WithoutCancel(ctx))
	}
	return conv, err
}

// Transfer hands a chat ticket to another agent or team with a note (the
// ticket's hand-off). The visitor hears who takes over, never the note. A
// hand-off to a team puts the chat back in the queue for that team.
func (s *Service) Transfer(ctx context.Context, actor *kefu.User, ticketID int64, toUser, toTeam *int64, note string) (*kefu.Handoff, error) {
	conv, err := s.st.ConversationByTicket(ctx, ticketID)
	if errors.Is(err, kefu.ErrNotFound) {
		return s.tickets.Transfer(ctx, actor, ticketID, toUser, toTeam, note)
	}
	if err != nil {
		return nil, err
	}
	var h *kefu.Handoff
	_, err = s.change(ctx, ticketID, func(ctx context.Context, c *kefu.Conversation) ([]*kefu.ChatEntry, error) {
		h, err = s.tickets.Transfer(ctx, actor, ticketID, toUser, toTeam, note)
		if err != nil {
			return nil, err
		}
		if current(c, ticketID) != nil || (c.State != kefu.ChatActive && c.State != kefu.ChatWaiting) {
			return nil, nil
		}
		d := entryData{}
		if toUser != nil {
			u, err := s.st.User(ctx, *toUser)
			if err != nil {
				return nil, err
			}
			c.State, c.AgentID, d.Name = kefu.ChatActive, toUser, u.Name
		} else {
			tm, err := s.st.Team(ctx, *toTeam)
			if err != nil {
				return nil, err
			}
			if tm.Kind == kefu.TeamDepartment {
				return nil, nil // asking a department for help: the agent keeps the chat
			}
			c.State, c.AgentID, d.Team = kefu.ChatWaiting, nil, tm.Name
		}
		c.StateChangedAt = time.Now().UTC()
		if err := s.st.UpdateConversation(ctx, c); err != nil {
			return nil, err
		}
		e, err := s.addEntry(ctx, c, kefu.EntrySystem, kefu.FromSystem, &ticketID, nil, &actor.ID, "", "transferred", d)
		if err != nil {
			return nil, err
		}
		return []*kefu.ChatEntry{e}, nil
	})
	if err == nil && conv != nil {
		s.assign(ctx, conv.ID)
	}
	return h, err
}

// Rate stores a visitor's 1–5 rating of one of their chats.
func (s *Service) Rate(ctx context.Context, v *Visitor, ticketID int64, score int, comment string) error {
	if score < 1 || score > 5 {
		return kefu.Invalid("score", "must be 1 to 5")
	}
	comment, err := kefu.CleanText("comment", comment, 0, 1000)
	if err != nil {
		return err
	}
	conv, err := s.st.ConversationByVisitor(ctx, v.Channel.ID, v.VisitorID)
	if err != nil {
		return err
	}
	owner, err := s.st.ConversationByTicket(ctx, ticketID)
	if err != nil || owner.ID != conv.ID {
		return kefu.NotFound("chat")
	}
	var e *kefu.ChatEntry
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.st.LockConversation(ctx, conv.ID)
		if err != nil {
			return err
		}
		conv = c
		if err := s.st.AddChatRating(ctx, &kefu.ChatRating{TicketID: ticketID, ConversationID: c.ID, Score: score, Comment: comment}); err != nil {
			return err
		}
		if err := s.st.AddEvent(ctx, &kefu.Event{Type: kefu.EventChatRated, TicketID: &ticketID}, map[string]any{"score": score, "comment": comment}); err != nil {
			return err
		}
		e, err = s.addEntry(ctx, c, kefu.EntrySystem, kefu.FromSystem, &ticketID, nil, nil, "", "rated", entryData{Score: score, Comment: comment})
		return err
	})
	if err != nil {
		return err
	}
	s.announce(ctx, conv, []*kefu.ChatEntry{e})
	return nil
}

// assign gives a waiting chat to the online agent of the channel's team with
// the fewest chats, below their limit, when the channel auto-assigns. With
// nobody free the chat stays in the queue for an agent to accept.
func (s *Service) assign(ctx context.Context, convID int64) {
	ctx = context.WithoutCancel(ctx)
	conv, err := s.st.Conversation(ctx, convID)
	if err != nil || conv.State != kefu.ChatWaiting {
		return
	}
	ch, err := s.st.ChatChannel(ctx, conv.ChannelID)
	if err != nil || !ch.AutoAssign {
		return
	}
	_, err = s.change(ctx, *conv.TicketID, func(ctx context.Context, c *kefu.Conversation) ([]*kefu.ChatEntry, error) {
		if c.State != kefu.ChatWaiting || c.TicketID == nil {
			return nil, nil
		}
		t, err := s.st.Ticket(ctx, *c.TicketID)
		if err != nil {
			return nil, err
		}
		u, err := s.pickAgent(ctx, ch, t.TeamID)
		if err != nil || u == nil {
			return nil, err
		}
		return s.take(ctx, c, u)
	})
	if err != nil && !errors.Is(err, kefu.ErrConflict) {
		s.log.Warn("auto-assign chat", "conversation", convID, "err", err)
	}
}

// pickAgent chooses the least busy online agent of team with a free slot.
func (s *Service) pickAgent(ctx context.Context, ch *kefu.ChatChannel, teamID *int64) (*kefu.User, error) {
	agents, err := s.st.ChatAgents(ctx)
	if err != nil {
		return nil, err
	}
	members := map[int64]bool{}
	if teamID != nil {
		ids, err := s.st.TeamMembers(ctx, *teamID)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			members[id] = true
		}
	}
	var free []*kefu.ChatAgent
	var lock []int64
	for _, a := range agents {
		if a.Status != kefu.AgentOnline || time.Since(a.SeenAt) > agentAlive || (teamID != nil && !members[a.UserID]) {
			continue
		}
		lock = append(lock, a.UserID)
		free = append(free, a)
	}
	if err := s.st.LockChatAgents(ctx, lock); err != nil {
		return nil, err
	}
	sort.SliceStable(free, func(i, j int) bool { return free[i].Active < free[j].Active })
	for _, a := range free {
		limit := a.MaxChats
		if limit <= 0 {
			limit = ch.MaxChats
		}
		// Count again under the lock: another node may have just assigned.
		fresh, err := s.st.ChatAgent(ctx, a.UserID)
		if err != nil {
			return nil, err
		}
		if fresh.Active >= limit {
			continue
		}
		u, err := s.st.User(ctx, a.UserID)
		if err != nil || u.Status != kefu.UserActive || auth.Can(u, auth.ReplyToCustomer) != nil {
			continue
		}
		return u, nil
	}
	return nil, nil
}

// drainQueue offers waiting chats to agents who have room, oldest first.
func (s *Service) drainQueue(ctx context.Context) {
	waiting, err := s.st.Conversations(ctx, storeFilterWaiting())
	if err != nil {
		s.log.Warn("read chat queue", "err", err)
		return
	}
	for _, c := range waiting {
		s.assign(ctx, c.ID)
	}
}

// SetStatus changes an agent's presence; going online may hand them waiting chats.
func (s *Service) SetStatus(ctx context.Context, actor *kefu.User, status kefu.AgentStatus) error {
	if !status.Valid() {
		return kefu.Invalid("status", "must be online, away or offline")
	}
	if err := s.st.SetAgentStatus(ctx, actor.ID, status); err != nil {
		return err
	}
	s.mu.Lock()
	s.available = cachedAvailability{}
	s.mu.Unlock()
	s.publish(ctx, "chat.presence", &kefu.Conversation{}, map[string]any{"user_id": actor.ID, "status": status}, TopicQueue)
	if status == kefu.AgentOnline {
		go s.drainQueue(context.WithoutCancel(ctx))
	}
	return nil
}

// Heartbeat records that an agent's workspace is open.
func (s *Service) Heartbeat(ctx context.Context, actor *kefu.User) error {
	return s.st.TouchAgent(ctx, actor.ID)
}

// Available reports whether the channel takes live chats now: inside its
// business hours and with an agent online. The answer is cached for a few
// seconds per node.
func (s *Service) Available(ctx context.Context, ch *kefu.ChatChannel) bool {
	if !InHours(ch.Hours, ch.TimeZone, time.Now()) {
		return false
	}
	s.mu.Lock()
	a := s.available
	s.mu.Unlock()
	if time.Since(a.at) < 3*time.Second {
		return a.online
	}
	agents, err := s.st.ChatAgents(ctx)
	if err != nil {
		s.log.Warn("read agent presence", "err", err)
		return false
	}
	online := false
	for _, ag := range agents {
		online = online || (ag.Status == kefu.AgentOnline && time.Since(ag.SeenAt) < agentAlive)
	}
	s.mu.Lock()
	s.available = cachedAvailability{online: online, at: time.Now()}
	s.mu.Unlock()
	return online
}

// Seen records how far agents have received and read a chat ticket's
// conversation, and tells the visitor.
func (s *Service) Seen(ctx context.Context, actor *kefu.User, ticketID int64, seq int64, read bool) error {
	conv, err := s.st.ConversationByTicket(ctx, ticketID)
	if err != nil {
		return err
	}
	moved, err := s.st.MarkConversation(ctx, conv.ID, "agent_recv", seq)
	if err != nil {
		return err
	}
	if read {
		r, err := s.st.MarkConversation(ctx, conv.ID, "agent_read", seq)
		if err != nil {
			return err
		}
		moved = moved || r
	}
	if moved {
		c, err := s.st.Conversation(ctx, conv.ID)
		if err == nil {
			s.publish(ctx, "chat.marks", c, marks{T: "marks", Conv: c.ID, AgentRecv: c.AgentRecv, AgentRead: c.AgentRead, VisitorRecv: c.VisitorRecv, VisitorRead: c.VisitorRead},
				append([]string{TopicConversation(c.ID)}, agentTopics(c, c.TicketID)...)...)
		}
	}
	return nil
}

type marks struct {
	T           string `json:"t"`
	Conv        int64  `json:"conv"`
	AgentRecv   int64  `json:"agent_recv"`
	AgentRead   int64  `json:"agent_read"`
	VisitorRecv int64  `json:"visitor_recv"`
	VisitorRead int64  `json:"visitor_read"`
}

// Typing tells the visitor that an agent is typing on a chat ticket.
func (s *Service) Typing(ctx context.Context, actor *kefu.User, ticketID int64) {
	conv, err := s.st.ConversationByTicket(ctx, ticketID)
	if err != nil || conv.State != kefu.ChatActive {
		return
	}
	s.publish(ctx, "chat.typing", conv, map[string]any{"t": "typing", "conv": conv.ID, "from": "agent", "name": actor.Name, "on": true}, TopicConversation(conv.ID))
}

// Transcript queues the conversation's text for email to the visitor.
func (s *Service) Transcript(ctx context.Context, convID int64, email, lang string) error {
	email, err := kefu.NormalizeIdentity(kefu.IdentityEmail, email)
	if err != nil {
		return err
	}
	c, err := s.st.Conversation(ctx, convID)
	if err != nil {
		return err
	}
	es, err := s.st.ChatEntries(ctx, convID, max(0, c.LastSeq-500), 500)
	if err != nil {
		return err
	}
	if lang != "en" {
		lang = "zh-CN"
	}
	tr := renderTranscript(es, lang, s.channelName(ctx, c.ChannelID))
	tr.ConversationID, tr.TicketID, tr.Email, tr.Lang = convID, c.TicketID, email, lang
	return s.st.AddChatTranscript(ctx, tr)
}

// channelName is the chat channel's name for a transcript's heading.
func (s *Service) channelName(ctx context.Context, id int64) string {
	ch, err := s.st.ChatChannel(ctx, id)
	if err != nil {
		return ""
	}
	return ch.Name
}

// renderTranscript writes a chat's messages as the visitor reads them, in
// their language: plain text, and the same as simple HTML for mail readers
// that prefer it. Times are China Standard Time, as the shop's are.
func renderTranscript(es []*kefu.ChatEntry, lang, shop string) *transcriptRow {
	you, us, subject, intro := "您", "客服", "在线客服聊天记录", "以下是您与%s在线客服的聊天记录（北京时间）。"
	if lang == "en" {
		you, us, subject, intro = "You", "Support", "Your chat transcript", "Here is your chat with %s support (China Standard Time)."
	}
	if shop != "" {
		subject += " · " + shop
	}
	var text, html strings.Builder
	fmt.Fprintf(&text, intro+"\n\n", shop)
	fmt.Fprintf(&html, `<p>%s</p><table cellpadding="4" style="border-collapse:collapse;font:14px sans-serif">`, template.HTMLEscapeString(fmt.Sprintf(intro, shop)))
	for _, e := range es {
		if e.Kind != kefu.EntryMessage {
			continue
		}
		var d entryData
		_ = json.Unmarshal(e.Data, &d)
		who := you
		if e.From == kefu.FromAgent {
			who = us
			if d.Name != "" {
				who = d.Name + " (" + us + ")"
			}
		}
		body := e.Body
		for _, f := range d.Files {
			body = strings.TrimSpace(body + " [" + f.Name + "]")
		}
		at := e.CreatedAt.In(cst).Format("2006-01-02 15:04")
		fmt.Fprintf(&text, "[%s] %s: %s\n", at, who, body)
		fmt.Fprintf(&html, `<tr><td style="color:#666;white-space:nowrap;vertical-align:top">%s</td><td style="vertical-align:top"><b>%s</b></td><td style="white-space:pre-wrap">%s</td></tr>`,
			at, template.HTMLEscapeString(who), template.HTMLEscapeString(body))
	}
	html.WriteString("</table>")
	return &transcriptRow{Subject: subject, Body: text.String(), HTML: html.String()}
}

var cst = time.FixedZone("CST", 8*3600)
