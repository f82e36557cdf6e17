//! A whole county season through the API, as an outside integrator would drive it, at the edges
//! real seasons meet: a team event beside an individual one (each on its own schedule), a tie at
//! the top for the committee, a judge who stands aside from their own factory, an appeal upheld
//! and the marks re-opened by two people, and a results 公示 across National Day (2026: 1–7
//! October off, Saturday 10 October worked).

use std::collections::HashMap;

use chrono::{TimeZone, Utc};
use serde_json::{json, Value};
use skillcomp_tests::{id_number, Session, TestServer};

use crate::judging::user_id;
use crate::province;
use crate::registration::{review, sign_up, trade_id, worker};

const STAFF: &str = "Staff-Pa55word-2026";

/// The season's year: the one whose National Day the holiday calendar shipped with the project
/// fixes (1–7 October off, Saturday 10 October worked). The test sets the server's clock in it,
/// so it runs the same whatever day it is run.
const YEAR: i32 = 2026;

/// A Beijing wall-clock time of the season (month, day, hour), as the instant it is.
fn beijing(month: u32, day: u32, hour: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(YEAR, month, day, hour, 0, 0).unwrap() - chrono::Duration::hours(8)
}

/// Sets the server's clock to a Beijing wall-clock time of the season.
fn set_clock(srv: &TestServer, month: u32, day: u32, hour: u32) {
    srv.clock.set(beijing(month, day, hour));
}

/// A day of the season (yyyy-mm-dd) and a Beijing time of it (RFC 3339).
fn date(month: u32, day: u32) -> String {
    format!("{YEAR}-{month:02}-{day:02}")
}
fn at(month: u32, day: u32, hour: u32) -> String {
    beijing(month, day, hour).to_rfc3339()
}

/// A theory paper and one practical module of two measured aspects (60 + 40).
fn scheme() -> Value {
    json!({
        "title": "评分标准",
        "sections": [
            { "name": "理论知识", "kind": "theory", "criteria": [{ "name": "理论", "aspects": [{ "description": "理论试卷", "kind": "measurement", "max": 100 }] }] },
            { "name": "实操", "kind": "practical", "criteria": [
                { "name": "精度", "aspects": [{ "description": "尺寸精度", "kind": "measurement", "max": 60 }] },
                { "name": "工艺", "aspects": [{ "description": "工艺规范", "kind": "measurement", "max": 40 }] }
            ]}
        ]
    })
}

struct Season {
    srv: TestServer,
    competition: String,
    /// Staff user ids by username.
    staff: HashMap<&'static str, String>,
}

impl Season {
    fn login(&self, username: &str) -> Session {
        self.srv.login(username, STAFF)
    }

    fn status(&self) -> Value {
        self.srv.request("GET", &format!("/api/v1/competitions/{}", self.competition)).send().body["status"].clone()
    }

    /// The encryption judge's mapping of an event: registration id → its stations (a team's
    /// captain first).
    fn stations(&self, event: &str) -> HashMap<String, Vec<i64>> {
        let mapping = self.srv.get(&format!("/api/v1/events/{event}/draw"), &self.login("county.enc").access);
        mapping.body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let mut stations = vec![e["station_number"].as_i64().unwrap()];
                stations.extend(
                    e["member_stations"].as_array().unwrap().iter().map(|m| m["station_number"].as_i64().unwrap()),
                );
                (e["registration_id"].as_str().unwrap().to_string(), stations)
            })
            .collect()
    }

    /// Each judge marks what they may of the practical module, the theory paper by judge A:
    /// `marks` gives per station (theory, precision, craft).
    fn mark(&self, event: &str, marks: &HashMap<i64, (f64, f64, f64)>) {
        let srv = &self.srv;
        for judge in ["county.judge.a", "county.judge.b", "county.judge.c"] {
            let s = self.login(judge);
            let sheet = srv.get(&format!("/api/v1/events/{event}/judging/sheet?section=1"), &s.access);
            let aspects: Vec<String> = sheet.body["aspects"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_str().unwrap().to_string())
                .collect();
            let mut entered = Vec::new();
            for station in sheet.body["stations"].as_array().unwrap().iter().map(|s| s.as_i64().unwrap()) {
                let (_, precision, craft) = marks[&station];
                entered.push(json!({ "aspect_id": aspects[0], "station_number": station, "value": precision }));
                entered.push(json!({ "aspect_id": aspects[1], "station_number": station, "value": craft }));
            }
            let saved =
                srv.post(&format!("/api/v1/events/{event}/judging/marks"), &s.access, json!({ "marks": entered }));
            assert_eq!(saved.status, 200, "{judge}: {}", saved.text);
        }
        let a = self.login("county.judge.a");
        let theory = srv.get(&format!("/api/v1/events/{event}/judging/sheet?section=0"), &a.access);
        let aspect = theory.body["aspects"][0]["id"].clone();
        let papers: Vec<Value> = marks
            .iter()
            .map(|(station, (paper, _, _))| json!({ "aspect_id": aspect, "station_number": station, "value": paper }))
            .collect();
        let saved = srv.post(&format!("/api/v1/events/{event}/judging/marks"), &a.access, json!({ "marks": papers }));
        assert_eq!(saved.status, 200, "{}", saved.text);
        // Sign, lock (chief judge and supervisor), review, decrypt (encryption judge and supervisor).
        let (chief, supervisor) = (self.login("county.chief"), self.login("county.supervisor"));
        for section in [0, 1] {
            for judge in ["county.judge.a", "county.judge.b", "county.judge.c"] {
                let signed = srv.post(
                    &format!("/api/v1/events/{event}/judging/sections/{section}/sign"),
                    &self.login(judge).access,
                    json!({}),
                );
                assert!(signed.status == 201 || (section == 0 && signed.status == 409), "{judge}: {}", signed.text);
            }
            let signed = srv.post(
                &format!("/api/v1/events/{event}/judging/sections/{section}/chief-sign"),
                &chief.access,
                json!({}),
            );
            assert_eq!(signed.status, 201, "{}", signed.text);
            let confirmed = srv.post(
                &format!("/api/v1/events/{event}/judging/sections/{section}/confirm"),
                &supervisor.access,
                json!({}),
            );
            assert_eq!(confirmed.status, 200, "{}", confirmed.text);
        }
        let drawn = srv.post(&format!("/api/v1/events/{event}/judging/review"), &chief.access, json!({}));
        assert_eq!(drawn.status, 201, "{}", drawn.text);
        for sample in drawn.body["samples"].as_array().unwrap() {
            srv.post(
                &format!("/api/v1/review-samples/{}", sample["id"].as_str().unwrap()),
                &supervisor.access,
                json!({ "outcome": "checked" }),
            );
        }
        let enc = self.login("county.enc");
        assert_eq!(srv.post(&format!("/api/v1/events/{event}/judging/decryption"), &enc.access, json!({})).status, 200);
        let decrypted =
            srv.post(&format!("/api/v1/events/{event}/judging/decryption/confirm"), &supervisor.access, json!({}));
        assert_eq!(decrypted.status, 200, "{}", decrypted.text);
    }
}

#[test]
fn a_county_season_with_a_team_event_a_tie_at_the_top_a_recused_judge_an_upheld_appeal_and_national_day() {
    let p = province();
    let srv = p.srv;
    let admin = p.admin.access.clone();
    set_clock(&srv, 9, 14, 9);
    let machine = srv.create_org(&admin, "五华示范机床厂", "enterprise", "enterprise", Some(&p.wuhua), "530102");
    let valve = srv.create_org(&admin, "五华示范阀门厂", "enterprise", "enterprise", Some(&p.wuhua), "530102");
    let host = srv.staff(&admin, "org.wuhua", "organiser", Some(&p.wuhua));
    let competition = srv.post("/api/v1/competitions", &host.access, json!({
        "name": format!("{YEAR}年五华区职工职业技能竞赛"), "year": YEAR, "category": "workers_skills", "tier": "county", "class": "district",
        "host_org_id": p.wuhua, "starts_on": date(9, 28), "ends_on": date(9, 29), "roster_publicity_days": 0, "results_publicity_days": 5,
        "registration_opens_at": at(9, 14, 0), "registration_closes_at": at(9, 25, 18) }));
    assert_eq!(competition.status, 201, "{}", competition.text);
    let competition = competition.body["id"].as_str().unwrap().to_string();
    let event = |body: Value| {
        let created = srv.post(&format!("/api/v1/competitions/{competition}/events"), &host.access, body);
        assert_eq!(created.status, 201, "{}", created.text);
        let id = created.body["id"].as_str().unwrap().to_string();
        let sitting = srv.post(&format!("/api/v1/events/{id}/sessions"), &host.access, json!({ "kind": "practical", "name": "实操", "venue": "五华区职教中心", "starts_at": at(9, 28, 8), "ends_at": at(9, 28, 17) }));
        assert_eq!(sitting.status, 201, "{}", sitting.text);
        srv.post(
            &format!("/api/v1/events/{id}/documents"),
            &host.access,
            json!({ "title": "技术工作文件", "body": "内容" }),
        );
        srv.post(&format!("/api/v1/events/{id}/documents/1/publish"), &host.access, json!({}));
        let saved =
            srv.request("PUT", &format!("/api/v1/events/{id}/marking-scheme")).token(&host.access).json(scheme());
        assert_eq!(saved.status, 200, "{}", saved.text);
        id
    };
    let lathe = event(json!({ "trade_id": trade_id(&srv, "车工"), "review_levels": 1 }));
    let wiring = event(
        json!({ "trade_id": trade_id(&srv, "电工"), "review_levels": 1, "mode": "team", "team_size": 2, "team_scoring": "mean" }),
    );
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

    // Four turners (two per factory) and two pairs of electricians sign up; team-mates accept.
    let people = [
        ("13800005000", "李娜", &machine),
        ("13800005001", "阿苏·木呷", &valve),
        ("13800005002", "岩温香", &machine),
        ("13800005003", "王强", &valve),
        ("13800005004", "扎西", &machine),
        ("13800005005", "苏和", &machine),
        ("13800005006", "玉香", &valve),
        ("13800005007", "和丽娟", &valve),
    ];
    let mut ids = Vec::new();
    for (i, (username, name, unit)) in people.iter().enumerate() {
        let id = id_number("530102", "19900101", 501 + 2 * i as u32);
        worker(&srv, username, name, &id, unit);
        ids.push(id);
    }
    let contestant = |i: usize| srv.login(people[i].0, "contestant-password-1");
    let mut turners = Vec::new();
    for i in 0..4 {
        let r = sign_up(&srv, &contestant(i).access, &lathe, json!({}));
        assert_eq!(r.status, 201, "{}", r.text);
        turners.push(r.body["id"].as_str().unwrap().to_string());
    }
    let mut teams = Vec::new();
    for (captain, mate, name) in [(4, 5, "机床厂电工队"), (6, 7, "阀门厂电工队")] {
        let r = sign_up(
            &srv,
            &contestant(captain).access,
            &wiring,
            json!({ "team_name": name, "members": [{ "id_number": ids[mate], "full_name": people[mate].1 }] }),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.body["id"].as_str().unwrap().to_string();
        let accepted = srv.post(
            &format!("/api/v1/registrations/{id}/invitation"),
            &contestant(mate).access,
            json!({ "accept": true }),
        );
        assert_eq!(accepted.status, 200, "{}", accepted.text);
        teams.push(id);
    }
    for id in turners.iter().chain(&teams) {
        assert_eq!(review(&srv, &host.access, id, "approve", None).body["status"], "admitted");
    }
    transition("registration_closed", Some("报名人数已满"));
    transition("roster_publicity", None);
    transition("roster_final", None);

    // The judges: C works at the machine factory and stands aside from its contestants.
    let mut staff = HashMap::new();
    for (username, role) in [
        ("county.judge.a", "judge"),
        ("county.judge.b", "judge"),
        ("county.judge.c", "judge"),
        ("county.chief", "chief_judge"),
        ("county.supervisor", "supervisor"),
        ("county.enc", "encryption_judge"),
        ("county.arbiter", "arbiter"),
    ] {
        let s = srv.staff(&admin, username, "judge", Some(&p.wuhua));
        let id = user_id(&srv, &s);
        for event in [&lathe, &wiring] {
            let r = srv.post(
                &format!("/api/v1/events/{event}/roles"),
                &host.access,
                json!({ "user_id": id, "role": role }),
            );
            assert_eq!(r.status, 201, "{}", r.text);
        }
        staff.insert(username, id);
    }
    let c = srv.login("county.judge.c", STAFF);
    let profile = srv.request("PUT", "/api/v1/me/person").token(&c.access).json(
        json!({ "full_name": "陈裁判", "id_number": id_number("530102", "19750101", 557), "employer_org_id": machine }),
    );
    assert_eq!(profile.status, 201, "{}", profile.text);
    let s = Season { srv, competition, staff };
    let srv = &s.srv;

    // Competition day: each event draws and checks in on its own; the competition follows.
    set_clock(srv, 9, 28, 8);
    let host = srv.login("org.wuhua", STAFF);
    let enc = s.login("county.enc");
    assert_eq!(srv.post(&format!("/api/v1/events/{lathe}/draw"), &enc.access, json!({})).status, 201);
    assert_eq!(s.status(), "roster_final", "the team event has not drawn yet");
    assert_eq!(srv.post(&format!("/api/v1/events/{wiring}/draw"), &enc.access, json!({})).status, 201);
    assert_eq!(s.status(), "drawn");
    for (event, registration, id) in turners
        .iter()
        .enumerate()
        .map(|(i, r)| (&lathe, r, &ids[i]))
        .chain(teams.iter().zip([4, 6]).map(|(r, i)| (&wiring, r, &ids[i])))
    {
        let ticket =
            srv.get(&format!("/api/v1/registrations/{registration}"), &host.access).body["ticket_number"].clone();
        let r = srv.post(
            &format!("/api/v1/events/{event}/check-in"),
            &host.access,
            json!({ "ticket_number": ticket, "id_number": id }),
        );
        assert_eq!(r.status, 200, "{}", r.text);
    }
    assert_eq!(s.status(), "running");
    for event in [&lathe, &wiring] {
        for (judge, sections) in
            [("county.judge.a", vec![0, 1]), ("county.judge.b", vec![1]), ("county.judge.c", vec![1])]
        {
            for section in sections {
                let r = srv.post(
                    &format!("/api/v1/events/{event}/judging/assignments"),
                    &host.access,
                    json!({ "user_id": s.staff[judge], "section_index": section }),
                );
                assert_eq!(r.status, 200, "{}", r.text);
            }
        }
    }

    // 车工: 李娜 (machine factory) and 阿苏·木呷 (valve factory) end equal on every key; judge C
    // never sees 李娜's station.
    let lathe_stations = s.stations(&lathe);
    let station_of = |registration: &str| lathe_stations[registration][0];
    let c_sheet =
        srv.get(&format!("/api/v1/events/{lathe}/judging/sheet?section=1"), &s.login("county.judge.c").access);
    let c_sees: Vec<i64> = c_sheet.body["stations"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
    assert!(!c_sees.contains(&station_of(&turners[0])) && !c_sees.contains(&station_of(&turners[2])), "{c_sees:?}");
    assert!(c_sees.contains(&station_of(&turners[1])));
    let lathe_marks: HashMap<i64, (f64, f64, f64)> =
        [(90.0, 55.0, 36.0), (90.0, 55.0, 36.0), (80.0, 50.0, 30.0), (70.0, 48.0, 30.0)]
            .into_iter()
            .enumerate()
            .map(|(i, m)| (station_of(&turners[i]), m))
            .collect();
    s.mark(&lathe, &lathe_marks);
    // 电工: the machine factory's pair works better.
    let wiring_stations = s.stations(&wiring);
    let mut wiring_marks = HashMap::new();
    for (team, (paper, precision)) in teams.iter().zip([(85.0, 50.0), (75.0, 45.0)]) {
        for station in &wiring_stations[team] {
            wiring_marks.insert(*station, (paper, precision, 35.0));
        }
    }
    s.mark(&wiring, &wiring_marks);
    assert_eq!(s.status(), "decrypted", "both events decrypted");

    // The tie at the top goes to the committee: the chief judge records its order.
    set_clock(srv, 9, 29, 17);
    let host = srv.login("org.wuhua", STAFF);
    let computed =
        srv.post(&format!("/api/v1/events/{lathe}/results"), &host.access, json!({ "top_three_never_shared": true }));
    assert_eq!(computed.status, 201, "{}", computed.text);
    srv.post(&format!("/api/v1/events/{lathe}/results/publish"), &host.access, json!({}))
        .problem(409, "tie_decision_required");
    let (first, second) = (station_of(&turners[0]), station_of(&turners[1]));
    let decided = srv.post(
        &format!("/api/v1/events/{lathe}/results/tie-decision"),
        &s.login("county.chief").access,
        json!({ "stations": [second, first], "reason": "经组委会研究，以实操精度复测确定名次" }),
    );
    assert_eq!(decided.status, 200, "{}", decided.text);
    assert_eq!(decided.body["entries"][0]["registration_id"], turners[1].as_str());
    let published = srv.post(&format!("/api/v1/events/{lathe}/results/publish"), &host.access, json!({}));
    assert_eq!(published.status, 200, "{}", published.text);
    let team_results = srv.post(&format!("/api/v1/events/{wiring}/results"), &host.access, json!({}));
    assert_eq!(team_results.body["entries"][0]["registration_id"], teams[0].as_str(), "{}", team_results.text);
    assert_eq!(team_results.body["entries"][0]["team_members"], json!(["苏和"]));
    assert_eq!(srv.post(&format!("/api/v1/events/{wiring}/results/publish"), &host.access, json!({})).status, 200);

    // 王强 appeals his theory paper within the two hours; the arbiter upholds it, and the mark is
    // re-opened by the chief judge and a supervisor: he moves up past 岩温香.
    let appeal = srv.post(
        &format!("/api/v1/registrations/{}/appeals", turners[3]),
        &contestant_login(srv, 3).access,
        json!({ "grounds": "理论试卷第5题漏判" }),
    );
    assert_eq!(appeal.status, 201, "{}", appeal.text);
    let appeal_id = appeal.body["id"].as_str().unwrap().to_string();
    let arbiter = s.login("county.arbiter");
    srv.post(&format!("/api/v1/appeals/{appeal_id}/accept"), &arbiter.access, json!({}));
    let upheld = srv.post(
        &format!("/api/v1/appeals/{appeal_id}/ruling"),
        &arbiter.access,
        json!({ "uphold": true, "ruling": "第5题应得分，理论加15分" }),
    );
    assert_eq!(upheld.body["status"], "upheld", "{}", upheld.text);
    let paper = srv
        .get(&format!("/api/v1/events/{lathe}/judging/sheet?section=0"), &s.login("county.judge.a").access)
        .body["marks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["station_number"] == station_of(&turners[3]))
        .unwrap()
        .clone();
    let asked = srv.post(
        &format!("/api/v1/marks/{}/reopen", paper["id"].as_str().unwrap()),
        &s.login("county.chief").access,
        json!({ "new_value": 85.0, "reason": format!("申诉 {appeal_id} 成立") }),
    );
    assert_eq!(asked.status, 201, "{}", asked.text);
    let approved = srv.post(
        &format!("/api/v1/reopen-requests/{}/approve", asked.body["id"].as_str().unwrap()),
        &s.login("county.supervisor").access,
        json!({}),
    );
    assert_eq!(approved.status, 200, "{}", approved.text);
    let recomputed =
        srv.post(&format!("/api/v1/events/{lathe}/results"), &host.access, json!({ "top_three_never_shared": true }));
    assert_eq!(recomputed.status, 201, "{}", recomputed.text);
    let order: Vec<&str> =
        recomputed.body["entries"].as_array().unwrap().iter().map(|e| e["full_name"].as_str().unwrap()).collect();
    assert_eq!(order[2], "王强", "{order:?}");
    // A recomputed set is a new set: the committee's order is recorded for it again.
    srv.post(&format!("/api/v1/events/{lathe}/results/publish"), &host.access, json!({}))
        .problem(409, "tie_decision_required");
    let again = srv.post(
        &format!("/api/v1/events/{lathe}/results/tie-decision"),
        &s.login("county.chief").access,
        json!({ "stations": [second, first], "reason": "组委会原决定不变" }),
    );
    assert_eq!(again.status, 200, "{}", again.text);
    let republished = srv.post(&format!("/api/v1/events/{lathe}/results/publish"), &host.access, json!({}));
    assert_eq!(republished.status, 200, "{}", republished.text);

    // The 公示 runs five working days: 30 September, then (1–7 October off) 8, 9, 10 (a Saturday
    // worked) and 12 October.
    let ends = republished.body["publicity_ends_at"].as_str().unwrap().to_string();
    let ends_beijing = chrono::DateTime::parse_from_rfc3339(&ends)
        .unwrap()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    // It ends with 12 October (counting holidays as working days it would have ended with 6 October).
    assert_eq!(ends_beijing.to_rfc3339(), format!("{}T00:00:00+08:00", date(10, 13)), "{ends}");
    set_clock(srv, 10, 9, 10);
    let host = srv.login("org.wuhua", STAFF);
    srv.post(&format!("/api/v1/events/{lathe}/results/finalise"), &host.access, json!({}))
        .problem(409, "publicity_not_over");
    set_clock(srv, 10, 14, 9);
    let host = srv.login("org.wuhua", STAFF);
    for event in [&lathe, &wiring] {
        let finalised = srv.post(&format!("/api/v1/events/{event}/results/finalise"), &host.access, json!({}));
        assert_eq!(finalised.status, 200, "{}", finalised.text);
    }
    // Every event final: the competition is too, without anyone moving it.
    assert_eq!(s.status(), "results_final");
    // The winning pair's awards go to both of them.
    let proposed = srv.post(&format!("/api/v1/events/{wiring}/awards/proposals"), &host.access, json!({}));
    assert_eq!(proposed.status, 201, "{}", proposed.text);
    let holders: std::collections::BTreeSet<&str> = proposed.body["awards"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "prize_first")
        .map(|a| a["person_id"].as_str().unwrap())
        .collect();
    assert_eq!(holders.len(), 2, "both members of the first pair: {}", proposed.text);
}

fn contestant_login(srv: &TestServer, i: usize) -> Session {
    srv.login(&format!("1380000500{i}"), "contestant-password-1")
}
