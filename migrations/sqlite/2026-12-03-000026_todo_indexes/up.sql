-- The start page's to-do counts read only what waits: registrations waiting for a review, awards not
-- yet granted, links not yet accepted. Each is a small part of a large table.
CREATE INDEX registrations_status_idx ON registrations (status);
CREATE INDEX registrations_competition_status_idx ON registrations (competition_id, status);
CREATE INDEX awards_status_idx ON awards (status);
CREATE INDEX competitions_feeds_into_pending_idx ON competitions (feeds_into_accepted_at, feeds_into_id);
