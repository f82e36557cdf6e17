ALTER TABLE registration_members DROP COLUMN accepted_at;
