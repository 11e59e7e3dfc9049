-- A unit can leave a campaign (退出考核) with a reason, keeping everything it reported:
-- it is no longer listed, scored or ranked, and can be brought back.
ALTER TABLE campaign_units ADD COLUMN withdrawn_at BIGINT;
ALTER TABLE campaign_units ADD COLUMN withdrawn_reason TEXT;
