package chat

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/realtime"
)

// frame is anything a widget sends; T says which kind.
type frame struct {
	T        string    `json:"t"`
	Token    string    `json:"token,omitempty"`
	Seq      int64     `json:"seq,omitempty"`
	Lang     string    `json:"lang,omitempty"`
	Profile  *Profile  `json:"profile,omitempty"`
	User     *Identity `json:"user,omitempty"`
	CID      string    `json:"cid,omitempty"`
	Body     string    `json:"body,omitempty"`
	On       bool      `json:"on,omitempty"`
	Recv     int64     `json:"recv,omitempty"`
	Read     int64     `json:"read,omitempty"`
	Ticket   int64     `json:"ticket,omitempty"`
	Score    int       `json:"score,omitempty"`
	Comment  string    `json:"comment,omitempty"`
	Email    string    `json:"email,omitempty"`
	Language string    `json:"language,omitempty"`
}

// welcome is the server's answer to hello.
type welcome struct {
	T           string `json:"t"`
	Token       string `json:"token"`
	Conv        int64  `json:"conv"`
	State       string `json:"state"`
	Online      bool   `json:"online"`
	PreChat     bool   `json:"prechat"`
	Identified  bool   `json:"identified"` // the shop vouched for who this is
	Name        string `json:"name"`
	Color       string `json:"color"`
	Agent       string `json:"agent,omitempty"`
	Ticket      int64  `json:"ticket,omitempty"`
	Last        int64  `json:"last"` // the conversation's last sequence number
	From        int64  `json:"from"` // entries after this one follow
	Reset       bool   `json:"reset,omitempty"`
	AgentRecv   int64  `json:"agent_recv"`
	AgentRead   int64  `json:"agent_read"`
	MaxUploadMB int    `json:"max_upload_mb"`
	MaxMessage  int    `json:"max_message"`
}

type reply struct {
	T       string `json:"t"`
	CID     string `json:"cid,omitempty"`
	Seq     int64  `json:"seq,omitempty"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	Limit   int64  `json:"limit,omitempty"`
	Ticket  int64  `json:"ticket,omitempty"`
}

// conn is one visitor's websocket on this node. The reader goroutine
// handles frames in order (a message is acknowledged only after it
// commits); the writer goroutine alone sends entries, so it alone knows how
// far the visitor has been sent and can fill any gap from the database.
type conn struct {
	s      *Service
	ws     *websocket.Conn
	v      *Visitor
	convID atomic.Int64
	sent   atomic.Int64 // highest sequence number sent on this connection
	attach chan int64   // the conversation was created: subscribe
	poke   chan struct{}
	// state is the last state sent (state and agent), so one that arrives
	// twice — read from the database on attach and heard from the hub when
	// its announcement lands after the subscription — is sent once.
	state string
}

// serveWS is GET /chat/ws?channel=KEY: the visitor's side of the chat.
func (s *Service) serveWS(rw http.ResponseWriter, r *http.Request) {
	ch, err := s.channel(r.Context(), r.URL.Query().Get("channel"))
	if err != nil {
		http.Error(rw, "unknown chat channel", http.StatusNotFound)
		return
	}
	if !originAllowed(ch, r) {
		http.Error(rw, "this site may not use this chat channel", http.StatusForbidden)
		return
	}
	ws, err := websocket.Accept(rw, r, &websocket.AcceptOptions{InsecureSkipVerify: true, CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return
	}
	ws.SetReadLimit(MaxFrame)
	c := &conn{s: s, ws: ws, v: &Visitor{Channel: ch}, attach: make(chan int64, 1), poke: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	defer cancel()
	if err := c.run(ctx, cancel); err != nil && !isClosed(err) {
		s.log.Debug("chat connection ended", "err", err)
	}
	ws.CloseNow()
}

func isClosed(err error) bool {
	return errors.Is(err, context.Canceled) || websocket.CloseStatus(err) != -1 || errors.Is(err, net.ErrClosed)
}

// originAllowed checks the page that opened the connection against the
// channel's allow-list. Pages on kefu's own host (the demo shop) always may.
func originAllowed(ch *kefu.ChatChannel, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true // not a browser: the allow-list guards pages, not programs
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, p := range ch.Origins {
		p = strings.TrimRight(strings.ToLower(p), "/")
		o := strings.ToLower(origin)
		switch {
		case p == "*" || p == o:
			return true
		case strings.Contains(p, "://*."):
			scheme, rest, _ := strings.Cut(p, "://*.")
			if u.Scheme == scheme && strings.HasSuffix(strings.ToLower(u.Host), "."+rest) {
				return true
			}
		}
	}
	return false
}

func (c *conn) write(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.writeRaw(ctx, b)
}

func (c *conn) writeRaw(ctx context.Context, b []byte) error {
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return c.ws.Write(wctx, websocket.MessageText, b)
}

func (c *conn) read(ctx context.Context) (*frame, error) {
	_, b, err := c.ws.Read(ctx)
	if err != nil {
		return nil, err
	}
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		return &frame{T: "bad"}, nil
	}
	return &f, nil
}

func (c *conn) run(ctx context.Context, cancel context.CancelFunc) error {
	s := c.s
	hctx, hcancel := context.WithTimeout(ctx, 15*time.Second)
	hello, err := c.read(hctx)
	hcancel()
	if err != nil {
		return err
	}
	if hello.T != "hello" {
		_ = c.write(ctx, reply{T: "error", Code: "hello_first", Message: "send hello first"})
		return nil
	}
	ch := c.v.Channel
	c.v.Language = lang(hello.Lang, ch.Language)
	c.v.VisitorID = s.checkVisitorToken(ctx, ch.ID, hello.Token)
	if c.v.VisitorID == "" {
		c.v.VisitorID = randomString(16)
	}
	if !s.reg.addVisitor(c.v.VisitorID) {
		_ = c.write(ctx, reply{T: "error", Code: "too_many_tabs", Message: "too many open chat windows"})
		return nil
	}
	defer s.reg.removeVisitor(c.v.VisitorID)
	if hello.Profile != nil {
		c.v.Profile = *hello.Profile
	}
	if hello.User != nil && hello.User.verify(ch, time.Now()) {
		c.v.Identity = hello.User
	}
	token, err := s.visitorToken(ctx, ch.ID, c.v.VisitorID)
	if err != nil {
		return err
	}
	w := welcome{T: "welcome", Token: token, State: string(kefu.ChatIdle), Online: s.Available(ctx, ch), PreChat: ch.PreChat && c.v.Identity == nil,
		Identified: c.v.Identity != nil, Name: ch.Name, Color: ch.Color, MaxUploadMB: ch.MaxUploadMB, MaxMessage: MaxMessage}
	conv, err := s.st.ConversationByVisitor(ctx, ch.ID, c.v.VisitorID)
	if err != nil && !errors.Is(err, kefu.ErrNotFound) {
		return err
	}
	var sub <-chan realtime.Message
	var unsub = func() {}
	defer func() { unsub() }()
	if conv != nil {
		// Listen before reading, so nothing committed in between is missed.
		sub, unsub = s.hub.Subscribe(TopicConversation(conv.ID))
		if conv, err = s.st.Conversation(ctx, conv.ID); err != nil {
			return err
		}
		from := hello.Seq
		if from > conv.LastSeq || from < 0 {
			from, w.Reset = 0, true
		}
		if from == 0 {
			from = max(0, conv.LastSeq-50) // a fresh page shows the recent history
		}
		w.Conv, w.State, w.Last, w.From = conv.ID, string(conv.State), conv.LastSeq, from
		w.AgentRecv, w.AgentRead = conv.AgentRecv, conv.AgentRead
		if conv.AgentID != nil && conv.State == kefu.ChatActive {
			w.Agent = s.userName(ctx, *conv.AgentID)
		}
		if conv.TicketID != nil {
			w.Ticket = *conv.TicketID
		}
		c.sent.Store(from)
		c.convID.Store(conv.ID)
		s.reg.add(conv.ID, c)
		defer s.reg.remove(conv.ID, c)
		_ = s.st.TouchVisitor(ctx, conv.ID)
		c.visitorPresence(ctx, conv, true)
		defer c.visitorPresence(context.WithoutCancel(ctx), conv, false)
	}
	if conv == nil {
		s.reg.wait(c.v.VisitorID, c, true)
		defer s.reg.wait(c.v.VisitorID, c, false)
	}
	if err := c.write(ctx, w); err != nil {
		return err
	}
	if conv != nil {
		if err := c.sync(ctx); err != nil {
			return err
		}
	}
	go func() {
		defer cancel()
		for {
			f, err := c.read(ctx)
			if err != nil {
				return
			}
			if err := c.handle(ctx, f); err != nil {
				s.log.Debug("chat frame failed", "t", f.T, "err", err)
				return
			}
		}
	}()
	ping := time.NewTicker(40 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case id := <-c.attach:
			if sub == nil {
				sub, unsub = s.hub.Subscribe(TopicConversation(id))
				s.reg.add(id, c)
				defer s.reg.remove(id, c)
				if err := c.sync(ctx); err != nil {
					return err
				}
				// Its first state was announced before this connection listened.
				if err := c.sendState(ctx, id); err != nil {
					return err
				}
			}
		case <-c.poke:
			if err := c.sync(ctx); err != nil {
				return err
			}
		case m := <-sub:
			if err := c.deliver(ctx, m); err != nil {
				return err
			}
		case <-ping.C:
			pctx, pcancel := context.WithTimeout(ctx, 15*time.Second)
			err := c.ws.Ping(pctx)
			pcancel()
			if err != nil {
				return err
			}
		}
	}
}

func (c *conn) sendState(ctx context.Context, id int64) error {
	conv, err := c.s.st.Conversation(ctx, id)
	if err != nil {
		return err
	}
	n := stateNews{T: "state", Conv: id, State: string(conv.State), Online: true}
	if conv.AgentID != nil {
		n.AgentID, n.Agent = *conv.AgentID, c.s.userName(ctx, *conv.AgentID)
	}
	if conv.TicketID != nil {
		n.TicketID = *conv.TicketID
	}
	if !c.newState(n) {
		return nil
	}
	return c.write(ctx, n)
}

// newState tells whether n differs from the last state sent, and keeps it.
func (c *conn) newState(n stateNews) bool {
	key := n.State + "/" + strconv.FormatInt(n.AgentID, 10)
	if key == c.state {
		return false
	}
	c.state = key
	return true
}

// deliver passes one hub message to the visitor. An entry is sent only if
// it is the next one; a later one means something was missed, and the
// database fills the gap; an earlier one was already sent.
func (c *conn) deliver(ctx context.Context, m realtime.Message) error {
	switch m.Type {
	case "chat.entry":
		var e struct {
			Seq int64 `json:"seq"`
		}
		if json.Unmarshal(m.Data, &e) != nil {
			return nil
		}
		sent := c.sent.Load()
		switch {
		case e.Seq <= sent:
			return nil
		case e.Seq == sent+1:
			if err := c.writeRaw(ctx, m.Data); err != nil {
				return err
			}
			c.sent.Store(e.Seq)
			return nil
		}
		return c.sync(ctx)
	case "chat.state":
		var n stateNews
		if json.Unmarshal(m.Data, &n) != nil || !c.newState(n) {
			return nil
		}
		return c.writeRaw(ctx, m.Data)
	case "chat.marks", "chat.typing":
		return c.writeRaw(ctx, m.Data)
	}
	return nil
}

// sync sends every entry after the last one sent, from the database.
func (c *conn) sync(ctx context.Context) error {
	id := c.convID.Load()
	if id == 0 {
		return nil
	}
	for {
		es, err := c.s.st.ChatEntries(ctx, id, c.sent.Load(), 200)
		if err != nil {
			return err
		}
		for _, e := range es {
			if err := c.write(ctx, c.s.wire(ctx, e)); err != nil {
				return err
			}
			c.sent.Store(e.Seq)
		}
		if len(es) < 200 {
			return nil
		}
	}
}

// handle acts on one frame from the visitor.
func (c *conn) handle(ctx context.Context, f *frame) error {
	s := c.s
	switch f.T {
	case "msg":
		seq, conv, err := s.Send(ctx, c.v, Incoming{CID: f.CID, Body: f.Body})
		if conv != nil && c.convID.Load() == 0 {
			s.reg.attach(c.v.VisitorID, conv.ID)
		}
		if err != nil {
			return c.write(ctx, errorReply(f.CID, err))
		}
		return c.write(ctx, reply{T: "ack", CID: f.CID, Seq: seq})
	case "profile":
		if f.Profile != nil {
			c.v.Profile = *f.Profile
		}
	case "typing":
		if id := c.convID.Load(); id != 0 {
			conv, err := s.st.Conversation(ctx, id)
			if err == nil && conv.TicketID != nil {
				s.publish(ctx, "chat.typing", conv, map[string]any{"t": "typing", "conv": id, "from": "visitor", "on": f.On}, agentTopics(conv, conv.TicketID)...)
			}
		}
	case "seen":
		return c.seen(ctx, f.Recv, f.Read)
	case "rate":
		if err := s.Rate(ctx, c.v, f.Ticket, f.Score, f.Comment); err != nil {
			return c.write(ctx, errorReply("", err))
		}
		return c.write(ctx, reply{T: "rated", Ticket: f.Ticket})
	case "end":
		if id := c.convID.Load(); id != 0 {
			conv, err := s.st.Conversation(ctx, id)
			if err == nil && conv.TicketID != nil {
				if _, err := s.End(ctx, nil, *conv.TicketID); err != nil {
					return c.write(ctx, errorReply("", err))
				}
			}
		}
	case "transcript":
		id := c.convID.Load()
		if id == 0 {
			return nil
		}
		if err := s.Transcript(ctx, id, f.Email, c.v.Language); err != nil {
			return c.write(ctx, errorReply("", err))
		}
		return c.write(ctx, reply{T: "transcript_queued"})
	case "ping":
		return c.write(ctx, reply{T: "pong"})
	default:
		return c.write(ctx, reply{T: "error", Code: "unknown_frame", Message: "unknown frame type " + f.T})
	}
	return nil
}

func (c *conn) seen(ctx context.Context, recv, read int64) error {
	id := c.convID.Load()
	if id == 0 {
		return nil
	}
	s := c.s
	moved := false
	if recv > 0 {
		m, err := s.st.MarkConversation(ctx, id, "visitor_recv", recv)
		if err != nil {
			return err
		}
		moved = m
	}
	if read > 0 {
		m, err := s.st.MarkConversation(ctx, id, "visitor_read", read)
		if err != nil {
			return err
		}
		moved = moved || m
	}
	if moved {
		conv, err := s.st.Conversation(ctx, id)
		if err != nil {
			return err
		}
		s.publish(ctx, "chat.marks", conv, marks{T: "marks", Conv: id, AgentRecv: conv.AgentRecv, AgentRead: conv.AgentRead, VisitorRecv: conv.VisitorRecv, VisitorRead: conv.VisitorRead},
			agentTopics(conv, conv.TicketID)...)
	}
	return nil
}

func (c *conn) visitorPresence(ctx context.Context, conv *kefu.Conversation, online bool) {
	if conv.TicketID == nil {
		return
	}
	c.s.publish(ctx, "chat.visitor", conv, map[string]any{"t": "visitor", "conv": conv.ID, "online": online}, TopicTicket(*conv.TicketID))
}

// errorReply turns an error into a frame with a code the widget translates.
func errorReply(cid string, err error) reply {
	r := reply{T: "error", CID: cid, Code: "internal", Message: "something went wrong; we will retry"}
	var le *LimitError
	var fe *kefu.FieldError
	switch {
	case errors.Is(err, ErrLimited):
		r.Code, r.Message = "rate_limited", "too many messages; wait a moment"
	case errors.As(err, &le):
		r.Code, r.Message, r.Limit = le.Code, le.Error(), le.Limit
	case errors.As(err, &fe):
		r.Code, r.Message = "invalid", fe.Error()
		if strings.HasSuffix(fe.Field, "body") && strings.Contains(fe.Message, "at most") {
			r.Code, r.Limit = "too_long", MaxMessage
		}
	case errors.Is(err, kefu.ErrNotFound):
		r.Code, r.Message = "not_found", err.Error()
	case errors.Is(err, kefu.ErrConflict):
		r.Code, r.Message = "conflict", err.Error()
	}
	return r
}

func lang(asked, def string) string {
	for _, l := range []string{asked, def} {
		switch {
		case strings.HasPrefix(strings.ToLower(l), "en"):
			return "en"
		case strings.HasPrefix(strings.ToLower(l), "zh"):
			return "zh-CN"
		}
	}
	return "zh-CN"
}
