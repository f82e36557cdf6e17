use serde_json::json;
use skillcomp_tests::TestServer;

#[test]
fn sign_up_log_in_refresh_and_a_reused_refresh_token_revokes_the_whole_family() {
    let srv = TestServer::start();
    let signed_up = srv.contestant("13812345678");
    let me = srv.get("/api/v1/me", &signed_up.access);
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["username"], "13812345678");
    assert_eq!(me.body["grants"][0]["role"], "contestant");

    let login = srv.login("13812345678", "contestant-password-1");
    let first = srv.request("POST", "/api/v1/auth/refresh").refresh_cookie(&login.refresh).send();
    assert_eq!(first.status, 200, "{}", first.text);
    let rotated = first.refresh_cookie().unwrap();
    assert_ne!(rotated, login.refresh, "refresh tokens rotate on every use");
    assert_eq!(srv.get("/api/v1/me", first.body["access_token"].as_str().unwrap()).status, 200);

    // Someone replays the old token: refused, and the rotated one dies with it.
    srv.request("POST", "/api/v1/auth/refresh")
        .refresh_cookie(&login.refresh)
        .send()
        .problem(401, "refresh_token_reused");
    srv.request("POST", "/api/v1/auth/refresh").refresh_cookie(&rotated).send().problem(401, "invalid_refresh_token");

    // The sign-up session is a different family and still works.
    let other = srv.request("POST", "/api/v1/auth/refresh").refresh_cookie(&signed_up.refresh).send();
    assert_eq!(other.status, 200, "{}", other.text);

    // The reuse is on the audit trail.
    let admin = srv.admin();
    let trail = srv.get("/api/v1/audit?action=auth.refresh_reuse_detected", &admin.access);
    assert_eq!(trail.body["items"].as_array().unwrap().len(), 1, "{}", trail.text);
}

#[test]
fn an_unknown_user_and_a_wrong_password_get_the_same_answer() {
    let srv = TestServer::start();
    srv.contestant("li.na");
    let wrong_password =
        srv.request("POST", "/api/v1/auth/login").json(json!({ "username": "li.na", "password": "not-the-password" }));
    let unknown_user = srv
        .request("POST", "/api/v1/auth/login")
        .json(json!({ "username": "nobody.here", "password": "not-the-password" }));
    wrong_password.problem(401, "invalid_credentials");
    unknown_user.problem(401, "invalid_credentials");
    assert_eq!(wrong_password.body, unknown_user.body);
    // Usernames are case-insensitive.
    srv.login("LI.NA", "contestant-password-1");
}

#[test]
fn sign_up_refuses_weak_passwords_bad_usernames_and_taken_names() {
    let srv = TestServer::start();
    let signup =
        |u: &str, p: &str| srv.request("POST", "/api/v1/auth/signup").json(json!({ "username": u, "password": p }));
    signup("wang.fang", "short").invalid_field("password", "password_too_short");
    signup("wang.fang", "wang.fang-2026!").invalid_field("password", "password_contains_username");
    signup("王芳芳", "a-good-long-password").invalid_field("username", "invalid_username");
    assert_eq!(signup("wang.fang", "a-good-long-password").status, 201);
    signup("Wang.Fang", "another-good-password").problem(409, "username_taken");
}

#[test]
fn logout_ends_the_session_and_bad_tokens_are_refused() {
    let srv = TestServer::start();
    let s = srv.contestant("zhao.lei");
    let out = srv.request("POST", "/api/v1/auth/logout").refresh_cookie(&s.refresh).send();
    assert_eq!(out.status, 204);
    srv.request("POST", "/api/v1/auth/refresh").refresh_cookie(&s.refresh).send().problem(401, "invalid_refresh_token");

    srv.request("GET", "/api/v1/me").send().problem(401, "authentication_required");
    srv.get("/api/v1/me", "not.a.jwt").problem(401, "invalid_token");
    srv.request("GET", "/api/v1/me")
        .header("Authorization", "Basic YWRtaW46YWRtaW4=")
        .send()
        .problem(401, "invalid_token");
}

#[test]
fn a_disabled_account_is_locked_out_at_once() {
    let srv = TestServer::start();
    let admin = srv.admin();
    let s = srv.contestant("sun.li");
    let me = srv.get("/api/v1/me", &s.access);
    let user_id = me.body["id"].as_str().unwrap();
    let r = srv
        .request("PATCH", &format!("/api/v1/users/{user_id}"))
        .token(&admin.access)
        .json(json!({ "is_active": false }));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["is_active"], false);
    srv.get("/api/v1/me", &s.access).problem(401, "invalid_token");
    srv.request("POST", "/api/v1/auth/refresh").refresh_cookie(&s.refresh).send().problem(401, "invalid_refresh_token");
    srv.request("POST", "/api/v1/auth/login")
        .json(json!({ "username": "sun.li", "password": "contestant-password-1" }))
        .problem(401, "invalid_credentials");
    // An admin cannot lock themselves out.
    let admin_id = srv.get("/api/v1/me", &admin.access).body["id"].as_str().unwrap().to_string();
    srv.request("PATCH", &format!("/api/v1/users/{admin_id}"))
        .token(&admin.access)
        .json(json!({ "is_active": false }))
        .problem(409, "cannot_disable_self");
}

#[test]
fn two_refreshes_racing_with_one_token_have_exactly_one_winner() {
    let srv = TestServer::start();
    let s = srv.contestant("race.one");
    let barrier = std::sync::Barrier::new(2);
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let racers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    srv.request("POST", "/api/v1/auth/refresh").refresh_cookie(&s.refresh).send().status
                })
            })
            .collect();
        racers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let mut sorted = statuses.clone();
    sorted.sort();
    assert_eq!(sorted, [200, 401], "{statuses:?}");
}

fn attempt(srv: &TestServer, username: &str, password: &str) -> skillcomp_tests::Response {
    srv.request("POST", "/api/v1/auth/login").json(json!({ "username": username, "password": password }))
}

#[test]
fn an_account_waits_after_too_many_failed_logins_and_a_success_clears_the_count() {
    use skillcomp::auth::rate_limit::Limit;
    let srv = TestServer::start_configured(|s| s.login_failures_per_account = Limit::new(3, 900));
    srv.contestant("wang.fang");
    srv.contestant("zhao.lei");
    // Two failures, then the right password: the count starts again.
    for _ in 0..2 {
        attempt(&srv, "wang.fang", "guess-guess-1").problem(401, "invalid_credentials");
    }
    srv.login("wang.fang", "contestant-password-1");
    for _ in 0..3 {
        attempt(&srv, "wang.fang", "guess-guess-1").problem(401, "invalid_credentials");
    }
    // The fourth try waits, even with the right password, and says for how long.
    let refused = attempt(&srv, "WANG.FANG", "contestant-password-1");
    refused.problem(429, "rate_limited");
    let wait: u64 = refused.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((1..=900).contains(&wait), "Retry-After {wait}");
    // Other accounts are not held up; an unknown account is counted the same way as a real one.
    srv.login("zhao.lei", "contestant-password-1");
    for _ in 0..3 {
        attempt(&srv, "no.such.person", "guess-guess-1").problem(401, "invalid_credentials");
    }
    attempt(&srv, "no.such.person", "guess-guess-1").problem(429, "rate_limited");
}

#[test]
fn one_address_is_limited_across_accounts_and_sign_ups() {
    use skillcomp::auth::rate_limit::Limit;
    let srv = TestServer::start_configured(|s| {
        s.login_per_ip = Limit::new(4, 60);
        s.signup_per_ip = Limit::new(2, 3600);
    });
    srv.contestant("a.contestant");
    srv.contestant("b.contestant");
    srv.request("POST", "/api/v1/auth/signup")
        .json(json!({ "username": "c.contestant", "password": "contestant-password-1" }))
        .problem(429, "rate_limited");
    srv.login("a.contestant", "contestant-password-1");
    for name in ["x1", "x2", "x3"] {
        attempt(&srv, name, "guess-guess-1").problem(401, "invalid_credentials");
    }
    // The fifth attempt from this address is refused whoever it is for.
    let refused = attempt(&srv, "b.contestant", "contestant-password-1");
    refused.problem(429, "rate_limited");
    assert!(refused.header("retry-after").is_some());
    // An untrusted client cannot pick another address with X-Forwarded-For.
    srv.request("POST", "/api/v1/auth/login")
        .header("X-Forwarded-For", "203.0.113.9")
        .json(json!({ "username": "b.contestant", "password": "contestant-password-1" }))
        .problem(429, "rate_limited");
}

#[test]
fn behind_a_trusted_proxy_each_client_address_has_its_own_limit() {
    use skillcomp::auth::rate_limit::Limit;
    let srv = TestServer::start_configured(|s| {
        s.login_per_ip = Limit::new(1, 60);
        s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    });
    srv.contestant("a.contestant");
    let via = |client: &str| {
        srv.request("POST", "/api/v1/auth/login")
            .header("X-Forwarded-For", &format!("{client}, 127.0.0.1"))
            .json(json!({ "username": "a.contestant", "password": "contestant-password-1" }))
    };
    assert_eq!(via("198.51.100.1").status, 200);
    via("198.51.100.1").problem(429, "rate_limited");
    assert_eq!(via("198.51.100.2").status, 200);
}

#[test]
fn changing_the_password_ends_the_other_sessions_and_keeps_this_one() {
    let srv = TestServer::start();
    let here = srv.contestant("changes.password");
    let elsewhere = srv.login("changes.password", "contestant-password-1");
    let change = |current: &str, new: &str| {
        srv.request("PUT", "/api/v1/me/password")
            .token(&here.access)
            .json(json!({ "current_password": current, "new_password": new }))
    };
    change("contestant-password-1", "contestant-password-1").invalid_field("new_password", "same_as_current");
    change("contestant-password-1", "changes.password.too").invalid_field("new_password", "password_contains_username");
    change("not-the-password", "a-fresh-password-2026").invalid_field("current_password", "incorrect");
    assert_eq!(change("contestant-password-1", "a-fresh-password-2026").status, 204);
    assert_eq!(srv.get("/api/v1/me", &here.access).status, 200, "this session goes on");
    srv.get("/api/v1/me", &elsewhere.access).problem(401, "invalid_token");
    srv.request("POST", "/api/v1/auth/refresh")
        .refresh_cookie(&elsewhere.refresh)
        .send()
        .problem(401, "invalid_refresh_token");
    srv.request("POST", "/api/v1/auth/login")
        .json(json!({ "username": "changes.password", "password": "contestant-password-1" }))
        .problem(401, "invalid_credentials");
    srv.login("changes.password", "a-fresh-password-2026");
    let admin = srv.admin();
    let trail = srv.get("/api/v1/audit?action=user.password_change", &admin.access);
    assert_eq!(trail.body["items"].as_array().unwrap().len(), 1, "{}", trail.text);
}
