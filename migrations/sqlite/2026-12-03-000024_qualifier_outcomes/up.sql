-- A competition feeds the next tier only once that tier's organisers accept the link; links made
-- before this rule are taken as accepted.
ALTER TABLE competitions ADD COLUMN feeds_into_accepted_at TIMESTAMP;
UPDATE competitions SET feeds_into_accepted_at = updated_at WHERE feeds_into_id IS NOT NULL;

-- What became of each qualifier when an event's results became final: entered in the next tier
-- (a place or the reserve list), or not, and why. Both tiers' organisers read it.
CREATE TABLE qualifier_outcomes (
    id TEXT PRIMARY KEY NOT NULL,
    origin_event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    origin_registration_id TEXT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    origin_rank INTEGER NOT NULL,
    target_competition_id TEXT REFERENCES competitions (id) ON DELETE SET NULL,
    target_event_id TEXT REFERENCES events (id) ON DELETE SET NULL,
    outcome TEXT NOT NULL,
    reasons TEXT NOT NULL,
    registration_id TEXT REFERENCES registrations (id) ON DELETE SET NULL,
    decided_at TIMESTAMP NOT NULL
);
CREATE INDEX qualifier_outcomes_origin_idx ON qualifier_outcomes (origin_event_id);
CREATE INDEX qualifier_outcomes_target_idx ON qualifier_outcomes (target_event_id);
CREATE INDEX qualifier_outcomes_target_competition_idx ON qualifier_outcomes (target_competition_id);
CREATE INDEX qualifier_outcomes_origin_registration_idx ON qualifier_outcomes (origin_registration_id);
CREATE INDEX qualifier_outcomes_registration_idx ON qualifier_outcomes (registration_id);
