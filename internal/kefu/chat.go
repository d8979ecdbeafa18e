package kefu

import (
	"encoding/json"
	"time"
)

// ChatChannel is a live-chat widget installed on one of the shop's sites.
// Its public Key goes in the widget's script tag; its Secret signs the
// customer identities the shop passes to the widget and never leaves kefu
// and the shop's server.
type ChatChannel struct {
	ID          int64    `json:"id"`
	Key         string   `json:"key"`
	Name        string   `json:"name"`
	Secret      string   `json:"-"`
	Origins     []string `json:"origins"` // allowed page origins; empty: kefu's own host only
	PreChat     bool     `json:"prechat"` // ask for name and email or phone before the first message
	Color       string   `json:"color"`   // launcher colour, #rrggbb
	Language    string   `json:"language"`
	Hours       string   `json:"hours"` // business hours, e.g. "mon-fri 09:00-18:00; sat 10:00-16:00"; empty: always
	TimeZone    string   `json:"time_zone"`
	AutoAssign  bool     `json:"auto_assign"`
	MaxChats    int      `json:"max_chats"`     // default concurrent chats per agent
	MaxUploadMB int      `json:"max_upload_mb"` // per file
	RatePerMin  int      `json:"rate_per_min"`  // visitor messages per minute
	TeamID      *int64   `json:"team_id"`       // team whose agents answer; nil: the default team
	// EmailChannelID is the mailbox transcripts are sent from; nil: the
	// first email channel that can send.
	EmailChannelID *int64    `json:"email_channel_id"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// ChatState is where the current chat session of a conversation stands.
type ChatState string

// Chat states.
const (
	ChatIdle    ChatState = "idle"    // nothing open: never written, or the last chat ended
	ChatWaiting ChatState = "waiting" // the visitor wrote; no agent has taken it yet
	ChatActive  ChatState = "active"  // an agent is chatting
	ChatEnded   ChatState = "ended"   // the chat ended; the visitor may rate it
	ChatOffline ChatState = "offline" // left as a message while nobody was online; answered by email
)

// Conversation is a visitor's thread with the shop on one channel: one
// sequence of entries across every chat they have had, each chat a ticket.
type Conversation struct {
	ID             int64     `json:"id"`
	ChannelID      int64     `json:"channel_id"`
	VisitorID      string    `json:"visitor_id"`
	CustomerID     *int64    `json:"customer_id"`
	TicketID       *int64    `json:"ticket_id"` // the current (or last) chat's ticket
	State          ChatState `json:"state"`
	AgentID        *int64    `json:"agent_id"`
	LastSeq        int64     `json:"last_seq"`
	VisitorRead    int64     `json:"visitor_read"` // highest seq the visitor has read
	VisitorRecv    int64     `json:"visitor_recv"` // highest seq the visitor's widget has received
	AgentRead      int64     `json:"agent_read"`
	AgentRecv      int64     `json:"agent_recv"`
	VisitorSeenAt  time.Time `json:"visitor_seen_at"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	StateChangedAt time.Time `json:"state_changed_at"`
}

// Entry kinds of a conversation.
const (
	EntryMessage = "msg" // a message of the visitor or an agent
	EntrySystem  = "sys" // something that happened: an agent joined, the chat ended…
)

// Entry authors.
const (
	FromVisitor = "visitor"
	FromAgent   = "agent"
	FromSystem  = "system"
)

// ChatEntry is one numbered entry of a conversation. Seq is 1, 2, 3… per
// conversation without gaps, assigned in the transaction that stores it.
type ChatEntry struct {
	ConversationID int64           `json:"conversation_id"`
	Seq            int64           `json:"seq"`
	Kind           string          `json:"kind"`
	From           string          `json:"from"`
	TicketID       *int64          `json:"ticket_id"`
	MessageID      *int64          `json:"message_id"`
	UserID         *int64          `json:"user_id"`
	ClientID       string          `json:"client_id"`
	Body           string          `json:"body"` // message text, or a system code ("joined", "ended"…)
	Data           json.RawMessage `json:"data"` // attachments, names: what the widget shows
	CreatedAt      time.Time       `json:"created_at"`
}

// AgentStatus is an agent's chat availability.
type AgentStatus string

// Agent statuses.
const (
	AgentOnline  AgentStatus = "online"
	AgentAway    AgentStatus = "away"
	AgentOffline AgentStatus = "offline"
)

// Valid reports whether s is a known status.
func (s AgentStatus) Valid() bool {
	return oneOf(s, []AgentStatus{AgentOnline, AgentAway, AgentOffline})
}

// ChatAgent is an agent's chat presence and capacity.
type ChatAgent struct {
	UserID   int64       `json:"user_id"`
	Status   AgentStatus `json:"status"`
	MaxChats int         `json:"max_chats"` // 0: the channel's default
	SeenAt   time.Time   `json:"seen_at"`   // last heartbeat from a workspace page
	Active   int         `json:"active"`    // chats in progress (filled by queries that count)
}

// ChatRating is a visitor's verdict on one chat.
type ChatRating struct {
	TicketID       int64     `json:"ticket_id"`
	ConversationID int64     `json:"conversation_id"`
	Score          int       `json:"score"` // 1–5
	Comment        string    `json:"comment"`
	CreatedAt      time.Time `json:"created_at"`
}

// Chat event types, written to the outbox like every other change.
const (
	EventChatStarted = "chat.started"
	EventChatEnded   = "chat.ended"
	EventChatRated   = "chat.rated"
)
