//! Awards from a final result set: proposals by the rules, batch certification by the right body
//! only, publicity with objections, grant with certificates, public verification, revocation,
//! promotions written to skill credentials, and a person's honours.

use serde_json::{json, Value};
use skillcomp_tests::{Response, Session};

use crate::judging::{competition_of, mark_and_lock, review_and_decrypt, running_final_with, Running};

/// The Kunming final of the judging tests, taken to final results. `award_rules` are set before
/// the results become final (null keeps the defaults).
pub fn final_results(award_rules: Value) -> (Running, String, Value) {
    let r = running_final_with(0, 0, json!({ "appeal_window_minutes": 0 }));
    let srv = &r.srv;
    let event = r.event.clone();
    let competition = competition_of(&r);
    mark_and_lock(&r);
    review_and_decrypt(&r);
    let computed = srv.post(&format!("/api/v1/events/{event}/results"), &r.host.access, json!({}));
    assert_eq!(computed.status, 201, "{}", computed.text);
    srv.post(&format!("/api/v1/events/{event}/awards/proposals"), &r.host.access, json!({}))
        .problem(409, "results_not_final");
    if !award_rules.is_null() {
        let set = srv
            .request("PUT", &format!("/api/v1/competitions/{competition}/award-rules"))
            .token(&r.host.access)
            .json(json!({ "rules": award_rules }));
        assert_eq!(set.status, 200, "{}", set.text);
    }
    srv.post(&format!("/api/v1/events/{event}/results/publish"), &r.host.access, json!({}));
    let finalised = srv.post(&format!("/api/v1/events/{event}/results/finalise"), &r.host.access, json!({}));
    assert_eq!(finalised.status, 200, "{}", finalised.text);
    let results = finalised.body.clone();
    (r, competition, results)
}

/// Officials of Kunming's trade union and of a Kunming HRSS bureau.
pub fn kunming_officials(r: &Running) -> (Session, Session) {
    let srv = &r.srv;
    let admin = srv.admin();
    let (province, kunming, _) = &r.orgs;
    let hrss =
        srv.create_org(&admin.access, "昆明市人力资源和社会保障局", "hrss", "prefecture", Some(province), "530100");
    let union = srv.staff(&admin.access, "official.kunming", "official", Some(kunming));
    let hr = srv.staff(&admin.access, "official.kunming.hrss", "official", Some(&hrss));
    (union, hr)
}

pub fn ids_where(awards: &Value, f: impl Fn(&Value) -> bool) -> Vec<String> {
    awards.as_array().unwrap().iter().filter(|a| f(a)).map(|a| a["id"].as_str().unwrap().to_string()).collect()
}

pub fn batch(r: &Running, s: &Session, action: &str, ids: &[String]) -> Response {
    r.srv.post("/api/v1/awards/batch", &s.access, json!({ "action": action, "award_ids": ids }))
}

pub fn rules_without_publicity() -> Value {
    json!({
        "excellence_for_top_half": true,
        "titles": [{ "kind": "title_champion", "from_rank": 1, "to_rank": 1 }, { "kind": "title_pacesetter", "from_rank": 2, "to_rank": 6 }],
        "youth_title": { "within_rank": 6 },
        "women_title": { "within_rank": 6 },
        "may_day_medal_for_first": true,
        "model_worker_pool": 0,
        "craftsman_pool": 1,
        "promotions": [{ "from_rank": 1, "to_rank": 6, "top_percent": null, "to_level": 3, "one_above_current": false }],
        "publicity_days": 0
    })
}

#[test]
fn final_results_become_certified_awards_with_verifiable_certificates() {
    let (r, competition, results) = final_results(rules_without_publicity());
    let srv = &r.srv;
    let event = r.event.clone();
    // Rules are fixed once results are final.
    srv.request("PUT", &format!("/api/v1/competitions/{competition}/award-rules"))
        .token(&r.host.access)
        .json(json!({ "rules": null }))
        .problem(409, "results_final");

    let proposed = srv.post(&format!("/api/v1/events/{event}/awards/proposals"), &r.host.access, json!({}));
    assert_eq!(proposed.status, 201, "{}", proposed.text);
    let awards = proposed.body["awards"].clone();
    let winner = results["entries"][0]["registration_id"].as_str().unwrap().to_string();
    let winner_name = results["entries"][0]["full_name"].as_str().unwrap().to_string();
    let kinds_of = |registration: &str| -> Vec<String> {
        awards
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["registration_id"] == registration)
            .map(|a| a["kind"].as_str().unwrap().to_string())
            .collect()
    };
    let first = kinds_of(&winner);
    for k in ["prize_first", "title_champion", "honour_may_day_medal", "honour_craftsman", "promotion"] {
        assert!(first.contains(&k.to_string()), "{k} in {first:?}");
    }
    // Three competed: 10 % → 1 first prize, 30 % → 1, 60 % → 2: the runner-up has a third prize.
    let runner_up = results["entries"][1]["registration_id"].as_str().unwrap().to_string();
    assert!(kinds_of(&runner_up).contains(&"prize_third".to_string()), "{:?}", kinds_of(&runner_up));
    assert!(kinds_of(&runner_up).contains(&"title_pacesetter".to_string()));
    // 李娜 is a woman born in 1990: 巾帼建功标兵 if she placed, 青年岗位能手 never (over 35).
    assert_eq!(awards.as_array().unwrap().iter().filter(|a| a["kind"] == "title_youth_expert").count(), 0);
    let promotion = awards.as_array().unwrap().iter().find(|a| a["kind"] == "promotion").unwrap();
    assert_eq!((promotion["from_level"].clone(), promotion["to_level"].as_i64()), (Value::Null, Some(3)));
    assert_eq!(promotion["label"], "晋升高级工");

    // The granting bodies: Kunming's union for prizes and titles, Kunming's HRSS for promotions.
    let (union, hr) = kunming_officials(&r);
    let admin = srv.admin();
    let (province, _, wuhua) = &r.orgs;
    let county = srv.staff(&admin.access, "official.wuhua", "official", Some(wuhua));
    let provincial = srv.staff(&admin.access, "official.province", "official", Some(province));
    let union_kinds = ids_where(&awards, |a| a["kind"] != "promotion");
    let promotions = ids_where(&awards, |a| a["kind"] == "promotion");
    // Each body's start page counts the awards it certifies, no one else's.
    let to_certify = |s: &Session| srv.get("/api/v1/me/todo", &s.access).body["awards_to_certify"].as_i64().unwrap();
    assert_eq!(
        (to_certify(&union), to_certify(&hr), to_certify(&county), to_certify(&provincial)),
        (union_kinds.len() as i64, promotions.len() as i64, 0, 0)
    );
    let refused = batch(&r, &county, "confirm", &union_kinds);
    refused.problem(403, "forbidden");
    assert!(refused.body["detail"].as_str().unwrap().contains("award_ids[0]"), "{}", refused.text);
    batch(&r, &provincial, "confirm", &union_kinds).problem(403, "forbidden");
    batch(&r, &union, "confirm", &promotions).problem(403, "forbidden");
    // Nothing moved: the batch is all or nothing.
    let listed = srv.get(&format!("/api/v1/competitions/{competition}/awards?status=confirmed"), &union.access);
    assert_eq!(listed.body.as_array().unwrap().len(), 0);
    // Out of order, duplicated, unknown: refused with the award named.
    batch(&r, &union, "grant", &union_kinds).problem(409, "invalid_award_transition");
    batch(&r, &union, "confirm", &[union_kinds[0].clone(), union_kinds[0].clone()])
        .invalid_field("award_ids[1]", "duplicate");
    batch(&r, &union, "confirm", &[]).invalid_field("award_ids", "out_of_range");

    for (official, ids) in [(&union, &union_kinds), (&hr, &promotions)] {
        for action in ["confirm", "publicise"] {
            let moved = batch(&r, official, action, ids);
            assert_eq!(moved.status, 200, "{action}: {}", moved.text);
        }
    }
    // Proposals cannot be redone once certification began.
    srv.post(&format!("/api/v1/events/{event}/awards/proposals"), &r.host.access, json!({}))
        .problem(409, "awards_in_progress");

    // Granted at 05:52 Beijing time the next morning — 21:52 UTC of the day before: every date
    // people read (certificate, verification, the promotion's credential) says the Beijing day.
    let grant_day = skillcomp_tests::today() + chrono::Duration::days(1);
    let at = chrono::DateTime::parse_from_rfc3339(&format!("{grant_day}T05:52:00+08:00")).unwrap();
    srv.clock.set(at.with_timezone(&chrono::Utc));
    let union = srv.login("official.kunming", "Staff-Pa55word-2026");
    let hr = srv.login("official.kunming.hrss", "Staff-Pa55word-2026");
    // Tokens of the day before have expired by then.
    let host = srv.login("org.kunming", "Staff-Pa55word-2026");
    let county = srv.login("official.wuhua", "Staff-Pa55word-2026");
    let contestant = srv.login("13800001001", "contestant-password-1");
    let granted = batch(&r, &union, "grant", &union_kinds);
    assert_eq!(granted.status, 200, "{}", granted.text);
    let granted_promotions = batch(&r, &hr, "grant", &promotions);
    assert_eq!(granted_promotions.status, 200, "{}", granted_promotions.text);

    // The dashboard of Kunming's officials counts them: three contestants who competed, one
    // 技术状元, one promotion per the rules.
    let year = granted.body["awards"][0]["year"].as_i64().unwrap();
    let dashboard = srv.get(&format!("/api/v1/statistics/dashboard?year={year}"), &union.access);
    assert_eq!(dashboard.body["region_code"], "530100", "{}", dashboard.text);
    let totals = &dashboard.body["totals"];
    assert_eq!((totals["contestants"].as_i64(), totals["competed"].as_i64()), (Some(3), Some(3)), "{}", dashboard.text);
    assert_eq!(totals["awards"]["title_champion"], 1);
    assert_eq!(totals["awards"]["promotion"].as_i64(), Some(promotions.len() as i64));
    assert_eq!(totals["awards"]["prize_first"], 1);
    // What the official sees, as a workbook: the same figures, labelled for people.
    let (status, bytes) =
        srv.request("GET", &format!("/api/v1/statistics/dashboard.xlsx?year={year}")).token(&union.access).send_bytes();
    assert_eq!(status, 200);
    let sheets = {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let names = wb.sheet_names().to_vec();
        names
            .iter()
            .map(|n| {
                let range = wb.worksheet_range(n).unwrap();
                (
                    n.clone(),
                    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>()).collect::<Vec<_>>(),
                )
            })
            .collect::<Vec<_>>()
    };
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["总计", "按年度", "按地区", "按层级", "按类别", "按工种", "规划目标"]);
    let totals_sheet = &sheets[0].1;
    assert_eq!(totals_sheet[1][..4], ["范围", "赛事", "工种", "报名人数"]);
    assert_eq!(totals_sheet[2][3], "3", "{totals_sheet:?}");
    assert_eq!(totals_sheet[2][5], "1", "one 技术状元: {totals_sheet:?}");
    let tiers = &sheets[3].1;
    let labels = ["全国", "省级", "市（州）级", "县（区）级", "企业级"];
    assert!(
        tiers.len() > 2 && tiers.iter().skip(2).all(|r| labels.contains(&r[0].as_str())),
        "tiers in Chinese: {tiers:?}"
    );
    srv.request("GET", "/api/v1/statistics/dashboard.xlsx?tier=galaxy")
        .token(&union.access)
        .send()
        .invalid_field("tier", "invalid_value");

    // Certificates: prizes and titles and promotions have one; recommendations do not.
    let all = granted.body["awards"].as_array().unwrap();
    for a in all {
        let recommendation = a["kind"].as_str().unwrap().starts_with("honour_");
        assert_eq!(a["certificate_number"].is_null(), recommendation, "{a}");
    }
    let numbers: std::collections::HashSet<&str> =
        all.iter().filter_map(|a| a["certificate_number"].as_str()).collect();
    assert_eq!(numbers.len(), all.iter().filter(|a| !a["certificate_number"].is_null()).count(), "unique numbers");
    let title = all.iter().find(|a| a["kind"] == "title_champion").unwrap();
    let (number, code) = (title["certificate_number"].as_str().unwrap(), title["check_code"].as_str().unwrap());
    assert!(number.starts_with(&format!("{}-530100-", title["year"])), "{number}");

    // Public verification: the masked name, the award, valid.
    let verify =
        |n: &str, c: &str| srv.request("GET", &format!("/api/v1/certificates/verify?number={n}&code={c}")).send();
    let valid = verify(number, code);
    assert_eq!(valid.status, 200, "{}", valid.text);
    assert_eq!(valid.body["status"], "valid");
    assert_eq!(valid.body["award"], "技术状元");
    assert_ne!(valid.body["holder"], winner_name.as_str(), "the public sees a masked name");
    assert!(valid.body["holder"].as_str().unwrap().contains('*'));
    assert_eq!(verify(number, &code.to_lowercase()).status, 200, "codes are read case-insensitively");
    // A wrong code and an unknown number are indistinguishable.
    let wrong = verify(number, "AAAAAAAA");
    let unknown = verify("2026-530100-999999", code);
    wrong.problem(404, "certificate_not_found");
    unknown.problem(404, "certificate_not_found");
    assert_eq!(wrong.body, unknown.body);

    // The printable certificate carries the number and a QR code.
    let page = srv.get(&format!("/api/v1/awards/{}/certificate", title["id"].as_str().unwrap()), &union.access);
    assert!(page.content_type.starts_with("text/html"), "{}", page.content_type);
    assert!(page.text.contains(number) && page.text.contains("<svg") && page.text.contains("技术状元"));
    use chrono::Datelike;
    let printed = format!("{}年{}月{}日", grant_day.year(), grant_day.month(), grant_day.day());
    assert!(page.text.contains(&printed), "the certificate is dated {printed} (Beijing): {}", page.text);
    let year = title["year"].as_i64().unwrap();
    assert!(page.text.contains(&format!("在{year}年")), "{}", page.text);
    assert!(!page.text.contains(&format!("{year}年{year}年")), "the year once: {}", page.text);
    assert_eq!(valid.body["granted_on"], grant_day.to_string());
    let honour = all.iter().find(|a| a["kind"] == "honour_may_day_medal").unwrap();
    srv.get(&format!("/api/v1/awards/{}/certificate", honour["id"].as_str().unwrap()), &union.access)
        .problem(409, "no_certificate");

    // The promotion is now a skill credential of the person; HR gets the list with ID numbers.
    let promoted = granted_promotions.body["awards"][0].clone();
    let person = srv.get(&format!("/api/v1/persons/{}", promoted["person_id"].as_str().unwrap()), &host.access);
    let credentials = person.body["credentials"].as_array().unwrap();
    assert!(
        credentials.iter().any(|c| c["level"] == 3
            && c["source"] == "competition"
            && c["status"] == "verified"
            && c["issued_on"] == grant_day.to_string()
            && c["certificate_no"] == promoted["certificate_number"]),
        "{}",
        person.text
    );
    let (status, xlsx) = srv
        .request("GET", &format!("/api/v1/competitions/{competition}/promotions/export"))
        .token(&hr.access)
        .send_bytes();
    assert_eq!(status, 200);
    let cells: Vec<String> = {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
        let range = wb.worksheet_range_at(0).unwrap().unwrap();
        range.rows().flat_map(|row| row.iter().map(|c| c.to_string()).collect::<Vec<_>>()).collect()
    };
    assert!(cells.contains(&"高级工".to_string()), "{cells:?}");
    assert!(r.secrets.iter().filter(|s| s.len() == 18).any(|id| cells.contains(id)), "whole ID numbers for HR");
    srv.request("GET", &format!("/api/v1/competitions/{competition}/promotions/export"))
        .token(&contestant.access)
        .send()
        .problem(403, "forbidden");

    // The winner's honours; then a revocation shows on the public page.
    let holder = ["13800001000", "13800001001", "13800001002"]
        [["李娜", "阿苏·木呷", "岩温香"].iter().position(|n| *n == winner_name).unwrap()];
    let winner_session = srv.login(holder, "contestant-password-1");
    let honours = srv.get("/api/v1/me/honours", &winner_session.access);
    assert!(honours.body.as_array().unwrap().iter().any(|h| h["kind"] == "title_champion" && h["check_code"] == code));
    srv.post(
        &format!("/api/v1/awards/{}/revoke", title["id"].as_str().unwrap()),
        &county.access,
        json!({ "reason": "x" }),
    )
    .problem(403, "forbidden");
    srv.post(
        &format!("/api/v1/awards/{}/revoke", title["id"].as_str().unwrap()),
        &union.access,
        json!({ "reason": "" }),
    )
    .invalid_field("reason", "required");
    let revoked = srv.post(
        &format!("/api/v1/awards/{}/revoke", title["id"].as_str().unwrap()),
        &union.access,
        json!({ "reason": "违反竞赛纪律" }),
    );
    assert_eq!(revoked.body["status"], "revoked", "{}", revoked.text);
    let after = verify(number, code);
    assert_eq!(
        (after.body["status"].as_str(), after.body["revoked_reason"].as_str()),
        (Some("revoked"), Some("违反竞赛纪律"))
    );
    // Revoking a promotion takes its credential away.
    srv.post(
        &format!("/api/v1/awards/{}/revoke", promoted["id"].as_str().unwrap()),
        &hr.access,
        json!({ "reason": "资格不符" }),
    );
    let person = srv.get(&format!("/api/v1/persons/{}", promoted["person_id"].as_str().unwrap()), &host.access);
    assert!(
        person.body["credentials"].as_array().unwrap().iter().all(|c| c["source"] != "competition"),
        "{}",
        person.text
    );
}

#[test]
fn awards_wait_out_their_publicity_and_rules_are_validated() {
    let (r, competition, _) = final_results(Value::Null);
    let srv = &r.srv;
    let rules = srv.request("GET", &format!("/api/v1/competitions/{competition}/award-rules")).send();
    assert_eq!(rules.body["is_default"], true);
    // A prefecture workers' contest: 技术状元 for 1st, 技术标兵 for 2nd–6th, district class → 高级工.
    assert_eq!(rules.body["rules"]["titles"][0], json!({ "kind": "title_champion", "from_rank": 1, "to_rank": 1 }));
    assert_eq!(rules.body["rules"]["promotions"][0]["to_level"], 3);
    assert_eq!(rules.body["rules"]["publicity_days"], 5);
    let proposed = srv.post(&format!("/api/v1/events/{}/awards/proposals", r.event), &r.host.access, json!({}));
    let (union, _) = kunming_officials(&r);
    let prizes = ids_where(&proposed.body["awards"], |a| a["kind"] == "prize_first");
    batch(&r, &union, "confirm", &prizes);
    let publicised = batch(&r, &union, "publicise", &prizes);
    assert!(publicised.body["awards"][0]["publicity_ends_at"].is_string());
    // The public notice lists it, with the name in full and no ID number; awards not publicised
    // (the titles, still proposed) are not on it.
    let notice = srv.request("GET", &format!("/api/v1/competitions/{competition}/awards/publicity")).send();
    assert_eq!(notice.status, 200, "{}", notice.text);
    let listed: Vec<&str> = notice.body.as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(listed, prizes.iter().map(String::as_str).collect::<Vec<_>>(), "{}", notice.text);
    assert_eq!(notice.body[0]["label"], "一等奖");
    assert!(notice.body.as_array().unwrap().iter().all(|a| a.get("id_number").is_none()), "{}", notice.text);
    // An objection while publicised holds the grant until ruled; upheld, it revokes the award.
    let contestant = srv.login("13800001001", "contestant-password-1");
    let objection = srv.post(
        &format!("/api/v1/awards/{}/objections", prizes[0]),
        &contestant.access,
        json!({ "grounds": "对名次有异议" }),
    );
    assert_eq!(objection.status, 201, "{}", objection.text);
    batch(&r, &union, "grant", &prizes).problem(409, "objections_open");
    let listed = srv.get(&format!("/api/v1/awards/{}/objections", prizes[0]), &union.access);
    assert_eq!(listed.body[0]["status"], "open");
    let objection_id = objection.body["id"].as_str().unwrap().to_string();
    // The granting body's queue holds it beside the award it concerns; the objector cannot read it.
    let queue = srv.get(&format!("/api/v1/competitions/{competition}/award-objections"), &union.access);
    assert_eq!(queue.body[0]["id"], objection_id.as_str(), "{}", queue.text);
    assert_eq!(
        (queue.body[0]["award_label"].as_str(), queue.body[0]["status"].as_str()),
        (Some("一等奖"), Some("open"))
    );
    assert!(queue.body[0]["holder_name"].is_string());
    srv.get(&format!("/api/v1/competitions/{competition}/award-objections"), &contestant.access)
        .problem(403, "forbidden");
    srv.post(
        &format!("/api/v1/award-objections/{objection_id}/ruling"),
        &contestant.access,
        json!({ "uphold": true, "ruling": "x" }),
    )
    .problem(403, "forbidden");
    let ruled = srv.post(
        &format!("/api/v1/award-objections/{objection_id}/ruling"),
        &union.access,
        json!({ "uphold": true, "ruling": "经核查，名次计算有误" }),
    );
    assert_eq!(ruled.body["status"], "upheld", "{}", ruled.text);
    let award = srv.get(&format!("/api/v1/awards/{}", prizes[0]), &union.access);
    assert_eq!(award.body["status"], "revoked");
    assert!(award.body["revoked_reason"].as_str().unwrap().contains("名次计算有误"));
    srv.post(
        &format!("/api/v1/award-objections/{objection_id}/ruling"),
        &union.access,
        json!({ "uphold": false, "ruling": "再议" }),
    )
    .problem(409, "already_ruled");
    // The title waits out its five working days.
    let titles = ids_where(&proposed.body["awards"], |a| a["kind"] == "title_champion");
    batch(&r, &union, "confirm", &titles);
    batch(&r, &union, "publicise", &titles);
    let early = batch(&r, &union, "grant", &titles);
    early.problem(409, "publicity_not_over");
    assert!(early.body["detail"].as_str().unwrap().contains("公示"), "{}", early.text);
}

#[test]
fn award_rules_name_the_field_they_break() {
    let r = running_final_with(5, 0, json!({}));
    let srv = &r.srv;
    let competition = competition_of(&r);
    let put = |rules: Value| {
        srv.request("PUT", &format!("/api/v1/competitions/{competition}/award-rules"))
            .token(&r.host.access)
            .json(json!({ "rules": rules }))
    };
    let mut rules = rules_without_publicity();
    rules["titles"][1]["to_rank"] = json!(1);
    put(rules.clone()).invalid_field("titles[1].to_rank", "ranks_out_of_order");
    rules = rules_without_publicity();
    rules["promotions"][0]["to_level"] = json!(0);
    put(rules).invalid_field("promotions[0].to_level", "out_of_range");
    rules = rules_without_publicity();
    rules["titles"][0]["kind"] = json!("prize_first");
    put(rules).invalid_field("titles[0].kind", "not_a_title");
    rules = rules_without_publicity();
    rules["titles"][0]["kind"] = json!("knighthood");
    put(rules).invalid_field("rules.titles[0].kind", "invalid_value");
    // A judge is not an organiser.
    srv.request("PUT", &format!("/api/v1/competitions/{competition}/award-rules"))
        .token(&r.judges[0].0.access)
        .json(json!({ "rules": null }))
        .problem(403, "forbidden");
    let saved = put(rules_without_publicity());
    assert_eq!((saved.status, saved.body["is_default"].as_bool()), (200, Some(false)), "{}", saved.text);
}

#[test]
fn a_promotion_starts_from_a_verified_level_never_from_a_declaration() {
    let (r, _, results) = final_results(rules_without_publicity());
    let srv = &r.srv;
    let event = r.event.clone();
    let winner = results["entries"][0]["registration_id"].as_str().unwrap().to_string();
    let winner_name = results["entries"][0]["full_name"].as_str().unwrap().to_string();
    let i = ["李娜", "阿苏·木呷", "岩温香"].iter().position(|n| *n == winner_name).expect("a contestant of the final");
    let me = srv.login(&format!("1380000100{i}"), "contestant-password-1");
    let person = srv.get("/api/v1/me", &me.access).body["person"]["id"].as_str().unwrap().to_string();
    // The winner claims 技师 (level 2) in 车工: the rules' 高级工 (3) would then be no promotion.
    let claimed = srv.post(
        &format!("/api/v1/persons/{person}/credentials"),
        &me.access,
        json!({ "occupation": "车工", "level": 2, "issued_on": skillcomp_tests::day(-100), "source": "exam" }),
    );
    assert_eq!(claimed.body["status"], "declared", "{}", claimed.text);
    let propose = || srv.post(&format!("/api/v1/events/{event}/awards/proposals"), &r.host.access, json!({}));
    let proposed = propose();
    assert_eq!(proposed.status, 201, "{}", proposed.text);
    let promotion_of = |body: &Value| {
        body["awards"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["kind"] == "promotion" && a["registration_id"] == winner)
            .cloned()
    };
    let promotion = promotion_of(&proposed.body).expect("the declaration does not count");
    assert_eq!(promotion["from_level"], Value::Null, "{promotion}");
    // Once the host verifies the certificate, the winner already holds the level.
    let credential = claimed.body["id"].as_str().unwrap();
    let verified =
        srv.post(&format!("/api/v1/persons/{person}/credentials/{credential}/verify"), &r.host.access, json!({}));
    assert_eq!(verified.body["status"], "verified", "{}", verified.text);
    let again = propose();
    assert_eq!(again.status, 201, "{}", again.text);
    assert!(promotion_of(&again.body).is_none(), "{}", again.text);
    let skipped = again.body["skipped"].as_array().unwrap();
    assert!(
        skipped.iter().any(|s| s["registration_id"] == winner && s["reason"] == "already_at_level"),
        "{}",
        again.text
    );
}
