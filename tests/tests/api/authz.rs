//! The authorisation matrix: every operation of the OpenAPI document × every role, on the objects
//! of one organisation (Kunming's final, taken to proposed awards). Each operation has a row that
//! names who may do it; everyone else must be refused (401 without a token, otherwise 403 or 404).
//! A role that gets a 2xx where its row does not name it fails the test, and so does an operation
//! without a row: a new endpoint must say who may call it.
//!
//! `AUTHZ_DISCOVER=1 cargo test -p skillcomp-tests --test api authz -- --nocapture` sends every
//! caller every operation (changing things as the allowed ones go) and prints what each got: a
//! starting point for a new row, to be read, never copied blindly.
//!
//! Only refusals are sent, so nothing changes while the matrix runs (a refused request writes
//! nothing — that is part of what is checked). What the allowed roles can do is shown by the
//! tests of each area.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};
use skillcomp_tests::{Response, Session};

use crate::judging::{mark_and_lock, review_and_decrypt, running_final_with, Running};

/// The callers, from no one to the organisation's own staff. The admin may do everything and is
/// not listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Caller {
    Anonymous,
    /// The contestant whose registration, person and award are used.
    Contestant,
    /// Another contestant, with nothing of their own here.
    OtherContestant,
    /// A judge of Kunming not appointed to the event.
    Judge,
    /// An organiser of Dali, another prefecture.
    OtherOrganiser,
    /// A trade-union official of Dali.
    OtherOfficial,
    /// Kunming's own organiser, who runs the competition.
    Organiser,
    /// Kunming's trade-union official, the awards' granting body.
    Official,
}

const CALLERS: [Caller; 8] = [
    Caller::Anonymous,
    Caller::Contestant,
    Caller::OtherContestant,
    Caller::Judge,
    Caller::OtherOrganiser,
    Caller::OtherOfficial,
    Caller::Organiser,
    Caller::Official,
];

fn caller(name: &str) -> Caller {
    match name {
        "anonymous" => Caller::Anonymous,
        "contestant" => Caller::Contestant,
        "other_contestant" => Caller::OtherContestant,
        "judge" => Caller::Judge,
        "other_organiser" => Caller::OtherOrganiser,
        "other_official" => Caller::OtherOfficial,
        "organiser" => Caller::Organiser,
        "official" => Caller::Official,
        other => panic!("unknown caller '{other}' in the matrix"),
    }
}

/// Who may call each operation: `public` (everyone), `signed_in` (any account), `admin` (the
/// admin only), or the callers by name.
const MATRIX: &str = include_str!("authz_matrix.txt");

struct World {
    r: Running,
    sessions: BTreeMap<Caller, Option<Session>>,
    ids: HashMap<&'static str, String>,
}

fn must(r: Response, what: &str) -> Value {
    assert!((200..300).contains(&r.status), "{what}: {} {}", r.status, r.text);
    r.body
}

fn world() -> World {
    let r = running_final_with(0, 0, json!({ "appeal_window_minutes": 0 }));
    let srv = &r.srv;
    let admin = srv.admin();
    let event = r.event.clone();
    let detail = srv.request("GET", &format!("/api/v1/events/{event}")).send().body;
    let competition = detail["competition_id"].as_str().unwrap().to_string();
    mark_and_lock(&r);
    // A re-open request waiting for the supervisor.
    let locked = must(srv.get(&format!("/api/v1/events/{event}/judging/stations/1/marks"), &r.chief.0.access), "marks");
    let mark = locked["marks"][0]["id"].as_str().unwrap().to_string();
    let reopen = must(
        srv.post(
            &format!("/api/v1/marks/{mark}/reopen"),
            &r.chief.0.access,
            json!({ "new_value": 1, "reason": "矩阵" }),
        ),
        "reopen",
    );
    review_and_decrypt(&r);
    let review = must(srv.get(&format!("/api/v1/events/{event}/judging/review"), &r.chief.0.access), "review");
    must(srv.post(&format!("/api/v1/events/{event}/results"), &r.host.access, json!({})), "results");
    must(srv.post(&format!("/api/v1/events/{event}/results/publish"), &r.host.access, json!({})), "publish");
    must(srv.post(&format!("/api/v1/events/{event}/results/finalise"), &r.host.access, json!({})), "final");
    must(srv.post(&format!("/api/v1/events/{event}/awards/proposals"), &r.host.access, json!({})), "proposals");
    let awards = must(srv.get(&format!("/api/v1/competitions/{competition}/awards"), &r.host.access), "awards");
    let contestant = srv.login("13800001000", "contestant-password-1");
    let registration =
        must(srv.get("/api/v1/me/registrations", &contestant.access), "mine")[0]["id"].as_str().unwrap().to_string();
    let person = must(srv.get("/api/v1/me", &contestant.access), "me")["person_id"].as_str().unwrap().to_string();
    let award = awards
        .as_array()
        .and_then(|a| a.iter().find(|a| a["person_id"] == person.as_str()).or(a.first()))
        .map(|a| a["id"].as_str().unwrap().to_string())
        .expect("an award");
    let roles = must(srv.get(&format!("/api/v1/events/{event}/roles"), &r.host.access), "roles");
    let (province, kunming, _) = r.orgs.clone();
    let dali = srv.create_org(&admin.access, "大理州总工会", "union", "prefecture", Some(&province), "532900");
    let judge = srv.staff(&admin.access, "judge.unassigned", "judge", Some(&kunming));
    let judge_id = must(srv.get("/api/v1/me", &judge.access), "judge")["id"].as_str().unwrap().to_string();
    let mut sessions = BTreeMap::new();
    sessions.insert(Caller::Anonymous, None);
    sessions.insert(Caller::Contestant, Some(contestant));
    sessions.insert(Caller::OtherContestant, Some(srv.contestant("13900009999")));
    sessions.insert(Caller::Judge, Some(judge));
    sessions.insert(Caller::OtherOrganiser, Some(srv.staff(&admin.access, "org.dali", "organiser", Some(&dali))));
    sessions.insert(Caller::OtherOfficial, Some(srv.staff(&admin.access, "official.dali", "official", Some(&dali))));
    sessions
        .insert(Caller::Organiser, Some(Session { access: r.host.access.clone(), refresh: r.host.refresh.clone() }));
    sessions.insert(Caller::Official, Some(srv.staff(&admin.access, "official.kunming", "official", Some(&kunming))));
    let unknown = "01a20000-0000-7000-8000-000000000000".to_string();
    let trade = srv.request("GET", "/api/v1/trades?q=%E8%BD%A6%E5%B7%A5").send().body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ids = HashMap::from([
        ("competitions", competition),
        ("events", event),
        ("registrations", registration),
        ("awards", award),
        ("marks", mark),
        ("reopen-requests", reopen["id"].as_str().unwrap().to_string()),
        ("review-samples", review["samples"][0]["id"].as_str().unwrap().to_string()),
        ("organisations", kunming),
        ("persons", person),
        ("users", judge_id),
        ("role_id", roles[0]["id"].as_str().unwrap().to_string()),
        ("session_id", detail["sessions"][0]["id"].as_str().unwrap().to_string()),
        ("trades", trade),
        ("unknown", unknown),
    ]);
    World { r, sessions, ids }
}

impl World {
    /// The path with the organisation's real objects in place of its parameters.
    fn fill(&self, template: &str) -> String {
        let parts: Vec<&str> = template.split('/').collect();
        let mut out = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            let filled = match *part {
                "{id}" => self.ids.get(parts[i - 1]).unwrap_or(&self.ids["unknown"]).clone(),
                "{day}" => skillcomp_tests::day(30),
                "{key}" => "quota_per_organisation".into(),
                "{version}" | "{section}" | "{station}" => "1".into(),
                "{role_id}" => self.ids["role_id"].clone(),
                "{session_id}" => self.ids["session_id"].clone(),
                p if p.starts_with('{') => self.ids["unknown"].clone(),
                p => p.to_string(),
            };
            out.push(filled);
        }
        out.join("/")
    }
}

/// The world's object for a field such as `user_id` or `award_ids`.
fn id_for(field: &str, ids: &HashMap<&'static str, String>) -> Option<String> {
    let stem = field.strip_suffix("_ids").or_else(|| field.strip_suffix("_id"))?;
    let key = match stem {
        "user" => "users",
        "award" => "awards",
        "person" => "persons",
        "trade" => "trades",
        "event" => "events",
        "competition" => "competitions",
        "registration" => "registrations",
        _ => "organisations",
    };
    ids.get(key).cloned()
}

/// A body with every required field, of the documented type, from the OpenAPI schema; fields
/// named like `user_id` get the world's object.
fn example_of(field: &str, schema: &Value, doc: &Value, ids: &HashMap<&'static str, String>, depth: usize) -> Value {
    if let Some(id) = id_for(field, ids) {
        return if field.ends_with("_ids") { json!([id]) } else { json!(id) };
    }
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap();
        return example_of(field, &doc["components"]["schemas"][name], doc, ids, depth + 1);
    }
    if depth > 8 {
        return Value::Null;
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) = schema[combinator].as_array().and_then(|v| v.iter().find(|s| s["type"] != "null")) {
            return example_of(field, first, doc, ids, depth + 1);
        }
    }
    if let Some(first) = schema["enum"].as_array().and_then(|v| v.first()) {
        return first.clone();
    }
    let kind = match &schema["type"] {
        Value::Array(types) => types.iter().find(|t| *t != "null").and_then(|t| t.as_str()).unwrap_or("null"),
        Value::String(t) => t.as_str(),
        _ if schema["properties"].is_object() => "object",
        _ => "null",
    };
    match kind {
        "object" => {
            let mut object = Map::new();
            for field in schema["required"].as_array().into_iter().flatten().filter_map(|f| f.as_str()) {
                object.insert(field.into(), example_of(field, &schema["properties"][field], doc, ids, depth + 1));
            }
            Value::Object(object)
        }
        "array" => json!([]),
        "integer" => json!(1),
        "number" => json!(1.0),
        "boolean" => json!(false),
        "string" => match schema["format"].as_str() {
            // Past dates, so that a body is valid and the request meets the authorisation itself
            // (a future date was refused as invalid for everyone, hiding a missing check).
            Some("date") => json!(skillcomp_tests::day(-30)),
            Some("date-time") => json!(skillcomp_tests::beijing(30, "08:00")),
            _ => json!("矩阵测试"),
        },
        _ => Value::Null,
    }
}

struct Row {
    allowed: Vec<Caller>,
    public: bool,
    /// Validated before authorised: a caller not named may get another 4xx (never a 2xx).
    validated_first: bool,
}

fn matrix() -> BTreeMap<(String, String), Row> {
    let mut rows = BTreeMap::new();
    for line in MATRIX.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let mut words = line.split_whitespace();
        let (method, path) = (words.next().unwrap().to_string(), words.next().unwrap().to_string());
        let mut who: Vec<&str> = words.collect();
        let validated_first = who.last() == Some(&"~");
        if validated_first {
            who.pop();
        }
        let (allowed, public) = match who.as_slice() {
            ["public"] => (CALLERS.to_vec(), true),
            ["signed_in"] => (CALLERS.iter().copied().filter(|c| *c != Caller::Anonymous).collect(), false),
            ["admin"] => (Vec::new(), false),
            names => (names.iter().map(|n| caller(n)).collect(), false),
        };
        let row = Row { allowed, public, validated_first };
        assert!(rows.insert((method.clone(), path.clone()), row).is_none(), "{method} {path} has two rows");
    }
    rows
}

/// Required query parameters, with plausible values.
fn query_of(operation: &Value) -> String {
    let pairs: Vec<String> = operation["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query" && p["required"] == true)
        .map(|p| {
            let name = p["name"].as_str().unwrap();
            let value = match (name, p["schema"]["type"].as_str()) {
                ("year", _) => return format!("{name}={}", skillcomp_tests::year_in(0)),
                (_, Some("integer")) => "1",
                _ => "x",
            };
            format!("{name}={value}")
        })
        .collect();
    if pairs.is_empty() {
        String::new()
    } else {
        format!("?{}", pairs.join("&"))
    }
}

fn send(w: &World, who: Caller, method: &str, path: &str, body: Option<&Value>) -> Response {
    let mut request = w.r.srv.request(method, path);
    if matches!(method, "PATCH" | "PUT" | "DELETE") {
        request = request.header("If-Match", "\"1\"");
    }
    if let Some(Some(session)) = w.sessions.get(&who) {
        request = request.token(&session.access);
    }
    match body {
        Some(body) => request.json(body.clone()),
        None if method == "GET" || method == "DELETE" => request.send(),
        None => request.json(json!({})),
    }
}

#[test]
fn every_operation_refuses_every_caller_its_row_does_not_name() {
    let w = world();
    let doc = w.r.srv.request("GET", "/api/openapi.json").send().body;
    let rows = matrix();
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            operations.push((method.to_uppercase(), path.clone(), operation.clone()));
        }
    }
    let discover = std::env::var("AUTHZ_DISCOVER").is_ok();
    let mut missing = Vec::new();
    let mut wrong = Vec::new();
    let mut refusals = 0;
    for (method, path, operation) in &operations {
        let fallback = Row { allowed: Vec::new(), public: false, validated_first: false };
        let row = match rows.get(&(method.clone(), path.clone())) {
            Some(row) => row,
            None => {
                missing.push(format!("{method} {path}"));
                if !discover {
                    continue;
                }
                &fallback
            }
        };
        let documented_public = operation.get("security").is_none();
        if row.public != documented_public && !discover {
            wrong.push(format!(
                "{method} {path}: the document says {}",
                if documented_public { "public" } else { "signed in" }
            ));
        }
        let body = operation["requestBody"]["content"]["application/json"]["schema"]
            .as_object()
            .map(|schema| example_of("", &Value::Object(schema.clone()), &doc, &w.ids, 0));
        let url = w.fill(path) + &query_of(operation);
        let mut seen = Vec::new();
        for who in CALLERS {
            if row.allowed.contains(&who) && !discover {
                continue;
            }
            let answer = send(&w, who, method, &url, body.as_ref());
            seen.push(format!("{who:?}={}", answer.status));
            let refused = match who {
                _ if (200..300).contains(&answer.status) => false,
                Caller::Anonymous => answer.status == 401,
                _ if row.validated_first => (400..500).contains(&answer.status),
                _ => matches!(answer.status, 403 | 404),
            };
            if !refused && !discover {
                wrong.push(format!(
                    "{method} {path} as {who:?}: {} {}",
                    answer.status,
                    answer.text.chars().take(200).collect::<String>()
                ));
            }
            refusals += 1;
        }
        if discover {
            eprintln!("{method:6} {path:60} {}", seen.join(" "));
        }
    }
    eprintln!("authorisation matrix: {} operations, {refusals} refusals checked", operations.len());
    assert!(missing.is_empty(), "operations without a row in authz_matrix.txt:\n  {}", missing.join("\n  "));
    assert!(wrong.is_empty(), "unexpected answers:\n  {}", wrong.join("\n  "));
}
