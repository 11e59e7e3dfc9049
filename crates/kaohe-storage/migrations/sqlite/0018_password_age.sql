-- A password's age counts from when it was set: a user's first password was set when the
-- user was created (before this, only a change was recorded, and 0 meant "never changed").
UPDATE users SET credentials_changed_at = created_at WHERE credentials_changed_at = 0;
