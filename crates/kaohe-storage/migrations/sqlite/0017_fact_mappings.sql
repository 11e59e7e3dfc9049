-- The what-if of a draft rubric carries last year's facts to it by key, then by item and
-- label; the rest a person maps by hand, once: the mapping is kept per pair of rubric
-- versions (the old one a campaign used, the draft tried). old_key NULL: the person
-- said the old rubric has no such fact.
CREATE TABLE fact_mappings (
    organiser_id  BIGINT NOT NULL REFERENCES organisers(id),
    old_rubric_id BIGINT NOT NULL REFERENCES rubrics(id),
    new_rubric_id BIGINT NOT NULL REFERENCES rubrics(id),
    new_key       TEXT NOT NULL,
    old_key       TEXT,
    set_by        BIGINT NOT NULL REFERENCES users(id),
    set_at        BIGINT NOT NULL,
    PRIMARY KEY (old_rubric_id, new_rubric_id, new_key)
);
