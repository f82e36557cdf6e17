//! Settings from the environment (`SKILLCOMP_*`, `DATABASE_URL`, `RUST_LOG`; a `.env` file is
//! read when present). Every setting has a safe default so that `skillcomp serve` alone works.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::auth::rate_limit::Limit;
use crate::clock::Clock;
use crate::domain::time::Zone;

#[derive(Clone)]
pub struct Settings {
    pub database_url: String,
    pub bind: String,
    /// HS256 key for access tokens.
    pub jwt_secret: Vec<u8>,
    /// Seals the audit chain (HMAC). `SKILLCOMP_AUDIT_KEY`, else derived from the JWT secret:
    /// either way outside the database.
    pub audit_key: Vec<u8>,
    /// The first audit record sealed with the key (`SKILLCOMP_AUDIT_KEYED_FROM`, default 1): an
    /// installation whose trail began before keying names where keying began.
    pub audit_keyed_from: i64,
    pub static_dir: Option<PathBuf>,
    pub cors_origins: Vec<String>,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// Largest JSON body accepted, in bytes.
    pub json_limit: usize,
    pub workers: Option<usize>,
    pub db_pool_size: u32,
    /// Apply pending migrations at start-up (`SKILLCOMP_MIGRATIONS`, `apply` or `skip`). Skip
    /// when the API connects as a role that owns nothing (`deploy/postgres-roles.sql`); the owner
    /// runs `skillcomp migrate`.
    pub apply_migrations: bool,
    /// Created on start when no admin exists yet (username, password); never a default password.
    /// How old the dashboard's figures may be before they are counted again.
    pub statistics_ttl: Duration,
    /// Where the public reaches the SPA: certificate QR codes point at its verification page.
    pub public_url: String,
    pub bootstrap_admin: Option<(String, String)>,
    /// Login attempts per client address.
    pub login_per_ip: Limit,
    /// Failed logins per account and client address before that address must wait; beyond it,
    /// failures from anywhere slow the account down (`rate_limit::slowdown`), never lock it.
    pub login_failures_per_account: Limit,
    /// Sign-ups per client address.
    pub signup_per_ip: Limit,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpAddr>,
    /// argon2 hashes at once, and how many more may wait (see `auth::hashing`).
    pub hashing_workers: usize,
    pub hashing_queue: usize,
    /// When set, `/metrics` wants it as a bearer token.
    pub metrics_token: Option<String>,
    /// The server's one clock (see `clock`); clones share it.
    pub clock: Clock,
    /// The zone people's dates are read in (`SKILLCOMP_TIMEZONE`, default Asia/Shanghai).
    pub timezone: Zone,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("static_dir", &self.static_dir)
            .field("cors_origins", &self.cors_origins)
            .field("clock", &self.clock)
            .field("timezone", &self.timezone.name())
            .finish_non_exhaustive()
    }
}

/// The URL with any password replaced, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme_end + 3], &credentials[..colon], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/skillcomp.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
const JWT_SECRET_FILE: &str = "data/jwt-secret";

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn var_limit(name: &str, default: Limit) -> Result<Limit, String> {
    var(name).map(|v| Limit::parse(&v).map_err(|e| format!("{name}: {e}"))).unwrap_or(Ok(default))
}

/// One core is left to everything else; a bigger machine hashes on all but one.
fn default_hashing_workers() -> usize {
    std::thread::available_parallelism().map(|n| n.get().saturating_sub(1).max(1)).unwrap_or(1)
}

fn var_parsed<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match var(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| format!("{name}='{v}' is not a valid value")),
    }
}

impl Settings {
    /// Reads the environment. Fails only on a setting that is present but unusable.
    pub fn from_env() -> Result<Settings, String> {
        let _ = dotenvy::dotenv();
        let jwt_secret = match var("SKILLCOMP_JWT_SECRET") {
            Some(secret) if secret.len() >= 32 => secret.into_bytes(),
            Some(_) => return Err("SKILLCOMP_JWT_SECRET must be at least 32 characters".into()),
            None => load_or_create_secret(Path::new(JWT_SECRET_FILE))?,
        };
        let audit_key = match var("SKILLCOMP_AUDIT_KEY") {
            Some(key) if key.len() >= 32 => key.into_bytes(),
            Some(_) => return Err("SKILLCOMP_AUDIT_KEY must be at least 32 characters".into()),
            None => derived_audit_key(&jwt_secret),
        };
        let static_dir = match var("SKILLCOMP_STATIC_DIR") {
            Some(dir) => Some(PathBuf::from(dir)),
            None => Some(PathBuf::from("frontend/dist")).filter(|d| d.join("index.html").exists()),
        };
        let bootstrap_admin = match (var("SKILLCOMP_ADMIN_USERNAME"), var("SKILLCOMP_ADMIN_PASSWORD")) {
            (Some(user), Some(password)) => Some((user, password)),
            (None, None) => None,
            _ => return Err("set both SKILLCOMP_ADMIN_USERNAME and SKILLCOMP_ADMIN_PASSWORD, or neither".into()),
        };
        Ok(Settings {
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string()),
            bind: var("SKILLCOMP_BIND").unwrap_or_else(|| DEFAULT_BIND.to_string()),
            jwt_secret,
            audit_key,
            audit_keyed_from: var_parsed("SKILLCOMP_AUDIT_KEYED_FROM", 1)?,
            static_dir,
            cors_origins: var("SKILLCOMP_CORS_ORIGINS")
                .map(|v| v.split(',').map(|o| o.trim().to_string()).filter(|o| !o.is_empty()).collect())
                .unwrap_or_default(),
            access_token_ttl: Duration::from_secs(var_parsed("SKILLCOMP_ACCESS_TOKEN_SECONDS", 900)?),
            refresh_token_ttl: Duration::from_secs(var_parsed("SKILLCOMP_REFRESH_TOKEN_SECONDS", 14 * 24 * 3600)?),
            json_limit: var_parsed("SKILLCOMP_JSON_LIMIT_BYTES", 256 * 1024)?,
            workers: var("SKILLCOMP_WORKERS")
                .map(|w| w.parse().map_err(|_| format!("SKILLCOMP_WORKERS='{w}' is not a number")))
                .transpose()?,
            db_pool_size: var_parsed("SKILLCOMP_DB_POOL_SIZE", 16)?,
            apply_migrations: match var("SKILLCOMP_MIGRATIONS").as_deref().map(str::trim) {
                None | Some("apply") => true,
                Some("skip") => false,
                Some(other) => return Err(format!("SKILLCOMP_MIGRATIONS='{other}': apply or skip")),
            },
            bootstrap_admin,
            statistics_ttl: Duration::from_secs(var_parsed("SKILLCOMP_STATISTICS_SECONDS", 30)?),
            public_url: var("SKILLCOMP_PUBLIC_URL")
                .unwrap_or_else(|| format!("http://{DEFAULT_BIND}"))
                .trim_end_matches('/')
                .to_string(),
            login_per_ip: var_limit("SKILLCOMP_LOGIN_PER_IP", Limit::new(100, 60))?,
            login_failures_per_account: var_limit("SKILLCOMP_LOGIN_FAILURES_PER_ACCOUNT", Limit::new(5, 900))?,
            signup_per_ip: var_limit("SKILLCOMP_SIGNUP_PER_IP", Limit::new(60, 3600))?,
            trusted_proxies: var("SKILLCOMP_TRUSTED_PROXIES")
                .map(|v| {
                    v.split(',')
                        .map(|p| {
                            p.trim().parse().map_err(|_| format!("SKILLCOMP_TRUSTED_PROXIES: '{p}' is not an address"))
                        })
                        .collect::<Result<Vec<IpAddr>, String>>()
                })
                .transpose()?
                .unwrap_or_default(),
            hashing_workers: var_parsed("SKILLCOMP_HASHING_WORKERS", default_hashing_workers())?,
            hashing_queue: var_parsed("SKILLCOMP_HASHING_QUEUE", 64)?,
            metrics_token: var("SKILLCOMP_METRICS_TOKEN"),
            clock: clock_from_env()?,
            timezone: var("SKILLCOMP_TIMEZONE").map(|z| Zone::parse(&z)).transpose()?.unwrap_or_default(),
        })
    }

    /// Settings for an embedded server in tests or tools: explicit database, ephemeral port.
    pub fn for_database(database_url: &str, jwt_secret: &[u8]) -> Settings {
        Settings {
            database_url: database_url.to_string(),
            bind: "127.0.0.1:0".to_string(),
            jwt_secret: jwt_secret.to_vec(),
            audit_key: derived_audit_key(jwt_secret),
            audit_keyed_from: 1,
            static_dir: None,
            cors_origins: Vec::new(),
            access_token_ttl: Duration::from_secs(900),
            refresh_token_ttl: Duration::from_secs(14 * 24 * 3600),
            json_limit: 256 * 1024,
            workers: Some(2),
            db_pool_size: 8,
            apply_migrations: true,
            bootstrap_admin: None,
            // Tests read their own writes.
            statistics_ttl: Duration::ZERO,
            public_url: format!("http://{DEFAULT_BIND}"),
            // Tests log in far more often than people; the rate-limit tests set their own.
            login_per_ip: Limit::OFF,
            login_failures_per_account: Limit::OFF,
            signup_per_ip: Limit::OFF,
            trusted_proxies: Vec::new(),
            hashing_workers: 2,
            hashing_queue: 256,
            metrics_token: None,
            clock: Clock::real(),
            timezone: Zone::default(),
        }
    }
}

/// The audit chain's key when none is set: an HMAC of a fixed label under the JWT secret, so the
/// two never coincide and neither is in the database.
pub fn derived_audit_key(jwt_secret: &[u8]) -> Vec<u8> {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(jwt_secret).expect("HMAC accepts any key length");
    mac.update(b"skillcomp audit chain key v1");
    mac.finalize().into_bytes().to_vec()
}

impl Settings {
    /// Makes this installation's audit key the one the process seals and checks the chain with.
    pub fn install_audit_key(&self) {
        let key = crate::domain::audit_chain::ChainKey::new(&self.audit_key);
        crate::store::audit::install_key(key, self.audit_keyed_from);
    }
}

/// `SKILLCOMP_CLOCK` starts the clock at another instant in a debug build (tests, rehearsals); a
/// release build runs on the real time whatever it says, and says so.
fn clock_from_env() -> Result<Clock, String> {
    let Some(value) = var("SKILLCOMP_CLOCK") else { return Ok(Clock::real()) };
    let start = Clock::parse_start(&value)?;
    if cfg!(debug_assertions) {
        tracing::warn!(clock = %start.to_rfc3339(), "SKILLCOMP_CLOCK: the server's clock starts at a set instant");
        Ok(Clock::starting_at(start))
    } else {
        tracing::warn!("SKILLCOMP_CLOCK is ignored by a release build: the clock is the real time");
        Ok(Clock::real())
    }
}

/// The key is generated once and kept under `data/` so tokens survive restarts of one node.
/// Several nodes must share `SKILLCOMP_JWT_SECRET` instead.
fn load_or_create_secret(path: &Path) -> Result<Vec<u8>, String> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let existing = existing.trim();
        if existing.len() >= 32 {
            return Ok(existing.as_bytes().to_vec());
        }
    }
    let secret = crate::auth::random_token(48);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    write_private_file(path, &secret).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(secret.into_bytes())
}

/// Writes a file only its owner may read (mode 0600), also when it existed with wider rights.
#[cfg(unix)]
pub fn write_private_file(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
pub fn write_private_file(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_in_logged_urls() {
        assert_eq!(redact_url("postgres://app:s3cret@db:5432/skillcomp"), "postgres://app:***@db:5432/skillcomp");
        assert_eq!(redact_url("postgres://postgres@127.0.0.1/x"), "postgres://postgres@127.0.0.1/x");
        assert_eq!(redact_url("sqlite://data/skillcomp.db"), "sqlite://data/skillcomp.db");
    }
}
