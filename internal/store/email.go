package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

const emailChannelCols = `id, name, address, display_name, team_id, enabled,
	imap_host, imap_port, imap_security, imap_username, imap_password, imap_mailbox, after_fetch, poll_seconds,
	smtp_host, smtp_port, smtp_security, smtp_username, smtp_password, ack_enabled, ack_hours,
	uid_validity, last_uid, last_fetch_at, last_error, last_error_at, created_at, updated_at`

func scanEmailChannel(sc interface{ Scan(...any) error }, c *kefu.EmailChannel) error {
	var validity, last int64
	err := sc.Scan(&c.ID, &c.Name, &c.Address, &c.DisplayName, nullInt{&c.TeamID}, &c.Enabled,
		&c.IMAPHost, &c.IMAPPort, &c.IMAPSecurity, &c.IMAPUsername, &c.IMAPPassword, &c.IMAPMailbox, &c.AfterFetch, &c.PollSeconds,
		&c.SMTPHost, &c.SMTPPort, &c.SMTPSecurity, &c.SMTPUsername, &c.SMTPPassword, &c.AckEnabled, &c.AckHours,
		&validity, &last, nullTimeCol{&c.LastFetchAt}, &c.LastError, nullTimeCol{&c.LastErrorAt}, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
	c.UIDValidity, c.LastUID = uint32(validity), uint32(last)
	c.IMAPPasswordSet, c.SMTPPasswordSet = c.IMAPPassword != "", c.SMTPPassword != ""
	return err
}

func emailChannelConflict(err error, c *kefu.EmailChannel) error {
	if isUniqueViolation(err) {
		return &kefu.ConflictError{Field: "address", Message: fmt.Sprintf("an email channel for %s already exists", c.Address)}
	}
	if isForeignKeyViolation(err) {
		return &kefu.NotFoundError{What: "team", Field: "team_id"}
	}
	return nil
}

// CreateEmailChannel inserts c and sets its id and times.
func (s *Store) CreateEmailChannel(ctx context.Context, c *kefu.EmailChannel) error {
	c.CreatedAt = now()
	c.UpdatedAt = c.CreatedAt
	err := s.writeRow(ctx, `INSERT INTO email_channels (name, address, display_name, team_id, enabled,
			imap_host, imap_port, imap_security, imap_username, imap_password, imap_mailbox, after_fetch, poll_seconds,
			smtp_host, smtp_port, smtp_security, smtp_username, smtp_password, ack_enabled, ack_hours, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.Name, c.Address, c.DisplayName, c.TeamID, c.Enabled,
		c.IMAPHost, c.IMAPPort, c.IMAPSecurity, c.IMAPUsername, c.IMAPPassword, c.IMAPMailbox, c.AfterFetch, c.PollSeconds,
		c.SMTPHost, c.SMTPPort, c.SMTPSecurity, c.SMTPUsername, c.SMTPPassword, c.AckEnabled, c.AckHours, c.CreatedAt, c.UpdatedAt).Scan(&c.ID)
	if e := emailChannelConflict(err, c); e != nil {
		return e
	}
	if err != nil {
		return fmt.Errorf("insert email channel %s: %w", c.Address, err)
	}
	c.IMAPPasswordSet, c.SMTPPasswordSet = c.IMAPPassword != "", c.SMTPPassword != ""
	return nil
}

// UpdateEmailChannel writes c's settings (not its fetch state). A change of
// IMAP server or mailbox starts reading it from the beginning; mails already
// imported are recognised by their Message-ID.
func (s *Store) UpdateEmailChannel(ctx context.Context, c *kefu.EmailChannel) error {
	c.UpdatedAt = now()
	res, err := s.exec(ctx, `UPDATE email_channels SET name = ?, address = ?, display_name = ?, team_id = ?, enabled = ?,
			imap_host = ?, imap_port = ?, imap_security = ?, imap_username = ?, imap_password = ?, imap_mailbox = ?, after_fetch = ?, poll_seconds = ?,
			smtp_host = ?, smtp_port = ?, smtp_security = ?, smtp_username = ?, smtp_password = ?, ack_enabled = ?, ack_hours = ?,
			uid_validity = CASE WHEN imap_host = ? AND imap_port = ? AND imap_username = ? AND imap_mailbox = ? THEN uid_validity ELSE 0 END,
			last_uid = CASE WHEN imap_host = ? AND imap_port = ? AND imap_username = ? AND imap_mailbox = ? THEN last_uid ELSE 0 END,
			updated_at = ?
		WHERE id = ?`,
		c.Name, c.Address, c.DisplayName, c.TeamID, c.Enabled,
		c.IMAPHost, c.IMAPPort, c.IMAPSecurity, c.IMAPUsername, c.IMAPPassword, c.IMAPMailbox, c.AfterFetch, c.PollSeconds,
		c.SMTPHost, c.SMTPPort, c.SMTPSecurity, c.SMTPUsername, c.SMTPPassword, c.AckEnabled, c.AckHours,
		c.IMAPHost, c.IMAPPort, c.IMAPUsername, c.IMAPMailbox, c.IMAPHost, c.IMAPPort, c.IMAPUsername, c.IMAPMailbox,
		c.UpdatedAt, c.ID)
	if e := emailChannelConflict(err, c); e != nil {
		return e
	}
	if err != nil {
		return fmt.Errorf("update email channel %d: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kefu.NotFound("email channel")
	}
	c.IMAPPasswordSet, c.SMTPPasswordSet = c.IMAPPassword != "", c.SMTPPassword != ""
	return nil
}

// DeleteEmailChannel removes a channel. Its tickets stay; replies on them
// can no longer be mailed.
func (s *Store) DeleteEmailChannel(ctx context.Context, id int64) error {
	res, err := s.exec(ctx, `DELETE FROM email_channels WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete email channel %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kefu.NotFound("email channel")
	}
	return nil
}

// EmailChannel returns one channel.
func (s *Store) EmailChannel(ctx context.Context, id int64) (*kefu.EmailChannel, error) {
	var c kefu.EmailChannel
	if err := scanEmailChannel(s.queryRow(ctx, `SELECT `+emailChannelCols+` FROM email_channels WHERE id = ?`, id), &c); err != nil {
		return nil, notFound(err, "email channel")
	}
	return &c, nil
}

// EmailChannelByAddress returns the channel of a support address.
func (s *Store) EmailChannelByAddress(ctx context.Context, address string) (*kefu.EmailChannel, error) {
	var c kefu.EmailChannel
	err := scanEmailChannel(s.queryRow(ctx, `SELECT `+emailChannelCols+` FROM email_channels WHERE address = ?`, strings.ToLower(strings.TrimSpace(address))), &c)
	if err != nil {
		return nil, notFound(err, "email channel")
	}
	return &c, nil
}

// EmailChannels lists every channel by id.
func (s *Store) EmailChannels(ctx context.Context) ([]*kefu.EmailChannel, error) {
	rows, err := s.query(ctx, `SELECT `+emailChannelCols+` FROM email_channels ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list email channels: %w", err)
	}
	defer rows.Close()
	cs := []*kefu.EmailChannel{}
	for rows.Next() {
		c := &kefu.EmailChannel{}
		if err := scanEmailChannel(rows, c); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// SaveFetchPosition records the last IMAP UID whose mail is committed, in
// the transaction that committed it.
func (s *Store) SaveFetchPosition(ctx context.Context, channelID int64, uidValidity, lastUID uint32) error {
	_, err := s.exec(ctx, `UPDATE email_channels SET uid_validity = ?, last_uid = ? WHERE id = ?`, int64(uidValidity), int64(lastUID), channelID)
	if err != nil {
		return fmt.Errorf("save fetch position of email channel %d: %w", channelID, err)
	}
	return nil
}

// RecordFetch notes a fetch's time and its error ("" for success).
func (s *Store) RecordFetch(ctx context.Context, channelID int64, fetchErr string) error {
	t := now()
	var err error
	if fetchErr == "" {
		_, err = s.exec(ctx, `UPDATE email_channels SET last_fetch_at = ?, last_error = '' WHERE id = ?`, t, channelID)
	} else {
		_, err = s.exec(ctx, `UPDATE email_channels SET last_error = ?, last_error_at = ? WHERE id = ?`, fetchErr, t, channelID)
	}
	if err != nil {
		return fmt.Errorf("record fetch of email channel %d: %w", channelID, err)
	}
	return nil
}

// LinkEmailTicket remembers which mailbox a ticket's conversation runs
// through and where replies go.
func (s *Store) LinkEmailTicket(ctx context.Context, ticketID, channelID int64, replyTo string) error {
	_, err := s.exec(ctx, `INSERT INTO email_tickets (ticket_id, channel_id, reply_to) VALUES (?, ?, ?)
		ON CONFLICT (ticket_id) DO UPDATE SET channel_id = excluded.channel_id, reply_to = excluded.reply_to`, ticketID, channelID, replyTo)
	if err != nil {
		return fmt.Errorf("link ticket %d to email channel %d: %w", ticketID, channelID, err)
	}
	return nil
}

// EmailTicket returns the channel and reply address of an email ticket.
func (s *Store) EmailTicket(ctx context.Context, ticketID int64) (channelID int64, replyTo string, err error) {
	err = s.queryRow(ctx, `SELECT channel_id, reply_to FROM email_tickets WHERE ticket_id = ?`, ticketID).Scan(&channelID, &replyTo)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", kefu.NotFound("email ticket")
	}
	if err != nil {
		return 0, "", fmt.Errorf("load email link of ticket %d: %w", ticketID, err)
	}
	return channelID, replyTo, nil
}

// TicketByMailIDs finds the ticket a mail answers: the first of ids (most
// relevant first) that is a Message-ID kefu received or sent.
func (s *Store) TicketByMailIDs(ctx context.Context, ids []string) (ticketID int64, err error) {
	if len(ids) == 0 {
		return 0, kefu.NotFound("ticket")
	}
	args := make([]any, 0, 2*len(ids))
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, args...)
	rows, err := s.query(ctx, `SELECT external_id, ticket_id FROM messages WHERE external_id IN (`+placeholders(len(ids))+`)
		UNION ALL SELECT header_id, ticket_id FROM email_outbound WHERE header_id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return 0, fmt.Errorf("find ticket by Message-ID: %w", err)
	}
	defer rows.Close()
	found := map[string]int64{}
	for rows.Next() {
		var id string
		var t int64
		if err := rows.Scan(&id, &t); err != nil {
			return 0, err
		}
		found[id] = t
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, id := range ids {
		if t, ok := found[id]; ok {
			return t, nil
		}
	}
	return 0, kefu.NotFound("ticket")
}

// MailThread lists the Message-IDs of a ticket's mail conversation, oldest
// first: what kefu received and what it sent. last is the latest mail
// received, the one a reply answers.
func (s *Store) MailThread(ctx context.Context, ticketID int64) (ids []string, lastReceived string, err error) {
	rows, err := s.query(ctx, `SELECT external_id, kind, created_at FROM messages WHERE ticket_id = ? AND external_id IS NOT NULL AND raw_sha256 IS NOT NULL
		UNION ALL SELECT header_id, 'sent', created_at FROM email_outbound WHERE ticket_id = ? AND kind = 'reply'
		ORDER BY 3`, ticketID, ticketID)
	if err != nil {
		return nil, "", fmt.Errorf("load mail thread of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, kind string
		var at time.Time
		if err := rows.Scan(&id, &kind, timeCol{&at}); err != nil {
			return nil, "", err
		}
		ids = append(ids, id)
		if kind != "sent" {
			lastReceived = id
		}
	}
	return ids, lastReceived, rows.Err()
}

// EmailOutbound is a mail waiting to be sent, being sent, sent or given up.
type EmailOutbound struct {
	ID            int64
	ChannelID     int64
	TicketID      int64
	MessageID     *int64 // the reply it carries; nil for an acknowledgement
	HeaderID      string // its Message-ID
	Kind          string // reply or ack
	Recipient     string
	Raw           []byte
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        *time.Time
}

const emailOutboundCols = `id, channel_id, ticket_id, message_id, header_id, kind, recipient, raw, status, attempts, next_attempt_at, last_error, created_at, sent_at`

func scanEmailOutbound(sc interface{ Scan(...any) error }, o *EmailOutbound) error {
	return sc.Scan(&o.ID, &o.ChannelID, &o.TicketID, nullInt{&o.MessageID}, &o.HeaderID, &o.Kind, &o.Recipient, &o.Raw, &o.Status,
		&o.Attempts, timeCol{&o.NextAttemptAt}, &o.LastError, timeCol{&o.CreatedAt}, nullTimeCol{&o.SentAt})
}

// EnqueueEmail adds a mail to send, due now.
func (s *Store) EnqueueEmail(ctx context.Context, o *EmailOutbound) error {
	o.CreatedAt = now()
	o.NextAttemptAt = o.CreatedAt
	o.Status = kefu.DeliveryQueued
	err := s.writeRow(ctx, `INSERT INTO email_outbound (channel_id, ticket_id, message_id, header_id, kind, recipient, raw, status, next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		o.ChannelID, o.TicketID, o.MessageID, o.HeaderID, o.Kind, o.Recipient, o.Raw, o.Status, o.NextAttemptAt, o.CreatedAt).Scan(&o.ID)
	if err != nil {
		return fmt.Errorf("queue %s mail for ticket %d: %w", o.Kind, o.TicketID, err)
	}
	return nil
}

// ClaimDueEmails takes up to limit mails that are due and marks them
// sending until lease ends: a node that dies while sending leaves them to be
// claimed again when the lease runs out. On PostgreSQL, nodes skip each
// other's claims.
func (s *Store) ClaimDueEmails(ctx context.Context, limit int, lease time.Duration) ([]*EmailOutbound, error) {
	var out []*EmailOutbound
	err := s.WithTx(ctx, func(ctx context.Context) error {
		t := now()
		q := `SELECT ` + emailOutboundCols + ` FROM email_outbound WHERE status IN ('queued', 'sending') AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`
		if s.dialect == Postgres {
			q += ` FOR UPDATE SKIP LOCKED`
		}
		query, args := s.q(q, []any{t, limit})
		rows, err := s.conn(ctx, true).QueryContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("claim due mail: %w", err)
		}
		for rows.Next() {
			o := &EmailOutbound{}
			if err := scanEmailOutbound(rows, o); err != nil {
				rows.Close()
				return err
			}
			out = append(out, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, o := range out {
			o.Status, o.NextAttemptAt = "sending", t.Add(lease)
			o.Attempts++
			if _, err := s.exec(ctx, `UPDATE email_outbound SET status = 'sending', attempts = ?, next_attempt_at = ? WHERE id = ?`, o.Attempts, o.NextAttemptAt, o.ID); err != nil {
				return fmt.Errorf("claim mail %d: %w", o.ID, err)
			}
		}
		return nil
	})
	return out, err
}

// FinishEmail records the outcome of an attempt: sent, failed for good, or
// queued again for next.
func (s *Store) FinishEmail(ctx context.Context, id int64, status, reason string, next time.Time) error {
	var sentAt any
	if status == kefu.DeliverySent {
		sentAt = now()
	}
	_, err := s.exec(ctx, `UPDATE email_outbound SET status = ?, last_error = ?, next_attempt_at = ?, sent_at = ? WHERE id = ?`, status, reason, next, sentAt, id)
	if err != nil {
		return fmt.Errorf("record outcome of mail %d: %w", id, err)
	}
	return nil
}

// EmailOutboundByHeaderID returns the outgoing mail with a Message-ID.
func (s *Store) EmailOutboundByHeaderID(ctx context.Context, headerID string) (*EmailOutbound, error) {
	o := &EmailOutbound{}
	if err := scanEmailOutbound(s.queryRow(ctx, `SELECT `+emailOutboundCols+` FROM email_outbound WHERE header_id = ?`, headerID), o); err != nil {
		return nil, notFound(err, "outgoing mail")
	}
	return o, nil
}

// EmailOutbounds lists a ticket's outgoing mail, oldest first.
func (s *Store) EmailOutbounds(ctx context.Context, ticketID int64) ([]*EmailOutbound, error) {
	rows, err := s.query(ctx, `SELECT `+emailOutboundCols+` FROM email_outbound WHERE ticket_id = ? ORDER BY id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("list outgoing mail of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	var out []*EmailOutbound
	for rows.Next() {
		o := &EmailOutbound{}
		if err := scanEmailOutbound(rows, o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// CountEmailsTo counts mails of a kind sent or queued to recipient since a
// time: how automatic answers are rate-limited per sender.
func (s *Store) CountEmailsTo(ctx context.Context, recipient, kind string, since time.Time) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM email_outbound WHERE recipient = ? AND kind = ? AND created_at >= ?`, recipient, kind, since).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count mail to %s: %w", recipient, err)
	}
	return n, nil
}

// MessageTicketsBySHA lists the tickets whose messages carry a blob as an
// attachment or as their raw mail, so a reader's right to see it can be checked.
func (s *Store) MessageTicketsBySHA(ctx context.Context, sum string) ([]int64, error) {
	rows, err := s.query(ctx, `SELECT m.ticket_id FROM message_attachments a JOIN messages m ON m.id = a.message_id WHERE a.sha256 = ?
		UNION SELECT ticket_id FROM messages WHERE raw_sha256 = ?`, sum, sum)
	if err != nil {
		return nil, fmt.Errorf("find tickets of blob %s: %w", sum, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
