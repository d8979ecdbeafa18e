package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"strconv"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// Fetcher reads a channel's IMAP mailbox into tickets. It reads mails in
// UID order and saves the UID of each mail in the transaction that stores
// it, so a restart resumes exactly after the last committed mail: nothing
// is skipped, and a mail fetched twice is recognised by its Message-ID.
// Only after that commit is a mail flagged \Seen or deleted, as the channel
// says.
type Fetcher struct {
	st  *store.Store
	in  *Ingester
	log *slog.Logger
	// Batch is how many mails one FETCH asks for.
	Batch int
	// IdleTimeout restarts IDLE before servers drop it (RFC 2177 says 29 minutes).
	IdleTimeout time.Duration
	// AfterCommit, when set, runs after each mail is committed and before
	// it is flagged; an error stops the fetch there (tests use it to
	// simulate a crash).
	AfterCommit func(uid uint32) error
}

// NewFetcher returns a Fetcher storing through in.
func NewFetcher(st *store.Store, in *Ingester, log *slog.Logger) *Fetcher {
	return &Fetcher{st: st, in: in, log: log, Batch: 20, IdleTimeout: 25 * time.Minute}
}

// dialIMAP connects and logs in. wake, when not nil, is signalled when the
// server reports new mail.
func dialIMAP(ch *kefu.EmailChannel, wake chan struct{}) (*imapclient.Client, error) {
	addr := net.JoinHostPort(ch.IMAPHost, strconv.Itoa(ch.IMAPPort))
	opts := &imapclient.Options{
		TLSConfig: &tls.Config{ServerName: ch.IMAPHost, MinVersion: tls.VersionTLS12},
		Dialer:    &net.Dialer{Timeout: 20 * time.Second},
	}
	if wake != nil {
		opts.UnilateralDataHandler = &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case wake <- struct{}{}:
					default:
					}
				}
			},
		}
	}
	var c *imapclient.Client
	var err error
	switch ch.IMAPSecurity {
	case kefu.SecurityTLS:
		c, err = imapclient.DialTLS(addr, opts)
	case kefu.SecuritySTARTTLS:
		c, err = imapclient.DialStartTLS(addr, opts)
	default:
		c, err = imapclient.DialInsecure(addr, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	if err := c.Login(ch.IMAPUsername, ch.IMAPPassword).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("log in to %s as %s: %w", addr, ch.IMAPUsername, err)
	}
	return c, nil
}

// Run keeps the channel's mailbox read until ctx ends: it fetches, then
// waits for new mail with IDLE where the server offers it and polls
// otherwise, and reconnects with backoff after errors (recorded on the
// channel for the admin page).
func (f *Fetcher) Run(ctx context.Context, channelID int64) {
	failures := 0
	for ctx.Err() == nil {
		ch, err := f.st.EmailChannel(ctx, channelID)
		if err != nil {
			if !errors.Is(err, kefu.ErrNotFound) && ctx.Err() == nil {
				f.log.Error("email: load channel", "channel_id", channelID, "err", err)
			}
			return
		}
		if !ch.Enabled || ch.IMAPHost == "" {
			return
		}
		err = f.session(ctx, ch)
		if ctx.Err() != nil {
			return
		}
		failures++
		msg := "connection closed"
		if err != nil {
			msg = err.Error()
		}
		f.log.Warn("email: mailbox session ended", "channel", ch.Address, "err", msg)
		_ = f.st.RecordFetch(context.WithoutCancel(ctx), ch.ID, msg)
		wait := 5 * time.Second << min(failures, 6)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

func (f *Fetcher) session(ctx context.Context, ch *kefu.EmailChannel) error {
	wake := make(chan struct{}, 1)
	c, err := dialIMAP(ch, wake)
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	for {
		if _, err := f.fetch(ctx, c, ch); err != nil {
			return err
		}
		_ = f.st.RecordFetch(ctx, ch.ID, "")
		if c.Caps().Has(imap.CapIdle) {
			if err := f.idle(ctx, c, wake); err != nil {
				return err
			}
		} else {
			poll := time.Duration(ch.PollSeconds) * time.Second
			if poll <= 0 {
				poll = time.Minute
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(poll):
			}
			if err := c.Noop().Wait(); err != nil {
				return err
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		// Settings may have changed (after-fetch action, enabled).
		fresh, err := f.st.EmailChannel(ctx, ch.ID)
		if err != nil {
			return err
		}
		if !fresh.Enabled || fresh.IMAPHost != ch.IMAPHost || fresh.IMAPPort != ch.IMAPPort || fresh.IMAPUsername != ch.IMAPUsername || fresh.IMAPMailbox != ch.IMAPMailbox {
			return nil
		}
		*ch = *fresh
	}
}

func (f *Fetcher) idle(ctx context.Context, c *imapclient.Client, wake chan struct{}) error {
	cmd, err := c.Idle()
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
	case <-wake:
	case <-time.After(f.IdleTimeout):
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	return cmd.Wait()
}

// FetchOnce connects, reads every new mail of the channel's mailbox and
// logs out: a poll. It returns how many mails it stored or recognised.
func (f *Fetcher) FetchOnce(ctx context.Context, ch *kefu.EmailChannel) (int, error) {
	c, err := dialIMAP(ch, nil)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	n, err := f.fetch(ctx, c, ch)
	if err == nil {
		_ = c.Logout().Wait()
	}
	return n, err
}

// fetch reads the mails after the channel's last committed UID.
func (f *Fetcher) fetch(ctx context.Context, c *imapclient.Client, ch *kefu.EmailChannel) (int, error) {
	mailbox := ch.IMAPMailbox
	if mailbox == "" {
		mailbox = "INBOX"
	}
	sel, err := c.Select(mailbox, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("select %s: %w", mailbox, err)
	}
	last := ch.LastUID
	if sel.UIDValidity != ch.UIDValidity {
		if ch.UIDValidity != 0 {
			f.log.Warn("email: mailbox UIDVALIDITY changed; reading it again from the start (known mails are recognised)",
				"channel", ch.Address, "old", ch.UIDValidity, "new", sel.UIDValidity)
		}
		last = 0
	}
	if last > 0 {
		if err := f.finishCommitted(c, ch, last); err != nil {
			return 0, err
		}
	}
	if sel.NumMessages == 0 {
		return 0, nil
	}
	var set imap.UIDSet
	set.AddRange(imap.UID(last+1), 0) // 0 is "*"
	found, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}}, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("search %s: %w", mailbox, err)
	}
	var uids []imap.UID
	for _, u := range found.AllUIDs() {
		if uint32(u) > last { // "n:*" also matches the last mail when n is past it
			uids = append(uids, u)
		}
	}
	sort.Slice(uids, func(i, j int) bool { return uids[i] < uids[j] })
	batch := f.Batch
	if batch <= 0 {
		batch = 20
	}
	done := 0
	for start := 0; start < len(uids); start += batch {
		end := min(start+batch, len(uids))
		msgs, err := c.Fetch(imap.UIDSetNum(uids[start:end]...), &imap.FetchOptions{
			UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}},
		}).Collect()
		if err != nil {
			return done, fmt.Errorf("fetch mails %d to %d: %w", uids[start], uids[end-1], err)
		}
		sort.Slice(msgs, func(i, j int) bool { return msgs[i].UID < msgs[j].UID })
		var processed []imap.UID
		for _, msg := range msgs {
			if len(msg.BodySection) == 0 {
				continue
			}
			uid := uint32(msg.UID)
			validity := sel.UIDValidity
			res, err := f.in.Ingest(ctx, ch, msg.BodySection[0].Bytes, func(ctx context.Context) error {
				return f.st.SaveFetchPosition(ctx, ch.ID, validity, uid)
			})
			if err != nil {
				return done, err
			}
			ch.UIDValidity, ch.LastUID = validity, uid
			done++
			f.log.Debug("email: mail fetched", "channel", ch.Address, "uid", uid, "outcome", res.Outcome, "ticket_id", res.TicketID)
			if f.AfterCommit != nil {
				if err := f.AfterCommit(uid); err != nil {
					return done, err
				}
			}
			processed = append(processed, msg.UID)
		}
		if err := f.afterFetch(c, ch, processed); err != nil {
			return done, err
		}
	}
	return done, nil
}

// afterFetch flags or deletes committed mails, as the channel says.
func (f *Fetcher) afterFetch(c *imapclient.Client, ch *kefu.EmailChannel, uids []imap.UID) error {
	if len(uids) == 0 || ch.AfterFetch == kefu.AfterFetchNone {
		return nil
	}
	flag := imap.FlagSeen
	if ch.AfterFetch == kefu.AfterFetchDelete {
		flag = imap.FlagDeleted
	}
	set := imap.UIDSetNum(uids...)
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{flag}}, nil).Close(); err != nil {
		return fmt.Errorf("flag fetched mails: %w", err)
	}
	if flag == imap.FlagDeleted {
		var err error
		if c.Caps().Has(imap.CapUIDPlus) {
			_, err = c.UIDExpunge(set).Collect()
		} else {
			_, err = c.Expunge().Collect()
		}
		if err != nil {
			return fmt.Errorf("expunge fetched mails: %w", err)
		}
	}
	return nil
}

// finishCommitted flags (or deletes) mails up to last that were committed
// but not yet flagged when kefu stopped.
func (f *Fetcher) finishCommitted(c *imapclient.Client, ch *kefu.EmailChannel, last uint32) error {
	if ch.AfterFetch == kefu.AfterFetchNone {
		return nil
	}
	var set imap.UIDSet
	set.AddRange(1, imap.UID(last))
	crit := &imap.SearchCriteria{UID: []imap.UIDSet{set}, NotFlag: []imap.Flag{imap.FlagSeen}}
	if ch.AfterFetch == kefu.AfterFetchDelete {
		crit.NotFlag = []imap.Flag{imap.FlagDeleted}
	}
	found, err := c.UIDSearch(crit, nil).Wait()
	if err != nil {
		return fmt.Errorf("search committed mails: %w", err)
	}
	var uids []imap.UID
	for _, u := range found.AllUIDs() {
		if uint32(u) <= last {
			uids = append(uids, u)
		}
	}
	return f.afterFetch(c, ch, uids)
}

// TestIMAP connects to the channel's IMAP server, logs in and opens the
// mailbox. It returns what it found, or the server's exact answer.
func TestIMAP(ctx context.Context, ch *kefu.EmailChannel) (string, error) {
	if ch.IMAPHost == "" {
		return "", errors.New("no IMAP server is configured")
	}
	type result struct {
		s   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := dialIMAP(ch, nil)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer c.Close()
		mailbox := ch.IMAPMailbox
		if mailbox == "" {
			mailbox = "INBOX"
		}
		sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
		if err != nil {
			done <- result{err: fmt.Errorf("select %s: %w", mailbox, err)}
			return
		}
		idle := "polls every " + strconv.Itoa(ch.PollSeconds) + "s (no IDLE)"
		if c.Caps().Has(imap.CapIdle) {
			idle = "IDLE"
		}
		_ = c.Logout().Wait()
		done <- result{s: fmt.Sprintf("OK: %s holds %d mails (UIDVALIDITY %d); new mail by %s", mailbox, sel.NumMessages, sel.UIDValidity, idle)}
	}()
	select {
	case r := <-done:
		return r.s, r.err
	case <-ctx.Done():
		return "", fmt.Errorf("IMAP test: %w", ctx.Err())
	}
}

// TestSMTP connects to the channel's SMTP server, says hello, upgrades to
// TLS and logs in as configured, without sending anything.
func TestSMTP(ctx context.Context, ch *kefu.EmailChannel) (string, error) {
	if ch.SMTPHost == "" {
		return "", errors.New("no SMTP server is configured")
	}
	c, err := dialSMTP(ctx, ch)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.Quit()
	return fmt.Sprintf("OK: %s:%d accepted the connection (%s) and the login", ch.SMTPHost, ch.SMTPPort, ch.SMTPSecurity), nil
}
