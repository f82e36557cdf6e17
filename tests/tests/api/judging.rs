//! Judging on a running final: blind sheets, idempotent and versioned marks, conflicts of interest,
//! spread flags, sign-off by two people, and the two-person re-opening of a locked mark.

use serde_json::{json, Value};
use skillcomp_tests::{id_number, Response, Session, TestServer};

use crate::province;
use crate::registration::{at, day, review, sign_up, trade_id, worker};

pub struct Running {
    pub srv: TestServer,
    pub host: Session,
    pub event: String,
    pub judges: Vec<(Session, String)>,
    pub chief: (Session, String),
    pub supervisor: (Session, String),
    /// Contestants' names and ID numbers, which no judge may ever see.
    pub secrets: Vec<String>,
    /// Aspect ids by code.
    pub aspects: Vec<(String, String)>,
    /// The province's organisations: (province, Kunming, Wuhua).
    pub orgs: (String, String, String),
}

fn scheme() -> Value {
    let judgement = |description: &str, max: f64| json!({ "description": description, "kind": "judgement", "max": max, "descriptors": ["不合格", "合格", "良好", "优秀"] });
    json!({
        "title": "车工评分标准",
        "sections": [
            { "name": "理论知识", "kind": "theory", "criteria": [{ "name": "理论", "aspects": [{ "description": "理论试卷", "kind": "measurement", "max": 100 }] }] },
            { "name": "实操模块A", "kind": "practical", "criteria": [
                { "name": "尺寸精度", "aspects": [{ "description": "外圆 Φ40±0.02", "kind": "measurement", "max": 60, "tolerance": "超差不得分" }] },
                { "name": "工艺与表面", "aspects": [judgement("表面粗糙度与纹理", 30.0), judgement("工艺合理性", 10.0)] },
                { "name": "安全文明生产", "aspects": [{ "description": "违规操作扣分", "kind": "deduction", "max": 5 }] }
            ]}
        ]
    })
}

/// `scheme()` with a second practical module (实操模块B, one measurement aspect, code 3.1.1),
/// the two modules weighted (A, B) per cent when given.
fn scheme_with_module_b(weights: Option<(i64, i64)>) -> Value {
    let mut s = scheme();
    let mut module_b = json!({ "name": "实操模块B", "kind": "practical",
        "criteria": [{ "name": "装配", "aspects": [{ "description": "装配精度", "kind": "measurement", "max": 100 }] }] });
    if let Some((a, b)) = weights {
        s["sections"][1]["weight"] = json!(a);
        module_b["weight"] = json!(b);
    }
    s["sections"].as_array_mut().unwrap().push(module_b);
    s
}

pub fn user_id(srv: &TestServer, s: &Session) -> String {
    srv.get("/api/v1/me", &s.access).body["id"].as_str().unwrap().to_string()
}

/// A county final running today: three checked-in contestants (two from one factory, one from
/// another), three judges (the third employed by the first factory), a chief judge, a supervisor.
pub fn running_final() -> Running {
    running_final_with(5, 0, json!({}))
}

/// The same, with the results' publicity length, the event's qualifier count and its appeal window
/// (`appeal_window_minutes` or `appeal_window_working_days`; default 2 hours).
pub fn running_final_with(results_publicity_days: i64, qualifiers: i64, appeal_window: Value) -> Running {
    let mut event = json!({ "qualifiers_count": qualifiers });
    event.as_object_mut().unwrap().extend(appeal_window.as_object().unwrap().clone());
    running_final_on(scheme(), results_publicity_days, event)
}

/// The same as a team event of pairs scored by `team_scoring`: each contestant of
/// `running_final` captains a team with one team-mate (苏和, 扎西 and 王强, men born 1992, usernames
/// 1380000200i, of the captain's unit), who accepted the invitation.
pub fn running_team_final(team_scoring: &str, event: Value) -> Running {
    let mut team = json!({ "name": "车工（团体）", "mode": "team", "team_size": 2, "team_scoring": team_scoring });
    team.as_object_mut().unwrap().extend(event.as_object().unwrap().clone());
    running_final_on(scheme(), 0, team)
}

/// The same, marked by the given scheme (its first two sections those of `scheme()`), the event
/// created with `event`'s settings besides the trade and a one-level review.
fn running_final_on(scheme: Value, results_publicity_days: i64, event: Value) -> Running {
    let p = province();
    let srv = p.srv;
    let admin = p.admin.access.clone();
    let factory = srv.create_org(&admin, "五华示范机床厂", "enterprise", "enterprise", Some(&p.wuhua), "530102");
    let other = srv.create_org(&admin, "五华示范阀门厂", "enterprise", "enterprise", Some(&p.wuhua), "530102");
    let host = srv.staff(&admin, "org.kunming", "organiser", Some(&p.kunming));
    let year = chrono::Datelike::year(&skillcomp_tests::today());
    let competition = srv.post(
        "/api/v1/competitions",
        &host.access,
        json!({
        "name": "昆明市车工决赛", "year": year, "category": "workers_skills", "tier": "prefecture", "class": "district",
        "host_org_id": p.kunming, "starts_on": day(0), "ends_on": day(1), "roster_publicity_days": 0, "results_publicity_days": results_publicity_days,
        "registration_opens_at": at(-2, "00:00:00"), "registration_closes_at": skillcomp_tests::beijing(0, "23:59") }),
    );
    let competition = competition.body["id"].as_str().unwrap().to_string();
    let teams = event["mode"] == "team";
    let created = srv.post(&format!("/api/v1/competitions/{competition}/events"), &host.access, {
        let mut body = json!({ "trade_id": trade_id(&srv, "车工"), "review_levels": 1 });
        body.as_object_mut().unwrap().extend(event.as_object().unwrap().clone());
        body
    });
    assert_eq!(created.status, 201, "{}", created.text);
    let event = created.body["id"].as_str().unwrap().to_string();
    srv.post(&format!("/api/v1/events/{event}/sessions"), &host.access, json!({ "kind": "practical", "name": "实操", "venue": "实训楼", "starts_at": at(0, "00:00:00"), "ends_at": at(0, "23:59:00") }));
    srv.post(
        &format!("/api/v1/events/{event}/documents"),
        &host.access,
        json!({ "title": "技术工作文件", "body": "内容" }),
    );
    srv.post(&format!("/api/v1/events/{event}/documents/1/publish"), &host.access, json!({}));
    let saved = srv.request("PUT", &format!("/api/v1/events/{event}/marking-scheme")).token(&host.access).json(scheme);
    assert_eq!(saved.status, 200, "{}", saved.text);
    let transition = |to: &str, reason: Option<&str>| {
        let r = srv.post(
            &format!("/api/v1/competitions/{competition}/transitions"),
            &host.access,
            json!({ "to": to, "reason": reason }),
        );
        assert_eq!(r.status, 200, "{to}: {}", r.text);
    };
    transition("published", None);
    transition("registration_open", None);
    let mut secrets = Vec::new();
    let mut contestants = Vec::new();
    for (i, (name, unit)) in [("李娜", &factory), ("阿苏·木呷", &factory), ("岩温香", &other)].into_iter().enumerate()
    {
        let id = id_number("530102", "19900101", 300 + 2 * i as u32);
        let (s, _) = worker(&srv, &format!("1380000100{i}"), name, &id, unit);
        let mut body = json!({});
        if teams {
            let mate = ["苏和", "扎西", "王强"][i];
            let mate_id = id_number("530102", "19920202", 401 + 2 * i as u32);
            worker(&srv, &format!("1380000200{i}"), mate, &mate_id, unit);
            body =
                json!({ "team_name": format!("{name}队"), "members": [{ "id_number": mate_id, "full_name": mate }] });
            secrets.extend([mate.to_string(), mate_id]);
        }
        let r = sign_up(&srv, &s.access, &event, body);
        assert_eq!(r.status, 201, "{}", r.text);
        let rid = r.body["id"].as_str().unwrap().to_string();
        if teams {
            let mate = srv.login(&format!("1380000200{i}"), "contestant-password-1");
            let accepted =
                srv.post(&format!("/api/v1/registrations/{rid}/invitation"), &mate.access, json!({ "accept": true }));
            assert_eq!(accepted.status, 200, "{}", accepted.text);
        }
        review(&srv, &host.access, &rid, "approve", None);
        secrets.extend([name.to_string(), id.clone()]);
        contestants.push((rid, id));
    }
    secrets.extend(["五华示范机床厂".to_string(), "五华示范阀门厂".to_string()]);
    transition("registration_closed", Some("提前截止"));
    transition("roster_publicity", None);
    transition("roster_final", None);
    let staff = |name: &str| {
        let s = srv.staff(&admin, name, "judge", Some(&p.kunming));
        let id = user_id(&srv, &s);
        (s, id)
    };
    let judges: Vec<(Session, String)> = ["judge.a", "judge.b", "judge.c"].iter().map(|n| staff(n)).collect();
    let chief = staff("judge.chief");
    let supervisor = staff("judge.supervisor");
    let encryption = staff("judge.enc");
    let arbiter = staff("judge.arbiter");
    // Judge C works at the first factory.
    let c_profile = srv.request("PUT", "/api/v1/me/person").token(&judges[2].0.access).json(
        json!({ "full_name": "陈裁判", "id_number": id_number("530102", "19750101", 555), "employer_org_id": factory }),
    );
    assert_eq!(c_profile.status, 201, "{}", c_profile.text);
    let appoint = |user: &str, role: &str| {
        let r =
            srv.post(&format!("/api/v1/events/{event}/roles"), &host.access, json!({ "user_id": user, "role": role }));
        assert_eq!(r.status, 201, "{}", r.text);
    };
    for (_, id) in &judges {
        appoint(id, "judge");
    }
    appoint(&chief.1, "chief_judge");
    appoint(&supervisor.1, "supervisor");
    appoint(&encryption.1, "encryption_judge");
    appoint(&arbiter.1, "arbiter");
    let drawn = srv.post(&format!("/api/v1/events/{event}/draw"), &encryption.0.access, json!({}));
    assert_eq!(drawn.status, 201, "{}", drawn.text);
    // The competition follows its one event: drawn by the draw, running from the first check-in.
    let status = || srv.request("GET", &format!("/api/v1/competitions/{competition}")).send().body["status"].clone();
    assert_eq!(status(), "drawn");
    for (rid, id) in &contestants {
        let ticket = srv.get(&format!("/api/v1/registrations/{rid}"), &host.access).body["ticket_number"]
            .as_str()
            .unwrap()
            .to_string();
        let r = srv.post(
            &format!("/api/v1/events/{event}/check-in"),
            &host.access,
            json!({ "ticket_number": ticket, "id_number": id }),
        );
        assert_eq!(r.status, 200, "{}", r.text);
    }
    assert_eq!(status(), "running");
    // Every judge marks the practical module; judge A also the theory paper.
    for (_, id) in &judges {
        let r = srv.post(
            &format!("/api/v1/events/{event}/judging/assignments"),
            &host.access,
            json!({ "user_id": id, "section_index": 1 }),
        );
        assert_eq!(r.status, 200, "{}", r.text);
    }
    srv.post(
        &format!("/api/v1/events/{event}/judging/assignments"),
        &host.access,
        json!({ "user_id": judges[0].1, "section_index": 0 }),
    );
    let detail = srv.request("GET", &format!("/api/v1/events/{event}")).send();
    assert_eq!(detail.body["marking_scheme"]["locked"], true, "the scheme locks when the competition runs");
    let sheet = srv.get(&format!("/api/v1/events/{event}/judging/sheet?section=1"), &judges[0].0.access);
    let aspects = sheet.body["aspects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["code"].as_str().unwrap().to_string(), a["id"].as_str().unwrap().to_string()))
        .collect();
    let orgs = (p.province.clone(), p.kunming.clone(), p.wuhua.clone());
    Running { srv, host, event, judges, chief, supervisor, secrets, aspects, orgs }
}

impl Running {
    pub fn aspect(&self, code: &str) -> String {
        self.aspects.iter().find(|(c, _)| c == code).unwrap_or_else(|| panic!("no aspect {code}")).1.clone()
    }

    pub fn submit(&self, judge: usize, marks: Value, key: Option<&str>) -> Response {
        let mut r = self
            .srv
            .request("POST", &format!("/api/v1/events/{}/judging/marks", self.event))
            .token(&self.judges[judge].0.access);
        if let Some(k) = key {
            r = r.header("Idempotency-Key", k);
        }
        r.json(json!({ "marks": marks }))
    }

    /// A full practical sheet for a judge at the given stations.
    fn sheet(&self, stations: &[i64], judgement: f64) -> Value {
        let mut marks = Vec::new();
        for s in stations {
            marks.push(json!({ "aspect_id": self.aspect("2.1.1"), "station_number": s, "value": 52.5 }));
            marks.push(json!({ "aspect_id": self.aspect("2.2.1"), "station_number": s, "value": judgement }));
            marks.push(json!({ "aspect_id": self.aspect("2.2.2"), "station_number": s, "value": judgement }));
            marks.push(json!({ "aspect_id": self.aspect("2.3.1"), "station_number": s, "value": 0 }));
        }
        Value::Array(marks)
    }

    pub fn stations_of(&self, judge: usize) -> Vec<i64> {
        let sheet = self
            .srv
            .get(&format!("/api/v1/events/{}/judging/sheet?section=1", self.event), &self.judges[judge].0.access);
        sheet.body["stations"].as_array().unwrap().iter().map(|s| s.as_i64().unwrap()).collect()
    }
}

#[test]
fn judges_see_stations_never_names_and_a_retried_sheet_writes_nothing_twice() {
    let r = running_final();
    let srv = &r.srv;
    let sheet = srv.get(&format!("/api/v1/events/{}/judging/sheet?section=1", r.event), &r.judges[0].0.access);
    assert_eq!(sheet.status, 200, "{}", sheet.text);
    assert_eq!(sheet.body["stations"], json!([1, 2, 3]));
    assert_eq!(sheet.body["aspects"].as_array().unwrap().len(), 4);
    assert_eq!(sheet.body["aspects"][1]["descriptors"][3], "优秀");
    for secret in &r.secrets {
        assert!(!sheet.text.contains(secret.as_str()), "the sheet reveals {secret}");
    }
    // Nor can a judge reach names any other way.
    let j = &r.judges[0].0.access;
    srv.get(&format!("/api/v1/registrations?event_id={}", r.event), j).problem(403, "forbidden");
    srv.get("/api/v1/persons", j).problem(403, "forbidden");
    srv.get(&format!("/api/v1/events/{}/draw", r.event), j).problem(403, "draw_sealed");

    // A whole sheet with an idempotency key, sent twice (the tablet retried): one set of marks.
    let marks = r.sheet(&[1, 2, 3], 2.0);
    let first = r.submit(0, marks.clone(), Some("tablet-a-sheet-1"));
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.body["saved"], 12);
    let retry = r.submit(0, marks, Some("tablet-a-sheet-1"));
    assert_eq!(retry.body, first.body);
    let progress = srv.get(&format!("/api/v1/events/{}/judging/progress", r.event), &r.host.access);
    let a = progress.body["judges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["judge"] == "judge.a" && p["section_index"] == 1)
        .unwrap()
        .clone();
    assert_eq!((a["expected"].as_i64(), a["entered"].as_i64()), (Some(12), Some(12)));
    for secret in &r.secrets {
        assert!(!retry.text.contains(secret.as_str()) && !progress.text.contains(secret.as_str()));
    }
}

#[test]
fn marks_are_range_checked_and_a_judge_stands_aside_from_their_own_organisation() {
    let r = running_final();
    r.submit(0, json!([{ "aspect_id": r.aspect("2.2.1"), "station_number": 1, "value": 2.5 }]), None)
        .invalid_field("marks[0].value", "out_of_range");
    r.submit(0, json!([{ "aspect_id": r.aspect("2.1.1"), "station_number": 1, "value": 61 }]), None)
        .invalid_field("marks[0].value", "out_of_range");
    r.submit(0, json!([{ "aspect_id": r.aspect("2.3.1"), "station_number": 1, "value": 1 }]), None)
        .invalid_field("marks[0].value", "out_of_range");
    r.submit(0, json!([{ "aspect_id": r.aspect("2.1.1"), "station_number": 9, "value": 10 }]), None)
        .invalid_field("marks[0].station_number", "unknown_station");
    // Judge C works at the factory of two of the three contestants: those stations answer exactly
    // as a station where no one competes, and the sheet does not list them.
    let nobody = r.submit(2, json!([{ "aspect_id": r.aspect("2.1.1"), "station_number": 9, "value": 50 }]), None);
    let mut refused = 0;
    for station in 1..=3 {
        let out =
            r.submit(2, json!([{ "aspect_id": r.aspect("2.1.1"), "station_number": station, "value": 50 }]), None);
        if out.status == 422 {
            out.invalid_field("marks[0].station_number", "unknown_station");
            assert_eq!(out.text.replace(&format!("station {station}"), "station 9"), nobody.text);
            for secret in &r.secrets {
                assert!(!out.text.contains(secret.as_str()), "the refusal reveals {secret}");
            }
            refused += 1;
        } else {
            assert_eq!(out.status, 200, "{}", out.text);
        }
    }
    assert_eq!(refused, 2);
    let sheet = r.srv.get(&format!("/api/v1/events/{}/judging/sheet?section=1", r.event), &r.judges[2].0.access);
    assert_eq!(sheet.body["stations"].as_array().unwrap().len(), 1, "{}", sheet.text);
    // A declared relation works the same way: judge A is related to the third contestant. Once
    // appointed, the judge cannot declare it themselves; the host's organisers do.
    r.srv
        .post("/api/v1/me/relations", &r.judges[0].0.access, json!({ "id_number": r.secrets[5], "relation": "亲属" }))
        .problem(409, "profile_frozen");
    let declared = r.srv.post(
        &format!("/api/v1/events/{}/relations", r.event),
        &r.host.access,
        json!({ "user_id": r.judges[0].1, "id_number": r.secrets[5], "relation": "亲属" }),
    );
    assert_eq!(declared.status, 201, "{}", declared.text);
    let blocked = (1..=3)
        .filter(|s| {
            r.submit(0, json!([{ "aspect_id": r.aspect("2.1.1"), "station_number": s, "value": 50 }]), None).status
                == 422
        })
        .count();
    assert_eq!(blocked, 1);
}

#[test]
fn a_stale_edit_gets_412_and_of_two_simultaneous_edits_one_wins() {
    let r = running_final();
    let first = r.submit(0, json!([{ "aspect_id": r.aspect("2.1.1"), "station_number": 1, "value": 50 }]), None);
    let mark = first.body["marks"][0].clone();
    let id = mark["id"].as_str().unwrap();
    // Changing it without saying which version was read is refused; with a stale one, 412.
    r.submit(0, json!([{ "aspect_id": r.aspect("2.1.1"), "station_number": 1, "value": 51 }]), None)
        .problem(428, "version_required");
    let changed =
        r.submit(0, json!([{ "aspect_id": r.aspect("2.1.1"), "station_number": 1, "value": 51, "version": 1 }]), None);
    assert_eq!(changed.body["marks"][0]["version"], 2, "{}", changed.text);
    r.submit(0, json!([{ "aspect_id": r.aspect("2.1.1"), "station_number": 1, "value": 52, "version": 1 }]), None)
        .problem(412, "stale_version");
    // Two edits from version 2 at once.
    let barrier = std::sync::Barrier::new(2);
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = [53.0, 54.0]
            .into_iter()
            .map(|value| {
                let (barrier, r) = (&barrier, &r);
                scope.spawn(move || {
                    barrier.wait();
                    r.srv
                        .request("PATCH", &format!("/api/v1/marks/{id}"))
                        .token(&r.judges[0].0.access)
                        .header("If-Match", "\"2\"")
                        .json(json!({ "value": value }))
                        .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut sorted = statuses.clone();
    sorted.sort();
    assert_eq!(sorted, [200, 412], "{statuses:?}");
    // Another judge cannot touch it.
    r.srv
        .request("PATCH", &format!("/api/v1/marks/{id}"))
        .token(&r.judges[1].0.access)
        .header("If-Match", "\"3\"")
        .json(json!({ "value": 1 }))
        .problem(404, "not_found");
}

#[test]
fn a_spread_is_flagged_reconciled_and_sheets_lock_after_two_signatures() {
    let r = running_final();
    let srv = &r.srv;
    // A gives 3, B gives 1 on the judgement aspects: more than a point apart everywhere.
    assert_eq!(r.submit(0, r.sheet(&[1, 2, 3], 3.0), None).status, 200);
    let b = r.submit(1, r.sheet(&[1, 2, 3], 1.0), None);
    assert_eq!(b.body["flagged"].as_array().unwrap().len(), 6, "{}", b.text);
    let c_stations: Vec<i64> = r
        .stations_of(2)
        .into_iter()
        .filter(|s| {
            r.submit(2, json!([{ "aspect_id": r.aspect("2.1.1"), "station_number": s, "value": 52.5 }]), None).status
                == 200
        })
        .collect();
    assert_eq!(c_stations.len(), 1);
    assert_eq!(r.submit(2, r.sheet(&c_stations, 2.0), None).status, 200);
    // Judges cannot sign over open flags; the chief judge sees the scores side by side.
    srv.post(&format!("/api/v1/events/{}/judging/sections/1/sign", r.event), &r.judges[0].0.access, json!({}))
        .problem(409, "flags_open");
    srv.get(&format!("/api/v1/events/{}/judging/flags", r.event), &r.judges[0].0.access).problem(403, "forbidden");
    let flags = srv.get(&format!("/api/v1/events/{}/judging/flags", r.event), &r.chief.0.access);
    let flags = flags.body.as_array().unwrap().clone();
    assert_eq!(flags.len(), 6);
    // One flag: a re-score. Judge B moves to 2, and the chief records the reconciliation.
    let flag =
        flags.iter().find(|f| f["aspect_code"] == "2.2.1" && f["values"].as_array().unwrap().len() == 2).unwrap();
    let values: Vec<f64> = flag["values"].as_array().unwrap().iter().map(|v| v["value"].as_f64().unwrap()).collect();
    assert_eq!(values.iter().cloned().fold(f64::MIN, f64::max) - values.iter().cloned().fold(f64::MAX, f64::min), 2.0);
    let rescore =
        srv.post(&format!("/api/v1/flags/{}/rescore", flag["id"].as_str().unwrap()), &r.chief.0.access, json!({}));
    assert_eq!(rescore.body["status"], "rescore_requested", "{}", rescore.text);
    let station = flag["station_number"].as_i64().unwrap();
    let b_mark = srv.get(&format!("/api/v1/events/{}/judging/sheet?section=1", r.event), &r.judges[1].0.access).body
        ["marks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["aspect_id"] == r.aspect("2.2.1").as_str() && m["station_number"] == station)
        .unwrap()
        .clone();
    assert_eq!(b_mark["status"], "flagged");
    let rescored = r.submit(1, json!([{ "aspect_id": r.aspect("2.2.1"), "station_number": station, "value": 2, "version": b_mark["version"] }]), None);
    assert_eq!(rescored.status, 200, "{}", rescored.text);
    for f in &flags {
        let done = srv.post(
            &format!("/api/v1/flags/{}/reconcile", f["id"].as_str().unwrap()),
            &r.chief.0.access,
            json!({ "note": "裁判长复议：评分在描述范围内，维持" }),
        );
        assert_eq!(done.body["status"], "reconciled", "{}", done.text);
    }
    // Sign-off: the chief judge waits for every judge; a judge's signed marks no longer change.
    srv.post(&format!("/api/v1/events/{}/judging/sections/1/chief-sign", r.event), &r.chief.0.access, json!({}))
        .problem(409, "judges_not_signed");
    // Each judge's start page counts the sheet they still have to sign, and no longer once signed.
    let to_sign = |j: usize| srv.get("/api/v1/me/todo", &r.judges[j].0.access).body["sheets_to_sign"].as_i64().unwrap();
    let before = to_sign(0);
    assert!(before >= 1, "judge A has module 1 to sign: {before}");
    for j in 0..3 {
        let signed =
            srv.post(&format!("/api/v1/events/{}/judging/sections/1/sign", r.event), &r.judges[j].0.access, json!({}));
        assert_eq!(signed.status, 201, "judge {j}: {}", signed.text);
    }
    assert_eq!(to_sign(0), before - 1);
    let a_mark = srv.get(&format!("/api/v1/events/{}/judging/sheet?section=1", r.event), &r.judges[0].0.access).body
        ["marks"][0]
        .clone();
    r.submit(0, json!([{ "aspect_id": a_mark["aspect_id"], "station_number": a_mark["station_number"], "value": 1, "version": a_mark["version"] }]), None).problem(409, "mark_locked");
    assert_eq!(
        srv.post(&format!("/api/v1/events/{}/judging/sections/1/chief-sign", r.event), &r.chief.0.access, json!({}))
            .status,
        201
    );
    // The chief cannot confirm their own signature (and a judge may not confirm at all).
    srv.post(&format!("/api/v1/events/{}/judging/sections/1/confirm", r.event), &r.judges[0].0.access, json!({}))
        .problem(403, "forbidden");
    // Nor can the chief judge be made the supervisor who would confirm it (separation of duties).
    srv.post(
        &format!("/api/v1/events/{}/roles", r.event),
        &r.host.access,
        json!({ "user_id": r.chief.1, "role": "supervisor" }),
    )
    .problem(409, "separation_of_duties");
    srv.post(&format!("/api/v1/events/{}/judging/sections/1/confirm", r.event), &r.chief.0.access, json!({}))
        .problem(403, "forbidden");
    let confirmed =
        srv.post(&format!("/api/v1/events/{}/judging/sections/1/confirm", r.event), &r.supervisor.0.access, json!({}));
    assert_eq!(confirmed.body["confirmed"], true, "{}", confirmed.text);
    let progress = srv.get(&format!("/api/v1/events/{}/judging/progress", r.event), &r.chief.0.access);
    assert_eq!(progress.body["sections_locked"], json!([1]));
    assert_eq!(progress.body["open_flags"], 0);

    // Re-opening a locked mark: the chief asks, a supervisor (not the chief) approves, the trail keeps both values.
    let locked = srv.get(&format!("/api/v1/events/{}/judging/sheet?section=1", r.event), &r.judges[0].0.access).body
        ["marks"][0]
        .clone();
    assert_eq!(locked["status"], "locked");
    let mark_id = locked["id"].as_str().unwrap();
    srv.post(
        &format!("/api/v1/marks/{mark_id}/reopen"),
        &r.judges[0].0.access,
        json!({ "new_value": 50, "reason": "x" }),
    )
    .problem(403, "forbidden");
    let asked = srv.post(
        &format!("/api/v1/marks/{mark_id}/reopen"),
        &r.chief.0.access,
        json!({ "new_value": 50, "reason": "复核发现测量记录笔误" }),
    );
    assert_eq!(asked.body["status"], "pending", "{}", asked.text);
    let request_id = asked.body["id"].as_str().unwrap();
    assert_eq!(asked.body["old_value"], locked["value"]);
    srv.post(
        &format!("/api/v1/marks/{mark_id}/reopen"),
        &r.chief.0.access,
        json!({ "new_value": 40, "reason": "again" }),
    )
    .problem(409, "reopen_pending");
    // The chief judge finds the mark among the station's marks; judges do not see other judges' marks.
    let station = locked["station_number"].as_i64().unwrap();
    let station_marks = format!("/api/v1/events/{}/judging/stations/{station}/marks", r.event);
    srv.get(&station_marks, &r.judges[0].0.access).problem(403, "forbidden");
    let at_station = srv.get(&station_marks, &r.chief.0.access);
    let listed = at_station.body["marks"].as_array().unwrap().iter().find(|m| m["id"] == mark_id).unwrap().clone();
    assert_eq!(listed["reopen_pending"], true, "{}", at_station.text);
    assert_eq!(listed["judge"], "judge.a");
    assert_eq!(listed["status"], "locked");
    let requests = format!("/api/v1/events/{}/judging/reopen-requests", r.event);
    let waiting = srv.get(&requests, &r.supervisor.0.access);
    assert_eq!(waiting.body[0]["status"], "pending", "{}", waiting.text);
    assert_eq!(waiting.body[0]["requested_by"], "judge.chief");
    // The chief judge cannot approve their own request: they are no supervisor (and could not be).
    srv.post(&format!("/api/v1/reopen-requests/{request_id}/approve"), &r.chief.0.access, json!({}))
        .problem(403, "forbidden");
    let approved =
        srv.post(&format!("/api/v1/reopen-requests/{request_id}/approve"), &r.supervisor.0.access, json!({}));
    assert_eq!(approved.body["new_value"], 50.0, "{}", approved.text);
    let admin = srv.admin();
    let trail = srv.get(&format!("/api/v1/audit?action=judging.reopen&entity_id={mark_id}"), &admin.access);
    assert_eq!(trail.body["items"][0]["before"]["value"], locked["value"]);
    assert_eq!(trail.body["items"][0]["after"]["value"], 50.0);
    srv.post(&format!("/api/v1/reopen-requests/{request_id}/approve"), &r.supervisor.0.access, json!({}))
        .problem(409, "already_decided");
    let decided = srv.get(&requests, &r.chief.0.access);
    assert_eq!(decided.body[0]["status"], "approved");
    assert_eq!(decided.body[0]["old_value"], locked["value"]);
    assert_eq!(decided.body[0]["decided_by"], "judge.supervisor");

    // A supervisor may decline instead, with a reason; the mark keeps its value.
    srv.post(
        &format!("/api/v1/marks/{mark_id}/reopen"),
        &r.chief.0.access,
        json!({ "new_value": 50, "reason": "same" }),
    )
    .invalid_field("new_value", "unchanged");
    let again = srv.post(
        &format!("/api/v1/marks/{mark_id}/reopen"),
        &r.chief.0.access,
        json!({ "new_value": 40, "reason": "再核" }),
    );
    let decline = format!("/api/v1/reopen-requests/{}/decline", again.body["id"].as_str().unwrap());
    srv.post(&decline, &r.supervisor.0.access, json!({ "reason": " " })).invalid_field("reason", "required");
    let declined = srv.post(&decline, &r.supervisor.0.access, json!({ "reason": "原始记录清楚，不予更改" }));
    assert_eq!(declined.body["status"], "declined", "{}", declined.text);
    let kept = srv.get(&station_marks, &r.chief.0.access);
    let kept = kept.body["marks"].as_array().unwrap().iter().find(|m| m["id"] == mark_id).unwrap().clone();
    assert_eq!((kept["value"].as_f64(), kept["reopen_pending"].as_bool()), (Some(50.0), Some(false)));
}

/// Marks every sheet (A's theory paper: 81, 92.5, 67), signs and locks both sections.
pub fn mark_and_lock(r: &Running) {
    mark_and_lock_with_theory(r, [81.0, 92.5, 67.0]);
}

/// The same, with the theory papers of stations 1–3 marked `theory` (the practical marks are the
/// same for all three, so equal theory marks make a tie).
pub fn mark_and_lock_with_theory(r: &Running, theory: [f64; 3]) {
    let srv = &r.srv;
    let event = &r.event;
    assert_eq!(r.submit(0, r.sheet(&[1, 2, 3], 2.0), None).status, 200);
    let theory_aspect = srv.get(&format!("/api/v1/events/{event}/judging/sheet?section=0"), &r.judges[0].0.access).body
        ["aspects"][0]["id"]
        .clone();
    let theory: Vec<Value> = theory
        .iter()
        .enumerate()
        .map(|(i, v)| json!({ "aspect_id": theory_aspect, "station_number": i + 1, "value": v }))
        .collect();
    assert_eq!(r.submit(0, Value::Array(theory), None).status, 200);
    assert_eq!(r.submit(1, r.sheet(&[1, 2, 3], 2.0), None).status, 200);
    let c_station: Vec<i64> = (1..=3)
        .filter(|s| {
            r.submit(2, json!([{ "aspect_id": r.aspect("2.1.1"), "station_number": s, "value": 52.5 }]), None).status
                == 200
        })
        .collect();
    assert_eq!(r.submit(2, r.sheet(&c_station, 2.0), None).status, 200);
    sign_and_lock(r);
}

/// Every judge signs the theory paper (judge A's alone) and the practical module, the chief
/// judge signs and the supervisor confirms both.
pub fn sign_and_lock(r: &Running) {
    let srv = &r.srv;
    let event = &r.event;
    for section in [0, 1] {
        for j in 0..3 {
            let signed = srv.post(
                &format!("/api/v1/events/{event}/judging/sections/{section}/sign"),
                &r.judges[j].0.access,
                json!({}),
            );
            assert!(
                signed.status == 201 || (section == 0 && j > 0 && signed.status == 409),
                "section {section} judge {j}: {}",
                signed.text
            );
        }
        assert_eq!(
            srv.post(
                &format!("/api/v1/events/{event}/judging/sections/{section}/chief-sign"),
                &r.chief.0.access,
                json!({})
            )
            .status,
            201
        );
        assert_eq!(
            srv.post(
                &format!("/api/v1/events/{event}/judging/sections/{section}/confirm"),
                &r.supervisor.0.access,
                json!({})
            )
            .status,
            200
        );
    }
}

/// Reviews every sampled station and decrypts with the encryption judge and the supervisor.
/// The contestant at `station` (among a result set's `entries`) appeals, and the arbiter accepts
/// and upholds it.
pub fn uphold_appeal_at(r: &Running, entries: &[Value], station: i64) {
    let srv = &r.srv;
    let entry = entries.iter().find(|e| e["station_number"] == station).expect("an entry at the station");
    let username = ["13800001000", "13800001001", "13800001002"]
        [["李娜", "阿苏·木呷", "岩温香"].iter().position(|n| *n == entry["full_name"]).expect("a contestant")];
    let contestant = srv.login(username, "contestant-password-1");
    let appeal = srv.post(
        &format!("/api/v1/registrations/{}/appeals", entry["registration_id"].as_str().unwrap()),
        &contestant.access,
        json!({ "grounds": "试卷漏判" }),
    );
    assert_eq!(appeal.status, 201, "{}", appeal.text);
    let appeal_id = appeal.body["id"].as_str().unwrap();
    let arbiter = srv.login("judge.arbiter", "Staff-Pa55word-2026");
    srv.post(&format!("/api/v1/appeals/{appeal_id}/accept"), &arbiter.access, json!({}));
    let ruled = srv.post(
        &format!("/api/v1/appeals/{appeal_id}/ruling"),
        &arbiter.access,
        json!({ "uphold": true, "ruling": "属实" }),
    );
    assert_eq!(ruled.body["status"], "upheld", "{}", ruled.text);
}

/// The running final's competition.
pub fn competition_of(r: &Running) -> String {
    r.srv.request("GET", &format!("/api/v1/events/{}", r.event)).send().body["competition_id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Points the running final's competition at `target` (`feeds_into`) as its host, and has the
/// target's organisers (an admin here) accept the link; returns the running final's competition.
pub fn link_to(r: &Running, target: &str) -> String {
    let srv = &r.srv;
    let competition = competition_of(&r);
    let version = srv.get(&format!("/api/v1/competitions/{competition}"), &r.host.access).etag.unwrap();
    let linked = srv
        .request("PATCH", &format!("/api/v1/competitions/{competition}"))
        .token(&r.host.access)
        .header("If-Match", &version)
        .json(json!({ "feeds_into_id": target }));
    assert_eq!(linked.status, 200, "{}", linked.text);
    assert_eq!(
        (linked.body["feeds_into_id"].as_str(), &linked.body["feeds_into_accepted"]),
        (Some(target), &json!(false))
    );
    let decision = format!("/api/v1/competitions/{target}/feeders/{competition}/decision");
    // The lower tier's organisers cannot accept their own link (the target, a draft, is not even
    // theirs to see).
    srv.post(&decision, &r.host.access, json!({ "accept": true })).problem(404, "not_found");
    let accepted = srv.post(&decision, &srv.admin().access, json!({ "accept": true }));
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    competition
}

pub fn review_and_decrypt(r: &Running) {
    let srv = &r.srv;
    let event = &r.event;
    let drawn = srv.post(&format!("/api/v1/events/{event}/judging/review"), &r.chief.0.access, json!({}));
    for s in drawn.body["samples"].as_array().unwrap() {
        srv.post(
            &format!("/api/v1/review-samples/{}", s["id"].as_str().unwrap()),
            &r.supervisor.0.access,
            json!({ "outcome": "checked" }),
        );
    }
    let encryption = srv.login("judge.enc", "Staff-Pa55word-2026");
    assert_eq!(
        srv.post(&format!("/api/v1/events/{event}/judging/decryption"), &encryption.access, json!({})).status,
        200
    );
    assert_eq!(
        srv.post(&format!("/api/v1/events/{event}/judging/decryption/confirm"), &r.supervisor.0.access, json!({}))
            .status,
        200
    );
}

#[test]
fn results_are_computed_from_the_marks_verified_by_recomputation_and_published() {
    let r = running_final();
    let srv = &r.srv;
    let event = r.event.clone();
    mark_and_lock(&r);
    srv.post(&format!("/api/v1/events/{event}/results"), &r.host.access, json!({})).problem(409, "not_decrypted");
    review_and_decrypt(&r);
    let computed =
        srv.post(&format!("/api/v1/events/{event}/results"), &r.host.access, json!({ "standardised": true }));
    assert_eq!(computed.status, 201, "{}", computed.text);
    assert_eq!(computed.body["status"], "provisional");
    let entries = computed.body["entries"].as_array().unwrap();
    // The practical module is equal for all, so the theory paper orders them.
    let ranks: Vec<(i64, f64)> =
        entries.iter().map(|e| (e["rank"].as_i64().unwrap(), e["total"].as_f64().unwrap())).collect();
    assert_eq!(ranks.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(ranks[0].1 > ranks[1].1 && ranks[1].1 > ranks[2].1);
    assert_eq!(entries[1]["standardised"], 700, "the median maps to 700");
    // 700 or more earns the Medallion for Excellence.
    for e in entries.iter() {
        assert_eq!(e["medallion_for_excellence"], e["standardised"].as_i64().unwrap() >= 700, "{e}");
    }
    assert_eq!(entries[0]["medallion_for_excellence"], true);
    // Statistics: everyone admitted competed; the distribution is that of the totals.
    let stats = srv.get(&format!("/api/v1/events/{event}/statistics"), &r.host.access);
    assert_eq!(
        (stats.body["admitted"].as_i64(), stats.body["competed"].as_i64(), stats.body["completion_rate"].as_f64()),
        (Some(3), Some(3), Some(1.0)),
        "{}",
        stats.text
    );
    assert_eq!(stats.body["scores"]["count"], 3);
    assert_eq!(stats.body["scores"]["max"], entries[0]["total"]);
    srv.get(&format!("/api/v1/events/{event}/statistics"), &r.judges[0].0.access).problem(403, "forbidden");
    assert!(r.secrets.contains(&entries[0]["full_name"].as_str().unwrap().to_string()));
    // Not public while provisional; recomputation gives the identical ranking.
    srv.request("GET", &format!("/api/v1/events/{event}/results")).send().problem(404, "not_found");
    // With no body at all, the defaults.
    let bare = srv.request("POST", &format!("/api/v1/events/{event}/results/verify")).token(&r.host.access).send();
    assert_eq!(bare.status, 200, "{}", bare.text);
    let verified =
        srv.post(&format!("/api/v1/events/{event}/results/verify"), &r.host.access, json!({ "standardised": true }));
    assert_eq!(
        (verified.body["identical"].as_bool(), verified.body["digest_matches"].as_bool()),
        (Some(true), Some(true)),
        "{}",
        verified.text
    );
    // Announced to the contestants: the appeal window opens.
    let first = srv.post(&format!("/api/v1/events/{event}/results/publish"), &r.host.access, json!({}));
    assert_eq!(first.body["status"], "publicity", "{}", first.text);

    // A mark changed through the two-person re-opening: the set no longer matches its marks.
    let theory_mark = srv.get(&format!("/api/v1/events/{event}/judging/sheet?section=0"), &r.judges[0].0.access).body
        ["marks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["value"] == 67.0)
        .unwrap()
        .clone();
    // Names are known now: the mark changes only for the station of an upheld appeal.
    let reopen = || {
        srv.post(
            &format!("/api/v1/marks/{}/reopen", theory_mark["id"].as_str().unwrap()),
            &r.chief.0.access,
            json!({ "new_value": 99, "reason": "阅卷漏记一题" }),
        )
    };
    reopen().problem(409, "names_known");
    uphold_appeal_at(&r, entries, theory_mark["station_number"].as_i64().unwrap());
    let asked = reopen();
    assert_eq!(asked.status, 201, "{}", asked.text);
    srv.post(
        &format!("/api/v1/reopen-requests/{}/approve", asked.body["id"].as_str().unwrap()),
        &r.supervisor.0.access,
        json!({}),
    );
    let stale =
        srv.post(&format!("/api/v1/events/{event}/results/verify"), &r.host.access, json!({ "standardised": true }));
    assert_eq!(stale.body["digest_matches"], false);
    let differences = stale.body["differences"].as_array().unwrap();
    assert_eq!(differences.len(), 3, "every rank moved: {}", stale.text);
    let changed = differences.iter().find(|d| d["stored_total"] != d["recomputed_total"]).unwrap();
    assert_eq!(
        (changed["stored_rank"].as_i64(), changed["recomputed_rank"].as_i64()),
        (Some(3), Some(1)),
        "{}",
        stale.text
    );
    srv.post(&format!("/api/v1/events/{event}/results/finalise"), &r.host.access, json!({}))
        .problem(409, "marks_changed");
    let again = srv.post(&format!("/api/v1/events/{event}/results"), &r.host.access, json!({ "standardised": true }));
    assert_eq!(again.body["version"], 2);
    // Published: public, masked, cacheable; final only after five working days.
    let published = srv.post(&format!("/api/v1/events/{event}/results/publish"), &r.host.access, json!({}));
    assert_eq!(published.body["status"], "publicity", "{}", published.text);
    let public = srv.request("GET", &format!("/api/v1/events/{event}/results")).send();
    assert_eq!(public.status, 200);
    assert!(public.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["id_number"].as_str().unwrap().contains("**********")));
    // Exports: the public CSV is masked; the organisers' workbook has whole numbers.
    let (status, csv) = srv.request("GET", &format!("/api/v1/events/{event}/results/export?format=csv")).send_bytes();
    assert_eq!(status, 200);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("名次") && csv.contains("**********"), "{csv}");
    assert!(r.secrets.iter().filter(|s| s.len() == 18).all(|id| !csv.contains(id.as_str())));
    let (status, xlsx_bytes) =
        srv.request("GET", &format!("/api/v1/events/{event}/results/export")).token(&r.host.access).send_bytes();
    assert_eq!(status, 200);
    let cells: Vec<String> = {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx_bytes)).unwrap();
        let range = wb.worksheet_range_at(0).unwrap().unwrap();
        range.rows().flat_map(|row| row.iter().map(|c| c.to_string()).collect::<Vec<_>>()).collect()
    };
    assert!(r.secrets.iter().filter(|s| s.len() == 18).all(|id| cells.contains(id)), "{cells:?}");
    let competition = competition_of(&r);
    let (status, all) =
        srv.request("GET", &format!("/api/v1/competitions/{competition}/results/export?format=csv")).send_bytes();
    assert_eq!(status, 200);
    assert_eq!(String::from_utf8(all).unwrap().lines().count(), 4, "a header and three contestants");
    srv.request("GET", &format!("/api/v1/events/{event}/results/export?format=pdf"))
        .send()
        .invalid_field("format", "invalid_value");
    // A page of the public results, in rank order, says how many there are in all.
    let page = srv.request("GET", &format!("/api/v1/events/{event}/results?offset=1&limit=1")).send();
    assert_eq!((page.body["entry_count"].as_i64(), page.body["entries"].as_array().map(Vec::len)), (Some(3), Some(1)));
    assert_eq!(page.body["entries"][0]["rank"], public.body["entries"][1]["rank"]);
    assert_eq!(page.body["entries"][0]["station_number"], public.body["entries"][1]["station_number"]);
    srv.request("GET", &format!("/api/v1/events/{event}/results?limit=0"))
        .send()
        .invalid_field("limit", "out_of_range");
    assert!(public.header("vary").is_some_and(|v| v.contains("Authorization")), "caches keep the public's copy apart");
    let tag = public.etag.clone().unwrap();
    assert_eq!(
        srv.request("GET", &format!("/api/v1/events/{event}/results")).header("If-None-Match", &tag).send().status,
        304
    );
    srv.post(&format!("/api/v1/events/{event}/results/finalise"), &r.host.access, json!({}))
        .problem(409, "appeal_window_open");
    srv.post(&format!("/api/v1/events/{event}/results"), &r.host.access, json!({})).problem(409, "results_published");
    // Past the appeal window, the publicity (公示) still runs.
    srv.clock.advance(chrono::Duration::minutes(121));
    let host = srv.login("org.kunming", "Staff-Pa55word-2026");
    srv.post(&format!("/api/v1/events/{event}/results/finalise"), &host.access, json!({}))
        .problem(409, "publicity_not_over");
}

#[test]
fn review_then_two_person_decryption_puts_names_next_to_codes() {
    let r = running_final();
    let srv = &r.srv;
    let event = r.event.clone();
    let competition = competition_of(&r);
    let transition = |to: &str| {
        srv.post(&format!("/api/v1/competitions/{competition}/transitions"), &r.host.access, json!({ "to": to }))
    };
    let status = || srv.request("GET", &format!("/api/v1/competitions/{competition}")).send().body["status"].clone();
    let stage = || srv.request("GET", &format!("/api/v1/events/{event}")).send().body["stage"].clone();
    assert_eq!((status(), stage()), (json!("running"), json!("running")));
    // The competition follows its events; nobody moves it past them by hand.
    assert_eq!(transition("scoring").body["extra"]["unmet"][0]["code"], "sheets_not_locked");
    // Nothing is locked yet: no review, no decryption, no reviewing state.
    srv.post(&format!("/api/v1/events/{event}/judging/review"), &r.chief.0.access, json!({}))
        .problem(409, "sections_not_locked");
    let encryption = srv.login("judge.enc", "Staff-Pa55word-2026");
    srv.post(&format!("/api/v1/events/{event}/judging/decryption"), &encryption.access, json!({}))
        .problem(409, "sections_not_locked");

    // Judges A and B mark everything alike; C marks the one station they may; all sign. The
    // last lock makes the event (and with it the competition) scoring.
    mark_and_lock(&r);
    assert_eq!((status(), stage()), (json!("scoring"), json!("scoring")));
    assert_eq!(transition("reviewing").body["extra"]["unmet"][0]["code"], "review_not_drawn");

    // The review: all three stations are in the top 10; decryption waits for every check.
    let drawn = srv.post(&format!("/api/v1/events/{event}/judging/review"), &r.chief.0.access, json!({}));
    assert_eq!(drawn.status, 201, "{}", drawn.text);
    let samples = drawn.body["samples"].as_array().unwrap().clone();
    assert_eq!(samples.len(), 3);
    assert_eq!((status(), stage()), (json!("reviewing"), json!("reviewing")));
    assert!(samples.iter().all(|s| s["reason"] == "top"));
    srv.post(&format!("/api/v1/events/{event}/judging/decryption"), &encryption.access, json!({}))
        .problem(409, "review_incomplete");
    for s in &samples {
        let recorded = srv.post(
            &format!("/api/v1/review-samples/{}", s["id"].as_str().unwrap()),
            &r.supervisor.0.access,
            json!({ "outcome": "checked" }),
        );
        assert_eq!(recorded.status, 200, "{}", recorded.text);
    }
    let review = srv.get(&format!("/api/v1/events/{event}/judging/review"), &r.host.access);
    assert_eq!((review.body["complete"].as_bool(), review.body["error_rate"].as_f64()), (Some(true), Some(0.0)));
    // Before decryption the scores carry codes only.
    let blind = srv.get(&format!("/api/v1/events/{event}/judging/scores"), &r.host.access);
    assert_eq!(blind.body["decrypted"], false);
    assert!(blind.body["rows"].as_array().unwrap().iter().all(|row| row["full_name"].is_null()));
    assert_eq!(transition("decrypted").body["extra"]["unmet"][0]["code"], "events_not_decrypted");
    // Marking is over once the review is drawn.
    r.submit(0, r.sheet(&[1], 2.0), None).problem(409, "marking_closed");

    // Two people: the encryption judge asks, a supervisor confirms; neither alone suffices.
    srv.post(&format!("/api/v1/events/{event}/judging/decryption/confirm"), &r.supervisor.0.access, json!({}))
        .problem(409, "not_requested");
    srv.post(&format!("/api/v1/events/{event}/judging/decryption"), &r.supervisor.0.access, json!({}))
        .problem(403, "forbidden");
    assert_eq!(
        srv.post(&format!("/api/v1/events/{event}/judging/decryption"), &encryption.access, json!({})).status,
        200
    );
    srv.post(&format!("/api/v1/events/{event}/judging/decryption/confirm"), &encryption.access, json!({}))
        .problem(403, "forbidden");
    let decrypted =
        srv.post(&format!("/api/v1/events/{event}/judging/decryption/confirm"), &r.supervisor.0.access, json!({}));
    assert!(decrypted.body["decrypted_at"].is_string(), "{}", decrypted.text);
    let named = srv.get(&format!("/api/v1/events/{event}/judging/scores"), &r.host.access);
    let rows = named.body["rows"].as_array().unwrap();
    assert!(rows.iter().all(|row| row["full_name"].is_string()), "{}", named.text);
    // Totals: the practical module is 52.5 + 30 × 2/3 + 10 × 2/3 + 0 = 79.17 for everyone, so the
    // theory paper orders them: 92.5 first.
    assert!(
        (rows[0]["total"].as_f64().unwrap() - (0.3 * 92.5 + 0.7 * (52.5 + 40.0 * 2.0 / 3.0))).abs() < 1e-6,
        "{}",
        named.text
    );
    assert_eq!((status(), stage()), (json!("decrypted"), json!("decrypted")));
}

#[test]
fn a_marking_scheme_goes_out_to_a_spreadsheet_and_back_unchanged() {
    let p = province();
    let srv = &p.srv;
    let t = p.admin.access.as_str();
    let year = chrono::Datelike::year(&(skillcomp_tests::today() + chrono::Duration::days(30)));
    let competition = srv.post("/api/v1/competitions", t, json!({ "name": "评分标准测试", "year": year, "category": "workers_skills", "tier": "prefecture", "class": "district", "host_org_id": p.kunming, "starts_on": day(30), "ends_on": day(31) }));
    let cid = competition.body["id"].as_str().unwrap().to_string();
    let first = srv
        .post(&format!("/api/v1/competitions/{cid}/events"), t, json!({ "trade_id": trade_id(srv, "车工") }))
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let second = srv
        .post(&format!("/api/v1/competitions/{cid}/events"), t, json!({ "trade_id": trade_id(srv, "铣工") }))
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A section that does not total 100 is named.
    let mut bad = scheme();
    bad["sections"][1]["criteria"][0]["aspects"][0]["max"] = json!(55);
    srv.request("PUT", &format!("/api/v1/events/{first}/marking-scheme"))
        .token(t)
        .json(bad)
        .invalid_field("sections[1]", "section_total_not_100");
    // Two practical modules weighted 60/40, so that the weights travel too.
    let weighted = scheme_with_module_b(Some((60, 40)));
    assert_eq!(
        srv.request("PUT", &format!("/api/v1/events/{first}/marking-scheme")).token(t).json(weighted).status,
        200
    );
    let (status, xlsx) =
        srv.request("GET", &format!("/api/v1/events/{first}/marking-scheme.xlsx")).token(t).send_bytes();
    assert_eq!(status, 200);
    let imported = srv
        .request("POST", &format!("/api/v1/events/{second}/marking-scheme/import?title=%E9%93%A3%E5%B7%A5%E8%AF%84%E5%88%86%E6%A0%87%E5%87%86"))
        .token(t)
        .bytes("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &xlsx);
    assert_eq!(imported.status, 200, "{}", imported.text);
    let original = srv.get(&format!("/api/v1/events/{first}/marking-scheme"), t);
    assert_eq!(imported.body["sections"], original.body["sections"]);
    assert_eq!(imported.body["sections"][2]["weight"], 40);
    assert_eq!(imported.body["title"], "铣工评分标准");
    // The template, imported as downloaded, is a complete scheme of three sections (60/40 modules).
    let (status, template) = srv.request("GET", "/api/v1/marking-schemes/template.xlsx").send_bytes();
    assert_eq!(status, 200);
    let from_template = srv
        .request("POST", &format!("/api/v1/events/{second}/marking-scheme/import?title=x"))
        .token(t)
        .bytes("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &template);
    assert_eq!(from_template.status, 200, "{}", from_template.text);
    assert_eq!(from_template.body["sections"].as_array().unwrap().len(), 3);
    assert_eq!(from_template.body["sections"][1]["weight"], 60);
    assert_eq!(srv.get(&format!("/api/v1/events/{second}"), t).body["scheme_complete"], true);
    // A bad row is named by its number in the sheet.
    let csv = "模块,类型,评分项,评分要素,类别,分值\n实操,实操,尺寸,外圆,测量,60\n实操,实操,表面,粗糙度,打分,40\n";
    srv.request("POST", &format!("/api/v1/events/{second}/marking-scheme/import?title=x"))
        .token(t)
        .bytes("text/csv", csv.as_bytes())
        .invalid_field("row 3.类别", "invalid_value");
    let csv = "模块,类型,评分项,评分要素,类别,分值,模块权重\n实操,实操,尺寸,外圆,测量,100,六成\n";
    srv.request("POST", &format!("/api/v1/events/{second}/marking-scheme/import?title=x"))
        .token(t)
        .bytes("text/csv", csv.as_bytes())
        .invalid_field("row 2.模块权重", "invalid_number");
}

#[test]
fn final_results_send_the_qualifiers_to_the_next_tier_with_the_next_in_line_in_reserve() {
    let r = running_final_with(0, 1, json!({ "appeal_window_minutes": 0 }));
    let srv = &r.srv;
    let admin = srv.admin();
    // The provincial final this prefecture contest feeds.
    let province_id = srv.request("GET", "/api/v1/organisations?tier=province").send().body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let year = chrono::Datelike::year(&(skillcomp_tests::today() + chrono::Duration::days(40)));
    let provincial = srv.post("/api/v1/competitions", &admin.access, json!({ "name": "云南省车工决赛", "year": year, "category": "workers_skills", "tier": "province", "class": "provincial_1", "host_org_id": province_id, "starts_on": day(40), "ends_on": day(41) }));
    let provincial = provincial.body["id"].as_str().unwrap().to_string();
    let provincial_event = srv
        .post(
            &format!("/api/v1/competitions/{provincial}/events"),
            &admin.access,
            json!({ "trade_id": trade_id(srv, "车工") }),
        )
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let event = srv.request("GET", &format!("/api/v1/events/{}", r.event)).send();
    let competition = event.body["competition_id"].as_str().unwrap().to_string();
    assert_eq!(event.body["qualifiers_count"], 1, "{}", event.text);
    link_to(&r, &provincial);

    mark_and_lock(&r);
    review_and_decrypt(&r);
    let computed = srv.post(&format!("/api/v1/events/{}/results", r.event), &r.host.access, json!({}));
    let winner = computed.body["entries"][0]["full_name"].as_str().unwrap().to_string();
    let runner_up = computed.body["entries"][1]["full_name"].as_str().unwrap().to_string();
    srv.post(&format!("/api/v1/events/{}/results/publish", r.event), &r.host.access, json!({}));
    let public = || srv.request("GET", &format!("/api/v1/events/{}/results", r.event)).send().body["status"].clone();
    assert_eq!(public(), "publicity");
    let final_results = srv.post(&format!("/api/v1/events/{}/results/finalise", r.event), &r.host.access, json!({}));
    assert_eq!(final_results.body["status"], "final", "{}", final_results.text);
    // The public's (cached) view follows at once.
    assert_eq!(public(), "final");

    // The provincial organisers find the qualifier in their review queue, the runner-up in reserve.
    let queue = srv.get(&format!("/api/v1/registrations?event_id={provincial_event}"), &admin.access);
    let items = queue.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", queue.text);
    let qualifier = items.iter().find(|i| i["status"] == "unit_approved").expect("a qualifier awaiting review");
    assert_eq!(qualifier["person"]["full_name"], winner.as_str());
    assert_eq!(qualifier["origin"]["rank"], 1);
    assert_eq!(qualifier["origin"]["competition_id"], competition.as_str());
    let reserve = items.iter().find(|i| i["status"] == "reserve").expect("a reserve");
    assert_eq!(reserve["person"]["full_name"], runner_up.as_str());
    // Final results are final.
    srv.post(&format!("/api/v1/events/{}/results/finalise", r.event), &r.host.access, json!({}))
        .problem(409, "not_in_publicity");
}

#[test]
fn an_appeal_in_time_is_ruled_by_the_arbiter_and_holds_the_results_until_then() {
    let r = running_final_with(0, 0, json!({}));
    let srv = &r.srv;
    let event = r.event.clone();
    mark_and_lock(&r);
    review_and_decrypt(&r);
    let contestant = srv.login("13800001000", "contestant-password-1");
    let registration =
        srv.get("/api/v1/me/registrations", &contestant.access).body[0]["id"].as_str().unwrap().to_string();
    let appeal = |token: &str| {
        srv.post(
            &format!("/api/v1/registrations/{registration}/appeals"),
            token,
            json!({ "grounds": "外圆尺寸测量复核：本人测得Φ40.01，在公差内" }),
        )
    };
    appeal(&contestant.access).problem(409, "scores_not_announced");
    // Computed results nobody has seen open no window: appeals wait for their publication.
    let computed = srv.post(&format!("/api/v1/events/{event}/results"), &r.host.access, json!({}));
    assert_eq!(computed.status, 201);
    appeal(&contestant.access).problem(409, "scores_not_announced");
    let mine = srv.get("/api/v1/me/registrations", &contestant.access);
    assert!(mine.body[0]["score"].is_null(), "a provisional score is not the contestant's yet: {}", mine.text);
    let published = srv.post(&format!("/api/v1/events/{event}/results/publish"), &r.host.access, json!({}));
    assert_eq!(published.status, 200, "{}", published.text);
    let published_at = chrono::DateTime::parse_from_rfc3339(published.body["published_at"].as_str().unwrap()).unwrap();
    // From publication the contestant sees their own score and how long they may appeal.
    let mine = srv.get("/api/v1/me/registrations", &contestant.access);
    let score = &mine.body[0]["score"];
    let own = published.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["registration_id"] == registration.as_str())
        .unwrap()
        .clone();
    assert_eq!((&score["total"], &score["rank"]), (&own["total"], &own["rank"]), "{}", mine.text);
    assert_eq!(score["result_status"], "publicity");
    let filed = appeal(&contestant.access);
    assert_eq!(filed.status, 201, "{}", filed.text);
    let deadline = chrono::DateTime::parse_from_rfc3339(filed.body["deadline"].as_str().unwrap()).unwrap();
    assert_eq!(deadline - published_at, chrono::Duration::hours(2), "the window counts from publication");
    assert_eq!(score["appeal_deadline"], filed.body["deadline"]);
    // Only the contestant appeals; another contestant does not even see the registration.
    let other = srv.login("13800001001", "contestant-password-1");
    appeal(&other.access).problem(404, "not_found");
    let appeal_id = filed.body["id"].as_str().unwrap().to_string();
    // The results cannot be final while the appeal is open; only the arbiter rules.
    srv.post(&format!("/api/v1/events/{event}/results/finalise"), &r.host.access, json!({}))
        .problem(409, "appeals_open");
    srv.post(&format!("/api/v1/appeals/{appeal_id}/accept"), &r.chief.0.access, json!({})).problem(403, "forbidden");
    let arbiter = srv.login("judge.arbiter", "Staff-Pa55word-2026");
    srv.post(&format!("/api/v1/appeals/{appeal_id}/ruling"), &arbiter.access, json!({ "uphold": true, "ruling": "x" }))
        .problem(409, "not_accepted");
    assert_eq!(
        srv.post(&format!("/api/v1/appeals/{appeal_id}/accept"), &arbiter.access, json!({})).body["status"],
        "accepted"
    );
    let ruled = srv.post(
        &format!("/api/v1/appeals/{appeal_id}/ruling"),
        &arbiter.access,
        json!({ "uphold": false, "ruling": "经复测，外圆尺寸Φ40.03，超差，维持原评分" }),
    );
    assert_eq!(ruled.body["status"], "dismissed", "{}", ruled.text);
    srv.post(
        &format!("/api/v1/appeals/{appeal_id}/ruling"),
        &arbiter.access,
        json!({ "uphold": true, "ruling": "改判" }),
    )
    .problem(409, "not_accepted");
    let listed = srv.get(&format!("/api/v1/events/{event}/appeals"), &r.host.access);
    assert_eq!(listed.body[0]["ruling"], "经复测，外圆尺寸Φ40.03，超差，维持原评分");
    // Every appeal is ruled, but another contestant may still appeal: not final before the window closes.
    let early = srv.post(&format!("/api/v1/events/{event}/results/finalise"), &r.host.access, json!({}));
    early.problem(409, "appeal_window_open");
    assert_eq!(early.body["extra"]["deadline"], filed.body["deadline"]);
    srv.clock.advance(chrono::Duration::minutes(121));
    let (host, contestant, other) = (
        srv.login("org.kunming", "Staff-Pa55word-2026"),
        srv.login("13800001000", "contestant-password-1"),
        srv.login("13800001001", "contestant-password-1"),
    );
    let other_registration =
        srv.get("/api/v1/me/registrations", &other.access).body[0]["id"].as_str().unwrap().to_string();
    srv.post(
        &format!("/api/v1/registrations/{other_registration}/appeals"),
        &other.access,
        json!({ "grounds": "迟到的申诉" }),
    )
    .problem(409, "appeal_window_closed");
    assert_eq!(
        srv.post(&format!("/api/v1/events/{event}/results/finalise"), &host.access, json!({})).body["status"],
        "final"
    );
    // Final results take no more appeals.
    appeal(&contestant.access).problem(409, "results_final");
}

#[test]
fn a_late_appeal_is_refused_at_once_with_the_deadline() {
    let r = running_final_with(5, 0, json!({ "appeal_window_minutes": 0 }));
    let srv = &r.srv;
    mark_and_lock(&r);
    review_and_decrypt(&r);
    srv.post(&format!("/api/v1/events/{}/results", r.event), &r.host.access, json!({}));
    srv.post(&format!("/api/v1/events/{}/results/publish", r.event), &r.host.access, json!({}));
    let contestant = srv.login("13800001002", "contestant-password-1");
    let registration =
        srv.get("/api/v1/me/registrations", &contestant.access).body[0]["id"].as_str().unwrap().to_string();
    let late = srv.post(
        &format!("/api/v1/registrations/{registration}/appeals"),
        &contestant.access,
        json!({ "grounds": "对评分有异议" }),
    );
    late.problem(409, "appeal_window_closed");
    assert!(late.body["detail"].as_str().unwrap().contains("appeals closed at"), "{}", late.text);
    assert!(late.body["extra"]["deadline"].is_string());
}

#[test]
fn an_appeal_window_in_working_days_closes_at_midnight_china_time() {
    let r = running_final_with(5, 0, json!({ "appeal_window_working_days": 1 }));
    let srv = &r.srv;
    mark_and_lock(&r);
    review_and_decrypt(&r);
    srv.post(&format!("/api/v1/events/{}/results", r.event), &r.host.access, json!({}));
    let published = srv.post(&format!("/api/v1/events/{}/results/publish", r.event), &r.host.access, json!({}));
    let announced = chrono::DateTime::parse_from_rfc3339(published.body["published_at"].as_str().unwrap()).unwrap();
    let contestant = srv.login("13800001002", "contestant-password-1");
    let registration =
        srv.get("/api/v1/me/registrations", &contestant.access).body[0]["id"].as_str().unwrap().to_string();
    let filed = srv.post(
        &format!("/api/v1/registrations/{registration}/appeals"),
        &contestant.access,
        json!({ "grounds": "对评分有异议" }),
    );
    assert_eq!(filed.status, 201, "{}", filed.text);
    let deadline = chrono::DateTime::parse_from_rfc3339(filed.body["deadline"].as_str().unwrap()).unwrap();
    // The end of the next working day in China (UTC+8): 16:00 UTC, more than two hours away and
    // never more than the longest holiday (plus a weekend) ahead.
    assert_eq!(chrono::Timelike::hour(&deadline.naive_utc()), 16, "{deadline}");
    assert!(deadline - announced > chrono::Duration::hours(2));
    assert!(deadline - announced < chrono::Duration::days(12));
}

#[test]
fn an_upheld_appeal_reopens_a_mark_through_two_people_and_the_results_change() {
    let r = running_final_with(5, 0, json!({}));
    let srv = &r.srv;
    let event = r.event.clone();
    mark_and_lock(&r);
    review_and_decrypt(&r);
    let first = srv.post(&format!("/api/v1/events/{event}/results"), &r.host.access, json!({}));
    srv.post(&format!("/api/v1/events/{event}/results/publish"), &r.host.access, json!({}));
    // The last-placed contestant appeals their theory paper.
    let last = first.body["entries"][2].clone();
    let contestant_name = last["full_name"].as_str().unwrap();
    let username = ["13800001000", "13800001001", "13800001002"]
        [["李娜", "阿苏·木呷", "岩温香"].iter().position(|n| *n == contestant_name).unwrap()];
    let contestant = srv.login(username, "contestant-password-1");
    let registration = last["registration_id"].as_str().unwrap();
    let filed = srv.post(
        &format!("/api/v1/registrations/{registration}/appeals"),
        &contestant.access,
        json!({ "grounds": "理论试卷第5题判分有误" }),
    );
    assert_eq!(filed.status, 201, "{}", filed.text);
    // Published results do not change until the appeal is upheld.
    srv.post(&format!("/api/v1/events/{event}/results"), &r.host.access, json!({})).problem(409, "results_published");
    let arbiter = srv.login("judge.arbiter", "Staff-Pa55word-2026");
    let appeal_id = filed.body["id"].as_str().unwrap();
    srv.post(&format!("/api/v1/appeals/{appeal_id}/accept"), &arbiter.access, json!({}));
    let upheld = srv.post(
        &format!("/api/v1/appeals/{appeal_id}/ruling"),
        &arbiter.access,
        json!({ "uphold": true, "ruling": "第5题应得分，理论成绩加12分" }),
    );
    assert_eq!(upheld.body["status"], "upheld");
    // The mark changes only through the chief judge and a supervisor.
    let station = last["station_number"].as_i64().unwrap();
    let mark = srv.get(&format!("/api/v1/events/{event}/judging/sheet?section=0"), &r.judges[0].0.access).body["marks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["station_number"] == station)
        .unwrap()
        .clone();
    let new_value = mark["value"].as_f64().unwrap() + 12.0;
    let asked = srv.post(
        &format!("/api/v1/marks/{}/reopen", mark["id"].as_str().unwrap()),
        &r.chief.0.access,
        json!({ "new_value": new_value, "reason": format!("申诉 {appeal_id} 成立") }),
    );
    srv.post(
        &format!("/api/v1/reopen-requests/{}/approve", asked.body["id"].as_str().unwrap()),
        &r.supervisor.0.access,
        json!({}),
    );
    let second = srv.post(&format!("/api/v1/events/{event}/results"), &r.host.access, json!({}));
    assert_eq!(second.status, 201, "{}", second.text);
    assert_eq!((second.body["version"].as_i64(), second.body["status"].as_str()), (Some(2), Some("provisional")));
    let after = second.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["registration_id"] == registration)
        .unwrap()
        .clone();
    assert!(
        (after["total"].as_f64().unwrap() - last["total"].as_f64().unwrap() - 0.3 * 12.0).abs() < 0.011,
        "{after} vs {last}"
    );
    // The superseded set is no longer what the public sees: the new one must be published again.
    srv.request("GET", &format!("/api/v1/events/{event}/results")).send().problem(404, "not_found");
}

#[test]
fn a_tie_for_the_committee_holds_publication_until_the_chief_judge_records_the_order() {
    let r = running_final_with(0, 0, json!({ "appeal_window_minutes": 0 }));
    let srv = &r.srv;
    let event = r.event.clone();
    // Stations 1 and 2 end equal on every key; the top three are never shared.
    mark_and_lock_with_theory(&r, [81.0, 81.0, 67.0]);
    review_and_decrypt(&r);
    let computed =
        srv.post(&format!("/api/v1/events/{event}/results"), &r.host.access, json!({ "top_three_never_shared": true }));
    assert_eq!(computed.status, 201, "{}", computed.text);
    let tied: Vec<&Value> =
        computed.body["entries"].as_array().unwrap().iter().filter(|e| e["tie_note"] == "decision_required").collect();
    assert_eq!(tied.len(), 2, "{}", computed.text);
    srv.post(&format!("/api/v1/events/{event}/results/publish"), &r.host.access, json!({}))
        .problem(409, "tie_decision_required");
    let decide = |token: &str, stations: Value| {
        srv.post(
            &format!("/api/v1/events/{event}/results/tie-decision"),
            token,
            json!({ "stations": stations, "reason": "经竞赛组委会研究，以实操作品精度确定名次" }),
        )
    };
    // The chief judge sees which stations wait; the organisers do not decide.
    let ties = srv.get(&format!("/api/v1/events/{event}/results/ties"), &r.chief.0.access);
    assert_eq!(ties.body, json!([{ "total": tied[0]["total"], "first_rank": 1, "stations": [1, 2] }]), "{}", ties.text);
    srv.get(&format!("/api/v1/events/{event}/results/ties"), &r.host.access).problem(403, "forbidden");
    decide(&r.host.access, json!([2, 1])).problem(403, "forbidden");
    decide(&r.chief.0.access, json!([2, 1, 3])).invalid_field("stations", "not_the_tie");
    decide(&r.chief.0.access, json!([2])).invalid_field("stations", "not_the_tie");
    let decided = decide(&r.chief.0.access, json!([2, 1]));
    assert_eq!(decided.status, 200, "{}", decided.text);
    let place = |station: i64| {
        decided.body["entries"].as_array().unwrap().iter().find(|e| e["station_number"] == station).unwrap().clone()
    };
    assert_eq!((place(2)["rank"].as_i64(), place(1)["rank"].as_i64()), (Some(1), Some(2)));
    assert_eq!(place(2)["tie_note"], "decided");
    // Recomputing from the marks agrees (the committee's order aside), and publication goes on.
    let verified = srv.post(
        &format!("/api/v1/events/{event}/results/verify"),
        &r.host.access,
        json!({ "top_three_never_shared": true }),
    );
    assert_eq!(verified.body["identical"], true, "{}", verified.text);
    let published = srv.post(&format!("/api/v1/events/{event}/results/publish"), &r.host.access, json!({}));
    assert_eq!(published.status, 200, "{}", published.text);
    let admin = srv.admin();
    let trail = srv.get("/api/v1/audit?action=results.tie_decision", &admin.access);
    assert_eq!(trail.body["items"][0]["after"]["order"], json!([2, 1]), "{}", trail.text);
}

#[test]
fn a_disqualification_takes_the_chief_judge_and_a_supervisor_and_those_behind_move_up() {
    let r = running_final_with(0, 0, json!({ "appeal_window_minutes": 0 }));
    let srv = &r.srv;
    let event = &r.event;
    mark_and_lock(&r);
    review_and_decrypt(&r);
    let computed = srv.post(&format!("/api/v1/events/{event}/results"), &r.host.access, json!({}));
    assert_eq!(computed.status, 201, "{}", computed.text);
    let first = computed.body["entries"][0].clone();
    let second = computed.body["entries"][1].clone();
    let station = first["station_number"].as_i64().unwrap();
    let propose =
        |s: &Session, body: Value| srv.post(&format!("/api/v1/events/{event}/disqualifications"), &s.access, body);
    let cheating =
        |station: i64| json!({ "station_number": station, "ground": "cheating", "reason": "携带未经允许的资料" });

    // Only the chief judge proposes; the station must have someone drawn to it; a reason is required.
    propose(&r.judges[0].0, cheating(station)).problem(403, "forbidden");
    propose(&r.supervisor.0, cheating(station)).problem(403, "forbidden");
    propose(&r.chief.0, cheating(99)).invalid_field("station_number", "unknown_station");
    propose(&r.chief.0, json!({ "station_number": station, "ground": "cheating", "reason": "  " }))
        .invalid_field("reason", "required");
    propose(&r.chief.0, json!({ "station_number": station, "ground": "because", "reason": "x" }))
        .invalid_field("ground", "invalid_value");
    let proposed = propose(&r.chief.0, cheating(station));
    assert_eq!(proposed.status, 201, "{}", proposed.text);
    assert_eq!(proposed.body["status"], "pending");
    let id = proposed.body["id"].as_str().unwrap().to_string();
    propose(&r.chief.0, cheating(station)).problem(409, "disqualification_pending");

    // While it waits, the results go no further.
    srv.post(&format!("/api/v1/events/{event}/results/publish"), &r.host.access, json!({}))
        .problem(409, "disqualification_pending");

    // A supervisor decides, never the chief judge; declining needs a note; a decision is made once.
    let decide =
        |s: &Session, body: Value| srv.post(&format!("/api/v1/disqualifications/{id}/decision"), &s.access, body);
    decide(&r.chief.0, json!({ "approve": true })).problem(403, "forbidden");
    decide(&r.supervisor.0, json!({ "approve": false })).invalid_field("note", "required");
    let approved = decide(&r.supervisor.0, json!({ "approve": true }));
    assert_eq!(approved.status, 200, "{}", approved.text);
    assert_eq!(approved.body["status"], "approved");
    assert_eq!(approved.body["requested_by"], "judge.chief");
    assert_eq!(approved.body["decided_by"], "judge.supervisor");
    decide(&r.supervisor.0, json!({ "approve": false, "note": "改判" })).problem(409, "already_decided");
    let listed = srv.get(&format!("/api/v1/events/{event}/disqualifications"), &r.host.access);
    assert_eq!(listed.body.as_array().unwrap().len(), 1, "{}", listed.text);
    srv.get(&format!("/api/v1/events/{event}/disqualifications"), &r.judges[0].0.access).problem(403, "forbidden");

    // The contestant is disqualified with the ground and reason, and cannot be proposed again.
    let registration =
        srv.get(&format!("/api/v1/registrations/{}", first["registration_id"].as_str().unwrap()), &r.host.access);
    assert_eq!(registration.body["status"], "disqualified", "{}", registration.text);
    assert_eq!(registration.body["status_reason"], "cheating: 携带未经允许的资料");
    propose(&r.chief.0, cheating(station)).problem(409, "not_competing");

    // The results computed before it are stale; computed again, the station is left out and
    // those behind move up.
    srv.post(&format!("/api/v1/events/{event}/results/publish"), &r.host.access, json!({}))
        .problem(409, "disqualified_since");
    let again = srv.post(&format!("/api/v1/events/{event}/results"), &r.host.access, json!({}));
    assert_eq!(again.status, 201, "{}", again.text);
    let entries = again.body["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{}", again.text);
    assert_eq!(entries[0]["registration_id"], second["registration_id"]);
    assert_eq!(entries[0]["rank"], 1);
    assert!(entries.iter().all(|e| e["station_number"] != station));
    let published = srv.post(&format!("/api/v1/events/{event}/results/publish"), &r.host.access, json!({}));
    assert_eq!(published.status, 200, "{}", published.text);
    // The public sees who was disqualified and on what ground, never the reason's text.
    let public = srv.request("GET", &format!("/api/v1/events/{event}/results")).send();
    assert_eq!(public.body["disqualified"][0]["station_number"], station, "{}", public.text);
    assert_eq!(public.body["disqualified"][0]["ground"], "cheating");
    assert_eq!(public.body["disqualified"][0]["full_name"], first["full_name"]);
    assert!(!public.text.contains("携带未经允许的资料"));

    // Final results are not rewritten by a disqualification.
    let finalised = srv.post(&format!("/api/v1/events/{event}/results/finalise"), &r.host.access, json!({}));
    assert_eq!(finalised.status, 200, "{}", finalised.text);
    propose(&r.chief.0, cheating(entries[1]["station_number"].as_i64().unwrap())).problem(409, "results_final");
}

#[test]
fn practical_modules_count_by_the_weights_of_the_scheme() {
    // 模块A 60%, 模块B 40%: a scheme whose weights do not add up is refused, naming the reason.
    let mut weighted = scheme_with_module_b(Some((60, 30)));
    let r = running_final_on(scheme(), 5, json!({}));
    let put = |body: &Value| {
        r.srv
            .request("PUT", &format!("/api/v1/events/{}/marking-scheme", r.event))
            .token(&r.host.access)
            .json(body.clone())
    };
    let refused = put(&weighted);
    refused.invalid_field("sections", "weights_not_100");
    assert!(refused.text.contains("add up to 90, not 100"), "{}", refused.text);
    let mut unweighted_module = weighted.clone();
    unweighted_module["sections"][2].as_object_mut().unwrap().remove("weight");
    put(&unweighted_module).invalid_field("sections[2].weight", "required");

    weighted["sections"][2]["weight"] = json!(40);
    let r = running_final_on(weighted, 5, json!({}));
    let srv = &r.srv;
    let event = &r.event;
    let detail = srv.request("GET", &format!("/api/v1/events/{event}")).send();
    let sections = detail.body["marking_scheme"]["sections"].clone();
    assert_eq!((sections[1]["weight"].as_i64(), sections[2]["weight"].as_i64()), (Some(60), Some(40)), "{sections}");
    assert!(sections[0].get("weight").is_none(), "the theory paper has no weight");
    // Judge A alone marks module B: station 1 full marks, station 2 half, station 3 nothing.
    let assigned = srv.post(
        &format!("/api/v1/events/{event}/judging/assignments"),
        &r.host.access,
        json!({ "user_id": r.judges[0].1, "section_index": 2 }),
    );
    assert_eq!(assigned.status, 200, "{}", assigned.text);
    let b_aspect = srv.get(&format!("/api/v1/events/{event}/judging/sheet?section=2"), &r.judges[0].0.access).body
        ["aspects"][0]["id"]
        .clone();
    let b_marks: Vec<Value> = [100.0, 50.0, 0.0]
        .iter()
        .enumerate()
        .map(|(i, v)| json!({ "aspect_id": b_aspect, "station_number": i + 1, "value": v }))
        .collect();
    let saved = r.submit(0, Value::Array(b_marks), None);
    assert_eq!(saved.status, 200, "{}", saved.text);
    mark_and_lock(&r);
    assert_eq!(
        srv.post(&format!("/api/v1/events/{event}/judging/sections/2/sign"), &r.judges[0].0.access, json!({})).status,
        201
    );
    assert_eq!(
        srv.post(&format!("/api/v1/events/{event}/judging/sections/2/chief-sign"), &r.chief.0.access, json!({})).status,
        201
    );
    assert_eq!(
        srv.post(&format!("/api/v1/events/{event}/judging/sections/2/confirm"), &r.supervisor.0.access, json!({}))
            .status,
        200
    );
    review_and_decrypt(&r);
    let computed = srv.post(&format!("/api/v1/events/{event}/results"), &r.host.access, json!({}));
    assert_eq!(computed.status, 201, "{}", computed.text);
    // Module A is 52.5 + (30 + 10) × 2/3 = 79.1667 at every station.
    let module_a = 52.5 + 40.0 * 2.0 / 3.0;
    for (station, module_b) in [(1, 100.0), (2, 50.0), (3, 0.0)] {
        let entry = computed.body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["station_number"] == station)
            .unwrap()
            .clone();
        let practical = entry["practical"].as_f64().unwrap();
        let expected = 0.6 * module_a + 0.4 * module_b;
        assert!(
            (practical - expected).abs() < 0.01,
            "station {station}: {practical} ≠ {expected} (equal: {})",
            (module_a + module_b) / 2.0
        );
    }
}

#[test]
fn a_station_the_whole_panel_stands_aside_from_is_covered_by_another_judge_or_named_to_the_chief_judge() {
    // Module B is marked by judge C alone, who works at the factory two of the three contestants come from.
    let r = running_final_on(scheme_with_module_b(None), 5, json!({}));
    let srv = &r.srv;
    let event = &r.event;
    let assigned = srv.post(
        &format!("/api/v1/events/{event}/judging/assignments"),
        &r.host.access,
        json!({ "user_id": r.judges[2].1, "section_index": 2 }),
    );
    assert_eq!(assigned.status, 200, "{}", assigned.text);
    let recused: Vec<i64> =
        assigned.body["recused_stations"].as_array().unwrap().iter().map(|s| s.as_i64().unwrap()).collect();
    assert_eq!(recused.len(), 2, "{}", assigned.text);
    // Assignment finds a substitute (替补) for each station C may not mark, shared between A and B.
    let covers = assigned.body["covers"].as_array().unwrap().clone();
    assert_eq!(covers.len(), 2, "{}", assigned.text);
    let mut substitutes: Vec<&str> = covers.iter().map(|c| c["judge"].as_str().unwrap()).collect();
    substitutes.sort();
    assert_eq!(substitutes, ["judge.a", "judge.b"]);
    assert_eq!(assigned.body["uncovered"], json!([]));
    // The organiser's view of the panel: each judge with every aspect they mark, C with the
    // stations they stand aside from; the judges themselves do not read it.
    let panel = || srv.get(&format!("/api/v1/events/{event}/judging/assignments"), &r.host.access);
    let listed = panel();
    assert_eq!(listed.status, 200, "{}", listed.text);
    let of =
        |body: &Value, name: &str| body.as_array().unwrap().iter().find(|j| j["username"] == name).cloned().unwrap();
    let c = of(&listed.body, "judge.c");
    assert_eq!(c["recused_stations"].as_array().unwrap().len(), 2, "{c}");
    assert!(c["assigned"].as_array().unwrap().iter().any(|code| code.as_str().unwrap().starts_with("3.")), "{c}");
    assert_eq!(of(&listed.body, "judge.a")["covers"].as_array().unwrap().len(), 0, "A's own aspects need no cover");
    srv.get(&format!("/api/v1/events/{event}/judging/assignments"), &r.judges[0].0.access).problem(403, "forbidden");
    // Taken off before marking and assigned again, C's panel is as before.
    let path = format!("/api/v1/events/{event}/judging/assignments/{}", r.judges[2].1);
    assert_eq!(srv.request("DELETE", &path).token(&r.host.access).send().status, 204);
    assert_eq!(of(&panel().body, "judge.c")["assigned"], json!([]));
    let again = srv.post(
        &format!("/api/v1/events/{event}/judging/assignments"),
        &r.host.access,
        json!({ "user_id": r.judges[2].1, "section_index": 2 }),
    );
    assert_eq!(again.body["covers"].as_array().unwrap().len(), 2, "{}", again.text);
    // Progress counts only what a judge may mark: C one station, each substitute one cell.
    let progress = srv.get(&format!("/api/v1/events/{event}/judging/progress"), &r.chief.0.access);
    let expected = |judge: &str| {
        progress.body["judges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["judge"] == judge && p["section_index"] == 2)
            .map(|p| p["expected"].as_i64().unwrap())
    };
    assert_eq!(
        (expected("judge.c"), expected("judge.a"), expected("judge.b")),
        (Some(1), Some(1), Some(1)),
        "{}",
        progress.text
    );
    assert_eq!(progress.body["covers"].as_array().unwrap().len(), 2);
    // A substitute's sheet shows the covered cell only; marking elsewhere on that aspect is refused.
    let a_station = covers.iter().find(|c| c["judge"] == "judge.a").unwrap()["station_number"].as_i64().unwrap();
    let sheet = srv.get(&format!("/api/v1/events/{event}/judging/sheet?section=2"), &r.judges[0].0.access);
    assert_eq!(sheet.body["stations"], json!([a_station]), "{}", sheet.text);
    assert_eq!(sheet.body["aspects"][0]["stations"], json!([a_station]));
    let aspect = sheet.body["aspects"][0]["id"].as_str().unwrap().to_string();
    let own_station = (1..=3).find(|s| !recused.contains(s)).unwrap();
    r.submit(0, json!([{ "aspect_id": aspect, "station_number": own_station, "value": 50 }]), None)
        .problem(403, "forbidden");
    // Each marks what is theirs; the chief judge signs once all three have.
    let mark = |judge: usize, station: i64| {
        let saved = r.submit(judge, json!([{ "aspect_id": aspect, "station_number": station, "value": 80 }]), None);
        assert_eq!(saved.status, 200, "{}", saved.text);
    };
    mark(0, a_station);
    mark(1, covers.iter().find(|c| c["judge"] == "judge.b").unwrap()["station_number"].as_i64().unwrap());
    mark(2, own_station);
    // Once C has marked, they stay on the panel.
    srv.request("DELETE", &path).token(&r.host.access).send().problem(409, "judge_has_marks");
    let chief_sign =
        || srv.post(&format!("/api/v1/events/{event}/judging/sections/2/chief-sign"), &r.chief.0.access, json!({}));
    let early = chief_sign();
    early.problem(409, "judges_not_signed");
    assert!(early.text.contains("of 3 judges"), "{}", early.text);
    for j in 0..3 {
        let signed =
            srv.post(&format!("/api/v1/events/{event}/judging/sections/2/sign"), &r.judges[j].0.access, json!({}));
        assert_eq!(signed.status, 201, "judge {j}: {}", signed.text);
    }
    assert_eq!(chief_sign().status, 201);
}

#[test]
fn when_nobody_may_mark_a_station_the_chief_judge_is_told_and_a_judge_appointed_covers_it() {
    let r = running_final_on(scheme_with_module_b(None), 5, json!({}));
    let srv = &r.srv;
    let event = &r.event;
    // Judges A and B are related to both factory contestants, whom C's employer nominated.
    for (_, judge) in &r.judges[..2] {
        for id_number in [&r.secrets[1], &r.secrets[3]] {
            let declared = srv.post(
                &format!("/api/v1/events/{event}/relations"),
                &r.host.access,
                json!({ "user_id": judge, "id_number": id_number, "relation": "亲属" }),
            );
            assert_eq!(declared.status, 201, "{}", declared.text);
        }
    }
    let assigned = srv.post(
        &format!("/api/v1/events/{event}/judging/assignments"),
        &r.host.access,
        json!({ "user_id": r.judges[2].1, "section_index": 2 }),
    );
    assert_eq!(assigned.body["covers"], json!([]), "{}", assigned.text);
    assert_eq!(assigned.body["uncovered"].as_array().unwrap().len(), 2, "{}", assigned.text);
    let progress = srv.get(&format!("/api/v1/events/{event}/judging/progress"), &r.chief.0.access);
    // The chief judge sees them too, with the other modules' stations A and B now stand aside from.
    let module_b: Vec<Value> = progress.body["uncovered"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["aspect_code"] == "3.1.1")
        .cloned()
        .collect();
    assert_eq!(Value::Array(module_b), assigned.body["uncovered"], "{}", progress.text);
    assert!(progress.body["uncovered"].as_array().unwrap().iter().any(|c| c["aspect_code"] == "2.1.1"));
    let own_station =
        (1..=3).find(|s| !assigned.body["recused_stations"].as_array().unwrap().contains(&json!(s))).unwrap();
    let sheet = srv.get(&format!("/api/v1/events/{event}/judging/sheet?section=2"), &r.judges[2].0.access);
    let aspect = sheet.body["aspects"][0]["id"].as_str().unwrap().to_string();
    let saved = r.submit(2, json!([{ "aspect_id": aspect, "station_number": own_station, "value": 70 }]), None);
    assert_eq!(saved.status, 200, "{}", saved.text);
    let signed = srv.post(&format!("/api/v1/events/{event}/judging/sections/2/sign"), &r.judges[2].0.access, json!({}));
    assert_eq!(signed.status, 201, "{}", signed.text);
    // The section is not signed with two stations unmarked (they would score 0).
    let chief_sign =
        || srv.post(&format!("/api/v1/events/{event}/judging/sections/2/chief-sign"), &r.chief.0.access, json!({}));
    let refused = chief_sign();
    refused.problem(409, "stations_unmarked");
    assert!(refused.text.contains("3.1.1 at station"), "{}", refused.text);
    // A fourth judge appointed to the event covers both.
    let admin = srv.admin();
    let d = srv.staff(&admin.access, "judge.d", "judge", Some(&r.orgs.1));
    let d_id = user_id(srv, &d);
    let appointed =
        srv.post(&format!("/api/v1/events/{event}/roles"), &r.host.access, json!({ "user_id": d_id, "role": "judge" }));
    assert_eq!(appointed.status, 201, "{}", appointed.text);
    let progress = srv.get(&format!("/api/v1/events/{event}/judging/progress"), &r.chief.0.access);
    assert_eq!(progress.body["uncovered"], json!([]), "{}", progress.text);
    assert!(progress.body["covers"].as_array().unwrap().iter().all(|c| c["judge"] == "judge.d"));
    let sheet = srv.get(&format!("/api/v1/events/{event}/judging/sheet?section=2"), &d.access);
    let cells: Vec<Value> = sheet.body["stations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| json!({ "aspect_id": aspect, "station_number": s, "value": 90 }))
        .collect();
    assert_eq!(cells.len(), 2, "{}", sheet.text);
    let saved = srv
        .request("POST", &format!("/api/v1/events/{event}/judging/marks"))
        .token(&d.access)
        .json(json!({ "marks": cells }));
    assert_eq!(saved.status, 200, "{}", saved.text);
    let signed = srv.post(&format!("/api/v1/events/{event}/judging/sections/2/sign"), &d.access, json!({}));
    assert_eq!(signed.status, 201, "{}", signed.text);
    assert_eq!(chief_sign().status, 201);
}

#[test]
fn finish_times_recorded_by_station_break_a_tie_less_time_first() {
    let r = running_final();
    let srv = &r.srv;
    let event = r.event.clone();
    let record = |token: &str, times: Value| {
        srv.post(&format!("/api/v1/events/{event}/judging/sections/1/finish-times"), token, json!({ "times": times }))
    };
    // Only those who judge the event record times; a judge not where they stand aside (回避).
    let contestant = srv.login("13800001000", "contestant-password-1");
    record(&contestant.access, json!([{ "station_number": 1, "elapsed_seconds": 60 }])).problem(403, "forbidden");
    let c_sees = r.stations_of(2);
    let hidden = (1..=3).find(|s| !c_sees.contains(s)).expect("a station judge C stands aside from");
    record(&r.judges[2].0.access, json!([{ "station_number": hidden, "elapsed_seconds": 60 }]))
        .invalid_field("times[0].station_number", "unknown_station");
    record(&r.judges[0].0.access, json!([{ "station_number": 1, "elapsed_seconds": 0 }]))
        .invalid_field("times[0].elapsed_seconds", "out_of_range");
    // 90, 80 and 100 minutes; station 1's first time is corrected.
    let saved = record(
        &r.judges[0].0.access,
        json!([{ "station_number": 1, "elapsed_seconds": 6000 }, { "station_number": 2, "elapsed_seconds": 4800 }, { "station_number": 3, "elapsed_seconds": 6000 }]),
    );
    assert_eq!(saved.status, 200, "{}", saved.text);
    let corrected = record(&r.chief.0.access, json!([{ "station_number": 1, "elapsed_seconds": 5400 }]));
    assert_eq!(corrected.status, 200, "{}", corrected.text);
    let sheet = srv.get(&format!("/api/v1/events/{event}/judging/sheet?section=1"), &r.judges[0].0.access);
    let times: Vec<(i64, i64)> = sheet.body["finish_times"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["station_number"].as_i64().unwrap(), t["elapsed_seconds"].as_i64().unwrap()))
        .collect();
    assert_eq!(times, [(1, 5400), (2, 4800), (3, 6000)], "{}", sheet.text);
    // Equal on practical and theory: the time decides.
    mark_and_lock_with_theory(&r, [80.0, 80.0, 80.0]);
    record(&r.chief.0.access, json!([{ "station_number": 3, "elapsed_seconds": 60 }])).problem(409, "section_locked");
    review_and_decrypt(&r);
    let computed = srv.post(&format!("/api/v1/events/{event}/results"), &r.host.access, json!({}));
    assert_eq!(computed.status, 201, "{}", computed.text);
    let order: Vec<(i64, i64)> = computed.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["rank"].as_i64().unwrap(), e["station_number"].as_i64().unwrap()))
        .collect();
    assert_eq!(order, [(1, 2), (2, 1), (3, 3)], "{}", computed.text);
    assert_eq!(computed.body["entries"][0]["tie_key"], "elapsed_time", "{}", computed.text);
}

#[test]
fn a_chief_judge_who_also_marks_counts_each_unsigned_sheet_once() {
    let r = running_final();
    let srv = &r.srv;
    let event = &r.event;
    // The chief judge is also a judge of the event (the two roles do not exclude each other).
    let appointed = srv.post(
        &format!("/api/v1/events/{event}/roles"),
        &r.host.access,
        json!({ "user_id": r.chief.1, "role": "judge" }),
    );
    assert_eq!(appointed.status, 201, "{}", appointed.text);
    let assigned = srv.post(
        &format!("/api/v1/events/{event}/judging/assignments"),
        &r.host.access,
        json!({ "user_id": r.chief.1, "section_index": 0 }),
    );
    assert_eq!(assigned.status, 200, "{}", assigned.text);
    let todo = srv.get("/api/v1/me/todo", &r.chief.0.access);
    assert_eq!(todo.body["sheets_to_sign"], 1, "{}", todo.text);
    // Someone with no sheet has nothing to sign.
    assert_eq!(srv.get("/api/v1/me/todo", &r.supervisor.0.access).body["sheets_to_sign"], 0);
}
