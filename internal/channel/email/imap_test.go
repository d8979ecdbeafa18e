package email_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/kefu-dev/kefu/internal/channel/email"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// memIMAP starts an in-memory IMAP server with one user and INBOX and
// returns its host and port.
func memIMAP(t *testing.T, user, password string) (string, int) {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(user, password)
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		InsecureAuth: true,
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	p, _ := strconv.Atoi(port)
	return host, p
}

// appendMails puts mails into a mailbox the way a delivering server would.
func appendMails(t *testing.T, ch *kefu.EmailChannel, mails ...[]byte) {
	t.Helper()
	c, err := imapclient.DialInsecure(net.JoinHostPort(ch.IMAPHost, strconv.Itoa(ch.IMAPPort)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ch.IMAPUsername, ch.IMAPPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	for _, m := range mails {
		cmd := c.Append(ch.IMAPMailbox, int64(len(m)), nil)
		if _, err := cmd.Write(m); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

// flagged counts the mails of the mailbox that carry flag.
func flagged(t *testing.T, ch *kefu.EmailChannel, flag imap.Flag) int {
	t.Helper()
	c, err := imapclient.DialInsecure(net.JoinHostPort(ch.IMAPHost, strconv.Itoa(ch.IMAPPort)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ch.IMAPUsername, ch.IMAPPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select(ch.IMAPMailbox, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	d, err := c.UIDSearch(&imap.SearchCriteria{Flag: []imap.Flag{flag}}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return len(d.AllUIDs())
}

func imapChannel(t *testing.T, e *env, host string, port int) {
	t.Helper()
	e.ch.IMAPHost, e.ch.IMAPPort, e.ch.IMAPSecurity = host, port, kefu.SecurityPlain
	if e.ch.IMAPUsername == "" {
		e.ch.IMAPUsername = "support"
	}
	e.ch.IMAPPassword = "pw"
	if err := e.st.UpdateEmailChannel(e.ctx, e.ch); err != nil {
		t.Fatal(err)
	}
}

var errCrash = errors.New("simulated crash")

// TestFetchRestartMidMailbox stops the fetcher after some mails are
// committed, once right after a commit and before the mail is flagged (the
// worst moment), and restarts it with a fresh process's state: every mail
// becomes exactly one ticket, none is skipped, and in the end all are
// flagged \Seen.
func TestFetchRestartMidMailbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		host, port := memIMAP(t, "support", "pw")
		imapChannel(t, e, host, port)
		restartScenario(t, e)
	})
}

// restartScenario fills e's mailbox and fetches it with two simulated
// crashes, then checks every mail became exactly one ticket.
func restartScenario(t *testing.T, e *env) {
	t.Helper()
	st := e.st
	const n = 23
	var mails [][]byte
	for i := 1; i <= n; i++ {
		mails = append(mails, mail(fmt.Sprintf("c%d@example.com", i), fmt.Sprintf("问题 %d", i), fmt.Sprintf("r%d-%s@example.com", i, st.Dialect()), "", fmt.Sprintf("第 %d 封", i)))
	}
	appendMails(t, e.ch, mails...)

	for _, stopAt := range []int{5, 12} {
		f := email.NewFetcher(st, e.run.Ingester, quietLog())
		f.Batch = 4
		seen := 0
		f.AfterCommit = func(uid uint32) error {
			if seen++; seen == stopAt {
				return errCrash
			}
			return nil
		}
		ch, err := st.EmailChannel(e.ctx, e.ch.ID) // what a restarted process reads
		if err != nil {
			t.Fatal(err)
		}
		if stopAt == 12 {
			seen = 5 // counts mails since the start of the mailbox
		}
		got, err := f.FetchOnce(e.ctx, ch)
		if !errors.Is(err, errCrash) {
			t.Fatalf("fetch stopped with %v after %d mails", err, got)
		}
	}
	ch, _ := st.EmailChannel(e.ctx, e.ch.ID)
	f := email.NewFetcher(st, e.run.Ingester, quietLog())
	if _, err := f.FetchOnce(e.ctx, ch); err != nil {
		t.Fatal(err)
	}
	tickets, _, err := st.Tickets(e.ctx, store.TicketFilter{Scope: &store.Scope{All: true}, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(tickets) != n {
		t.Errorf("%d tickets from %d mails", len(tickets), n)
	}
	seen := map[string]bool{}
	for _, tk := range tickets {
		if seen[tk.Subject] {
			t.Errorf("duplicate ticket %q", tk.Subject)
		}
		seen[tk.Subject] = true
	}
	for i := 1; i <= n; i++ {
		if !seen[fmt.Sprintf("问题 %d", i)] {
			t.Errorf("mail %d was skipped", i)
		}
	}
	if got := flagged(t, e.ch, imap.FlagSeen); got != n {
		t.Errorf("%d of %d mails flagged \\Seen", got, n)
	}
	// A fourth run finds nothing new.
	ch, _ = st.EmailChannel(e.ctx, e.ch.ID)
	if got, err := email.NewFetcher(st, e.run.Ingester, quietLog()).FetchOnce(e.ctx, ch); err != nil || got != 0 {
		t.Errorf("idle fetch stored %d mails, %v", got, err)
	}
}

// TestFetchDeleteAfterCommit deletes mails once stored, and the runner's
// fetcher picks up mail that arrives while it waits.
func TestFetchDeleteAfterCommit(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	host, port := memIMAP(t, "support", "pw")
	imapChannel(t, e, host, port)
	e.ch.AfterFetch = kefu.AfterFetchDelete
	e.ch.PollSeconds = 5
	if err := e.st.UpdateEmailChannel(e.ctx, e.ch); err != nil {
		t.Fatal(err)
	}
	appendMails(t, e.ch, mail("x@example.com", "one", "d1@example.com", "", "1"), mail("y@example.com", "two", "d2@example.com", "", "2"))
	ch, _ := e.st.EmailChannel(e.ctx, e.ch.ID)
	if n, err := email.NewFetcher(e.st, e.run.Ingester, quietLog()).FetchOnce(e.ctx, ch); err != nil || n != 2 {
		t.Fatalf("fetched %d, %v", n, err)
	}
	if got := flagged(t, e.ch, imap.FlagSeen) + flagged(t, e.ch, imap.FlagDeleted); got != 0 {
		t.Errorf("%d mails left in the mailbox", got)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan struct{})
	go func() { e.run.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	appendMails(t, e.ch, mail("z@example.com", "three", "d3@example.com", "", "3"))
	waitFor(t, func() bool {
		_, err := e.st.MessageByExternalID(e.ctx, "d3@example.com")
		return err == nil
	})
	ch, _ = e.st.EmailChannel(e.ctx, e.ch.ID)
	if ch.LastFetchAt == nil || ch.LastError != "" {
		t.Errorf("channel state: last fetch %v, error %q", ch.LastFetchAt, ch.LastError)
	}
}

// TestConnectionTests reports the servers' own words.
func TestConnectionTests(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	host, port := memIMAP(t, "support", "pw")
	imapChannel(t, e, host, port)
	if s, err := email.TestIMAP(e.ctx, e.ch); err != nil || s == "" {
		t.Errorf("good IMAP settings: %q, %v", s, err)
	}
	bad := *e.ch
	bad.IMAPPassword = "wrong"
	_, err := email.TestIMAP(e.ctx, &bad)
	if err == nil || !containsAny(err.Error(), "NO", "nvalid", "uthentication") {
		t.Errorf("wrong password: %v", err)
	}
	bad.SMTPHost, bad.SMTPPort, bad.SMTPSecurity = "127.0.0.1", 1, kefu.SecurityPlain
	if _, err := email.TestSMTP(e.ctx, &bad); err == nil || !containsAny(err.Error(), "refused") {
		t.Errorf("closed SMTP port: %v", err)
	}
}
