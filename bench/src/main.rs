//! `make bench`: starts the release server on SQLite and then on PostgreSQL, loads a data set
//! through the API, and drives it with concurrent keep-alive clients. Every figure is printed with
//! its ratio to `/healthz` measured in the same run, and all of them are written to
//! `bench/results.json`.
//!
//! Settings (environment): BENCH_SECONDS (per scenario, default 5), BENCH_CLIENTS (default 16),
//! BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432; unreachable = skipped),
//! BENCH_HISTORY (workers' contestants a year in the dashboard's province, default 100000),
//! BENCH_ONLY (load or dashboard: one part only).

use std::io::Write as _;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod dashboard;
mod results_final;

const ADMIN_PASSWORD: &str = "bench-root-password-2026";

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn start_server(binary: &str, database_url: &str) -> Server {
    let port = free_port();
    let child = Command::new(binary)
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("SKILLCOMP_BIND", format!("127.0.0.1:{port}"))
        .env("SKILLCOMP_JWT_SECRET", "bench-secret-bench-secret-bench-secret-0123")
        .env("SKILLCOMP_ADMIN_USERNAME", "admin")
        .env("SKILLCOMP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("SKILLCOMP_DB_POOL_SIZE", "16")
        // The load comes from one address; the limits themselves are tested in make test.
        .env("SKILLCOMP_LOGIN_PER_IP", "off")
        .env("SKILLCOMP_LOGIN_FAILURES_PER_ACCOUNT", "off")
        .env("SKILLCOMP_SIGNUP_PER_IP", "off")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut child = child;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the server exited at start-up: {status}");
        }
        if ureq::get(&format!("{base}/readyz")).call().is_ok() {
            return Server { child, base };
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the server did not become ready");
}

fn call(agent: &ureq::Agent, method: &str, url: &str, token: Option<&str>, body: Option<&Value>) -> (u16, Value) {
    let mut req = agent.request(method, url);
    if let Some(t) = token {
        req = req.set("Authorization", &format!("Bearer {t}"));
    }
    let result = match body {
        Some(b) => req.send_json(b.clone()),
        None => req.call(),
    };
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => return (0, json!({ "transport_error": e.to_string() })),
    };
    let status = response.status();
    (status, response.into_json().unwrap_or(Value::Null))
}

/// GET without parsing the body (read whole, as a browser would).
fn get_status(agent: &ureq::Agent, url: &str) -> u16 {
    match agent.get(url).call() {
        Ok(r) => {
            let status = r.status();
            let mut body = Vec::new();
            let _ = std::io::Read::read_to_end(&mut r.into_reader(), &mut body);
            status
        }
        Err(ureq::Error::Status(code, _)) => code,
        Err(_) => 0,
    }
}

fn must(agent: &ureq::Agent, method: &str, url: &str, token: Option<&str>, body: Value) -> Value {
    let (status, out) = call(agent, method, url, token, (!body.is_null()).then_some(&body));
    assert!((200..300).contains(&status), "{method} {url}: {status} {out}");
    out
}

/// A valid ID card number (GB 11643) for generated people.
fn id_number(region: &str, birth: &str, seq: u32) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let first17 = format!("{region}{birth}{seq:03}");
    let sum: u32 = first17.chars().zip(WEIGHTS).map(|(c, w)| c.to_digit(10).unwrap_or(0) * w).sum();
    format!("{first17}{}", CHECK[(sum % 11) as usize])
}

/// A name for the i-th generated person: 选手 and the number in Chinese numerals.
fn cjk_name(i: usize) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let digits: String = i.to_string().chars().map(|c| DIGITS[c.to_digit(10).unwrap_or(0) as usize]).collect();
    format!("选手{digits}")
}

#[derive(Clone, Default)]
struct Figures {
    requests: usize,
    failures: usize,
    seconds: f64,
    latencies_us: Vec<u64>,
}

impl Figures {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    fn percentile(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let mut sorted = self.latencies_us.clone();
        sorted.sort_unstable();
        let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[i] as f64 / 1000.0
    }
}

/// Runs `clients` threads for `seconds` (or until `work` says there is no more), each sending
/// requests built by `work(i)`; counts answers other than `expect` as failures.
fn drive(
    clients: usize,
    seconds: u64,
    expect: u16,
    work: Arc<dyn Fn(&ureq::Agent, usize) -> Option<u16> + Send + Sync>,
) -> Figures {
    let next = Arc::new(AtomicUsize::new(0));
    let results = Arc::new(Mutex::new(Figures::default()));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let (next, results, work) = (next.clone(), results.clone(), work.clone());
            std::thread::spawn(move || {
                let agent =
                    ureq::AgentBuilder::new().timeout(Duration::from_secs(30)).max_idle_connections_per_host(1).build();
                let mut local = Figures::default();
                while Instant::now() < deadline {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let t = Instant::now();
                    let Some(status) = work(&agent, i) else { break };
                    local.latencies_us.push(t.elapsed().as_micros() as u64);
                    local.requests += 1;
                    if status != expect {
                        local.failures += 1;
                    }
                }
                let mut all = results.lock().unwrap();
                all.requests += local.requests;
                all.failures += local.failures;
                all.latencies_us.extend(local.latencies_us);
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
    let mut figures = results.lock().unwrap().clone();
    figures.seconds = started.elapsed().as_secs_f64();
    figures
}

struct Report {
    rows: Vec<Value>,
}

impl Report {
    fn add(&mut self, backend: &str, name: &str, f: &Figures, ceiling: f64) {
        let ratio = f.rate() / ceiling;
        println!(
            "  {:<34} {:>9.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  ratio to /healthz {:>6.3}  ({} requests, {} failed)",
            name, f.rate(), f.percentile(0.5), f.percentile(0.99), ratio, f.requests, f.failures
        );
        self.rows.push(json!({
            "backend": backend, "scenario": name, "requests": f.requests, "failures": f.failures,
            "req_per_s": (f.rate() * 10.0).round() / 10.0, "p50_ms": f.percentile(0.5), "p99_ms": f.percentile(0.99),
            "ratio_to_healthz": (ratio * 1000.0).round() / 1000.0,
        }));
    }
}

fn run_backend(binary: &str, backend: &str, database_url: &str, report: &mut Report) {
    let seconds = env_num("BENCH_SECONDS", 5);
    let clients = env_num("BENCH_CLIENTS", 16) as usize;
    println!("\n{backend}: starting {binary} serve");
    let server = start_server(binary, database_url);
    let base = server.base.clone();
    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(60)).build();
    let admin = must(
        &agent,
        "POST",
        &format!("{base}/api/v1/auth/login"),
        None,
        json!({ "username": "admin", "password": ADMIN_PASSWORD }),
    );
    let admin = admin["access_token"].as_str().unwrap().to_string();
    let api = |path: &str| format!("{base}/api/v1{path}");

    // A province, a prefecture that hosts the final, and 40 enterprises nominating contestants.
    let province = must(
        &agent,
        "POST",
        &api("/organisations"),
        Some(&admin),
        json!({ "name": "云南省总工会", "kind": "union", "tier": "province", "region_code": "530000" }),
    );
    let province = province["id"].as_str().unwrap().to_string();
    let kunming = must(
        &agent,
        "POST",
        &api("/organisations"),
        Some(&admin),
        json!({ "name": "昆明市总工会", "kind": "union", "tier": "prefecture", "parent_id": province, "region_code": "530100" }),
    );
    let kunming = kunming["id"].as_str().unwrap().to_string();
    let units: Vec<String> = (0..40)
        .map(|i| must(&agent, "POST", &api("/organisations"), Some(&admin), json!({ "name": format!("示范企业{i:02}"), "kind": "enterprise", "tier": "enterprise", "parent_id": kunming, "region_code": "530102" }))["id"].as_str().unwrap().to_string())
        .collect();
    let trades = must(&agent, "GET", &api("/trades?limit=60"), None, json!(null));
    let trade_ids: Vec<String> =
        trades["items"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()).collect();
    // Dates: registration open now, the final in a month.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    // People's dates are Beijing dates (UTC+8), as the server reads them.
    let date = |days: i64| {
        let d = ((now + 8 * 3600) / 86400 + days) as i32;
        // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
        let z = d + 719468;
        let era = z.div_euclid(146097);
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let dd = doy - (153 * mp + 2) / 5 + 1;
        let mm = if mp < 10 { mp + 3 } else { mp - 9 };
        let yy = yoe + era * 400 + if mm <= 2 { 1 } else { 0 };
        (yy, format!("{yy:04}-{mm:02}-{dd:02}"))
    };
    let (year, start) = date(30);
    let competition = must(
        &agent,
        "POST",
        &api("/competitions"),
        Some(&admin),
        json!({
            "name": "基准测试职工技能大赛", "year": year, "category": "workers_skills", "tier": "prefecture", "class": "district",
            "host_org_id": kunming, "starts_on": start, "ends_on": start,
            "registration_opens_at": format!("{}T00:00:00Z", date(-1).1), "registration_closes_at": format!("{}T00:00:00Z", date(20).1),
        }),
    );
    let competition = competition["id"].as_str().unwrap().to_string();
    let mut events = Vec::new();
    for (i, trade) in trade_ids.iter().take(50).enumerate() {
        let event = must(
            &agent,
            "POST",
            &api(&format!("/competitions/{competition}/events")),
            Some(&admin),
            json!({ "trade_id": trade, "quota_per_organisation": 100000, "review_levels": 1 }),
        );
        let event_id = event["id"].as_str().unwrap().to_string();
        if i == 0 {
            must(
                &agent,
                "POST",
                &api(&format!("/events/{event_id}/documents")),
                Some(&admin),
                json!({ "title": "技术工作文件", "body": "内容" }),
            );
            must(&agent, "POST", &api(&format!("/events/{event_id}/documents/1/publish")), Some(&admin), json!({}));
            must(
                &agent,
                "PUT",
                &api(&format!("/events/{event_id}/marking-scheme")),
                Some(&admin),
                json!({ "title": "评分标准", "sections": [{ "name": "理论", "kind": "theory" }, { "name": "实操", "kind": "practical" }] }),
            );
        }
        events.push(event_id);
    }
    for to in ["published", "registration_open"] {
        must(
            &agent,
            "POST",
            &api(&format!("/competitions/{competition}/transitions")),
            Some(&admin),
            json!({ "to": to }),
        );
    }
    // People to register: enough for the sign-up scenario at a generous rate.
    // The last ones are kept for the judged finals.
    let reserved = JUDGED_CONTESTANTS + results_final::CONTESTANTS;
    let people_count = (seconds as usize * 1200).max(2000) + reserved;
    print!("  creating {people_count} people … ");
    std::io::stdout().flush().ok();
    let people: Arc<Vec<(String, String, String)>> = {
        let created = drive(clients, 3600, 201, {
            let (admin, api_base, units) = (admin.clone(), api(""), units.clone());
            Arc::new(move |agent: &ureq::Agent, i: usize| {
                if i >= people_count {
                    return None;
                }
                let unit = &units[i % units.len()];
                let birth = format!("19{:02}0{}1{}", 70 + (i % 30), 1 + i % 9, i % 10);
                let body = json!({ "full_name": cjk_name(i), "id_number": id_number("530102", &birth, (i / 100 % 999) as u32 + 1), "employer_org_id": unit });
                Some(call(agent, "POST", &format!("{api_base}/persons"), Some(&admin), Some(&body)).0)
            })
        });
        println!(
            "{} created ({} refused as duplicates of a generated number)",
            created.requests - created.failures,
            created.failures
        );
        // Read them back: (person id, unit id).
        let mut all = Vec::new();
        let mut cursor = String::new();
        loop {
            let page = must(&agent, "GET", &api(&format!("/persons?limit=200{cursor}")), Some(&admin), json!(null));
            for p in page["items"].as_array().unwrap() {
                all.push((
                    p["id"].as_str().unwrap().to_string(),
                    p["employer_org_id"].as_str().unwrap().to_string(),
                    p["id_number"].as_str().unwrap().to_string(),
                ));
            }
            match page["next_cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => break,
            }
        }
        Arc::new(all)
    };

    let healthz = drive(clients, seconds, 200, {
        let url = format!("{base}/healthz");
        Arc::new(move |agent: &ureq::Agent, _| Some(call(agent, "GET", &url, None, None).0))
    });
    let ceiling = healthz.rate();
    report.add(backend, "GET /healthz (ceiling)", &healthz, ceiling);

    // What routing and the API's middleware cost on their own: an answer made from memory.
    let regions = drive(clients, seconds, 200, {
        let url = api("/regions");
        Arc::new(move |agent: &ureq::Agent, _| Some(get_status(agent, &url)))
    });
    report.add(backend, "GET /regions (no I/O, 200 rows)", &regions, ceiling);
    let unknown = drive(clients, seconds, 404, {
        let url = api("/no-such-endpoint");
        Arc::new(move |agent: &ureq::Agent, _| Some(get_status(agent, &url)))
    });
    report.add(backend, "GET unknown path (every route tried)", &unknown, ceiling);

    let listing = drive(clients, seconds, 200, {
        let url = api("/competitions?limit=20");
        Arc::new(move |agent: &ureq::Agent, _| Some(call(agent, "GET", &url, None, None).0))
    });
    report.add(backend, "GET /competitions (public list)", &listing, ceiling);

    let detail = drive(clients, seconds, 200, {
        let url = api(&format!("/competitions/{competition}"));
        Arc::new(move |agent: &ureq::Agent, _| Some(call(agent, "GET", &url, None, None).0))
    });
    report.add(backend, "GET /competitions/{id} (50 events)", &detail, ceiling);

    let sign_ups = drive(clients, seconds, 201, {
        let (admin, api_base, people, events) = (admin.clone(), api(""), people.clone(), events.clone());
        Arc::new(move |agent: &ureq::Agent, i: usize| {
            let (person, unit, _) = people[..people.len() - reserved].get(i)?;
            let body = json!({ "person_id": person, "nominating_org_id": unit });
            // Everyone into the one event that is ready: the quota check counts a busy event.
            Some(
                call(
                    agent,
                    "POST",
                    &format!("{api_base}/events/{}/registrations", events[0]),
                    Some(&admin),
                    Some(&body),
                )
                .0,
            )
        })
    });
    report.add(backend, "POST sign-up (registrations)", &sign_ups, ceiling);

    // The reviewer's bulk decision over those sign-ups: a hundred registrations per request.
    let mut waiting = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = must(
            &agent,
            "GET",
            &api(&format!("/registrations?event_id={}&status=submitted&limit=200{cursor}", events[0])),
            Some(&admin),
            json!(null),
        );
        waiting.extend(page["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    let chunks: Arc<Vec<Vec<String>>> = Arc::new(waiting.chunks(100).map(<[String]>::to_vec).collect());
    let decided = Arc::new(AtomicUsize::new(0));
    let reviews = drive(clients.min(4), seconds, 200, {
        let (admin, url, chunks, decided) =
            (admin.clone(), api("/registrations/reviews"), chunks.clone(), decided.clone());
        Arc::new(move |agent: &ureq::Agent, i: usize| {
            let chunk = chunks.get(i)?;
            let body = json!({ "registration_ids": chunk, "action": "approve" });
            let (status, out) = call(agent, "POST", &url, Some(&admin), Some(&body));
            decided.fetch_add(out["reviewed"].as_array().map_or(0, Vec::len), Ordering::Relaxed);
            Some(status)
        })
    });
    report.add(backend, "POST reviews (100 per request)", &reviews, ceiling);
    println!(
        "    {} of {} registrations decided, {:.0} a second",
        decided.load(Ordering::Relaxed),
        waiting.len(),
        decided.load(Ordering::Relaxed) as f64 / reviews.seconds
    );

    let logins = drive(clients.min(8), seconds, 200, {
        let url = api("/auth/login");
        Arc::new(move |agent: &ureq::Agent, _| {
            Some(call(agent, "POST", &url, None, Some(&json!({ "username": "admin", "password": ADMIN_PASSWORD }))).0)
        })
    });
    report.add(backend, "POST /auth/login (argon2id)", &logins, ceiling);

    // A login storm (64 clients) while the public list is read: argon2 runs on its own bounded
    // pool (CPUs − 1 at once, a queue, then 503), so the reads keep a core.
    let storm = std::thread::spawn({
        let url = api("/auth/login");
        move || {
            drive(
                64,
                seconds,
                200,
                Arc::new(move |agent: &ureq::Agent, _| {
                    Some(
                        call(
                            agent,
                            "POST",
                            &url,
                            None,
                            Some(&json!({ "username": "admin", "password": ADMIN_PASSWORD })),
                        )
                        .0,
                    )
                }),
            )
        }
    });
    std::thread::sleep(Duration::from_millis(200));
    let during = drive(clients.min(8), seconds.saturating_sub(1).max(1), 200, {
        let url = api("/competitions?limit=20");
        Arc::new(move |agent: &ureq::Agent, _| Some(call(agent, "GET", &url, None, None).0))
    });
    let storm = storm.join().expect("storm");
    report.add(backend, "GET /competitions during login storm", &during, ceiling);
    report.add(backend, "POST /auth/login storm (64; 503 = shed)", &storm, ceiling);

    let judging = judging_final(
        &agent,
        &base,
        &admin,
        &kunming,
        &trade_ids[1],
        &people[people.len() - JUDGED_CONTESTANTS..],
        &date,
    );
    let judging = Arc::new(judging);
    let sheet_work = |offset: usize| -> Arc<dyn Fn(&ureq::Agent, usize) -> Option<u16> + Send + Sync> {
        let (api_base, judging) = (api(""), judging.clone());
        Arc::new(move |agent: &ureq::Agent, n: usize| {
            let i = n + offset;
            // Each request: one judge's sheet for one station (every aspect), as a tablet sends it.
            let judge = i % JUDGES;
            let station = (i / JUDGES) % JUDGED_CONTESTANTS + 1;
            let marks: Vec<Value> = judging
                .aspects
                .iter()
                .map(|(id, value)| json!({ "aspect_id": id, "station_number": station, "value": value }))
                .collect();
            let response = agent
                .post(&format!("{api_base}/events/{}/judging/marks", judging.event))
                .set("Authorization", &format!("Bearer {}", judging.tokens[judge]))
                .set("Idempotency-Key", &format!("bench-{i}"))
                .send_json(json!({ "marks": marks }));
            Some(match response {
                Ok(r) => r.status(),
                Err(ureq::Error::Status(code, _)) => code,
                Err(_) => 0,
            })
        })
    };
    // Unsaturated first (8 judges at once), then all 64 judges at once on fresh stations.
    let few = drive(8, seconds, 200, sheet_work(0));
    report.add(backend, &format!("POST mark sheet ({ASPECTS} marks, 8 judges)"), &few, ceiling);
    let marks = drive(JUDGES, seconds, 200, sheet_work(JUDGES * JUDGED_CONTESTANTS / 2));
    report.add(backend, &format!("POST mark sheet ({ASPECTS} marks, {JUDGES} judges)"), &marks, ceiling);
    let marks_per_second = marks.rate() * ASPECTS as f64;
    println!("  {:<34} {:>9.0} marks/s", "  = marks entered", marks_per_second);
    report.rows.push(json!({ "backend": backend, "scenario": "marks per second", "marks_per_s": marks_per_second.round(), "p99_ms": marks.percentile(0.99) }));

    let published = results_final::published_final(
        &agent,
        &base,
        &admin,
        &kunming,
        &trade_ids[2],
        &people[people.len() - reserved..people.len() - JUDGED_CONTESTANTS],
        &date,
        clients,
    );
    let mut verify = published.verify_ms.clone();
    verify.sort_by(|a, b| a.total_cmp(b));
    println!(
        "  {:<34} {:>9.0} ms compute and store, {:.0} ms recompute and compare (median of {})",
        "results, 1,000 contestants (API)",
        published.compute_ms,
        verify[verify.len() / 2],
        verify.len()
    );
    report.rows.push(json!({ "backend": backend, "scenario": "results computation via API, 1000 x 3 x 51", "compute_ms": published.compute_ms, "verify_median_ms": verify[verify.len() / 2] }));
    for (name, query) in [("top 20 of 1,000", "?limit=20"), ("all 1,000", "")] {
        let reads = drive(clients, seconds, 200, {
            let url = api(&format!("/events/{}/results{query}", published.event));
            Arc::new(move |agent: &ureq::Agent, _| Some(get_status(agent, &url)))
        });
        report.add(backend, &format!("GET public results ({name})"), &reads, ceiling);
    }
    drop(server);
}

const JUDGES: usize = 64;
const JUDGED_CONTESTANTS: usize = 120;
const ASPECTS: usize = 10;

struct Judging {
    event: String,
    tokens: Vec<String>,
    /// (aspect id, the value every judge gives it)
    aspects: Vec<(String, f64)>,
}

/// A final running today with checked-in contestants and 64 judges assigned to its practical
/// module of ten aspects (eight measurements, two judgements).
fn judging_final(
    agent: &ureq::Agent,
    base: &str,
    admin: &str,
    host: &str,
    trade: &str,
    people: &[(String, String, String)],
    date: &dyn Fn(i64) -> (i32, String),
) -> Judging {
    let api = |path: &str| format!("{base}/api/v1{path}");
    let (year, today) = date(0);
    let competition = must(agent, "POST", &api("/competitions"), Some(admin), json!({
        "name": "基准测试决赛", "year": year, "category": "workers_skills", "tier": "prefecture", "class": "district",
        "host_org_id": host, "starts_on": today, "ends_on": today, "roster_publicity_days": 0,
        "registration_opens_at": format!("{}T00:00:00+08:00", date(-1).1), "registration_closes_at": format!("{today}T23:59:00+08:00"),
    }))["id"].as_str().unwrap().to_string();
    let event = must(
        agent,
        "POST",
        &api(&format!("/competitions/{competition}/events")),
        Some(admin),
        json!({ "trade_id": trade, "review_levels": 1 }),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    must(
        agent,
        "POST",
        &api(&format!("/events/{event}/documents")),
        Some(admin),
        json!({ "title": "技术工作文件", "body": "内容" }),
    );
    must(agent, "POST", &api(&format!("/events/{event}/documents/1/publish")), Some(admin), json!({}));
    let mut practical: Vec<Value> =
        (0..8).map(|i| json!({ "description": format!("尺寸{i}"), "kind": "measurement", "max": 10 })).collect();
    for i in 0..2 {
        practical.push(json!({ "description": format!("工艺{i}"), "kind": "judgement", "max": 10, "descriptors": ["0", "1", "2", "3"] }));
    }
    must(
        agent,
        "PUT",
        &api(&format!("/events/{event}/marking-scheme")),
        Some(admin),
        json!({ "title": "评分标准", "sections": [
            { "name": "理论", "kind": "theory", "criteria": [{ "name": "理论", "aspects": [{ "description": "试卷", "kind": "measurement", "max": 100 }] }] },
            { "name": "实操", "kind": "practical", "criteria": [{ "name": "实操", "aspects": practical }] },
        ]}),
    );
    let transition = |to: &str, reason: Option<&str>| {
        must(
            agent,
            "POST",
            &api(&format!("/competitions/{competition}/transitions")),
            Some(admin),
            json!({ "to": to, "reason": reason }),
        )
    };
    transition("published", None);
    transition("registration_open", None);
    let mut registrations = Vec::new();
    for (person, unit, id_number) in people {
        let r = must(
            agent,
            "POST",
            &api(&format!("/events/{event}/registrations")),
            Some(admin),
            json!({ "person_id": person, "nominating_org_id": unit }),
        );
        let rid = r["id"].as_str().unwrap().to_string();
        must(agent, "POST", &api(&format!("/registrations/{rid}/review")), Some(admin), json!({ "action": "approve" }));
        registrations.push((rid, id_number.clone()));
    }
    transition("registration_closed", Some("bench"));
    transition("roster_publicity", None);
    transition("roster_final", None);
    let judge = |name: String| {
        let password = "Bench-judge-password-1";
        let user = must(
            agent,
            "POST",
            &api("/users"),
            Some(admin),
            json!({ "username": name, "password": password, "grant": { "role": "judge", "organisation_id": host } }),
        );
        let token = must(agent, "POST", &api("/auth/login"), None, json!({ "username": name, "password": password }))
            ["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        (user["id"].as_str().unwrap().to_string(), token)
    };
    let (encryption_id, encryption_token) = judge("bench.encryption".into());
    must(
        agent,
        "POST",
        &api(&format!("/events/{event}/roles")),
        Some(admin),
        json!({ "user_id": encryption_id, "role": "encryption_judge" }),
    );
    must(agent, "POST", &api(&format!("/events/{event}/draw")), Some(&encryption_token), json!({}));
    // The draw and the first check-in move the competition on (its one event leads it).
    for (rid, id_number) in &registrations {
        let ticket = must(agent, "GET", &api(&format!("/registrations/{rid}")), Some(admin), json!(null))
            ["ticket_number"]
            .as_str()
            .unwrap()
            .to_string();
        must(
            agent,
            "POST",
            &api(&format!("/events/{event}/check-in")),
            Some(admin),
            json!({ "ticket_number": ticket, "id_number": id_number }),
        );
    }
    let mut tokens = Vec::new();
    for i in 0..JUDGES {
        let (id, token) = judge(format!("bench.judge{i:02}"));
        must(
            agent,
            "POST",
            &api(&format!("/events/{event}/roles")),
            Some(admin),
            json!({ "user_id": id, "role": "judge" }),
        );
        must(
            agent,
            "POST",
            &api(&format!("/events/{event}/judging/assignments")),
            Some(admin),
            json!({ "user_id": id, "section_index": 1 }),
        );
        tokens.push(token);
    }
    let sheet =
        must(agent, "GET", &api(&format!("/events/{event}/judging/sheet?section=1")), Some(&tokens[0]), json!(null));
    let aspects = sheet["aspects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_str().unwrap().to_string(), if a["kind"] == "judgement" { 2.0 } else { 8.5 }))
        .collect();
    Judging { event, tokens, aspects }
}

fn postgres_reachable(url: &str) -> Option<String> {
    let rest = url.split("://").nth(1)?;
    let host_port = rest.rsplit('@').next()?.split('/').next()?;
    let addr = if host_port.contains(':') { host_port.to_string() } else { format!("{host_port}:5432") };
    std::net::TcpStream::connect_timeout(&addr.parse().ok()?, Duration::from_secs(2)).ok().map(|_| addr)
}

fn psql(server_url: &str, sql: &str) -> bool {
    Command::new("psql")
        .arg(format!("{}/postgres", server_url.trim_end_matches('/')))
        .arg("-qAtc")
        .arg(sql)
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Results computation for a 1,000-contestant event, 3 judges × 50 aspects (150,000 marks plus the
/// theory paper): the scoring and ranking the API runs, timed over repeated runs.
fn computation_benchmark(report: &mut Report) {
    use skillcomp::domain::event::default_tie_breaks;
    use skillcomp::domain::ranking::{centi, rank_with_tie_breaks, Standing};
    use skillcomp::domain::scoring::{station_scores, AspectKind, ScoredAspect};
    let mut aspects = vec![ScoredAspect {
        id: "theory".into(),
        section_index: 0,
        theory: true,
        kind: AspectKind::Measurement,
        max_centi: 10000,
    }];
    for i in 0..50 {
        let judgement = i % 5 == 0;
        aspects.push(ScoredAspect {
            id: format!("a{i}"),
            section_index: 1,
            theory: false,
            kind: if judgement { AspectKind::Judgement } else { AspectKind::Measurement },
            max_centi: 200,
        });
    }
    let stations: Vec<i32> = (1..=1000).collect();
    let mut marks = Vec::with_capacity(151_000);
    // A fixed xorshift sequence: the same marks every run.
    let mut x: u64 = 42;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for &s in &stations {
        marks.push(("theory".to_string(), s, (next() % 10_001) as i32));
        for a in &aspects[1..] {
            for _ in 0..3 {
                let value =
                    if a.kind == AspectKind::Judgement { (next() % 4 * 100) as i32 } else { (next() % 201) as i32 };
                marks.push((a.id.clone(), s, value));
            }
        }
    }
    let chain = default_tie_breaks();
    let runs = 10;
    let mut times = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let scores = station_scores(&aspects, &marks, &stations, (30, 70), &Default::default(), false);
        let standings: Vec<Standing> = scores
            .iter()
            .map(|s| Standing {
                id: s.station.to_string(),
                total: centi(s.total),
                practical: centi(s.practical),
                theory: centi(s.theory),
                elapsed_seconds: None,
                modules: vec![],
            })
            .collect();
        let placings = rank_with_tie_breaks(&standings, &chain, true);
        assert_eq!(placings.len(), 1000);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    println!(
        "\nresults computation, 1,000 contestants x 3 judges x 50 aspects ({} marks): median {:.1} ms, worst {:.1} ms of {runs} runs",
        marks.len(),
        times[runs / 2],
        times[runs - 1]
    );
    report.rows.push(json!({ "backend": "none", "scenario": "results computation (domain), 1000 x 3 x 50", "median_ms": times[runs / 2], "worst_ms": times[runs - 1] }));
}

fn main() {
    let binary = std::env::args().nth(1).unwrap_or_else(|| "target/release/skillcomp".into());
    let mut report = Report { rows: Vec::new() };
    println!(
        "skillcomp bench: {} s per scenario, {} clients",
        env_num("BENCH_SECONDS", 5),
        env_num("BENCH_CLIENTS", 16)
    );
    computation_benchmark(&mut report);

    let dir = std::env::temp_dir().join(format!("skillcomp-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let (load, dashboards) = (only.is_empty() || only == "load", only.is_empty() || only == "dashboard");
    if load {
        run_backend(&binary, "sqlite", &format!("sqlite://{}/bench.db", dir.display()), &mut report);
    }
    if dashboards {
        dashboard::dashboard_benchmark(
            &binary,
            "sqlite",
            &format!("sqlite://{}/province.db", dir.display()),
            &mut report,
        );
    }
    let _ = std::fs::remove_dir_all(&dir);

    let pg = std::env::var("BENCH_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    let postgres = |name: &str, run: &mut dyn FnMut(&str)| {
        if !psql(&pg, &format!("CREATE DATABASE {name}")) {
            println!("\npostgres: could not create a database (is psql installed?); skipped");
            return;
        }
        run(&format!("{}/{name}", pg.trim_end_matches('/')));
        psql(&pg, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    };
    if postgres_reachable(&pg).is_some() {
        let name = format!("skillcomp_bench_{}", std::process::id());
        if load {
            postgres(&name, &mut |url| run_backend(&binary, "postgres", url, &mut report));
        }
        if dashboards {
            postgres(&format!("{name}_province"), &mut |url| {
                dashboard::dashboard_benchmark(&binary, "postgres", url, &mut report)
            });
        }
    } else {
        println!("\npostgres: no server at {pg}; skipped");
    }

    let results = json!({ "machine": { "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0) }, "scenarios": report.rows });
    std::fs::create_dir_all("bench").ok();
    std::fs::write("bench/results.json", serde_json::to_string_pretty(&results).unwrap_or_default())
        .expect("write bench/results.json");
    println!("\nwritten to bench/results.json");
}
