-- 名额分配: an event's places allotted per prefecture, as JSON {"530100": 12, ...}; NULL: none.
ALTER TABLE events ADD COLUMN prefecture_quotas TEXT;

-- How many levels of the review chain (the nominating unit, the unions between it and the host,
-- the host) have approved a registration so far.
ALTER TABLE registrations ADD COLUMN approvals INTEGER NOT NULL DEFAULT 0;
UPDATE registrations SET approvals = 1 WHERE status = 'unit_approved';
