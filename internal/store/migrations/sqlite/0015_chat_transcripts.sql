-- Chat transcripts go out through the email channels' sender: email_outbound
-- takes a third kind of mail (SQLite cannot change a CHECK in place, so the
-- table is rebuilt), a chat channel names the email channel it sends from,
-- and a transcript records how far it got.
CREATE TABLE email_outbound_new (
    id              INTEGER PRIMARY KEY,
    channel_id      INTEGER NOT NULL REFERENCES email_channels(id) ON DELETE CASCADE,
    ticket_id       INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    message_id      INTEGER REFERENCES messages(id) ON DELETE CASCADE,
    header_id       TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('reply','ack','transcript')),
    recipient       TEXT NOT NULL,
    raw             BLOB NOT NULL,
    status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sending','sent','failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
INSERT INTO email_outbound_new SELECT id, channel_id, ticket_id, message_id, header_id, kind, recipient, raw, status, attempts, next_attempt_at, last_error, created_at, sent_at FROM email_outbound;
DROP TABLE email_outbound;
ALTER TABLE email_outbound_new RENAME TO email_outbound;
CREATE INDEX email_outbound_due ON email_outbound(status, next_attempt_at);
CREATE INDEX email_outbound_recipient ON email_outbound(recipient, kind, created_at);
CREATE INDEX email_outbound_ticket ON email_outbound(ticket_id, id);

ALTER TABLE chat_channels ADD COLUMN email_channel_id INTEGER REFERENCES email_channels(id) ON DELETE SET NULL;

-- state: queued (waiting for the sender), held (no email channel can send
-- it: reason says why; retried when one can), handed (outbound_id is the
-- mail, whose status says whether it went).
ALTER TABLE chat_transcripts ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh-CN';
ALTER TABLE chat_transcripts ADD COLUMN html TEXT NOT NULL DEFAULT '';
ALTER TABLE chat_transcripts ADD COLUMN state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','held','handed'));
ALTER TABLE chat_transcripts ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE chat_transcripts ADD COLUMN outbound_id INTEGER REFERENCES email_outbound(id) ON DELETE SET NULL;
CREATE INDEX chat_transcripts_state ON chat_transcripts(state, id);
