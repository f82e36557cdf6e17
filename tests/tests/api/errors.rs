//! Bad input is a 4xx problem document naming the field and the reason: never a 500.

use serde_json::json;
use skillcomp_tests::TestServer;

#[test]
fn malformed_json_wrong_types_unknown_and_missing_fields_are_named() {
    let srv = TestServer::start();
    let admin = srv.admin();
    let post =
        |body: &[u8]| srv.request("POST", "/api/v1/organisations").token(&admin.access).bytes("application/json", body);

    post(b"{\"name\": \"x\",").problem(400, "malformed_json");
    post(b"").problem(400, "malformed_json");
    post(b"{\"name\":\"a\",\"kind\":\"union\",\"tier\":\"province\",\"region_code\":\"530000\"} {}")
        .problem(400, "malformed_json");
    post(br#"{"name": 5, "kind": "union", "tier": "province", "region_code": "530000"}"#)
        .invalid_field("name", "invalid_type");
    post(br#"{"name": "x", "kind": "union", "tier": "province", "region_code": "530000", "is_admin": true}"#)
        .invalid_field("is_admin", "unknown_field");
    post(br#"{"kind": "union", "tier": "province", "region_code": "530000"}"#).invalid_field("name", "missing_field");
    post(br#"{"name": "x", "kind": "guild", "tier": "province", "region_code": "530000"}"#)
        .invalid_field("kind", "invalid_value");
    post(b"[1,2,3]").invalid_field("body", "invalid_type");
}

#[test]
fn oversize_bodies_wrong_media_types_bad_paths_and_queries_are_4xx() {
    let srv = TestServer::start();
    let admin = srv.admin();
    let huge = format!(
        r#"{{"name": "{}", "kind": "union", "tier": "province", "region_code": "530000"}}"#,
        "字".repeat(40_000)
    );
    srv.request("POST", "/api/v1/organisations")
        .token(&admin.access)
        .bytes("application/json", huge.as_bytes())
        .problem(413, "payload_too_large");
    srv.request("POST", "/api/v1/organisations")
        .token(&admin.access)
        .bytes("text/plain", b"name=x")
        .problem(415, "unsupported_media_type");
    srv.get("/api/v1/organisations/not-a-uuid", &admin.access).problem(400, "invalid_id");
    srv.get("/api/v1/organisations?limit=abc", &admin.access).problem(400, "invalid_query");
    srv.get("/api/v1/organisations?limit=0", &admin.access).invalid_field("limit", "out_of_range");
    srv.get("/api/v1/organisations?cursor=zzz", &admin.access).invalid_field("cursor", "invalid_cursor");
    srv.get("/api/v1/organisations?tier=galaxy", &admin.access).problem(400, "invalid_query");
    srv.get("/api/v1/nothing-here", &admin.access).problem(404, "no_such_endpoint");
    srv.get(&format!("/api/v1/organisations/{}", uuid::Uuid::new_v4()), &admin.access).problem(404, "not_found");
    // A path the API has, with a method it does not: 405 naming the methods it does answer.
    let allow = |r: &skillcomp_tests::Response| {
        r.headers.iter().find(|(name, _)| name == "allow").map(|(_, value)| value.clone()).unwrap_or_default()
    };
    let put = srv.request("PUT", "/api/v1/competitions").token(&admin.access).json(serde_json::json!({}));
    assert_eq!(allow(&put), "GET, POST", "{}", put.text);
    put.problem(405, "method_not_allowed");
    let delete = srv.request("DELETE", &format!("/api/v1/awards/{}", uuid::Uuid::new_v4())).token(&admin.access).send();
    assert_eq!(allow(&delete), "GET");
    assert_eq!(delete.content_type, "application/problem+json", "{}", delete.text);
    delete.problem(405, "method_not_allowed");
    // …and a path it does not have stays a 404, whatever the method.
    srv.request("DELETE", "/api/v1/nothing-here").token(&admin.access).send().problem(404, "no_such_endpoint");
}

#[test]
fn empty_and_very_long_strings_and_control_characters_are_refused_cleanly() {
    let srv = TestServer::start();
    let admin = srv.admin();
    let create = |name: &str| {
        srv.post(
            "/api/v1/organisations",
            &admin.access,
            json!({ "name": name, "kind": "union", "tier": "province", "region_code": "530000" }),
        )
    };
    create("   ").invalid_field("name", "required");
    create(&"长".repeat(101)).invalid_field("name", "too_long");
    create("云南\n省总工会").invalid_field("name", "control_characters");
    // Exactly at the limit is fine, and CJK is counted in characters, not bytes.
    assert_eq!(create(&"长".repeat(100)).status, 201);
}

#[test]
fn responses_carry_security_headers_and_a_request_id() {
    let srv = TestServer::start();
    let r = ureq::get(&format!("{}/healthz", srv.base)).call().unwrap();
    assert_eq!(r.header("X-Content-Type-Options"), Some("nosniff"));
    assert_eq!(r.header("X-Frame-Options"), Some("DENY"));
    assert!(r.header("x-request-id").is_some());
    assert_eq!(r.into_json::<serde_json::Value>().unwrap()["status"], "ok");
    let ready = srv.request("GET", "/readyz").send();
    assert_eq!(ready.status, 200);
    assert_eq!(ready.body["database"], if srv.db.is_postgres() { "postgres" } else { "sqlite" });
}

/// The SPA hosted on its own site reaches the API only from the origins configured for it.
#[test]
fn cross_origin_requests_are_allowed_only_from_the_configured_spa() {
    let srv =
        skillcomp_tests::TestServer::start_configured(|s| s.cors_origins = vec!["https://jineng.example.cn".into()]);
    let preflight = |origin: &str| {
        srv.request("OPTIONS", "/api/v1/competitions")
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization, content-type, idempotency-key")
            .send()
    };
    let allowed = preflight("https://jineng.example.cn");
    assert_eq!(allowed.status, 200, "{}", allowed.text);
    assert_eq!(allowed.header("access-control-allow-origin").as_deref(), Some("https://jineng.example.cn"));
    let refused = preflight("https://evil.example.com");
    assert!(refused.header("access-control-allow-origin").is_none(), "no CORS grant for another origin");
    let read = srv.request("GET", "/api/v1/competitions").header("Origin", "https://jineng.example.cn").send();
    assert_eq!(read.header("access-control-allow-origin").as_deref(), Some("https://jineng.example.cn"));
}
