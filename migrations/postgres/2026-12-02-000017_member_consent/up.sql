-- A team member a captain names joins when they accept; one an organiser enters (by ID number and
-- name, from their own subtree) is accepted at once. Members already on teams count as accepted.
ALTER TABLE registration_members ADD COLUMN accepted_at TIMESTAMP;
UPDATE registration_members SET accepted_at =
    (SELECT created_at FROM registrations WHERE registrations.id = registration_members.registration_id);
