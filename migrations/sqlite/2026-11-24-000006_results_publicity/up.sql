-- Working days results are publicised (公示) before they are final; 0 skips the publicity.
ALTER TABLE competitions ADD COLUMN results_publicity_days INTEGER NOT NULL DEFAULT 5;
