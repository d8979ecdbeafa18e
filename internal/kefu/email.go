package kefu

import "time"

// Connection security of a mail server connection.
const (
	SecurityTLS      = "tls"      // TLS from the first byte (IMAPS 993, SMTPS 465)
	SecuritySTARTTLS = "starttls" // plain connection upgraded with STARTTLS (IMAP 143, submission 587)
	SecurityPlain    = "plain"    // no encryption: only for a server on the same machine or network
)

// What the IMAP fetcher does with a mail once its ticket change is committed.
const (
	AfterFetchSeen   = "seen"   // flag it \Seen
	AfterFetchDelete = "delete" // delete and expunge it
	AfterFetchNone   = "none"   // leave it; kefu remembers how far it has read
)

// Delivery statuses of an agent's reply on an email ticket.
const (
	DeliveryQueued = "queued" // waiting to be sent, or to be retried
	DeliverySent   = "sent"   // the SMTP server accepted it
	DeliveryFailed = "failed" // given up: DeliveryError says why, in the server's words
)

// EmailChannel is a support mailbox: where kefu reads customers' mail (IMAP,
// or its own SMTP listener) and the address its replies come from (SMTP).
// Passwords are never shown; PasswordSet fields say whether one is stored.
type EmailChannel struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Address     string `json:"address"`      // support@shop.example, lower case
	DisplayName string `json:"display_name"` // the shop's name, shown after the agent's
	TeamID      *int64 `json:"team_id"`      // team of new tickets; the default team when nil
	Enabled     bool   `json:"enabled"`

	IMAPHost        string `json:"imap_host"` // empty: no fetching (mail arrives through the SMTP listener)
	IMAPPort        int    `json:"imap_port"`
	IMAPSecurity    string `json:"imap_security"`
	IMAPUsername    string `json:"imap_username"`
	IMAPPassword    string `json:"-"`
	IMAPPasswordSet bool   `json:"imap_password_set"`
	IMAPMailbox     string `json:"imap_mailbox"`
	AfterFetch      string `json:"after_fetch"`
	PollSeconds     int    `json:"poll_seconds"` // when the server has no IDLE

	SMTPHost        string `json:"smtp_host"` // empty: replies cannot be sent
	SMTPPort        int    `json:"smtp_port"`
	SMTPSecurity    string `json:"smtp_security"`
	SMTPUsername    string `json:"smtp_username"`
	SMTPPassword    string `json:"-"`
	SMTPPasswordSet bool   `json:"smtp_password_set"`

	// AckEnabled sends a bilingual acknowledgement with the ticket number
	// to a person who opens a ticket by mail, promising an answer within AckHours.
	AckEnabled bool `json:"ack_enabled"`
	AckHours   int  `json:"ack_hours"`

	UIDValidity uint32     `json:"-"`
	LastUID     uint32     `json:"-"`
	LastFetchAt *time.Time `json:"last_fetch_at"`
	LastError   string     `json:"last_error"` // the server's words; "" after a good fetch
	LastErrorAt *time.Time `json:"last_error_at"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}
