-- Where an assessment counts toward the district's overall assessment (综合考核), its
-- weight: a unit's converted score is its total × weight / 100. An exact decimal as
-- text; NULL when it does not count.
ALTER TABLE campaigns ADD COLUMN overall_weight TEXT;
