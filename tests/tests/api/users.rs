use serde_json::json;

use crate::province;

#[test]
fn organisers_grant_only_organiser_and_judge_roles_within_their_subtree() {
    let p = province();
    let srv = &p.srv;
    let kunming = srv.staff(&p.admin.access, "org.kunming", "organiser", Some(&p.kunming));
    // A judge for Wuhua: fine.
    let judge = srv.post("/api/v1/users", &kunming.access, json!({ "username": "judge.li", "password": "judge-password-1", "grant": { "role": "judge", "organisation_id": p.wuhua } }));
    assert_eq!(judge.status, 201, "{}", judge.text);
    assert_eq!(judge.body["grants"][0]["organisation_name"], "五华区总工会");
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
