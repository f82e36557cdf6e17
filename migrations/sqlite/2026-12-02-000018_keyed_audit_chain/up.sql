-- From the next record on, the audit chain is sealed with HMAC-SHA256 under a key kept outside
-- the database (SKILLCOMP_AUDIT_KEY); the records already written keep their SHA-256 seals.
ALTER TABLE audit_head ADD COLUMN keyed_from BIGINT NOT NULL DEFAULT 1;
UPDATE audit_head SET keyed_from = seq + 1;
