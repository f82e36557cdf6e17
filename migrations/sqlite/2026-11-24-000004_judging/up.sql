-- Judging: the marking scheme's aspects, judges' assignments and declared relations, marks by
-- anonymised station, spread flags, sign-off, re-opening, review (复核) and decryption.

ALTER TABLE marking_schemes ADD COLUMN spread_limit_centi INTEGER NOT NULL DEFAULT 100;
ALTER TABLE marking_schemes ADD COLUMN drop_extremes BOOLEAN NOT NULL DEFAULT FALSE;

-- The aspects of an event's scheme, derived from the scheme document when it is saved.
CREATE TABLE aspects (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    section_index INTEGER NOT NULL,
    section_kind TEXT NOT NULL,
    code TEXT NOT NULL,
    criterion TEXT NOT NULL,
    description TEXT NOT NULL,
    kind TEXT NOT NULL,
    max_centi INTEGER NOT NULL,
    position INTEGER NOT NULL
);
CREATE UNIQUE INDEX aspects_event_code_uq ON aspects (event_id, code);

CREATE TABLE judge_aspects (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    aspect_id TEXT NOT NULL REFERENCES aspects (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX judge_aspects_uq ON judge_aspects (user_id, aspect_id);
CREATE INDEX judge_aspects_event_id_idx ON judge_aspects (event_id);
CREATE INDEX judge_aspects_aspect_id_idx ON judge_aspects (aspect_id);

-- Relations a judge declares with people (kin, teacher–pupil, colleague): a conflict of interest.
CREATE TABLE judge_relations (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    relation TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX judge_relations_uq ON judge_relations (user_id, person_id);
CREATE INDEX judge_relations_person_id_idx ON judge_relations (person_id);

-- A mark names the contestant only by station number: the table itself is blind.
CREATE TABLE marks (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    aspect_id TEXT NOT NULL REFERENCES aspects (id) ON DELETE RESTRICT,
    station_number INTEGER NOT NULL,
    judge_user_id TEXT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    value_centi INTEGER NOT NULL,
    status TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX marks_uq ON marks (event_id, aspect_id, station_number, judge_user_id);
CREATE INDEX marks_aspect_id_idx ON marks (aspect_id);
CREATE INDEX marks_judge_user_id_idx ON marks (judge_user_id);

CREATE TABLE spread_flags (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    aspect_id TEXT NOT NULL REFERENCES aspects (id) ON DELETE CASCADE,
    station_number INTEGER NOT NULL,
    -- open, rescore_requested, reconciled
    status TEXT NOT NULL,
    note TEXT,
    resolved_by TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX spread_flags_uq ON spread_flags (event_id, aspect_id, station_number);
CREATE INDEX spread_flags_aspect_id_idx ON spread_flags (aspect_id);

-- Signatures: each judge on their part of a section, then the chief judge on the section, then a
-- second person who confirms (and so locks) it.
CREATE TABLE section_signoffs (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    section_index INTEGER NOT NULL,
    -- judge or chief
    kind TEXT NOT NULL,
    signed_by TEXT NOT NULL,
    signed_at TIMESTAMP NOT NULL,
    confirmed_by TEXT,
    confirmed_at TIMESTAMP
);
CREATE UNIQUE INDEX section_signoffs_uq ON section_signoffs (event_id, section_index, kind, signed_by);

CREATE TABLE reopen_requests (
    id TEXT PRIMARY KEY NOT NULL,
    mark_id TEXT NOT NULL REFERENCES marks (id) ON DELETE CASCADE,
    new_value_centi INTEGER NOT NULL,
    reason TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    -- pending, approved
    status TEXT NOT NULL,
    approved_by TEXT,
    created_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP
);
CREATE INDEX reopen_requests_mark_id_idx ON reopen_requests (mark_id);

-- 复核: the stations whose scores are re-checked, and what was found.
CREATE TABLE review_samples (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    station_number INTEGER NOT NULL,
    -- top, random, full
    reason TEXT NOT NULL,
    -- pending, checked, discrepancy
    status TEXT NOT NULL,
    note TEXT,
    reviewed_by TEXT,
    reviewed_at TIMESTAMP
);
CREATE UNIQUE INDEX review_samples_uq ON review_samples (event_id, station_number);

CREATE TABLE event_judging (
    event_id TEXT PRIMARY KEY NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    review_seed TEXT,
    review_drawn_at TIMESTAMP,
    decryption_requested_by TEXT,
    decryption_requested_at TIMESTAMP,
    decrypted_by TEXT,
    decrypted_at TIMESTAMP
);
