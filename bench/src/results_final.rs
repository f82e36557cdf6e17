//! A 1,000-contestant final taken through the API from sign-up to published results: three judges
//! mark 51 aspects (a theory paper and 50 practical aspects) at every station, sign, the chief
//! judge and the supervisor lock, the review sample is checked, the event is decrypted. Then the
//! results computation is timed as the organiser calls it (reading every mark from the database),
//! and the results are published for the public read scenarios.

use std::sync::Arc;
use std::time::Instant;

use serde_json::{json, Value};

use super::{call, drive, must};

pub const CONTESTANTS: usize = 1000;
const JUDGES: usize = 3;
const PRACTICAL_ASPECTS: usize = 50;

pub struct PublishedFinal {
    pub event: String,
    /// POST /events/{id}/results: compute and store, milliseconds.
    pub compute_ms: f64,
    /// POST /events/{id}/results/verify: recompute from the raw marks and compare, milliseconds.
    pub verify_ms: Vec<f64>,
}

/// Runs `work(i)` for i in 0..count on `clients` threads; panics unless every call gave `expect`.
fn all_of(
    what: &str,
    clients: usize,
    count: usize,
    expect: u16,
    work: Arc<dyn Fn(&ureq::Agent, usize) -> u16 + Send + Sync>,
) {
    let figures = drive(
        clients,
        3600,
        expect,
        Arc::new(move |agent: &ureq::Agent, i: usize| (i < count).then(|| work(agent, i))),
    );
    assert_eq!(figures.failures, 0, "{what}: {} of {} calls failed", figures.failures, figures.requests);
}

/// The value every judge gives `aspect` at `station`: the same for all three (no spread to
/// reconcile), different between stations so that the ranking has work to do.
fn mark(station: usize, aspect: usize, judgement: bool, max: f64) -> f64 {
    if judgement {
        ((station + aspect) % 4) as f64
    } else {
        (((station * 7 + aspect * 13) % 101) as f64 / 100.0 * max * 100.0).round() / 100.0
    }
}

#[allow(clippy::too_many_arguments)]
pub fn published_final(
    agent: &ureq::Agent,
    base: &str,
    admin: &str,
    host: &str,
    trade: &str,
    people: &[(String, String, String)],
    date: &dyn Fn(i64) -> (i32, String),
    clients: usize,
) -> PublishedFinal {
    assert!(people.len() >= CONTESTANTS);
    let api = |path: &str| format!("{base}/api/v1{path}");
    let (year, today) = date(0);
    let competition = must(agent, "POST", &api("/competitions"), Some(admin), json!({
        "name": "基准测试千人决赛", "year": year, "category": "workers_skills", "tier": "prefecture", "class": "district",
        "host_org_id": host, "starts_on": today, "ends_on": today, "roster_publicity_days": 0, "results_publicity_days": 0,
        "registration_opens_at": format!("{}T00:00:00+08:00", date(-1).1), "registration_closes_at": format!("{today}T23:59:00+08:00"),
    }))["id"].as_str().unwrap().to_string();
    let event = must(
        agent,
        "POST",
        &api(&format!("/competitions/{competition}/events")),
        Some(admin),
        json!({
            "trade_id": trade, "review_levels": 1, "quota_total": CONTESTANTS, "quota_per_organisation": CONTESTANTS,
            "min_age": 18, "max_age": 60,
        }),
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
    // 50 practical aspects worth 2 points each, every fifth a judgement.
    let practical: Vec<Value> = (0..PRACTICAL_ASPECTS)
        .map(|i| match i % 5 {
            0 => json!({ "description": format!("工艺{i}"), "kind": "judgement", "max": 2, "descriptors": ["差", "合格", "良好", "优秀"] }),
            _ => json!({ "description": format!("尺寸{i}"), "kind": "measurement", "max": 2 }),
        })
        .collect();
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
    let transition = |to: &str| {
        must(
            agent,
            "POST",
            &api(&format!("/competitions/{competition}/transitions")),
            Some(admin),
            json!({ "to": to, "reason": "bench" }),
        )
    };
    transition("published");
    transition("registration_open");

    let started = Instant::now();
    let registrations: Arc<Vec<(String, String)>> = {
        let out = Arc::new(std::sync::Mutex::new(vec![(String::new(), String::new()); CONTESTANTS]));
        let (api_base, admin_token, people, event, sink) =
            (api(""), admin.to_string(), people.to_vec(), event.clone(), out.clone());
        all_of(
            "sign-up and approval",
            clients,
            CONTESTANTS,
            200,
            Arc::new(move |agent: &ureq::Agent, i: usize| {
                let (person, unit, id_number) = &people[i];
                let (status, r) = call(
                    agent,
                    "POST",
                    &format!("{api_base}/events/{event}/registrations"),
                    Some(&admin_token),
                    Some(&json!({ "person_id": person, "nominating_org_id": unit })),
                );
                if status != 201 {
                    eprintln!("sign-up: {status} {r}");
                    return status;
                }
                let rid = r["id"].as_str().unwrap_or_default().to_string();
                sink.lock().unwrap()[i] = (rid.clone(), id_number.clone());
                call(
                    agent,
                    "POST",
                    &format!("{api_base}/registrations/{rid}/review"),
                    Some(&admin_token),
                    Some(&json!({ "action": "approve" })),
                )
                .0
            }),
        );
        let all = out.lock().unwrap().clone();
        Arc::new(all)
    };
    transition("registration_closed");
    transition("roster_publicity");
    transition("roster_final");

    let user = |name: &str, role: &str| {
        let password = "Bench-judge-password-1";
        let id = must(
            agent,
            "POST",
            &api("/users"),
            Some(admin),
            json!({ "username": name, "password": password, "grant": { "role": "judge", "organisation_id": host } }),
        )["id"]
            .as_str()
            .unwrap()
            .to_string();
        must(
            agent,
            "POST",
            &api(&format!("/events/{event}/roles")),
            Some(admin),
            json!({ "user_id": id, "role": role }),
        );
        let token = must(agent, "POST", &api("/auth/login"), None, json!({ "username": name, "password": password }))
            ["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        (id, token)
    };
    let (_, encryption) = user("final.encryption", "encryption_judge");
    let (_, chief) = user("final.chief", "chief_judge");
    let (_, supervisor) = user("final.supervisor", "supervisor");
    let judges: Vec<(String, String)> = (0..JUDGES).map(|j| user(&format!("final.judge{j}"), "judge")).collect();

    must(agent, "POST", &api(&format!("/events/{event}/draw")), Some(&encryption), json!({}));
    // The draw and the first check-in move the competition on (its one event leads it).
    {
        let (api_base, admin_token, registrations, event) =
            (api(""), admin.to_string(), registrations.clone(), event.clone());
        all_of(
            "check-in",
            clients,
            CONTESTANTS,
            200,
            Arc::new(move |agent: &ureq::Agent, i: usize| {
                let (rid, id_number) = &registrations[i];
                let (_, r) = call(agent, "GET", &format!("{api_base}/registrations/{rid}"), Some(&admin_token), None);
                let ticket = r["ticket_number"].as_str().unwrap_or_default();
                call(
                    agent,
                    "POST",
                    &format!("{api_base}/events/{event}/check-in"),
                    Some(&admin_token),
                    Some(&json!({ "ticket_number": ticket, "id_number": id_number })),
                )
                .0
            }),
        );
    }
    for (id, _) in &judges {
        for section in [0, 1] {
            must(
                agent,
                "POST",
                &api(&format!("/events/{event}/judging/assignments")),
                Some(admin),
                json!({ "user_id": id, "section_index": section }),
            );
        }
    }
    // (aspect id, is a judgement, max)
    let aspects: Vec<(String, bool, f64)> = [0, 1]
        .iter()
        .flat_map(|section| {
            must(
                agent,
                "GET",
                &api(&format!("/events/{event}/judging/sheet?section={section}")),
                Some(&judges[0].1),
                json!(null),
            )["aspects"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| (a["id"].as_str().unwrap().to_string(), a["kind"] == "judgement", a["max"].as_f64().unwrap()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(aspects.len(), PRACTICAL_ASPECTS + 1);
    let prepared = started.elapsed().as_secs_f64();
    let started = Instant::now();
    {
        let (api_base, tokens, event, aspects) =
            (api(""), judges.iter().map(|j| j.1.clone()).collect::<Vec<_>>(), event.clone(), aspects.clone());
        all_of(
            "mark sheets",
            clients,
            CONTESTANTS * JUDGES,
            200,
            Arc::new(move |agent: &ureq::Agent, i: usize| {
                let station = i / JUDGES + 1;
                let marks: Vec<Value> = aspects
                .iter()
                .enumerate()
                .map(|(a, (id, judgement, max))| json!({ "aspect_id": id, "station_number": station, "value": mark(station, a, *judgement, *max) }))
                .collect();
                match agent
                    .post(&format!("{api_base}/events/{event}/judging/marks"))
                    .set("Authorization", &format!("Bearer {}", tokens[i % JUDGES]))
                    .set("Idempotency-Key", &format!("final-{i}"))
                    .send_json(json!({ "marks": marks }))
                {
                    Ok(r) => r.status(),
                    Err(ureq::Error::Status(code, r)) => {
                        eprintln!("marks: {code} {}", r.into_string().unwrap_or_default());
                        code
                    }
                    Err(_) => 0,
                }
            }),
        );
    }
    let marking = started.elapsed().as_secs_f64();
    for section in [0, 1] {
        for (_, token) in &judges {
            must(
                agent,
                "POST",
                &api(&format!("/events/{event}/judging/sections/{section}/sign")),
                Some(token),
                json!({}),
            );
        }
        must(
            agent,
            "POST",
            &api(&format!("/events/{event}/judging/sections/{section}/chief-sign")),
            Some(&chief),
            json!({}),
        );
        must(
            agent,
            "POST",
            &api(&format!("/events/{event}/judging/sections/{section}/confirm")),
            Some(&supervisor),
            json!({}),
        );
    }
    let samples = must(agent, "POST", &api(&format!("/events/{event}/judging/review")), Some(&chief), json!({}));
    for s in samples["samples"].as_array().unwrap() {
        must(
            agent,
            "POST",
            &api(&format!("/review-samples/{}", s["id"].as_str().unwrap())),
            Some(&supervisor),
            json!({ "outcome": "checked" }),
        );
    }
    must(agent, "POST", &api(&format!("/events/{event}/judging/decryption")), Some(&encryption), json!({}));
    must(agent, "POST", &api(&format!("/events/{event}/judging/decryption/confirm")), Some(&supervisor), json!({}));
    println!(
        "  1,000-contestant final: prepared in {prepared:.0} s, {} sheets of {} marks entered in {marking:.0} s",
        CONTESTANTS * JUDGES,
        aspects.len()
    );

    let timed = |path: &str| {
        let t = Instant::now();
        let out = must(agent, "POST", &api(path), Some(admin), json!({}));
        (t.elapsed().as_secs_f64() * 1000.0, out)
    };
    let (compute_ms, computed) = timed(&format!("/events/{event}/results"));
    assert_eq!(computed["entries"].as_array().map(Vec::len), Some(CONTESTANTS));
    let verify_ms = (0..5)
        .map(|_| {
            let (ms, verified) = timed(&format!("/events/{event}/results/verify"));
            assert_eq!(verified["identical"], true, "recomputation differs: {verified}");
            ms
        })
        .collect();
    must(agent, "POST", &api(&format!("/events/{event}/results/publish")), Some(admin), json!({}));
    PublishedFinal { event, compute_ms, verify_ms }
}
