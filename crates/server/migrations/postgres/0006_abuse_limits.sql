-- Limits against abuse (issue 13); the comments are in sqlite/0008.
CREATE TABLE sign_in_limits (
    key           TEXT   PRIMARY KEY,
    failures      BIGINT NOT NULL,
    since         BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL,
    last_at       BIGINT NOT NULL
);
CREATE INDEX sign_in_limits_by_last_at ON sign_in_limits (last_at);

CREATE TABLE photo_refs (
    hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    id   TEXT NOT NULL,
    PRIMARY KEY (hash, kind, id)
);
CREATE INDEX photo_refs_by_record ON photo_refs (kind, id);
INSERT INTO photo_refs (hash, kind, id)
    SELECT DISTINCT p ->> 'hash', r.kind, r.id
    FROM records r
    CROSS JOIN LATERAL jsonb_array_elements(
        CASE WHEN jsonb_typeof(r.data::jsonb -> 'record' -> 'examples') = 'array'
             THEN r.data::jsonb -> 'record' -> 'examples' ELSE '[]'::jsonb END) e
    CROSS JOIN LATERAL jsonb_array_elements(
        CASE WHEN jsonb_typeof(e -> 'photos') = 'array' THEN e -> 'photos' ELSE '[]'::jsonb END) p
    WHERE r.kind = 'interview' AND jsonb_typeof(p -> 'hash') = 'string'
    ON CONFLICT DO NOTHING;

CREATE TABLE photo_owners (
    hash    TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (hash, user_id)
);

DROP TABLE photo_chunks;
DROP TABLE photo_uploads;
CREATE TABLE photo_uploads (
    user_id    TEXT   NOT NULL,
    hash       TEXT   NOT NULL,
    size       BIGINT NOT NULL,
    received   BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, hash)
);
CREATE INDEX photo_uploads_by_updated_at ON photo_uploads (updated_at);
CREATE TABLE photo_chunks (
    user_id      TEXT   NOT NULL,
    hash         TEXT   NOT NULL,
    offset_bytes BIGINT NOT NULL,
    bytes        BYTEA  NOT NULL,
    PRIMARY KEY (user_id, hash, offset_bytes)
);
