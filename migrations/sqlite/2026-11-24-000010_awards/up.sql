-- Awards (DESIGN §4): prizes, titles, honour recommendations and skill-level promotions proposed
-- from final results, certified by the granting body, publicised, granted with a certificate.

-- A competition's award rules (JSON); NULL means the defaults of its tier, category and class.
ALTER TABLE competitions ADD COLUMN award_rules TEXT;

CREATE TABLE awards (
    id TEXT PRIMARY KEY NOT NULL,
    competition_id TEXT NOT NULL REFERENCES competitions (id) ON DELETE CASCADE,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    registration_id TEXT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES persons (id),
    -- The final result set the award was proposed from.
    result_set_id TEXT NOT NULL REFERENCES result_sets (id),
    kind TEXT NOT NULL,
    rank INTEGER NOT NULL,
    -- Skill levels of a promotion (5 初级工 … 1 高级技师).
    from_level INTEGER,
    to_level INTEGER,
    year INTEGER NOT NULL,
    -- proposed, confirmed, publicity, granted, certificate_issued, revoked
    status TEXT NOT NULL,
    publicity_ends_at TIMESTAMP,
    certificate_number TEXT UNIQUE,
    check_code TEXT,
    granted_by TEXT,
    granted_at TIMESTAMP,
    issued_at TIMESTAMP,
    revoked_reason TEXT,
    revoked_at TIMESTAMP,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX awards_competition_id_idx ON awards (competition_id, status);
CREATE INDEX awards_event_id_idx ON awards (event_id, kind);
CREATE INDEX awards_registration_id_idx ON awards (registration_id);
CREATE INDEX awards_person_id_idx ON awards (person_id, year);
CREATE INDEX awards_result_set_id_idx ON awards (result_set_id);
CREATE INDEX awards_kind_year_idx ON awards (kind, year, status);

-- Objections (异议) raised while awards are publicised; the granting body rules on them.
CREATE TABLE award_objections (
    id TEXT PRIMARY KEY NOT NULL,
    award_id TEXT NOT NULL REFERENCES awards (id) ON DELETE CASCADE,
    filed_by TEXT NOT NULL,
    grounds TEXT NOT NULL,
    -- open, upheld, dismissed
    status TEXT NOT NULL,
    ruling TEXT,
    ruled_by TEXT,
    filed_at TIMESTAMP NOT NULL,
    ruled_at TIMESTAMP
);
CREATE INDEX award_objections_award_id_idx ON award_objections (award_id, status);
