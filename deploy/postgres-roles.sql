-- A PostgreSQL set-up in which the API cannot rewrite its own audit trail.
--
-- Two roles: the OWNER owns the schema and runs the migrations (`skillcomp migrate`, with
-- DATABASE_URL naming the owner); the API (`skillcomp serve` with SKILLCOMP_MIGRATIONS=skip and
-- DATABASE_URL naming skillcomp_api) reads and writes rows, but may not change the audit records,
-- drop or disable their triggers, or alter any table: only a table's owner may do those.
--
-- Run as the owner, in the skillcomp database, after `skillcomp migrate` (and again after each
-- upgrade that adds tables — or rely on the default privileges below):
--   psql "postgres://skillcomp_owner@db/skillcomp" -f deploy/postgres-roles.sql
-- Give skillcomp_api a password (ALTER ROLE skillcomp_api PASSWORD '…') unless the server
-- authenticates it otherwise.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'skillcomp_api') THEN
        CREATE ROLE skillcomp_api LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
    END IF;
END
$$;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO skillcomp_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO skillcomp_api;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO skillcomp_api;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO skillcomp_api;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO skillcomp_api;

-- The trail is appended to, never changed; the migrations' bookkeeping is the owner's.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_records FROM skillcomp_api;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON __diesel_schema_migrations FROM skillcomp_api;
