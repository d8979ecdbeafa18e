package email_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/kefu-dev/kefu/internal/channel/email"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// TestSMTPListener: a mail server forwarding to kefu's listener gets 250
// only for support addresses, and the mail becomes a ticket; a null
// sender's mail is recognised as automatic.
func TestSMTPListener(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- email.NewListener(e.st, e.run.Ingester, quietLog()).Serve(ctx, ln) }()
	defer func() { cancel(); <-done }()
	addr := ln.Addr().String()

	raw := mail("Buyer <buyer@example.com>", "Where is my parcel?", "l1@example.com", "", "It is late.")
	if err := sendPlain(addr, "buyer@example.com", []string{"Support@Shop.test"}, bytes.NewReader(raw)); err != nil {
		t.Fatalf("send to the support address: %v", err)
	}
	m, err := e.st.MessageByExternalID(e.ctx, "l1@example.com")
	if err != nil {
		t.Fatalf("the mail is not stored: %v", err)
	}
	tk := e.ticket(m.TicketID)
	if tk.Channel != kefu.ChannelEmail || tk.Subject != "Where is my parcel?" {
		t.Errorf("ticket %+v", tk)
	}
	err = sendPlain(addr, "buyer@example.com", []string{"nobody@shop.test"}, bytes.NewReader(raw))
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 550 {
		t.Errorf("unknown recipient: %v", err)
	}
	// Sending the same mail again (a retrying server) changes nothing.
	if err := sendPlain(addr, "buyer@example.com", []string{"support@shop.test"}, bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	if n := len(e.messages(tk.ID)); n != 1 {
		t.Errorf("%d messages after a resend", n)
	}
	ooo := mail("Buyer <buyer@example.com>", "Out of office", "l2@example.com", "", "Back on Monday.")
	if err := sendPlain(addr, "", []string{"support@shop.test"}, bytes.NewReader(ooo)); err != nil {
		t.Fatal(err)
	}
	m2, err := e.st.MessageByExternalID(e.ctx, "l2@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if tk2 := e.ticket(m2.TicketID); !contains(tk2.Tags, email.TagAutoReply) {
		t.Errorf("null sender's mail tags %v", tk2.Tags)
	}
}

// smtpSink is an SMTP server that records mail and can refuse it.
type smtpSink struct {
	mu     sync.Mutex
	got    [][]byte
	user   string
	refuse *smtp.SMTPError
}

func (s *smtpSink) NewSession(c *smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }

type sinkSession struct {
	s      *smtpSink
	authed bool
}

func (x *sinkSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (x *sinkSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != x.s.user || password != "pw" {
			return errors.New("bad credentials")
		}
		x.authed = true
		return nil
	}), nil
}
func (x *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	if !x.authed {
		return smtp.ErrAuthRequired
	}
	return nil
}
func (x *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if x.s.refuse != nil {
		return x.s.refuse
	}
	return nil
}
func (x *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	x.s.mu.Lock()
	x.s.got = append(x.s.got, b)
	x.s.mu.Unlock()
	return err
}
func (x *sinkSession) Reset()        {}
func (x *sinkSession) Logout() error { return nil }

// TestSendSMTP sends a reply through a real SMTP conversation with AUTH,
// and keeps a refusing server's exact words as a permanent failure.
func TestSendSMTP(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	sink := serveSink(t, e)
	if s, err := email.TestSMTP(e.ctx, e.ch); err != nil {
		t.Fatalf("SMTP test: %v", err)
	} else if !strings.HasPrefix(s, "OK") {
		t.Errorf("SMTP test said %q", s)
	}
	tk := e.ingest(mail("a@example.com", "help", "s1@example.com", "", "help")).TicketID
	m := e.reply(tk, "On its way.")
	if _, err := e.run.Sender.SendDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.st.Message(e.ctx, m.ID); got.DeliveryStatus != kefu.DeliverySent {
		t.Errorf("delivery %q %q", got.DeliveryStatus, got.DeliveryError)
	}
	if len(sink.got) != 1 || !bytes.Contains(sink.got[0], []byte("On its way.")) {
		t.Fatalf("server got %d mails", len(sink.got))
	}
	sink.refuse = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox a@example.com does not exist"}
	m2 := e.reply(tk, "Hello?")
	if _, err := e.run.Sender.SendDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := e.st.Message(e.ctx, m2.ID)
	if got.DeliveryStatus != kefu.DeliveryFailed || !strings.Contains(got.DeliveryError, "550 5.1.1 mailbox a@example.com does not exist") {
		t.Errorf("refused: %q %q", got.DeliveryStatus, got.DeliveryError)
	}
	e.ch.SMTPPassword = "wrong"
	if _, err := email.TestSMTP(e.ctx, e.ch); err == nil || !strings.Contains(err.Error(), "bad credentials") {
		t.Errorf("wrong password: %v", err)
	}
}

// serveSink starts an SMTP sink that takes AUTH as support/pw and points
// the env's email channel at it (enabled, plain SMTP).
func serveSink(t *testing.T, e *env) *smtpSink {
	t.Helper()
	sink := &smtpSink{user: "support"}
	srv := smtp.NewServer(sink)
	srv.AllowInsecureAuth = true
	srv.Domain = "sink"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	e.ch.Enabled = true
	e.ch.SMTPHost, e.ch.SMTPSecurity, e.ch.SMTPUsername, e.ch.SMTPPassword = host, kefu.SecurityPlain, "support", "pw"
	e.ch.SMTPPort, _ = strconv.Atoi(port)
	if err := e.st.UpdateEmailChannel(e.ctx, e.ch); err != nil {
		t.Fatal(err)
	}
	return sink
}

// sendPlain delivers a mail over plain SMTP, as a local mail server
// forwarding to kefu does.
func sendPlain(addr, from string, to []string, r io.Reader) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SendMail(from, to, r); err != nil {
		return err
	}
	return c.Quit()
}
