//! Registration from sign-up to check-in, over HTTP, with every rule shown refusing.

use serde_json::{json, Value};
use skillcomp_tests::{id_number, Response, Session, TestServer};

use crate::{province, Province};

pub fn day(offset: i64) -> String {
    (skillcomp_tests::today() + chrono::Duration::days(offset)).to_string()
}

pub fn at(offset_days: i64, time: &str) -> String {
    format!("{}T{time}Z", day(offset_days))
}

/// A Kunming final with one event (车工), open for registration, with the people around it.
pub struct Final {
    pub p: Province,
    /// Kunming's organiser: the host's reviewer.
    pub host: Session,
    /// Wuhua's organiser: the nominating unit's reviewer for the factory.
    pub unit: Session,
    pub factory: String,
    pub school: String,
    pub competition: String,
    pub event: String,
}

pub struct Options {
    pub quota_total: Option<i64>,
    pub quota_per_organisation: i64,
    pub roster_publicity_days: i64,
    pub extra: Value,
}

impl Default for Options {
    fn default() -> Self {
        Options { quota_total: Some(40), quota_per_organisation: 5, roster_publicity_days: 5, extra: json!({}) }
    }
}

pub fn trade_id(srv: &TestServer, name: &str) -> String {
    let all = srv.request("GET", "/api/v1/trades?limit=200").send();
    all.body["items"].as_array().unwrap().iter().find(|t| t["name"] == name).expect("trade")["id"]
        .as_str()
        .unwrap()
        .to_string()
}

pub fn open_final(options: Options) -> Final {
    let p = province();
    let srv = &p.srv;
    let admin = p.admin.access.clone();
    let factory = srv.create_org(&admin, "五华示范机床厂", "enterprise", "enterprise", Some(&p.wuhua), "530102");
    let school = srv.create_org(&admin, "昆明示范技工学校", "school", "enterprise", Some(&p.kunming), "530100");
    let host = srv.staff(&admin, "org.kunming", "organiser", Some(&p.kunming));
    let unit = srv.staff(&admin, "org.wuhua", "organiser", Some(&p.wuhua));
    let year = chrono::Datelike::year(&(skillcomp_tests::today() + chrono::Duration::days(30)));
    let competition = srv.post("/api/v1/competitions", &host.access, json!({
        "name": "昆明市职工职业技能大赛", "year": year, "category": "workers_skills", "tier": "prefecture", "class": "district",
        "host_org_id": p.kunming, "starts_on": day(30), "ends_on": day(32),
        "registration_opens_at": at(-1, "00:00:00"), "registration_closes_at": at(20, "12:00:00"),
        "roster_publicity_days": options.roster_publicity_days,
    }));
    assert_eq!(competition.status, 201, "{}", competition.text);
    let competition = competition.body["id"].as_str().unwrap().to_string();
    let mut event_body = json!({ "trade_id": trade_id(srv, "车工"), "quota_total": options.quota_total, "quota_per_organisation": options.quota_per_organisation, "min_age": 18, "max_age": 55 });
    for (k, v) in options.extra.as_object().unwrap() {
        event_body[k] = v.clone();
    }
    let event = srv.post(&format!("/api/v1/competitions/{competition}/events"), &host.access, event_body);
    assert_eq!(event.status, 201, "{}", event.text);
    let event = event.body["id"].as_str().unwrap().to_string();
    prepare_event(srv, &host.access, &event, (30, "08:00:00", "12:00:00"));
    for to in ["published", "registration_open"] {
        let r = srv.post(&format!("/api/v1/competitions/{competition}/transitions"), &host.access, json!({ "to": to }));
        assert_eq!(r.status, 200, "{}", r.text);
    }
    Final { p, host, unit, factory, school, competition, event }
}

/// A sitting, a published technical document and a marking scheme.
pub fn prepare_event(srv: &TestServer, token: &str, event: &str, (offset, from, to): (i64, &str, &str)) {
    let session = srv.post(&format!("/api/v1/events/{event}/sessions"), token, json!({ "kind": "practical", "name": "实操", "venue": "昆明示范技工学校实训楼", "starts_at": at(offset, from), "ends_at": at(offset, to) }));
    assert_eq!(session.status, 201, "{}", session.text);
    srv.post(&format!("/api/v1/events/{event}/documents"), token, json!({ "title": "技术工作文件", "body": "内容" }));
    srv.post(&format!("/api/v1/events/{event}/documents/1/publish"), token, json!({}));
    let aspect = |d: &str| json!([{ "name": d, "aspects": [{ "description": d, "kind": "measurement", "max": 100 }] }]);
    let scheme = srv.request("PUT", &format!("/api/v1/events/{event}/marking-scheme")).token(token).json(json!({ "title": "评分标准", "sections": [{ "name": "理论", "kind": "theory", "criteria": aspect("理论试卷") }, { "name": "实操", "kind": "practical", "criteria": aspect("实操作品") }] }));
    assert_eq!(scheme.status, 200, "{}", scheme.text);
}

/// A contestant account with a profile employed by `employer`; returns the session and person id.
pub fn worker(srv: &TestServer, username: &str, name: &str, id: &str, employer: &str) -> (Session, String) {
    let s = srv.contestant(username);
    let r = srv
        .request("PUT", "/api/v1/me/person")
        .token(&s.access)
        .json(json!({ "full_name": name, "id_number": id, "employer_org_id": employer }));
    assert_eq!(r.status, 201, "{}", r.text);
    // A fresh token carries nothing stale; the person id is read per request anyway.
    let person_id = r.body["id"].as_str().unwrap().to_string();
    (s, person_id)
}

pub fn sign_up(srv: &TestServer, token: &str, event: &str, body: Value) -> Response {
    srv.post(&format!("/api/v1/events/{event}/registrations"), token, body)
}

pub fn review(srv: &TestServer, token: &str, id: &str, action: &str, comment: Option<&str>) -> Response {
    srv.post(&format!("/api/v1/registrations/{id}/review"), token, json!({ "action": action, "comment": comment }))
}

fn transition(f: &Final, to: &str, reason: Option<&str>) -> Response {
    f.p.srv.post(
        &format!("/api/v1/competitions/{}/transitions", f.competition),
        &f.host.access,
        json!({ "to": to, "reason": reason }),
    )
}

fn reasons(r: &Response) -> Vec<String> {
    r.problem(422, "not_eligible");
    r.body["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_worker_signs_up_is_returned_edits_and_is_admitted_through_both_levels() {
    let f = open_final(Options::default());
    let srv = &f.p.srv;
    let (me, _) = worker(srv, "13900000001", "李娜", &id_number("530102", "19920315", 124), &f.factory);
    let created = sign_up(srv, &me.access, &f.event, json!({}));
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["status"], "submitted");
    assert_eq!(created.body["review_stage"], "unit");
    assert_eq!(created.body["nominating_org_name"], "五华示范机床厂");
    let id = created.body["id"].as_str().unwrap().to_string();

    // The host cannot jump the unit's turn; the unit approves.
    review(srv, &f.host.access, &id, "approve", None).problem(403, "forbidden");
    let unit_ok = review(srv, &f.unit.access, &id, "approve", None);
    assert_eq!(unit_ok.body["status"], "unit_approved", "{}", unit_ok.text);
    assert_eq!(unit_ok.body["review_stage"], "host");
    // Returning needs a comment; then the contestant edits and resubmits.
    review(srv, &f.host.access, &id, "return", None).invalid_field("comment", "required");
    let returned = review(srv, &f.host.access, &id, "return", Some("请上传技能等级证书"));
    assert_eq!(returned.body["status"], "returned");
    assert_eq!(returned.body["status_reason"], "请上传技能等级证书");
    let version = returned.etag.clone().unwrap();
    srv.request("PATCH", &format!("/api/v1/registrations/{id}"))
        .token(&me.access)
        .header("If-Match", "\"1\"")
        .json(json!({ "team_name": null }))
        .problem(412, "stale_version");
    let edited = srv
        .request("PATCH", &format!("/api/v1/registrations/{id}"))
        .token(&me.access)
        .header("If-Match", &version)
        .json(json!({ "nominating_org_id": f.factory }));
    assert_eq!(edited.status, 200, "{}", edited.text);
    let resubmitted = srv.post(&format!("/api/v1/registrations/{id}/resubmit"), &me.access, json!({}));
    assert_eq!(resubmitted.body["status"], "submitted", "{}", resubmitted.text);
    review(srv, &f.unit.access, &id, "approve", None);
    let admitted = review(srv, &f.host.access, &id, "approve", None);
    assert_eq!(admitted.body["status"], "admitted");
    review(srv, &f.host.access, &id, "approve", None).problem(409, "not_awaiting_review");
    // The trail tells the story.
    let actions: Vec<&str> =
        admitted.body["reviews"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["submit", "approve", "return", "resubmit", "approve", "approve"]);
    // The contestant sees it among their registrations; a stranger does not see it at all.
    let mine = srv.get("/api/v1/me/registrations", &me.access);
    assert_eq!(mine.body[0]["status"], "admitted");
    let stranger = srv.contestant("13900000099");
    srv.get(&format!("/api/v1/registrations/{id}"), &stranger.access).problem(404, "not_found");
    // The host's queue counts by status.
    let queue = srv.get(&format!("/api/v1/registrations?competition_id={}", f.competition), &f.host.access);
    assert_eq!(queue.body["counts"], json!([{ "status": "admitted", "count": 1 }]));
}

#[test]
fn each_eligibility_rule_refuses_with_its_reason() {
    let f = open_final(Options {
        quota_per_organisation: 1,
        extra: json!({ "min_skill_level": 3, "region_code": "530100" }),
        ..Options::default()
    });
    let srv = &f.p.srv;
    let admin = f.p.admin.access.as_str();
    let qilin_factory = srv.create_org(admin, "麒麟示范电厂", "enterprise", "enterprise", Some(&f.p.qilin), "530302");
    // Too young, no skill level, outside the region.
    // Sixteen this year: under 18 on the competition's day, whenever the test runs.
    let born = format!("{}0101", skillcomp_tests::year_in(0) - 16);
    let (young, _) = worker(srv, "13900000002", "王小明", &id_number("530302", &born, 111), &qilin_factory);
    let check = srv.get(&format!("/api/v1/events/{}/eligibility", f.event), &young.access);
    assert_eq!(check.body["eligible"], false);
    let codes: Vec<&str> =
        check.body["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["too_young", "skill_level_too_low", "outside_region"]);
    assert_eq!(
        reasons(&sign_up(srv, &young.access, &f.event, json!({}))),
        ["too_young", "skill_level_too_low", "outside_region"]
    );
    // A school nominee on the workers' track.
    let (student, sid) = worker(srv, "13900000003", "赵同学", &id_number("530102", "20010101", 222), &f.school);
    srv.post(
        &format!("/api/v1/persons/{sid}/credentials"),
        &student.access,
        json!({ "occupation": "车工", "level": 3, "issued_on": "2023-06-30", "source": "exam" }),
    );
    assert_eq!(reasons(&sign_up(srv, &student.access, &f.event, json!({}))), ["wrong_track"]);
    // An eligible worker, once; then the unit's single place is taken.
    let (good, gid) = worker(srv, "13900000004", "张三", &id_number("530102", "19900101", 333), &f.factory);
    srv.post(
        &format!("/api/v1/persons/{gid}/credentials"),
        &good.access,
        json!({ "occupation": "车工", "level": 2, "issued_on": "2020-06-30", "source": "exam" }),
    );
    let eligible = srv.get(&format!("/api/v1/events/{}/eligibility", f.event), &good.access);
    assert_eq!(eligible.body, json!({ "eligible": true, "reasons": [] }));
    assert_eq!(sign_up(srv, &good.access, &f.event, json!({})).status, 201);
    assert_eq!(reasons(&sign_up(srv, &good.access, &f.event, json!({}))), ["already_registered", "unit_quota_full"]);
    let (second, pid) = worker(srv, "13900000005", "李四", &id_number("530102", "19910101", 444), &f.factory);
    srv.post(
        &format!("/api/v1/persons/{pid}/credentials"),
        &second.access,
        json!({ "occupation": "车工", "level": 3, "issued_on": "2020-06-30", "source": "exam" }),
    );
    assert_eq!(reasons(&sign_up(srv, &second.access, &f.event, json!({}))), ["unit_quota_full"]);

    // Two events of one competition whose sittings overlap.
    let milling = srv.post(
        &format!("/api/v1/competitions/{}/events", f.competition),
        &f.host.access,
        json!({ "trade_id": trade_id(srv, "铣工") }),
    );
    assert_eq!(milling.status, 409, "events are fixed once registration opens: {}", milling.text);
}

#[test]
fn sittings_that_overlap_keep_a_person_to_one_event() {
    let p = province();
    let srv = &p.srv;
    let admin = p.admin.access.as_str();
    let factory = srv.create_org(admin, "五华示范机床厂", "enterprise", "enterprise", Some(&p.wuhua), "530102");
    let year = chrono::Datelike::year(&(skillcomp_tests::today() + chrono::Duration::days(30)));
    let competition = srv.post("/api/v1/competitions", admin, json!({
        "name": "昆明市综合技能竞赛", "year": year, "category": "workers_skills", "tier": "prefecture", "class": "district",
        "host_org_id": p.kunming, "starts_on": day(30), "ends_on": day(32),
        "registration_opens_at": at(-1, "00:00:00"), "registration_closes_at": at(20, "12:00:00") }));
    let cid = competition.body["id"].as_str().unwrap().to_string();
    let lathe = srv
        .post(&format!("/api/v1/competitions/{cid}/events"), admin, json!({ "trade_id": trade_id(srv, "车工") }))
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let milling = srv
        .post(&format!("/api/v1/competitions/{cid}/events"), admin, json!({ "trade_id": trade_id(srv, "铣工") }))
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let welding = srv
        .post(&format!("/api/v1/competitions/{cid}/events"), admin, json!({ "trade_id": trade_id(srv, "焊工") }))
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    prepare_event(srv, admin, &lathe, (30, "08:00:00", "12:00:00"));
    prepare_event(srv, admin, &milling, (30, "10:00:00", "14:00:00"));
    prepare_event(srv, admin, &welding, (31, "08:00:00", "12:00:00"));
    for to in ["published", "registration_open"] {
        srv.post(&format!("/api/v1/competitions/{cid}/transitions"), admin, json!({ "to": to }));
    }
    let (me, _) = worker(srv, "13900000011", "李娜", &id_number("530102", "19920315", 124), &factory);
    assert_eq!(sign_up(srv, &me.access, &lathe, json!({})).status, 201);
    assert_eq!(reasons(&sign_up(srv, &me.access, &milling, json!({}))), ["sessions_overlap"]);
    assert_eq!(sign_up(srv, &me.access, &welding, json!({})).status, 201, "a different day is fine");
}

#[test]
fn two_sign_ups_for_the_last_place_at_once_exactly_one_wins() {
    let f = open_final(Options { quota_total: Some(1), quota_per_organisation: 1, ..Options::default() });
    let srv = &f.p.srv;
    let (a, _) = worker(srv, "13900000021", "甲", &id_number("530102", "19900101", 101), &f.factory);
    let (b, _) = worker(srv, "13900000022", "乙", &id_number("530102", "19900101", 103), &f.factory);
    let barrier = std::sync::Barrier::new(2);
    let responses: Vec<Response> = std::thread::scope(|scope| {
        let racers: Vec<_> = [&a, &b]
            .into_iter()
            .map(|s| {
                let barrier = &barrier;
                let event = &f.event;
                scope.spawn(move || {
                    barrier.wait();
                    sign_up(srv, &s.access, event, json!({}))
                })
            })
            .collect();
        racers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
    statuses.sort();
    assert_eq!(statuses, [201, 422], "{responses:?}");
    let loser = responses.iter().find(|r| r.status == 422).unwrap();
    assert_eq!(reasons(loser), ["quota_full", "unit_quota_full"]);
    let queue = srv.get(&format!("/api/v1/registrations?event_id={}", f.event), &f.host.access);
    assert_eq!(queue.body["items"].as_array().unwrap().len(), 1);
}

#[test]
fn the_same_idempotency_key_twice_gives_one_registration() {
    let f = open_final(Options::default());
    let srv = &f.p.srv;
    let (me, _) = worker(srv, "13900000031", "李娜", &id_number("530102", "19920315", 124), &f.factory);
    let send = |key: &str, body: Value| {
        srv.request("POST", &format!("/api/v1/events/{}/registrations", f.event))
            .token(&me.access)
            .header("Idempotency-Key", key)
            .json(body)
    };
    let first = send("tablet-7f3a", json!({}));
    assert_eq!(first.status, 201, "{}", first.text);
    let again = send("tablet-7f3a", json!({}));
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.body["id"], first.body["id"]);
    send("tablet-7f3a", json!({ "team_name": "x" })).invalid_field("Idempotency-Key", "idempotency_key_reused");
    // Concurrent retries with one key: still one registration.
    let (other, _) = worker(srv, "13900000032", "王芳", &id_number("530102", "19930101", 222), &f.factory);
    let barrier = std::sync::Barrier::new(3);
    let ids: Vec<String> = std::thread::scope(|scope| {
        let racers: Vec<_> = (0..3)
            .map(|_| {
                let (barrier, other, event) = (&barrier, &other, &f.event);
                scope.spawn(move || {
                    barrier.wait();
                    let r = srv
                        .request("POST", &format!("/api/v1/events/{event}/registrations"))
                        .token(&other.access)
                        .header("Idempotency-Key", "flaky-wifi-1")
                        .json(json!({}));
                    assert_eq!(r.status, 201, "{}", r.text);
                    r.body["id"].as_str().unwrap().to_string()
                })
            })
            .collect();
        racers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    let queue = srv.get(&format!("/api/v1/registrations?event_id={}", f.event), &f.host.access);
    assert_eq!(queue.body["items"].as_array().unwrap().len(), 2);
}

#[test]
fn withdrawal_is_possible_until_registration_closes() {
    let f = open_final(Options::default());
    let srv = &f.p.srv;
    let (me, _) = worker(srv, "13900000041", "李娜", &id_number("530102", "19920315", 124), &f.factory);
    let id = sign_up(srv, &me.access, &f.event, json!({})).body["id"].as_str().unwrap().to_string();
    let withdrawn =
        srv.post(&format!("/api/v1/registrations/{id}/withdraw"), &me.access, json!({ "reason": "工作安排冲突" }));
    assert_eq!(withdrawn.body["status"], "withdrawn", "{}", withdrawn.text);
    // Signing up again is allowed after a withdrawal.
    let again = sign_up(srv, &me.access, &f.event, json!({}));
    assert_eq!(again.status, 201, "{}", again.text);
    let again_id = again.body["id"].as_str().unwrap().to_string();
    review(srv, &f.unit.access, &again_id, "approve", None);
    review(srv, &f.host.access, &again_id, "approve", None);
    assert_eq!(transition(&f, "registration_closed", Some("提前截止")).status, 200);
    srv.post(&format!("/api/v1/registrations/{again_id}/withdraw"), &me.access, json!({}))
        .problem(409, "registration_closed");
    sign_up(srv, &me.access, &f.event, json!({})).problem(409, "registration_not_open");
}

fn csv(rows: &[(&str, String)]) -> Vec<u8> {
    let mut text = String::from("姓名,身份证号,手机号\n");
    for (name, id) in rows {
        text.push_str(&format!("\"{name}\",{id},\n"));
    }
    text.into_bytes()
}

#[test]
fn an_import_with_bad_rows_reports_each_row_and_loses_nothing() {
    let f = open_final(Options::default());
    let srv = &f.p.srv;
    let rows = [
        ("阿苏·木呷", id_number("530102", "19880921", 331)),
        ("王五", "53010219900101123".to_string()),
        ("少年", id_number("530102", &format!("{}0101", skillcomp_tests::year_in(0) - 14), 555)),
        ("赵六", id_number("530102", "19950505", 777)),
    ];
    let import = |mode: &str, body: Vec<u8>, content_type: &str| {
        srv.request(
            "POST",
            &format!("/api/v1/events/{}/registrations/import?nominating_org_id={}&mode={mode}", f.event, f.factory),
        )
        .token(&f.unit.access)
        .bytes(content_type, &body)
    };
    let refused = import("all_or_nothing", csv(&rows), "text/csv");
    refused.problem(422, "import_refused");
    let report = &refused.body["extra"];
    assert_eq!(report["committed"], false);
    let outcomes: Vec<&str> =
        report["rows"].as_array().unwrap().iter().map(|r| r["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["valid", "refused", "refused", "valid"]);
    assert_eq!(report["rows"][1]["reasons"][0]["code"], "id_number_length");
    assert_eq!(report["rows"][2]["reasons"][0]["code"], "too_young");
    assert_eq!(report["rows"][1]["row"], 3, "rows are numbered as in the sheet, header = 1");
    // Nothing was written: no registrations, no people.
    let queue = srv.get(&format!("/api/v1/registrations?event_id={}", f.event), &f.host.access);
    assert_eq!(queue.body["items"].as_array().unwrap().len(), 0);
    assert_eq!(
        srv.get(&format!("/api/v1/persons?employer_org_id={}", f.factory), &f.unit.access).body["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // The same file, valid rows only: two registered (already vouched for by the unit), two reported.
    let partial = import("valid_rows", csv(&rows), "text/csv");
    assert_eq!(partial.status, 200, "{}", partial.text);
    assert_eq!(partial.body["registered"], 2);
    assert_eq!(partial.body["refused"], 2);
    let queue = srv.get(&format!("/api/v1/registrations?event_id={}", f.event), &f.host.access);
    let statuses: Vec<&str> =
        queue.body["items"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["unit_approved", "unit_approved"]);

    // An .xlsx workbook works the same way.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, h) in ["姓名", "身份证号", "民族"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "岩温香").unwrap();
    sheet.write_string(1, 1, id_number("530102", "19950708", 213)).unwrap();
    sheet.write_string(1, 2, "傣族").unwrap();
    let xlsx = workbook.save_to_buffer().unwrap();
    let from_xlsx = import("all_or_nothing", xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_eq!(from_xlsx.body["registered"], 1, "{}", from_xlsx.text);
    // Not the unit's organiser: refused outright.
    let qujing = srv.staff(&f.p.admin.access, "org.qujing", "organiser", Some(&f.p.qujing));
    srv.request("POST", &format!("/api/v1/events/{}/registrations/import?nominating_org_id={}", f.event, f.factory))
        .token(&qujing.access)
        .bytes("text/csv", &csv(&rows[..1]))
        .problem(403, "forbidden");
    import("all_or_nothing", b"name,phone\nx,1\n".to_vec(), "text/csv").problem(400, "missing_columns");
}

#[test]
fn a_qualifier_list_admitted_by_hand_passes_a_declined_place_to_the_next_in_line() {
    let f = open_final(Options::default());
    let srv = &f.p.srv;
    let admin = f.p.admin.access.as_str();
    // The county contest that feeds the Kunming final, with 2 qualifiers in 车工.
    let year = skillcomp_tests::year_in(10);
    let county = srv.post(
        "/api/v1/competitions",
        admin,
        json!({
        "name": "五华区车工竞赛", "year": year, "category": "workers_skills", "tier": "county", "class": "district",
        "host_org_id": f.p.wuhua, "starts_on": day(10), "ends_on": day(10), "feeds_into_id": f.competition }),
    );
    let county_id = county.body["id"].as_str().unwrap().to_string();
    let county_event = srv.post(
        &format!("/api/v1/competitions/{county_id}/events"),
        admin,
        json!({ "trade_id": trade_id(srv, "车工"), "qualifiers_count": 2 }),
    );
    let county_event = county_event.body["id"].as_str().unwrap().to_string();
    let people: Vec<String> = (0..3)
        .map(|i| {
            worker(
                srv,
                &format!("1390000005{i}"),
                ["第一", "第二", "第三"][i],
                &id_number("530102", "19900101", 600 + 2 * i as u32),
                &f.factory,
            )
            .1
        })
        .collect();
    let entries: Vec<Value> =
        people.iter().enumerate().map(|(i, p)| json!({ "person_id": p, "rank": i + 1 })).collect();
    let admitted = srv.post(
        &format!("/api/v1/events/{}/qualifiers", f.event),
        &f.host.access,
        json!({ "origin_competition_id": county_id, "origin_event_id": county_event, "entries": entries }),
    );
    assert_eq!(admitted.status, 201, "{}", admitted.text);
    assert_eq!(admitted.body["admitted"].as_array().unwrap().len(), 2);
    // The first place on the reserve list (it was third in the county).
    assert_eq!(admitted.body["reserves"][0]["reserve_rank"], 1);
    assert_eq!(admitted.body["reserves"][0]["origin"]["rank"], 3);
    assert_eq!(admitted.body["admitted"][0]["origin"]["rank"], 1);
    // Qualifiers wait for the host's review, not the unit's.
    assert_eq!(admitted.body["admitted"][0]["review_stage"], "host");
    // Rank 1 declines: rank 3 takes the place.
    let first = admitted.body["admitted"][0]["id"].as_str().unwrap().to_string();
    let declined =
        srv.post(&format!("/api/v1/registrations/{first}/withdraw"), &f.unit.access, json!({ "reason": "本人放弃" }));
    assert_eq!(declined.body["status"], "withdrawn", "{}", declined.text);
    let third = admitted.body["reserves"][0]["id"].as_str().unwrap().to_string();
    let promoted = srv.get(&format!("/api/v1/registrations/{third}"), &f.host.access);
    assert_eq!(promoted.body["status"], "unit_approved");
    assert!(promoted.body["reserve_rank"].is_null());
    // A competition that does not feed here cannot send qualifiers.
    srv.post(&format!("/api/v1/events/{}/qualifiers", f.event), &f.host.access, json!({ "origin_competition_id": f.competition, "origin_event_id": f.event, "entries": [{ "person_id": people[0], "rank": 1 }] }))
        .invalid_field("origin_competition_id", "does_not_feed_here");
}

#[test]
fn the_roster_is_publicised_and_an_upheld_objection_replaces_the_contestant_with_the_next_in_line() {
    let f = open_final(Options { quota_total: Some(2), quota_per_organisation: 2, ..Options::default() });
    let srv = &f.p.srv;
    let mut ids = Vec::new();
    for (i, name) in ["甲", "乙", "丙"].iter().enumerate() {
        let (s, _) = worker(
            srv,
            &format!("1390000006{i}"),
            name,
            &id_number("530102", "19900101", 700 + 2 * i as u32),
            &f.factory,
        );
        let r = sign_up(srv, &s.access, &f.event, json!({}));
        ids.push((r.status, r.body["id"].as_str().map(String::from)));
    }
    // The third is over quota.
    assert_eq!(ids[2].0, 422);
    for (_, id) in &ids[..2] {
        let id = id.as_deref().unwrap();
        review(srv, &f.unit.access, id, "approve", None);
    }
    // The roster cannot be publicised while a review is pending.
    assert_eq!(transition(&f, "registration_closed", Some("名额已满")).status, 200);
    let pending = transition(&f, "roster_publicity", None);
    pending.problem(409, "preconditions_unmet");
    assert_eq!(pending.body["extra"]["unmet"][0]["code"], "reviews_pending");
    for (_, id) in &ids[..2] {
        review(srv, &f.host.access, id.as_deref().unwrap(), "approve", None);
    }
    // A reserve waits in line (entered by the host, who keeps a reserve list of one).
    let (_, reserve_id) = worker(srv, "13900000069", "丁", &id_number("530102", "19900101", 798), &f.factory);
    let county = make_feeder(&f);
    let reserve = srv.post(&format!("/api/v1/events/{}/qualifiers", f.event), &f.host.access, json!({ "origin_competition_id": county.0, "origin_event_id": county.1, "entries": [{ "person_id": reserve_id, "rank": 1 }] }));
    assert_eq!(reserve.body["reserves"].as_array().unwrap().len(), 1, "{}", reserve.text);
    assert_eq!(transition(&f, "roster_publicity", None).status, 200);

    // The public roster shows names with masked numbers.
    let roster = srv.request("GET", &format!("/api/v1/competitions/{}/roster", f.competition)).send();
    assert_eq!(roster.status, 200, "{}", roster.text);
    assert_eq!(roster.body["entries"].as_array().unwrap().len(), 2);
    assert!(roster.body["entries"][0]["id_number"].as_str().unwrap().contains("**********"));
    assert!(roster.body["publicity_ends_at"].is_string());
    // Anyone signed in may object during the window.
    let citizen = srv.contestant("13700000000");
    let objected = ids[0].1.as_deref().unwrap();
    let objection = srv.post(
        &format!("/api/v1/registrations/{objected}/objections"),
        &citizen.access,
        json!({ "grounds": "该选手非本单位在岗职工" }),
    );
    assert_eq!(objection.status, 201, "{}", objection.text);
    // Not final while the window runs and the objection is open.
    let early = transition(&f, "roster_final", None);
    let unmet: Vec<&str> =
        early.body["extra"]["unmet"].as_array().unwrap().iter().map(|u| u["code"].as_str().unwrap()).collect();
    assert_eq!(unmet, ["publicity_not_over", "objections_pending"]);
    // The organisers' list names whom the objection is about; the objector does not read it.
    let listed = srv.get(&format!("/api/v1/competitions/{}/objections", f.competition), &f.host.access);
    assert_eq!(listed.body[0]["full_name"], "甲", "{}", listed.text);
    assert!(listed.body[0]["event_name"].is_string());
    srv.get(&format!("/api/v1/competitions/{}/objections", f.competition), &citizen.access).problem(403, "forbidden");
    // Upheld: replaced, and the reserve is admitted in their place.
    let ruling = srv.post(
        &format!("/api/v1/objections/{}/ruling", objection.body["id"].as_str().unwrap()),
        &f.host.access,
        json!({ "uphold": true, "ruling": "经核实，该选手劳动关系不在推荐单位" }),
    );
    assert_eq!(ruling.body["status"], "upheld", "{}", ruling.text);
    assert_eq!(srv.get(&format!("/api/v1/registrations/{objected}"), &f.host.access).body["status"], "replaced");
    let roster = srv.request("GET", &format!("/api/v1/competitions/{}/roster", f.competition)).send();
    let names: Vec<&str> =
        roster.body["entries"].as_array().unwrap().iter().map(|e| e["full_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["乙", "丁"]);
}

/// A county competition feeding the final, with an event of the same trade.
fn make_feeder(f: &Final) -> (String, String) {
    let srv = &f.p.srv;
    let admin = f.p.admin.access.as_str();
    let year = skillcomp_tests::year_in(10);
    let county = srv.post(
        "/api/v1/competitions",
        admin,
        json!({
        "name": "五华区车工竞赛", "year": year, "category": "workers_skills", "tier": "county", "class": "district",
        "host_org_id": f.p.wuhua, "starts_on": day(10), "ends_on": day(10), "feeds_into_id": f.competition }),
    );
    let county_id = county.body["id"].as_str().unwrap().to_string();
    let event = srv.post(
        &format!("/api/v1/competitions/{county_id}/events"),
        admin,
        json!({ "trade_id": trade_id(srv, "车工"), "qualifiers_count": 0 }),
    );
    (county_id, event.body["id"].as_str().unwrap().to_string())
}

#[test]
fn the_draw_is_sealed_to_all_but_the_encryption_judge_and_check_in_confirms_the_id_card() {
    let f = open_final(Options { roster_publicity_days: 0, ..Options::default() });
    let srv = &f.p.srv;
    let mut contestants = Vec::new();
    for (i, name) in ["甲", "乙", "丙"].iter().enumerate() {
        let id = id_number("530102", "19900101", 800 + 2 * i as u32);
        let (s, _) = worker(srv, &format!("1390000007{i}"), name, &id, &f.factory);
        let r = sign_up(srv, &s.access, &f.event, json!({}));
        let rid = r.body["id"].as_str().unwrap().to_string();
        review(srv, &f.unit.access, &rid, "approve", None);
        review(srv, &f.host.access, &rid, "approve", None);
        contestants.push((s, rid, id));
    }
    // Officials of the event.
    let admin = f.p.admin.access.clone();
    let encryption = srv.staff(&admin, "judge.enc", "judge", Some(&f.p.kunming));
    let chief = srv.staff(&admin, "judge.chief", "judge", Some(&f.p.kunming));
    let appoint = |session: &Session, role: &str| {
        let user_id = srv.get("/api/v1/me", &session.access).body["id"].as_str().unwrap().to_string();
        srv.post(
            &format!("/api/v1/events/{}/roles", f.event),
            &f.host.access,
            json!({ "user_id": user_id, "role": role }),
        )
    };
    assert_eq!(appoint(&encryption, "encryption_judge").status, 201);
    assert_eq!(appoint(&chief, "chief_judge").status, 201);
    appoint(&contestants[0].0, "judge").invalid_field("user_id", "not_qualified");

    for (to, reason) in [("registration_closed", Some("提前截止")), ("roster_publicity", None), ("roster_final", None)]
    {
        let r = transition(&f, to, reason);
        assert_eq!(r.status, 200, "{to}: {}", r.text);
    }
    // Tickets were issued with the final roster.
    let ticket = srv.get(&format!("/api/v1/registrations/{}/ticket", contestants[0].1), &contestants[0].0.access);
    assert_eq!(ticket.status, 200, "{}", ticket.text);
    let ticket_number = ticket.body["ticket_number"].as_str().unwrap().to_string();
    assert_eq!(ticket_number.len(), 15);
    assert_eq!(ticket.body["sessions"].as_array().unwrap().len(), 1);
    let page = srv.get(&format!("/api/v1/registrations/{}/ticket.html", contestants[0].1), &contestants[0].0.access);
    assert!(
        page.content_type.starts_with("text/html") && page.text.contains(&ticket_number) && page.text.contains("照片"),
        "{}",
        page.text
    );

    // Drawn only once every event with contestants has its draw; only the encryption judge draws.
    let not_drawn = transition(&f, "drawn", None);
    assert_eq!(not_drawn.body["extra"]["unmet"][0]["code"], "draw_missing");
    srv.post(&format!("/api/v1/events/{}/draw", f.event), &f.host.access, json!({})).problem(403, "forbidden");
    // An outline scheme (sections without criteria and aspects) is not drawn: nobody could mark it.
    let scheme_path = format!("/api/v1/events/{}/marking-scheme", f.event);
    let complete = srv.get(&scheme_path, &f.host.access).body;
    let outline = json!({ "title": "评分标准", "sections": [{ "name": "理论", "kind": "theory" }, { "name": "实操", "kind": "practical" }] });
    assert_eq!(srv.request("PUT", &scheme_path).token(&f.host.access).json(outline).status, 200);
    assert_eq!(srv.get(&format!("/api/v1/events/{}", f.event), &f.host.access).body["scheme_complete"], false);
    srv.post(&format!("/api/v1/events/{}/draw", f.event), &encryption.access, json!({}))
        .problem(409, "scheme_incomplete");
    let again = json!({ "title": complete["title"], "sections": complete["sections"] });
    assert_eq!(srv.request("PUT", &scheme_path).token(&f.host.access).json(again).status, 200);
    assert_eq!(srv.get(&format!("/api/v1/events/{}", f.event), &f.host.access).body["scheme_complete"], true);
    let drawn = srv.post(&format!("/api/v1/events/{}/draw", f.event), &encryption.access, json!({}));
    assert_eq!(drawn.status, 201, "{}", drawn.text);
    assert_eq!(drawn.body["contestants"], 3);
    assert!(drawn.body.get("entries").is_none(), "the answer does not reveal the mapping");
    srv.post(&format!("/api/v1/events/{}/draw", f.event), &encryption.access, json!({})).problem(409, "already_drawn");
    // The mapping: the encryption judge reads it; the organiser, the chief judge and contestants do not.
    let mapping = srv.get(&format!("/api/v1/events/{}/draw", f.event), &encryption.access);
    assert_eq!(mapping.status, 200, "{}", mapping.text);
    let mut stations: Vec<i64> =
        mapping.body["entries"].as_array().unwrap().iter().map(|e| e["station_number"].as_i64().unwrap()).collect();
    stations.sort();
    assert_eq!(stations, [1, 2, 3]);
    assert_eq!(mapping.body["seed"].as_str().unwrap().len(), 43);
    for outsider in [&f.host.access, &chief.access, &contestants[0].0.access, &f.p.admin.access] {
        srv.get(&format!("/api/v1/events/{}/draw", f.event), outsider).problem(403, "draw_sealed");
    }
    // Nor does the audit trail hold the numbers.
    let trail =
        srv.get(&format!("/api/v1/audit?entity_type=event&entity_id={}&action=event.draw", f.event), &f.p.admin.access);
    assert!(!trail.text.contains("station"), "{}", trail.text);
    // The draw of its only event moved the competition on.
    let competition = srv.request("GET", &format!("/api/v1/competitions/{}", f.competition)).send();
    assert_eq!(competition.body["status"], "drawn", "{}", competition.text);

    // Check-in: the ID card must match; a repeated scan changes nothing.
    let check = |ticket: &str, id: &str| {
        srv.post(
            &format!("/api/v1/events/{}/check-in", f.event),
            &f.host.access,
            json!({ "ticket_number": ticket, "id_number": id }),
        )
    };
    check(&ticket_number, &contestants[1].2).invalid_field("id_number", "id_mismatch");
    let own_station = |who: &str| -> Option<i64> {
        let mine = srv.get("/api/v1/me/registrations", who);
        mine.body[0].get("own_station").and_then(|s| s.as_i64())
    };
    assert_eq!(own_station(&contestants[0].0.access), None, "the station is told at the door, not before");
    let first = check(&ticket_number, &contestants[0].2.to_lowercase());
    assert_eq!(first.body["status"], "checked_in", "{}", first.text);
    assert_eq!(first.body["repeated"], false);
    assert_eq!(check(&ticket_number, &contestants[0].2).body["repeated"], true);
    // Checked in, the contestant alone learns their station: the one the draw gave them.
    let registration = first.body["registration_id"].as_str().unwrap();
    let drawn_station = mapping.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["registration_id"] == registration)
        .map(|e| e["station_number"].as_i64().unwrap());
    assert_eq!(own_station(&contestants[0].0.access), drawn_station);
    assert_eq!(own_station(&contestants[1].0.access), None, "not checked in: not told");
    assert!(!first.text.contains("station"), "the door's answer does not tell the organiser: {}", first.text);
    let as_host = srv.get(&format!("/api/v1/registrations/{registration}"), &f.host.access);
    assert!(as_host.body.get("own_station").is_none(), "{}", as_host.text);
    check("20990019999", &contestants[0].2).problem(404, "not_found");
    // No-shows are marked only once the first sitting has started (it is a month away).
    srv.post(&format!("/api/v1/events/{}/no-shows", f.event), &f.host.access, json!({}))
        .problem(409, "session_not_started");
}

#[test]
fn roster_exports_mask_id_numbers_except_for_reviewers() {
    let f = open_final(Options { roster_publicity_days: 0, ..Options::default() });
    let srv = &f.p.srv;
    let id = id_number("530102", "19920315", 124);
    let (me, _) = worker(srv, "13900000081", "李娜", &id, &f.factory);
    let rid = sign_up(srv, &me.access, &f.event, json!({})).body["id"].as_str().unwrap().to_string();
    review(srv, &f.unit.access, &rid, "approve", None);
    review(srv, &f.host.access, &rid, "approve", None);
    let download = |token: Option<&str>, full: bool| {
        let mut r = srv.request("GET", &format!("/api/v1/competitions/{}/roster.xlsx?full_ids={full}", f.competition));
        if let Some(t) = token {
            r = r.token(t);
        }
        r.send_bytes()
    };
    // Before publicity the public gets nothing.
    assert_eq!(download(None, false).0, 409);
    transition(&f, "registration_closed", Some("提前截止"));
    transition(&f, "roster_publicity", None);
    let cells = |bytes: &[u8]| -> Vec<String> {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let range = wb.worksheet_range_at(0).unwrap().unwrap();
        range.rows().flat_map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>()).collect()
    };
    let (status, public) = download(None, false);
    assert_eq!(status, 200);
    let public_cells = cells(&public);
    assert!(public_cells.contains(&"李娜".to_string()));
    // Printed for people: the status in Chinese, never the API's value.
    assert!(
        public_cells.contains(&"已录取".to_string()) && !public_cells.contains(&"admitted".to_string()),
        "{public_cells:?}"
    );
    assert!(!public_cells.contains(&id) && public_cells.iter().any(|c| c.contains("**********")));
    let (status, full) = download(Some(&f.host.access), true);
    assert_eq!(status, 200);
    assert!(cells(&full).contains(&id));
    assert_eq!(download(None, true).0, 403);
    assert_eq!(download(Some(&me.access), true).0, 403);
}

#[test]
fn a_team_signs_up_with_its_members_and_advisor_and_queues_show_what_awaits_each_reviewer() {
    let f = open_final(Options {
        extra: json!({ "name": "车工（团体）", "mode": "team", "team_size": 2 }),
        ..Options::default()
    });
    let srv = &f.p.srv;
    let (captain, _) = worker(srv, "13900000091", "队长", &id_number("530102", "19900101", 911), &f.factory);
    let member_number = id_number("530102", "19910101", 913);
    let (_, _) = worker(srv, "13900000092", "队员", &member_number, &f.factory);
    let advisor_number = id_number("530102", "19700101", 915);
    worker(srv, "13900000093", "教练", &advisor_number, &f.factory);
    let fourteen = format!("{}0101", skillcomp_tests::year_in(0) - 14);
    let young_number = id_number("530102", &fourteen, 917);
    worker(srv, "13900000094", "少年", &young_number, &f.factory);
    let member = json!({ "id_number": member_number, "full_name": "队员" });
    // The sign-up page asks first whether the captain may enter, before any team is named.
    let preview = srv.get(&format!("/api/v1/events/{}/eligibility", f.event), &captain.access);
    assert_eq!(preview.body["eligible"], true, "{}", preview.text);
    sign_up(srv, &captain.access, &f.event, json!({ "members": [member] })).invalid_field("team_name", "required");
    sign_up(srv, &captain.access, &f.event, json!({ "team_name": "五华一队", "members": [] }))
        .invalid_field("members", "team_size_mismatch");
    // A member is named by ID number *and* name: a number alone finds no one.
    sign_up(
        srv,
        &captain.access,
        &f.event,
        json!({ "team_name": "五华一队", "members": [{ "id_number": member_number, "full_name": "别人" }] }),
    )
    .invalid_field("members[0].id_number", "unknown_member");
    let refused = sign_up(
        srv,
        &captain.access,
        &f.event,
        json!({ "team_name": "五华一队", "members": [{ "id_number": young_number, "full_name": "少年" }] }),
    );
    refused.problem(422, "not_eligible");
    assert_eq!(refused.body["errors"][0]["field"], "members[0]");
    assert_eq!(refused.body["errors"][0]["code"], "too_young");
    let team = sign_up(
        srv,
        &captain.access,
        &f.event,
        json!({ "team_name": "五华一队", "members": [member, { "id_number": advisor_number, "full_name": "教练", "role": "advisor" }] }),
    );
    assert_eq!(team.status, 201, "{}", team.text);
    let team_id = team.body["id"].as_str().unwrap().to_string();
    let roles: Vec<&str> =
        team.body["members"].as_array().unwrap().iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["member", "advisor"]);
    // The captain sees the members' numbers masked, and that they have not accepted yet.
    for m in team.body["members"].as_array().unwrap() {
        assert!(m["person"]["id_number"].as_str().unwrap().contains("**"), "{m}");
        assert_eq!(m["accepted"], false);
    }
    // The member cannot join a second team of the same event.
    let (other_captain, _) = worker(srv, "13900000095", "二队长", &id_number("530102", "19900101", 919), &f.factory);
    let second = sign_up(srv, &other_captain.access, &f.event, json!({ "team_name": "五华二队", "members": [member] }));
    assert!(
        second.body["errors"].as_array().unwrap().iter().any(|e| e["code"] == "already_registered"),
        "{}",
        second.text
    );
    // Nobody approves a team whose members have not all accepted.
    review(srv, &f.unit.access, &team_id, "approve", None).problem(409, "members_pending");
    for username in ["13900000092", "13900000093"] {
        let invited = srv.login(username, "contestant-password-1");
        let accepted = srv.post(
            &format!("/api/v1/registrations/{team_id}/invitation"),
            &invited.access,
            json!({ "accept": true }),
        );
        assert_eq!(accepted.status, 200, "{}", accepted.text);
        srv.post(&format!("/api/v1/registrations/{team_id}/invitation"), &invited.access, json!({ "accept": true }))
            .problem(409, "no_invitation");
    }
    // It waits for the unit: in the unit's "awaiting me" queue, not in the host's.
    let unit_queue =
        srv.get(&format!("/api/v1/registrations?competition_id={}&awaiting_me=true", f.competition), &f.unit.access);
    assert_eq!(unit_queue.body["items"].as_array().unwrap().len(), 1, "{}", unit_queue.text);
    let host_queue =
        srv.get(&format!("/api/v1/registrations?competition_id={}&awaiting_me=true", f.competition), &f.host.access);
    assert_eq!(host_queue.body["items"].as_array().unwrap().len(), 0);
    // A member sees the team's registration among their own.
    let member_login = srv.login("13900000092", "contestant-password-1");
    assert_eq!(srv.get("/api/v1/me/registrations", &member_login.access).body[0]["team_name"], "五华一队");
}

#[test]
fn two_competitions_of_one_year_never_share_a_ticket_number() {
    let p = province();
    let srv = &p.srv;
    let admin = p.admin.access.clone();
    let factory = srv.create_org(&admin, "五华示范机床厂", "enterprise", "enterprise", Some(&p.wuhua), "530102");
    let year = chrono::Datelike::year(&(skillcomp_tests::today() + chrono::Duration::days(30)));
    let mut tickets = Vec::new();
    for (i, (name, host)) in
        [("昆明市职工职业技能大赛", &p.kunming), ("曲靖市职工职业技能大赛", &p.qujing)].into_iter().enumerate()
    {
        let competition = srv.post(
            "/api/v1/competitions",
            &admin,
            json!({
                "name": name, "year": year, "category": "workers_skills", "tier": "prefecture", "class": "district",
                "host_org_id": host, "starts_on": day(30), "ends_on": day(32), "roster_publicity_days": 0,
                "registration_opens_at": at(-1, "00:00:00"), "registration_closes_at": at(20, "12:00:00"),
            }),
        );
        let competition = competition.body["id"].as_str().unwrap().to_string();
        let event = srv.post(
            &format!("/api/v1/competitions/{competition}/events"),
            &admin,
            json!({ "trade_id": trade_id(srv, "车工"), "review_levels": 1 }),
        );
        let event = event.body["id"].as_str().unwrap().to_string();
        prepare_event(srv, &admin, &event, (30 + i as i64, "08:00:00", "12:00:00"));
        let transition = |to: &str| {
            let r = srv.post(
                &format!("/api/v1/competitions/{competition}/transitions"),
                &admin,
                json!({ "to": to, "reason": "提前截止" }),
            );
            assert_eq!(r.status, 200, "{to}: {}", r.text);
        };
        transition("published");
        transition("registration_open");
        let (s, _) = worker(
            srv,
            &format!("1390000000{i}"),
            "李娜",
            &id_number("530102", "19900101", 400 + 2 * i as u32),
            &factory,
        );
        let r = sign_up(srv, &s.access, &event, json!({}));
        review(srv, &admin, r.body["id"].as_str().unwrap(), "approve", None);
        for to in ["registration_closed", "roster_publicity", "roster_final"] {
            transition(to);
        }
        let ticket = srv.get(&format!("/api/v1/registrations/{}/ticket", r.body["id"].as_str().unwrap()), &s.access);
        tickets.push(ticket.body["ticket_number"].as_str().unwrap().to_string());
    }
    assert_ne!(tickets[0], tickets[1], "the competition's series tells them apart");
    assert!(tickets.iter().all(|t| t.starts_with(&year.to_string()) && t.len() == 15), "{tickets:?}");
}

#[test]
fn a_self_declared_credential_lets_a_worker_sign_up_but_admission_waits_for_a_reviewer() {
    // 车工 for holders of 高级工 (level 3) or higher.
    let f = open_final(Options { extra: json!({ "min_skill_level": 3 }), ..Options::default() });
    let srv = &f.p.srv;
    let (me, my_person) = worker(srv, "13900000091", "李娜", &id_number("530102", "19920315", 124), &f.factory);
    // The attack of issue 15: a contestant records 高级技师 for themselves. It is a declaration.
    let declared = srv.post(
        &format!("/api/v1/persons/{my_person}/credentials"),
        &me.access,
        json!({ "occupation": "车工", "level": 1, "issued_on": day(-400), "source": "exam", "certificate_no": "Y0000000001" }),
    );
    assert_eq!(declared.status, 201, "{}", declared.text);
    assert_eq!(declared.body["status"], "declared");
    assert_eq!(declared.body["reviewed_at"], Value::Null);
    let credential = declared.body["id"].as_str().unwrap().to_string();
    // Signing up on a declared level is allowed; the reviewers see it is not verified.
    let eligible = srv.get(&format!("/api/v1/events/{}/eligibility", f.event), &me.access);
    assert_eq!(eligible.body["eligible"], true, "{}", eligible.text);
    let created = sign_up(srv, &me.access, &f.event, json!({}));
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(review(srv, &f.unit.access, &id, "approve", None).body["status"], "unit_approved");
    let seen = srv.get(&format!("/api/v1/registrations/{id}"), &f.host.access);
    assert_eq!(seen.body["unverified_level"], 1, "{}", seen.text);
    assert_eq!(seen.body["credentials"][0]["status"], "declared");
    let refused = review(srv, &f.host.access, &id, "approve", None);
    refused.problem(409, "credential_not_verified");
    assert!(refused.body["detail"].as_str().unwrap().contains("declared"), "{}", refused.text);

    // Nobody verifies their own certificate; a stranger cannot even see it.
    let verify = |token: &str, credential: &str| {
        srv.post(&format!("/api/v1/persons/{my_person}/credentials/{credential}/verify"), token, json!({}))
    };
    verify(&me.access, &credential).problem(403, "forbidden");
    let stranger = srv.contestant("13900000092");
    verify(&stranger.access, &credential).problem(404, "not_found");
    let dali = srv.create_org(&f.p.admin.access, "大理州总工会", "union", "prefecture", Some(&f.p.province), "532900");
    let dali_organiser = srv.staff(&f.p.admin.access, "org.dali", "organiser", Some(&dali));
    verify(&dali_organiser.access, &credential).problem(404, "not_found");
    // The host's organiser, reviewing the registration, verifies it after seeing the certificate.
    let verified = verify(&f.host.access, &credential);
    assert_eq!(verified.status, 200, "{}", verified.text);
    assert_eq!(verified.body["status"], "verified");
    assert!(verified.body["reviewed_at"].is_string());
    verify(&f.host.access, &credential).problem(409, "already_verified");
    let admitted = review(srv, &f.host.access, &id, "approve", None);
    assert_eq!(admitted.body["status"], "admitted", "{}", admitted.text);
    assert_eq!(admitted.body["unverified_level"], Value::Null);

    // A rejected declaration carries nothing: the registration cannot be admitted on it.
    let (other, other_person) =
        worker(srv, "13900000093", "阿苏·木呷", &id_number("530102", "19930101", 135), &f.factory);
    let claimed = srv.post(
        &format!("/api/v1/persons/{other_person}/credentials"),
        &other.access,
        json!({ "occupation": "车工", "level": 2, "issued_on": day(-30), "source": "exam" }),
    );
    let claimed_id = claimed.body["id"].as_str().unwrap().to_string();
    let signed = sign_up(srv, &other.access, &f.event, json!({}));
    assert_eq!(signed.status, 201, "{}", signed.text);
    let other_id = signed.body["id"].as_str().unwrap().to_string();
    let reject = |token: &str, body: Value| {
        srv.post(&format!("/api/v1/persons/{other_person}/credentials/{claimed_id}/reject"), token, body)
    };
    reject(&f.unit.access, json!({ "reason": "" })).invalid_field("reason", "required");
    reject(&f.unit.access, json!({})).problem(422, "validation_failed");
    let rejected = reject(&f.unit.access, json!({ "reason": "证书编号查无此证" }));
    assert_eq!(rejected.body["status"], "rejected", "{}", rejected.text);
    assert_eq!(rejected.body["rejection_reason"], "证书编号查无此证");
    srv.post(&format!("/api/v1/persons/{other_person}/credentials/{claimed_id}/verify"), &f.host.access, json!({}))
        .problem(409, "credential_rejected");
    review(srv, &f.unit.access, &other_id, "approve", None);
    review(srv, &f.host.access, &other_id, "approve", None).problem(409, "skill_level_too_low");
    // What the person sees: each credential with its status.
    let mine = srv.get("/api/v1/me", &other.access);
    assert_eq!(mine.body["person"]["credentials"][0]["status"], "rejected", "{}", mine.text);

    // An organiser over the employer records a credential they have checked: verified at once.
    let (_, third_person) = worker(srv, "13900000094", "岩温香", &id_number("530102", "19940101", 146), &f.factory);
    let recorded = srv.post(
        &format!("/api/v1/persons/{third_person}/credentials"),
        &f.unit.access,
        json!({ "occupation": "车工", "level": 3, "issued_on": day(-30), "source": "exam" }),
    );
    assert_eq!(recorded.status, 201, "{}", recorded.text);
    assert_eq!(recorded.body["status"], "verified");
}

#[test]
fn a_sitting_at_half_past_seven_beijing_time_is_on_the_first_day_and_the_ticket_says_so() {
    let f = open_final(Options { roster_publicity_days: 0, ..Options::default() });
    let srv = &f.p.srv;
    // The final starts on day 30. 07:30 Beijing on that day is 23:30 UTC the day before.
    let sitting = |from: String, to: String| {
        srv.post(
            &format!("/api/v1/events/{}/sessions", f.event),
            &f.host.access,
            json!({ "kind": "theory", "name": "理论知识考试", "venue": "昆明示范技工学校", "starts_at": from, "ends_at": to }),
        )
    };
    let early = sitting(skillcomp_tests::beijing(30, "07:30"), skillcomp_tests::beijing(30, "07:50"));
    assert_eq!(early.status, 201, "a 07:30 sitting on the first day is inside the dates: {}", early.text);
    assert_eq!(early.body["starts_at"], format!("{}T23:30:00Z", day(29)));
    // 23:30 Beijing on the day before is outside, though its UTC date is the day before too.
    sitting(skillcomp_tests::beijing(29, "23:30"), skillcomp_tests::beijing(29, "23:50"))
        .invalid_field("starts_at", "outside_competition_dates");
    // The evening of the last day in Beijing is still inside (its UTC date is the same day).
    let late = sitting(skillcomp_tests::beijing(32, "20:00"), skillcomp_tests::beijing(32, "21:00"));
    assert_eq!(late.status, 201, "{}", late.text);

    let (me, _) = worker(srv, "13900000095", "李娜", &id_number("530102", "19920315", 157), &f.factory);
    let created = sign_up(srv, &me.access, &f.event, json!({}));
    let id = created.body["id"].as_str().unwrap().to_string();
    review(srv, &f.unit.access, &id, "approve", None);
    assert_eq!(review(srv, &f.host.access, &id, "approve", None).body["status"], "admitted");
    for (to, reason) in [("registration_closed", Some("提前截止")), ("roster_publicity", None), ("roster_final", None)]
    {
        let r = transition(&f, to, reason);
        assert_eq!(r.status, 200, "{to}: {}", r.text);
    }
    // The printed 准考证 shows the times the organiser entered, in Beijing time.
    let page = srv.get(&format!("/api/v1/registrations/{id}/ticket.html"), &me.access);
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains(&format!("{} 07:30", day(30))), "{}", page.text);
    assert!(page.text.contains(&format!("{} 20:00", day(32))), "{}", page.text);
    assert!(!page.text.contains(&format!("{} 23:30", day(29))), "no UTC wall-clock time: {}", page.text);
}

#[test]
fn places_allotted_per_prefecture_are_kept_and_a_prefecture_without_places_is_told_so() {
    let f = open_final(Options {
        quota_total: Some(10),
        extra: json!({ "prefecture_quotas": { "530100": 1 } }),
        ..Options::default()
    });
    let srv = &f.p.srv;
    let admin = f.p.admin.access.clone();
    // The allotment is checked: within the event's total, prefectures of the host's region only.
    let patch = |body: Value| {
        let version = srv.request("GET", &format!("/api/v1/events/{}", f.event)).send().etag.unwrap();
        srv.request("PATCH", &format!("/api/v1/events/{}", f.event))
            .token(&f.host.access)
            .header("If-Match", &version)
            .json(body)
    };
    patch(json!({ "prefecture_quotas": { "530100": 1 } })).problem(409, "competition_locked");
    let event = srv.request("GET", &format!("/api/v1/events/{}", f.event)).send();
    assert_eq!(event.body["prefecture_quotas"], json!({ "530100": 1 }), "{}", event.text);
    let year = chrono::Datelike::year(&(skillcomp_tests::today() + chrono::Duration::days(30)));
    let other = srv.post("/api/v1/competitions", &f.host.access, json!({
        "name": "昆明市第二届技能大赛", "year": year, "category": "workers_skills", "tier": "prefecture", "class": "district",
        "host_org_id": f.p.kunming, "starts_on": day(30), "ends_on": day(32) }));
    let other = other.body["id"].as_str().unwrap().to_string();
    let add = |body: Value| srv.post(&format!("/api/v1/competitions/{other}/events"), &f.host.access, body);
    let lathe = trade_id(srv, "车工");
    add(json!({ "trade_id": lathe, "quota_total": 2, "prefecture_quotas": { "530100": 3 } }))
        .invalid_field("prefecture_quotas", "quota_above_total");
    add(json!({ "trade_id": lathe, "prefecture_quotas": { "530102": 3 } }))
        .invalid_field("prefecture_quotas.530102", "not_a_prefecture");
    // Kunming's final allots places within Kunming only (a provincial final, to each prefecture).
    add(json!({ "trade_id": lathe, "prefecture_quotas": { "530300": 3 } }))
        .invalid_field("prefecture_quotas.530300", "region_outside_host");

    // Kunming's one place goes to the first of its workers; the second is told the places are taken.
    let first = worker(srv, "13900000301", "赵一", &id_number("530102", "19900101", 301), &f.factory).0;
    assert_eq!(sign_up(srv, &first.access, &f.event, json!({})).status, 201);
    let second = worker(srv, "13900000303", "钱二", &id_number("530102", "19900101", 303), &f.factory).0;
    let refused = sign_up(srv, &second.access, &f.event, json!({}));
    refused.problem(422, "not_eligible");
    assert_eq!(reasons(&refused), ["prefecture_quota_full"]);
    // A unit of 曲靖 (530300), to which the event allots no places, is told so.
    let qujing = srv.create_org(&admin, "曲靖示范煤机厂", "enterprise", "enterprise", Some(&f.p.qilin), "530302");
    let third = worker(srv, "13900000305", "孙三", &id_number("530302", "19900101", 305), &qujing).0;
    let none = sign_up(srv, &third.access, &f.event, json!({}));
    assert_eq!(reasons(&none), ["no_prefecture_quota"], "{}", none.text);
}

#[test]
fn an_event_reviewed_in_three_levels_goes_unit_then_county_then_host_each_deciding_only_its_own() {
    let f = open_final(Options { extra: json!({ "review_levels": 3 }), ..Options::default() });
    let srv = &f.p.srv;
    let admin = f.p.admin.access.clone();
    // The factory's own organiser is the unit; 五华区's union the level between; Kunming the host.
    let factory = srv.staff(&admin, "org.factory", "organiser", Some(&f.factory));
    let (s, _) = worker(srv, "13900000401", "周一", &id_number("530102", "19900101", 401), &f.factory);
    let r = sign_up(srv, &s.access, &f.event, json!({}));
    assert_eq!((r.status, r.body["review_stage"].as_str()), (201, Some("unit")), "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_string();
    let queue = |who: &Session| {
        let q = srv.get(&format!("/api/v1/registrations?event_id={}&awaiting_me=true", f.event), &who.access);
        q.body["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!((queue(&factory), queue(&f.unit), queue(&f.host)), (vec![id.clone()], vec![], vec![]));
    // Each start page counts what waits at its own level, by the same rule as the queue.
    let waiting = |who: &Session| {
        let todo = srv.get("/api/v1/me/todo", &who.access);
        assert_eq!(todo.status, 200, "{}", todo.text);
        todo.body["reviews_waiting"].as_i64().unwrap()
    };
    assert_eq!((waiting(&factory), waiting(&f.unit), waiting(&f.host)), (1, 0, 0));
    // …by competition, to open the queue where it waits; the unit sees it is not theirs to run.
    let todo = srv.get("/api/v1/me/todo", &factory.access).body;
    assert_eq!(todo["reviews_by_competition"][0]["competition_id"], f.competition.as_str());
    assert_eq!(todo["reviews_by_competition"][0]["count"], 1);
    let managed = |who: &Session| {
        srv.get(&format!("/api/v1/competitions/{}", f.competition), &who.access).body["managed_by_me"].clone()
    };
    assert_eq!((managed(&factory), managed(&f.host)), (json!(false), json!(true)));
    assert_eq!(srv.get("/api/v1/me/todo", &s.access).body["reviews_waiting"], 0, "a contestant reviews nothing");
    review(srv, &f.unit.access, &id, "approve", None).problem(403, "forbidden");
    let unit = review(srv, &factory.access, &id, "approve", None);
    assert_eq!(
        (unit.body["status"].as_str(), unit.body["review_stage"].as_str()),
        (Some("unit_approved"), Some("body"))
    );
    // Each level decides once, its own.
    review(srv, &factory.access, &id, "approve", None).problem(403, "forbidden");
    let early = review(srv, &f.host.access, &id, "approve", None);
    early.problem(403, "forbidden");
    assert!(early.body["detail"].as_str().unwrap().contains("another level"), "{}", early.text);
    assert_eq!((queue(&factory), queue(&f.unit), queue(&f.host)), (vec![], vec![id.clone()], vec![]));
    assert_eq!((waiting(&factory), waiting(&f.unit), waiting(&f.host)), (0, 1, 0));
    let county = review(srv, &f.unit.access, &id, "approve", None);
    assert_eq!(county.body["review_stage"], "host", "{}", county.text);
    let admitted = review(srv, &f.host.access, &id, "approve", None);
    assert_eq!(admitted.body["status"], "admitted", "{}", admitted.text);
    // Returned at any level, it starts again from the unit.
    let (s2, _) = worker(srv, "13900000403", "吴二", &id_number("530102", "19900101", 403), &f.factory);
    let second = sign_up(srv, &s2.access, &f.event, json!({})).body["id"].as_str().unwrap().to_string();
    review(srv, &factory.access, &second, "approve", None);
    let returned = review(srv, &f.unit.access, &second, "return", Some("请补充推荐表"));
    assert_eq!(returned.body["status"], "returned", "{}", returned.text);
    assert_eq!(srv.get("/api/v1/me/todo", &s2.access).body["returned_registrations"], 1);
    assert_eq!(waiting(&f.host), 0, "the admitted one waits for nobody");
    // No more levels than enterprise → county → prefecture → province.
    let year = chrono::Datelike::year(&(skillcomp_tests::today() + chrono::Duration::days(30)));
    let other = srv.post("/api/v1/competitions", &f.host.access, json!({
        "name": "昆明市第三届技能大赛", "year": year, "category": "workers_skills", "tier": "prefecture", "class": "district",
        "host_org_id": f.p.kunming, "starts_on": day(30), "ends_on": day(32) }));
    let other = other.body["id"].as_str().unwrap().to_string();
    srv.post(
        &format!("/api/v1/competitions/{other}/events"),
        &f.host.access,
        json!({ "trade_id": trade_id(srv, "车工"), "review_levels": 5 }),
    )
    .invalid_field("review_levels", "out_of_range");
}

#[test]
fn a_reviewers_selection_is_decided_in_one_request_each_at_its_own_stage_or_refused_with_the_reason() {
    let f = open_final(Options::default());
    let srv = &f.p.srv;
    let mut ids = Vec::new();
    for (i, name) in ["甲", "乙", "丙"].iter().enumerate() {
        let (s, _) = worker(
            srv,
            &format!("1390000091{i}"),
            name,
            &id_number("530102", "19900101", 910 + 2 * i as u32),
            &f.factory,
        );
        ids.push(sign_up(srv, &s.access, &f.event, json!({})).body["id"].as_str().unwrap().to_string());
    }
    let batch = |token: &str, body: Value| srv.post("/api/v1/registrations/reviews", token, body);
    // The unit passes two of them; the host's turn comes after, so the host cannot take the third yet.
    let unit = batch(&f.unit.access, json!({ "registration_ids": [ids[0], ids[1]], "action": "approve" }));
    assert_eq!(unit.status, 200, "{}", unit.text);
    assert_eq!(unit.body["reviewed"].as_array().unwrap().len(), 2, "{}", unit.text);
    assert!(unit.body["reviewed"].as_array().unwrap().iter().all(|r| r["status"] == "unit_approved"));
    let unknown = uuid::Uuid::new_v4().to_string();
    let host =
        batch(&f.host.access, json!({ "registration_ids": [ids[0], ids[1], ids[2], unknown], "action": "approve" }));
    assert_eq!(host.status, 200, "{}", host.text);
    let reviewed: Vec<&str> =
        host.body["reviewed"].as_array().unwrap().iter().map(|r| r["registration_id"].as_str().unwrap()).collect();
    assert_eq!(reviewed, [ids[0].as_str(), ids[1].as_str()]);
    let refused: Vec<(&str, &str)> = host.body["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["registration_id"].as_str().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert_eq!(refused, [(ids[2].as_str(), "forbidden"), (unknown.as_str(), "not_found")], "{}", host.text);
    assert_eq!(srv.get(&format!("/api/v1/registrations/{}", ids[0]), &f.host.access).body["status"], "admitted");
    // The refused one is untouched; a contestant's batch decides nothing, and says no more than
    // that the registrations are not theirs to see.
    assert_eq!(srv.get(&format!("/api/v1/registrations/{}", ids[2]), &f.host.access).body["status"], "submitted");
    let stranger = srv.contestant("13700000920");
    let theirs = batch(&stranger.access, json!({ "registration_ids": [ids[2]], "action": "approve" }));
    assert_eq!(theirs.body["refused"][0]["code"], "not_found", "{}", theirs.text);
    // Returning needs a comment; a selection is 1 to 500 ids.
    batch(&f.unit.access, json!({ "registration_ids": [ids[2]], "action": "return" }))
        .invalid_field("comment", "required");
    batch(&f.unit.access, json!({ "registration_ids": [], "action": "approve" }))
        .invalid_field("registration_ids", "out_of_range");
    batch(&f.unit.access, json!({ "registration_ids": ["x"], "action": "approve" })).problem(400, "invalid_id");
}
