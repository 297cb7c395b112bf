-- Each account numbers its changes on a device apart. A device id is no secret (colleagues share
-- a tablet, an export names it, the office sees it), so one account's pushes must never move
-- another account's exactly-once counter (its real later changes would be answered `duplicate`
-- and dropped) nor plant the merge base (`lineage`) of its next change. `user_id` is the account;
-- '' is the numbering from before this migration and the server's own (the seed catalogue, an
-- import of a device no account used), which an account new on the device continues from.
-- Same in sqlite/0007.
ALTER TABLE devices ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
ALTER TABLE devices DROP CONSTRAINT devices_pkey;
ALTER TABLE devices ADD PRIMARY KEY (device_id, user_id);

ALTER TABLE lineage ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
ALTER TABLE lineage DROP CONSTRAINT lineage_pkey;
ALTER TABLE lineage ADD PRIMARY KEY (device_id, user_id, kind, id);

-- Which accounts used a device: an import is applied as one of them.
CREATE INDEX sessions_by_device ON sessions (device_id);
