//! Database access: one connection type over SQLite and PostgreSQL, an r2d2 pool that picks the
//! backend from the URL, embedded migrations, and the `Db` handle the API uses to run queries off
//! the async workers.

pub mod schema;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::ApiError;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// A connection to whichever backend `DATABASE_URL` names.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(diesel::SqliteConnection),
    Pg(diesel::PgConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where a database lives, parsed from a URL: `sqlite://relative.db`, `sqlite:///absolute.db`,
/// `postgres://…` or `postgresql://…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbLocation {
    SqliteFile(PathBuf),
    Postgres(String),
}

impl DbLocation {
    pub fn parse(url: &str) -> Result<Self, String> {
        if let Some(rest) = url.strip_prefix("sqlite://") {
            if rest.is_empty() {
                return Err("sqlite URL names no file".into());
            }
            Ok(DbLocation::SqliteFile(PathBuf::from(rest)))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DbLocation::Postgres(url.to_string()))
        } else {
            Err(format!("unsupported DATABASE_URL '{url}': use sqlite://file.db or postgres://…"))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            DbLocation::SqliteFile(_) => Backend::Sqlite,
            DbLocation::Postgres(_) => Backend::Postgres,
        }
    }
}

/// Opens one connection. Unlike the derived `MultiConnection::establish`, it keeps the real
/// error of the backend (a wrong password, a missing database) for the operator to read.
pub fn establish(location: &DbLocation) -> Result<DbConnection, ConnectionError> {
    match location {
        DbLocation::SqliteFile(path) => {
            let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())?;
            // WAL lets readers run beside the single writer; the busy timeout covers the rest.
            conn.batch_execute(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
            )
            .map_err(ConnectionError::CouldntSetupConfiguration)?;
            Ok(DbConnection::Sqlite(conn))
        }
        DbLocation::Postgres(url) => {
            let mut conn = diesel::PgConnection::establish(url)?;
            conn.batch_execute("SET TIME ZONE 'UTC'").map_err(ConnectionError::CouldntSetupConfiguration)?;
            Ok(DbConnection::Pg(conn))
        }
    }
}

#[derive(Debug, Clone)]
pub struct ConnectionManager {
    location: DbLocation,
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = ConnectionError;

    fn connect(&self) -> Result<DbConnection, ConnectionError> {
        establish(&self.location)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectionError> {
        conn.batch_execute("SELECT 1").map_err(ConnectionError::CouldntSetupConfiguration)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

pub type Pool = r2d2::Pool<ConnectionManager>;

/// Applies every pending migration of the connection's backend.
pub fn run_migrations(conn: &mut DbConnection) -> Result<(), String> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConnection::Pg(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
    }
    .map_err(|e| format!("migration failed: {e}"))?;
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    Ok(())
}

/// Reverts every applied migration (used by the up → down → up check).
pub fn revert_all_migrations(conn: &mut DbConnection) -> Result<(), String> {
    match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS).map(|_| ()),
        DbConnection::Pg(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS).map(|_| ()),
    }
    .map_err(|e| format!("revert failed: {e}"))
}

fn prepare_sqlite_file(path: &Path) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create database folder {}: {e}", dir.display()))?;
    }
    Ok(())
}

/// The handle handlers use: a pool, the backend, and for SQLite a writer lock.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    backend: Backend,
    /// SQLite allows one writer; a deferred transaction that reads and then writes can fail with
    /// SQLITE_BUSY when another writer got in between. One in-process lock around write
    /// transactions removes that race (SQLite serves a single node by design).
    sqlite_writer: Option<Arc<Mutex<()>>>,
}

impl Db {
    /// Connects, creating the SQLite file's folder if needed, and applies migrations.
    pub fn open(url: &str, max_connections: u32) -> Result<Self, String> {
        Self::open_with(url, max_connections, true)
    }

    /// Connects; applies pending migrations only when `migrate` (a role that owns nothing
    /// connects without: the owner migrates).
    pub fn open_with(url: &str, max_connections: u32, migrate: bool) -> Result<Self, String> {
        let location = DbLocation::parse(url)?;
        if let DbLocation::SqliteFile(path) = &location {
            prepare_sqlite_file(path)?;
        }
        // Fail early with the backend's own message rather than r2d2's time-out.
        let mut first = establish(&location).map_err(|e| format!("cannot connect to database: {e}"))?;
        if migrate {
            run_migrations(&mut first)?;
        }
        drop(first);
        let backend = location.backend();
        let pool = r2d2::Pool::builder()
            .max_size(max_connections)
            .connection_timeout(Duration::from_secs(10))
            .build(ConnectionManager { location })
            .map_err(|e| format!("cannot build connection pool: {e}"))?;
        let sqlite_writer = (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        Ok(Db { pool, backend, sqlite_writer })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool_state(&self) -> r2d2::State {
        self.pool.state()
    }

    /// Runs `f` on a pooled connection on the blocking pool (no transaction).
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        crate::blocking::off_workers(move || {
            let mut conn = pool.get().map_err(ApiError::from_pool)?;
            f(&mut conn)
        })
        .await
    }

    /// Whether the database answers a query (readiness).
    pub async fn ping(&self) -> Result<(), ApiError> {
        self.read(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SELECT 1").map_err(ApiError::from)
        })
        .await
    }

    /// Runs `f` in one transaction on the blocking pool: all of it is written, or none.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let this = self.clone();
        crate::blocking::off_workers(move || this.write_blocking(f)).await
    }

    /// The same as `write`, for callers already off the async workers (CLI, seeding).
    pub fn write_blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError>,
    {
        let mut conn = self.pool.get().map_err(ApiError::from_pool)?;
        let _guard =
            self.sqlite_writer.as_ref().map(|lock| lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
        let conn: &mut DbConnection = &mut conn;
        match conn {
            // SQLite: take the write lock at BEGIN. A deferred transaction that reads first and
            // then writes fails at once ("database is locked") when another process — a second
            // node on the same file — wrote in between; the busy timeout only covers BEGIN.
            DbConnection::Sqlite(inner) => {
                use diesel::connection::{AnsiTransactionManager, TransactionManager};
                AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
                match f(conn) {
                    Ok(value) => {
                        <DbConnection as Connection>::TransactionManager::commit_transaction(conn)?;
                        Ok(value)
                    }
                    Err(e) => {
                        let _ = <DbConnection as Connection>::TransactionManager::rollback_transaction(conn);
                        Err(e)
                    }
                }
            }
            DbConnection::Pg(_) => conn.transaction(f),
        }
    }

    pub fn read_blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError>,
    {
        let mut conn = self.pool.get().map_err(ApiError::from_pool)?;
        f(&mut conn)
    }
}

/// A time as the database keeps it: truncated to microseconds (PostgreSQL's precision), so what
/// the app wrote and what it reads back compare equal on both backends. "Now" is the clock's
/// (`crate::clock::Clock::now`), which truncates the same way.
pub fn truncate_to_micros(t: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    use chrono::Timelike;
    let micros = t.nanosecond() / 1_000 * 1_000;
    t.with_nanosecond(micros).unwrap_or(t)
}

/// SQL `LIKE` pattern for "contains", with the user's own `%`, `_` and `\` taken literally.
pub fn like_contains(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 2);
    escaped.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    escaped
}

/// Many rows in one INSERT, in chunks of `$chunk`. Multi-row inserts are backend-specific in
/// diesel, so this dispatches on the connection (the row types insert None as NULL — they carry
/// `treat_none_as_default_value = false` — which SQLite's multi-row form needs).
#[macro_export]
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c),
            $crate::db::DbConnection::Pg(c) => diesel::insert_into($table).values($rows).execute(c),
        }
    };
}
