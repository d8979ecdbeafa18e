-- Search index: one FTS5 table per kind, rowid = the ticket's, customer's or
-- order's id. Package search tokenises in Go (CJK bigrams and single
-- characters, words, numbers and their suffixes, e-mail addresses) and
-- writes space-separated tokens, so the "ascii" tokenizer only splits on
-- spaces; the characters of e-mail addresses are token characters.
-- Contentless: only the index is kept, the text is in the tables it came
-- from. Columns: title (weight A), ids (B), uni (C), body (D), the same
-- fields as the tsvector weights on PostgreSQL.
CREATE VIRTUAL TABLE search_tickets USING fts5(title, ids, uni, body,
    content='', contentless_delete=1, tokenize="ascii tokenchars '.@_+-'");
CREATE VIRTUAL TABLE search_customers USING fts5(title, ids, uni, body,
    content='', contentless_delete=1, tokenize="ascii tokenchars '.@_+-'");
CREATE VIRTUAL TABLE search_orders USING fts5(title, ids, uni, body,
    content='', contentless_delete=1, tokenize="ascii tokenchars '.@_+-'");
