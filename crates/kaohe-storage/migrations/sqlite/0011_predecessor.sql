-- A campaign copied from last year's remembers it: that is "last year" for year over
-- year and for rectification.
ALTER TABLE campaigns ADD COLUMN predecessor_id BIGINT REFERENCES campaigns(id);
