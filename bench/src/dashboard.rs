//! The plan dashboard on a generated province: `seed-demo` with five past seasons of
//! `BENCH_HISTORY` (default 100,000) workers' contestants a year, then dashboard requests with
//! varied filters from a provincial and a prefecture official, against `/healthz` on the same
//! server. The first request counts the facts (reported on its own); later ones use the count.

use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use serde_json::json;

use super::{call, drive, env_num, must, start_server, Report};

pub fn dashboard_benchmark(binary: &str, backend: &str, database_url: &str, report: &mut Report) {
    let seconds = env_num("BENCH_SECONDS", 5);
    let clients = env_num("BENCH_CLIENTS", 16) as usize;
    let per_year = env_num("BENCH_HISTORY", 100_000);
    // seed-demo writes its account list under data/ of its working directory: a temporary one.
    let cwd = std::env::temp_dir().join(format!("skillcomp-bench-demo-{}-{backend}", std::process::id()));
    std::fs::create_dir_all(&cwd).expect("temp dir");
    println!("\n{backend}: generating the province with {per_year} workers' contestants a year for 5 years …");
    let started = Instant::now();
    let status = Command::new(std::fs::canonicalize(binary).expect("binary"))
        .arg("seed-demo")
        .current_dir(&cwd)
        .env("DATABASE_URL", database_url)
        .env("SKILLCOMP_DEMO_HISTORY", per_year.to_string())
        .env("RUST_LOG", "error")
        // Its account list (passwords of a throwaway database) is read from the file instead.
        .stdout(std::process::Stdio::null())
        .status()
        .expect("seed-demo");
    assert!(status.success(), "seed-demo failed");
    let seeding = started.elapsed().as_secs_f64();
    let accounts = std::fs::read_to_string(cwd.join("data/demo-accounts.txt")).expect("demo accounts");
    let password = |user: &str| {
        accounts
            .lines()
            .find(|l| l.starts_with(&format!("{user} ")))
            .and_then(|l| l.split_whitespace().nth(1))
            .expect("account")
            .to_string()
    };
    let server = start_server(binary, database_url);
    let base = server.base.clone();
    let agent = ureq::AgentBuilder::new().build();
    let token = |user: &str| {
        must(
            &agent,
            "POST",
            &format!("{base}/api/v1/auth/login"),
            None,
            json!({ "username": user, "password": password(user) }),
        )["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (province, kunming) = (token("official.union"), token("official.kunming"));
    let url = |q: &str| format!("{base}/api/v1/statistics/dashboard{q}");
    let first = Instant::now();
    let (status, body) = call(&agent, "GET", &url(""), Some(&province), None);
    let counting_ms = first.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(status, 200, "{body}");
    // The seasons the history holds (they follow the day the bench runs), newest first.
    let mut years: Vec<String> = body["by_year"]
        .as_array()
        .expect("by_year")
        .iter()
        .filter(|b| b["counts"]["contestants"].as_i64().unwrap_or(0) > 0)
        .map(|b| b["key"].as_str().unwrap_or_default().to_string())
        .collect();
    years.sort_by(|a, b| b.cmp(a));
    assert!(years.len() >= 5, "five seasons of history: {years:?}");
    println!(
        "  seeded in {seeding:.0} s; the first dashboard request counted {} contestants over {years:?} in {counting_ms:.0} ms",
        body["totals"]["contestants"]
    );
    let healthz = drive(clients, seconds, 200, {
        let url = format!("{base}/healthz");
        Arc::new(move |agent: &ureq::Agent, _| Some(call(agent, "GET", &url, None, None).0))
    });
    let ceiling = healthz.rate();
    report.add(backend, "GET /healthz (ceiling, dashboard server)", &healthz, ceiling);
    let queries = [
        format!("?year={}", years[0]),
        format!("?year={}&tier=province", years[1]),
        format!("?year={}&category=workers_skills", years[2]),
        format!("?year={}&region_code=530300", years[3]),
        format!("?year={}", years[4]),
    ];
    let dashboards = drive(clients, seconds, 200, {
        let (province, kunming) = (province.clone(), kunming.clone());
        let urls: Vec<String> = queries.iter().map(|q| url(q)).collect();
        Arc::new(move |agent: &ureq::Agent, i: usize| {
            // Every fifth request is a prefecture official's own view.
            let token = if i % 5 == 4 { &kunming } else { &province };
            Some(call(agent, "GET", &urls[i % urls.len()], Some(token), None).0)
        })
    });
    report.add(backend, "GET /statistics/dashboard (5 y x 100k)", &dashboards, ceiling);
    // Each start page's to-do counts: the provincial organiser (reviews over the whole province),
    // and the two officials (awards they certify).
    let tokens = [token("org.yunnan"), province.clone(), kunming.clone()];
    for (who, t) in ["org.yunnan", "official.union", "official.kunming"].iter().zip(&tokens) {
        let started = Instant::now();
        let (status, body) = call(&agent, "GET", &format!("{base}/api/v1/me/todo"), Some(t), None);
        assert_eq!(status, 200, "{body}");
        println!("  GET /me/todo as {who}: {:.0} ms, alone", started.elapsed().as_secs_f64() * 1000.0);
    }
    let todos = drive(clients, seconds, 200, {
        let url = format!("{base}/api/v1/me/todo");
        Arc::new(move |agent: &ureq::Agent, i: usize| Some(call(agent, "GET", &url, Some(&tokens[i % 3]), None).0))
    });
    report.add(backend, "GET /me/todo (organiser, officials; 5 y history)", &todos, ceiling);
    report.rows.push(json!({ "backend": backend, "scenario": "dashboard: counting the facts (first request)", "ms": counting_ms, "seeding_s": seeding }));
    drop(server);
    let _ = std::fs::remove_dir_all(&cwd);
}
