-- A recompute of SLA due times after a calendar change runs as a durable
-- background job (timer kind "sla.recompute", ref: the calendar id, 0 for
-- every calendar): one row per calendar holds how far it got, committed
-- with each batch, so a restart resumes where it stopped and the admin can
-- watch it.
CREATE TABLE sla_recomputes (
    calendar_id  INTEGER PRIMARY KEY,
    state        TEXT NOT NULL CHECK (state IN ('running','done')),
    after_ticket INTEGER NOT NULL DEFAULT 0,
    after_metric TEXT NOT NULL DEFAULT '',
    done         INTEGER NOT NULL DEFAULT 0,
    total        INTEGER NOT NULL DEFAULT -1,
    batches      INTEGER NOT NULL DEFAULT 0,
    started_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    finished_at  INTEGER
);
