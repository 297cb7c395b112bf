-- The PostgreSQL schema, equal in meaning to migrations/sqlite/0001..0003 (see the comments
-- there). Integers are BIGINT and flags 0/1 so that one set of queries serves both databases.
CREATE TABLE records (
    kind        TEXT   NOT NULL,
    id          TEXT   NOT NULL,
    rev         BIGINT NOT NULL,
    server_seq  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    deleted     BIGINT NOT NULL DEFAULT 0,
    data        TEXT   NOT NULL,
    company_id  TEXT,
    created_by  TEXT,
    PRIMARY KEY (kind, id)
);
CREATE UNIQUE INDEX records_by_server_seq ON records (server_seq);
CREATE INDEX records_by_company ON records (company_id);
CREATE INDEX records_by_creator ON records (created_by);

CREATE TABLE devices (
    device_id   TEXT   PRIMARY KEY,
    last_seq    BIGINT NOT NULL,
    last_push   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE photos (
    hash        TEXT   PRIMARY KEY,
    bytes       BYTEA  NOT NULL,
    size        BIGINT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id            TEXT   PRIMARY KEY,
    username      TEXT   NOT NULL UNIQUE,
    display_name  TEXT   NOT NULL,
    role          TEXT   NOT NULL,
    password_hash TEXT   NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    id           TEXT   PRIMARY KEY,
    token_hash   TEXT   NOT NULL UNIQUE,
    user_id      TEXT   NOT NULL REFERENCES users (id),
    device_id    TEXT   NOT NULL,
    device_label TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE assignments (
    company_id TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (company_id, user_id)
);

CREATE TABLE revisions (
    kind TEXT   NOT NULL,
    id   TEXT   NOT NULL,
    rev  BIGINT NOT NULL,
    data TEXT   NOT NULL,
    PRIMARY KEY (kind, id, rev)
);

CREATE TABLE counters (
    name  TEXT   PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('server_seq', 0);

-- Resumable photo uploads: chunks as they arrive, joined and checked when complete.
CREATE TABLE photo_uploads (
    hash       TEXT    PRIMARY KEY,
    size       BIGINT NOT NULL,
    received   BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE photo_chunks (
    hash   TEXT    NOT NULL REFERENCES photo_uploads (hash) ON DELETE CASCADE,
    offset_bytes BIGINT NOT NULL,
    bytes  BYTEA    NOT NULL,
    PRIMARY KEY (hash, offset_bytes)
);
