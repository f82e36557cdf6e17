ALTER TABLE events DROP COLUMN appeal_window_working_days;
