-- Steps done once in Rust after the SQL migrations (e.g. chaining audit rows written
-- before the chain existed), each recorded so that it never runs again.
CREATE TABLE rust_migrations (
    name TEXT PRIMARY KEY,
    applied_at BIGINT NOT NULL,
    detail TEXT NOT NULL
);
