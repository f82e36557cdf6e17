use serde_json::{json, Value};
use skillcomp_tests::{Response, TestServer};

use crate::{province, Province};

/// Dates relative to today (Beijing, by the tests' clock), so the calendar rules hold whenever the tests run.
fn day(offset: i64) -> String {
    (skillcomp_tests::today() + chrono::Duration::days(offset)).to_string()
}

fn at(offset_days: i64, time: &str) -> String {
    format!("{}T{time}Z", day(offset_days))
}

/// A competition body: a county (五华区) workers' contest by default, registering from yesterday to
/// a week before it starts in a month.
fn competition_body(name: &str, host: &str, tier: &str, class: &str) -> Value {
    json!({
        "name": name, "year": chrono::Datelike::year(&(skillcomp_tests::today() + chrono::Duration::days(30))),
        "category": "workers_skills", "tier": tier, "class": class, "host_org_id": host,
        "starts_on": day(30), "ends_on": day(32),
        "registration_opens_at": at(-1, "00:00:00"), "registration_closes_at": at(23, "12:00:00"),
    })
}

fn create(srv: &TestServer, token: &str, body: Value) -> Response {
    srv.post("/api/v1/competitions", token, body)
}

fn id_of(r: &Response) -> String {
    assert!(r.status == 200 || r.status == 201, "{}", r.text);
    r.body["id"].as_str().unwrap().to_string()
}

fn trade_id(srv: &TestServer, name: &str) -> String {
    let r = srv.request("GET", &format!("/api/v1/trades?q={}", urlencode(name))).send();
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no trade {name}: {}", r.text))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b == b'-' { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn transition(srv: &TestServer, token: &str, id: &str, to: &str, reason: Option<&str>) -> Response {
    srv.post(&format!("/api/v1/competitions/{id}/transitions"), token, json!({ "to": to, "reason": reason }))
}

fn unmet_codes(r: &Response) -> Vec<String> {
    r.problem(409, "preconditions_unmet");
    r.body["extra"]["unmet"].as_array().unwrap().iter().map(|u| u["code"].as_str().unwrap().to_string()).collect()
}

/// Adds an event with a published technical document and a marking scheme.
fn ready_event(srv: &TestServer, token: &str, competition: &str, trade: &str) -> String {
    let event = srv.post(
        &format!("/api/v1/competitions/{competition}/events"),
        token,
        json!({ "trade_id": trade_id(srv, trade), "quota_total": 40, "qualifiers_count": 3 }),
    );
    let event_id = id_of(&event);
    let doc = srv.post(
        &format!("/api/v1/events/{event_id}/documents"),
        token,
        json!({ "title": format!("{trade}赛项技术工作文件"), "body": "# 竞赛内容\n理论30%，实操70%。" }),
    );
    assert_eq!(doc.status, 201, "{}", doc.text);
    let published = srv.post(&format!("/api/v1/events/{event_id}/documents/1/publish"), token, json!({}));
    assert_eq!(published.status, 200, "{}", published.text);
    let scheme = srv.request("PUT", &format!("/api/v1/events/{event_id}/marking-scheme")).token(token).json(json!({
        "title": format!("{trade}评分标准"),
        "sections": [{ "name": "理论知识", "kind": "theory" }, { "name": "实操模块A", "kind": "practical" }]
    }));
    assert_eq!(scheme.status, 200, "{}", scheme.text);
    event_id
}

struct Setup {
    p: Province,
    wuhua_org: String,
}

fn setup() -> Setup {
    let p = province();
    let wuhua_org = p.srv.staff(&p.admin.access, "org.wuhua", "organiser", Some(&p.wuhua)).access;
    Setup { p, wuhua_org }
}

#[test]
fn the_lifecycle_runs_step_by_step_and_names_what_is_missing() {
    let Setup { p, wuhua_org: t } = setup();
    let srv = &p.srv;
    let mut body = competition_body("五华区车工技能竞赛", &p.wuhua, "county", "district");
    // Starts today so that every later step can be walked; registration closes tonight.
    body["starts_on"] = json!(day(0));
    body["ends_on"] = json!(day(2));
    body["registration_closes_at"] = json!(skillcomp_tests::beijing(0, "23:59"));
    body["year"] = json!(chrono::Datelike::year(&skillcomp_tests::today()));
    // No publicity window, so that the walk need not wait for working days to pass.
    body["roster_publicity_days"] = json!(0);
    let created = create(srv, &t, body);
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["status"], "draft");
    assert_eq!(created.body["allowed_transitions"], json!(["published", "cancelled"]));
    let id = id_of(&created);

    // Not a step of the lifecycle: 409 naming the allowed ones.
    let jump = transition(srv, &t, &id, "registration_open", None);
    jump.problem(409, "transition_not_allowed");
    assert_eq!(jump.body["extra"]["allowed"], json!(["published", "cancelled"]));
    // A step, but nothing to publish yet.
    assert_eq!(unmet_codes(&transition(srv, &t, &id, "published", None)), ["no_events"]);

    let event =
        srv.post(&format!("/api/v1/competitions/{id}/events"), &t, json!({ "trade_id": trade_id(srv, "车工") }));
    let event_id = id_of(&event);
    assert_eq!(transition(srv, &t, &id, "published", None).body["status"], "published");
    // Registration needs an event with a published technical document and a marking scheme.
    assert_eq!(unmet_codes(&transition(srv, &t, &id, "registration_open", None)), ["no_event_ready"]);
    let ready = ready_event(srv, &t, &id, "铣工");
    assert_ne!(ready, event_id);
    assert_eq!(transition(srv, &t, &id, "registration_open", None).body["status"], "registration_open");
    // Before the deadline it closes only with a reason.
    assert_eq!(
        unmet_codes(&transition(srv, &t, &id, "registration_closed", None)),
        ["registration_deadline_not_reached"]
    );
    let closed = transition(srv, &t, &id, "registration_closed", Some("名额已满"));
    assert_eq!(closed.body["status"], "registration_closed");
    assert_eq!(closed.body["status_reason"], "名额已满");
    // The rest of the line, one step at a time (later areas add their own conditions).
    for to in [
        "roster_publicity",
        "roster_final",
        "drawn",
        "running",
        "scoring",
        "reviewing",
        "decrypted",
        "appeal_window",
        "results_publicity",
        "results_final",
        "awards_certified",
        "archived",
    ] {
        let r = transition(srv, &t, &id, to, None);
        assert_eq!(r.status, 200, "to {to}: {}", r.text);
        assert_eq!(r.body["status"], to);
    }
    transition(srv, &t, &id, "cancelled", Some("x")).problem(409, "transition_not_allowed");
    // Every step is on the audit trail.
    let trail = srv.get(
        &format!("/api/v1/audit?entity_type=competition&entity_id={id}&action=competition.transition&limit=200"),
        &p.admin.access,
    );
    assert_eq!(trail.body["items"].as_array().unwrap().len(), 15);
}

#[test]
fn cancelling_needs_a_reason_and_is_only_possible_before_running() {
    let Setup { p, wuhua_org: t } = setup();
    let srv = &p.srv;
    let id = id_of(&create(srv, &t, competition_body("五华区焊工技能竞赛", &p.wuhua, "county", "district")));
    assert_eq!(unmet_codes(&transition(srv, &t, &id, "cancelled", None)), ["reason_required"]);
    let cancelled = transition(srv, &t, &id, "cancelled", Some("场地不具备条件"));
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(cancelled.body["allowed_transitions"], json!([]));
    transition(srv, &t, &id, "published", None).problem(409, "transition_not_allowed");
}

#[test]
fn registration_cannot_close_before_it_started() {
    let Setup { p, wuhua_org: t } = setup();
    let srv = &p.srv;
    let mut body = competition_body("五华区电工技能竞赛", &p.wuhua, "county", "district");
    body["registration_opens_at"] = json!(at(2, "00:00:00"));
    let id = id_of(&create(srv, &t, body));
    ready_event(srv, &t, &id, "电工");
    transition(srv, &t, &id, "published", None);
    transition(srv, &t, &id, "registration_open", None);
    assert_eq!(
        unmet_codes(&transition(srv, &t, &id, "registration_closed", Some("early"))),
        ["registration_not_started"]
    );
    // Running waits for the first day.
    let mut late = competition_body("五华区钳工技能竞赛", &p.wuhua, "county", "district");
    late["registration_opens_at"] = json!(at(-1, "00:00:00"));
    late["roster_publicity_days"] = json!(0);
    let late_id = id_of(&create(srv, &t, late));
    ready_event(srv, &t, &late_id, "装配钳工");
    for (to, reason) in [
        ("published", None),
        ("registration_open", None),
        ("registration_closed", Some("提前截止")),
        ("roster_publicity", None),
        ("roster_final", None),
        ("drawn", None),
    ] {
        assert_eq!(transition(srv, &t, &late_id, to, reason).status, 200);
    }
    assert_eq!(unmet_codes(&transition(srv, &t, &late_id, "running", None)), ["not_started"]);
    transition(srv, &t, &late_id, "scoring", None).problem(409, "transition_not_allowed");
}

#[test]
fn tiers_classes_and_hosts_must_fit() {
    let Setup { p, wuhua_org: t } = setup();
    let srv = &p.srv;
    create(srv, &t, competition_body("越级大赛", &p.wuhua, "province", "provincial_1"))
        .invalid_field("tier", "tier_above_host");
    create(srv, &t, competition_body("错类竞赛", &p.wuhua, "county", "provincial_2"))
        .invalid_field("class", "class_tier_mismatch");
    let mut season = competition_body("季外竞赛", &p.wuhua, "county", "district");
    season["is_season"] = json!(true);
    // A June next year: outside any fourth quarter.
    let june = skillcomp_tests::year_in(0) + 1;
    season["starts_on"] = json!(format!("{june}-06-01"));
    season["ends_on"] = json!(format!("{june}-06-02"));
    season["year"] = json!(june);
    season["registration_opens_at"] = json!(null);
    season["registration_closes_at"] = json!(null);
    create(srv, &t, season).invalid_field("is_season", "season_outside_q4");
    let mut backwards = competition_body("倒序竞赛", &p.wuhua, "county", "district");
    backwards["ends_on"] = json!(day(29));
    create(srv, &t, backwards).invalid_field("ends_on", "dates_out_of_order");
    let mut late = competition_body("报名晚于开赛", &p.wuhua, "county", "district");
    late["registration_closes_at"] = json!(at(31, "00:00:00"));
    create(srv, &t, late).invalid_field("registration_closes_at", "registration_after_start");
    // A body listed twice, or the host listed as a co-organiser.
    let mut bodies = competition_body("协办重复", &p.wuhua, "county", "district");
    bodies["bodies"] = json!([{ "organisation_id": p.wuhua, "role": "undertaker" }]);
    create(srv, &t, bodies).invalid_field("bodies[0].organisation_id", "host_listed_twice");
}

#[test]
fn qualifiers_feed_upward_within_a_category_and_never_in_a_circle() {
    let p = province();
    let srv = &p.srv;
    let t = p.admin.access.as_str();
    let county = id_of(&create(srv, t, competition_body("五华区车工竞赛", &p.wuhua, "county", "district")));
    let prefecture = id_of(&create(srv, t, competition_body("昆明市车工竞赛", &p.kunming, "prefecture", "district")));
    let provincial =
        id_of(&create(srv, t, competition_body("云南省车工竞赛", &p.province, "province", "provincial_1")));
    let patch = |id: &str, version: &str, body: Value| {
        srv.request("PATCH", &format!("/api/v1/competitions/{id}")).token(t).header("If-Match", version).json(body)
    };
    assert_eq!(patch(&county, "\"1\"", json!({ "feeds_into_id": prefecture })).status, 200);
    assert_eq!(patch(&prefecture, "\"1\"", json!({ "feeds_into_id": provincial })).status, 200);
    // Downward, sideways, onto itself: refused.
    patch(&provincial, "\"1\"", json!({ "feeds_into_id": county })).invalid_field("feeds_into_id", "feeds_not_upward");
    patch(&county, "\"2\"", json!({ "feeds_into_id": county })).invalid_field("feeds_into_id", "feeds_not_upward");
    let mut labour = competition_body("云南省劳动竞赛", &p.province, "province", "provincial_2");
    labour["category"] = json!("labour");
    labour["major_project"] = json!("滇中引水工程");
    let labour_id = id_of(&create(srv, t, labour));
    patch(&county, "\"2\"", json!({ "feeds_into_id": labour_id }))
        .invalid_field("feeds_into_id", "feeds_other_category");
    // Lowering the prefecture contest to county tier would leave its feeder feeding sideways.
    patch(&prefecture, "\"2\"", json!({ "tier": "county" })).problem(409, "feeders_would_not_fit");

    // The chain reads both ways on the public detail once published.
    let detail = srv.get(&format!("/api/v1/competitions/{prefecture}"), t);
    assert_eq!(detail.body["feeds_into_chain"][0]["id"], provincial.as_str());
    assert_eq!(detail.body["fed_by"][0]["id"], county.as_str());
    let from_county = srv.get(&format!("/api/v1/competitions/{county}"), t);
    let chain: Vec<&str> =
        from_county.body["feeds_into_chain"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(chain, [prefecture.as_str(), provincial.as_str()]);
}

#[test]
fn event_rules_are_validated_with_the_field_named() {
    let Setup { p, wuhua_org: t } = setup();
    let srv = &p.srv;
    let id = id_of(&create(srv, &t, competition_body("五华区综合技能竞赛", &p.wuhua, "county", "district")));
    let lathe = trade_id(srv, "车工");
    let add = |body: Value| srv.post(&format!("/api/v1/competitions/{id}/events"), &t, body);
    add(json!({ "trade_id": lathe, "weights": { "theory": 30, "practical": 60 } }))
        .invalid_field("weights", "weights_not_100");
    add(json!({ "trade_id": lathe, "quota_total": 10, "quota_per_organisation": 20 }))
        .invalid_field("quota_per_organisation", "quota_above_total");
    add(json!({ "trade_id": lathe, "mode": "team" })).invalid_field("team_size", "team_size_invalid");
    add(json!({ "trade_id": lathe, "team_scoring": "mean" })).invalid_field("team_scoring", "not_a_team_event");
    add(json!({ "trade_id": lathe, "mode": "team", "team_size": 3, "team_scoring": "best_of" }))
        .invalid_field("team_scoring", "invalid_value");
    add(json!({ "trade_id": lathe, "min_age": 40, "max_age": 30 })).invalid_field("max_age", "age_range_inverted");
    add(json!({ "trade_id": lathe, "min_age": 14 })).invalid_field("min_age", "below_working_age");
    add(json!({ "trade_id": lathe, "tie_breaks": ["practical", "theory"] }))
        .invalid_field("tie_breaks", "no_final_key");
    add(json!({ "trade_id": lathe, "prize_bands": { "mode": "percent", "first": 50, "second": 40, "third": 30 } }))
        .invalid_field("prize_bands", "bands_above_100");
    add(json!({ "trade_id": lathe, "region_code": "530302" })).invalid_field("region_code", "region_outside_host");
    add(json!({ "trade_id": uuid::Uuid::new_v4().to_string() })).invalid_field("trade_id", "unknown_trade");
    add(json!({ "trade_id": lathe, "weights": { "theory": 30 } })).invalid_field("weights.practical", "missing_field");
    add(json!({ "trade_id": lathe, "appeal_window_minutes": 3000 }))
        .invalid_field("appeal_window_minutes", "out_of_range");
    add(json!({ "trade_id": lathe, "appeal_window_working_days": 0 }))
        .invalid_field("appeal_window_working_days", "out_of_range");

    // The defaults of DESIGN §6 when nothing is said.
    let ok = add(json!({ "trade_id": lathe }));
    assert_eq!(ok.status, 201, "{}", ok.text);
    assert_eq!(ok.body["name"], "车工");
    assert_eq!(ok.body["weights"], json!({ "theory": 30, "practical": 70 }));
    assert_eq!(ok.body["quota_per_organisation"], 5);
    assert_eq!(ok.body["tie_breaks"], json!(["practical", "theory", "elapsed_time", "shared_rank"]));
    assert_eq!(ok.body["prize_bands"], json!({ "mode": "percent", "first": 10, "second": 20, "third": 30 }));
    assert_eq!(
        (ok.body["appeal_window_minutes"].as_i64(), ok.body["appeal_window_working_days"].is_null()),
        (Some(120), true)
    );
    add(json!({ "trade_id": lathe })).invalid_field("name", "name_taken");
    let team = add(
        json!({ "trade_id": lathe, "name": "车工（团体）", "mode": "team", "team_size": 3, "weights": { "theory": 20, "practical": 80 } }),
    );
    assert_eq!(team.status, 201, "{}", team.text);
    assert_eq!((team.body["team_scoring"].as_str(), ok.body["team_scoring"].is_null()), (Some("as_one"), true));

    // Sittings: no overlap within one event, within the competition's dates.
    let event_id = id_of(&ok);
    let session = |name: &str, from: &str, to: &str| {
        srv.post(
            &format!("/api/v1/events/{event_id}/sessions"),
            &t,
            json!({ "kind": "practical", "name": name, "venue": "五华区职教中心", "starts_at": from, "ends_at": to }),
        )
    };
    assert_eq!(session("理论考试", &at(30, "08:00:00"), &at(30, "10:00:00")).status, 201);
    session("实操模块A", &at(30, "09:30:00"), &at(30, "12:00:00")).invalid_field("starts_at", "sessions_overlap");
    assert_eq!(session("实操模块A", &at(30, "10:00:00"), &at(30, "12:00:00")).status, 201);
    session("实操模块B", &at(40, "08:00:00"), &at(40, "12:00:00"))
        .invalid_field("starts_at", "outside_competition_dates");
    session("实操模块B", &at(31, "12:00:00"), &at(31, "08:00:00")).invalid_field("ends_at", "dates_out_of_order");
    let detail = srv.get(&format!("/api/v1/events/{event_id}"), &t);
    assert_eq!(detail.body["sessions"].as_array().unwrap().len(), 2);
}

#[test]
fn technical_documents_freeze_when_registration_opens() {
    let Setup { p, wuhua_org: t } = setup();
    let srv = &p.srv;
    let id = id_of(&create(srv, &t, competition_body("五华区数控竞赛", &p.wuhua, "county", "district")));
    let event_id = ready_event(srv, &t, &id, "多工序数控机床操作调整工");
    transition(srv, &t, &id, "published", None);
    transition(srv, &t, &id, "registration_open", None);
    // The published version never changes.
    srv.request("PATCH", &format!("/api/v1/events/{event_id}/documents/1"))
        .token(&t)
        .json(json!({ "title": "改", "body": "改" }))
        .problem(409, "document_frozen");
    // Nor do the event's rules.
    srv.request("PATCH", &format!("/api/v1/events/{event_id}"))
        .token(&t)
        .header("If-Match", "\"1\"")
        .json(json!({ "quota_total": 80 }))
        .problem(409, "competition_locked");
    // A new version needs a reason to be published now.
    let v2 = srv.post(&format!("/api/v1/events/{event_id}/documents"), &t, json!({ "title": "技术工作文件（修订）", "body": "实操时间由4小时调整为3.5小时。",
        "attachments": [{ "name": "图纸.pdf", "media_type": "application/pdf", "size_bytes": 1024, "sha256": "ab".repeat(32) }] }));
    assert_eq!(v2.body["version"], 2, "{}", v2.text);
    srv.post(&format!("/api/v1/events/{event_id}/documents/2/publish"), &t, json!({}))
        .invalid_field("reason", "change_reason_required");
    let published = srv.post(
        &format!("/api/v1/events/{event_id}/documents/2/publish"),
        &t,
        json!({ "reason": "依据裁判长会议决定调整实操时长" }),
    );
    assert_eq!(published.status, 200, "{}", published.text);
    let docs = srv.request("GET", &format!("/api/v1/events/{event_id}/documents")).send();
    let statuses: Vec<&str> = docs.body.as_array().unwrap().iter().map(|d| d["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["superseded", "published"]);
    assert_eq!(docs.body[1]["change_reason"], "依据裁判长会议决定调整实操时长");
    // A draft is visible to the organisers only.
    srv.post(&format!("/api/v1/events/{event_id}/documents"), &t, json!({ "title": "草稿", "body": "内容" }));
    assert_eq!(
        srv.request("GET", &format!("/api/v1/events/{event_id}/documents")).send().body.as_array().unwrap().len(),
        2
    );
    assert_eq!(srv.get(&format!("/api/v1/events/{event_id}/documents"), &t).body.as_array().unwrap().len(), 3);
}

#[test]
fn upgrade_applications_go_to_the_tier_above() {
    let Setup { p, wuhua_org: t } = setup();
    let srv = &p.srv;
    let kunming = srv.staff(&p.admin.access, "org.kunming", "organiser", Some(&p.kunming));
    let id = id_of(&create(srv, &t, competition_body("五华区车工竞赛", &p.wuhua, "county", "district")));
    let apply = |token: &str| {
        srv.post(
            &format!("/api/v1/competitions/{id}/upgrade-applications"),
            token,
            json!({ "statement": "连续三年举办，参赛逾二百人" }),
        )
    };
    apply(&t).problem(409, "not_published");
    srv.post(&format!("/api/v1/competitions/{id}/events"), &t, json!({ "trade_id": trade_id(srv, "车工") }));
    transition(srv, &t, &id, "published", None);
    let application = apply(&t);
    assert_eq!(application.status, 201, "{}", application.text);
    assert_eq!(application.body["target_tier"], "prefecture");
    assert_eq!(application.body["reviewer_org_id"], p.kunming.as_str());
    apply(&t).problem(409, "application_pending");
    let app_id = application.body["id"].as_str().unwrap().to_string();
    // The county cannot decide its own application; Kunming can, and a refusal needs a reason.
    srv.post(&format!("/api/v1/upgrade-applications/{app_id}/decision"), &t, json!({ "approve": true }))
        .problem(403, "forbidden");
    srv.post(&format!("/api/v1/upgrade-applications/{app_id}/decision"), &kunming.access, json!({ "approve": false }))
        .invalid_field("reason", "required");
    let queue = srv.get("/api/v1/upgrade-applications", &kunming.access);
    assert_eq!(queue.body.as_array().unwrap().len(), 1);
    let decided = srv.post(
        &format!("/api/v1/upgrade-applications/{app_id}/decision"),
        &kunming.access,
        json!({ "approve": true }),
    );
    assert_eq!(decided.body["status"], "approved", "{}", decided.text);
    srv.post(&format!("/api/v1/upgrade-applications/{app_id}/decision"), &kunming.access, json!({ "approve": true }))
        .problem(409, "already_decided");
    assert_eq!(srv.get(&format!("/api/v1/competitions/{id}"), &t).body["recognised_tier"], "prefecture");
    apply(&t).problem(409, "already_recognised");

    // A provincial competition goes to the national tier, which this province has no body of.
    let provincial = id_of(&create(
        srv,
        &p.admin.access,
        competition_body("云南省职工职业技能大赛", &p.province, "province", "provincial_1"),
    ));
    srv.post(
        &format!("/api/v1/competitions/{provincial}/events"),
        &p.admin.access,
        json!({ "trade_id": trade_id(srv, "焊工") }),
    );
    transition(srv, &p.admin.access, &provincial, "published", None);
    srv.post(
        &format!("/api/v1/competitions/{provincial}/upgrade-applications"),
        &p.admin.access,
        json!({ "statement": "示范性" }),
    )
    .problem(409, "no_reviewing_body");
}

#[test]
fn another_subtree_cannot_see_drafts_or_change_anything() {
    let Setup { p, wuhua_org: t } = setup();
    let srv = &p.srv;
    let qujing = srv.staff(&p.admin.access, "org.qujing", "organiser", Some(&p.qujing));
    create(srv, &qujing.access, competition_body("越界竞赛", &p.wuhua, "county", "district")).problem(403, "forbidden");
    let id = id_of(&create(srv, &t, competition_body("五华区车工竞赛", &p.wuhua, "county", "district")));
    // A draft is invisible to others, the public included.
    srv.get(&format!("/api/v1/competitions/{id}"), &qujing.access).problem(404, "not_found");
    srv.request("GET", &format!("/api/v1/competitions/{id}")).send().problem(404, "not_found");
    assert_eq!(srv.request("GET", "/api/v1/competitions").send().body["items"].as_array().unwrap().len(), 0);
    let event_id = id_of(&srv.post(
        &format!("/api/v1/competitions/{id}/events"),
        &t,
        json!({ "trade_id": trade_id(srv, "车工") }),
    ));
    transition(srv, &t, &id, "published", None);
    // Published: visible, still not theirs to change.
    assert_eq!(srv.get(&format!("/api/v1/competitions/{id}"), &qujing.access).status, 200);
    transition(srv, &qujing.access, &id, "cancelled", Some("x")).problem(403, "forbidden");
    srv.request("PATCH", &format!("/api/v1/competitions/{id}"))
        .token(&qujing.access)
        .header("If-Match", "\"2\"")
        .json(json!({ "name": "改" }))
        .problem(403, "forbidden");
    srv.post(
        &format!("/api/v1/competitions/{id}/events"),
        &qujing.access,
        json!({ "trade_id": trade_id(srv, "焊工") }),
    )
    .problem(403, "forbidden");
    srv.request("PATCH", &format!("/api/v1/events/{event_id}"))
        .token(&qujing.access)
        .header("If-Match", "\"1\"")
        .json(json!({ "quota_total": 1 }))
        .problem(403, "forbidden");
    srv.post(&format!("/api/v1/events/{event_id}/documents"), &qujing.access, json!({ "title": "x", "body": "y" }))
        .problem(403, "forbidden");
    // Stale edits by the rightful organiser get 412.
    srv.request("PATCH", &format!("/api/v1/competitions/{id}"))
        .token(&t)
        .header("If-Match", "\"1\"")
        .json(json!({ "name": "改名" }))
        .problem(412, "stale_version");
}

#[test]
fn the_public_finds_competitions_by_year_tier_category_region_trade_and_season() {
    let p = province();
    let srv = &p.srv;
    let t = p.admin.access.as_str();
    let lathe = trade_id(srv, "车工");
    let tea = trade_id(srv, "评茶师");
    let mut season = competition_body("云南省职工技能竞赛季", &p.province, "province", "provincial_1");
    // Last year's fourth-quarter season: it starts before the county contest (in a month).
    let y = skillcomp_tests::year_in(0) - 1;
    season["starts_on"] = json!(format!("{y}-10-20"));
    season["ends_on"] = json!(format!("{y}-10-22"));
    season["year"] = json!(y);
    season["is_season"] = json!(true);
    season["registration_opens_at"] = json!(format!("{y}-08-01T08:00:00+08:00"));
    season["registration_closes_at"] = json!(format!("{y}-09-30T18:00:00+08:00"));
    let provincial = id_of(&create(srv, t, season));
    let county = id_of(&create(srv, t, competition_body("麒麟区评茶竞赛", &p.qilin, "county", "district")));
    let hidden = id_of(&create(srv, t, competition_body("五华区草稿竞赛", &p.wuhua, "county", "district")));
    srv.post(&format!("/api/v1/competitions/{provincial}/events"), t, json!({ "trade_id": lathe }));
    srv.post(&format!("/api/v1/competitions/{county}/events"), t, json!({ "trade_id": tea }));
    for id in [&provincial, &county] {
        assert_eq!(transition(srv, t, id, "published", None).status, 200);
    }
    let names = |query: &str| -> Vec<String> {
        let r = srv.request("GET", &format!("/api/v1/competitions{query}")).send();
        assert_eq!(r.status, 200, "{}", r.text);
        r.body["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()).collect()
    };
    // Newest first (the county contest starts later), a page at a time.
    assert_eq!(names(""), ["麒麟区评茶竞赛", "云南省职工技能竞赛季"]);
    let first = srv.request("GET", "/api/v1/competitions?limit=1").send();
    let cursor = first.body["next_cursor"].as_str().unwrap().to_string();
    assert_eq!(names(&format!("?limit=1&cursor={cursor}")), ["云南省职工技能竞赛季"]);
    srv.request("GET", "/api/v1/competitions?cursor=yesterday").send().invalid_field("cursor", "invalid_cursor");
    assert_eq!(names("?tier=county"), ["麒麟区评茶竞赛"]);
    assert_eq!(names("?season=true"), ["云南省职工技能竞赛季"]);
    assert_eq!(names("?region=530300"), ["麒麟区评茶竞赛"]);
    assert_eq!(names("?region=530000").len(), 2);
    assert_eq!(names(&format!("?trade_id={tea}")), ["麒麟区评茶竞赛"]);
    assert_eq!(names(&format!("?year={y}&category=workers_skills&season=true")).len(), 1);
    assert_eq!(names("?category=labour").len(), 0);
    assert_eq!(names("?q=%E8%AF%84%E8%8C%B6"), ["麒麟区评茶竞赛"]); // 评茶
    srv.request("GET", "/api/v1/competitions?region=53").send().invalid_field("region", "invalid_region_code");
    // The admin also sees the draft.
    assert_eq!(srv.get("/api/v1/competitions", t).body["items"].as_array().unwrap().len(), 3);
    let detail = srv.request("GET", &format!("/api/v1/competitions/{county}")).send();
    assert_eq!(detail.body["events"][0]["trade"]["code"], "6-02-06-11");
    assert_eq!(detail.body["host_org_name"], "麒麟区总工会");
    let _ = hidden;
}

#[test]
fn the_trade_catalogue_is_searchable_and_extended_by_admins() {
    let srv = TestServer::start();
    let all = srv.request("GET", "/api/v1/trades?limit=200").send();
    let items = all.body["items"].as_array().unwrap();
    assert!(items.len() >= 60, "at least 60 real trades, got {}", items.len());
    for category in [
        "manufacturing",
        "construction",
        "mining",
        "energy_power",
        "transport",
        "agriculture_yunnan",
        "services",
        "digital",
    ] {
        assert!(items.iter().any(|t| t["category"] == category), "no {category} trade");
    }
    let by_code = srv.request("GET", "/api/v1/trades?q=6-18-01-01").send();
    assert_eq!(by_code.body["items"][0]["name"], "车工");
    let rubber = srv.request("GET", &format!("/api/v1/trades?q={}", urlencode("割胶"))).send();
    assert_eq!(rubber.body["items"][0]["code"], "5-01-02-04");
    let admin = srv.admin();
    srv.post("/api/v1/trades", &admin.access, json!({ "code": "6-18-1-01", "name": "x", "category": "manufacturing" }))
        .invalid_field("code", "invalid_trade_code");
    srv.post(
        "/api/v1/trades",
        &admin.access,
        json!({ "code": "6-18-01-01", "name": "车工", "category": "manufacturing" }),
    )
    .invalid_field("name", "trade_exists");
    let added = srv.post(
        "/api/v1/trades",
        &admin.access,
        json!({ "code": "4-04-05-99", "name": "示范数字技能员", "category": "digital" }),
    );
    assert_eq!(added.status, 201, "{}", added.text);
    assert_eq!(added.body["confirmed"], false);
    let contestant = srv.contestant("13500000001");
    srv.post("/api/v1/trades", &contestant.access, json!({ "code": "4-04-05-98", "name": "y", "category": "digital" }))
        .problem(403, "forbidden");
}

#[test]
fn the_statutory_holidays_are_shipped_and_admins_keep_the_calendar() {
    let srv = TestServer::start();
    let year = |y: i32| srv.request("GET", &format!("/api/v1/calendar?year={y}")).send();
    // Every shipped day, as the data file lists it.
    let shipped = include_str!("../../../backend/data/holidays-cn.csv");
    for y in 2021..=2026 {
        let listed = year(y);
        assert_eq!(listed.status, 200, "{}", listed.text);
        let days: Vec<(String, String)> = listed
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["day"].as_str().unwrap().to_string(), d["kind"].as_str().unwrap().to_string()))
            .collect();
        let expected: Vec<(String, String)> = shipped
            .lines()
            .skip(1)
            .filter(|l| l.starts_with(&y.to_string()))
            .map(|l| {
                let mut c = l.split(',');
                (c.next().unwrap().to_string(), c.next().unwrap().to_string())
            })
            .collect();
        assert_eq!(days, expected, "{y}");
    }
    let national_day = year(2025);
    assert!(
        national_day.text.contains("\"2025-10-08\"") && national_day.text.contains("国庆节"),
        "{}",
        national_day.text
    );
    // A new notice is entered by an admin, and only by one (a day years past the shipped data).
    let admin = srv.admin();
    let organiser = srv.contestant("13900001234");
    let later = skillcomp_tests::day(3 * 366);
    let put = |token: &str| {
        srv.request("PUT", &format!("/api/v1/calendar/{later}"))
            .token(token)
            .json(json!({ "kind": "holiday", "name": "国庆节" }))
    };
    put(&organiser.access).problem(403, "forbidden");
    assert_eq!(put(&admin.access).status, 200);
    assert!(year(skillcomp_tests::year_in(3 * 366)).text.contains(&later));
}
