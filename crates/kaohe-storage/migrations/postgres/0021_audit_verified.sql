-- The last whole verification of the audit chain (one row): when, up to which row, and
-- what it found. The audit page checks the rows added since it and runs a whole one
-- again when it is a day old, found a problem, or is asked for; a whole chain is not
-- re-read on every page load.
CREATE TABLE audit_verified (
    id       BIGINT PRIMARY KEY,
    at       BIGINT NOT NULL,
    seq      BIGINT NOT NULL,
    hash     TEXT NOT NULL,
    rows     BIGINT NOT NULL,
    problems TEXT NOT NULL
);
