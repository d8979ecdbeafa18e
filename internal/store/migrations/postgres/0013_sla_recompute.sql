-- A recompute of SLA due times after a calendar change runs as a durable
-- background job (timer kind "sla.recompute", ref: the calendar id, 0 for
-- every calendar): one row per calendar holds how far it got, committed
-- with each batch, so a restart resumes where it stopped and the admin can
-- watch it.
CREATE TABLE sla_recomputes (
    calendar_id  BIGINT PRIMARY KEY,
    state        TEXT NOT NULL CHECK (state IN ('running','done')),
    after_ticket BIGINT NOT NULL DEFAULT 0,
    after_metric TEXT NOT NULL DEFAULT '',
    done         BIGINT NOT NULL DEFAULT 0,
    total        BIGINT NOT NULL DEFAULT -1,
    batches      INTEGER NOT NULL DEFAULT 0,
    started_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ
);
