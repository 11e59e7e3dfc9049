-- The audit log becomes a hash chain: each row carries its sequence number, the hash of
-- the row before it and its own hash; `audit_head` holds the newest (sequence, hash),
-- which every append updates in the same transaction, so that appends from several app
-- servers queue on one row and a deleted newest row is noticed.
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_log_seq ON audit_log (seq);

CREATE TABLE audit_head (
    id    BIGINT PRIMARY KEY,
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

-- Every saved version of a reported item, kept: a returned item edited and resubmitted
-- leaves both versions.
CREATE TABLE report_item_history (
    campaign_id  BIGINT NOT NULL,
    unit_id      BIGINT NOT NULL,
    item_id      TEXT NOT NULL,
    version      BIGINT NOT NULL,
    facts        TEXT NOT NULL,
    state        TEXT NOT NULL,
    updated_by   BIGINT,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, unit_id, item_id, version)
);
