-- kaohe schema, version 1. Timestamps are Unix milliseconds (UTC); booleans are 0/1;
-- scores are never stored: they are computed from the rubric and the facts.

CREATE TABLE organisers (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    is_demo     BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);

CREATE TABLE units (
    id           INTEGER PRIMARY KEY,
    organiser_id BIGINT NOT NULL REFERENCES organisers(id),
    parent_id    BIGINT REFERENCES units(id),
    name         TEXT NOT NULL,
    code         TEXT,
    is_demo      BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    UNIQUE (organiser_id, name)
);

CREATE TABLE users (
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
    created_at      BIGINT NOT NULL
);

-- Server-side sessions (tower-sessions records as JSON), shared by every app server.
CREATE TABLE sessions (
    id      TEXT PRIMARY KEY,
    data    TEXT NOT NULL,
    expiry  BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

-- Failed-login counters, per account name (existing or not), shared by every app server.
CREATE TABLE login_throttle (
    key           TEXT PRIMARY KEY,
    failures      BIGINT NOT NULL,
    first_failure BIGINT NOT NULL,
    locked_until  BIGINT NOT NULL DEFAULT 0
);

-- Rubric versions: the TOML text as uploaded; a new upload is a new version, never an edit.
CREATE TABLE rubrics (
    id           INTEGER PRIMARY KEY,
    organiser_id BIGINT NOT NULL REFERENCES organisers(id),
    code         TEXT NOT NULL,
    version      BIGINT NOT NULL,
    title        TEXT NOT NULL,
    source       TEXT NOT NULL,
    hash         TEXT NOT NULL,
    created_by   BIGINT REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    UNIQUE (organiser_id, code, version)
);

CREATE TABLE campaigns (
    id           INTEGER PRIMARY KEY,
    organiser_id BIGINT NOT NULL REFERENCES organisers(id),
    year         BIGINT NOT NULL,
    title        TEXT NOT NULL,
    rubric_id    BIGINT NOT NULL REFERENCES rubrics(id),
    deadline     TEXT NOT NULL,
    state        TEXT NOT NULL,
    is_demo      BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);

-- The units of a campaign, with the unit-level facts the district sets (JSON object of
-- key → value as typed) and a per-unit deadline extension.
CREATE TABLE campaign_units (
    campaign_id  BIGINT NOT NULL REFERENCES campaigns(id),
    unit_id      BIGINT NOT NULL REFERENCES units(id),
    unit_facts   TEXT NOT NULL,
    deadline     TEXT,
    PRIMARY KEY (campaign_id, unit_id)
);

-- Which department (责任部门) reviews which item of a campaign.
CREATE TABLE item_departments (
    campaign_id  BIGINT NOT NULL REFERENCES campaigns(id),
    item_id      TEXT NOT NULL,
    department   TEXT NOT NULL,
    PRIMARY KEY (campaign_id, item_id)
);

-- One unit's self-check report in one campaign.
CREATE TABLE reports (
    campaign_id   BIGINT NOT NULL REFERENCES campaigns(id),
    unit_id       BIGINT NOT NULL REFERENCES units(id),
    state         TEXT NOT NULL,
    filler_name   TEXT,
    filler_phone  TEXT,
    approver      TEXT,
    submitted_at  BIGINT,
    submitted_by  BIGINT REFERENCES users(id),
    PRIMARY KEY (campaign_id, unit_id)
);

-- The facts a unit reported for one item (JSON object of key → value as typed), with a
-- version for optimistic locking: a save names the version it edited.
CREATE TABLE report_items (
    campaign_id  BIGINT NOT NULL REFERENCES campaigns(id),
    unit_id      BIGINT NOT NULL REFERENCES units(id),
    item_id      TEXT NOT NULL,
    facts        TEXT NOT NULL,
    state        TEXT NOT NULL,
    version      BIGINT NOT NULL,
    updated_by   BIGINT REFERENCES users(id),
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, unit_id, item_id)
);

-- Evidence files (佐证材料), kept in the database so that every app server reaches them.
CREATE TABLE evidence (
    id            INTEGER PRIMARY KEY,
    campaign_id   BIGINT NOT NULL REFERENCES campaigns(id),
    unit_id       BIGINT NOT NULL REFERENCES units(id),
    item_id       TEXT NOT NULL,
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    data          BLOB NOT NULL,
    uploaded_by   BIGINT REFERENCES users(id),
    uploaded_at   BIGINT NOT NULL
);
CREATE INDEX evidence_item ON evidence (campaign_id, unit_id, item_id);

-- What people did: one row per action that changes something, and per evidence download.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    organiser_id  BIGINT,
    at            BIGINT NOT NULL,
    user_id       BIGINT,
    username      TEXT,
    action        TEXT NOT NULL,
    target        TEXT NOT NULL,
    reason        TEXT,
    changes       TEXT NOT NULL
);
