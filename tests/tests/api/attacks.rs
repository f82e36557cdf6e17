//! Attacks by ordinary accounts with ordinary requests (issue "Trust"): each test tries to break
//! one promise and shows it holding. One test per attack, named after it; like every API test
//! they run on SQLite and, with `SKILLCOMP_TEST_POSTGRES_URL`, on PostgreSQL.

use std::io::Write;

use serde_json::json;

use crate::registration::{open_final, Options};
use skillcomp_tests::ServerProcess;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A workbook of two cells, 姓名 at A1 and one at XFD1048576, the last cell a sheet can have: a
/// dense reader allocates 17 billion cells for it.
fn extent_bomb() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "姓名").unwrap();
    sheet.write_string(0, 1, "身份证号").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    workbook.save_to_buffer().unwrap()
}

/// A zip whose sheet inflates from tens of kilobytes to 40 MB (blank space is valid XML).
fn inflation_bomb() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("xl/worksheets/sheet1.xml", deflated).unwrap();
    zip.write_all(b"<worksheet><sheetData>").unwrap();
    let blanks = vec![b' '; 1024 * 1024];
    for _ in 0..40 {
        zip.write_all(&blanks).unwrap();
    }
    zip.write_all(b"</sheetData></worksheet>").unwrap();
    zip.finish().unwrap().into_inner()
}

#[test]
fn a_spreadsheet_bomb_sent_by_a_contestant_is_refused_before_it_is_read() {
    let f = open_final(Options::default());
    let srv = &f.p.srv;
    let stranger = srv.contestant("bomber");
    let bomb = extent_bomb();
    assert!(bomb.len() < 16 * 1024, "the bomb is small: {} bytes", bomb.len());
    let import = |event: &str| {
        srv.request("POST", &format!("/api/v1/events/{event}/registrations/import?nominating_org_id={}", f.factory))
            .token(&stranger.access)
            .bytes(XLSX, &bomb)
    };
    import(&f.event).problem(403, "forbidden");
    import(&uuid::Uuid::new_v4().to_string()).problem(404, "not_found");
    srv.request("POST", &format!("/api/v1/events/{}/marking-scheme/import?title=x", f.event))
        .token(&stranger.access)
        .bytes(XLSX, &bomb)
        .problem(403, "forbidden");
    assert_eq!(srv.request("GET", "/healthz").send().status, 200);
}

#[test]
fn a_sheet_that_reaches_cell_xfd1048576_is_refused_not_allocated() {
    let f = open_final(Options::default());
    let srv = &f.p.srv;
    let bomb = extent_bomb();
    let refused = srv
        .request("POST", &format!("/api/v1/events/{}/registrations/import?nominating_org_id={}", f.event, f.factory))
        .token(&f.unit.access)
        .bytes(XLSX, &bomb);
    let problem = refused.problem(400, "file_too_large");
    assert!(problem["detail"].as_str().unwrap().contains("2001 rows"), "{problem}");
    srv.request("POST", &format!("/api/v1/events/{}/marking-scheme/import?title=x", f.event))
        .token(&f.host.access)
        .bytes(XLSX, &bomb)
        .problem(400, "file_too_large");
    // The server is still there, and a real roster still imports.
    let roster = format!("姓名,身份证号\n赵六,{}\n", skillcomp_tests::id_number("530102", "19950505", 777));
    let ok = srv
        .request(
            "POST",
            &format!("/api/v1/events/{}/registrations/import?nominating_org_id={}&mode=valid_rows", f.event, f.factory),
        )
        .token(&f.unit.access)
        .bytes("text/csv", roster.as_bytes());
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["registered"], 1, "{}", ok.text);
}

#[test]
fn a_workbook_that_inflates_a_thousandfold_is_refused() {
    let f = open_final(Options::default());
    let srv = &f.p.srv;
    let bomb = inflation_bomb();
    assert!(bomb.len() < 64 * 1024, "within the body limit: {} bytes", bomb.len());
    srv.request("POST", &format!("/api/v1/events/{}/registrations/import?nominating_org_id={}", f.event, f.factory))
        .token(&f.unit.access)
        .bytes(XLSX, &bomb)
        .problem(400, "file_too_large");
    srv.request("POST", &format!("/api/v1/events/{}/marking-scheme/import?title=x", f.event))
        .token(&f.host.access)
        .bytes(XLSX, &bomb)
        .problem(400, "file_too_large");
    // A body beyond the limit is not read at all.
    let huge = vec![b'a'; 200 * 1024];
    srv.request("POST", &format!("/api/v1/events/{}/registrations/import?nominating_org_id={}", f.event, f.factory))
        .token(&f.unit.access)
        .bytes("text/csv", &huge)
        .problem(413, "payload_too_large");
}

#[test]
fn a_judge_who_changes_employer_to_probe_stations_is_refused_and_learns_nothing() {
    let r = crate::judging::running_final();
    let judge_c = &r.judges[2].0;
    let me = r.srv.get("/api/v1/me", &judge_c.access);
    let profile = me.body["person"].clone();
    let version = r.srv.get(&format!("/api/v1/persons/{}", profile["id"].as_str().unwrap()), &judge_c.access);
    // Moving to another employer (the second factory's) is refused while appointed…
    let moved = r
        .srv
        .request("PUT", "/api/v1/me/person")
        .token(&judge_c.access)
        .header("If-Match", &version.header("etag").unwrap())
        .json(json!({ "full_name": profile["full_name"], "id_number": skillcomp_tests::id_number("530102", "19750101", 555), "employer_org_id": r.orgs.2 }));
    moved.problem(409, "profile_frozen");
    // …and so is declaring relations to find out where someone sits.
    r.srv
        .post("/api/v1/me/relations", &judge_c.access, json!({ "id_number": r.secrets[1], "relation": "同事" }))
        .problem(409, "profile_frozen");
    // A station the judge stands aside from answers exactly like an empty one.
    let answer = |station: i64| {
        let out =
            r.submit(2, json!([{ "aspect_id": r.aspect("2.1.1"), "station_number": station, "value": 50 }]), None);
        (out.status, out.text.replace(&format!("station {station}"), "station N"))
    };
    let empty = answer(99);
    let answers: Vec<(u16, String)> = (1..=3).map(answer).collect();
    assert_eq!(answers.iter().filter(|a| **a == empty).count(), 2, "{answers:?}");
    assert!(answers.iter().all(|a| *a == empty || a.0 == 200), "{answers:?}");
}

#[test]
fn an_organiser_cannot_hold_every_key_of_its_own_event() {
    let r = crate::judging::running_final();
    let (srv, admin) = (&r.srv, r.srv.admin());
    let host_id = srv.get("/api/v1/me", &r.host.access).body["id"].as_str().unwrap().to_string();
    let kunming = r.orgs.1.clone();
    let grant = |token: &str, user: &str, role: &str| {
        srv.post(&format!("/api/v1/users/{user}/grants"), token, json!({ "role": role, "organisation_id": kunming }))
    };
    // No one grants a role to themselves…
    grant(&r.host.access, &host_id, "judge").problem(403, "self_grant");
    grant(&admin.access, &admin_id(srv, &admin.access), "judge").problem(403, "self_grant");
    // …and a judge grant from someone else does not let the host's organiser onto its own panel.
    assert_eq!(grant(&admin.access, &host_id, "judge").status, 201);
    let appoint = |user: &str, role: &str| {
        srv.post(&format!("/api/v1/events/{}/roles", r.event), &r.host.access, json!({ "user_id": user, "role": role }))
    };
    for role in ["encryption_judge", "judge", "chief_judge"] {
        appoint(&host_id, role).problem(409, "separation_of_duties");
    }
    // The keys that check each other stay in different hands.
    appoint(&r.judges[0].1, "encryption_judge").problem(409, "separation_of_duties");
    appoint(&r.chief.1, "supervisor").problem(409, "separation_of_duties");
    appoint(&r.supervisor.1, "chief_judge").problem(409, "separation_of_duties");
    // The supervisor approves re-opened marks and the arbiter rules on appeals: neither marks.
    appoint(&r.supervisor.1, "judge").problem(409, "separation_of_duties");
    appoint(&r.judges[1].1, "supervisor").problem(409, "separation_of_duties");
    appoint(&r.judges[1].1, "arbiter").problem(409, "separation_of_duties");
    // A judge whose judge grant is withdrawn is off the panel at once.
    let sheet = format!("/api/v1/events/{}/judging/sheet?section=1", r.event);
    assert_eq!(srv.get(&sheet, &r.judges[0].0.access).status, 200);
    let judge_a = srv.get(&format!("/api/v1/users/{}", r.judges[0].1), &admin.access);
    let judge_grant = judge_a.body["grants"].as_array().unwrap().iter().find(|g| g["role"] == "judge").unwrap().clone();
    let withdrawn = srv
        .request("DELETE", &format!("/api/v1/users/{}/grants/{}", r.judges[0].1, judge_grant["id"].as_str().unwrap()))
        .token(&admin.access)
        .send();
    assert_eq!(withdrawn.status, 204, "{}", withdrawn.text);
    srv.get(&sheet, &r.judges[0].0.access).problem(403, "forbidden");
    let roles = srv.get(&format!("/api/v1/events/{}/roles", r.event), &r.host.access);
    assert!(!roles.text.contains(&r.judges[0].1), "{}", roles.text);
    // A judge who becomes one of the host's organisers after the appointment loses the panel too.
    assert_eq!(grant(&admin.access, &r.judges[1].1, "organiser").status, 201);
    srv.get(&sheet, &r.judges[1].0.access).problem(403, "forbidden");
}

fn admin_id(srv: &skillcomp_tests::TestServer, token: &str) -> String {
    srv.get("/api/v1/me", token).body["id"].as_str().unwrap().to_string()
}

#[test]
fn marks_cannot_be_changed_once_names_are_known_and_changed_marks_are_never_made_final() {
    let r = crate::judging::running_final_with(0, 0, json!({}));
    let srv = &r.srv;
    let event = r.event.clone();
    crate::judging::mark_and_lock(&r);
    crate::judging::review_and_decrypt(&r);
    let computed = srv.post(&format!("/api/v1/events/{event}/results"), &r.host.access, json!({}));
    assert_eq!(computed.status, 201, "{}", computed.text);
    srv.post(&format!("/api/v1/events/{event}/results/publish"), &r.host.access, json!({}));
    let sheet = srv.get(&format!("/api/v1/events/{event}/judging/sheet?section=0"), &r.judges[0].0.access);
    let mark = sheet.body["marks"][0].clone();
    let mark_id = mark["id"].as_str().unwrap().to_string();
    let station = mark["station_number"].as_i64().unwrap();
    let reopen = || {
        srv.post(
            &format!("/api/v1/marks/{mark_id}/reopen"),
            &r.chief.0.access,
            json!({ "new_value": mark["value"].as_f64().unwrap() + 5.0, "reason": "复查加分" }),
        )
    };
    // The chief judge and a supervisor cannot change a mark now that they know whose it is.
    reopen().problem(409, "names_known");
    // An upheld appeal for that station opens it…
    crate::judging::uphold_appeal_at(&r, computed.body["entries"].as_array().unwrap(), station);
    let asked = reopen();
    assert_eq!(asked.status, 201, "{}", asked.text);
    let approved = srv.post(
        &format!("/api/v1/reopen-requests/{}/approve", asked.body["id"].as_str().unwrap()),
        &r.supervisor.0.access,
        json!({}),
    );
    assert_eq!(approved.status, 200, "{}", approved.text);
    // …and the results published before the change are never made final.
    srv.post(&format!("/api/v1/events/{event}/results/finalise"), &r.host.access, json!({}))
        .problem(409, "marks_changed");
    let verified = srv.post(&format!("/api/v1/events/{event}/results/verify"), &r.host.access, json!({}));
    assert_eq!(verified.body["digest_matches"], false, "{}", verified.text);
    // Computed and published again, they are, once the appeal window has closed.
    assert_eq!(srv.post(&format!("/api/v1/events/{event}/results"), &r.host.access, json!({})).status, 201);
    srv.post(&format!("/api/v1/events/{event}/results/publish"), &r.host.access, json!({}));
    srv.clock.advance(chrono::Duration::minutes(121));
    let host = srv.login("org.kunming", "Staff-Pa55word-2026");
    let finalised = srv.post(&format!("/api/v1/events/{event}/results/finalise"), &host.access, json!({}));
    assert_eq!(finalised.body["status"], "final", "{}", finalised.text);
}

#[test]
fn an_organiser_cannot_turn_a_union_into_the_body_that_certifies_skill_levels() {
    let p = crate::province();
    let srv = &p.srv;
    let organiser = srv.staff(&p.admin.access, "org.kunming", "organiser", Some(&p.kunming));
    let kunming = srv.get(&format!("/api/v1/organisations/{}", p.kunming), &organiser.access);
    let patch = |body: serde_json::Value| {
        srv.request("PATCH", &format!("/api/v1/organisations/{}", p.kunming))
            .token(&organiser.access)
            .header("If-Match", kunming.etag.as_deref().unwrap())
            .json(body)
    };
    patch(json!({ "kind": "hrss" })).problem(403, "admins_only");
    patch(json!({ "region_code": "530300" })).problem(403, "admins_only");
    patch(json!({ "parent_id": p.qujing })).problem(403, "admins_only");
    // Nor can it found its own certifying body under itself.
    srv.post(
        "/api/v1/organisations",
        &organiser.access,
        json!({ "name": "五华区人社局", "kind": "hrss", "tier": "county", "parent_id": p.kunming, "region_code": "530102" }),
    )
    .problem(403, "admins_only");
    // Its name it may change; and an enterprise (with its own union) it may add.
    let renamed = patch(json!({ "short_name": "昆明总工会", "kind": "union" }));
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let factory = srv.post(
        "/api/v1/organisations",
        &organiser.access,
        json!({ "name": "昆明机床厂", "kind": "enterprise", "tier": "enterprise", "parent_id": p.wuhua, "region_code": "530102" }),
    );
    assert_eq!(factory.status, 201, "{}", factory.text);
    assert_eq!(srv.get(&format!("/api/v1/organisations/{}", p.kunming), &organiser.access).body["kind"], "union");
}

#[test]
fn an_organisation_named_like_a_formula_is_text_in_the_public_results_csv() {
    let r = crate::judging::running_final_with(0, 0, json!({ "appeal_window_minutes": 0 }));
    let srv = &r.srv;
    let admin = srv.admin();
    let formula = "=HYPERLINK(\"http://evil.example/\",\"查看成绩\")";
    let factories = srv.request("GET", "/api/v1/organisations?q=%E9%98%80%E9%97%A8").send();
    let valve = factories.body["items"][0].clone();
    let renamed = srv
        .request("PATCH", &format!("/api/v1/organisations/{}", valve["id"].as_str().unwrap()))
        .token(&admin.access)
        .header("If-Match", &format!("\"{}\"", valve["version"]))
        .json(json!({ "name": formula }));
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    crate::judging::mark_and_lock(&r);
    crate::judging::review_and_decrypt(&r);
    srv.post(&format!("/api/v1/events/{}/results", r.event), &r.host.access, json!({}));
    srv.post(&format!("/api/v1/events/{}/results/publish", r.event), &r.host.access, json!({}));
    let (status, csv) =
        srv.request("GET", &format!("/api/v1/events/{}/results/export?format=csv", r.event)).send_bytes();
    assert_eq!(status, 200);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
    assert!(!csv.lines().any(|line| line.split(',').any(|cell| cell.starts_with('='))), "{csv}");
}

#[test]
fn a_masked_id_number_never_comes_with_the_birth_date_that_would_undo_the_mask() {
    let p = crate::province();
    let srv = &p.srv;
    let wuhua = srv.staff(&p.admin.access, "org.wuhua", "organiser", Some(&p.wuhua));
    let official = srv.staff(&p.admin.access, "official.yn", "official", Some(&p.province));
    let number = skillcomp_tests::id_number("530102", "19920315", 124);
    let created = srv.post(
        "/api/v1/persons",
        &wuhua.access,
        json!({ "full_name": "李娜", "id_number": number, "employer_org_id": p.wuhua }),
    );
    let path = format!("/api/v1/persons/{}", created.body["id"].as_str().unwrap());
    let as_reviewer = srv.get(&path, &wuhua.access);
    assert_eq!(
        (as_reviewer.body["id_number_masked"].as_bool(), as_reviewer.body["birth_date"].as_str()),
        (Some(false), Some("1992-03-15"))
    );
    for seen in
        [srv.get(&path, &official.access).body, srv.get("/api/v1/persons", &official.access).body["items"][0].clone()]
    {
        assert_eq!(seen["id_number_masked"], true, "{seen}");
        assert!(seen["birth_date"].is_null(), "{seen}");
        assert!(!seen.to_string().contains("1992"), "{seen}");
    }
}

#[test]
fn wrong_passwords_from_elsewhere_cannot_lock_the_chief_judge_out() {
    use skillcomp::auth::rate_limit::Limit;
    let srv = skillcomp_tests::TestServer::start_configured(|s| {
        s.login_failures_per_account = Limit::new(3, 900);
        s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    });
    srv.contestant("chief.judge");
    let from = |client: &str, password: &str| {
        srv.request("POST", "/api/v1/auth/login")
            .header("X-Forwarded-For", &format!("{client}, 127.0.0.1"))
            .json(json!({ "username": "chief.judge", "password": password }))
    };
    for _ in 0..3 {
        from("198.51.100.66", "guess-guess-1").problem(401, "invalid_credentials");
    }
    // The guesser's address waits…
    from("198.51.100.66", "contestant-password-1").problem(429, "rate_limited");
    // …a guess from a new address is slowed down but answered…
    from("198.51.100.67", "guess-guess-1").problem(401, "invalid_credentials");
    // …and the owner, from their own address, gets in.
    let owner = from("203.0.113.5", "contestant-password-1");
    assert_eq!(owner.status, 200, "{}", owner.text);
}

/// Everything the server logs while the tests run (installed once, for the whole test binary).
fn server_log() -> std::sync::Arc<std::sync::Mutex<Vec<u8>>> {
    use std::sync::{Arc, Mutex, OnceLock};
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        struct Into(Arc<Mutex<Vec<u8>>>);
        impl Write for Into {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let sink = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || Into(sink.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
        log
    })
    .clone()
}

#[test]
fn failed_requests_are_logged_without_the_id_numbers_codes_and_names_they_carried() {
    let log = server_log();
    let p = crate::province();
    let srv = &p.srv;
    let stranger = srv.contestant("curious");
    let number = skillcomp_tests::id_number("530102", "19920315", 124);
    srv.get(&format!("/api/v1/persons?id_number={number}"), &stranger.access).problem(403, "forbidden");
    srv.request("GET", "/api/v1/certificates/verify?number=YN2026-SECRET-0042&code=Q7K3ZZ")
        .send()
        .problem(404, "certificate_not_found");
    // A refusal whose detail names the person.
    srv.post(
        "/api/v1/persons",
        &p.admin.access,
        json!({ "full_name": "阿苏·木呷", "id_number": number, "employer_org_id": p.wuhua }),
    );
    srv.post(
        "/api/v1/persons",
        &p.admin.access,
        json!({ "full_name": "阿苏·木呷", "id_number": number, "employer_org_id": p.wuhua }),
    );
    let text = String::from_utf8_lossy(&log.lock().unwrap()).to_string();
    assert!(text.contains("request refused") && text.contains("/api/v1/certificates/verify"), "{text}");
    assert!(text.contains("number=…&code=…"), "{text}");
    for secret in [number.as_str(), &number[6..14], "YN2026-SECRET", "Q7K3ZZ", "阿苏", "木呷"] {
        assert!(!text.contains(secret), "the log holds {secret}:\n{text}");
    }
}

// ---- 12: sessions and passwords ----

#[test]
fn an_access_token_stops_working_the_moment_its_session_is_logged_out() {
    let srv = skillcomp_tests::TestServer::start();
    let s = srv.contestant("logout.now");
    let other = srv.login("logout.now", "contestant-password-1");
    assert_eq!(srv.get("/api/v1/me", &s.access).status, 200);
    let out = srv.request("POST", "/api/v1/auth/logout").refresh_cookie(&s.refresh).send();
    assert_eq!(out.status, 204);
    assert!(out.header("set-cookie").is_some_and(|c| c.starts_with("skillcomp_refresh=;")), "the cookie is cleared");
    // The access token is minutes from expiry, yet refused now: its session ended.
    srv.get("/api/v1/me", &s.access).problem(401, "invalid_token");
    // Another session of the same account is its own.
    assert_eq!(srv.get("/api/v1/me", &other.access).status, 200);
}

#[test]
fn the_page_never_sees_the_refresh_token() {
    let srv = skillcomp_tests::TestServer::start();
    let signed_up = srv
        .request("POST", "/api/v1/auth/signup")
        .json(json!({ "username": "cookie.only", "password": "contestant-password-1" }));
    assert_eq!(signed_up.status, 201, "{}", signed_up.text);
    for answer in [
        &signed_up,
        &srv.request("POST", "/api/v1/auth/login")
            .json(json!({ "username": "cookie.only", "password": "contestant-password-1" })),
    ] {
        assert!(answer.body.get("refresh_token").is_none(), "no refresh token in the body: {}", answer.text);
        let cookie = answer.header("set-cookie").expect("a session cookie");
        for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth"] {
            assert!(cookie.contains(flag), "{flag} missing from {cookie}");
        }
        assert_eq!(answer.header("cache-control").as_deref(), Some("no-store"));
    }
    // A refresh in the body is not a refresh.
    srv.request("POST", "/api/v1/auth/refresh")
        .json(json!({ "refresh_token": signed_up.refresh_cookie().unwrap() }))
        .problem(401, "invalid_refresh_token");
}

#[test]
fn a_borrowed_access_token_cannot_change_the_password_without_the_old_one() {
    let srv = skillcomp_tests::TestServer::start_configured(|s| {
        s.login_failures_per_account = skillcomp::auth::rate_limit::Limit::new(3, 900);
    });
    let owner = srv.contestant("borrowed.token");
    let change = |current: &str| {
        srv.request("PUT", "/api/v1/me/password")
            .token(&owner.access)
            .json(json!({ "current_password": current, "new_password": "taken-over-password-9" }))
    };
    for _ in 0..3 {
        change("a-guess-at-it-1").invalid_field("current_password", "incorrect");
    }
    // Guessing the current password through this door is limited like guessing it at login.
    change("contestant-password-1").problem(429, "rate_limited");
    srv.login("borrowed.token", "contestant-password-1");
}

#[test]
fn an_organiser_cannot_take_over_an_admin_or_a_stranger_with_a_reset_link() {
    let srv = skillcomp_tests::TestServer::start();
    let admin = srv.admin();
    let province = srv.create_org(&admin.access, "云南省总工会", "union", "province", None, "530000");
    let kunming = srv.create_org(&admin.access, "昆明市总工会", "union", "prefecture", Some(&province), "530100");
    let dali = srv.create_org(&admin.access, "大理州总工会", "union", "prefecture", Some(&province), "532900");
    let organiser = srv.staff(&admin.access, "org.km", "organiser", Some(&kunming));
    let id_of =
        |s: &skillcomp_tests::Session| srv.get("/api/v1/me", &s.access).body["id"].as_str().unwrap().to_string();
    // A second admin who also judges in Kunming: in the organiser's subtree, but stronger.
    let deputy = srv.staff(&admin.access, "deputy.admin", "judge", Some(&kunming));
    let deputy_id = id_of(&deputy);
    let r = srv.post(&format!("/api/v1/users/{deputy_id}/grants"), &admin.access, json!({ "role": "admin" }));
    assert_eq!(r.status, 201, "{}", r.text);
    // A judge of Kunming who also officiates for the province.
    let wide = srv.staff(&admin.access, "wide.judge", "judge", Some(&kunming));
    let wide_id = id_of(&wide);
    let r = srv.post(
        &format!("/api/v1/users/{wide_id}/grants"),
        &admin.access,
        json!({ "role": "official", "organisation_id": province }),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let stranger = srv.staff(&admin.access, "judge.dali", "judge", Some(&dali));
    let admin_id = id_of(&admin);
    let reset = |token: &str, user: &str| srv.post(&format!("/api/v1/users/{user}/password-reset"), token, json!({}));
    reset(&organiser.access, &admin_id).problem(404, "not_found");
    reset(&organiser.access, &deputy_id).problem(403, "forbidden");
    reset(&organiser.access, &wide_id).problem(403, "forbidden");
    reset(&organiser.access, &id_of(&stranger)).problem(404, "not_found");
    reset(&organiser.access, &id_of(&organiser)).problem(403, "forbidden");
    let contestant = srv.contestant("nosy.contestant");
    reset(&contestant.access, &id_of(&stranger)).problem(403, "forbidden");
    // What the organiser may do: reset a judge of Kunming, and nothing it issued is in the trail.
    let judge = srv.staff(&admin.access, "judge.km", "judge", Some(&kunming));
    let link = reset(&organiser.access, &id_of(&judge));
    assert_eq!(link.status, 201, "{}", link.text);
    let token = link.body["token"].as_str().unwrap();
    assert_eq!(link.body["path"], format!("/reset-password#{token}"));
    let trail = srv.get("/api/v1/audit?action=user.password_reset_issued", &admin.access);
    assert_eq!(trail.body["items"].as_array().unwrap().len(), 1, "{}", trail.text);
    assert!(!trail.text.contains(token), "the token is not kept in the trail");
}

#[test]
fn a_reset_link_works_once_ends_every_session_and_dies_after_a_day() {
    let srv = skillcomp_tests::TestServer::start();
    let admin = srv.admin();
    let province = srv.create_org(&admin.access, "云南省总工会", "union", "province", None, "530000");
    let judge = srv.staff(&admin.access, "forgetful.judge", "judge", Some(&province));
    let judge_id = srv.get("/api/v1/me", &judge.access).body["id"].as_str().unwrap().to_string();
    let issue = || {
        let link = srv.post(&format!("/api/v1/users/{judge_id}/password-reset"), &admin.access, json!({}));
        assert_eq!(link.status, 201, "{}", link.text);
        link.body["token"].as_str().unwrap().to_string()
    };
    let use_link = |token: &str, password: &str| {
        srv.request("POST", "/api/v1/auth/password-reset").json(json!({ "token": token, "new_password": password }))
    };
    let first = issue();
    let second = issue();
    use_link(&first, "a-new-password-2026").problem(400, "invalid_reset_link");
    use_link(&second, "short").invalid_field("new_password", "password_too_short");
    assert_eq!(use_link(&second, "a-new-password-2026").status, 204);
    use_link(&second, "yet-another-password-1").problem(400, "invalid_reset_link");
    // The sessions from before the reset are over; the new password logs in.
    srv.get("/api/v1/me", &judge.access).problem(401, "invalid_token");
    srv.request("POST", "/api/v1/auth/refresh")
        .refresh_cookie(&judge.refresh)
        .send()
        .problem(401, "invalid_refresh_token");
    srv.login("forgetful.judge", "a-new-password-2026");
    // A link not used within its day is dead.
    let late = issue();
    srv.clock.advance(chrono::Duration::hours(25));
    use_link(&late, "too-late-password-1").problem(400, "invalid_reset_link");
    srv.login("forgetful.judge", "a-new-password-2026");
}

// ---- 5: who won stays who won ----

#[test]
fn an_entered_contestant_cannot_rewrite_who_they_are_and_the_award_keeps_who_won() {
    use crate::awards::{final_results, rules_without_publicity};
    let (r, _competition, results) = final_results(rules_without_publicity());
    let srv = &r.srv;
    let winner = &results["entries"][0];
    let winner_name = winner["full_name"].as_str().unwrap().to_string();
    let username = ["13800001000", "13800001001", "13800001002"]
        [["李娜", "阿苏·木呷", "岩温香"].iter().position(|n| *n == winner_name).expect("a contestant")];
    let contestant = srv.login(username, "contestant-password-1");
    let me = srv.get("/api/v1/me", &contestant.access).body["person"].clone();
    let person = me["id"].as_str().unwrap().to_string();
    assert_eq!(me["identity_locked"], true, "{me}");
    let impostor_number = skillcomp_tests::id_number("530102", "20010101", 77);
    // The contestant rewrites themselves: refused, naming what is locked.
    let put = |body: serde_json::Value| {
        srv.request("PUT", "/api/v1/me/person")
            .token(&contestant.access)
            .header("If-Match", &format!("\"{}\"", me["version"]))
            .json(body)
    };
    let rewrite =
        put(json!({ "full_name": "张冒名", "id_number": impostor_number, "employer_org_id": me["employer_org_id"] }));
    rewrite.problem(409, "identity_locked");
    let fields: Vec<&str> =
        rewrite.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["full_name", "id_number"], "{}", rewrite.text);
    // The organiser over them cannot either; what is not identity still changes.
    srv.request("PATCH", &format!("/api/v1/persons/{person}"))
        .token(&r.host.access)
        .header("If-Match", &format!("\"{}\"", me["version"]))
        .json(json!({ "full_name": "张冒名" }))
        .problem(409, "identity_locked");
    let phone = put(
        json!({ "full_name": me["full_name"], "id_number": me["id_number"], "employer_org_id": me["employer_org_id"], "phone": "13912345678" }),
    );
    assert_eq!(phone.status, 200, "{}", phone.text);

    // The award is proposed; then a correction is asked and approved — by someone else.
    let proposed = srv.post(&format!("/api/v1/events/{}/awards/proposals", r.event), &r.host.access, json!({}));
    assert_eq!(proposed.status, 201, "{}", proposed.text);
    let award = proposed.body["awards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["person_id"] == person.as_str())
        .expect("the winner's award")
        .clone();
    let asked = srv.post(
        &format!("/api/v1/persons/{person}/identity-corrections"),
        &contestant.access,
        json!({ "full_name": "张冒名", "id_number": impostor_number, "reason": "改名" }),
    );
    assert_eq!(asked.status, 201, "{}", asked.text);
    let correction = asked.body["id"].as_str().unwrap().to_string();
    let decide = |s: &skillcomp_tests::Session, body: serde_json::Value| {
        srv.post(&format!("/api/v1/identity-corrections/{correction}/decision"), &s.access, body)
    };
    decide(&contestant, json!({ "approve": true })).problem(403, "forbidden");
    let approved = decide(&r.host, json!({ "approve": true }));
    assert_eq!(approved.status, 200, "{}", approved.text);
    assert_eq!(approved.body["status"], "approved");
    assert_eq!(srv.get("/api/v1/me", &contestant.access).body["person"]["full_name"], "张冒名");
    decide(&r.host, json!({ "approve": false, "note": "x" })).problem(409, "correction_decided");

    // What was decided keeps who it was decided for.
    let award_now = srv.get(&format!("/api/v1/awards/{}", award["id"].as_str().unwrap()), &r.host.access);
    assert_eq!(award_now.body["full_name"], winner_name.as_str(), "{}", award_now.text);
    let page = srv.request("GET", &format!("/api/v1/events/{}/results", r.event)).send();
    assert!(page.text.contains(&winner_name) && !page.text.contains("张冒名"), "{}", page.text);
    let registration =
        srv.get(&format!("/api/v1/registrations/{}", winner["registration_id"].as_str().unwrap()), &r.host.access);
    assert_eq!(registration.body["person"]["full_name"], winner_name.as_str(), "{}", registration.text);
    // And the trail says who asked and who approved.
    let admin = srv.admin();
    let trail = srv.get("/api/v1/audit?action=person.identity_correct", &admin.access);
    assert_eq!(trail.body["items"].as_array().unwrap().len(), 1, "{}", trail.text);
}

#[test]
fn a_correction_needs_a_lock_a_reason_another_decider_and_a_note_to_decline() {
    let f = open_final(Options::default());
    let srv = &f.p.srv;
    let (me, person) = crate::registration::worker(
        srv,
        "13900000555",
        "李娜",
        &skillcomp_tests::id_number("530102", "19920315", 555),
        &f.factory,
    );
    let ask = |s: &skillcomp_tests::Session, body: serde_json::Value| {
        srv.post(&format!("/api/v1/persons/{person}/identity-corrections"), &s.access, body)
    };
    // Not entered anywhere: the profile is simply edited.
    ask(&me, json!({ "full_name": "李 娜", "reason": "录入错误" })).problem(409, "identity_not_locked");
    let entered = crate::registration::sign_up(srv, &me.access, &f.event, json!({}));
    assert_eq!(entered.status, 201, "{}", entered.text);
    ask(&me, json!({ "reason": "没有改动" })).invalid_field("full_name", "nothing_to_correct");
    ask(&me, json!({ "full_name": "李娜", "reason": "同名" })).invalid_field("full_name", "nothing_to_correct");
    ask(&me, json!({ "id_number": "53010219920315123", "reason": "错号" }))
        .invalid_field("id_number", "id_number_length");
    ask(&me, json!({ "full_name": "李丽娜", "reason": "" })).invalid_field("reason", "required");
    // The unit's organiser asks on the person's behalf; then may not decide it themselves.
    let asked = ask(&f.unit, json!({ "full_name": "李丽娜", "reason": "户口本更名" }));
    assert_eq!(asked.status, 201, "{}", asked.text);
    ask(&me, json!({ "full_name": "李莉娜", "reason": "又改" })).problem(409, "correction_pending");
    let id = asked.body["id"].as_str().unwrap();
    let decide = |s: &skillcomp_tests::Session, body: serde_json::Value| {
        srv.post(&format!("/api/v1/identity-corrections/{id}/decision"), &s.access, body)
    };
    decide(&f.unit, json!({ "approve": true })).problem(403, "forbidden");
    let stranger = srv.contestant("13900000556");
    decide(&stranger, json!({ "approve": true })).problem(404, "not_found");
    decide(&f.host, json!({ "approve": false })).invalid_field("note", "required");
    let queue = srv.get("/api/v1/identity-corrections", &f.host.access);
    assert_eq!(queue.body.as_array().map(|a| a.len()), Some(1), "{}", queue.text);
    let declined = decide(&f.host, json!({ "approve": false, "note": "请提供户口本" }));
    assert_eq!(declined.body["status"], "declined", "{}", declined.text);
    assert_eq!(srv.get("/api/v1/me", &me.access).body["person"]["full_name"], "李娜");
    let mine = srv.get(&format!("/api/v1/persons/{person}/identity-corrections"), &me.access);
    assert_eq!(mine.body[0]["decision_note"], "请提供户口本", "{}", mine.text);
}

// ---- 7: team-mates and strangers ----

fn team_final() -> crate::registration::Final {
    open_final(Options {
        extra: json!({ "name": "车工（团体）", "mode": "team", "team_size": 2 }),
        ..Options::default()
    })
}

#[test]
fn a_team_mate_sees_the_others_id_numbers_masked() {
    let f = team_final();
    let srv = &f.p.srv;
    let captain_number = skillcomp_tests::id_number("530102", "19900101", 811);
    let member_number = skillcomp_tests::id_number("530102", "19910101", 813);
    let (captain, _) = crate::registration::worker(srv, "13900000811", "队长", &captain_number, &f.factory);
    let (member, _) = crate::registration::worker(srv, "13900000813", "队员", &member_number, &f.factory);
    let team = crate::registration::sign_up(
        srv,
        &captain.access,
        &f.event,
        json!({ "team_name": "一队", "members": [{ "id_number": member_number, "full_name": "队员" }] }),
    );
    assert_eq!(team.status, 201, "{}", team.text);
    let id = team.body["id"].as_str().unwrap();
    for (who, own, other) in [(&captain, &captain_number, &member_number), (&member, &member_number, &captain_number)] {
        let seen = srv.get(&format!("/api/v1/registrations/{id}"), &who.access);
        assert_eq!(seen.status, 200, "{}", seen.text);
        assert!(seen.text.contains(own.as_str()), "their own number is whole: {}", seen.text);
        assert!(!seen.text.contains(other.as_str()), "a team-mate's number is masked: {}", seen.text);
        let mine = srv.get("/api/v1/me/registrations", &who.access);
        assert!(!mine.text.contains(other.as_str()), "{}", mine.text);
    }
    // The reviewers see every number whole.
    let reviewed = srv.get(&format!("/api/v1/registrations/{id}"), &f.unit.access);
    assert!(reviewed.text.contains(&captain_number) && reviewed.text.contains(&member_number));
}

#[test]
fn a_unit_organiser_cannot_enter_a_stranger_by_id_and_read_their_number() {
    let f = team_final();
    let srv = &f.p.srv;
    let admin = &f.p.admin.access;
    let elsewhere = srv.create_org(admin, "麒麟示范厂", "enterprise", "enterprise", Some(&f.p.qilin), "530302");
    let stranger_number = skillcomp_tests::id_number("530302", "19900505", 821);
    let (_, stranger) = crate::registration::worker(srv, "13900000821", "外人", &stranger_number, &elsewhere);
    let local_number = skillcomp_tests::id_number("530102", "19900606", 823);
    let (_, local) = crate::registration::worker(srv, "13900000823", "本地", &local_number, &f.factory);
    // As the team's lead, by person id: answered like an id that does not exist.
    let by_id = crate::registration::sign_up(
        srv,
        &f.unit.access,
        &f.event,
        json!({ "person_id": stranger, "nominating_org_id": f.factory, "team_name": "x", "members": [{ "id_number": local_number, "full_name": "本地" }] }),
    );
    by_id.invalid_field("person_id", "unknown_person");
    assert!(!by_id.text.contains(&stranger_number));
    // As a member, by number and name: the same.
    let as_member = crate::registration::sign_up(
        srv,
        &f.unit.access,
        &f.event,
        json!({ "person_id": local, "nominating_org_id": f.factory, "team_name": "x", "members": [{ "id_number": stranger_number, "full_name": "外人" }] }),
    );
    as_member.invalid_field("members[0].id_number", "unknown_member");
    assert!(!as_member.text.contains(&stranger_number));
    // Within the subtree it works, and the member the unit enters is on the team at once.
    let (_, _) = crate::registration::worker(
        srv,
        "13900000825",
        "同厂",
        &skillcomp_tests::id_number("530102", "19900707", 825),
        &f.factory,
    );
    let entered = crate::registration::sign_up(
        srv,
        &f.unit.access,
        &f.event,
        json!({ "person_id": local, "nominating_org_id": f.factory, "team_name": "五华队", "members": [{ "id_number": skillcomp_tests::id_number("530102", "19900707", 825), "full_name": "同厂" }] }),
    );
    assert_eq!(entered.status, 201, "{}", entered.text);
    assert_eq!(entered.body["members"][0]["accepted"], true);
}

#[test]
fn editing_a_returned_registration_runs_every_sign_up_check() {
    let f = team_final();
    let srv = &f.p.srv;
    let n = |seq: u32| skillcomp_tests::id_number("530102", "19900101", seq);
    let (a, _) = crate::registration::worker(srv, "13900000831", "甲", &n(831), &f.factory);
    let (b, _) = crate::registration::worker(srv, "13900000833", "乙", &n(833), &f.factory);
    crate::registration::worker(srv, "13900000835", "丙", &n(835), &f.factory);
    let first = crate::registration::sign_up(
        srv,
        &a.access,
        &f.event,
        json!({ "team_name": "一队", "members": [{ "id_number": n(835), "full_name": "丙" }] }),
    );
    assert_eq!(first.status, 201, "{}", first.text);
    let second = crate::registration::sign_up(
        srv,
        &b.access,
        &f.event,
        json!({ "team_name": "二队", "members": [{ "id_number": n(831), "full_name": "甲" }] }),
    );
    // 甲 leads team one: not a member of team two.
    assert!(second.text.contains("already_registered"), "{}", second.text);
    let fourteen = format!("{}0101", skillcomp_tests::year_in(0) - 14);
    let young = skillcomp_tests::id_number("530102", &fourteen, 837);
    crate::registration::worker(srv, "13900000837", "少年", &young, &f.factory);
    let id = first.body["id"].as_str().unwrap();
    let returned = crate::registration::review(srv, &f.unit.access, id, "return", Some("换人"));
    assert_eq!(returned.status, 200, "{}", returned.text);
    let edit = |members: serde_json::Value| {
        srv.request("PATCH", &format!("/api/v1/registrations/{id}"))
            .token(&a.access)
            .header("If-Match", returned.etag.as_deref().unwrap())
            .json(json!({ "members": members }))
    };
    let too_young = edit(json!([{ "id_number": young, "full_name": "少年" }]));
    too_young.problem(422, "not_eligible");
    assert_eq!(too_young.body["errors"][0]["code"], "too_young", "{}", too_young.text);
    edit(json!([{ "id_number": n(833), "full_name": "错名" }])).invalid_field("members[0].id_number", "unknown_member");
    edit(json!([])).invalid_field("members", "team_size_mismatch");
}

// ---- 13: a trail that cannot be rewritten consistently ----

/// What the owner of the database does to rewrite history: drop the append-only triggers, change
/// record 3, and recompute every seal from there on (with `key` — none, a guess, or the real one)
/// and the chain's head, so the chain looks whole.
fn rewrite_record_3_and_reseal(
    conn: &mut skillcomp::db::DbConnection,
    postgres: bool,
    key: Option<&skillcomp::domain::audit_chain::ChainKey>,
    claim_all_predates_keying: bool,
) {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use skillcomp::db::schema::{audit_head, audit_records};
    use skillcomp::domain::audit_chain::record_hash;
    use skillcomp::store::audit::AuditRow;
    let drop = if postgres {
        "DROP TRIGGER audit_records_no_change ON audit_records"
    } else {
        "DROP TRIGGER audit_records_no_update; DROP TRIGGER audit_records_no_delete;"
    };
    conn.batch_execute(drop).unwrap();
    conn.batch_execute(r#"UPDATE audit_records SET after_json = '{"name":"伪造"}' WHERE seq = 3"#).unwrap();
    if claim_all_predates_keying {
        conn.batch_execute("UPDATE audit_head SET keyed_from = 1000000").unwrap();
    }
    let rows: Vec<AuditRow> =
        audit_records::table.order(audit_records::seq.asc()).select(AuditRow::as_select()).load(conn).unwrap();
    let mut prev = rows[1].hash.clone();
    for row in rows.iter().skip(2) {
        let at = row.at_text();
        let fields = row.chained(&at);
        let hash = record_hash(key, &prev, &fields);
        diesel::update(audit_records::table.filter(audit_records::seq.eq(row.seq)))
            .set((audit_records::prev_hash.eq(&prev), audit_records::hash.eq(&hash)))
            .execute(conn)
            .unwrap();
        prev = hash;
    }
    diesel::update(audit_head::table.find(1)).set(audit_head::hash.eq(&prev)).execute(conn).unwrap();
}

fn chain_verdict(p: &crate::Province) -> serde_json::Value {
    let r = p.srv.get("/api/v1/audit/verify", &p.admin.access);
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

#[test]
fn a_database_owner_who_rewrites_the_trail_and_reseals_it_without_the_key_is_caught() {
    use skillcomp::domain::audit_chain::ChainKey;
    for key in [None, Some(ChainKey::new(b"a guess at the installation's key"))] {
        let p = crate::province();
        let mut conn = p.srv.db.connect();
        rewrite_record_3_and_reseal(&mut conn, p.srv.db.is_postgres(), key.as_ref(), true);
        let v = chain_verdict(&p);
        assert_eq!(v["intact"], false, "{v}");
        assert_eq!(v["records_verified"], 2, "{v}");
    }
}

#[test]
fn an_anchor_kept_outside_catches_a_rewrite_even_by_someone_who_has_the_key() {
    let p = crate::province();
    let mut conn = p.srv.db.connect();
    let anchor = skillcomp::store::audit::anchor(&mut conn).unwrap();
    assert!(anchor.starts_with("skillcomp-audit-anchor v1 seq="), "{anchor}");
    assert_eq!(skillcomp::store::audit::matches_anchor(&mut conn, &anchor).unwrap(), Ok(true));
    // A forged anchor is refused for what it is.
    let forged = anchor.replacen("seq=", "seq=1", 1);
    assert!(skillcomp::store::audit::matches_anchor(&mut conn, &forged).unwrap().is_err());
    // An insider with the key reseals the rewritten trail: the chain walks clean...
    let key = skillcomp::domain::audit_chain::ChainKey::new(&skillcomp::config::derived_audit_key(
        skillcomp_tests::JWT_SECRET,
    ));
    rewrite_record_3_and_reseal(&mut conn, p.srv.db.is_postgres(), Some(&key), false);
    assert_eq!(chain_verdict(&p)["intact"], true);
    // ...but the record the anchor vouches for no longer carries the anchored hash.
    assert_eq!(skillcomp::store::audit::matches_anchor(&mut conn, &anchor).unwrap(), Ok(false));
    // The command says so too, and exits 1.
    let bin = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/debug/skillcomp");
    let run = |args: &[&str]| {
        std::process::Command::new(&bin)
            .args(args)
            .env("DATABASE_URL", p.srv.db.url())
            .env("SKILLCOMP_JWT_SECRET", std::str::from_utf8(skillcomp_tests::JWT_SECRET).unwrap())
            .env("RUST_LOG", "error")
            .output()
            .expect("run skillcomp")
    };
    let verified = run(&["audit-verify", "--anchor", &anchor]);
    assert!(!verified.status.success());
    assert!(String::from_utf8_lossy(&verified.stderr).contains("rewritten after the anchor"), "{verified:?}");
    let fresh = String::from_utf8(run(&["audit-anchor"]).stdout).unwrap();
    let ok = run(&["audit-verify", "--anchor", fresh.trim()]);
    assert!(ok.status.success(), "{ok:?}");
}

/// On PostgreSQL set up as `deploy/postgres-roles.sql` says, the API's role can append to the
/// trail but cannot change a record, drop or disable the triggers, or alter the table — and the
/// API runs under it. (SQLite has no roles: the file's owner is the database's owner.)
#[test]
fn the_api_role_on_postgresql_cannot_alter_drop_or_rewrite_the_audit_trail() {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let db = skillcomp_tests::TestDb::create();
    if !db.is_postgres() {
        return;
    }
    // The owner migrates and applies the roles.
    skillcomp::db::Db::open(&db.url(), 1).expect("migrate as the owner");
    let mut owner = db.connect();
    owner.batch_execute(include_str!("../../../deploy/postgres-roles.sql")).expect("roles script");
    let api_url = db.url().replacen("postgres://postgres@", "postgres://skillcomp_api@", 1);
    assert_ne!(api_url, db.url(), "the test server URL names the postgres user");
    let mut api = diesel::PgConnection::establish(&api_url).expect("connect as the API role");
    for attack in [
        "UPDATE audit_records SET action = 'forged'",
        "DELETE FROM audit_records",
        "TRUNCATE audit_records",
        "DROP TRIGGER audit_records_no_change ON audit_records",
        "ALTER TABLE audit_records DISABLE TRIGGER ALL",
        "ALTER TABLE audit_records ADD COLUMN note TEXT",
        "DROP TABLE audit_records",
        "DROP FUNCTION audit_records_append_only() CASCADE",
        "CREATE TABLE audit_records_copy (seq BIGINT)",
        "DELETE FROM __diesel_schema_migrations",
    ] {
        assert!(api.batch_execute(attack).is_err(), "the API role could: {attack}");
    }
    // The API serves under that role, writing the trail as it goes.
    let node = ServerProcess::spawn(&api_url, &[("SKILLCOMP_MIGRATIONS", "skip")]);
    let signed_up = node
        .request("POST", "/api/v1/auth/signup")
        .json(json!({ "username": "13900007777", "password": "contestant-password-1" }));
    assert_eq!(signed_up.status, 201, "{}", signed_up.text);
    let verdict = skillcomp::store::audit::verify_chain(&mut owner).unwrap();
    assert!(verdict.is_ok_and(|n| n >= 1), "the trail the API wrote verifies");
}

// ---- 14: deployment ----

#[test]
fn a_draft_competition_is_never_named_on_a_public_page() {
    let p = crate::province();
    let srv = &p.srv;
    let host = srv.staff(&p.admin.access, "org.km.draft", "organiser", Some(&p.kunming));
    let year = skillcomp_tests::year_in(30);
    let draft = srv.post("/api/v1/competitions", &host.access, json!({
        "name": "未公布的秘密赛事", "year": year, "category": "workers_skills", "tier": "prefecture", "class": "district",
        "host_org_id": p.kunming, "starts_on": skillcomp_tests::day(30), "ends_on": skillcomp_tests::day(31),
        "registration_opens_at": skillcomp_tests::beijing(1, "00:00"), "registration_closes_at": skillcomp_tests::beijing(20, "12:00"),
    }));
    assert_eq!(draft.status, 201, "{}", draft.text);
    let competition = draft.body["id"].as_str().unwrap().to_string();
    let trade = crate::registration::trade_id(srv, "车工");
    let event = srv.post(
        &format!("/api/v1/competitions/{competition}/events"),
        &host.access,
        json!({ "trade_id": trade, "name": "秘密车工" }),
    );
    assert_eq!(event.status, 201, "{}", event.text);
    let event = event.body["id"].as_str().unwrap().to_string();
    let stranger = srv.contestant("13900000909");
    let pages = [
        "/api/v1/competitions".to_string(),
        format!("/api/v1/competitions?year={year}"),
        "/api/v1/competitions?status=draft".to_string(),
        format!("/api/v1/competitions?q=%E7%A7%98%E5%AF%86&trade_id={trade}"),
        "/api/v1/upgrade-applications".to_string(),
        "/api/v1/plan-targets".to_string(),
        format!("/api/v1/events/{event}/marking-scheme"),
        format!("/api/v1/events/{event}/draw"),
        format!("/api/v1/competitions/{competition}"),
        format!("/api/v1/competitions/{competition}/award-rules"),
        format!("/api/v1/competitions/{competition}/roster"),
        format!("/api/v1/competitions/{competition}/results/export"),
        format!("/api/v1/events/{event}"),
        format!("/api/v1/events/{event}/documents"),
        format!("/api/v1/events/{event}/results"),
        format!("/api/v1/events/{event}/eligibility"),
        "/api/v1/calendar".to_string(),
        "/api/v1/statistics/dashboard".to_string(),
    ];
    for page in &pages {
        for token in [None, Some(stranger.access.as_str())] {
            let mut request = srv.request("GET", page);
            if let Some(t) = token {
                request = request.token(t);
            }
            let answer = request.send();
            assert!(!answer.text.contains("秘密"), "{page} ({}) names the draft: {}", answer.status, answer.text);
        }
    }
    // Its organisers see it, of course.
    assert!(srv.get(&format!("/api/v1/competitions/{competition}"), &host.access).text.contains("未公布的秘密赛事"));
}

#[test]
fn the_demo_accounts_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    skillcomp::config::Settings::for_database("", skillcomp_tests::JWT_SECRET).install_audit_key();
    let test_db = skillcomp_tests::TestDb::create();
    let now = skillcomp_tests::test_clock().now();
    let dir = std::env::temp_dir().join("skillcomp-tests").join(uuid::Uuid::new_v4().simple().to_string());
    std::fs::create_dir_all(&dir).unwrap();
    // Left world-readable by an earlier run: tightened, not kept.
    std::fs::write(dir.join("demo-accounts.txt"), "old").unwrap();
    std::fs::set_permissions(dir.join("demo-accounts.txt"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let db = skillcomp::db::Db::open(&test_db.url(), 2).unwrap();
    skillcomp::seed::ensure_reference_data(&db, now).unwrap();
    skillcomp::seed::seed_demo(&db, &dir, now, skillcomp::domain::time::Zone::BEIJING).expect("seed-demo");
    let mode = std::fs::metadata(dir.join("demo-accounts.txt")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_events_award_rules_are_checked_like_the_competitions() {
    let p = crate::province();
    let srv = &p.srv;
    let host = srv.staff(&p.admin.access, "org.km.rules", "organiser", Some(&p.kunming));
    let competition = srv.post("/api/v1/competitions", &host.access, json!({
        "name": "昆明市技能大赛", "year": skillcomp_tests::year_in(30), "category": "workers_skills", "tier": "prefecture", "class": "district",
        "host_org_id": p.kunming, "starts_on": skillcomp_tests::day(30), "ends_on": skillcomp_tests::day(31),
        "registration_opens_at": skillcomp_tests::beijing(1, "00:00"), "registration_closes_at": skillcomp_tests::beijing(20, "12:00"),
    }));
    let competition = competition.body["id"].as_str().unwrap().to_string();
    let trade = crate::registration::trade_id(srv, "车工");
    let event =
        srv.post(&format!("/api/v1/competitions/{competition}/events"), &host.access, json!({ "trade_id": trade }));
    let event = event.body["id"].as_str().unwrap().to_string();
    let patch = |rules: serde_json::Value| {
        let current = srv.get(&format!("/api/v1/events/{event}"), &host.access);
        srv.request("PATCH", &format!("/api/v1/events/{event}"))
            .token(&host.access)
            .header("If-Match", current.etag.as_deref().unwrap())
            .json(json!({ "award_rules": rules }))
    };
    // Not free-form JSON any more.
    patch(json!({ "anything": "<script>" })).problem(422, "validation_failed");
    let mut rules = crate::awards::rules_without_publicity();
    rules["titles"][0]["to_rank"] = json!(0);
    patch(rules.clone()).invalid_field("award_rules.titles[0].to_rank", "ranks_out_of_order");
    rules["titles"][0]["to_rank"] = json!(1);
    let saved = patch(rules);
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(saved.body["award_rules"]["titles"][0]["kind"], "title_champion");
    let cleared = patch(serde_json::Value::Null);
    assert!(cleared.body["award_rules"].is_null(), "{}", cleared.text);
}

/// The docker-compose deployment as shipped: only nginx is published; nginx is the API's one
/// trusted proxy and overwrites X-Forwarded-For; `/metrics` needs its token; the audit key is set
/// apart; and nginx sends exactly the security headers the API sends, in every block.
#[test]
fn the_shipped_deployment_publishes_only_nginx_with_the_apis_security_headers() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let compose = std::fs::read_to_string(root.join("docker-compose.yml")).unwrap();
    // A service's lines: from `  name:` to the next line indented less than four spaces.
    let block = |name: &str| -> String {
        let mut lines = compose.lines().skip_while(|l| *l != format!("  {name}:")).skip(1);
        let mut out = Vec::new();
        for line in lines.by_ref() {
            if !line.is_empty() && !line.starts_with("    ") {
                break;
            }
            out.push(line);
        }
        assert!(!out.is_empty(), "service {name}");
        out.join("\n")
    };
    let api = block("api");
    assert!(!api.contains("ports:"), "the API publishes no port:\n{api}");
    assert!(api.contains("SKILLCOMP_METRICS_TOKEN: ${SKILLCOMP_METRICS_TOKEN:?"), "{api}");
    assert!(api.contains("SKILLCOMP_AUDIT_KEY: ${SKILLCOMP_AUDIT_KEY:?"), "{api}");
    let spa = block("spa");
    let proxy =
        spa.split("ipv4_address:").nth(1).expect("nginx has a fixed address").trim().lines().next().unwrap().trim();
    assert!(
        api.contains(&format!("SKILLCOMP_TRUSTED_PROXIES: {proxy}")),
        "nginx ({proxy}) is the trusted proxy:\n{api}"
    );
    let nginx = std::fs::read_to_string(root.join("deploy/nginx.conf")).unwrap();
    assert!(nginx.contains("proxy_set_header X-Forwarded-For $remote_addr;"), "{nginx}");
    assert!(!nginx.contains("$proxy_add_x_forwarded_for"), "a client must not add to the chain");
    // Every block that adds a header of its own includes the security headers again.
    for location in nginx.split("location ").skip(1) {
        let body = location.split('}').next().unwrap();
        if body.contains("add_header") {
            assert!(body.contains("include /etc/nginx/snippets/security-headers.conf;"), "{body}");
        }
    }
    let snippet = std::fs::read_to_string(root.join("deploy/security-headers.conf")).unwrap();
    let srv = skillcomp_tests::TestServer::start();
    let answer = srv.request("GET", "/healthz").send();
    for name in [
        "x-content-type-options",
        "x-frame-options",
        "referrer-policy",
        "content-security-policy",
        "cross-origin-opener-policy",
        "permissions-policy",
    ] {
        let value = answer.header(name).unwrap_or_else(|| panic!("the API sends {name}"));
        let line = snippet
            .lines()
            .find(|l| l.to_lowercase().starts_with(&format!("add_header {name} ")))
            .unwrap_or_else(|| panic!("nginx sends {name}"));
        assert!(line.contains(&format!("\"{value}\" always;")), "{name}: the API sends {value:?}, nginx {line}");
    }
}
