-- Every state, role and action column accepts only the words kaohe writes (the code reads
-- an unknown one as corrupt data, never as a default).
ALTER TABLE users ADD CONSTRAINT users_role_known CHECK (role IN ('admin', 'assessor', 'reporter', 'viewer', 'auditor'));
ALTER TABLE users ADD CONSTRAINT users_active_known CHECK (active IN (0, 1));
ALTER TABLE users ADD CONSTRAINT users_must_change_password_known CHECK (must_change_password IN (0, 1));
ALTER TABLE campaigns ADD CONSTRAINT campaigns_state_known CHECK (state IN ('open', 'closed'));
ALTER TABLE campaigns ADD CONSTRAINT campaigns_locked_known CHECK (locked IN (0, 1));
ALTER TABLE campaigns ADD CONSTRAINT campaigns_show_details_known CHECK (show_details IN (0, 1));
ALTER TABLE reports ADD CONSTRAINT reports_state_known CHECK (state IN ('draft', 'submitted', 'returned'));
ALTER TABLE report_items ADD CONSTRAINT report_items_state_known CHECK (state IN ('draft', 'done'));
ALTER TABLE report_item_history ADD CONSTRAINT report_item_history_state_known CHECK (state IN ('draft', 'done'));
ALTER TABLE reviews ADD CONSTRAINT reviews_state_known CHECK (state IN ('confirmed', 'returned'));
ALTER TABLE appeals ADD CONSTRAINT appeals_state_known CHECK (state IN ('open', 'accepted', 'rejected'));
ALTER TABLE locks ADD CONSTRAINT locks_action_known CHECK (action IN ('lock', 'unlock'));
