-- When a user's password last changed: sessions opened before it are no longer valid,
-- so a password reset ends every session of that user on every app server.
ALTER TABLE users ADD COLUMN credentials_changed_at BIGINT NOT NULL DEFAULT 0;
