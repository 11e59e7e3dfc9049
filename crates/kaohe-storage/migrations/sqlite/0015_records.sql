-- Records kept during the year (台账): adopted articles, media reports, leaders'
-- instructions, recorded misses. A record belongs to the organiser and a unit, with a
-- date; a campaign counts the records dated in its period (by default its year), so
-- records are kept before next year's campaign is issued. The rubric declares the kinds
-- (`kind` is the rubric's id for one) and what a record's fields are.
ALTER TABLE campaigns ADD COLUMN period_start TEXT;
ALTER TABLE campaigns ADD COLUMN period_end TEXT;

CREATE TABLE records (
    id            INTEGER PRIMARY KEY,
    organiser_id  BIGINT NOT NULL REFERENCES organisers(id),
    unit_id       BIGINT NOT NULL REFERENCES units(id),
    kind          TEXT NOT NULL,
    -- The day it happened (YYYY-MM-DD, China time): what a campaign's period selects.
    day           TEXT NOT NULL,
    -- Field key -> text, as the rubric's kind declares them (JSON).
    fields        TEXT NOT NULL,
    -- declared (申报, waiting for the department), confirmed, rejected (with a reason),
    -- withdrawn (by the unit, before confirmation).
    state         TEXT NOT NULL,
    -- Entered by the district (counts in both columns, confirmed from the start).
    by_district   BIGINT NOT NULL DEFAULT 0,
    answer        TEXT,
    answered_by   BIGINT REFERENCES users(id),
    answered_at   BIGINT,
    -- A record that may be another one (declared twice, or one piece of work at a lower
    -- level): flagged, not counted until a person decides.
    like_of       BIGINT REFERENCES records(id),
    likeness      TEXT,
    like_state    TEXT,
    version       BIGINT NOT NULL DEFAULT 1,
    created_by    BIGINT REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    updated_by    BIGINT REFERENCES users(id),
    updated_at    BIGINT NOT NULL,
    CHECK (state IN ('declared', 'confirmed', 'rejected', 'withdrawn')),
    CHECK (likeness IS NULL OR likeness IN ('twice', 'levels')),
    CHECK (like_state IS NULL OR like_state IN ('suspected', 'same', 'different'))
);
CREATE INDEX records_unit ON records (organiser_id, unit_id, kind, day);

-- A record's evidence (the adopted article, the instruction's scan).
ALTER TABLE evidence ADD COLUMN record_id BIGINT REFERENCES records(id);
