DROP TABLE appeals;
ALTER TABLE events DROP COLUMN appeal_window_minutes;
