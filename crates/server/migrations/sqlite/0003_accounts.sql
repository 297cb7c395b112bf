-- Accounts, device sessions and assignments; record ownership for the interviewer's view;
-- every revision of a record (the base of a three-way merge); the change counter.

-- Times are Unix milliseconds, set by the server (one convention for SQLite and PostgreSQL).
CREATE TABLE users (
    id            TEXT    PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

-- A device session: the token itself is never stored, only its SHA-256.
CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY,
    token_hash   TEXT    NOT NULL UNIQUE,
    user_id      TEXT    NOT NULL REFERENCES users (id),
    device_id    TEXT    NOT NULL,
    device_label TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Which interviewers hold a company (besides the one who created it).
CREATE TABLE assignments (
    company_id TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (company_id, user_id)
);

-- The company a record belongs to (its own id for a company) and who first pushed it: together
-- they decide what an interviewer pulls. Records from before accounts have no creator: only
-- coordinators see them until one is assigned.
ALTER TABLE records ADD COLUMN company_id TEXT;
ALTER TABLE records ADD COLUMN created_by TEXT;
UPDATE records SET company_id = CASE kind
    WHEN 'company' THEN id
    WHEN 'interview' THEN json_extract(data, '$.record.company_id')
    WHEN 'link' THEN json_extract(data, '$.record.company_id')
    END;
CREATE INDEX records_by_company ON records (company_id);
CREATE INDEX records_by_creator ON records (created_by);

CREATE TABLE revisions (
    kind TEXT    NOT NULL,
    id   TEXT    NOT NULL,
    rev  INTEGER NOT NULL,
    data TEXT    NOT NULL,
    PRIMARY KEY (kind, id, rev)
);
INSERT INTO revisions (kind, id, rev, data) SELECT kind, id, rev, data FROM records;

-- The last change sequence handed out. A push updates this row first: on PostgreSQL that row
-- lock serialises pushes, so change numbers become visible in order and a pull never skips one.
CREATE TABLE counters (
    name  TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) SELECT 'server_seq', COALESCE(MAX(server_seq), 0) FROM records;

-- Resumable photo uploads: chunks as they arrive, joined and checked when complete.
CREATE TABLE photo_uploads (
    hash       TEXT    PRIMARY KEY,
    size       INTEGER NOT NULL,
    received   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE photo_chunks (
    hash   TEXT    NOT NULL REFERENCES photo_uploads (hash) ON DELETE CASCADE,
    offset_bytes INTEGER NOT NULL,
    bytes  BLOB    NOT NULL,
    PRIMARY KEY (hash, offset_bytes)
);
