package chat_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/chat"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/realtime"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
	"github.com/kefu-dev/kefu/internal/ticket"
)

const natsURL = "nats://127.0.0.1:4222"

// twoNodes starts two kefu nodes sharing one PostgreSQL database and the
// NATS server on this machine, each with its own connections to both.
func twoNodes(t *testing.T) (a, b *node) {
	t.Helper()
	url := storetest.URL(t, store.Postgres)
	open := func() *store.Store {
		st, err := store.Open(context.Background(), store.Options{DatabaseURL: url, MaxConns: 10})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if _, err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return st
	}
	hub := func() realtime.Hub {
		h, err := realtime.DialNATS(natsURL)
		if err != nil {
			t.Skipf("two-node tests skipped: no NATS server at %s (%v)", natsURL, err)
		}
		t.Cleanup(h.Close)
		return h
	}
	return newNode(t, open(), hub()), newNode(t, open(), hub())
}

// TestTwoNodes: the visitor is on node A, the agent on node B; each hears
// the other as if on one node.
func TestTwoNodes(t *testing.T) {
	ctx := context.Background()
	a, b := twoNodes(t)
	ch, agent := setup(t, a, nil)
	queueB := agentListener(t, b.hub, chat.TopicQueue)
	v := dial(t, a.srv.URL, ch.Key, "", 0)
	v.send(map[string]any{"t": "msg", "cid": "n1", "body": "在吗？"})
	first := v.next("e")
	tk := int64(first["ticket"].(float64))
	for heard := false; !heard; {
		select {
		case m := <-queueB:
			heard = m.Type == "chat.state" && m.TicketID == tk
		case <-time.After(5 * time.Second):
			t.Fatal("node B never heard of the chat waiting on node A")
		}
	}
	onB := agentListener(t, b.hub, chat.TopicTicket(tk))
	if _, err := b.chat.Accept(ctx, agent, tk); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.chat.Reply(ctx, agent, tk, ticket.NewMessage{Kind: kefu.MessageReply, Body: "在的，请讲"}); err != nil {
		t.Fatal(err)
	}
	es := v.entries(2)
	contiguous(t, es, 2)
	if es[0]["body"] != "joined" || es[1]["body"] != "在的，请讲" {
		t.Fatalf("visitor on A got %v", es)
	}
	v.send(map[string]any{"t": "msg", "cid": "n2", "body": "订单 2024 还没到"})
	w := waitAgentEntry(t, onB, "订单 2024 还没到")
	if w.Seq != 4 {
		t.Errorf("agent on B got seq %d, want 4", w.Seq)
	}
	if e := v.next("e"); seqOf(e) != 4 {
		t.Errorf("the visitor's own message came back as %v", e)
	}
	b.chat.Typing(ctx, agent, tk)
	if f := v.next("typing"); f["name"] != "小李" {
		t.Errorf("typing across nodes: %v", f)
	}
	v.quiet(300 * time.Millisecond)
}

// TestNodeKilled: a visitor writes steadily through node A while the agent
// answers on node B; node A dies mid-conversation (its connections cut, its
// server gone); the widget reconnects to node B with its last number and
// re-sends what was not acknowledged. Every message is stored once, the
// visitor's stream has every number once and in order, and nothing the
// agent wrote during the outage is missing.
func TestNodeKilled(t *testing.T) {
	ctx := context.Background()
	a, b := twoNodes(t)
	ch, agent := setup(t, a, nil)
	v := dial(t, a.srv.URL, ch.Key, "", 0)
	v.send(map[string]any{"t": "msg", "cid": "k0", "body": "start"})
	first := v.next("e")
	tk := int64(first["ticket"].(float64))
	if _, err := b.chat.Accept(ctx, agent, tk); err != nil {
		t.Fatal(err)
	}

	// The agent keeps answering on B throughout.
	var wg sync.WaitGroup
	stopAgent := make(chan struct{})
	wg.Add(1)
	agentSent := 0
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stopAgent:
				return
			case <-time.After(15 * time.Millisecond):
			}
			if _, _, err := b.chat.Reply(ctx, agent, tk, ticket.NewMessage{Kind: kefu.MessageReply, Body: fmt.Sprintf("agent %d", i)}); err != nil {
				t.Errorf("agent reply %d: %v", i, err)
				return
			}
			agentSent++
		}
	}()

	// The widget: pipelines messages, keeps those not yet acknowledged.
	got := []map[string]any{first}
	pending := map[string]bool{}
	acked := map[string]int64{}
	const total = 60
	for i := 1; i <= 30; i++ {
		cid := fmt.Sprintf("k%d", i)
		pending[cid] = true
		v.send(map[string]any{"t": "msg", "cid": cid, "body": cid})
	}
	// Read some of the answers, then kill node A mid-stream.
	for len(acked) < 10 {
		f := <-v.frames
		switch f["t"] {
		case "ack":
			acked[f["cid"].(string)] = seqOf(f)
			delete(pending, f["cid"].(string))
		case "e":
			got = append(got, f)
		}
	}
	a.kill()
	for f := range v.frames { // drain what was already on the wire
		switch f["t"] {
		case "ack":
			acked[f["cid"].(string)] = seqOf(f)
			delete(pending, f["cid"].(string))
		case "e":
			got = append(got, f)
		}
	}
	for _, f := range v.held {
		if f["t"] == "e" {
			got = append(got, f)
		}
	}
	last := seqOf(got[len(got)-1])
	contiguous(t, got, 1)

	// Reconnect to node B from the last number seen, re-send the rest.
	w := dial(t, b.srv.URL, ch.Key, v.token, last)
	for cid := range pending {
		w.send(map[string]any{"t": "msg", "cid": cid, "body": cid})
	}
	for i := 31; i <= total; i++ {
		cid := fmt.Sprintf("k%d", i)
		pending[cid] = true
		w.send(map[string]any{"t": "msg", "cid": cid, "body": cid})
	}
	for len(pending) > 0 {
		a := w.next("ack")
		acked[a["cid"].(string)] = seqOf(a)
		delete(pending, a["cid"].(string))
	}
	close(stopAgent)
	wg.Wait()
	c, err := b.st.ConversationByTicket(ctx, tk)
	if err != nil {
		t.Fatal(err)
	}
	for int64(len(got)) < c.LastSeq {
		got = append(got, w.next("e"))
	}
	contiguous(t, got, 1)
	w.quiet(500 * time.Millisecond)

	// Every visitor message once, with the number it was acknowledged with;
	// every agent reply once.
	seen := map[string]int{}
	agents := 0
	for _, e := range got {
		switch e["from"] {
		case "visitor":
			cid := e["cid"].(string)
			seen[cid]++
			if s, ok := acked[cid]; ok && s != seqOf(e) {
				t.Errorf("%s acknowledged as %d but numbered %d", cid, s, seqOf(e))
			}
		case "agent":
			agents++
		}
	}
	for i := 0; i <= total; i++ {
		if n := seen[fmt.Sprintf("k%d", i)]; n != 1 {
			t.Errorf("k%d arrived %d times", i, n)
		}
	}
	if agents != agentSent {
		t.Errorf("visitor got %d agent replies, the agent sent %d", agents, agentSent)
	}
	ms, err := b.st.Messages(ctx, tk, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := total + 1 + agentSent; len(ms) != want {
		t.Errorf("%d messages stored, want %d", len(ms), want)
	}
	t.Logf("node killed after %d acks; %d entries in all, %d agent replies during the run", 10, len(got), agentSent)
}
