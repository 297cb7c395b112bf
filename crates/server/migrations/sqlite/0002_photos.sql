-- Photos of good examples, content-addressed: the key is the SHA-256 of the bytes, so the same
-- photo is stored once however often it is sent.
CREATE TABLE photos (
    hash        TEXT    PRIMARY KEY,
    bytes       BLOB    NOT NULL,
    size        INTEGER NOT NULL,
    received_at TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
