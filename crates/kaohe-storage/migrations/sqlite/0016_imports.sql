-- Facts that come in from spreadsheets. An import keeps its file as it came (the
-- evidence of what was imported); it is staged when uploaded for its preview, and
-- applied (or never) when its person confirms what it changes. Staged files change
-- nothing and are removed after a day.
CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    campaign_id   BIGINT NOT NULL REFERENCES campaigns(id),
    -- verified: a department's verified facts for many units; self: a unit's own
    -- self-check; records: a list of records.
    what          TEXT NOT NULL,
    -- The unit whose self-check it fills (what = self).
    unit_id       BIGINT REFERENCES units(id),
    -- The reason given for every value it changes (what = verified).
    reason        TEXT,
    filename      TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    data          BLOB NOT NULL,
    state         TEXT NOT NULL,
    -- How many values it changed, once applied.
    changed       BIGINT NOT NULL DEFAULT 0,
    created_by    BIGINT NOT NULL REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    applied_at    BIGINT,
    CHECK (what IN ('verified', 'self', 'records')),
    CHECK (state IN ('staged', 'applied'))
);
CREATE INDEX imports_campaign ON imports (campaign_id, state);

-- The verified facts a department imported, one per unit and fact: the assessed column
-- reads them over the unit's report and under the assessors' own corrections.
CREATE TABLE imported_facts (
    campaign_id   BIGINT NOT NULL REFERENCES campaigns(id),
    unit_id       BIGINT NOT NULL REFERENCES units(id),
    key           TEXT NOT NULL,
    value         TEXT NOT NULL,
    reason        TEXT NOT NULL,
    import_id     BIGINT NOT NULL REFERENCES imports(id),
    imported_at   BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, unit_id, key)
);
