package email

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// Listener is kefu's own SMTP server, for a mail server that forwards the
// support address to kefu instead of kefu fetching it. It accepts mail only
// for the addresses of email channels and answers 250 only after the ticket
// change is committed, so the sending server keeps (and retries) any mail
// kefu could not store.
type Listener struct {
	st  *store.Store
	in  *Ingester
	log *slog.Logger
	srv *smtp.Server
}

// MaxInboundBytes is the largest mail the listener accepts.
const MaxInboundBytes = 50 << 20

// NewListener returns a Listener storing mail through in.
func NewListener(st *store.Store, in *Ingester, log *slog.Logger) *Listener {
	l := &Listener{st: st, in: in, log: log}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{l: l}, nil
	}))
	s.Domain = "kefu"
	s.MaxMessageBytes = MaxInboundBytes
	s.MaxRecipients = 50
	s.ReadTimeout = 2 * time.Minute
	s.WriteTimeout = 2 * time.Minute
	s.EnableSMTPUTF8 = true
	s.ErrorLog = slogLogger{log}
	l.srv = s
	return l
}

// Serve accepts connections on ln until ctx ends, then waits for sessions
// under way to finish.
func (l *Listener) Serve(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- l.srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("smtp listener: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := l.srv.Shutdown(sctx); err != nil {
		l.srv.Close()
	}
	<-errc
	return nil
}

type session struct {
	l        *Listener
	from     string
	channels []*kefu.EmailChannel
}

func (s *session) Reset()        { s.from, s.channels = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ch, err := s.l.st.EmailChannelByAddress(context.Background(), to)
	if errors.Is(err, kefu.ErrNotFound) || (err == nil && !ch.Enabled) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no support mailbox " + to + " here"}
	}
	if err != nil {
		s.l.log.Error("email: smtp listener: look up recipient", "to", to, "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "temporary failure; try again later"}
	}
	for _, c := range s.channels {
		if c.ID == ch.ID {
			return nil
		}
	}
	s.channels = append(s.channels, ch)
	return nil
}

func (s *session) Data(r io.Reader) error {
	body, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	// What a delivering server records: the envelope sender, so a bounce
	// (null sender) is recognised as one.
	raw := append([]byte("Return-Path: <"+strings.TrimSpace(s.from)+">\r\n"), body...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, ch := range s.channels {
		res, err := s.l.in.Ingest(ctx, ch, raw, nil)
		if err != nil {
			s.l.log.Error("email: smtp listener: store mail", "channel", ch.Address, "err", err)
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "could not store the mail; try again later"}
		}
		s.l.log.Info("email: mail received", "channel", ch.Address, "outcome", res.Outcome, "ticket_id", res.TicketID)
	}
	return nil
}

type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Printf(format string, v ...any) {
	l.log.Warn("smtp listener: " + fmt.Sprintf(format, v...))
}
func (l slogLogger) Println(v ...any) { l.log.Warn("smtp listener: " + fmt.Sprint(v...)) }
