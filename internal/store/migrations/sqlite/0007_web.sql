-- The agent workspace: browser sessions, sign-in lock-out, canned responses (话术).
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until INTEGER;

CREATE TABLE canned_responses (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    shortcut   TEXT NOT NULL DEFAULT '',
    body_zh    TEXT NOT NULL DEFAULT '',
    body_en    TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX canned_shortcut ON canned_responses(shortcut);

-- Inbox view counts read only this index (status, assignee and team are all
-- the views and the role scope look at), never the ticket rows.
CREATE INDEX tickets_inbox ON tickets(status, assignee_id, team_id);
