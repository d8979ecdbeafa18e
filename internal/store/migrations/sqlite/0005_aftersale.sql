-- After-sales cases, their audit trail, department tasks, webhook deliveries
-- to the shop, the shop's policy and playbooks, and customer portal links.
-- SQLite dialect; keep in step with postgres/0005_aftersale.sql.

CREATE TABLE cases (
    id                 INTEGER PRIMARY KEY,
    ticket_id          INTEGER NOT NULL REFERENCES tickets(id),
    order_id           INTEGER NOT NULL REFERENCES orders(id),
    customer_id        INTEGER NOT NULL REFERENCES customers(id),
    kind               TEXT NOT NULL,
    status             TEXT NOT NULL,
    reason             TEXT NOT NULL,
    responsibility     TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    item_condition     TEXT NOT NULL DEFAULT '',
    currency           TEXT NOT NULL DEFAULT 'CNY',
    requested_amount   INTEGER NOT NULL DEFAULT 0,
    amount             INTEGER NOT NULL DEFAULT 0,
    ceiling            INTEGER NOT NULL DEFAULT 0,
    shipping_paid_by   TEXT NOT NULL DEFAULT '',
    return_carrier     TEXT NOT NULL DEFAULT '',
    return_tracking    TEXT NOT NULL DEFAULT '',
    approval_request   TEXT,
    rejection_reason   TEXT NOT NULL DEFAULT '',
    execution_status   TEXT NOT NULL DEFAULT '',
    shop_reference     TEXT NOT NULL DEFAULT '',
    rating             INTEGER NOT NULL DEFAULT 0,
    rating_comment     TEXT NOT NULL DEFAULT '',
    channel            TEXT NOT NULL,
    created_by_user_id INTEGER REFERENCES users(id),
    decision           TEXT NOT NULL DEFAULT '{}',
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    closed_at          INTEGER
);
CREATE INDEX cases_ticket ON cases(ticket_id, id);
CREATE INDEX cases_order ON cases(order_id, id);
CREATE INDEX cases_customer ON cases(customer_id, id);
CREATE INDEX cases_status ON cases(status, updated_at);
CREATE INDEX cases_created ON cases(created_at, id);

CREATE TABLE case_items (
    case_id       INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    order_item_id INTEGER REFERENCES order_items(id) ON DELETE SET NULL,
    quantity      INTEGER NOT NULL,
    sku           TEXT NOT NULL,
    product_name  TEXT NOT NULL,
    product_category TEXT NOT NULL DEFAULT '',
    variant       TEXT NOT NULL DEFAULT '',
    unit_price    INTEGER NOT NULL,
    PRIMARY KEY (case_id, position)
);
CREATE INDEX case_items_sku ON case_items(sku);

CREATE TABLE case_evidence (
    id                 INTEGER PRIMARY KEY,
    case_id            INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    sha256             TEXT NOT NULL REFERENCES blobs(sha256),
    filename           TEXT NOT NULL,
    note               TEXT NOT NULL DEFAULT '',
    author_user_id     INTEGER REFERENCES users(id),
    author_customer_id INTEGER REFERENCES customers(id),
    created_at         INTEGER NOT NULL
);
CREATE INDEX case_evidence_case ON case_evidence(case_id, id);

CREATE TABLE case_transitions (
    id                INTEGER PRIMARY KEY,
    case_id           INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    from_status       TEXT NOT NULL,
    to_status         TEXT NOT NULL,
    actor             TEXT NOT NULL,
    actor_user_id     INTEGER REFERENCES users(id),
    actor_customer_id INTEGER REFERENCES customers(id),
    note              TEXT NOT NULL DEFAULT '',
    data              TEXT NOT NULL DEFAULT '{}',
    created_at        INTEGER NOT NULL
);
CREATE INDEX case_transitions_case ON case_transitions(case_id, id);

CREATE TABLE case_tasks (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    team_id    INTEGER NOT NULL REFERENCES teams(id),
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    due_at     INTEGER NOT NULL,
    status     TEXT NOT NULL,
    result     TEXT NOT NULL DEFAULT '',
    answer     TEXT NOT NULL DEFAULT '',
    done_by    INTEGER REFERENCES users(id),
    done_at    INTEGER,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX case_tasks_case ON case_tasks(case_id, id);
CREATE INDEX case_tasks_team ON case_tasks(team_id, status, due_at);

CREATE TABLE case_deliveries (
    id              INTEGER PRIMARY KEY,
    case_id         INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL UNIQUE,
    action          TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_error      TEXT NOT NULL DEFAULT '',
    delivered_at    INTEGER,
    confirmed_at    INTEGER,
    confirmation    TEXT NOT NULL DEFAULT '{}',
    created_at      INTEGER NOT NULL
);
CREATE INDEX case_deliveries_due ON case_deliveries(status, next_attempt_at);
CREATE INDEX case_deliveries_case ON case_deliveries(case_id, id);

CREATE TABLE case_delivery_attempts (
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES case_deliveries(id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    status_code INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX case_delivery_attempts_delivery ON case_delivery_attempts(delivery_id, id);

CREATE TABLE aftersale_settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    updated_at INTEGER NOT NULL
);

CREATE TABLE playbooks (
    reason     TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    updated_at INTEGER NOT NULL
);

CREATE TABLE portal_links (
    token_hash  TEXT PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    created_at  INTEGER NOT NULL
);
