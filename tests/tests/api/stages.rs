//! Each event on its own schedule: an event's stage follows its own acts (draw, check-in, …), its
//! check-in and marking are gated by it, and the competition follows its events as far as all of
//! them allow.

use serde_json::{json, Value};
use skillcomp_tests::{id_number, Session, TestServer};

use crate::judging::user_id;
use crate::province;
use crate::registration::{at, day, prepare_event, review, sign_up, trade_id, worker};

fn stage(srv: &TestServer, event: &str) -> Value {
    srv.request("GET", &format!("/api/v1/events/{event}")).send().body["stage"].clone()
}

#[test]
fn one_event_runs_while_another_waits_for_its_draw_and_the_competition_follows_the_slower() {
    let p = province();
    let srv = &p.srv;
    let admin = p.admin.access.clone();
    let factory = srv.create_org(&admin, "五华示范机床厂", "enterprise", "enterprise", Some(&p.wuhua), "530102");
    let host = srv.staff(&admin, "org.kunming", "organiser", Some(&p.kunming));
    let year = chrono::Datelike::year(&skillcomp_tests::today());
    let competition = srv.post("/api/v1/competitions", &host.access, json!({
        "name": "昆明市职工技能大赛（多项目）", "year": year, "category": "workers_skills", "tier": "prefecture", "class": "district",
        "host_org_id": p.kunming, "starts_on": day(0), "ends_on": day(1), "roster_publicity_days": 0,
        "registration_opens_at": at(-2, "00:00:00"), "registration_closes_at": skillcomp_tests::beijing(0, "23:59") }));
    assert_eq!(competition.status, 201, "{}", competition.text);
    let competition = competition.body["id"].as_str().unwrap().to_string();
    let mut events = Vec::new();
    for trade in ["车工", "装配钳工"] {
        let e = srv.post(
            &format!("/api/v1/competitions/{competition}/events"),
            &host.access,
            json!({ "trade_id": trade_id(srv, trade), "review_levels": 1 }),
        );
        assert_eq!(e.status, 201, "{}", e.text);
        let id = e.body["id"].as_str().unwrap().to_string();
        prepare_event(srv, &host.access, &id, (0, "00:00:00", "23:59:00"));
        events.push(id);
    }
    let (lathe, fitting) = (events[0].clone(), events[1].clone());
    let transition = |to: &str| {
        let r = srv.post(
            &format!("/api/v1/competitions/{competition}/transitions"),
            &host.access,
            json!({ "to": to, "reason": "提前截止" }),
        );
        assert_eq!(r.status, 200, "{to}: {}", r.text);
    };
    transition("published");
    transition("registration_open");
    assert_eq!(stage(srv, &lathe), "registration");
    // Two lathe turners, one fitter.
    let mut tickets: Vec<(String, String, String)> = Vec::new();
    for (i, event) in [&lathe, &lathe, &fitting].into_iter().enumerate() {
        let id = id_number("530102", "19900101", 600 + 2 * i as u32);
        let (s, _) = worker(srv, &format!("1380000300{i}"), ["张三", "李四", "王五"][i], &id, &factory);
        let r = sign_up(srv, &s.access, event, json!({}));
        let rid = r.body["id"].as_str().unwrap().to_string();
        review(srv, &host.access, &rid, "approve", None);
        tickets.push((event.clone(), rid, id));
    }
    transition("registration_closed");
    transition("roster_publicity");
    transition("roster_final");
    assert_eq!((stage(srv, &lathe), stage(srv, &fitting)), (json!("roster"), json!("roster")));
    let encryption: Session = srv.staff(&admin, "judge.enc", "judge", Some(&p.kunming));
    let encryption_id = user_id(srv, &encryption);
    for event in [&lathe, &fitting] {
        let r = srv.post(
            &format!("/api/v1/events/{event}/roles"),
            &host.access,
            json!({ "user_id": encryption_id, "role": "encryption_judge" }),
        );
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let competition_status =
        || srv.request("GET", &format!("/api/v1/competitions/{competition}")).send().body["status"].clone();
    let check_in = |(event, rid, id): &(String, String, String)| {
        let ticket = srv.get(&format!("/api/v1/registrations/{rid}"), &host.access).body["ticket_number"].clone();
        srv.post(
            &format!("/api/v1/events/{event}/check-in"),
            &host.access,
            json!({ "ticket_number": ticket, "id_number": id }),
        )
    };

    // The lathe event draws first: it is drawn, the fitters' is not, the competition waits.
    let drawn = srv.post(&format!("/api/v1/events/{lathe}/draw"), &encryption.access, json!({}));
    assert_eq!(drawn.status, 201, "{}", drawn.text);
    assert_eq!((stage(srv, &lathe), stage(srv, &fitting)), (json!("drawn"), json!("roster")));
    assert_eq!(competition_status(), "roster_final");
    // A fitter cannot check in before their event's draw; the turners can, and their event runs.
    let refused = check_in(&tickets[2]);
    refused.problem(409, "event_not_drawn");
    assert!(refused.body["detail"].as_str().unwrap().contains("抽签"), "{}", refused.text);
    let first = check_in(&tickets[0]);
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(stage(srv, &lathe), "running");
    // Its marking scheme is fixed from its first check-in; the fitters' is not yet.
    let scheme_locked = |event: &str| {
        srv.request("GET", &format!("/api/v1/events/{event}")).send().body["marking_scheme"]["locked"].clone()
    };
    assert_eq!((scheme_locked(&lathe), scheme_locked(&fitting)), (json!(true), json!(false)));
    assert_eq!(competition_status(), "roster_final", "the fitters have not drawn yet");

    // The fitters draw and check in: the competition follows, step by step, to running.
    assert_eq!(srv.post(&format!("/api/v1/events/{fitting}/draw"), &encryption.access, json!({})).status, 201);
    assert_eq!(competition_status(), "drawn");
    assert_eq!(check_in(&tickets[2]).status, 200);
    assert_eq!(competition_status(), "running");
    assert_eq!((stage(srv, &lathe), stage(srv, &fitting)), (json!("running"), json!("running")));
    // Moving it by hand past its events is refused with what is missing.
    let by_hand =
        srv.post(&format!("/api/v1/competitions/{competition}/transitions"), &host.access, json!({ "to": "scoring" }));
    by_hand.problem(409, "preconditions_unmet");
    assert_eq!(by_hand.body["extra"]["unmet"][0]["code"], "sheets_not_locked");
    // The trail records each step the competition took, in the name of whoever acted.
    let trail = srv.get(
        &format!("/api/v1/audit?entity_type=competition&entity_id={competition}&action=competition.transition"),
        &admin,
    );
    assert!(trail.text.contains("its events reached it"), "{}", trail.text);
}
