-- Search on a large shop (issue 8: p95 60–75 ms at 1,000,000 messages under
-- load). Two costs grew with the number of matches of a frequent word such
-- as 退款: every match's row was visited to find the newest 1,000, and the
-- newest 1,000 were ranked by ts_rank over their whole tsvector, a few
-- kilobytes each, read from TOAST and decompressed.
--
-- rank_tsv is the title field (weight A) of the document alone, about a
-- hundred bytes: ranking reads it instead of the whole document. It is
-- computed by PostgreSQL from tsv, so rows written before this migration
-- get theirs as the table is rewritten here, and every later write keeps it
-- in step without the application writing it.
--
-- The GIN index gains a second column, the document's recency bucket (its
-- id / 1024, as an array so that GIN can index it without an extension):
-- a search asks for a word within the newest buckets first, and GIN
-- intersects the word's posting list with the buckets' before any row is
-- read, so a word in half the tickets costs about as much as a rare one.
-- The index also serves a search without buckets (a field prefix's
-- customer: or order: condition).
--
-- Cost: the three tables are rewritten and their GIN indexes rebuilt, under
-- an exclusive lock (searches wait; nothing else does). The old index is
-- dropped first so the rewrite does not rebuild it for nothing. At 200,000
-- tickets with 1,000,000 messages expect several minutes (docs/search.md).
DROP INDEX search_tickets_tsv;
ALTER TABLE search_tickets ADD COLUMN rank_tsv tsvector GENERATED ALWAYS AS (ts_filter(tsv, '{a}')) STORED;
CREATE INDEX search_tickets_tsv_recent ON search_tickets USING gin (tsv, (ARRAY[ticket_id / 1024]));

DROP INDEX search_customers_tsv;
ALTER TABLE search_customers ADD COLUMN rank_tsv tsvector GENERATED ALWAYS AS (ts_filter(tsv, '{a}')) STORED;
CREATE INDEX search_customers_tsv_recent ON search_customers USING gin (tsv, (ARRAY[customer_id / 1024]));

DROP INDEX search_orders_tsv;
ALTER TABLE search_orders ADD COLUMN rank_tsv tsvector GENERATED ALWAYS AS (ts_filter(tsv, '{a}')) STORED;
CREATE INDEX search_orders_tsv_recent ON search_orders USING gin (tsv, (ARRAY[order_id / 1024]));
