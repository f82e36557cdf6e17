DROP TABLE identity_corrections;
ALTER TABLE awards DROP COLUMN holder_birth_date;
ALTER TABLE awards DROP COLUMN holder_gender;
ALTER TABLE awards DROP COLUMN holder_id_number;
ALTER TABLE awards DROP COLUMN holder_name;
ALTER TABLE registrations DROP COLUMN entrant_birth_date;
ALTER TABLE registrations DROP COLUMN entrant_gender;
ALTER TABLE registrations DROP COLUMN entrant_id_number;
ALTER TABLE registrations DROP COLUMN entrant_name;
