package email_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/channel/email"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// TestReplyMailThreads checks the mail kefu composes for a reply: the
// agent's name with the channel's address, the ticket token once, and
// In-Reply-To/References pointing at the customer's mails.
func TestReplyMailThreads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		r := e.ingest(mail("王芳 <wf@example.cn>", "Re: 快递三天没有更新", "c1@example.cn", "Reply-To: Fang <fang.home@example.cn>\r\n", "请帮忙查一下。"))
		tk := e.ticket(r.TicketID)
		e.reply(tk.ID, "您好，\n已经联系快递公司。")
		out := e.outbound(tk.ID)
		if len(out) != 1 {
			t.Fatalf("%d mails queued", len(out))
		}
		m := email.Parse(out[0].Raw)
		if m.From.Email != "support@shop.test" || m.From.Name != "李客服 (Shop 商城)" {
			t.Errorf("From %+v", m.From)
		}
		if out[0].Recipient != "fang.home@example.cn" || len(m.To) != 1 || m.To[0].Email != "fang.home@example.cn" {
			t.Errorf("sent to %q / %+v, want the Reply-To address", out[0].Recipient, m.To)
		}
		if want := "Re: 快递三天没有更新 " + email.SubjectToken(tk.Number); m.Subject != want {
			t.Errorf("subject %q, want %q", m.Subject, want)
		}
		if len(m.InReplyTo) != 1 || m.InReplyTo[0] != "c1@example.cn" || len(m.References) != 1 || m.References[0] != "c1@example.cn" {
			t.Errorf("In-Reply-To %v References %v", m.InReplyTo, m.References)
		}
		if m.MessageID != out[0].HeaderID || !email.IsKefuMessageID(m.MessageID) || !strings.HasSuffix(m.MessageID, "@shop.test") {
			t.Errorf("Message-ID %q", m.MessageID)
		}
		if m.Text != "您好，\n已经联系快递公司。" || m.HTML == "" || m.Header.Has("Auto-Submitted") {
			t.Errorf("body %q html %v", m.Text, m.HTML != "")
		}
		// The next reply's References carry the whole thread.
		r2 := e.ingest(mail("wf@example.cn", "Re: x", "c2@example.cn", "In-Reply-To: <"+out[0].HeaderID+">\r\n", "谢谢"))
		if r2.TicketID != tk.ID {
			t.Fatalf("answer landed on ticket %d", r2.TicketID)
		}
		e.reply(tk.ID, "不客气")
		out = e.outbound(tk.ID)
		m2 := email.Parse(out[1].Raw)
		if strings.Join(m2.References, " ") != "c1@example.cn "+out[0].HeaderID+" c2@example.cn" || m2.InReplyTo[0] != "c2@example.cn" {
			t.Errorf("second reply: In-Reply-To %v References %v", m2.InReplyTo, m2.References)
		}
	})
}

// TestSenderRetriesAndFails: temporary failures are retried with growing
// waits until the mail goes; a permanent refusal, or running out of
// attempts, marks the reply failed with the server's words.
func TestSenderRetriesAndFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		s := e.run.Sender
		s.Backoff, s.MaxBackoff, s.MaxAttempts = time.Millisecond, 4*time.Millisecond, 4
		var answers []error
		var sent [][]byte
		s.Send = func(ctx context.Context, ch *kefu.EmailChannel, to string, raw []byte) error {
			if len(answers) > 0 {
				err := answers[0]
				answers = answers[1:]
				if err != nil {
					return err
				}
			}
			sent = append(sent, raw)
			return nil
		}
		sendAll := func() {
			t.Helper()
			for i := 0; i < 20; i++ {
				if _, err := s.SendDue(e.ctx); err != nil {
					t.Fatal(err)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
		status := func(id int64) (string, string) {
			m, err := st.Message(e.ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return m.DeliveryStatus, m.DeliveryError
		}
		tk := e.ingest(mail("a@example.com", "help", "h1@example.com", "", "help me")).TicketID

		// Two temporary failures, then it goes.
		answers = []error{&email.SendError{Reason: "send to a@example.com: 451 4.3.0 try later"}, &email.SendError{Reason: "connect: connection refused"}}
		m1 := e.reply(tk, "first")
		if st, _ := status(m1.ID); st != kefu.DeliveryQueued {
			t.Errorf("before sending: %q", st)
		}
		sendAll()
		if st, reason := status(m1.ID); st != kefu.DeliverySent || reason != "" || len(sent) != 1 {
			t.Errorf("after retries: %q %q, %d sent", st, reason, len(sent))
		}

		// A permanent refusal fails at once, with the server's answer.
		answers = []error{&email.SendError{Permanent: true, Reason: "send to a@example.com: 550 5.1.1 User unknown"}}
		m2 := e.reply(tk, "second")
		sendAll()
		if st, reason := status(m2.ID); st != kefu.DeliveryFailed || reason != "send to a@example.com: 550 5.1.1 User unknown" {
			t.Errorf("permanent: %q %q", st, reason)
		}

		// Temporary failures until the attempts run out.
		answers = nil
		for i := 0; i < 10; i++ {
			answers = append(answers, &email.SendError{Reason: "421 4.7.0 too busy"})
		}
		m3 := e.reply(tk, "third")
		sendAll()
		if st, reason := status(m3.ID); st != kefu.DeliveryFailed || reason != "421 4.7.0 too busy" {
			t.Errorf("exhausted: %q %q", st, reason)
		}
		var third *store.EmailOutbound
		for _, o := range e.outbound(tk) {
			if o.MessageID != nil && *o.MessageID == m3.ID {
				third = o
			}
		}
		if third == nil || third.Attempts != 4 || third.Status != kefu.DeliveryFailed {
			t.Errorf("third mail %+v", third)
		}
		if len(sent) != 1 {
			t.Errorf("%d mails went out, want 1", len(sent))
		}
		// Each change of delivery is an event the workspace can show live.
		evs, err := st.TicketEvents(e.ctx, tk, 0, 200)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range evs {
			if ev.Type == kefu.EventMessageDelivery {
				n++
			}
		}
		if n < 6 {
			t.Errorf("%d delivery events", n)
		}
	})
}
