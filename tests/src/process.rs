//! The `skillcomp` binary as a separate process on a database of a test's choosing: for what an
//! in-process server cannot show — being killed (SIGKILL, SIGTERM) and a second node beside it.
//!
//! It runs `target/debug/skillcomp` (or `SKILLCOMP_BIN`); `make test` builds it first.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::{Request, JWT_SECRET};

pub struct ServerProcess {
    pub base: String,
    child: Child,
    database_url: String,
    env: Vec<(String, String)>,
    agent: ureq::Agent,
    workdir: PathBuf,
}

fn binary() -> PathBuf {
    match std::env::var("SKILLCOMP_BIN") {
        Ok(path) if !path.is_empty() => PathBuf::from(path),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/debug/skillcomp"),
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("address").port()
}

impl ServerProcess {
    /// Starts `skillcomp serve` on `database_url` with the tests' JWT key and waits until it answers.
    pub fn spawn(database_url: &str, env: &[(&str, &str)]) -> ServerProcess {
        let workdir = std::env::temp_dir().join("skillcomp-tests").join(uuid::Uuid::new_v4().simple().to_string());
        std::fs::create_dir_all(&workdir).expect("work dir");
        let mut process = ServerProcess {
            base: String::new(),
            child: Command::new("true").spawn().expect("placeholder"),
            database_url: database_url.to_string(),
            env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            agent: ureq::AgentBuilder::new().timeout(Duration::from_secs(60)).build(),
            workdir,
        };
        process.start();
        process
    }

    fn start(&mut self) {
        let bin = binary();
        assert!(bin.exists(), "{} is missing: cargo build -p skillcomp --bin skillcomp", bin.display());
        let port = free_port();
        let mut command = Command::new(&bin);
        command
            .arg("serve")
            .current_dir(&self.workdir)
            .env("DATABASE_URL", &self.database_url)
            .env("SKILLCOMP_BIND", format!("127.0.0.1:{port}"))
            .env("SKILLCOMP_JWT_SECRET", std::str::from_utf8(JWT_SECRET).expect("ascii key"))
            // The process's clock starts where the tests' clock is now (a debug build honours it).
            .env("SKILLCOMP_CLOCK", crate::test_clock().now_utc().to_rfc3339())
            .env("SKILLCOMP_STATISTICS_SECONDS", "0")
            .env("SKILLCOMP_WORKERS", "2")
            .env("SKILLCOMP_LOGIN_PER_IP", "off")
            .env("SKILLCOMP_SIGNUP_PER_IP", "off")
            .env("SKILLCOMP_LOGIN_FAILURES_PER_ACCOUNT", "off")
            .env("RUST_LOG", "error")
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        for (k, v) in &self.env {
            command.env(k, v);
        }
        let _ = self.child.wait();
        self.child = command.spawn().expect("start skillcomp serve");
        self.base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            if self.agent.get(&format!("{}/healthz", self.base)).call().is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("skillcomp serve exited at start: {status}");
            }
            assert!(started.elapsed() < Duration::from_secs(60), "skillcomp serve did not answer within 60 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn request(&self, method: &str, path: &str) -> Request {
        Request { inner: self.agent.request(method, &format!("{}{path}", self.base)) }
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill").arg(signal).arg(self.child.id().to_string()).status().expect("kill");
        assert!(status.success(), "kill {signal} failed");
    }

    /// SIGKILL: no chance to finish anything. (Takes `&self`, so that it can come while other
    /// threads still send requests.)
    pub fn kill(&self) {
        self.signal("-KILL");
    }

    /// SIGTERM: stop accepting, finish what is in flight, exit.
    pub fn terminate(&self) {
        self.signal("-TERM");
    }

    /// Waits for the process to end.
    pub fn wait(&mut self) -> ExitStatus {
        self.child.wait().expect("wait for the server")
    }

    /// Starts again on the same database (after `kill` or `terminate`).
    pub fn restart(&mut self) {
        self.wait();
        self.start();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.workdir);
    }
}
