-- Indexes for the lists a province reads (measured in BENCHMARKS.md at 1,400 units):
-- the review queue asks for the items returned to units (the reviews of a campaign in
-- one state, then their report items); the audit page filters one organiser's log by
-- action and by person and lists the actions and people it has. Without them each of
-- these read every report item of the campaign or every row of the log.
CREATE INDEX reviews_state ON reviews (campaign_id, state);
CREATE INDEX audit_log_action ON audit_log (organiser_id, action);
CREATE INDEX audit_log_username ON audit_log (organiser_id, username);
