DROP TABLE qualifier_outcomes;
ALTER TABLE competitions DROP COLUMN feeds_into_accepted_at;
