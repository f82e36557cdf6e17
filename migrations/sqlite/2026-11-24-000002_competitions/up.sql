-- Competitions, events and trades. User references (*_by) are plain ids: the audit trail is the
-- record of who did what, and accounts may be removed.

CREATE TABLE trades (
    id TEXT PRIMARY KEY NOT NULL,
    -- 职业分类大典 (2022) code; a work type (工种) carries its parent occupation's code.
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    confirmed BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX trades_code_name_uq ON trades (code, name);

CREATE TABLE competitions (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    edition INTEGER,
    year INTEGER NOT NULL,
    category TEXT NOT NULL,
    tier TEXT NOT NULL,
    class TEXT NOT NULL,
    host_org_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    is_season BOOLEAN NOT NULL DEFAULT FALSE,
    major_project TEXT,
    description TEXT,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    registration_opens_at TIMESTAMP,
    registration_closes_at TIMESTAMP,
    feeds_into_id TEXT REFERENCES competitions (id) ON DELETE RESTRICT,
    -- Set when an upgrade application is approved: the tier that recognised it.
    recognised_tier TEXT,
    status TEXT NOT NULL,
    status_reason TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_by TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX competitions_host_org_id_idx ON competitions (host_org_id);
CREATE INDEX competitions_feeds_into_id_idx ON competitions (feeds_into_id);
CREATE INDEX competitions_year_idx ON competitions (year, status);

CREATE TABLE competition_bodies (
    id TEXT PRIMARY KEY NOT NULL,
    competition_id TEXT NOT NULL REFERENCES competitions (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    -- co_host (联合主办), undertaker (承办), co_organiser (协办), supporter (支持)
    role TEXT NOT NULL
);
CREATE UNIQUE INDEX competition_bodies_uq ON competition_bodies (competition_id, organisation_id);
CREATE INDEX competition_bodies_organisation_id_idx ON competition_bodies (organisation_id);

CREATE TABLE events (
    id TEXT PRIMARY KEY NOT NULL,
    competition_id TEXT NOT NULL REFERENCES competitions (id) ON DELETE CASCADE,
    trade_id TEXT NOT NULL REFERENCES trades (id) ON DELETE RESTRICT,
    name TEXT NOT NULL,
    mode TEXT NOT NULL,
    team_size INTEGER,
    track TEXT NOT NULL,
    standard_level INTEGER,
    theory_weight INTEGER NOT NULL,
    practical_weight INTEGER NOT NULL,
    quota_total INTEGER,
    quota_per_org INTEGER,
    min_age INTEGER,
    max_age INTEGER,
    min_skill_level INTEGER,
    -- Eligibility: contestants' employers within this region (GB/T 2260 prefix rule).
    region_code TEXT,
    qualifiers_count INTEGER NOT NULL DEFAULT 0,
    tie_breaks TEXT NOT NULL,
    prize_bands TEXT NOT NULL,
    award_rules TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX events_competition_name_uq ON events (competition_id, name);
CREATE INDEX events_trade_id_idx ON events (trade_id);

CREATE TABLE event_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    venue TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX event_sessions_event_id_idx ON event_sessions (event_id, starts_at);

CREATE TABLE technical_documents (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- JSON list of {name, media_type, size_bytes, sha256}
    attachments TEXT NOT NULL,
    status TEXT NOT NULL,
    change_reason TEXT,
    published_at TIMESTAMP,
    published_by TEXT,
    created_by TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX technical_documents_event_version_uq ON technical_documents (event_id, version);

-- The outline of an event's marking scheme; judging fills in criteria and aspects.
CREATE TABLE marking_schemes (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL UNIQUE REFERENCES events (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    -- JSON list of {name, kind}
    sections TEXT NOT NULL,
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE upgrade_applications (
    id TEXT PRIMARY KEY NOT NULL,
    competition_id TEXT NOT NULL REFERENCES competitions (id) ON DELETE CASCADE,
    target_tier TEXT NOT NULL,
    reviewer_org_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    status TEXT NOT NULL,
    statement TEXT NOT NULL,
    decision_reason TEXT,
    applied_by TEXT,
    decided_by TEXT,
    decided_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX upgrade_applications_competition_id_idx ON upgrade_applications (competition_id);
CREATE INDEX upgrade_applications_reviewer_org_id_idx ON upgrade_applications (reviewer_org_id, status);
