ALTER TABLE competitions DROP COLUMN results_publicity_days;
