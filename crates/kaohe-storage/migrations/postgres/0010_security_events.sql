-- Security events an auditor reads: failed logins, refused requests, forged or stale
-- forms, wrong current passwords. Counted per organiser, kind, account, source and hour,
-- so that a flood adds to a count instead of a row per request. organiser_id 0 is a
-- name no organiser has (or no one logged in).
CREATE TABLE security_events (
    organiser_id BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    account      TEXT NOT NULL,
    source       TEXT NOT NULL,
    hour         BIGINT NOT NULL,
    count        BIGINT NOT NULL,
    last_at      BIGINT NOT NULL,
    last_target  TEXT NOT NULL,
    PRIMARY KEY (organiser_id, kind, account, source, hour),
    CHECK (kind IN ('login.failed', 'access.refused', 'csrf.refused', 'password.wrong'))
);
CREATE INDEX security_events_recent ON security_events (organiser_id, last_at);
