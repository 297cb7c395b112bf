-- Per record and device: the record as that device last sent it once stored (the base its next
-- stale change is merged against, so its own earlier edits are never "the other side"), and the
-- last refusal it got (so a retried refused change is refused again, not dropped as duplicate).
-- Written in the push's transaction.
CREATE TABLE lineage (
    device_id      TEXT   NOT NULL,
    kind           TEXT   NOT NULL,
    id             TEXT   NOT NULL,
    rev            BIGINT NOT NULL DEFAULT 0,
    data           TEXT,
    refused_seq    BIGINT,
    refused_reason TEXT,
    PRIMARY KEY (device_id, kind, id)
);
