-- Deadlines: business calendars, SLA policies and per-ticket SLA clocks,
-- durable timers, promises, notifications, routing, snooze, scheduled
-- replies and automation rules. Keep in step with postgres/0004_sla.sql.

CREATE TABLE calendars (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    time_zone  TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    hours      TEXT NOT NULL DEFAULT '{}', -- weekday → ["09:00-18:00", …]
    days       TEXT NOT NULL DEFAULT '[]', -- holidays and make-up working days
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Per-team settings that are not the team itself: its calendar and how
-- work is handed out.
CREATE TABLE team_settings (
    team_id         INTEGER PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
    calendar_id     INTEGER REFERENCES calendars(id) ON DELETE SET NULL,
    strategy        TEXT NOT NULL DEFAULT 'manual' CHECK (strategy IN ('manual','round_robin','least_loaded')),
    by_skill        INTEGER NOT NULL DEFAULT 0,
    by_language     INTEGER NOT NULL DEFAULT 0,
    grace_minutes   INTEGER NOT NULL DEFAULT 10,
    last_user_id    INTEGER, -- round robin: who got the last ticket
    updated_at      INTEGER NOT NULL
);

CREATE TABLE sla_policies (
    id                     INTEGER PRIMARY KEY,
    name                   TEXT NOT NULL UNIQUE,
    description            TEXT NOT NULL DEFAULT '',
    position               INTEGER NOT NULL DEFAULT 0,
    enabled                INTEGER NOT NULL DEFAULT 1,
    conditions             TEXT NOT NULL DEFAULT '{}',
    calendar_id            INTEGER REFERENCES calendars(id) ON DELETE SET NULL,
    first_response_minutes INTEGER,
    next_response_minutes  INTEGER,
    resolution_minutes     INTEGER,
    warn_share             REAL NOT NULL DEFAULT 0.75,
    pause_statuses         TEXT NOT NULL DEFAULT '["pending"]',
    escalation             TEXT NOT NULL DEFAULT '{}',
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL
);

-- The clock of each SLA target of a ticket. consumed_us is the business
-- time used before running_since; due_at = calendar.Add(running_since,
-- target - consumed), so a calendar change recomputes it from these alone.
CREATE TABLE sla_targets (
    ticket_id      INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    metric         TEXT NOT NULL CHECK (metric IN ('first_response','next_response','resolution')),
    policy_id      INTEGER REFERENCES sla_policies(id) ON DELETE SET NULL,
    calendar_id    INTEGER REFERENCES calendars(id) ON DELETE SET NULL,
    state          TEXT NOT NULL CHECK (state IN ('running','paused','met','cancelled')),
    target_minutes INTEGER NOT NULL,
    warn_share     REAL NOT NULL DEFAULT 0,
    started_at     INTEGER NOT NULL,
    consumed_us    INTEGER NOT NULL DEFAULT 0,
    running_since  INTEGER,
    due_at         INTEGER,
    warn_at        INTEGER,
    warned_at      INTEGER,
    breached_at    INTEGER,
    met_at         INTEGER,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, metric)
);
CREATE INDEX sla_targets_due ON sla_targets(due_at, ticket_id) WHERE state = 'running';
CREATE INDEX sla_targets_calendar ON sla_targets(calendar_id) WHERE state = 'running';

-- One row per finished target cycle, for reports.
CREATE TABLE sla_results (
    id               INTEGER PRIMARY KEY,
    ticket_id        INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    metric           TEXT NOT NULL,
    policy_id        INTEGER,
    target_minutes   INTEGER NOT NULL,
    started_at       INTEGER NOT NULL,
    ended_at         INTEGER NOT NULL,
    outcome          TEXT NOT NULL, -- met or cancelled
    breached         INTEGER NOT NULL,
    business_seconds INTEGER NOT NULL
);
CREATE INDEX sla_results_ticket ON sla_results(ticket_id, id);
CREATE INDEX sla_results_ended ON sla_results(ended_at);

-- Durable timers: one row per pending timer, fired once (claimed and
-- deleted in the transaction that applies its effect).
CREATE TABLE timers (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    ref_id     INTEGER NOT NULL,
    due_at     INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (kind, ref_id)
);
CREATE INDEX timers_due ON timers(due_at, id);

CREATE TABLE promises (
    id            INTEGER PRIMARY KEY,
    ticket_id     INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('follow_up','handoff')),
    state         TEXT NOT NULL CHECK (state IN ('open','kept','cancelled')),
    owner_user_id INTEGER REFERENCES users(id),
    team_id       INTEGER REFERENCES teams(id),
    note          TEXT NOT NULL DEFAULT '',
    due_at        INTEGER NOT NULL,
    remind_at     INTEGER NOT NULL,
    reminded_at   INTEGER,
    overdue_at    INTEGER,
    kept_at       INTEGER,
    created_by    INTEGER NOT NULL REFERENCES users(id),
    created_at    INTEGER NOT NULL
);
CREATE INDEX promises_ticket ON promises(ticket_id, id);
CREATE INDEX promises_open_due ON promises(due_at, id) WHERE state = 'open';

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    ticket_id  INTEGER REFERENCES tickets(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    text_zh    TEXT NOT NULL,
    text_en    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at    INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, id);

-- Agent presence, capacity and skills for routing.
CREATE TABLE agent_states (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    presence    TEXT NOT NULL DEFAULT 'offline' CHECK (presence IN ('online','away','offline')),
    capacity    INTEGER NOT NULL DEFAULT 10,
    skills      TEXT NOT NULL DEFAULT '[]',
    languages   TEXT NOT NULL DEFAULT '[]',
    presence_at INTEGER NOT NULL
);

CREATE TABLE snoozes (
    ticket_id  INTEGER PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
    until      INTEGER NOT NULL,
    user_id    INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);

CREATE TABLE scheduled_messages (
    id             INTEGER PRIMARY KEY,
    ticket_id      INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    author_user_id INTEGER NOT NULL REFERENCES users(id),
    body           TEXT NOT NULL,
    html           TEXT NOT NULL DEFAULT '',
    status_after   TEXT NOT NULL DEFAULT '',
    send_at        INTEGER NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('scheduled','sent','cancelled','failed')),
    message_id     INTEGER,
    error          TEXT NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL
);
CREATE INDEX scheduled_messages_ticket ON scheduled_messages(ticket_id, id);

CREATE TABLE automation_rules (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    position    INTEGER NOT NULL DEFAULT 0,
    enabled     INTEGER NOT NULL DEFAULT 1,
    triggers    TEXT NOT NULL DEFAULT '[]',
    conditions  TEXT NOT NULL DEFAULT '[]',
    actions     TEXT NOT NULL DEFAULT '[]',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Time rules fire once per ticket per stretch in a status: the key names
-- the stretch.
CREATE TABLE automation_runs (
    rule_id    INTEGER NOT NULL REFERENCES automation_rules(id) ON DELETE CASCADE,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (rule_id, ticket_id, key)
);
