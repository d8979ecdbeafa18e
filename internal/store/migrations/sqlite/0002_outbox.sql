-- Outbox consumers: each keeps how far it has read the events table.
-- SQLite has one writer, so event ids commit in order and the id alone is a
-- safe checkpoint.
CREATE TABLE outbox_consumers (
    name          TEXT PRIMARY KEY,
    last_txid     INTEGER NOT NULL DEFAULT 0,
    last_event_id INTEGER NOT NULL DEFAULT 0,
    updated_at    INTEGER NOT NULL
);
