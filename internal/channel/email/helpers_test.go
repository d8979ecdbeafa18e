package email_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/channel/email"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/jobs"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/ticket"
	"github.com/kefu-dev/kefu/internal/user"
)

// env is an email channel on a fresh store with an agent to reply.
type env struct {
	t       *testing.T
	st      *store.Store
	tickets *ticket.Service
	run     *email.Runner
	outbox  *jobs.Outbox
	ch      *kefu.EmailChannel
	agent   *kefu.User
	ctx     context.Context
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newEnv(t *testing.T, st *store.Store) *env {
	t.Helper()
	ctx := context.Background()
	log := quietLog()
	customers := customer.New(st)
	tickets := ticket.New(st, customers)
	outbox := jobs.NewOutbox(st, log, 0)
	run := email.NewRunner(st, tickets, outbox, log)
	ch := &kefu.EmailChannel{Name: "Support", Address: "support@shop.test", DisplayName: "Shop 商城", Enabled: true,
		IMAPPort: 993, IMAPSecurity: kefu.SecurityTLS, IMAPMailbox: "INBOX", AfterFetch: kefu.AfterFetchSeen, PollSeconds: 60,
		SMTPHost: "smtp.shop.test", SMTPPort: 587, SMTPSecurity: kefu.SecuritySTARTTLS, AckHours: 24}
	if err := st.CreateEmailChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	users := user.New(st)
	sales, err := st.TeamByName(ctx, kefu.DefaultTeam)
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := users.Create(ctx, nil, user.Input{Email: "agent@shop.test", Name: "李客服", Role: kefu.RoleAgent, TeamIDs: []int64{sales.ID}, Password: "secret-password-1"})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, st: st, tickets: tickets, run: run, outbox: outbox, ch: ch, agent: u, ctx: ctx}
}

// ingest stores raw through the channel and fails the test on error.
func (e *env) ingest(raw []byte) email.Result {
	e.t.Helper()
	r, err := e.run.Ingester.Ingest(e.ctx, e.ch, raw, nil)
	if err != nil {
		e.t.Fatalf("ingest: %v", err)
	}
	return r
}

func (e *env) messages(ticketID int64) []*kefu.Message {
	e.t.Helper()
	ms, err := e.st.Messages(e.ctx, ticketID, 0, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return ms
}

func (e *env) ticket(id int64) *kefu.Ticket {
	e.t.Helper()
	tk, err := e.st.Ticket(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return tk
}

// reply adds an agent's reply and lets the outbox queue its mail.
func (e *env) reply(ticketID int64, body string) *kefu.Message {
	e.t.Helper()
	m, _, err := e.tickets.AddMessage(e.ctx, e.agent, ticketID, ticket.NewMessage{Kind: kefu.MessageReply, Body: body})
	if err != nil {
		e.t.Fatalf("reply: %v", err)
	}
	if e.st.Dialect() == store.SQLite {
		e.drain(m.ID)
		return m
	}
	// On PostgreSQL the outbox rightly holds events back while any older
	// transaction in the cluster runs, and other test packages keep the
	// server busy: hand this reply's event to the consumer directly, in a
	// transaction as the outbox does.
	evs, err := e.st.TicketEvents(e.ctx, ticketID, 0, 10000)
	if err != nil {
		e.t.Fatal(err)
	}
	var mine []*kefu.Event
	for _, ev := range evs {
		var d struct {
			MessageID int64 `json:"message_id"`
		}
		if ev.Type == kefu.EventMessageAdded && json.Unmarshal(ev.Data, &d) == nil && d.MessageID == m.ID {
			mine = append(mine, ev)
		}
	}
	if len(mine) != 1 {
		e.t.Fatalf("%d message.added events for message %d", len(mine), m.ID)
	}
	if err := e.st.WithTx(e.ctx, func(ctx context.Context) error { return e.run.Sender.HandleEvents(ctx, mine) }); err != nil {
		e.t.Fatal(err)
	}
	return m
}

// drain runs the outbox until the reply's mail is queued: on PostgreSQL a
// transaction open anywhere in the cluster (another test package) rightly
// holds events back until it ends.
func (e *env) drain(messageID int64) {
	e.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		e.outbox.DrainOnce(e.ctx)
		m, err := e.st.Message(e.ctx, messageID)
		if err != nil {
			e.t.Fatal(err)
		}
		if m.DeliveryStatus != "" {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("the reply's mail was never queued")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *env) outbound(ticketID int64) []*store.EmailOutbound {
	e.t.Helper()
	os, err := e.st.EmailOutbounds(e.ctx, ticketID)
	if err != nil {
		e.t.Fatal(err)
	}
	return os
}

func corpusMail(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "mails", name+".eml"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mail writes a simple mail; extra holds more header lines ("K: v\r\n").
func mail(from, subject, msgID, extra, body string) []byte {
	return []byte(fmt.Sprintf("From: %s\r\nTo: support@shop.test\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: Mon, 03 Jun 2024 10:00:00 +0800\r\nMIME-Version: 1.0\r\n%sContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		from, subject, msgID, extra, strings.ReplaceAll(body, "\n", "\r\n")))
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}
