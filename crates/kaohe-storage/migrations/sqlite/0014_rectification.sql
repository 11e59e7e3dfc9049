-- Rectification (整改): each unit's problems from its published result (one per rule
-- that took points) or found by hand, each followed to its end: a plan, a report of
-- what was done, signed off (销号) by the responsible department or returned. Its own
-- data: a campaign's lock does not freeze it.
ALTER TABLE campaigns ADD COLUMN rectify_deadline TEXT;

CREATE TABLE problems (
    id            INTEGER PRIMARY KEY,
    campaign_id   BIGINT NOT NULL REFERENCES campaigns(id),
    unit_id       BIGINT NOT NULL REFERENCES units(id),
    item_id       TEXT NOT NULL,
    -- The rule of the item that took the points; NULL for a problem found by hand.
    rule_index    BIGINT,
    -- What was found: the rule's explanation, or the district's own words.
    found         TEXT NOT NULL,
    -- Points lost, an exact decimal as text; NULL for a problem found by hand.
    points        TEXT,
    remedy        TEXT,
    state         TEXT NOT NULL,
    -- This problem's own deadline (YYYY-MM-DD), else the campaign's.
    deadline      TEXT,
    measures      TEXT,
    responsible   TEXT,
    planned_date  TEXT,
    report        TEXT,
    reported_at   BIGINT,
    -- Why it was returned, dropped or merged, or the sign-off's remark.
    answer        TEXT,
    answered_by   BIGINT REFERENCES users(id),
    answered_at   BIGINT,
    merged_into   BIGINT REFERENCES problems(id),
    created_by    BIGINT REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    CHECK (state IN ('open', 'planned', 'reported', 'returned', 'signed_off', 'dropped'))
);
CREATE UNIQUE INDEX problems_rule ON problems (campaign_id, unit_id, item_id, rule_index)
    WHERE rule_index IS NOT NULL;
CREATE INDEX problems_unit ON problems (campaign_id, unit_id);

-- Evidence of what a unit did about a problem.
ALTER TABLE evidence ADD COLUMN problem_id BIGINT REFERENCES problems(id);
