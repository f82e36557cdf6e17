use serde_json::json;

use crate::province;

#[test]
fn the_tree_follows_the_tiers_and_regions() {
    let p = province();
    let (srv, t) = (&p.srv, p.admin.access.as_str());
    let create = |name: &str, kind: &str, tier: &str, parent: Option<&str>, region: &str| {
        srv.post(
            "/api/v1/organisations",
            t,
            json!({ "name": name, "kind": kind, "tier": tier, "parent_id": parent, "region_code": region }),
        )
    };
    create("盘龙区总工会", "union", "prefecture", Some(&p.kunming), "530103")
        .invalid_field("tier", "tier_not_below_parent");
    create("麒麟区某厂", "enterprise", "enterprise", Some(&p.wuhua), "530302")
        .invalid_field("region_code", "region_outside_parent");
    create("五华区某校", "school", "county", Some(&p.wuhua), "530102").invalid_field("tier", "tier_kind_mismatch");
    create("孤儿县总工会", "union", "county", None, "530102").invalid_field("parent_id", "parent_required");
    create("五华区总工会", "union", "county", Some(&p.kunming), "530102").invalid_field("name", "name_taken");
    let unknown = uuid::Uuid::new_v4().to_string();
    create("无主企业", "enterprise", "enterprise", Some(&unknown), "530102")
        .invalid_field("parent_id", "unknown_organisation");
    let factory = create("昆明示范机床厂", "enterprise", "enterprise", Some(&p.wuhua), "530102");
    assert_eq!(factory.status, 201, "{}", factory.text);
    assert_eq!(factory.body["parent_id"], p.wuhua.as_str());
    assert_eq!(factory.etag.as_deref(), Some("\"1\""));

    // Public listing: the subtree of Kunming holds Kunming, Wuhua and the factory, not Qujing.
    let within = srv.request("GET", &format!("/api/v1/organisations?within={}", p.kunming)).send();
    let names: Vec<&str> =
        within.body["items"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["昆明市总工会", "五华区总工会", "昆明示范机床厂"]);
    let search = srv.request("GET", "/api/v1/organisations?q=%E6%9B%B2%E9%9D%96").send(); // 曲靖
    assert_eq!(search.body["items"].as_array().unwrap().len(), 1);
    let counties = srv.request("GET", "/api/v1/organisations?tier=county").send();
    assert_eq!(counties.body["items"].as_array().unwrap().len(), 2);
}

#[test]
fn lists_page_with_a_stable_cursor() {
    let p = province();
    let first = p.srv.request("GET", "/api/v1/organisations?limit=2").send();
    let items = first.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let cursor = first.body["next_cursor"].as_str().expect("more pages");
    let second = p.srv.request("GET", &format!("/api/v1/organisations?limit=2&cursor={cursor}")).send();
    let third_cursor = second.body["next_cursor"].as_str().expect("a third page");
    let third = p.srv.request("GET", &format!("/api/v1/organisations?limit=2&cursor={third_cursor}")).send();
    assert!(third.body["next_cursor"].is_null());
    let all: Vec<String> = [&first, &second, &third]
        .iter()
        .flat_map(|r| r.body["items"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(all.len(), 5);
    assert_eq!(all[0], p.province);
}

#[test]
fn an_organiser_of_one_county_cannot_touch_another() {
    let p = province();
    let srv = &p.srv;
    let wuhua = srv.staff(&p.admin.access, "org.wuhua", "organiser", Some(&p.wuhua));
    // Inside its own subtree: fine.
    let own = srv.create_org(&wuhua.access, "五华区示范企业", "enterprise", "enterprise", Some(&p.wuhua), "530102");
    // Under Qilin (another prefecture's county): refused.
    srv.post("/api/v1/organisations", &wuhua.access, json!({ "name": "越界企业", "kind": "enterprise", "tier": "enterprise", "parent_id": p.qilin, "region_code": "530302" }))
        .problem(403, "forbidden");
    let qilin = srv.request("GET", &format!("/api/v1/organisations/{}", p.qilin)).send();
    srv.request("PATCH", &format!("/api/v1/organisations/{}", p.qilin))
        .token(&wuhua.access)
        .header("If-Match", qilin.etag.as_deref().unwrap())
        .json(json!({ "name": "改名" }))
        .problem(403, "forbidden");
    // Nor climb above its own grant.
    let kunming = srv.request("GET", &format!("/api/v1/organisations/{}", p.kunming)).send();
    srv.request("PATCH", &format!("/api/v1/organisations/{}", p.kunming))
        .token(&wuhua.access)
        .header("If-Match", kunming.etag.as_deref().unwrap())
        .json(json!({ "name": "改名" }))
        .problem(403, "forbidden");
    // Nor delete its own root; but it may delete what it created (once no account holds a role there).
    let shop_organiser = srv.staff(&wuhua.access, "org.shop", "organiser", Some(&own));
    srv.request("DELETE", &format!("/api/v1/organisations/{own}"))
        .token(&wuhua.access)
        .header("If-Match", "\"1\"")
        .send()
        .problem(409, "still_referenced");
    let shop_me = srv.get("/api/v1/me", &shop_organiser.access);
    let (uid, gid) = (
        shop_me.body["id"].as_str().unwrap().to_string(),
        shop_me.body["grants"][0]["id"].as_str().unwrap().to_string(),
    );
    assert_eq!(
        srv.request("DELETE", &format!("/api/v1/users/{uid}/grants/{gid}")).token(&wuhua.access).send().status,
        204
    );
    srv.request("DELETE", &format!("/api/v1/organisations/{}", p.wuhua))
        .token(&wuhua.access)
        .header("If-Match", "\"1\"")
        .send()
        .problem(403, "forbidden");
    assert_eq!(
        srv.request("DELETE", &format!("/api/v1/organisations/{own}"))
            .token(&wuhua.access)
            .header("If-Match", "\"1\"")
            .send()
            .status,
        204
    );
}

#[test]
fn updates_need_the_current_version_and_moves_never_make_cycles() {
    let p = province();
    let (srv, t) = (&p.srv, p.admin.access.as_str());
    let path = format!("/api/v1/organisations/{}", p.wuhua);
    srv.request("PATCH", &path)
        .token(t)
        .json(json!({ "name": "五华区总工会（新）" }))
        .problem(428, "if_match_required");
    let renamed = srv
        .request("PATCH", &path)
        .token(t)
        .header("If-Match", "\"1\"")
        .json(json!({ "name": "五华区总工会（新）", "short_name": "五华工会" }));
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.etag.as_deref(), Some("\"2\""));
    assert_eq!(renamed.body["short_name"], "五华工会");
    // A second editor still holding version 1 loses nothing silently: 412.
    let stale = srv.request("PATCH", &path).token(t).header("If-Match", "\"1\"").json(json!({ "name": "旧名" }));
    stale.problem(412, "stale_version");
    assert_eq!(stale.body["extra"]["current_etag"], "\"2\"");
    // null clears a nullable field.
    let cleared = srv.request("PATCH", &path).token(t).header("If-Match", "\"2\"").json(json!({ "short_name": null }));
    assert!(cleared.body["short_name"].is_null(), "{}", cleared.text);

    // Kunming cannot move under its own county.
    srv.request("PATCH", &format!("/api/v1/organisations/{}", p.kunming))
        .token(t)
        .header("If-Match", "\"1\"")
        .json(json!({ "parent_id": p.wuhua }))
        .invalid_field("parent_id", "cycle");
    // A county cannot be raised above its parent's tier rules, nor a prefecture lowered below its counties.
    srv.request("PATCH", &format!("/api/v1/organisations/{}", p.qujing))
        .token(t)
        .header("If-Match", "\"1\"")
        .json(json!({ "tier": "county", "region_code": "530302" }))
        .problem(409, "children_would_not_fit");
    // Deleting a parent with children is refused.
    srv.request("DELETE", &format!("/api/v1/organisations/{}", p.qujing))
        .token(t)
        .header("If-Match", "\"1\"")
        .send()
        .problem(409, "has_children");
}

#[test]
fn moving_an_organisation_moves_its_subtree_and_its_organisers_rights() {
    let p = province();
    let (srv, t) = (&p.srv, p.admin.access.as_str());
    let factory = srv.create_org(t, "示范集团", "enterprise", "enterprise", Some(&p.province), "530100");
    let branch = srv.create_org(t, "示范集团昆明分公司", "enterprise", "enterprise", Some(&factory), "530102");
    let kunming_org = srv.staff(t, "org.km", "organiser", Some(&p.kunming));
    // Not yet in Kunming's subtree.
    srv.request("PATCH", &format!("/api/v1/organisations/{branch}"))
        .token(&kunming_org.access)
        .header("If-Match", "\"1\"")
        .json(json!({ "name": "x" }))
        .problem(403, "forbidden");
    let moved = srv
        .request("PATCH", &format!("/api/v1/organisations/{factory}"))
        .token(t)
        .header("If-Match", "\"1\"")
        .json(json!({ "parent_id": p.kunming, "region_code": "530100" }));
    assert_eq!(moved.status, 200, "{}", moved.text);
    // The branch came along: now Kunming's organiser manages it.
    let renamed = srv
        .request("PATCH", &format!("/api/v1/organisations/{branch}"))
        .token(&kunming_org.access)
        .header("If-Match", "\"1\"")
        .json(json!({ "name": "示范集团五华分公司" }));
    assert_eq!(renamed.status, 200, "{}", renamed.text);
}
