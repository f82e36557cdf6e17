//! Running it: metrics, security headers, graceful shutdown, a SIGKILL in the middle of a mark
//! storm, and two nodes on one database. The process tests run the real binary beside the
//! in-process server, on the same database (SQLite file or PostgreSQL, as the run uses).

use std::time::Duration;

use serde_json::{json, Value};
use skillcomp_tests::{ServerProcess, TestServer};

use crate::judging::{running_final_with, Running};

#[test]
fn metrics_count_requests_per_route_and_show_the_pools() {
    let srv = TestServer::start();
    for _ in 0..3 {
        assert_eq!(srv.request("GET", "/api/v1/competitions").send().status, 200);
    }
    srv.request("GET", "/api/v1/competitions/not-a-uuid").send();
    let metrics = srv.request("GET", "/metrics").send();
    assert_eq!(metrics.status, 200);
    assert!(metrics.content_type.starts_with("text/plain"), "{}", metrics.content_type);
    let text = &metrics.text;
    assert!(
        text.contains(r#"skillcomp_http_requests_total{method="GET",route="/api/v1/competitions",status="2xx"} 3"#),
        "{text}"
    );
    // Routes are counted by their pattern, never by the ids in the path.
    assert!(text.contains(r#"route="/api/v1/competitions/{id}",status="4xx"} 1"#), "{text}");
    assert!(!text.contains("not-a-uuid"));
    assert!(text.contains(
        r#"skillcomp_http_request_duration_seconds_bucket{method="GET",route="/api/v1/competitions",le="+Inf"} 3"#
    ));
    for gauge in [
        "skillcomp_db_pool_connections ",
        "skillcomp_db_pool_max_connections 8",
        "skillcomp_password_hashing_in_progress 0",
    ] {
        assert!(text.contains(gauge), "{gauge} missing in {text}");
    }
}

#[test]
fn metrics_can_require_a_token() {
    let srv = TestServer::start_configured(|s| s.metrics_token = Some("scrape-me-please".into()));
    srv.request("GET", "/metrics").send().problem(401, "metrics_token");
    srv.request("GET", "/metrics").token("wrong").send().problem(401, "metrics_token");
    assert_eq!(srv.request("GET", "/metrics").token("scrape-me-please").send().status, 200);
}

#[test]
fn every_answer_carries_the_security_headers() {
    let srv = TestServer::start();
    for path in ["/api/v1/competitions", "/api/v1/nowhere", "/", "/healthz"] {
        let r = srv.request("GET", path).send();
        for (name, value) in [
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "no-referrer"),
            ("cross-origin-opener-policy", "same-origin"),
        ] {
            assert_eq!(r.header(name).as_deref(), Some(value), "{name} on {path}");
        }
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "CSP on {path}: {csp}");
    }
}

#[test]
fn sigterm_lets_requests_in_flight_finish() {
    let db = skillcomp_tests::TestDb::create();
    // One argon2 at a time: twelve sign-ups take a while, and SIGTERM comes in the middle.
    let mut node = ServerProcess::spawn(&db.url(), &[("SKILLCOMP_HASHING_WORKERS", "1")]);
    let answers: Vec<u16> = std::thread::scope(|scope| {
        let node = &node;
        let calls: Vec<_> = (0..12)
            .map(|i| {
                scope.spawn(move || {
                    node.request("POST", "/api/v1/auth/signup")
                        .json(json!({ "username": format!("1390000{i:04}"), "password": "contestant-password-1" }))
                        .status
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(150));
        node.terminate();
        calls.into_iter().map(|c| c.join().unwrap()).collect()
    });
    assert_eq!(answers, vec![201; 12], "every sign-up in flight is answered");
    assert!(node.wait().success(), "a clean exit");
    // Started again: every account is there.
    node.restart();
    for i in 0..12 {
        let r = node
            .request("POST", "/api/v1/auth/login")
            .json(json!({ "username": format!("1390000{i:04}"), "password": "contestant-password-1" }));
        assert_eq!(r.status, 200, "{}", r.text);
    }
}

/// Submission `k` of a judge's storm: the measurement and the deduction at every station, all
/// derived from `k`, so that what is stored tells which submission wrote it.
fn storm_marks(r: &Running, stations: &[i64], k: u32, versions: &[(String, i64, i64)]) -> Value {
    let (measured, deducted) = storm_values(k);
    let mut marks = Vec::new();
    for s in stations {
        for (code, value) in [("2.1.1", measured), ("2.3.1", deducted)] {
            let aspect = r.aspect(code);
            let version = versions.iter().find(|(a, st, _)| *a == aspect && st == s).map(|(_, _, v)| *v);
            marks.push(json!({ "aspect_id": aspect, "station_number": s, "value": value, "version": version }));
        }
    }
    Value::Array(marks)
}

fn storm_values(k: u32) -> (f64, f64) {
    (10.0 + (k % 400) as f64 / 10.0, -((k % 5) as f64))
}

/// (aspect id, station, version) of every mark in a submission's answer.
fn versions_of(answer: &Value) -> Vec<(String, i64, i64)> {
    answer["marks"]
        .as_array()
        .map(|marks| {
            marks
                .iter()
                .map(|m| {
                    let aspect = m["aspect_id"].as_str().unwrap_or_default().to_string();
                    (aspect, m["station_number"].as_i64().unwrap_or(0), m["version"].as_i64().unwrap_or(0))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// What one judge's storm left: the last submission answered 2xx, and the one cut off.
struct StormEnd {
    acknowledged: u32,
    versions: Vec<(String, i64, i64)>,
    cut_off: Option<(u32, Value)>,
}

#[test]
fn a_mark_storm_killed_with_sigkill_keeps_every_acknowledged_mark_and_half_of_nothing() {
    let r = running_final_with(5, 0, json!({}));
    // A second node on the same database, killed in the middle; the first node issued the tokens.
    let mut node = ServerProcess::spawn(&r.srv.db.url(), &[]);
    // Judges A and B (judge C stands aside from two of the three stations).
    let stations: Vec<Vec<i64>> = (0..2).map(|j| r.stations_of(j)).collect();
    let ends: Vec<StormEnd> = std::thread::scope(|scope| {
        let storms: Vec<_> = (0..2)
            .map(|j| {
                let (r, node, stations) = (&r, &node, &stations[j]);
                scope.spawn(move || {
                    let mut end = StormEnd { acknowledged: 0, versions: Vec::new(), cut_off: None };
                    for k in 1.. {
                        let body = json!({ "marks": storm_marks(r, stations, k, &end.versions) });
                        let sent = node
                            .request("POST", &format!("/api/v1/events/{}/judging/marks", r.event))
                            .token(&r.judges[j].0.access)
                            .header("Idempotency-Key", &format!("storm-{j}-{k}"))
                            .try_json(body.clone());
                        match sent {
                            Ok(answer) if answer.status == 200 => {
                                end.acknowledged = k;
                                end.versions = versions_of(&answer.body);
                            }
                            Ok(answer) => panic!("judge {j}, submission {k}: {} {}", answer.status, answer.text),
                            Err(_) => {
                                end.cut_off = Some((k, body));
                                break;
                            }
                        }
                    }
                    end
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(1500));
        node.kill();
        storms.into_iter().map(|s| s.join().unwrap()).collect()
    });
    node.restart();

    for (j, end) in ends.iter().enumerate() {
        assert!(end.acknowledged > 0, "judge {j} got no answer before the kill");
        eprintln!("judge {j}: {} sheets acknowledged before SIGKILL", end.acknowledged);
        let (cut_k, body) = end.cut_off.as_ref().expect("the kill cut a submission off");
        let sheet = node
            .request("GET", &format!("/api/v1/events/{}/judging/sheet?section=1", r.event))
            .token(&r.judges[j].0.access)
            .send();
        assert_eq!(sheet.status, 200, "{}", sheet.text);
        let stored: Vec<(String, i64, f64)> = sheet.body["marks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["aspect_id"].as_str().unwrap().to_string(),
                    m["station_number"].as_i64().unwrap(),
                    m["value"].as_f64().unwrap(),
                )
            })
            .collect();
        // Every mark is from one submission: the last acknowledged, or the one cut off if its
        // transaction had committed — never a mix, never older.
        let written_by = |k: u32| {
            let (measured, deducted) = storm_values(k);
            stored
                .iter()
                .all(|(aspect, _, value)| *value == if *aspect == r.aspect("2.1.1") { measured } else { deducted })
        };
        assert_eq!(stored.len(), stations[j].len() * 2, "judge {j}: {stored:?}");
        assert!(
            written_by(end.acknowledged) || written_by(*cut_k),
            "judge {j}: the marks are neither submission {} (acknowledged) nor {cut_k} (cut off): {stored:?}",
            end.acknowledged
        );
        // The tablet retries what was cut off with the same key: applied once, whichever way.
        let retried = node
            .request("POST", &format!("/api/v1/events/{}/judging/marks", r.event))
            .token(&r.judges[j].0.access)
            .header("Idempotency-Key", &format!("storm-{j}-{cut_k}"))
            .json(body.clone());
        assert_eq!(retried.status, 200, "judge {j}: {}", retried.text);
        let after = node
            .request("GET", &format!("/api/v1/events/{}/judging/sheet?section=1", r.event))
            .token(&r.judges[j].0.access)
            .send();
        let (measured, _) = storm_values(*cut_k);
        assert!(
            after.body["marks"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| m["aspect_id"] == r.aspect("2.1.1"))
                .all(|m| m["value"].as_f64() == Some(measured)),
            "judge {j}: {}",
            after.text
        );
    }
    // The audit chain is whole after the crash.
    let admin = r.srv.admin();
    let verified = node.request("GET", "/api/v1/audit/verify").token(&admin.access).send();
    assert_eq!(verified.status, 200, "{}", verified.text);
    assert_eq!(verified.body["intact"], true, "{}", verified.text);
}

/// Two nodes on one database: a second process beside another.
#[test]
fn two_nodes_share_sessions_and_rate_limits() {
    let db = skillcomp_tests::TestDb::create();
    let limits = [("SKILLCOMP_LOGIN_FAILURES_PER_ACCOUNT", "3/900")];
    let b = ServerProcess::spawn(&db.url(), &limits);
    let c = ServerProcess::spawn(&db.url(), &limits);
    let signed_up = b
        .request("POST", "/api/v1/auth/signup")
        .json(json!({ "username": "13900001111", "password": "contestant-password-1" }));
    assert_eq!(signed_up.status, 201, "{}", signed_up.text);
    let access = signed_up.body["access_token"].as_str().unwrap();
    let refresh = &signed_up.refresh_cookie().unwrap();
    // A token from one node works on the other; a refresh token rotated on one is spent on both.
    assert_eq!(c.request("GET", "/api/v1/me").token(access).send().status, 200);
    let rotated = c.request("POST", "/api/v1/auth/refresh").refresh_cookie(&refresh).send();
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    b.request("POST", "/api/v1/auth/refresh").refresh_cookie(&refresh).send().problem(401, "refresh_token_reused");
    // Failed logins count on both nodes together.
    let attempt = |node: &ServerProcess, password: &str| {
        node.request("POST", "/api/v1/auth/login").json(json!({ "username": "13900001111", "password": password }))
    };
    attempt(&b, "guess-guess-1").problem(401, "invalid_credentials");
    attempt(&c, "guess-guess-1").problem(401, "invalid_credentials");
    attempt(&b, "guess-guess-1").problem(401, "invalid_credentials");
    attempt(&c, "contestant-password-1").problem(429, "rate_limited");
}

#[test]
fn two_nodes_lose_no_write_idempotency_keys_and_if_match_hold_across_them() {
    let r = running_final_with(5, 0, json!({}));
    let b = ServerProcess::spawn(&r.srv.db.url(), &[]);
    let marks_path = format!("/api/v1/events/{}/judging/marks", r.event);
    let sheet = json!({ "marks": storm_marks(&r, &r.stations_of(0), 1, &[]) });
    // A tablet's sheet reaches node A, its retry node B: the same answer, written once.
    let first = r
        .srv
        .request("POST", &marks_path)
        .token(&r.judges[0].0.access)
        .header("Idempotency-Key", "k-1")
        .json(sheet.clone());
    assert_eq!(first.status, 200, "{}", first.text);
    let retry =
        b.request("POST", &marks_path).token(&r.judges[0].0.access).header("Idempotency-Key", "k-1").json(sheet);
    assert_eq!((retry.status, retry.header("idempotent-replayed").as_deref()), (200, Some("true")));
    assert_eq!(retry.body, first.body);
    // Judge B's tablet sends one sheet to both nodes at the same moment: both answers agree.
    let sheet_b = json!({ "marks": storm_marks(&r, &r.stations_of(1), 2, &[]) });
    let (via_a, via_b) = std::thread::scope(|scope| {
        let send_a = scope.spawn(|| {
            r.srv
                .request("POST", &marks_path)
                .token(&r.judges[1].0.access)
                .header("Idempotency-Key", "k-2")
                .json(sheet_b.clone())
        });
        let send_b = scope.spawn(|| {
            b.request("POST", &marks_path)
                .token(&r.judges[1].0.access)
                .header("Idempotency-Key", "k-2")
                .json(sheet_b.clone())
        });
        (send_a.join().unwrap(), send_b.join().unwrap())
    });
    assert_eq!((via_a.status, via_b.status), (200, 200), "{} / {}", via_a.text, via_b.text);
    assert_eq!(via_a.body, via_b.body);

    // Judge A edits one mark from two tablets, one on each node, 25 times each: every edit is
    // made from the version read, a stale one is refused (412) and retried, and none is lost.
    let mark =
        first.body["marks"].as_array().unwrap().iter().find(|m| m["aspect_id"] == r.aspect("2.1.1")).unwrap().clone();
    let mark_id = mark["id"].as_str().unwrap().to_string();
    let start_version = mark["version"].as_i64().unwrap();
    let read_version = |request: skillcomp_tests::Request| -> i64 {
        let sheet = request.token(&r.judges[0].0.access).send();
        sheet.body["marks"].as_array().unwrap().iter().find(|m| m["id"] == mark_id.as_str()).unwrap()["version"]
            .as_i64()
            .unwrap()
    };
    let sheet_path = format!("/api/v1/events/{}/judging/sheet?section=1", r.event);
    let (made, refused): (Vec<u32>, Vec<u32>) = std::thread::scope(|scope| {
        let tablets: Vec<_> = [true, false]
            .into_iter()
            .map(|on_a| {
                let (r, b, mark_id, sheet_path, read_version) = (&r, &b, &mark_id, &sheet_path, &read_version);
                scope.spawn(move || {
                    let request = |method: &str, path: &str| {
                        if on_a {
                            r.srv.request(method, path)
                        } else {
                            b.request(method, path)
                        }
                    };
                    let (mut made, mut refused) = (0, 0);
                    while made < 25 {
                        let version = read_version(request("GET", sheet_path));
                        let edit = request("PATCH", &format!("/api/v1/marks/{mark_id}"))
                            .token(&r.judges[0].0.access)
                            .header("If-Match", &format!("\"{version}\""))
                            // Values differ between tablets: an unchanged value is not a new version.
                            .json(json!({ "value": if on_a { 5 + made } else { 30 + made } }));
                        match edit.status {
                            200 => made += 1,
                            412 => refused += 1,
                            other => panic!("edit: {other} {}", edit.text),
                        }
                    }
                    (made, refused)
                })
            })
            .collect();
        tablets.into_iter().map(|t| t.join().unwrap()).unzip()
    });
    let end_version = read_version(r.srv.request("GET", &sheet_path));
    assert_eq!(
        end_version - start_version,
        50,
        "every successful edit is one version ({made:?} made, {refused:?} refused)"
    );
    eprintln!("two nodes: 50 edits made, {} refused as stale and retried", refused.iter().sum::<u32>());
}

#[test]
fn a_debug_build_runs_on_the_clock_it_is_given() {
    let db = skillcomp_tests::TestDb::create();
    // Noon in Beijing five years from the tests' today: 04:00 UTC.
    let later = skillcomp_tests::today() + chrono::Duration::days(5 * 365);
    let clock = format!("{later}T12:00:00+08:00");
    let node = ServerProcess::spawn(&db.url(), &[("SKILLCOMP_CLOCK", &clock)]);
    let signed_up = node
        .request("POST", "/api/v1/auth/signup")
        .json(json!({ "username": "13900002031", "password": "contestant-password-1" }));
    assert_eq!(signed_up.status, 201, "the tokens it signs are valid by its own clock: {}", signed_up.text);
    let access = signed_up.body["access_token"].as_str().unwrap();
    // Born two years from the tests' today: a valid ID card number only by the node's clock.
    let born = (skillcomp_tests::today() + chrono::Duration::days(2 * 365)).format("%Y%m%d").to_string();
    let person = node
        .request("PUT", "/api/v1/me/person")
        .token(access)
        .json(json!({ "full_name": "李小娜", "id_number": skillcomp_tests::id_number("530102", &born, 124) }));
    assert_eq!(person.status, 201, "{}", person.text);
    let created = person.body["created_at"].as_str().unwrap();
    assert!(created.starts_with(&format!("{later}T04:0")), "{created}");
}
