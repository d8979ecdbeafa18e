package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/chat"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/demo"
	"github.com/kefu-dev/kefu/internal/httpapi"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/realtime"
	"github.com/kefu-dev/kefu/internal/server"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
	"github.com/kefu-dev/kefu/internal/ticket"
	"github.com/kefu-dev/kefu/internal/user"
	"github.com/kefu-dev/kefu/internal/web"
)

// lossyHub is a hub whose watchers read through a one-message buffer, as a
// browser far slower than the publisher would: what does not fit is
// dropped and signalled. It also drops every seventh chat entry outright
// (signalled), and silently the entry whose body is "silent", as a NATS
// slow consumer would, so only the stream's periodic check can find it.
type lossyHub struct {
	*realtime.Local
	n         atomic.Int64
	blackhole atomic.Int64 // a conversation all of whose news is dropped (signalled)
}

func (h *lossyHub) Watch(topic string, _ int) *realtime.Subscription {
	inner := h.Local.Watch(topic, 100000)
	out := make(chan realtime.Message, 1)
	dropped := make(chan struct{}, 1)
	drop := func() {
		select {
		case dropped <- struct{}{}:
		default:
		}
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case m := <-inner.C:
				if b := h.blackhole.Load(); b != 0 && strings.Contains(string(m.Data), fmt.Sprintf(`"conv":%d,`, b)) {
					drop()
					continue
				}
				if m.Type == "chat.entry" {
					if strings.Contains(string(m.Data), `"body":"silent"`) {
						continue
					}
					if h.n.Add(1)%7 == 0 {
						drop()
						continue
					}
				}
				select {
				case out <- m:
				default:
					drop()
				}
			}
		}
	}()
	var once sync.Once
	return realtime.NewSubscription(out, dropped, func() { once.Do(func() { inner.Close(); close(done) }) })
}

// TestAgentStreamLosesNothing floods a chat faster than the agent's live
// stream can take it, through a hub that drops, and checks that the stream
// (what the workspace and bench/chat read) carries every entry of the chat
// exactly once and in order.
func TestAgentStreamLosesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, st, time.Now()); err != nil {
			t.Fatal(err)
		}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		customers := customer.New(st)
		tickets := ticket.New(st, customers)
		users := user.New(st)
		hub := &lossyHub{Local: realtime.NewLocal()}
		chats := chat.New(st, tickets, customers, hub, log)
		ws, err := web.New(st, tickets, customers, users, nil, hub, chats, log)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(server.New(st, httpapi.New(st, httpapi.Services{Tickets: tickets, Customers: customers, Users: users}, log), log, ws).Handler())
		defer srv.Close()

		agent, _, err := st.UserByEmail(ctx, "agent@demo.test")
		if err != nil {
			t.Fatal(err)
		}
		if err := chats.SetStatus(ctx, agent, kefu.AgentOnline); err != nil {
			t.Fatal(err)
		}
		ch, err := chats.EnsureDemoChannel(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ch.RatePerMin = 0 // no limit: this is the flood
		v := &chat.Visitor{Channel: ch, VisitorID: "flood-visitor-0000001", Language: "zh-CN", Profile: chat.Profile{Name: "洪水"}}
		_, conv, err := chats.Send(ctx, v, chat.Incoming{CID: "first", Body: "你好"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := chats.Accept(ctx, agent, *conv.TicketID); err != nil {
			t.Fatal(err)
		}

		b := newBrowser(t, srv.URL)
		if code := b.signIn("agent@demo.test", "demo"); code != http.StatusSeeOther {
			t.Fatalf("sign-in: %d", code)
		}
		b.c.Timeout = 0
		res, err := b.c.Get(fmt.Sprintf("%s/live?topic=user.%d&topic=chats", srv.URL, agent.ID))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("/live: %d", res.StatusCode)
		}
		type got struct {
			conv, seq int64
			body      string
		}
		entries := make(chan got, 10000)
		go func() {
			sc := bufio.NewScanner(res.Body)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				line, ok := strings.CutPrefix(sc.Text(), "data: ")
				if !ok {
					continue
				}
				var m struct {
					Topic string
					Type  string
					Data  chat.Wire
				}
				if err := json.Unmarshal([]byte(line), &m); err != nil {
					t.Errorf("undecodable event %q: %v", line, err)
					continue
				}
				if m.Type == "chat.entry" && m.Topic == fmt.Sprintf("user.%d", agent.ID) {
					entries <- got{m.Data.Conv, m.Data.Seq, m.Data.Body}
				}
			}
		}()
		time.Sleep(200 * time.Millisecond) // the stream is listening
		before, err := st.Conversation(ctx, conv.ID)
		if err != nil {
			t.Fatal(err)
		}

		// One sender at full speed (the store has one writer anyway), with
		// an agent reply now and then; the last message is lost silently.
		const n = 300
		for i := 0; i < n; i++ {
			body := fmt.Sprintf("m%d", i)
			if i == n-1 {
				body = "silent"
			}
			if _, _, err := chats.Send(ctx, v, chat.Incoming{CID: fmt.Sprintf("c%d", i), Body: body}); err != nil {
				t.Fatal(err)
			}
			if i%50 == 25 {
				if _, _, err := chats.Reply(ctx, agent, *conv.TicketID, ticket.NewMessage{Kind: kefu.MessageReply, Body: fmt.Sprintf("r%d", i)}); err != nil {
					t.Fatal(err)
				}
			}
		}
		after, err := st.Conversation(ctx, conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := after.LastSeq - before.LastSeq
		if want < n {
			t.Fatalf("only %d entries committed", want)
		}
		if hub.n.Load() < 7 {
			t.Fatal("the hub dropped nothing: the test proves nothing")
		}
		var seqs []int64
		deadline := time.After(15 * time.Second)
		for int64(len(seqs)) < want {
			select {
			case g := <-entries:
				if len(seqs) > 0 && g.seq != seqs[len(seqs)-1]+1 || len(seqs) == 0 && g.seq != before.LastSeq+1 {
					t.Fatalf("entry %d after %v: out of order, twice or after a gap", g.seq, seqs[max(0, len(seqs)-3):])
				}
				seqs = append(seqs, g.seq)
				if g.seq == after.LastSeq && g.body != "silent" {
					t.Errorf("last entry %q, want the silently dropped one", g.body)
				}
			case <-deadline:
				t.Fatalf("the stream carried %d of %d entries", len(seqs), want)
			}
		}
		select {
		case g := <-entries:
			t.Errorf("entry %d came again", g.seq)
		case <-time.After(300 * time.Millisecond):
		}

		// A chat handed to the agent after the stream opened, none of whose
		// news reaches it: the stream finds it in the database.
		v2 := &chat.Visitor{Channel: ch, VisitorID: "flood-visitor-0000002", Language: "zh-CN", Profile: chat.Profile{Name: "静默"}}
		_, conv2, err := chats.Send(ctx, v2, chat.Incoming{CID: "first", Body: "在吗"})
		if err != nil {
			t.Fatal(err)
		}
		hub.blackhole.Store(conv2.ID)
		if _, err := chats.Accept(ctx, agent, *conv2.TicketID); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			if _, _, err := chats.Send(ctx, v2, chat.Incoming{CID: fmt.Sprintf("x%d", i), Body: fmt.Sprintf("x%d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		var bodies []string
		var last int64
		deadline = time.After(15 * time.Second)
		for len(bodies) == 0 || bodies[len(bodies)-1] != "x2" {
			select {
			case g := <-entries:
				if g.conv != conv2.ID {
					t.Fatalf("entry %d of conversation %d", g.seq, g.conv)
				}
				if last != 0 && g.seq != last+1 {
					t.Fatalf("entry %d after %d", g.seq, last)
				}
				last = g.seq
				bodies = append(bodies, g.body)
			case <-deadline:
				t.Fatalf("the stream never carried the silent chat; got %q", bodies)
			}
		}
		if got := strings.Join(bodies, " "); !strings.HasSuffix(got, "x0 x1 x2") || !strings.Contains(got, "在吗") {
			t.Errorf("the silent chat on the stream: %q", got)
		}
	})
}
