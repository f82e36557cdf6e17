-- A credential a person enters is a declaration until a reviewer (an organiser reviewing a
-- registration, HRSS, an admin) verifies it; rules count verified ones only. Those written by a
-- granted promotion were verified by the granting body; earlier entries are declarations.
-- recorded_by / reviewed_by are user ids (accounts are disabled, never deleted); no foreign key,
-- so that SQLite can drop the columns again.
ALTER TABLE skill_credentials ADD COLUMN status TEXT NOT NULL DEFAULT 'declared';
ALTER TABLE skill_credentials ADD COLUMN recorded_by TEXT;
ALTER TABLE skill_credentials ADD COLUMN reviewed_by TEXT;
ALTER TABLE skill_credentials ADD COLUMN reviewed_at TIMESTAMP;
ALTER TABLE skill_credentials ADD COLUMN rejection_reason TEXT;
UPDATE skill_credentials SET status = 'verified', reviewed_at = created_at WHERE source = 'competition';
