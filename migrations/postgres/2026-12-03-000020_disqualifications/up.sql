-- Disqualification (取消资格) takes two people, like re-opening a locked mark: the chief judge
-- proposes it for a station with a ground and a reason, a supervisor who is not the proposer
-- approves or declines it. Approval makes the registration `disqualified`; the event's ranking
-- then leaves the station out, so those behind move up.
CREATE TABLE disqualifications (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    registration_id TEXT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    station_number INTEGER NOT NULL,
    ground TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES users (id),
    decided_by TEXT REFERENCES users (id),
    decision_note TEXT,
    created_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP
);
CREATE INDEX disqualifications_event_id_idx ON disqualifications (event_id);
CREATE INDEX disqualifications_registration_id_idx ON disqualifications (registration_id);
CREATE INDEX disqualifications_requested_by_idx ON disqualifications (requested_by);
CREATE INDEX disqualifications_decided_by_idx ON disqualifications (decided_by);
