-- Outbox consumers: each keeps how far it has read the events table.
-- On PostgreSQL event ids do not commit in id order, so consumers read in
-- (transaction id, event id) order and only events of transactions older
-- than every running one: nothing can appear behind their checkpoint.
ALTER TABLE events ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX events_txid ON events (txid, id);

CREATE TABLE outbox_consumers (
    name          TEXT PRIMARY KEY,
    last_txid     BIGINT NOT NULL DEFAULT 0,
    last_event_id BIGINT NOT NULL DEFAULT 0,
    updated_at    TIMESTAMPTZ NOT NULL
);
