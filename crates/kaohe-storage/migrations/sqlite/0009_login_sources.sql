-- Failed logins are counted per account and source address (growing delays) and per
-- account (a lock only on much stronger evidence), so that knowing a user name is not
-- enough to lock its owner out. Each row names its account (an admin clears them all at
-- once) and keeps, for telling the user at their next login, how many failures there
-- were since and when and where the last one came from. Counters from before are
-- transient and are dropped.
DELETE FROM login_throttle;
ALTER TABLE login_throttle ADD COLUMN account TEXT NOT NULL DEFAULT '';
ALTER TABLE login_throttle ADD COLUMN total BIGINT NOT NULL DEFAULT 0;
ALTER TABLE login_throttle ADD COLUMN last_failure BIGINT NOT NULL DEFAULT 0;
ALTER TABLE login_throttle ADD COLUMN last_source TEXT NOT NULL DEFAULT '';
CREATE INDEX login_throttle_account ON login_throttle (account);
