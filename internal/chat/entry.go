package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// entryData is what an entry carries beside its body: the author's name,
// its files, and the arguments of a system entry.
type entryData struct {
	Name    string    `json:"name,omitempty"`
	Files   []fileRef `json:"files,omitempty"`
	Email   string    `json:"email,omitempty"`
	Score   int       `json:"score,omitempty"`
	Comment string    `json:"comment,omitempty"`
	Team    string    `json:"team,omitempty"`
	By      string    `json:"by,omitempty"` // who ended the chat: "visitor" or "agent"
}

type fileRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
	URL  string `json:"url,omitempty"` // filled for the wire
}

func filesOf(as []kefu.Attachment) []fileRef {
	var fs []fileRef
	for _, a := range as {
		fs = append(fs, fileRef{ID: a.ID, Name: a.Filename, Type: a.ContentType, Size: a.Size})
	}
	return fs
}

func (d entryData) raw() json.RawMessage {
	b, _ := json.Marshal(d)
	return b
}

// Wire is an entry as the widget receives it (frame type "e").
type Wire struct {
	T      string    `json:"t"`
	Conv   int64     `json:"conv"`
	Seq    int64     `json:"seq"`
	Kind   string    `json:"kind"`
	From   string    `json:"from"`
	CID    string    `json:"cid,omitempty"`
	Body   string    `json:"body"`
	Name   string    `json:"name,omitempty"`
	Files  []fileRef `json:"files,omitempty"`
	Email  string    `json:"email,omitempty"`
	Score  int       `json:"score,omitempty"`
	By     string    `json:"by,omitempty"`
	Team   string    `json:"team,omitempty"`
	At     int64     `json:"at"` // unix milliseconds
	Ticket int64     `json:"ticket,omitempty"`
}

// wire turns a stored entry into what visitors receive, with signed links to its files.
func (s *Service) wire(ctx context.Context, e *kefu.ChatEntry) Wire {
	var d entryData
	_ = json.Unmarshal(e.Data, &d)
	w := Wire{T: "e", Conv: e.ConversationID, Seq: e.Seq, Kind: e.Kind, From: e.From, CID: e.ClientID, Body: e.Body,
		Name: d.Name, Email: d.Email, Score: d.Score, By: d.By, Team: d.Team, At: e.CreatedAt.UnixMilli()}
	if e.TicketID != nil {
		w.Ticket = *e.TicketID
	}
	for _, f := range d.Files {
		f.URL = fmt.Sprintf("/chat/files/%d?c=%d&s=%s", f.ID, e.ConversationID, s.fileSig(ctx, e.ConversationID, f.ID))
		w.Files = append(w.Files, f)
	}
	return w
}

// addEntry numbers and stores one entry in the caller's transaction.
func (s *Service) addEntry(ctx context.Context, c *kefu.Conversation, kind, from string, ticketID *int64, msg *kefu.Message, userID *int64, cid, body string, d entryData) (*kefu.ChatEntry, error) {
	e := &kefu.ChatEntry{ConversationID: c.ID, Kind: kind, From: from, TicketID: ticketID, UserID: userID, ClientID: cid, Body: body,
		Data: d.raw(), CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	if msg != nil {
		e.MessageID = &msg.ID
	}
	if err := s.st.AddChatEntry(ctx, e); err != nil {
		return nil, err
	}
	c.LastSeq = e.Seq
	return e, nil
}

// announce publishes committed entries to the visitor's connections and to
// the agents concerned, in sequence order.
func (s *Service) announce(ctx context.Context, c *kefu.Conversation, es []*kefu.ChatEntry) {
	for _, e := range es {
		w := s.wire(ctx, e)
		topics := append([]string{TopicConversation(c.ID)}, agentTopics(c, e.TicketID)...)
		s.publish(ctx, "chat.entry", c, w, topics...)
	}
}

// stateNews is what agents and visitors hear when a chat changes state.
type stateNews struct {
	T        string `json:"t"` // "state"
	Conv     int64  `json:"conv"`
	State    string `json:"state"`
	Agent    string `json:"agent,omitempty"`
	AgentID  int64  `json:"agent_id,omitempty"`
	TicketID int64  `json:"ticket_id,omitempty"`
	Online   bool   `json:"online"`
}

func (s *Service) announceState(ctx context.Context, c *kefu.Conversation, prevAgent *int64) {
	n := stateNews{T: "state", Conv: c.ID, State: string(c.State), Online: true}
	if c.AgentID != nil {
		n.AgentID = *c.AgentID
		n.Agent = s.userName(ctx, *c.AgentID)
	}
	if c.TicketID != nil {
		n.TicketID = *c.TicketID
	}
	topics := append([]string{TopicConversation(c.ID), TopicQueue}, agentTopics(c, c.TicketID)...)
	if prevAgent != nil && (c.AgentID == nil || *prevAgent != *c.AgentID) {
		topics = append(topics, TopicUser(*prevAgent))
	}
	s.publish(ctx, "chat.state", c, n, topics...)
}
