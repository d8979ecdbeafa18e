package email_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/kefu-dev/kefu/internal/channel/email"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// TestIngestNewMail: a mail from an unknown address opens an email ticket
// for a new customer, keeps the raw mail, the attachments and the fold
// point; the same mail again changes nothing.
func TestIngestNewMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		raw := corpusMail(t, "29-mixed-attachments")
		r := e.ingest(raw)
		if r.Outcome != email.Created {
			t.Fatalf("outcome %s, want created", r.Outcome)
		}
		tk := e.ticket(r.TicketID)
		if tk.Channel != kefu.ChannelEmail || tk.Subject != "Receipt and photo" || tk.Status != kefu.StatusNew {
			t.Errorf("ticket %+v", tk)
		}
		c, err := st.Customer(e.ctx, tk.CustomerID)
		if err != nil || c.Email() != "att@example.com" || c.Name != "Att" {
			t.Errorf("customer %+v, %v", c, err)
		}
		ms := e.messages(tk.ID)
		if len(ms) != 1 {
			t.Fatalf("%d messages", len(ms))
		}
		m := ms[0]
		if m.Body != "Receipt and photo attached." || m.ExternalID != "m028@mail.example.com" || m.Kind != kefu.MessageCustomer {
			t.Errorf("message %+v", m)
		}
		if len(m.Attachments) != 2 || m.Attachments[0].Filename != "receipt.pdf" || m.Attachments[1].Filename != "photo.jpg" {
			t.Errorf("attachments %+v", m.Attachments)
		}
		stored, err := st.Blob(e.ctx, m.RawSHA256)
		if err != nil || !bytes.Equal(stored, raw) {
			t.Errorf("raw mail not kept: %v", err)
		}
		if r2 := e.ingest(raw); r2.Outcome != email.Duplicate || r2.TicketID != tk.ID {
			t.Errorf("second fetch: %+v", r2)
		}
		if n := len(e.messages(tk.ID)); n != 1 {
			t.Errorf("%d messages after a duplicate", n)
		}
		// A known address attaches to the same customer.
		r3 := e.ingest(mail("Att <ATT@example.com>", "Another question", "q2@example.com", "", "Second question."))
		if e.ticket(r3.TicketID).CustomerID != tk.CustomerID {
			t.Errorf("known sender got another customer")
		}
	})
}

// TestIngestFoldsQuotesAndShowsInlineImages checks the fold point and the
// rewriting of cid: references to kefu's inline image route.
func TestIngestFoldsQuotesAndShowsInlineImages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		r := e.ingest(corpusMail(t, "67-gmail-quote"))
		m := e.messages(r.TicketID)[0]
		if m.QuoteAt == 0 || strings.TrimSpace(m.Body[:m.QuoteAt]) != "Yes, please send size M." {
			t.Errorf("fold at %d in %q", m.QuoteAt, m.Body)
		}
		r = e.ingest(corpusMail(t, "28-related-inline"))
		m = e.messages(r.TicketID)[0]
		if len(m.Attachments) != 1 {
			t.Fatalf("attachments %+v", m.Attachments)
		}
		want := email.InlinePath + m.Attachments[0].SHA256
		if !strings.Contains(m.HTML, `src="`+want+`"`) || strings.Contains(m.HTML, "cid:") {
			t.Errorf("inline image not rewritten: %s", m.HTML)
		}
	})
}

// TestIngestThreading: replies thread by In-Reply-To/References to kefu's
// outgoing mail and by the subject token from the ticket's customer only;
// mail on a closed ticket opens a follow-up.
func TestIngestThreading(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		first := e.ingest(mail("王芳 <wf@example.cn>", "快递三天没有更新", "a1@example.cn", "", "请帮忙查一下。"))
		e.reply(first.TicketID, "已经联系快递公司，明天给您答复。")
		out := e.outbound(first.TicketID)
		if len(out) != 1 || out[0].Kind != "reply" {
			t.Fatalf("outbound %+v", out)
		}
		tk := e.ticket(first.TicketID)
		// Answer to kefu's reply, by headers; the subject lost its token.
		r := e.ingest(mail("wf@example.cn", "Re: 快递", "a2@example.cn", "In-Reply-To: <"+out[0].HeaderID+">\r\nReferences: <a1@example.cn> <"+out[0].HeaderID+">\r\n", "好的，谢谢"))
		if r.Outcome != email.Added || r.TicketID != tk.ID {
			t.Errorf("answer by headers: %+v", r)
		}
		// By the token, from the customer.
		r = e.ingest(mail("wf@example.cn", "Re: 快递 "+email.SubjectToken(tk.Number), "a3@example.cn", "", "还有一个问题"))
		if r.Outcome != email.Added || r.TicketID != tk.ID {
			t.Errorf("answer by token: %+v", r)
		}
		// The token from a stranger opens a ticket of their own.
		r = e.ingest(mail("stranger@example.com", "Re: "+email.SubjectToken(tk.Number), "s1@example.com", "", "let me in"))
		if r.Outcome != email.Created || r.TicketID == tk.ID {
			t.Errorf("stranger with a token: %+v", r)
		}
		// A closed ticket stays closed; the customer's news opens a follow-up.
		closed := kefu.StatusClosed
		if _, err := st.Ticket(e.ctx, tk.ID); err != nil {
			t.Fatal(err)
		}
		if err := st.WithTx(e.ctx, func(ctx2 context.Context) error {
			t2, err := st.LockTicket(ctx2, tk.ID)
			if err != nil {
				return err
			}
			t2.Status = closed
			return st.UpdateTicket(ctx2, t2)
		}); err != nil {
			t.Fatal(err)
		}
		r = e.ingest(mail("wf@example.cn", "Re: 快递", "a4@example.cn", "In-Reply-To: <a3@example.cn>\r\n", "又坏了"))
		if r.TicketID == tk.ID {
			t.Fatalf("mail landed on the closed ticket")
		}
		fu := e.ticket(r.TicketID)
		if fu.FollowUpOf == nil || *fu.FollowUpOf != tk.ID || fu.Channel != kefu.ChannelEmail {
			t.Errorf("follow-up %+v", fu)
		}
	})
}

// TestIngestUnreadableMail: a mail without a header becomes a ticket
// flagged for a human with the original attached.
func TestIngestUnreadableMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		raw := corpusMail(t, "46-no-headers")
		r := e.ingest(raw)
		if r.Outcome != email.Flagged {
			t.Fatalf("outcome %s", r.Outcome)
		}
		tk := e.ticket(r.TicketID)
		if !contains(tk.Tags, email.TagNeedsHuman) {
			t.Errorf("tags %v", tk.Tags)
		}
		m := e.messages(tk.ID)[0]
		if len(m.Attachments) != 1 || m.Attachments[0].Filename != "original.eml" || !strings.Contains(m.Body, "just some text pasted") {
			t.Errorf("message %+v", m)
		}
		if again := e.ingest(raw); again.Outcome != email.Duplicate {
			t.Errorf("an unreadable mail fetched twice: %s", again.Outcome)
		}
	})
}

// TestIngestLoopsAndAcknowledgements: people get one acknowledgement per
// new ticket, at most three a day; machines get none; kefu's own mail coming
// back is ignored; a bounce of a reply marks it failed with the reason.
func TestIngestLoopsAndAcknowledgements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.ch.AckEnabled = true
		if err := st.UpdateEmailChannel(e.ctx, e.ch); err != nil {
			t.Fatal(err)
		}
		r := e.ingest(mail("Li <li@example.cn>", "耳机坏了", "p1@example.cn", "", "左耳没声音"))
		acks := e.outbound(r.TicketID)
		if len(acks) != 1 || acks[0].Kind != "ack" || acks[0].Recipient != "li@example.cn" {
			t.Fatalf("acknowledgement %+v", acks)
		}
		ack := email.Parse(acks[0].Raw)
		tk := e.ticket(r.TicketID)
		if ack.Header.Get("Auto-Submitted") != "auto-replied" || !strings.Contains(ack.Subject, email.SubjectToken(tk.Number)) ||
			!strings.Contains(ack.Text, "工单号") || !strings.Contains(ack.Text, "ticket number") || ack.InReplyTo[0] != "p1@example.cn" {
			t.Errorf("acknowledgement reads %q / %q", ack.Subject, ack.Text)
		}
		// Rate limit: three acknowledgements per address and day.
		for i := 2; i <= 5; i++ {
			e.ingest(mail("li@example.cn", "问题", "p"+string(rune('0'+i))+"@example.cn", "", "又一个问题"))
		}
		n, _ := st.CountEmailsTo(e.ctx, "li@example.cn", "ack", tk.CreatedAt.Add(-3600e9))
		if n != 3 {
			t.Errorf("%d acknowledgements to one sender, want 3", n)
		}
		// Machines' mail: a ticket, but no acknowledgement.
		for _, name := range []string{"58-auto-submitted", "59-outlook-ooo", "60-x-autoreply", "63-mailing-list", "64-precedence-bulk", "65-noreply", "66-null-return-path"} {
			r := e.ingest(corpusMail(t, name))
			if r.Outcome != email.Created && r.Outcome != email.Added {
				t.Errorf("%s: %s", name, r.Outcome)
			}
			for _, o := range e.outbound(r.TicketID) {
				if o.Kind == "ack" && strings.Contains(string(o.Raw), "In-Reply-To: <"+email.Parse(corpusMail(t, name)).MessageID) {
					t.Errorf("%s was acknowledged", name)
				}
			}
		}
		// kefu's own acknowledgement delivered back into the mailbox.
		if own := e.ingest(acks[0].Raw); own.Outcome != email.Own {
			t.Errorf("own mail: %s", own.Outcome)
		}
		// A bounce of a reply.
		rep := e.reply(tk.ID, "请寄回耳机。")
		var sent *store.EmailOutbound
		for _, o := range e.outbound(tk.ID) {
			if o.Kind == "reply" {
				sent = o
			}
		}
		dsn := strings.ReplaceAll(string(corpusMail(t, "61-dsn-bounce")), "kefu.61aabbccdd@demo.test", sent.HeaderID)
		b := e.ingest([]byte(dsn))
		if b.Outcome != email.Bounced || b.MessageID != rep.ID {
			t.Fatalf("bounce: %+v", b)
		}
		got, _ := st.Message(e.ctx, rep.ID)
		if got.DeliveryStatus != kefu.DeliveryFailed || !strings.Contains(got.DeliveryError, "550 5.1.1") {
			t.Errorf("reply after bounce: %q %q", got.DeliveryStatus, got.DeliveryError)
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestIngestOddMails: mails at the edges of what the ticket rules accept
// still become tickets instead of blocking the mailbox.
func TestIngestOddMails(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	if r := e.ingest(nil); r.Outcome != email.Flagged {
		t.Errorf("empty mail: %s", r.Outcome)
	}
	long := strings.Repeat("长", 700)
	r := e.ingest(mail(long+" <long@example.com>", long, "long@example.com", "", "body"))
	if r.Outcome != email.Created {
		t.Fatalf("long subject and name: %s", r.Outcome)
	}
	if n := len([]rune(e.ticket(r.TicketID).Subject)); n > 500 {
		t.Errorf("subject of %d characters", n)
	}
	r = e.ingest(mail("x@example.com", "only attachment", "att-only@example.com", "", ""))
	if r.Outcome != email.Created || e.messages(r.TicketID)[0].Body == "" {
		t.Errorf("empty body: %s", r.Outcome)
	}
}
