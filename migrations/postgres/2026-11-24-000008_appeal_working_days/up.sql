-- An appeal window counted in working days (China time, holidays and 调休 observed) instead of
-- minutes, for rounds whose rules give contestants days to appeal. When set it wins.
ALTER TABLE events ADD COLUMN appeal_window_working_days INTEGER;
