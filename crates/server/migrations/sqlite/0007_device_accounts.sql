-- Each account numbers its changes on a device apart. A device id is no secret (colleagues share
-- a tablet, an export names it, the office sees it), so one account's pushes must never move
-- another account's exactly-once counter (its real later changes would be answered `duplicate`
-- and dropped) nor plant the merge base (`lineage`) of its next change. `user_id` is the account;
-- '' is the numbering from before this migration and the server's own (the seed catalogue, an
-- import of a device no account used), which an account new on the device continues from.
-- Same in postgres/0005.
CREATE TABLE devices_by_account (
    device_id   TEXT    NOT NULL,
    user_id     TEXT    NOT NULL DEFAULT '',
    last_seq    INTEGER NOT NULL,
    last_push   TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (device_id, user_id)
);
INSERT INTO devices_by_account (device_id, user_id, last_seq, last_push)
    SELECT device_id, '', last_seq, last_push FROM devices;
DROP TABLE devices;
ALTER TABLE devices_by_account RENAME TO devices;

CREATE TABLE lineage_by_account (
    device_id      TEXT    NOT NULL,
    user_id        TEXT    NOT NULL DEFAULT '',
    kind           TEXT    NOT NULL,
    id             TEXT    NOT NULL,
    rev            INTEGER NOT NULL DEFAULT 0,
    data           TEXT,
    refused_seq    INTEGER,
    refused_reason TEXT,
    PRIMARY KEY (device_id, user_id, kind, id)
);
INSERT INTO lineage_by_account
    (device_id, user_id, kind, id, rev, data, refused_seq, refused_reason)
    SELECT device_id, '', kind, id, rev, data, refused_seq, refused_reason FROM lineage;
DROP TABLE lineage;
ALTER TABLE lineage_by_account RENAME TO lineage;

-- Which accounts used a device: an import is applied as one of them.
CREATE INDEX sessions_by_device ON sessions (device_id);
