-- Foundation: organisations, people, accounts, role grants, refresh tokens, the audit chain.
-- Ids are UUID text, times are UTC timestamps truncated to microseconds by the application.

CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    short_name TEXT,
    kind TEXT NOT NULL,
    tier TEXT NOT NULL,
    parent_id TEXT REFERENCES organisations (id) ON DELETE RESTRICT,
    -- '/<root id>/…/<own id>/': a subtree is every row whose path starts with the root's path.
    path TEXT NOT NULL,
    region_code TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX organisations_parent_id_idx ON organisations (parent_id);
CREATE INDEX organisations_path_idx ON organisations (path);
CREATE UNIQUE INDEX organisations_sibling_name_uq ON organisations (COALESCE(parent_id, ''), name);

CREATE TABLE persons (
    id TEXT PRIMARY KEY NOT NULL,
    full_name TEXT NOT NULL,
    id_number TEXT NOT NULL UNIQUE,
    gender TEXT NOT NULL,
    birth_date DATE NOT NULL,
    ethnicity TEXT,
    phone TEXT,
    education TEXT,
    employer_org_id TEXT REFERENCES organisations (id) ON DELETE RESTRICT,
    occupation TEXT,
    is_migrant_worker BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX persons_employer_org_id_idx ON persons (employer_org_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    person_id TEXT UNIQUE REFERENCES persons (id) ON DELETE SET NULL,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE role_grants (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    organisation_id TEXT REFERENCES organisations (id) ON DELETE CASCADE,
    granted_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX role_grants_user_id_idx ON role_grants (user_id);
CREATE INDEX role_grants_organisation_id_idx ON role_grants (organisation_id);
CREATE INDEX role_grants_granted_by_idx ON role_grants (granted_by);
CREATE UNIQUE INDEX role_grants_uq ON role_grants (user_id, role, COALESCE(organisation_id, ''));

CREATE TABLE skill_credentials (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    occupation TEXT NOT NULL,
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    certificate_no TEXT,
    issuer TEXT,
    issued_on DATE NOT NULL,
    source TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX skill_credentials_person_id_idx ON skill_credentials (person_id);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX refresh_tokens_user_id_idx ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family_id_idx ON refresh_tokens (family_id);

-- Append-only and hash-chained: each row's hash covers its fields and the previous row's hash.
-- No foreign keys: the trail must outlive what it describes.
CREATE TABLE audit_records (
    seq BIGINT PRIMARY KEY NOT NULL,
    id TEXT NOT NULL UNIQUE,
    at TIMESTAMP NOT NULL,
    actor_user_id TEXT,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT,
    before_json TEXT,
    after_json TEXT,
    request_id TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_records_entity_idx ON audit_records (entity_type, entity_id);
CREATE INDEX audit_records_actor_idx ON audit_records (actor_user_id);
CREATE INDEX audit_records_at_idx ON audit_records (at);

-- The chain's head: the one row every append locks, so appends are serialised and a
-- deleted last record is still detected.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
