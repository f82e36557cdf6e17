-- 用时: how long a station took over a module, recorded by station number (judging stays blind)
-- by a judge of the module, the chief judge or a scorer. The elapsed_time tie-break reads it:
-- less time first, a station with no time recorded as if it used the whole time.
CREATE TABLE finish_times (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    section_index INTEGER NOT NULL,
    station_number INTEGER NOT NULL,
    elapsed_seconds INTEGER NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (event_id, section_index, station_number)
);
CREATE INDEX finish_times_recorded_by_idx ON finish_times (recorded_by);
