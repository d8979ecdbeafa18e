package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// SendError is a failed SMTP delivery. Permanent is true when the server
// refused for good (a 5xx answer): retrying cannot help.
type SendError struct {
	Permanent bool
	Reason    string // the server's words, or the network error
}

func (e *SendError) Error() string { return e.Reason }

// dialSMTP connects and authenticates to a channel's SMTP server. The
// caller closes the client.
func dialSMTP(ctx context.Context, ch *kefu.EmailChannel) (*smtp.Client, error) {
	addr := net.JoinHostPort(ch.SMTPHost, strconv.Itoa(ch.SMTPPort))
	d := net.Dialer{Timeout: 20 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, &SendError{Reason: fmt.Sprintf("connect to %s: %v", addr, err)}
	}
	tlsConf := &tls.Config{ServerName: ch.SMTPHost, MinVersion: tls.VersionTLS12}
	var c *smtp.Client
	switch ch.SMTPSecurity {
	case kefu.SecurityTLS:
		c = smtp.NewClient(tls.Client(conn, tlsConf))
	case kefu.SecuritySTARTTLS:
		c, err = smtp.NewClientStartTLS(conn, tlsConf)
		if err != nil {
			conn.Close()
			return nil, smtpFailure("STARTTLS with "+addr, err)
		}
	default:
		c = smtp.NewClient(conn)
	}
	c.CommandTimeout = time.Minute
	c.SubmissionTimeout = 5 * time.Minute
	if err := c.Hello("localhost"); err != nil {
		c.Close()
		return nil, smtpFailure("greet "+addr, err)
	}
	if ch.SMTPUsername != "" {
		if err := c.Auth(sasl.NewPlainClient("", ch.SMTPUsername, ch.SMTPPassword)); err != nil {
			c.Close()
			return nil, smtpFailure("log in to "+addr+" as "+ch.SMTPUsername, err)
		}
	}
	return c, nil
}

// sendSMTP delivers one composed mail through the channel's SMTP server.
func sendSMTP(ctx context.Context, ch *kefu.EmailChannel, to string, raw []byte) error {
	if ch.SMTPHost == "" {
		return &SendError{Permanent: true, Reason: "the email channel " + ch.Address + " has no SMTP server configured"}
	}
	c, err := dialSMTP(ctx, ch)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SendMail(ch.Address, []string{to}, bytes.NewReader(raw)); err != nil {
		return smtpFailure("send to "+to, err)
	}
	if err := c.Quit(); err != nil {
		// The mail was accepted at the end of DATA; a failed QUIT changes nothing.
		return nil
	}
	return nil
}

// smtpFailure keeps the server's exact answer and says whether it is final.
func smtpFailure(what string, err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		reason := fmt.Sprintf("%s: %d", what, se.Code)
		if se.EnhancedCode != smtp.EnhancedCodeNotSet && se.EnhancedCode != smtp.NoEnhancedCode {
			reason += fmt.Sprintf(" %d.%d.%d", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2])
		}
		reason += " " + se.Message
		return &SendError{Permanent: se.Code >= 500, Reason: reason}
	}
	return &SendError{Reason: what + ": " + err.Error()}
}
