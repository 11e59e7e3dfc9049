-- no-transaction
-- Every state, role and action column accepts only the words kaohe writes (the code reads
-- an unknown one as corrupt data, never as a default). SQLite adds a CHECK only by
-- rebuilding the table: foreign keys are off while the tables are swapped (each row is
-- copied as it is, so every reference still holds), all in one transaction.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE users_new (
    id              INTEGER PRIMARY KEY,
    organiser_id    BIGINT NOT NULL REFERENCES organisers(id),
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL,
    department      TEXT,
    unit_id         BIGINT REFERENCES units(id),
    password_hash   TEXT NOT NULL,
    must_change_password BIGINT NOT NULL DEFAULT 0,
    active          BIGINT NOT NULL DEFAULT 1,
    is_demo         BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    credentials_changed_at BIGINT NOT NULL DEFAULT 0,
    CHECK (role IN ('admin', 'assessor', 'reporter', 'viewer', 'auditor')),
    CHECK (active IN (0, 1)),
    CHECK (must_change_password IN (0, 1))
);
INSERT INTO users_new (id, organiser_id, username, display_name, role, department, unit_id, password_hash, must_change_password, active, is_demo, created_at, credentials_changed_at)
    SELECT id, organiser_id, username, display_name, role, department, unit_id, password_hash, must_change_password, active, is_demo, created_at, credentials_changed_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

CREATE TABLE campaigns_new (
    id           INTEGER PRIMARY KEY,
    organiser_id BIGINT NOT NULL REFERENCES organisers(id),
    year         BIGINT NOT NULL,
    title        TEXT NOT NULL,
    rubric_id    BIGINT NOT NULL REFERENCES rubrics(id),
    deadline     TEXT NOT NULL,
    state        TEXT NOT NULL,
    is_demo      BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    published_at BIGINT, window_start TEXT, window_end TEXT, show_details BIGINT NOT NULL DEFAULT 0, locked BIGINT NOT NULL DEFAULT 0,
    CHECK (state IN ('open', 'closed')),
    CHECK (locked IN (0, 1)),
    CHECK (show_details IN (0, 1))
);
INSERT INTO campaigns_new (id, organiser_id, year, title, rubric_id, deadline, state, is_demo, created_at, published_at, window_start, window_end, show_details, locked)
    SELECT id, organiser_id, year, title, rubric_id, deadline, state, is_demo, created_at, published_at, window_start, window_end, show_details, locked FROM campaigns;
DROP TABLE campaigns;
ALTER TABLE campaigns_new RENAME TO campaigns;

CREATE TABLE reports_new (
    campaign_id   BIGINT NOT NULL REFERENCES campaigns(id),
    unit_id       BIGINT NOT NULL REFERENCES units(id),
    state         TEXT NOT NULL,
    filler_name   TEXT,
    filler_phone  TEXT,
    approver      TEXT,
    submitted_at  BIGINT,
    submitted_by  BIGINT REFERENCES users(id),
    PRIMARY KEY (campaign_id, unit_id),
    CHECK (state IN ('draft', 'submitted', 'returned'))
);
INSERT INTO reports_new (campaign_id, unit_id, state, filler_name, filler_phone, approver, submitted_at, submitted_by)
    SELECT campaign_id, unit_id, state, filler_name, filler_phone, approver, submitted_at, submitted_by FROM reports;
DROP TABLE reports;
ALTER TABLE reports_new RENAME TO reports;

CREATE TABLE report_items_new (
    campaign_id  BIGINT NOT NULL REFERENCES campaigns(id),
    unit_id      BIGINT NOT NULL REFERENCES units(id),
    item_id      TEXT NOT NULL,
    facts        TEXT NOT NULL,
    state        TEXT NOT NULL,
    version      BIGINT NOT NULL,
    updated_by   BIGINT REFERENCES users(id),
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, unit_id, item_id),
    CHECK (state IN ('draft', 'done'))
);
INSERT INTO report_items_new (campaign_id, unit_id, item_id, facts, state, version, updated_by, updated_at)
    SELECT campaign_id, unit_id, item_id, facts, state, version, updated_by, updated_at FROM report_items;
DROP TABLE report_items;
ALTER TABLE report_items_new RENAME TO report_items;

CREATE TABLE report_item_history_new (
    campaign_id  BIGINT NOT NULL,
    unit_id      BIGINT NOT NULL,
    item_id      TEXT NOT NULL,
    version      BIGINT NOT NULL,
    facts        TEXT NOT NULL,
    state        TEXT NOT NULL,
    updated_by   BIGINT,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, unit_id, item_id, version),
    CHECK (state IN ('draft', 'done'))
);
INSERT INTO report_item_history_new (campaign_id, unit_id, item_id, version, facts, state, updated_by, updated_at)
    SELECT campaign_id, unit_id, item_id, version, facts, state, updated_by, updated_at FROM report_item_history;
DROP TABLE report_item_history;
ALTER TABLE report_item_history_new RENAME TO report_item_history;

CREATE TABLE reviews_new (
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
    PRIMARY KEY (campaign_id, unit_id, item_id),
    CHECK (state IN ('confirmed', 'returned'))
);
INSERT INTO reviews_new (campaign_id, unit_id, item_id, overrides, score_reason, state, comment, reviewer_id, reviewed_at, version)
    SELECT campaign_id, unit_id, item_id, overrides, score_reason, state, comment, reviewer_id, reviewed_at, version FROM reviews;
DROP TABLE reviews;
ALTER TABLE reviews_new RENAME TO reviews;

CREATE TABLE appeals_new (
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
    UNIQUE (campaign_id, unit_id, item_id),
    CHECK (state IN ('open', 'accepted', 'rejected'))
);
INSERT INTO appeals_new (id, campaign_id, unit_id, item_id, reason, state, answer, created_by, created_at, answered_by, answered_at)
    SELECT id, campaign_id, unit_id, item_id, reason, state, answer, created_by, created_at, answered_by, answered_at FROM appeals;
DROP TABLE appeals;
ALTER TABLE appeals_new RENAME TO appeals;

CREATE TABLE locks_new (
    id            INTEGER PRIMARY KEY,
    campaign_id   BIGINT NOT NULL REFERENCES campaigns(id),
    action        TEXT NOT NULL,
    reason        TEXT,
    user_id       BIGINT REFERENCES users(id),
    at            BIGINT NOT NULL,
    audit_seq     BIGINT NOT NULL,
    audit_hash    TEXT NOT NULL,
    CHECK (action IN ('lock', 'unlock'))
);
INSERT INTO locks_new (id, campaign_id, action, reason, user_id, at, audit_seq, audit_hash)
    SELECT id, campaign_id, action, reason, user_id, at, audit_seq, audit_hash FROM locks;
DROP TABLE locks;
ALTER TABLE locks_new RENAME TO locks;

COMMIT;
PRAGMA foreign_keys = ON;
