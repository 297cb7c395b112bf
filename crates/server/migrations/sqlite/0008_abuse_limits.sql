-- Limits against abuse (issue 13). Same in postgres/0006.

-- The sign-in limit's counts (rules in src/auth.rs, `limit`), shared by every server process over
-- one database. `key` is `pair:` + SHA-256 of user name and client address, or `name:` + SHA-256
-- of the user name; times are Unix ms. Rows expire (swept an hour after their last failure) and
-- their number is capped.
CREATE TABLE sign_in_limits (
    key           TEXT    PRIMARY KEY,
    failures      INTEGER NOT NULL,
    since         INTEGER NOT NULL,
    blocked_until INTEGER NOT NULL,
    last_at       INTEGER NOT NULL
);
CREATE INDEX sign_in_limits_by_last_at ON sign_in_limits (last_at);

-- Which records refer to which photo (the hashes of an interview's example photos), written with
-- each record: a photo is served only to whom may see such a record, or who sent its bytes.
CREATE TABLE photo_refs (
    hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    id   TEXT NOT NULL,
    PRIMARY KEY (hash, kind, id)
);
CREATE INDEX photo_refs_by_record ON photo_refs (kind, id);
INSERT OR IGNORE INTO photo_refs (hash, kind, id)
    SELECT DISTINCT json_extract(p.value, '$.hash'), r.kind, r.id
    FROM records r, json_each(r.data, '$.record.examples') e, json_each(e.value, '$.photos') p
    WHERE r.kind = 'interview' AND json_type(p.value, '$.hash') = 'text';

-- Who sent a photo's bytes (whole, or as the last chunk of an upload): they may read it back
-- before any record refers to it.
CREATE TABLE photo_owners (
    hash    TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (hash, user_id)
);

-- Resumable uploads per account: one account's chunks never mix with another's upload of the
-- same photo, and each account has a quota of unfinished uploads. Unfinished uploads from before
-- are dropped: a tablet asking hears 0 and sends the photo again (as after the daily sweep).
DROP TABLE photo_chunks;
DROP TABLE photo_uploads;
CREATE TABLE photo_uploads (
    user_id    TEXT    NOT NULL,
    hash       TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    received   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, hash)
);
CREATE INDEX photo_uploads_by_updated_at ON photo_uploads (updated_at);
CREATE TABLE photo_chunks (
    user_id      TEXT    NOT NULL,
    hash         TEXT    NOT NULL,
    offset_bytes INTEGER NOT NULL,
    bytes        BLOB    NOT NULL,
    PRIMARY KEY (user_id, hash, offset_bytes)
);
