-- Who won stays who won: a registration keeps the entrant's identity as it was when they entered,
-- an award its holder's as it was when proposed; results, certificates and the HR list read these,
-- never the current profile.
ALTER TABLE registrations ADD COLUMN entrant_name TEXT NOT NULL DEFAULT '';
ALTER TABLE registrations ADD COLUMN entrant_id_number TEXT NOT NULL DEFAULT '';
ALTER TABLE registrations ADD COLUMN entrant_gender TEXT NOT NULL DEFAULT '';
ALTER TABLE registrations ADD COLUMN entrant_birth_date DATE NOT NULL DEFAULT '1900-01-01';
UPDATE registrations SET
    entrant_name = (SELECT full_name FROM persons WHERE persons.id = registrations.person_id),
    entrant_id_number = (SELECT id_number FROM persons WHERE persons.id = registrations.person_id),
    entrant_gender = (SELECT gender FROM persons WHERE persons.id = registrations.person_id),
    entrant_birth_date = (SELECT birth_date FROM persons WHERE persons.id = registrations.person_id);

ALTER TABLE awards ADD COLUMN holder_name TEXT NOT NULL DEFAULT '';
ALTER TABLE awards ADD COLUMN holder_id_number TEXT NOT NULL DEFAULT '';
ALTER TABLE awards ADD COLUMN holder_gender TEXT NOT NULL DEFAULT '';
ALTER TABLE awards ADD COLUMN holder_birth_date DATE NOT NULL DEFAULT '1900-01-01';
UPDATE awards SET
    holder_name = (SELECT full_name FROM persons WHERE persons.id = awards.person_id),
    holder_id_number = (SELECT id_number FROM persons WHERE persons.id = awards.person_id),
    holder_gender = (SELECT gender FROM persons WHERE persons.id = awards.person_id),
    holder_birth_date = (SELECT birth_date FROM persons WHERE persons.id = awards.person_id);

-- Name, ID number and employer of a person with a registration in a competition still under way
-- change only by a correction an organiser over them (not the one who asked) approves.
CREATE TABLE identity_corrections (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    requested_by TEXT NOT NULL REFERENCES users (id),
    full_name TEXT,
    id_number TEXT,
    employer_org_id TEXT REFERENCES organisations (id),
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by TEXT REFERENCES users (id),
    decision_note TEXT,
    created_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP
);
CREATE INDEX identity_corrections_person_id_idx ON identity_corrections (person_id);
CREATE INDEX identity_corrections_requested_by_idx ON identity_corrections (requested_by);
CREATE INDEX identity_corrections_employer_org_id_idx ON identity_corrections (employer_org_id);
CREATE INDEX identity_corrections_decided_by_idx ON identity_corrections (decided_by);
CREATE INDEX identity_corrections_status_idx ON identity_corrections (status);
