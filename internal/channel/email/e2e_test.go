package email_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"

	"github.com/kefu-dev/kefu/internal/channel/email"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// mailServer is a real Dovecot (IMAP, LMTP) and Postfix (SMTP, delivering
// to Dovecot over LMTP), configured in a temporary folder on free ports.
type mailServer struct {
	dir                          string
	imapPort, lmtpPort, smtpPort int
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func waitPort(t *testing.T, port int, what, logFile string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logFile)
			t.Fatalf("%s did not start on port %d: %v\n%s", what, port, err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startMailServer starts Dovecot and Postfix for the test, or skips it when
// they are not installed (./test.sh installs them from Debian's packages).
func startMailServer(t *testing.T, users ...string) *mailServer {
	t.Helper()
	bins := map[string]string{}
	for _, bin := range []string{"dovecot", "postfix"} {
		p, err := exec.LookPath(bin)
		if err != nil {
			p = "/usr/sbin/" + bin
			if _, err := os.Stat(p); err != nil {
				t.Skipf("end-to-end mail test skipped: %s is not installed (./test.sh installs dovecot-imapd, dovecot-lmtpd and postfix with apt-get)", bin)
			}
		}
		bins[bin] = p
	}
	if os.Geteuid() != 0 {
		t.Skip("end-to-end mail test skipped: starting Dovecot and Postfix needs root")
	}
	if _, err := user.Lookup("postfix"); err != nil {
		t.Skip("end-to-end mail test skipped: no postfix user")
	}
	dir, err := os.MkdirTemp("/tmp", "kefu-mail-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	_ = os.Chmod(dir, 0o755)
	ms := &mailServer{dir: dir, imapPort: freePort(t), lmtpPort: freePort(t), smtpPort: freePort(t)}
	mailDir := filepath.Join(dir, "mail")
	for _, d := range []string{"run", "state", "mail", "postfix/queue", "postfix/data"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	_ = os.Chmod(mailDir, 0o777)
	var passwd strings.Builder
	for _, u := range users {
		fmt.Fprintf(&passwd, "%s:{PLAIN}pw::::\n", u)
	}
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("users", passwd.String())
	write("dovecot.conf", fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:%[1]s/mail/%%u
default_login_user = dovenull
default_internal_user = dovecot
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=%[1]s/mail/%%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[2]d
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = %[3]d
  }
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
`, dir, ms.imapPort, ms.lmtpPort))
	dv := exec.Command(bins["dovecot"], "-c", filepath.Join(dir, "dovecot.conf"), "-F")
	dv.Stdout, dv.Stderr = os.Stderr, os.Stderr
	if err := dv.Start(); err != nil {
		t.Skipf("end-to-end mail test skipped: dovecot does not start: %v", err)
	}
	t.Cleanup(func() {
		_ = dv.Process.Kill()
		_ = dv.Wait()
	})
	waitPort(t, ms.imapPort, "dovecot", filepath.Join(dir, "dovecot.log"))

	pf := filepath.Join(dir, "postfix")
	if pw, err := user.Lookup("postfix"); err == nil {
		uid, _ := strconv.Atoi(pw.Uid)
		_ = os.Chown(filepath.Join(pf, "data"), uid, -1)
	}
	write("postfix/main.cf", fmt.Sprintf(`compatibility_level = 3.6
queue_directory = %[1]s/queue
data_directory = %[1]s/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.kefu-test.invalid
mydestination =
mynetworks = 127.0.0.0/8
relay_domains =
virtual_mailbox_domains = shop.test example.com
virtual_transport = lmtp:inet:127.0.0.1:%[2]d
smtpd_relay_restrictions = permit_mynetworks, reject
maillog_file_prefixes = /tmp
maillog_file = %[1]s/postfix.log
alias_maps =
alias_database =
smtputf8_enable = no
biff = no
`, pf, ms.lmtpPort))
	write("postfix/master.cf", fmt.Sprintf(`127.0.0.1:%d inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
showq     unix  n       -       n       -       -       showq
`, ms.smtpPort))
	if out, err := exec.Command(bins["postfix"], "-c", pf, "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(pf, "postfix.log"))
		t.Fatalf("postfix start: %v\n%s\n%s", err, out, log)
	}
	t.Cleanup(func() { _ = exec.Command(bins["postfix"], "-c", pf, "stop").Run() })
	waitPort(t, ms.smtpPort, "postfix", filepath.Join(pf, "postfix.log"))
	return ms
}

// submit hands a mail to Postfix, as the customer's mail server would.
func (ms *mailServer) submit(t *testing.T, from, to string, raw []byte) {
	t.Helper()
	c, err := smtp.Dial("127.0.0.1:" + strconv.Itoa(ms.smtpPort))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SendMail(from, []string{to}, bytes.NewReader(raw)); err != nil {
		t.Fatalf("submit to postfix: %v", err)
	}
	_ = c.Quit()
}

// mailbox reads every mail of a user's INBOX over IMAP.
func (ms *mailServer) mailbox(t *testing.T, user string) []*email.Mail {
	t.Helper()
	c, err := imapclient.DialInsecure("127.0.0.1:"+strconv.Itoa(ms.imapPort), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user, "pw").Wait(); err != nil {
		t.Fatal(err)
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	msgs, err := c.Fetch(imap.SeqSetNum(rangeNums(sel.NumMessages)...), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out []*email.Mail
	for _, m := range msgs {
		out = append(out, email.Parse(m.BodySection[0].Bytes))
	}
	return out
}

func rangeNums(n uint32) []uint32 {
	s := make([]uint32, n)
	for i := range s {
		s[i] = uint32(i) + 1
	}
	return s
}

// TestEndToEndWithDovecotAndPostfix runs the whole email channel against
// real mail servers: a customer's mail delivered into the support mailbox
// becomes a ticket; kefu acknowledges it and the agent's reply is delivered
// to the customer's mailbox with threading headers; the customer's answer
// lands on the same ticket; an out-of-office answer gets no acknowledgement.
func TestEndToEndWithDovecotAndPostfix(t *testing.T) {
	ms := startMailServer(t, "support-sqlite@shop.test", "customer-sqlite@example.com", "support-postgres@shop.test", "customer-postgres@example.com")
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		// Each database gets mailboxes of its own.
		d := string(st.Dialect())
		support, cust := "support-"+d+"@shop.test", "customer-"+d+"@example.com"
		e.ch.Address = support
		e.ch.IMAPHost, e.ch.IMAPPort, e.ch.IMAPSecurity = "127.0.0.1", ms.imapPort, kefu.SecurityPlain
		e.ch.IMAPUsername, e.ch.IMAPPassword = support, "pw"
		e.ch.SMTPHost, e.ch.SMTPPort, e.ch.SMTPSecurity = "127.0.0.1", ms.smtpPort, kefu.SecurityPlain
		e.ch.AckEnabled = true
		if err := st.UpdateEmailChannel(e.ctx, e.ch); err != nil {
			t.Fatal(err)
		}
		if s, err := email.TestIMAP(e.ctx, e.ch); err != nil {
			t.Fatalf("IMAP test: %v", err)
		} else {
			t.Logf("IMAP test: %s", s)
		}
		if _, err := email.TestSMTP(e.ctx, e.ch); err != nil {
			t.Fatalf("SMTP test: %v", err)
		}
		fetcher := email.NewFetcher(st, e.run.Ingester, quietLog())
		fetchUntil := func(externalID string) *kefu.Message {
			t.Helper()
			var m *kefu.Message
			waitFor(t, func() bool {
				ch, err := st.EmailChannel(e.ctx, e.ch.ID)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := fetcher.FetchOnce(e.ctx, ch); err != nil {
					t.Fatalf("fetch: %v", err)
				}
				m, err = st.MessageByExternalID(e.ctx, externalID)
				return err == nil
			})
			return m
		}
		customerMails := func(n int) []*email.Mail {
			t.Helper()
			var got []*email.Mail
			waitFor(t, func() bool {
				got = ms.mailbox(t, cust)
				return len(got) >= n
			})
			return got
		}
		before := len(ms.mailbox(t, cust))
		tag := strings.ReplaceAll(t.Name(), "/", "-")

		// 1. The customer writes.
		firstID := "first-" + tag + "@example.com"
		ms.submit(t, cust, support, mail("顾客 <"+cust+">", "订单 20240601-0042 还没发货", firstID, "",
			"你好，我的订单还没有发货，请帮忙看看。\n\n顾客"))
		first := fetchUntil(firstID)
		tk := e.ticket(first.TicketID)
		if tk.Channel != kefu.ChannelEmail || tk.Subject != "订单 20240601-0042 还没发货" || first.RawSHA256 == "" {
			t.Fatalf("ticket %+v message %+v", tk, first)
		}

		// 2. kefu acknowledges, the agent replies; both reach the customer.
		e.reply(tk.ID, "您好，您的订单今天发货，单号 SF1234567890。")
		for i := 0; i < 3; i++ {
			if _, err := e.run.Sender.SendDue(e.ctx); err != nil {
				t.Fatal(err)
			}
		}
		got := customerMails(before + 2)[before:]
		var ack, reply *email.Mail
		for _, m := range got {
			if m.Header.Get("Auto-Submitted") == "auto-replied" {
				ack = m
			} else {
				reply = m
			}
		}
		if ack == nil || reply == nil {
			t.Fatalf("customer's mailbox: %d new mails, ack %v reply %v", len(got), ack != nil, reply != nil)
		}
		token := email.SubjectToken(tk.Number)
		if !strings.Contains(ack.Subject, token) || !strings.Contains(ack.Text, fmt.Sprintf("#%d", tk.Number)) {
			t.Errorf("acknowledgement %q: %q", ack.Subject, ack.Text)
		}
		if reply.Subject != "Re: 订单 20240601-0042 还没发货 "+token {
			t.Errorf("reply subject %q", reply.Subject)
		}
		if len(reply.InReplyTo) != 1 || reply.InReplyTo[0] != firstID || len(reply.References) == 0 || reply.References[0] != firstID {
			t.Errorf("reply threading: In-Reply-To %v References %v", reply.InReplyTo, reply.References)
		}
		if reply.From.Email != support || !strings.Contains(reply.From.Name, "李客服") || !strings.Contains(reply.Text, "SF1234567890") {
			t.Errorf("reply from %+v text %q", reply.From, reply.Text)
		}
		if m, _ := st.Message(e.ctx, e.messages(tk.ID)[1].ID); m.DeliveryStatus != kefu.DeliverySent {
			t.Errorf("reply delivery %q %q", m.DeliveryStatus, m.DeliveryError)
		}

		// 3. The customer answers the reply, quoting it, with a subject their
		// mail program rewrote: it lands on the same ticket.
		answerID := "answer-" + tag + "@example.com"
		refs := "<" + strings.Join(append(reply.References, reply.MessageID), "> <") + ">"
		ms.submit(t, cust, support, mail("顾客 <"+cust+">", "回复："+reply.Subject, answerID,
			"In-Reply-To: <"+reply.MessageID+">\r\nReferences: "+refs+"\r\n",
			"收到，谢谢！\n\n在 2024年6月3日，客服 <support@shop.test> 写道：\n> 您好，您的订单今天发货。"))
		answer := fetchUntil(answerID)
		if answer.TicketID != tk.ID {
			t.Fatalf("the answer opened ticket %d instead of landing on %d", answer.TicketID, tk.ID)
		}
		if answer.QuoteAt == 0 || strings.TrimSpace(answer.Body[:answer.QuoteAt]) != "收到，谢谢！" {
			t.Errorf("answer folded at %d: %q", answer.QuoteAt, answer.Body)
		}
		if tk2 := e.ticket(tk.ID); tk2.Status != kefu.StatusOpen {
			t.Errorf("ticket status after the answer: %s", tk2.Status)
		}

		// 4. An out-of-office mail opens a ticket but is never acknowledged.
		oooID := "ooo-" + tag + "@example.com"
		ms.submit(t, "", support, mail("Away <"+cust+">", "Automatic reply: 休假中", oooID, "Auto-Submitted: auto-replied\r\n", "I am away."))
		ooo := fetchUntil(oooID)
		for _, o := range e.outbound(ooo.TicketID) {
			if o.Kind == "ack" && o.TicketID == ooo.TicketID && ooo.TicketID != tk.ID {
				t.Errorf("out-of-office mail was acknowledged")
			}
		}
		// Every fetched mail is flagged \Seen in the support mailbox.
		if n, all := flagged(t, e.ch, imap.FlagSeen), len(ms.mailbox(t, support)); n != all || all != 3 {
			t.Errorf("%d of %d mails flagged \\Seen", n, all)
		}
	})
}

// TestFetchRestartWithDovecot runs the restart scenario (two crashes in the
// middle of a mailbox) against a real IMAP server.
func TestFetchRestartWithDovecot(t *testing.T) {
	ms := startMailServer(t, "restart-sqlite@shop.test", "restart-postgres@shop.test")
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.ch.IMAPUsername = "restart-" + string(st.Dialect()) + "@shop.test"
		imapChannel(t, e, "127.0.0.1", ms.imapPort)
		restartScenario(t, e)
	})
}
