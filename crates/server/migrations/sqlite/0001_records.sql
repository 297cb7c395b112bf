-- Every synced record in its latest state. `server_seq` is the server's change sequence: it is
-- taken anew on every change of the row, so "everything after cursor N" is one index range.
CREATE TABLE records (
    kind        TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    rev         INTEGER NOT NULL,
    server_seq  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    data        TEXT    NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE UNIQUE INDEX records_by_server_seq ON records (server_seq);

-- Per device, the highest change number applied: updated in the same transaction as the changes,
-- so a retried push is applied exactly once.
CREATE TABLE devices (
    device_id   TEXT    PRIMARY KEY,
    last_seq    INTEGER NOT NULL,
    last_push   TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
