package chat_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kefu-dev/kefu/internal/chat"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/realtime"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/ticket"
	"github.com/kefu-dev/kefu/internal/user"
)

// node is one kefu node as far as chat goes: its services, its hub and an
// HTTP server with the chat routes.
type node struct {
	st      *store.Store
	chat    *chat.Service
	tickets *ticket.Service
	hub     realtime.Hub
	srv     *httptest.Server
	ln      *trackingListener
	stop    context.CancelFunc
}

func newNode(t *testing.T, st *store.Store, hub realtime.Hub) *node {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	customers := customer.New(st)
	tickets := ticket.New(st, customers)
	c := chat.New(st, tickets, customers, hub, log)
	mux := http.NewServeMux()
	c.Register(mux, func(_ string, h http.Handler) http.Handler { return h })
	srv := httptest.NewUnstartedServer(mux)
	ln := &trackingListener{Listener: srv.Listener}
	srv.Listener = ln
	srv.Start()
	ctx, cancel := context.WithCancel(context.Background())
	go c.Run(ctx)
	n := &node{st: st, chat: c, tickets: tickets, hub: hub, srv: srv, ln: ln, stop: cancel}
	t.Cleanup(n.kill)
	return n
}

// kill ends the node abruptly: every TCP connection cut, websockets
// included (httptest forgets hijacked connections), then the server.
func (n *node) kill() {
	n.stop()
	n.ln.closeAll()
	n.srv.Close()
}

// trackingListener remembers every connection it accepted.
type trackingListener struct {
	net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.mu.Unlock()
	}
	return c, err
}

func (l *trackingListener) closeAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		c.Close()
	}
}

// setup makes a channel and an online agent, and returns them.
func setup(t *testing.T, n *node, edit func(*kefu.ChatChannel)) (*kefu.ChatChannel, *kefu.User) {
	t.Helper()
	ctx := context.Background()
	team, err := n.st.TeamByName(ctx, kefu.DefaultTeam)
	if err != nil {
		t.Fatal(err)
	}
	users := user.New(n.st)
	agent, _, err := users.Create(ctx, nil, user.Input{Email: "li@shop.test", Name: "小李", Role: kefu.RoleAgent, Language: "zh-CN", TeamIDs: []int64{team.ID}, Password: "a-long-password-1"})
	if err != nil {
		t.Fatal(err)
	}
	admin, _, err := users.Create(ctx, nil, user.Input{Email: "boss@shop.test", Name: "Boss", Role: kefu.RoleAdmin, Language: "en", Password: "a-long-password-1"})
	if err != nil {
		t.Fatal(err)
	}
	ch := &kefu.ChatChannel{Name: "Shop", Origins: []string{"https://shop.example.com"}, PreChat: false, MaxChats: 3, MaxUploadMB: 1, RatePerMin: 600, AutoAssign: false}
	if edit != nil {
		edit(ch)
	}
	if err := n.chat.CreateChannel(ctx, admin, ch); err != nil {
		t.Fatal(err)
	}
	if err := n.chat.SetStatus(ctx, agent, kefu.AgentOnline); err != nil {
		t.Fatal(err)
	}
	return ch, agent
}

// visitor is a widget as the server sees it: a real websocket client that
// keeps every frame it receives.
type visitor struct {
	t      *testing.T
	ws     *websocket.Conn
	frames chan map[string]any
	token  string
	welc   map[string]any
	held   []map[string]any // frames skipped by next, for later calls
}

func dial(t *testing.T, base, key, token string, seq int64) *visitor {
	t.Helper()
	return dialHello(t, base, key, map[string]any{"t": "hello", "token": token, "seq": seq, "lang": "zh-CN"})
}

func dialUser(t *testing.T, base, key string, id chat.Identity) *visitor {
	t.Helper()
	return dialHello(t, base, key, map[string]any{"t": "hello", "lang": "zh-CN", "user": id})
}

func dialHello(t *testing.T, base, key string, hello map[string]any) *visitor {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u := strings.Replace(base, "http", "ws", 1) + "/chat/ws?channel=" + key
	ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://shop.example.com"}}})
	if err != nil {
		t.Fatalf("dial %s: %v", u, err)
	}
	ws.SetReadLimit(1 << 20)
	v := &visitor{t: t, ws: ws, frames: make(chan map[string]any, 1000)}
	t.Cleanup(func() { ws.CloseNow() })
	v.send(hello)
	go func() {
		defer close(v.frames)
		for {
			_, b, err := ws.Read(context.Background())
			if err != nil {
				return
			}
			var f map[string]any
			if json.Unmarshal(b, &f) == nil {
				v.frames <- f
			}
		}
	}()
	v.welc = v.next("welcome")
	v.token, _ = v.welc["token"].(string)
	return v
}

func (v *visitor) send(f map[string]any) {
	v.t.Helper()
	b, _ := json.Marshal(f)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := v.ws.Write(ctx, websocket.MessageText, b); err != nil {
		v.t.Fatalf("send %v: %v", f, err)
	}
}

// next returns the next frame of type typ, skipping others, or fails.
func (v *visitor) next(typ string) map[string]any {
	v.t.Helper()
	for i, f := range v.held {
		if f["t"] == typ {
			v.held = append(v.held[:i:i], v.held[i+1:]...)
			return f
		}
	}
	deadline := time.After(8 * time.Second)
	for {
		select {
		case f, ok := <-v.frames:
			if !ok {
				v.t.Fatalf("connection closed while waiting for %q", typ)
			}
			if f["t"] == typ {
				return f
			}
			v.held = append(v.held, f)
		case <-deadline:
			v.t.Fatalf("no %q frame in 8s", typ)
		}
	}
}

// entries collects n entry frames, in the order they arrived.
func (v *visitor) entries(n int) []map[string]any {
	v.t.Helper()
	var es []map[string]any
	for len(es) < n {
		es = append(es, v.next("e"))
	}
	return es
}

// quiet checks no entry arrives for d: nothing is sent twice.
func (v *visitor) quiet(d time.Duration) {
	v.t.Helper()
	for _, f := range v.held {
		if f["t"] == "e" {
			v.t.Fatalf("unexpected extra entry %v", f)
		}
	}
	deadline := time.After(d)
	for {
		select {
		case f, ok := <-v.frames:
			if !ok {
				return
			}
			if f["t"] == "e" {
				v.t.Fatalf("unexpected extra entry %v", f)
			}
		case <-deadline:
			return
		}
	}
}

func seqOf(f map[string]any) int64 { n, _ := f["seq"].(float64); return int64(n) }

// contiguous checks that entries are numbered from..from+len-1 without gaps.
func contiguous(t *testing.T, es []map[string]any, from int64) {
	t.Helper()
	for i, e := range es {
		if got := seqOf(e); got != from+int64(i) {
			t.Fatalf("entry %d has seq %d, want %d (entries %v)", i, got, from+int64(i), es)
		}
	}
}

// agentListener hears what agents hear about a ticket, on a node's hub.
func agentListener(t *testing.T, hub realtime.Hub, topic string) <-chan realtime.Message {
	ch, cancel := hub.Subscribe(topic)
	t.Cleanup(cancel)
	return ch
}

func waitAgentEntry(t *testing.T, ch <-chan realtime.Message, body string) chat.Wire {
	t.Helper()
	deadline := time.After(8 * time.Second)
	for {
		select {
		case m := <-ch:
			if m.Type != "chat.entry" {
				continue
			}
			var w chat.Wire
			_ = json.Unmarshal(m.Data, &w)
			if w.Body == body {
				return w
			}
		case <-deadline:
			t.Fatalf("the agent never heard %q", body)
		}
	}
}
