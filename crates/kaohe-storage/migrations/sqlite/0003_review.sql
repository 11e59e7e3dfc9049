-- Review (考核), results, publication, appeals and locks.

-- An assessor's review of one unit's item: the verified facts as overrides of the
-- reported ones (JSON {key: {"value": …, "reason": …}}), why the assessed score differs
-- from the self-score, and whether the item is confirmed or returned to the unit.
CREATE TABLE reviews (
    campaign_id   BIGINT NOT NULL REFERENCES campaigns(id),
    unit_id       BIGINT NOT NULL REFERENCES units(id),
    item_id       TEXT NOT NULL,
    overrides     TEXT NOT NULL,
    score_reason  TEXT,
    state         TEXT NOT NULL,
    comment       TEXT,
    reviewer_id   BIGINT REFERENCES users(id),
    reviewed_at   BIGINT NOT NULL,
    version       BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, unit_id, item_id)
);

CREATE TABLE review_history (
    campaign_id   BIGINT NOT NULL,
    unit_id       BIGINT NOT NULL,
    item_id       TEXT NOT NULL,
    version       BIGINT NOT NULL,
    overrides     TEXT NOT NULL,
    score_reason  TEXT,
    state         TEXT NOT NULL,
    comment       TEXT,
    reviewer_id   BIGINT,
    reviewed_at   BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, unit_id, item_id, version)
);

-- Results as computed at a moment: the published record keeps every computation, so a
-- changed result (after an accepted appeal) shows that it changed and when.
CREATE TABLE results (
    id            INTEGER PRIMARY KEY,
    campaign_id   BIGINT NOT NULL REFERENCES campaigns(id),
    computed_at   BIGINT NOT NULL,
    computed_by   BIGINT REFERENCES users(id),
    reason        TEXT NOT NULL,
    unconfirmed   TEXT NOT NULL,
    data          TEXT NOT NULL
);
CREATE INDEX results_campaign ON results (campaign_id, id);

ALTER TABLE campaigns ADD COLUMN published_at BIGINT;
ALTER TABLE campaigns ADD COLUMN window_start TEXT;
ALTER TABLE campaigns ADD COLUMN window_end TEXT;
ALTER TABLE campaigns ADD COLUMN show_details BIGINT NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN locked BIGINT NOT NULL DEFAULT 0;

-- Locks (定稿) and unlocks, each with who, why, and the audit chain's head at the time.
CREATE TABLE locks (
    id            INTEGER PRIMARY KEY,
    campaign_id   BIGINT NOT NULL REFERENCES campaigns(id),
    action        TEXT NOT NULL,
    reason        TEXT,
    user_id       BIGINT REFERENCES users(id),
    at            BIGINT NOT NULL,
    audit_seq     BIGINT NOT NULL,
    audit_hash    TEXT NOT NULL
);

-- Appeals (申诉): one per item per unit.
CREATE TABLE appeals (
    id            INTEGER PRIMARY KEY,
    campaign_id   BIGINT NOT NULL REFERENCES campaigns(id),
    unit_id       BIGINT NOT NULL REFERENCES units(id),
    item_id       TEXT NOT NULL,
    reason        TEXT NOT NULL,
    state         TEXT NOT NULL,
    answer        TEXT,
    created_by    BIGINT REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    answered_by   BIGINT REFERENCES users(id),
    answered_at   BIGINT,
    UNIQUE (campaign_id, unit_id, item_id)
);

-- Evidence attached to an appeal rather than to the self-check.
ALTER TABLE evidence ADD COLUMN appeal_id BIGINT REFERENCES appeals(id);
