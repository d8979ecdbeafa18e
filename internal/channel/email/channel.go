package email

import (
	"context"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// ChannelInput is the writable part of an email channel. Absent fields
// keep their value on update; passwords are never read back, and a null or
// absent password keeps the stored one ("" clears it).
type ChannelInput struct {
	Name         *string `json:"name,omitempty"`
	Address      *string `json:"address,omitempty"`
	DisplayName  *string `json:"display_name,omitempty"`
	TeamID       *int64  `json:"team_id,omitempty"`
	Enabled      *bool   `json:"enabled,omitempty"`
	IMAPHost     *string `json:"imap_host,omitempty"`
	IMAPPort     *int    `json:"imap_port,omitempty"`
	IMAPSecurity *string `json:"imap_security,omitempty"`
	IMAPUsername *string `json:"imap_username,omitempty"`
	IMAPPassword *string `json:"imap_password,omitempty"`
	IMAPMailbox  *string `json:"imap_mailbox,omitempty"`
	AfterFetch   *string `json:"after_fetch,omitempty"`
	PollSeconds  *int    `json:"poll_seconds,omitempty"`
	SMTPHost     *string `json:"smtp_host,omitempty"`
	SMTPPort     *int    `json:"smtp_port,omitempty"`
	SMTPSecurity *string `json:"smtp_security,omitempty"`
	SMTPUsername *string `json:"smtp_username,omitempty"`
	SMTPPassword *string `json:"smtp_password,omitempty"`
	AckEnabled   *bool   `json:"ack_enabled,omitempty"`
	AckHours     *int    `json:"ack_hours,omitempty"`
}

// ConnectionTest is the answer of both servers to a channel's test.
type ConnectionTest struct {
	IMAPOK     bool   `json:"imap_ok"`
	IMAPResult string `json:"imap_result"` // what was found, or the server's exact answer
	SMTPOK     bool   `json:"smtp_ok"`
	SMTPResult string `json:"smtp_result"`
}

// Channels manages email channels (admins only).
type Channels struct {
	st *store.Store
	// OnChange runs after a channel is created, changed or deleted, so the
	// fetchers follow.
	OnChange func()
}

// NewChannels returns the channel use cases on st.
func NewChannels(st *store.Store) *Channels { return &Channels{st: st} }

func (c *Channels) changed() {
	if c.OnChange != nil {
		c.OnChange()
	}
}

// List returns every channel.
func (c *Channels) List(ctx context.Context, actor *kefu.User) ([]*kefu.EmailChannel, error) {
	if err := auth.Can(actor, auth.ManageChannels); err != nil {
		return nil, err
	}
	return c.st.EmailChannels(ctx)
}

// Get returns one channel.
func (c *Channels) Get(ctx context.Context, actor *kefu.User, id int64) (*kefu.EmailChannel, error) {
	if err := auth.Can(actor, auth.ManageChannels); err != nil {
		return nil, err
	}
	return c.st.EmailChannel(ctx, id)
}

// Create adds a channel.
func (c *Channels) Create(ctx context.Context, actor *kefu.User, in ChannelInput) (*kefu.EmailChannel, error) {
	if err := auth.Can(actor, auth.ManageChannels); err != nil {
		return nil, err
	}
	ch := &kefu.EmailChannel{Enabled: true, IMAPPort: 993, IMAPSecurity: kefu.SecurityTLS, IMAPMailbox: "INBOX",
		AfterFetch: kefu.AfterFetchSeen, PollSeconds: 60, SMTPPort: 587, SMTPSecurity: kefu.SecuritySTARTTLS, AckHours: 24}
	if err := apply(ch, in); err != nil {
		return nil, err
	}
	if err := c.st.CreateEmailChannel(ctx, ch); err != nil {
		return nil, err
	}
	c.changed()
	return ch, nil
}

// Update changes a channel.
func (c *Channels) Update(ctx context.Context, actor *kefu.User, id int64, in ChannelInput) (*kefu.EmailChannel, error) {
	if err := auth.Can(actor, auth.ManageChannels); err != nil {
		return nil, err
	}
	ch, err := c.st.EmailChannel(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := apply(ch, in); err != nil {
		return nil, err
	}
	if err := c.st.UpdateEmailChannel(ctx, ch); err != nil {
		return nil, err
	}
	c.changed()
	return c.st.EmailChannel(ctx, id)
}

// Delete removes a channel.
func (c *Channels) Delete(ctx context.Context, actor *kefu.User, id int64) error {
	if err := auth.Can(actor, auth.ManageChannels); err != nil {
		return err
	}
	if err := c.st.DeleteEmailChannel(ctx, id); err != nil {
		return err
	}
	c.changed()
	return nil
}

// Test tries the channel's IMAP and SMTP servers and reports each answer.
func (c *Channels) Test(ctx context.Context, actor *kefu.User, id int64) (*ConnectionTest, error) {
	ch, err := c.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	res := &ConnectionTest{}
	if s, err := TestIMAP(ctx, ch); err != nil {
		res.IMAPResult = err.Error()
	} else {
		res.IMAPOK, res.IMAPResult = true, s
	}
	if s, err := TestSMTP(ctx, ch); err != nil {
		res.SMTPResult = err.Error()
	} else {
		res.SMTPOK, res.SMTPResult = true, s
	}
	return res, nil
}

// apply validates in and writes it onto ch.
func apply(ch *kefu.EmailChannel, in ChannelInput) error {
	str := func(dst *string, v *string, field string, max int) error {
		if v == nil {
			return nil
		}
		s, err := kefu.CleanText(field, *v, 0, max)
		if err != nil {
			return err
		}
		*dst = s
		return nil
	}
	for _, f := range []struct {
		dst   *string
		v     *string
		field string
		max   int
	}{
		{&ch.Name, in.Name, "name", 100}, {&ch.DisplayName, in.DisplayName, "display_name", 100},
		{&ch.IMAPHost, in.IMAPHost, "imap_host", 255}, {&ch.IMAPUsername, in.IMAPUsername, "imap_username", 255},
		{&ch.IMAPMailbox, in.IMAPMailbox, "imap_mailbox", 255}, {&ch.SMTPHost, in.SMTPHost, "smtp_host", 255},
		{&ch.SMTPUsername, in.SMTPUsername, "smtp_username", 255},
	} {
		if err := str(f.dst, f.v, f.field, f.max); err != nil {
			return err
		}
	}
	if in.IMAPPassword != nil {
		ch.IMAPPassword = *in.IMAPPassword
	}
	if in.SMTPPassword != nil {
		ch.SMTPPassword = *in.SMTPPassword
	}
	if in.Address != nil {
		a, err := kefu.NormalizeIdentity(kefu.IdentityEmail, *in.Address)
		if err != nil {
			return kefu.Invalid("address", "%q is not an email address", *in.Address)
		}
		ch.Address = a
	}
	if ch.Address == "" {
		return kefu.Invalid("address", "is required")
	}
	if ch.Name == "" {
		ch.Name = ch.Address
	}
	if in.TeamID != nil {
		ch.TeamID = in.TeamID
		if *in.TeamID == 0 {
			ch.TeamID = nil
		}
	}
	if in.Enabled != nil {
		ch.Enabled = *in.Enabled
	}
	if in.AckEnabled != nil {
		ch.AckEnabled = *in.AckEnabled
	}
	ports := []struct {
		dst   *int
		v     *int
		field string
		lo    int
		hi    int
	}{{&ch.IMAPPort, in.IMAPPort, "imap_port", 1, 65535}, {&ch.SMTPPort, in.SMTPPort, "smtp_port", 1, 65535},
		{&ch.PollSeconds, in.PollSeconds, "poll_seconds", 5, 3600}, {&ch.AckHours, in.AckHours, "ack_hours", 1, 720}}
	for _, p := range ports {
		if p.v == nil {
			continue
		}
		if *p.v < p.lo || *p.v > p.hi {
			return kefu.Invalid(p.field, "must be between %d and %d", p.lo, p.hi)
		}
		*p.dst = *p.v
	}
	for _, s := range []struct {
		dst   *string
		v     *string
		field string
	}{{&ch.IMAPSecurity, in.IMAPSecurity, "imap_security"}, {&ch.SMTPSecurity, in.SMTPSecurity, "smtp_security"}} {
		if s.v == nil {
			continue
		}
		switch v := strings.ToLower(*s.v); v {
		case kefu.SecurityTLS, kefu.SecuritySTARTTLS, kefu.SecurityPlain:
			*s.dst = v
		default:
			return kefu.Invalid(s.field, "must be tls, starttls or plain; got %q", *s.v)
		}
	}
	if in.AfterFetch != nil {
		switch v := *in.AfterFetch; v {
		case kefu.AfterFetchSeen, kefu.AfterFetchDelete, kefu.AfterFetchNone:
			ch.AfterFetch = v
		default:
			return kefu.Invalid("after_fetch", "must be seen, delete or none; got %q", v)
		}
	}
	return nil
}

// DemoAddress is the support address of the demo shop's email channel.
const DemoAddress = "support@demo.test"

// EnsureDemoChannel creates the demo shop's email channel (mail arrives
// through the SMTP listener; it has no servers to fetch from or send
// through) unless it exists.
func EnsureDemoChannel(ctx context.Context, st *store.Store) (*kefu.EmailChannel, error) {
	if ch, err := st.EmailChannelByAddress(ctx, DemoAddress); err == nil {
		return ch, nil
	}
	ch := &kefu.EmailChannel{Name: "演示客服邮箱 Demo support", Address: DemoAddress, DisplayName: "演示商城 Demo Shop", Enabled: true,
		IMAPPort: 993, IMAPSecurity: kefu.SecurityTLS, IMAPMailbox: "INBOX", AfterFetch: kefu.AfterFetchSeen, PollSeconds: 60,
		SMTPPort: 587, SMTPSecurity: kefu.SecuritySTARTTLS, AckHours: 24}
	err := st.CreateEmailChannel(ctx, ch)
	if err != nil {
		if other, err2 := st.EmailChannelByAddress(ctx, DemoAddress); err2 == nil {
			return other, nil // created meanwhile by another node
		}
		return nil, err
	}
	return ch, nil
}
