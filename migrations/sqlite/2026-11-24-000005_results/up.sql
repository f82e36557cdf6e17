-- Results: a result set is computed from the marks, stored with a digest of exactly those marks,
-- and moves provisional → publicity → final.

CREATE TABLE result_sets (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    -- provisional, publicity, final, superseded
    status TEXT NOT NULL,
    -- SHA-256 of the marks the set was computed from
    marks_digest TEXT NOT NULL,
    computed_by TEXT NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    publicity_ends_at TIMESTAMP,
    finalised_at TIMESTAMP
);
CREATE UNIQUE INDEX result_sets_event_version_uq ON result_sets (event_id, version);

CREATE TABLE results (
    id TEXT PRIMARY KEY NOT NULL,
    result_set_id TEXT NOT NULL REFERENCES result_sets (id) ON DELETE CASCADE,
    registration_id TEXT NOT NULL REFERENCES registrations (id) ON DELETE RESTRICT,
    station_number INTEGER NOT NULL,
    theory_centi INTEGER NOT NULL,
    practical_centi INTEGER NOT NULL,
    total_centi INTEGER NOT NULL,
    standardised INTEGER,
    rank INTEGER NOT NULL,
    -- broken, shared, decision_required
    tie_note TEXT,
    tie_key TEXT
);
CREATE UNIQUE INDEX results_set_registration_uq ON results (result_set_id, registration_id);
CREATE INDEX results_registration_id_idx ON results (registration_id);
