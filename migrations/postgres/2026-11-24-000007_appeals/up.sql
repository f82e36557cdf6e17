-- Appeals (申诉): filed within the event's window after scores are announced, ruled by the arbiter.

-- Minutes appeals stay open after the provisional scores are announced (2 hours by default; 48
-- hours for online rounds).
ALTER TABLE events ADD COLUMN appeal_window_minutes INTEGER NOT NULL DEFAULT 120;

CREATE TABLE appeals (
    id TEXT PRIMARY KEY NOT NULL,
    registration_id TEXT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    filed_by TEXT NOT NULL,
    grounds TEXT NOT NULL,
    -- filed, accepted, upheld, dismissed
    status TEXT NOT NULL,
    ruling TEXT,
    arbiter_user_id TEXT,
    filed_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP
);
CREATE INDEX appeals_registration_id_idx ON appeals (registration_id);
CREATE INDEX appeals_event_id_idx ON appeals (event_id, status);
