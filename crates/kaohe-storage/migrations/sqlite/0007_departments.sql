-- Departments (责任部门) become a list each organiser keeps, referenced by assessors and by
-- item assignments, instead of a name typed again on every user and item. Each organiser
-- has one office (is_office = 1, named after the organiser as before) that reviews every
-- item not assigned to another department. Names typed before become departments; a name
-- equal to the organiser's becomes its office.
CREATE TABLE departments (
    id           INTEGER PRIMARY KEY,
    organiser_id BIGINT NOT NULL REFERENCES organisers(id),
    name         TEXT NOT NULL,
    is_office    BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    UNIQUE (organiser_id, name),
    CHECK (is_office IN (0, 1))
);
-- At most one office per organiser.
CREATE UNIQUE INDEX departments_one_office ON departments (organiser_id) WHERE is_office = 1;

INSERT INTO departments (organiser_id, name, is_office, created_at)
    SELECT id, name, 1, created_at FROM organisers;
INSERT INTO departments (organiser_id, name, is_office, created_at)
    SELECT DISTINCT organiser_id, department, 0, 0 FROM users
    WHERE department IS NOT NULL AND department <> ''
      AND NOT EXISTS (SELECT 1 FROM departments d
                      WHERE d.organiser_id = users.organiser_id AND d.name = users.department);
INSERT INTO departments (organiser_id, name, is_office, created_at)
    SELECT DISTINCT c.organiser_id, i.department, 0, 0
    FROM item_departments i JOIN campaigns c ON c.id = i.campaign_id
    WHERE i.department <> ''
      AND NOT EXISTS (SELECT 1 FROM departments d
                      WHERE d.organiser_id = c.organiser_id AND d.name = i.department);

ALTER TABLE users ADD COLUMN department_id BIGINT REFERENCES departments(id);
UPDATE users SET department_id = (SELECT d.id FROM departments d
                                  WHERE d.organiser_id = users.organiser_id AND d.name = users.department)
    WHERE department IS NOT NULL AND department <> '';
ALTER TABLE users DROP COLUMN department;

CREATE TABLE item_departments_new (
    campaign_id   BIGINT NOT NULL REFERENCES campaigns(id),
    item_id       TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    PRIMARY KEY (campaign_id, item_id)
);
INSERT INTO item_departments_new (campaign_id, item_id, department_id)
    SELECT i.campaign_id, i.item_id, d.id
    FROM item_departments i
    JOIN campaigns c ON c.id = i.campaign_id
    JOIN departments d ON d.organiser_id = c.organiser_id AND d.name = i.department
    WHERE i.department <> '';
DROP TABLE item_departments;
ALTER TABLE item_departments_new RENAME TO item_departments;
