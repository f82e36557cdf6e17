-- Registration, review, roster publicity, draw, admission tickets and check-in.

-- How many review levels an event asks for: 2 = nominating unit, then the host's organisers.
ALTER TABLE events ADD COLUMN review_levels INTEGER NOT NULL DEFAULT 2;
-- Working days the roster is publicised (公示) before it is final; 0 skips the publicity.
ALTER TABLE competitions ADD COLUMN roster_publicity_days INTEGER NOT NULL DEFAULT 7;

CREATE TABLE registrations (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    competition_id TEXT NOT NULL REFERENCES competitions (id) ON DELETE RESTRICT,
    -- The contestant, or a team's captain.
    person_id TEXT NOT NULL REFERENCES persons (id) ON DELETE RESTRICT,
    team_name TEXT,
    -- 推荐单位
    nominating_org_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    status TEXT NOT NULL,
    -- Qualifier origin: admitted from a lower-tier competition's ranking.
    origin_competition_id TEXT REFERENCES competitions (id) ON DELETE SET NULL,
    origin_event_id TEXT REFERENCES events (id) ON DELETE SET NULL,
    origin_rank INTEGER,
    -- Order on the reserve list (候补), for places that fall free.
    reserve_rank INTEGER,
    ticket_number TEXT UNIQUE,
    status_reason TEXT,
    submitted_by TEXT,
    checked_in_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX registrations_event_id_idx ON registrations (event_id, status);
CREATE INDEX registrations_competition_id_idx ON registrations (competition_id);
CREATE INDEX registrations_person_id_idx ON registrations (person_id);
CREATE INDEX registrations_nominating_org_id_idx ON registrations (nominating_org_id, status);
CREATE INDEX registrations_origin_competition_id_idx ON registrations (origin_competition_id);
CREATE INDEX registrations_origin_event_id_idx ON registrations (origin_event_id);
-- One live registration per person and event, whatever races happen.
CREATE UNIQUE INDEX registrations_person_event_live_uq ON registrations (event_id, person_id)
    WHERE status NOT IN ('withdrawn', 'rejected', 'replaced');

CREATE TABLE registration_members (
    id TEXT PRIMARY KEY NOT NULL,
    registration_id TEXT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES persons (id) ON DELETE RESTRICT,
    -- member or advisor (指导教师)
    role TEXT NOT NULL
);
CREATE UNIQUE INDEX registration_members_uq ON registration_members (registration_id, person_id);
CREATE INDEX registration_members_person_id_idx ON registration_members (person_id);

-- The review trail: every decision on a registration, with its comment.
CREATE TABLE registration_reviews (
    id TEXT PRIMARY KEY NOT NULL,
    registration_id TEXT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    comment TEXT,
    actor_user_id TEXT,
    at TIMESTAMP NOT NULL
);
CREATE INDEX registration_reviews_registration_id_idx ON registration_reviews (registration_id);

-- Idempotency-Key: the first answer to a key is the answer to every retry with it.
CREATE TABLE idempotency_keys (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response_status INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX idempotency_keys_uq ON idempotency_keys (user_id, idempotency_key);

-- Public holidays and adjusted working days for publicity windows.
CREATE TABLE calendar_days (
    day DATE PRIMARY KEY NOT NULL,
    -- holiday (no work) or workday (a weekend day worked, 调休)
    kind TEXT NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE publicity_windows (
    id TEXT PRIMARY KEY NOT NULL,
    competition_id TEXT NOT NULL REFERENCES competitions (id) ON DELETE CASCADE,
    -- roster, results or awards
    kind TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX publicity_windows_competition_id_idx ON publicity_windows (competition_id, kind);

CREATE TABLE objections (
    id TEXT PRIMARY KEY NOT NULL,
    registration_id TEXT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    filed_by TEXT NOT NULL,
    grounds TEXT NOT NULL,
    status TEXT NOT NULL,
    ruling TEXT,
    decided_by TEXT,
    decided_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX objections_registration_id_idx ON objections (registration_id);

-- Per-event roles: chief judge, judge, encryption judge, scorer, supervisor, arbiter.
CREATE TABLE event_roles (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX event_roles_uq ON event_roles (event_id, user_id, role);
CREATE INDEX event_roles_user_id_idx ON event_roles (user_id);

-- The draw of an event: its seed reproduces every number.
CREATE TABLE draws (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL UNIQUE REFERENCES events (id) ON DELETE CASCADE,
    seed TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    performed_by TEXT NOT NULL,
    performed_at TIMESTAMP NOT NULL
);

-- The two layers of the draw: contestant → draw number (一次加密), draw number → station (二次加密).
CREATE TABLE draw_assignments (
    registration_id TEXT PRIMARY KEY NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    draw_number INTEGER NOT NULL,
    station_number INTEGER NOT NULL
);
CREATE UNIQUE INDEX draw_assignments_draw_uq ON draw_assignments (event_id, draw_number);
CREATE UNIQUE INDEX draw_assignments_station_uq ON draw_assignments (event_id, station_number);
