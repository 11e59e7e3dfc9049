-- A campaign is a draft (草稿) until the admin issues it to the units (下发): issued_at is
-- when that happened. Campaigns made before drafts existed were running from the start.
ALTER TABLE campaigns ADD COLUMN issued_at BIGINT;
UPDATE campaigns SET issued_at = created_at;
