//! The test harness: a real `skillcomp` server on an ephemeral port over a fresh database of its
//! own (a SQLite file, or a PostgreSQL database created for the test and dropped after), and a
//! small HTTP client to speak to it.
//!
//! Which backend: `SKILLCOMP_TEST_POSTGRES_URL` (e.g. `postgres://postgres@127.0.0.1:5432`) set
//! means PostgreSQL, otherwise SQLite.

use std::path::PathBuf;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{json, Value};
use skillcomp::clock::Clock;
use skillcomp::domain::time::Zone;

pub use serde_json;

mod process;
pub use process::ServerProcess;

/// The tests' clock: the real time, or — when `SKILLCOMP_CLOCK` is set (an RFC 3339 instant) — a
/// clock that started there when the test process did. Every server a test starts begins at this
/// clock's reading, so "today" in a test and on its server are the same day.
pub fn test_clock() -> &'static Clock {
    static CLOCK: std::sync::OnceLock<Clock> = std::sync::OnceLock::new();
    CLOCK.get_or_init(|| match std::env::var("SKILLCOMP_CLOCK").ok().filter(|v| !v.trim().is_empty()) {
        Some(value) => Clock::starting_at(Clock::parse_start(&value).expect("SKILLCOMP_CLOCK")),
        None => Clock::real(),
    })
}

/// Today in Beijing by the tests' clock.
pub fn today() -> chrono::NaiveDate {
    Zone::BEIJING.date_of(test_clock().now())
}

/// `days` from today (Beijing), as `YYYY-MM-DD`.
pub fn day(days: i64) -> String {
    (today() + chrono::Duration::days(days)).to_string()
}

/// The year of the day `days` from today.
pub fn year_in(days: i64) -> i32 {
    chrono::Datelike::year(&(today() + chrono::Duration::days(days)))
}

/// `days` from today at `hh:mm` Beijing time, as RFC 3339 (`2027-10-02T07:30:00+08:00`).
pub fn beijing(days: i64, hh_mm: &str) -> String {
    format!("{}T{hh_mm}:00+08:00", day(days))
}

pub const ADMIN_USERNAME: &str = "admin";
pub const ADMIN_PASSWORD: &str = "first-boss-password-2026";
pub const JWT_SECRET: &[u8] = b"test-secret-test-secret-test-secret!";

/// A database that exists for one test.
pub enum TestDb {
    Sqlite(PathBuf),
    Postgres { server_url: String, name: String },
}

impl TestDb {
    pub fn create() -> TestDb {
        let unique = uuid::Uuid::new_v4().simple().to_string();
        match std::env::var("SKILLCOMP_TEST_POSTGRES_URL").ok().filter(|v| !v.is_empty()) {
            Some(server_url) => {
                let name = format!("skillcomp_test_{unique}");
                admin_sql(&server_url, &format!("CREATE DATABASE {name}"));
                TestDb::Postgres { server_url: server_url.trim_end_matches('/').to_string(), name }
            }
            None => {
                let dir = std::env::temp_dir().join("skillcomp-tests");
                std::fs::create_dir_all(&dir).expect("temp dir");
                TestDb::Sqlite(dir.join(format!("{unique}.db")))
            }
        }
    }

    pub fn url(&self) -> String {
        match self {
            TestDb::Sqlite(path) => format!("sqlite://{}", path.display()),
            TestDb::Postgres { server_url, name } => format!("{server_url}/{name}"),
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, TestDb::Postgres { .. })
    }

    /// A direct connection, for what a test must do behind the API's back (tampering).
    pub fn connect(&self) -> skillcomp::db::DbConnection {
        let location = skillcomp::db::DbLocation::parse(&self.url()).expect("test url");
        skillcomp::db::establish(&location).expect("connect to test database")
    }
}

fn admin_sql(server_url: &str, sql: &str) {
    use diesel::connection::SimpleConnection;
    let url = format!("{}/postgres", server_url.trim_end_matches('/'));
    let location = skillcomp::db::DbLocation::parse(&url).expect("postgres url");
    let mut conn =
        skillcomp::db::establish(&location).unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {url}: {e}"));
    conn.batch_execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            TestDb::Postgres { server_url, name } => {
                admin_sql(server_url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// A running server. Dropping it stops the server, then removes the database.
pub struct TestServer {
    pub base: String,
    handle: actix_web::dev::ServerHandle,
    thread: Option<JoinHandle<()>>,
    agent: ureq::Agent,
    /// (username, password) printed by `seed-demo`, when the server was started seeded.
    pub demo_accounts: Vec<(String, String)>,
    /// The server's own clock: a test may move it (publicity windows, deadlines).
    pub clock: Clock,
    // Last: dropped after the server stopped.
    pub db: TestDb,
}

impl TestServer {
    pub fn start() -> TestServer {
        Self::start_with(false)
    }

    /// A server over a database loaded with `seed-demo` first.
    pub fn start_seeded() -> TestServer {
        Self::start_with(true)
    }

    /// A server whose settings `adjust` changes first (e.g. CORS origins).
    pub fn start_configured(adjust: impl FnOnce(&mut skillcomp::config::Settings)) -> TestServer {
        Self::start_full(false, adjust)
    }

    fn start_with(seed_demo: bool) -> TestServer {
        Self::start_full(seed_demo, |_| {})
    }

    fn start_full(seed_demo: bool, adjust: impl FnOnce(&mut skillcomp::config::Settings)) -> TestServer {
        // Seeding below writes the audit trail before the server (which installs it) starts.
        skillcomp::config::Settings::for_database("", JWT_SECRET).install_audit_key();
        let db = TestDb::create();
        let clock = Clock::starting_at(test_clock().now_utc());
        let mut demo_accounts = Vec::new();
        if seed_demo {
            let seeded = skillcomp::db::Db::open(&db.url(), 2).expect("open for seeding");
            skillcomp::seed::ensure_reference_data(&seeded, clock.now()).expect("reference data");
            let dir = std::env::temp_dir().join("skillcomp-tests").join(uuid::Uuid::new_v4().simple().to_string());
            let listing = skillcomp::seed::seed_demo(&seeded, &dir, clock.now(), Zone::BEIJING).expect("seed-demo");
            demo_accounts = listing
                .lines()
                .filter_map(|line| {
                    let mut cols = line.split_whitespace();
                    Some((cols.next()?.to_string(), cols.next()?.to_string()))
                })
                .filter(|(user, _)| user != "username" && user != "demo")
                .collect();
            let _ = std::fs::remove_dir_all(&dir);
        }
        let mut settings = skillcomp::config::Settings::for_database(&db.url(), JWT_SECRET);
        settings.bootstrap_admin = Some((ADMIN_USERNAME.into(), ADMIN_PASSWORD.into()));
        settings.json_limit = 64 * 1024;
        settings.clock = clock.clone();
        adjust(&mut settings);
        let clock = settings.clock.clone();
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let state = skillcomp::prepare_state(settings).expect("server state");
                let (server, addrs) = skillcomp::build_server(state).expect("bind");
                tx.send((server.handle(), addrs[0])).expect("report address");
                server.await.expect("server ran");
            })
        });
        let (handle, addr) = rx.recv_timeout(Duration::from_secs(60)).expect("server started");
        let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(60)).build();
        TestServer { base: format!("http://{addr}"), handle, thread: Some(thread), agent, demo_accounts, clock, db }
    }

    pub fn request(&self, method: &str, path: &str) -> Request {
        Request { inner: self.agent.request(method, &format!("{}{path}", self.base)) }
    }

    pub fn get(&self, path: &str, token: &str) -> Response {
        self.request("GET", path).token(token).send()
    }

    pub fn post(&self, path: &str, token: &str, body: Value) -> Response {
        self.request("POST", path).token(token).json(body)
    }

    pub fn login(&self, username: &str, password: &str) -> Session {
        let r = self.request("POST", "/api/v1/auth/login").json(json!({ "username": username, "password": password }));
        assert_eq!(r.status, 200, "login of {username} failed: {}", r.text);
        Session::from(&r)
    }

    pub fn admin(&self) -> Session {
        self.login(ADMIN_USERNAME, ADMIN_PASSWORD)
    }

    /// Creates an organisation as `token` and returns its id.
    pub fn create_org(
        &self,
        token: &str,
        name: &str,
        kind: &str,
        tier: &str,
        parent: Option<&str>,
        region: &str,
    ) -> String {
        let r = self.post(
            "/api/v1/organisations",
            token,
            json!({ "name": name, "kind": kind, "tier": tier, "parent_id": parent, "region_code": region }),
        );
        assert_eq!(r.status, 201, "creating {name}: {}", r.text);
        r.body["id"].as_str().expect("id").to_string()
    }

    /// Creates a staff account with one grant and logs it in.
    pub fn staff(&self, admin_token: &str, username: &str, role: &str, organisation_id: Option<&str>) -> Session {
        let password = "Staff-Pa55word-2026";
        let r = self.post("/api/v1/users", admin_token, json!({ "username": username, "password": password, "grant": { "role": role, "organisation_id": organisation_id } }));
        assert_eq!(r.status, 201, "creating {username}: {}", r.text);
        self.login(username, password)
    }

    /// Signs a contestant up and returns the session.
    pub fn contestant(&self, username: &str) -> Session {
        let r = self
            .request("POST", "/api/v1/auth/signup")
            .json(json!({ "username": username, "password": "contestant-password-1" }));
        assert_eq!(r.status, 201, "sign-up of {username}: {}", r.text);
        Session::from(&r)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        actix_web::rt::System::new().block_on(self.handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

pub struct Session {
    pub access: String,
    pub refresh: String,
}

impl From<&Response> for Session {
    fn from(r: &Response) -> Session {
        Session {
            access: r.body["access_token"].as_str().expect("access_token").to_string(),
            refresh: r.refresh_cookie().expect("the skillcomp_refresh cookie"),
        }
    }
}

pub struct Request {
    inner: ureq::Request,
}

impl Request {
    pub fn token(self, token: &str) -> Self {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.inner = self.inner.set(name, value);
        self
    }

    /// Sends a refresh token as the browser does: in the `skillcomp_refresh` cookie.
    pub fn refresh_cookie(self, refresh_token: &str) -> Self {
        self.header("Cookie", &format!("skillcomp_refresh={refresh_token}"))
    }

    pub fn send(self) -> Response {
        Response::from(self.inner.call())
    }

    pub fn json(self, body: Value) -> Response {
        Response::from(self.inner.send_json(body))
    }

    /// Like `json`, but a connection that fails (a server killed mid-way) is an `Err`, not a panic.
    pub fn try_json(self, body: Value) -> Result<Response, String> {
        match self.inner.send_json(body) {
            Err(ureq::Error::Transport(e)) => Err(e.to_string()),
            other => Ok(Response::from(other)),
        }
    }

    /// Sends the request and returns the status and the raw body (for downloads).
    pub fn send_bytes(self) -> (u16, Vec<u8>) {
        let response = match self.inner.call() {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("request failed: {e}"),
        };
        let status = response.status();
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut response.into_reader(), &mut body).expect("read body");
        (status, body)
    }

    pub fn bytes(self, content_type: &str, body: &[u8]) -> Response {
        Response::from(self.inner.set("Content-Type", content_type).send_bytes(body))
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: String,
    pub etag: Option<String>,
    pub text: String,
    /// The body as JSON (Null when it is not JSON).
    pub body: Value,
    /// Every header, names in lower case.
    pub headers: Vec<(String, String)>,
}

impl From<Result<ureq::Response, ureq::Error>> for Response {
    fn from(result: Result<ureq::Response, ureq::Error>) -> Response {
        let response = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("request failed: {e}"),
        };
        let status = response.status();
        let content_type = response.header("Content-Type").unwrap_or_default().to_string();
        let etag = response.header("ETag").map(String::from);
        let headers = response
            .headers_names()
            .into_iter()
            .filter_map(|name| response.header(&name).map(|v| (name.to_lowercase(), v.to_string())))
            .collect();
        let text = response.into_string().unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Response { status, content_type, etag, text, body, headers }
    }
}

impl Response {
    /// The refresh token the answer set in the `skillcomp_refresh` cookie.
    pub fn refresh_cookie(&self) -> Option<String> {
        let cookie = self.header("set-cookie")?;
        let value = cookie.strip_prefix("skillcomp_refresh=")?.split(';').next()?;
        (!value.is_empty()).then(|| value.to_string())
    }

    /// A header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<String> {
        let name = name.to_lowercase();
        self.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone())
    }

    /// Asserts a problem+json answer with this status and code; returns the body.
    pub fn problem(&self, status: u16, code: &str) -> &Value {
        assert_eq!(self.status, status, "expected {status} {code}, got: {}", self.text);
        assert_eq!(self.content_type, "application/problem+json", "not a problem document: {}", self.text);
        assert_eq!(self.body["code"], code, "wrong code: {}", self.text);
        assert_eq!(self.body["status"], status);
        assert!(self.body["type"].as_str().is_some_and(|t| t.ends_with(code)));
        &self.body
    }

    /// Asserts a 422 naming `field` with `code` among its errors.
    pub fn invalid_field(&self, field: &str, code: &str) {
        self.problem(422, "validation_failed");
        let errors = self.body["errors"].as_array().expect("errors list");
        assert!(
            errors.iter().any(|e| e["field"] == field && e["code"] == code),
            "expected {field}/{code} among {}",
            self.text
        );
    }
}

/// A valid ID card number (GB 11643 check character computed).
pub fn id_number(region: &str, birth: &str, seq: u32) -> String {
    let first17 = format!("{region}{birth}{seq:03}");
    let mut digits = [0u32; 17];
    for (i, c) in first17.chars().enumerate() {
        digits[i] = c.to_digit(10).expect("digit");
    }
    format!("{first17}{}", skillcomp::domain::id_card::check_char(&digits))
}
