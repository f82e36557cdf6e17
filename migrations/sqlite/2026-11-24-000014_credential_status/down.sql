ALTER TABLE skill_credentials DROP COLUMN rejection_reason;
ALTER TABLE skill_credentials DROP COLUMN reviewed_at;
ALTER TABLE skill_credentials DROP COLUMN reviewed_by;
ALTER TABLE skill_credentials DROP COLUMN recorded_by;
ALTER TABLE skill_credentials DROP COLUMN status;
