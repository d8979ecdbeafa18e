-- Search index: one table per kind with a tsvector built by package search
-- (tokenised in Go, written as a tsvector literal with explicit positions
-- and weights: A title, B identifiers, C single CJK characters, D body),
-- and a GIN index on it. No foreign keys: the outbox consumer keeps the
-- documents in step, shortly after each change.
CREATE TABLE search_tickets (
    ticket_id BIGINT PRIMARY KEY,
    tsv       tsvector NOT NULL
);
CREATE INDEX search_tickets_tsv ON search_tickets USING gin (tsv);

CREATE TABLE search_customers (
    customer_id BIGINT PRIMARY KEY,
    tsv         tsvector NOT NULL
);
CREATE INDEX search_customers_tsv ON search_customers USING gin (tsv);

CREATE TABLE search_orders (
    order_id BIGINT PRIMARY KEY,
    tsv      tsvector NOT NULL
);
CREATE INDEX search_orders_tsv ON search_orders USING gin (tsv);
