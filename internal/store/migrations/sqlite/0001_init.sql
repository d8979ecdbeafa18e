-- kefu schema, SQLite dialect. Times are INTEGER unix microseconds (UTC);
-- money is INTEGER minor units. Keep in step with postgres/0001_init.sql.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin','supervisor','agent','collaborator')),
    language      TEXT NOT NULL DEFAULT 'zh-CN',
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('support','department')),
    description TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);

CREATE TABLE team_members (
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members(user_id);

CREATE TABLE categories (
    id        INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES categories(id),
    key       TEXT NOT NULL UNIQUE,
    name_zh   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    position  INTEGER NOT NULL DEFAULT 0,
    archived  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE customers (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL DEFAULT '',
    language         TEXT NOT NULL DEFAULT 'zh-CN',
    notes            TEXT NOT NULL DEFAULT '',
    birthday         TEXT NOT NULL DEFAULT '',
    greetings_opt_in INTEGER NOT NULL DEFAULT 0,
    vip_tier         INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX customers_name ON customers(name);

CREATE TABLE customer_identities (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    value       TEXT NOT NULL,
    UNIQUE (kind, value)
);
CREATE INDEX customer_identities_customer ON customer_identities(customer_id);

CREATE TABLE customer_tags (
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    PRIMARY KEY (customer_id, tag)
);

CREATE TABLE orders (
    id                INTEGER PRIMARY KEY,
    external_id       TEXT NOT NULL UNIQUE,
    number            TEXT NOT NULL,
    customer_id       INTEGER NOT NULL REFERENCES customers(id),
    placed_at         INTEGER NOT NULL,
    paid_at           INTEGER,
    shipped_at        INTEGER,
    delivered_at      INTEGER,
    shipping_province TEXT NOT NULL DEFAULT '',
    shipping_city     TEXT NOT NULL DEFAULT '',
    currency          TEXT NOT NULL DEFAULT 'CNY',
    subtotal          INTEGER NOT NULL DEFAULT 0,
    shipping_fee      INTEGER NOT NULL DEFAULT 0,
    discount          INTEGER NOT NULL DEFAULT 0,
    total             INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX orders_customer ON orders(customer_id, placed_at);
CREATE INDEX orders_number ON orders(number);

CREATE TABLE order_items (
    id               INTEGER PRIMARY KEY,
    order_id         INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    sku              TEXT NOT NULL,
    product_name     TEXT NOT NULL,
    product_category TEXT NOT NULL DEFAULT '',
    variant          TEXT NOT NULL DEFAULT '',
    quantity         INTEGER NOT NULL,
    unit_price       INTEGER NOT NULL,
    unit_cost        INTEGER NOT NULL DEFAULT 0,
    non_returnable   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (order_id, sku, variant)
);

CREATE TABLE shipments (
    id              INTEGER PRIMARY KEY,
    order_id        INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    carrier         TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    status          TEXT NOT NULL,
    shipped_at      INTEGER,
    delivered_at    INTEGER,
    UNIQUE (order_id, tracking_number)
);
CREATE INDEX shipments_tracking ON shipments(tracking_number);

CREATE TABLE shipment_events (
    id          INTEGER PRIMARY KEY,
    shipment_id INTEGER NOT NULL REFERENCES shipments(id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    status      TEXT NOT NULL,
    location    TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT ''
);
CREATE INDEX shipment_events_shipment ON shipment_events(shipment_id, at);

CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY,
    number            INTEGER NOT NULL UNIQUE,
    subject           TEXT NOT NULL,
    channel           TEXT NOT NULL,
    type              TEXT NOT NULL,
    category_id       INTEGER REFERENCES categories(id),
    priority          INTEGER NOT NULL DEFAULT 1,
    status            TEXT NOT NULL,
    assignee_id       INTEGER REFERENCES users(id),
    team_id           INTEGER REFERENCES teams(id),
    customer_id       INTEGER NOT NULL REFERENCES customers(id),
    order_id          INTEGER REFERENCES orders(id),
    follow_up_of      INTEGER REFERENCES tickets(id),
    merged_into       INTEGER REFERENCES tickets(id),
    custom_fields     TEXT NOT NULL DEFAULT '{}',
    first_response_at INTEGER,
    solved_at         INTEGER,
    closed_at         INTEGER,
    last_message_at   INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX tickets_updated ON tickets(updated_at, id);
CREATE INDEX tickets_created ON tickets(created_at, id);
CREATE INDEX tickets_status_updated ON tickets(status, updated_at, id);
CREATE INDEX tickets_assignee ON tickets(assignee_id, status, updated_at);
CREATE INDEX tickets_team ON tickets(team_id, status, updated_at);
CREATE INDEX tickets_customer ON tickets(customer_id, created_at);
CREATE INDEX tickets_order ON tickets(order_id);

CREATE TABLE ticket_tags (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    tag       TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_tag ON ticket_tags(tag, ticket_id);

CREATE TABLE messages (
    id                 INTEGER PRIMARY KEY,
    ticket_id          INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    kind               TEXT NOT NULL,
    author_user_id     INTEGER REFERENCES users(id),
    author_customer_id INTEGER REFERENCES customers(id),
    body               TEXT NOT NULL,
    html               TEXT NOT NULL DEFAULT '',
    external_id        TEXT,
    created_at         INTEGER NOT NULL
);
CREATE INDEX messages_ticket ON messages(ticket_id, id);
CREATE UNIQUE INDEX messages_external ON messages(external_id) WHERE external_id IS NOT NULL;

CREATE TABLE blobs (
    sha256       TEXT PRIMARY KEY,
    size         INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    data         BLOB, -- NULL when the bytes live in the data folder
    created_at   INTEGER NOT NULL
);

CREATE TABLE message_attachments (
    id         INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    sha256     TEXT NOT NULL REFERENCES blobs(sha256),
    filename   TEXT NOT NULL
);
CREATE INDEX message_attachments_message ON message_attachments(message_id);

CREATE TABLE handoffs (
    id           INTEGER PRIMARY KEY,
    ticket_id    INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    from_user_id INTEGER REFERENCES users(id),
    to_user_id   INTEGER REFERENCES users(id),
    to_team_id   INTEGER REFERENCES teams(id),
    note         TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX handoffs_ticket ON handoffs(ticket_id, id);
CREATE INDEX handoffs_team ON handoffs(to_team_id, ticket_id);

CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    type          TEXT NOT NULL,
    ticket_id     INTEGER,
    actor_user_id INTEGER,
    data          TEXT NOT NULL DEFAULT '{}',
    created_at    INTEGER NOT NULL
);
CREATE INDEX events_ticket ON events(ticket_id, id);

CREATE TABLE idempotency_keys (
    user_id      INTEGER NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);
