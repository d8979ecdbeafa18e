-- Live chat: channels (widgets), visitor conversations with their numbered
-- entries, agent presence, ratings, upload quotas and queued transcripts.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE chat_channels (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    secret        TEXT NOT NULL,
    origins       TEXT NOT NULL DEFAULT '',
    prechat       INTEGER NOT NULL DEFAULT 1,
    color         TEXT NOT NULL DEFAULT '#1f6feb',
    language      TEXT NOT NULL DEFAULT '',
    hours         TEXT NOT NULL DEFAULT '',
    time_zone     TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    auto_assign   INTEGER NOT NULL DEFAULT 1,
    max_chats     INTEGER NOT NULL DEFAULT 4,
    max_upload_mb INTEGER NOT NULL DEFAULT 10,
    rate_per_min  INTEGER NOT NULL DEFAULT 30,
    team_id       INTEGER REFERENCES teams(id),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE chat_conversations (
    id               INTEGER PRIMARY KEY,
    channel_id       INTEGER NOT NULL REFERENCES chat_channels(id),
    visitor_id       TEXT NOT NULL,
    customer_id      INTEGER REFERENCES customers(id),
    ticket_id        INTEGER REFERENCES tickets(id),
    state            TEXT NOT NULL DEFAULT 'idle',
    agent_id         INTEGER REFERENCES users(id),
    last_seq         INTEGER NOT NULL DEFAULT 0,
    visitor_read     INTEGER NOT NULL DEFAULT 0,
    visitor_recv     INTEGER NOT NULL DEFAULT 0,
    agent_read       INTEGER NOT NULL DEFAULT 0,
    agent_recv       INTEGER NOT NULL DEFAULT 0,
    visitor_seen_at  INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    state_changed_at INTEGER NOT NULL,
    UNIQUE (channel_id, visitor_id)
);
CREATE INDEX chat_conversations_ticket ON chat_conversations(ticket_id);
CREATE INDEX chat_conversations_state ON chat_conversations(state, agent_id);

CREATE TABLE chat_entries (
    conversation_id INTEGER NOT NULL REFERENCES chat_conversations(id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    author          TEXT NOT NULL,
    ticket_id       INTEGER,
    message_id      INTEGER UNIQUE,
    user_id         INTEGER,
    client_id       TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL DEFAULT '',
    data            TEXT NOT NULL DEFAULT '{}',
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
CREATE INDEX chat_entries_ticket ON chat_entries(ticket_id);

CREATE TABLE chat_agents (
    user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    status     TEXT NOT NULL DEFAULT 'offline',
    max_chats  INTEGER NOT NULL DEFAULT 0,
    seen_at    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE chat_ratings (
    ticket_id       INTEGER PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES chat_conversations(id) ON DELETE CASCADE,
    score           INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment         TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL
);

CREATE TABLE chat_uploads (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES chat_conversations(id) ON DELETE CASCADE,
    size            INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX chat_uploads_conversation ON chat_uploads(conversation_id, created_at);

-- Transcripts a visitor or agent asked to have emailed, waiting for the
-- email channel's sender.
CREATE TABLE chat_transcripts (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES chat_conversations(id) ON DELETE CASCADE,
    ticket_id       INTEGER REFERENCES tickets(id),
    email           TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
