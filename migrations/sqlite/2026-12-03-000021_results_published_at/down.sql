ALTER TABLE result_sets DROP COLUMN published_at;
