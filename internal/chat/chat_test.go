package chat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/chat"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/realtime"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
	"github.com/kefu-dev/kefu/internal/ticket"
)

// TestOrderAndAckAfterCommit pipelines messages without waiting and checks
// that acknowledgements come in order with consecutive numbers, that each
// acknowledged message is already readable from the database, and that the
// entries stream back in the same order without gaps.
func TestOrderAndAckAfterCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		n := newNode(t, st, realtime.NewLocal())
		ch, _ := setup(t, n, nil)
		v := dial(t, n.srv.URL, ch.Key, "", 0)
		const count = 25
		for i := 0; i < count; i++ {
			v.send(map[string]any{"t": "msg", "cid": fmt.Sprintf("m%02d", i), "body": fmt.Sprintf("消息 %d", i)})
		}
		var conv int64
		for i := 0; i < count; i++ {
			a := v.next("ack")
			if a["cid"] != fmt.Sprintf("m%02d", i) || seqOf(a) != int64(i+1) {
				t.Fatalf("ack %d = %v, want cid m%02d seq %d", i, a, i, i+1)
			}
			// Committed before acknowledged: another connection to the database sees it now.
			if conv == 0 {
				c, err := st.ConversationByVisitor(context.Background(), ch.ID, strings.Split(v.token, ".")[0])
				if err != nil {
					t.Fatal(err)
				}
				conv = c.ID
			}
			m, err := st.MessageByExternalID(context.Background(), fmt.Sprintf("chat:%d:m%02d", conv, i))
			if err != nil {
				t.Fatalf("message %d acknowledged but not in the database: %v", i, err)
			}
			if m.Body != fmt.Sprintf("消息 %d", i) {
				t.Errorf("stored %q", m.Body)
			}
		}
		es := v.entries(count)
		contiguous(t, es, 1)
		for i, e := range es {
			if e["body"] != fmt.Sprintf("消息 %d", i) || e["from"] != "visitor" {
				t.Errorf("entry %d = %v", i, e)
			}
		}
		v.quiet(300 * time.Millisecond)
	})
}

// TestRetrySameClientID sends one message three times (twice on one
// connection, once on another tab): it is stored and numbered once.
func TestRetrySameClientID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		n := newNode(t, st, realtime.NewLocal())
		ch, _ := setup(t, n, nil)
		v := dial(t, n.srv.URL, ch.Key, "", 0)
		msg := map[string]any{"t": "msg", "cid": "same-id", "body": "我的订单还没发货"}
		v.send(msg)
		v.send(msg)
		a1, a2 := v.next("ack"), v.next("ack")
		tab := dial(t, n.srv.URL, ch.Key, v.token, 0)
		tab.send(msg)
		a3 := tab.next("ack")
		if seqOf(a1) != 1 || seqOf(a2) != 1 || seqOf(a3) != 1 {
			t.Fatalf("acks %v %v %v: want seq 1 each time", a1, a2, a3)
		}
		c, err := st.ConversationByVisitor(context.Background(), ch.ID, strings.Split(v.token, ".")[0])
		if err != nil {
			t.Fatal(err)
		}
		ms, err := st.Messages(context.Background(), *c.TicketID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || c.LastSeq != 1 {
			t.Fatalf("%d messages, last seq %d: want 1 and 1", len(ms), c.LastSeq)
		}
	})
}

// TestResumeAfterDrop drops the connection, lets the agent (and another
// tab) write meanwhile, and checks that the visitor reconnecting with its
// last number gets exactly what it missed, once, then the live stream.
func TestResumeAfterDrop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		n := newNode(t, st, realtime.NewLocal())
		ch, agent := setup(t, n, nil)
		v := dial(t, n.srv.URL, ch.Key, "", 0)
		for i := 0; i < 3; i++ {
			v.send(map[string]any{"t": "msg", "cid": fmt.Sprintf("a%d", i), "body": fmt.Sprintf("before %d", i)})
		}
		es := v.entries(3)
		contiguous(t, es, 1)
		last := seqOf(es[2])
		tk := int64(es[0]["ticket"].(float64))
		if _, err := n.chat.Accept(ctx, agent, tk); err != nil {
			t.Fatal(err)
		}
		if e := v.next("e"); e["body"] != "joined" || e["name"] != "小李" {
			t.Fatalf("want the joined entry, got %v", e)
		}
		last++
		v.ws.CloseNow()

		for i := 0; i < 4; i++ {
			if _, _, err := n.chat.Reply(ctx, agent, tk, ticket.NewMessage{Kind: kefu.MessageReply, Body: fmt.Sprintf("missed %d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		// An internal note never reaches the visitor.
		if _, _, err := n.chat.Reply(ctx, agent, tk, ticket.NewMessage{Kind: kefu.MessageNote, Body: "internal"}); err != nil {
			t.Fatal(err)
		}
		other := dial(t, n.srv.URL, ch.Key, v.token, last)
		other.send(map[string]any{"t": "msg", "cid": "tab2", "body": "from another tab"})
		other.next("ack")
		other.ws.CloseNow()

		back := dial(t, n.srv.URL, ch.Key, v.token, last)
		if back.welc["last"].(float64) != float64(last+5) || back.welc["from"].(float64) != float64(last) {
			t.Fatalf("welcome %v: want last %d from %d", back.welc, last+5, last)
		}
		missed := back.entries(5)
		contiguous(t, missed, last+1)
		for i := 0; i < 4; i++ {
			if missed[i]["body"] != fmt.Sprintf("missed %d", i) || missed[i]["from"] != "agent" || missed[i]["name"] != "小李" {
				t.Errorf("missed %d = %v", i, missed[i])
			}
		}
		if missed[4]["body"] != "from another tab" {
			t.Errorf("last missed = %v", missed[4])
		}
		back.quiet(200 * time.Millisecond)
		if _, _, err := n.chat.Reply(ctx, agent, tk, ticket.NewMessage{Kind: kefu.MessageReply, Body: "live again"}); err != nil {
			t.Fatal(err)
		}
		if e := back.next("e"); e["body"] != "live again" || seqOf(e) != last+6 {
			t.Fatalf("live entry %v", e)
		}
		back.quiet(300 * time.Millisecond)
	})
}

// TestChatLifecycle: queue, accept (and a second accept refused), typing
// both ways, read marks, end (the ticket is solved), rating, transcript.
func TestChatLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		n := newNode(t, st, realtime.NewLocal())
		ch, agent := setup(t, n, nil)
		queue := agentListener(t, n.hub, chat.TopicQueue)
		v := dial(t, n.srv.URL, ch.Key, "", 0)
		if v.welc["online"] != true {
			t.Fatalf("welcome %v: an agent is online", v.welc)
		}
		v.send(map[string]any{"t": "profile", "profile": map[string]string{"name": "王女士", "email": "wang@example.com", "order": "nope"}})
		v.send(map[string]any{"t": "msg", "cid": "c1", "body": "耳机左边没声音"})
		first := v.next("e")
		tk := int64(first["ticket"].(float64))
		if st := v.next("state"); st["state"] != "waiting" {
			t.Fatalf("state %v", st)
		}
		select {
		case m := <-queue:
			if m.Type != "chat.state" || m.TicketID != tk {
				t.Fatalf("queue heard %+v", m)
			}
		case <-time.After(3 * time.Second):
			t.Fatal("agents never heard of the waiting chat")
		}
		tkt, err := st.Ticket(ctx, tk)
		if err != nil {
			t.Fatal(err)
		}
		cust, _ := st.Customer(ctx, tkt.CustomerID)
		if tkt.Channel != kefu.ChannelChat || cust.Name != "王女士" || cust.Email() != "wang@example.com" || tkt.CustomFields["order_number"] != "nope" {
			t.Fatalf("ticket %+v customer %+v", tkt, cust)
		}
		agentSide := agentListener(t, n.hub, chat.TopicTicket(tk))
		if _, err := n.chat.Accept(ctx, agent, tk); err != nil {
			t.Fatal(err)
		}
		lead := &kefu.User{ID: agent.ID + 1000, Name: "other", Role: kefu.RoleAgent, Status: kefu.UserActive}
		if _, err := n.chat.Accept(ctx, lead, tk); err == nil || !strings.Contains(err.Error(), "小李") {
			t.Fatalf("second accept: %v, want a conflict naming 小李", err)
		}
		if s := v.next("state"); s["state"] != "active" || s["agent"] != "小李" {
			t.Fatalf("state after accept %v", s)
		}
		if e := v.next("e"); e["body"] != "joined" {
			t.Fatalf("entry after accept %v", e)
		}
		// Typing both ways.
		n.chat.Typing(ctx, agent, tk)
		if f := v.next("typing"); f["from"] != "agent" {
			t.Fatalf("typing %v", f)
		}
		v.send(map[string]any{"t": "typing", "on": true})
		waitType(t, agentSide, "chat.typing")
		// Read marks: the agent reads up to the visitor's message.
		if err := n.chat.Seen(ctx, agent, tk, seqOf(first), true); err != nil {
			t.Fatal(err)
		}
		if m := v.next("marks"); m["agent_read"].(float64) != float64(seqOf(first)) {
			t.Fatalf("marks %v", m)
		}
		if _, _, err := n.chat.Reply(ctx, agent, tk, ticket.NewMessage{Kind: kefu.MessageReply, Body: "请您先重置耳机"}); err != nil {
			t.Fatal(err)
		}
		reply := v.next("e")
		v.send(map[string]any{"t": "seen", "recv": seqOf(reply), "read": seqOf(reply)})
		waitType(t, agentSide, "chat.marks")
		// End: the ticket is solved and the visitor may rate.
		if _, err := n.chat.End(ctx, agent, tk); err != nil {
			t.Fatal(err)
		}
		if e := v.next("e"); e["body"] != "ended" || e["by"] != "agent" {
			t.Fatalf("end entry %v", e)
		}
		if tkt, _ = st.Ticket(ctx, tk); tkt.Status != kefu.StatusSolved {
			t.Errorf("ticket status %s after the chat ended", tkt.Status)
		}
		v.send(map[string]any{"t": "rate", "ticket": tk, "score": 9})
		if e := v.next("error"); e["code"] != "invalid" {
			t.Fatalf("score 9: %v", e)
		}
		v.send(map[string]any{"t": "rate", "ticket": tk, "score": 5, "comment": "很快"})
		v.next("rated")
		r, err := st.ChatRating(ctx, tk)
		if err != nil || r.Score != 5 || r.Comment != "很快" {
			t.Fatalf("rating %+v %v", r, err)
		}
		v.send(map[string]any{"t": "rate", "ticket": tk + 999, "score": 1})
		if e := v.next("error"); e["code"] != "not_found" {
			t.Fatalf("rating someone else's chat: %v", e)
		}
		v.send(map[string]any{"t": "transcript", "email": "wang@example.com"})
		v.next("transcript_queued")
		ts, err := st.PendingChatTranscripts(ctx, 10)
		if err != nil || len(ts) != 1 || !strings.Contains(ts[0].Body, "请您先重置耳机") {
			t.Fatalf("transcripts %+v %v", ts, err)
		}
		// Writing again after the end starts a new chat: a new ticket.
		v.send(map[string]any{"t": "msg", "cid": "c2", "body": "还有一个问题"})
		again := v.next("e")
		for again["body"] != "还有一个问题" {
			again = v.next("e")
		}
		if int64(again["ticket"].(float64)) == tk {
			t.Fatal("a message after the end went to the ended chat's ticket")
		}
	})
}

func waitType(t *testing.T, ch <-chan realtime.Message, typ string) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case m := <-ch:
			if m.Type == typ {
				return
			}
		case <-deadline:
			t.Fatalf("agents never heard %s", typ)
		}
	}
}

// TestAutoAssignLimit: with auto-assign, chats go to the online agent up to
// their limit; the next waits in the queue until one ends.
func TestAutoAssignLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		n := newNode(t, st, realtime.NewLocal())
		ch, agent := setup(t, n, func(c *kefu.ChatChannel) { c.AutoAssign, c.MaxChats = true, 2 })
		var tickets []int64
		for i := 0; i < 3; i++ {
			v := dial(t, n.srv.URL, ch.Key, "", 0)
			v.send(map[string]any{"t": "msg", "cid": "x", "body": fmt.Sprintf("visitor %d", i)})
			e := v.next("e")
			tickets = append(tickets, int64(e["ticket"].(float64)))
			want := "active"
			if i == 2 {
				want = "waiting"
			}
			var s map[string]any
			for s = v.next("state"); s["state"] == "waiting" && want == "active"; s = v.next("state") {
			}
			if s["state"] != want {
				t.Fatalf("chat %d: state %v, want %s", i, s, want)
			}
		}
		if a, _ := st.ChatAgent(ctx, agent.ID); a.Active != 2 {
			t.Fatalf("agent has %d chats, want 2", a.Active)
		}
		if _, err := n.chat.End(ctx, agent, tickets[0]); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			c, _ := st.ConversationByTicket(ctx, tickets[2])
			if c.State == kefu.ChatActive && c.AgentID != nil && *c.AgentID == agent.ID {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the queued chat was not assigned when a slot freed: %+v", c)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// TestOfflineLeavesMessage: with nobody online the first message becomes a
// left message (a tagged ticket) and the visitor is told it will be
// answered by email.
func TestOfflineLeavesMessage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		n := newNode(t, st, realtime.NewLocal())
		ch, agent := setup(t, n, nil)
		if err := n.chat.SetStatus(ctx, agent, kefu.AgentAway); err != nil {
			t.Fatal(err)
		}
		v := dial(t, n.srv.URL, ch.Key, "", 0)
		if v.welc["online"] != false {
			t.Fatalf("welcome %v: nobody is online", v.welc)
		}
		v.send(map[string]any{"t": "profile", "profile": map[string]string{"name": "Ann", "email": "ann@example.com"}})
		v.send(map[string]any{"t": "msg", "cid": "left", "body": "Where is my parcel?"})
		es := v.entries(2)
		if es[1]["body"] != "offline" || es[1]["email"] != "ann@example.com" {
			t.Fatalf("entries %v", es)
		}
		tk, _ := st.Ticket(ctx, int64(es[0]["ticket"].(float64)))
		if len(tk.Tags) != 1 || tk.Tags[0] != "offline-message" {
			t.Errorf("tags %v", tk.Tags)
		}
		if s := v.next("state"); s["state"] != "offline" {
			t.Errorf("state %v", s)
		}
		if !chat.InHours("", "", time.Now()) || chat.InHours("mon-fri 09:00-18:00", "Asia/Shanghai", time.Date(2026, 3, 7, 3, 0, 0, 0, time.UTC)) {
			t.Error("business hours: Saturday 11:00 in Shanghai is closed")
		}
	})
}

// TestAbuseLimits: rate, size, origin, upload size, type and the file link.
func TestAbuseLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		n := newNode(t, st, realtime.NewLocal())
		ch, _ := setup(t, n, func(c *kefu.ChatChannel) { c.RatePerMin = 6 })
		v := dial(t, n.srv.URL, ch.Key, "", 0)
		v.send(map[string]any{"t": "msg", "cid": "long", "body": strings.Repeat("长", chat.MaxMessage+1)})
		if e := v.next("error"); e["code"] != "too_long" {
			t.Fatalf("long message: %v", e)
		}
		limited := 0
		for i := 0; i < 8; i++ {
			v.send(map[string]any{"t": "msg", "cid": fmt.Sprintf("r%d", i), "body": "hi"})
		}
		for i := 0; i < 8; i++ {
			select {
			case f := <-v.frames:
				if f["t"] == "error" && f["code"] == "rate_limited" {
					limited++
				} else if f["t"] != "ack" && f["t"] != "e" && f["t"] != "state" {
					t.Fatalf("frame %v", f)
				} else if f["t"] != "ack" {
					i--
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no answer")
			}
		}
		if limited != 3 {
			t.Errorf("%d of 8 messages limited at 6 a minute (burst 5), want 3", limited)
		}
		// Another site may not open the chat.
		req, _ := http.NewRequest("GET", n.srv.URL+"/chat/ws?channel="+ch.Key, nil)
		req.Header.Set("Origin", "https://evil.example.net")
		req.Header.Set("Connection", "Upgrade")
		req.Header.Set("Upgrade", "websocket")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("foreign origin: %d, want 403", res.StatusCode)
		}
		// Uploads: a photo goes through and comes back with a signed link; too
		// large and wrong types are refused with their code.
		v = dial(t, n.srv.URL, ch.Key, "", 0) // a fresh visitor: the other used up its rate
		ok := upload(t, n.srv.URL, ch.Key, v.token, "p1", "photo.png", pngBytes())
		if ok["t"] != "ack" {
			t.Fatalf("upload: %v", ok)
		}
		var e map[string]any
		for e = v.next("e"); seqOf(e) != seqOf(ok); e = v.next("e") {
		}
		files := e["files"].([]any)
		url := files[0].(map[string]any)["url"].(string)
		res, err = http.Get(n.srv.URL + url)
		if err != nil || res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("file link %s: %v %v", url, res, err)
		}
		res.Body.Close()
		if res, _ := http.Get(n.srv.URL + strings.Replace(url, "s=", "s=x", 1)); res.StatusCode != 404 {
			t.Errorf("forged file link: %d", res.StatusCode)
		}
		if r := upload(t, n.srv.URL, ch.Key, v.token, "p2", "big.png", append(pngBytes(), make([]byte, 2<<20)...)); r["code"] != "file_too_large" {
			t.Errorf("big upload: %v", r)
		}
		if r := upload(t, n.srv.URL, ch.Key, v.token, "p3", "x.exe", []byte("MZ\x90\x00\x03\x00\x00\x00 this is a program")); r["code"] != "file_type" {
			t.Errorf("exe upload: %v", r)
		}
		if r := upload(t, n.srv.URL, ch.Key, "forged.token", "p4", "a.png", pngBytes()); r["code"] != "token" {
			t.Errorf("forged token: %v", r)
		}
	})
}

func pngBytes() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

func upload(t *testing.T, base, key, token, cid, name string, data []byte) map[string]any {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("token", token)
	_ = mw.WriteField("cid", cid)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", base+"/chat/upload?channel="+key, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", "https://shop.example.com")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return out
}

// TestSignedIdentity: a buyer the shop vouches for is recognised as its
// customer; a forged signature is ignored.
func TestSignedIdentity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		n := newNode(t, st, realtime.NewLocal())
		ch, _ := setup(t, n, func(c *kefu.ChatChannel) { c.PreChat = true })
		full, _ := st.ChatChannel(ctx, ch.ID)
		id := chat.Identity{ID: "U777", Name: "赵先生", Email: "zhao@example.com", TS: time.Now().Unix()}
		id.Sig = chat.SignIdentity(full.Secret, id)
		forged := id
		forged.ID, forged.Sig = "U1", chat.SignIdentity("wrong", id)
		for _, tc := range []struct {
			user       chat.Identity
			identified bool
		}{{id, true}, {forged, false}} {
			v := dialUser(t, n.srv.URL, ch.Key, tc.user)
			if v.welc["identified"] != tc.identified || v.welc["prechat"] == tc.identified {
				t.Fatalf("welcome %v for %v", v.welc, tc.user)
			}
			if tc.identified {
				v.send(map[string]any{"t": "msg", "cid": "i1", "body": "hello"})
				e := v.next("e")
				tk, _ := st.Ticket(ctx, int64(e["ticket"].(float64)))
				c, _ := st.CustomerByIdentity(ctx, kefu.IdentityExternal, "U777")
				if c == nil || tk.CustomerID != c.ID || c.Name != "赵先生" {
					t.Fatalf("ticket customer %d, identified customer %+v", tk.CustomerID, c)
				}
			}
		}
	})
}
