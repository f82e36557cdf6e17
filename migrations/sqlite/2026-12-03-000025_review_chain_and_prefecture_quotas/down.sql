ALTER TABLE registrations DROP COLUMN approvals;
ALTER TABLE events DROP COLUMN prefecture_quotas;
