use serde_json::json;

use crate::province;

#[test]
fn organisers_grant_only_organiser_and_judge_roles_within_their_subtree() {
    let p = province();
    let srv = &p.srv;
    let kunming = srv.staff(&p.admin.access, "org.kunming", "organiser", Some(&p.kunming));
    // A judge for Wuhua: fine.
    // A name that is not one is refused, naming the field.
    srv.post("/api/v1/users", &kunming.access, json!({ "username": "judge.li", "full_name": "李<b>", "password": "judge-password-1", "grant": { "role": "judge", "organisation_id": p.wuhua } }))
        .invalid_field("full_name", "invalid_character");
    let judge = srv.post("/api/v1/users", &kunming.access, json!({ "username": "judge.li", "full_name": "木呷•阿依", "password": "judge-password-1", "grant": { "role": "judge", "organisation_id": p.wuhua } }));
    assert_eq!(judge.status, 201, "{}", judge.text);
    assert_eq!(judge.body["grants"][0]["organisation_name"], "五华区总工会");
    // Staff are shown by name: on the account, and to themselves.
    assert_eq!(judge.body["full_name"], "木呷·阿依", "{}", judge.text);
    let own = srv.get("/api/v1/me", &srv.login("judge.li", "judge-password-1").access);
    assert_eq!(own.body["full_name"], "木呷·阿依", "the dot variant is normalised");
    let judge_id = judge.body["id"].as_str().unwrap().to_string();
    // An official (certifying body) or an admin: only admins grant those.
    srv.post("/api/v1/users", &kunming.access, json!({ "username": "off.li", "password": "official-password-1", "grant": { "role": "official", "organisation_id": p.kunming } }))
        .problem(403, "forbidden");
    srv.post(&format!("/api/v1/users/{judge_id}/grants"), &kunming.access, json!({ "role": "admin" }))
        .problem(403, "forbidden");
    // Outside the subtree.
    srv.post(
        &format!("/api/v1/users/{judge_id}/grants"),
        &kunming.access,
        json!({ "role": "judge", "organisation_id": p.qujing }),
    )
    .problem(403, "forbidden");
    // Scope rules.
    srv.post(&format!("/api/v1/users/{judge_id}/grants"), &p.admin.access, json!({ "role": "official" }))
        .invalid_field("organisation_id", "required");
    srv.post(
        &format!("/api/v1/users/{judge_id}/grants"),
        &p.admin.access,
        json!({ "role": "admin", "organisation_id": p.kunming }),
    )
    .invalid_field("organisation_id", "not_applicable");
    srv.post(
        &format!("/api/v1/users/{judge_id}/grants"),
        &kunming.access,
        json!({ "role": "judge", "organisation_id": p.wuhua }),
    )
    .problem(409, "grant_exists");
    // The organiser sees the accounts in its subtree, not others.
    let qujing = srv.staff(&p.admin.access, "org.qujing", "organiser", Some(&p.qujing));
    let listed = srv.get("/api/v1/users", &kunming.access);
    let names: Vec<&str> =
        listed.body["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"judge.li") && names.contains(&"org.kunming") && !names.contains(&"org.qujing"),
        "{names:?}"
    );
    srv.get(&format!("/api/v1/users/{judge_id}"), &qujing.access).problem(404, "not_found");
    // A contestant manages no accounts.
    let contestant = srv.contestant("13600000001");
    srv.get("/api/v1/users", &contestant.access).problem(403, "forbidden");
}

#[test]
fn a_withdrawn_grant_takes_effect_at_once_and_the_last_admin_stays() {
    let p = province();
    let srv = &p.srv;
    let org = srv.staff(&p.admin.access, "org.wuhua", "organiser", Some(&p.wuhua));
    let me = srv.get("/api/v1/me", &org.access);
    let (user_id, grant_id) =
        (me.body["id"].as_str().unwrap().to_string(), me.body["grants"][0]["id"].as_str().unwrap().to_string());
    assert_eq!(
        srv.request("DELETE", &format!("/api/v1/users/{user_id}/grants/{grant_id}"))
            .token(&p.admin.access)
            .send()
            .status,
        204
    );
    // The same access token no longer carries the right.
    srv.post("/api/v1/organisations", &org.access, json!({ "name": "某厂", "kind": "enterprise", "tier": "enterprise", "parent_id": p.wuhua, "region_code": "530102" }))
        .problem(403, "forbidden");

    let admin_me = srv.get("/api/v1/me", &p.admin.access);
    let (admin_id, admin_grant) = (
        admin_me.body["id"].as_str().unwrap().to_string(),
        admin_me.body["grants"][0]["id"].as_str().unwrap().to_string(),
    );
    srv.request("DELETE", &format!("/api/v1/users/{admin_id}/grants/{admin_grant}"))
        .token(&p.admin.access)
        .send()
        .problem(409, "last_admin");
}

#[test]
fn admins_change_the_system_defaults_new_events_take_and_nobody_else_can() {
    let p = province();
    let srv = &p.srv;
    let kunming = srv.staff(&p.admin.access, "org.kunming", "organiser", Some(&p.kunming));
    let listed = srv.get("/api/v1/settings", &p.admin.access);
    assert_eq!(listed.status, 200, "{}", listed.text);
    let quota = listed.body.as_array().unwrap().iter().find(|s| s["key"] == "quota_per_organisation").unwrap().clone();
    assert_eq!((quota["value"].as_i64(), quota["default_value"].as_i64()), (Some(5), Some(5)));
    // Only admins: an organiser may neither read nor set them.
    srv.get("/api/v1/settings", &kunming.access).problem(403, "forbidden");
    srv.request("PUT", "/api/v1/settings/quota_per_organisation")
        .token(&kunming.access)
        .json(json!({ "value": 50 }))
        .problem(403, "forbidden");
    // Within the rules' range only, naming the field; an unknown setting is not found.
    let put = |key: &str, value: serde_json::Value| {
        srv.request("PUT", &format!("/api/v1/settings/{key}")).token(&p.admin.access).json(json!({ "value": value }))
    };
    put("quota_per_organisation", json!(0)).invalid_field("value", "out_of_range");
    put("review_levels", json!(5)).invalid_field("value", "out_of_range");
    put("no_such_setting", json!(1)).problem(404, "not_found");
    let set = put("quota_per_organisation", json!(8));
    assert_eq!(set.status, 200, "{}", set.text);
    assert!(set.body.as_array().unwrap().iter().any(|s| s["key"] == "quota_per_organisation" && s["value"] == 8));
    assert_eq!(put("appeal_window_minutes", json!(30)).status, 200);
    // A new event takes them where its organisers say nothing, and its own value where they do.
    let year = skillcomp_tests::year_in(40);
    let competition = srv.post("/api/v1/competitions", &kunming.access, json!({ "name": "昆明市焊工竞赛", "year": year, "category": "workers_skills", "tier": "prefecture", "class": "district", "host_org_id": p.kunming, "starts_on": skillcomp_tests::day(40), "ends_on": skillcomp_tests::day(41) }));
    assert_eq!(competition.status, 201, "{}", competition.text);
    let id = competition.body["id"].as_str().unwrap();
    let trade = crate::registration::trade_id(srv, "焊工");
    let event = srv.post(&format!("/api/v1/competitions/{id}/events"), &kunming.access, json!({ "trade_id": trade }));
    assert_eq!(event.status, 201, "{}", event.text);
    assert_eq!(
        (event.body["quota_per_organisation"].as_i64(), event.body["appeal_window_minutes"].as_i64()),
        (Some(8), Some(30))
    );
    let trade = crate::registration::trade_id(srv, "车工");
    let own = srv.post(
        &format!("/api/v1/competitions/{id}/events"),
        &kunming.access,
        json!({ "trade_id": trade, "quota_per_organisation": 3 }),
    );
    assert_eq!(own.body["quota_per_organisation"], 3, "{}", own.text);
    // Back to the default (null), and each change is on the audit trail.
    let reset = put("quota_per_organisation", serde_json::Value::Null);
    assert!(reset
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["key"] == "quota_per_organisation" && s["value"] == 5 && s["updated_at"].is_null()));
    let trail = srv.get("/api/v1/audit?action=setting.update", &p.admin.access);
    assert_eq!(trail.body["items"].as_array().map(Vec::len), Some(3), "{}", trail.text);
}
