-- The email channel: mailboxes kefu reads and sends from, the link of a
-- ticket to its mailbox, the queue of outgoing mail, and what messages
-- need to remember about mail (the raw .eml, the fold point of quoted
-- history, the delivery of a reply). Keep in step with postgres/0006_email.sql.

ALTER TABLE messages ADD COLUMN raw_sha256 TEXT;
ALTER TABLE messages ADD COLUMN quote_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN delivery_status TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN delivery_error TEXT NOT NULL DEFAULT '';

CREATE TABLE email_channels (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    address       TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL DEFAULT '',
    team_id       INTEGER REFERENCES teams(id),
    enabled       INTEGER NOT NULL DEFAULT 1,
    imap_host     TEXT NOT NULL DEFAULT '',
    imap_port     INTEGER NOT NULL DEFAULT 993,
    imap_security TEXT NOT NULL DEFAULT 'tls',
    imap_username TEXT NOT NULL DEFAULT '',
    imap_password TEXT NOT NULL DEFAULT '',
    imap_mailbox  TEXT NOT NULL DEFAULT 'INBOX',
    after_fetch   TEXT NOT NULL DEFAULT 'seen',
    poll_seconds  INTEGER NOT NULL DEFAULT 60,
    smtp_host     TEXT NOT NULL DEFAULT '',
    smtp_port     INTEGER NOT NULL DEFAULT 587,
    smtp_security TEXT NOT NULL DEFAULT 'starttls',
    smtp_username TEXT NOT NULL DEFAULT '',
    smtp_password TEXT NOT NULL DEFAULT '',
    ack_enabled   INTEGER NOT NULL DEFAULT 0,
    ack_hours     INTEGER NOT NULL DEFAULT 24,
    uid_validity  INTEGER NOT NULL DEFAULT 0,
    last_uid      INTEGER NOT NULL DEFAULT 0,
    last_fetch_at INTEGER,
    last_error    TEXT NOT NULL DEFAULT '',
    last_error_at INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE email_tickets (
    ticket_id  INTEGER PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL REFERENCES email_channels(id) ON DELETE CASCADE,
    reply_to   TEXT NOT NULL
);

CREATE TABLE email_outbound (
    id              INTEGER PRIMARY KEY,
    channel_id      INTEGER NOT NULL REFERENCES email_channels(id) ON DELETE CASCADE,
    ticket_id       INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    message_id      INTEGER REFERENCES messages(id) ON DELETE CASCADE,
    header_id       TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('reply','ack')),
    recipient       TEXT NOT NULL,
    raw             BLOB NOT NULL,
    status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sending','sent','failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX email_outbound_due ON email_outbound(status, next_attempt_at);
CREATE INDEX email_outbound_recipient ON email_outbound(recipient, kind, created_at);
CREATE INDEX email_outbound_ticket ON email_outbound(ticket_id, id);
