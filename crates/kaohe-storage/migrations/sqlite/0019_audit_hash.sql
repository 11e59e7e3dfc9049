-- The audit chain's hash for new rows, per deployment: 'sha256' (the default) or 'sm3'
-- (GM/T 0004-2012, for 密评). A row's own hash says which one made it ("sm3:" before
-- the hex), so a chain that switched verifies whole.
ALTER TABLE audit_head ADD COLUMN alg TEXT NOT NULL DEFAULT 'sha256';
