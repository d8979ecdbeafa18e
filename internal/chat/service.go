// Package chat is kefu's live chat: the widget a shop puts on its pages, the
// visitor side of the conversation over websockets, and the use cases agents
// reach from the workspace (accept, reply, transfer, end). Every entry of a
// conversation is numbered per conversation and committed before anyone is
// told about it; the visitor's own message id makes a retry harmless; a
// reconnecting visitor names the last number it saw and gets exactly what it
// missed. The database is the truth; the realtime hub (in-process, or NATS
// across nodes) only carries news of what was committed.
package chat

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/realtime"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/ticket"
)

// Limits on what a visitor may send.
const (
	MaxMessage       = 2000      // characters of one chat message
	MaxFrame         = 32 << 10  // bytes of one websocket frame
	UploadFilesDaily = 20        // files per conversation per day
	UploadBytesDaily = 100 << 20 // bytes per conversation per day
	MaxTabsPerNode   = 8         // open connections of one visitor on one node
	agentAlive       = 90 * time.Second
)

// UploadTypes are the content types (sniffed from the bytes) a visitor may send.
var UploadTypes = []string{"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf", "text/plain", "application/zip"}

// Service runs live chat against a store and a realtime hub.
type Service struct {
	st        *store.Store
	tickets   *ticket.Service
	customers *customer.Service
	hub       realtime.Hub
	log       *slog.Logger

	secretOnce sync.Once
	secret     []byte
	secretErr  error

	mu        sync.Mutex
	channels  map[string]cachedChannel // by key
	available cachedAvailability
	names     map[int64]string // user id → display name

	limits *limiter
	reg    *registry
	group  *group // SQLite: visitors' messages committed together
	// Demo serves the demo shop page at /demo/shop.
	Demo bool
}

type cachedChannel struct {
	ch *kefu.ChatChannel
	at time.Time
}

type cachedAvailability struct {
	online bool
	at     time.Time
}

// New returns the chat service.
func New(st *store.Store, tickets *ticket.Service, customers *customer.Service, hub realtime.Hub, log *slog.Logger) *Service {
	s := &Service{st: st, tickets: tickets, customers: customers, hub: hub, log: log,
		channels: map[string]cachedChannel{}, names: map[int64]string{}, limits: newLimiter()}
	s.reg = newRegistry(s)
	if st.Dialect() == store.SQLite {
		s.group = newGroup(st)
	}
	return s
}

// Run keeps this node's visitors in step with the database until ctx ends:
// every few seconds it checks in one query per 500 conversations that each
// open connection has been sent everything committed, whatever the hub
// dropped or another path (the REST API) added.
func (s *Service) Run(ctx context.Context) { s.reg.run(ctx, 3*time.Second) }

// key returns the node-shared secret that signs visitor tokens and file links.
func (s *Service) key(ctx context.Context) ([]byte, error) {
	s.secretOnce.Do(func() {
		v, err := s.st.Setting(ctx, "chat.secret", randomString(32))
		if err != nil {
			s.secretErr = err
			return
		}
		s.secret = []byte(v)
	})
	if s.secretErr != nil {
		err := s.secretErr
		s.secretOnce = sync.Once{} // try again next time
		return nil, err
	}
	return s.secret, nil
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func mac(key []byte, parts ...string) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(strings.Join(parts, "|")))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}

// visitorToken signs a visitor id for one channel: the widget keeps it in
// localStorage and shows it to come back to the same conversation.
func (s *Service) visitorToken(ctx context.Context, channelID int64, visitorID string) (string, error) {
	k, err := s.key(ctx)
	if err != nil {
		return "", err
	}
	return visitorID + "." + mac(k, "visitor", strconv.FormatInt(channelID, 10), visitorID), nil
}

// checkVisitorToken returns the visitor id a token carries, or "" when the
// token is missing, forged or for another channel.
func (s *Service) checkVisitorToken(ctx context.Context, channelID int64, token string) string {
	id, sig, ok := strings.Cut(token, ".")
	if !ok || len(id) < 16 || len(id) > 64 {
		return ""
	}
	k, err := s.key(ctx)
	if err != nil {
		return ""
	}
	if !hmac.Equal([]byte(sig), []byte(mac(k, "visitor", strconv.FormatInt(channelID, 10), id))) {
		return ""
	}
	return id
}

// fileSig signs a link to an attachment of a conversation so the visitor's
// browser can load it from another site without a session.
func (s *Service) fileSig(ctx context.Context, conversationID, attachmentID int64) string {
	k, err := s.key(ctx)
	if err != nil {
		return ""
	}
	return mac(k, "file", strconv.FormatInt(conversationID, 10), strconv.FormatInt(attachmentID, 10))
}

// Identity is a logged-in buyer as the shop's server vouches for them: Sig
// is hex(HMAC-SHA256(channel secret, "id|name|email|phone|ts")), with TS in
// unix seconds. kefu accepts it for seven days.
type Identity struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
	TS    int64  `json:"ts"`
	Sig   string `json:"sig"`
}

// SignIdentity is what a shop's server computes; kefu's demo shop uses it.
func SignIdentity(secret string, id Identity) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(strings.Join([]string{id.ID, id.Name, id.Email, id.Phone, strconv.FormatInt(id.TS, 10)}, "|")))
	return hex.EncodeToString(h.Sum(nil))
}

// verify reports whether the shop signed id with the channel's secret recently.
func (id *Identity) verify(ch *kefu.ChatChannel, now time.Time) bool {
	if id == nil || id.ID == "" || id.Sig == "" {
		return false
	}
	age := now.Sub(time.Unix(id.TS, 0))
	if age > 7*24*time.Hour || age < -time.Hour {
		return false
	}
	return hmac.Equal([]byte(strings.ToLower(id.Sig)), []byte(SignIdentity(ch.Secret, *id)))
}

// channel returns a channel by its public key, cached for a few seconds so
// ten thousand widgets connecting do not each read it.
func (s *Service) channel(ctx context.Context, key string) (*kefu.ChatChannel, error) {
	s.mu.Lock()
	c, ok := s.channels[key]
	s.mu.Unlock()
	if ok && time.Since(c.at) < 10*time.Second {
		return c.ch, nil
	}
	ch, err := s.st.ChatChannelByKey(ctx, key)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.channels[key] = cachedChannel{ch: ch, at: time.Now()}
	s.mu.Unlock()
	return ch, nil
}

// forgetChannels drops cached channels after an edit.
func (s *Service) forgetChannels() {
	s.mu.Lock()
	s.channels = map[string]cachedChannel{}
	s.mu.Unlock()
}

// userName returns an agent's display name, cached.
func (s *Service) userName(ctx context.Context, id int64) string {
	s.mu.Lock()
	n, ok := s.names[id]
	s.mu.Unlock()
	if ok {
		return n
	}
	u, err := s.st.User(ctx, id)
	if err != nil {
		return ""
	}
	s.mu.Lock()
	s.names[id] = u.Name
	s.mu.Unlock()
	return u.Name
}

// publish tells every node about a committed change of a conversation.
func (s *Service) publish(ctx context.Context, typ string, conv *kefu.Conversation, data any, topics ...string) {
	b, err := json.Marshal(data)
	if err != nil {
		s.log.Error("encode chat update", "err", err)
		return
	}
	m := realtime.Message{Type: typ, Data: b}
	if conv.TicketID != nil {
		m.TicketID = *conv.TicketID
	}
	for _, t := range topics {
		m.Topic = t
		if err := s.hub.Publish(ctx, m); err != nil {
			s.log.Warn("publish chat update", "topic", t, "err", err)
		}
	}
}

// Topics of the hub the chat uses.
const (
	// TopicQueue is heard by every agent: chats waiting, taken, ended.
	TopicQueue = "chats"
)

// TopicConversation is where a conversation's visitors listen.
func TopicConversation(id int64) string { return "chat." + strconv.FormatInt(id, 10) }

// TopicTicket is where agents viewing a ticket listen (the workspace's topic).
func TopicTicket(id int64) string { return "ticket." + strconv.FormatInt(id, 10) }

// TopicUser is where one agent hears about their own chats on every page.
func TopicUser(id int64) string { return "user." + strconv.FormatInt(id, 10) }

// agentTopics are the topics agents hear a conversation's news on.
func agentTopics(conv *kefu.Conversation, ticketID *int64) []string {
	var ts []string
	if ticketID != nil {
		ts = append(ts, TopicTicket(*ticketID))
	}
	if conv.AgentID != nil {
		ts = append(ts, TopicUser(*conv.AgentID))
	}
	return ts
}

type transcriptRow = store.ChatTranscript

func storeFilterWaiting() store.ConversationFilter {
	return store.ConversationFilter{States: []kefu.ChatState{kefu.ChatWaiting}, Limit: 50}
}
