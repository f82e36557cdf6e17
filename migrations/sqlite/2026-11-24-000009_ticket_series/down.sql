DROP INDEX competitions_ticket_series_idx;
ALTER TABLE competitions DROP COLUMN ticket_series;
