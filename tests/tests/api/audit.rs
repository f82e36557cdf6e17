use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::province;

fn verify(p: &crate::Province) -> serde_json::Value {
    let r = p.srv.get("/api/v1/audit/verify", &p.admin.access);
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

/// What an attacker with database access would do first: remove the append-only triggers.
fn drop_append_only_triggers(conn: &mut skillcomp::db::DbConnection, postgres: bool) {
    let sql = if postgres {
        "DROP TRIGGER audit_records_no_change ON audit_records"
    } else {
        "DROP TRIGGER audit_records_no_update; DROP TRIGGER audit_records_no_delete;"
    };
    conn.batch_execute(sql).expect("drop triggers");
}

#[test]
fn every_mutation_is_on_the_trail_and_the_chain_verifies() {
    let p = province();
    let trail = p.srv.get(&format!("/api/v1/audit?entity_type=organisation&entity_id={}", p.kunming), &p.admin.access);
    let items = trail.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", trail.text);
    assert_eq!(items[0]["action"], "organisation.create");
    assert_eq!(items[0]["after"]["name"], "昆明市总工会");
    // The trail names who acted, not only their id.
    let admin_name = p.srv.get("/api/v1/me", &p.admin.access).body["username"].clone();
    assert_eq!(items[0]["actor_username"], admin_name, "{}", trail.text);
    assert!(items[0]["request_id"].as_str().is_some_and(|r| !r.is_empty()));
    let v = verify(&p);
    assert_eq!(v["intact"], true);
    // First admin (user + grant) and five organisations, at the least.
    assert!(v["records_verified"].as_i64().unwrap() >= 7, "{v}");
    // Not for everyone's eyes.
    let organiser = p.srv.staff(&p.admin.access, "org.km", "organiser", Some(&p.kunming));
    p.srv.get("/api/v1/audit", &organiser.access).problem(403, "forbidden");
}

#[test]
fn the_database_refuses_to_change_audit_records() {
    let p = province();
    let mut conn = p.srv.db.connect();
    assert!(conn.batch_execute("UPDATE audit_records SET action = 'forged' WHERE seq = 1").is_err());
    assert!(conn.batch_execute("DELETE FROM audit_records WHERE seq = 1").is_err());
}

#[test]
fn a_hand_edited_audit_row_is_detected() {
    let p = province();
    let mut conn = p.srv.db.connect();
    drop_append_only_triggers(&mut conn, p.srv.db.is_postgres());
    conn.batch_execute(r#"UPDATE audit_records SET after_json = '{"name":"伪造"}' WHERE seq = 3"#).unwrap();
    let v = verify(&p);
    assert_eq!(v["intact"], false);
    assert_eq!(v["records_verified"], 2);
    assert!(v["first_break"].as_str().unwrap().contains("record 3 was altered"), "{v}");
    // The command-line check (`skillcomp audit-verify`) reports the same.
    let direct = skillcomp::store::audit::verify_chain(&mut conn).unwrap();
    assert_eq!(direct, Err(skillcomp::domain::audit_chain::ChainBreak::HashMismatch { seq: 3 }));
}

#[test]
fn a_deleted_audit_row_is_detected_in_the_middle_and_at_the_end() {
    let p = province();
    let mut conn = p.srv.db.connect();
    drop_append_only_triggers(&mut conn, p.srv.db.is_postgres());
    conn.batch_execute("DELETE FROM audit_records WHERE seq = 4").unwrap();
    let v = verify(&p);
    assert_eq!(v["intact"], false);
    assert!(v["first_break"].as_str().unwrap().contains("records 4 to 4 are missing"), "{v}");

    let q = province();
    let mut conn = q.srv.db.connect();
    drop_append_only_triggers(&mut conn, q.srv.db.is_postgres());
    conn.batch_execute("DELETE FROM audit_records WHERE seq = (SELECT MAX(seq) FROM audit_records)").unwrap();
    let v = verify(&q);
    assert_eq!(v["intact"], false);
    assert!(v["first_break"].as_str().unwrap().contains("chain head"), "{v}");
}

#[test]
fn the_trail_filters_by_time_and_pages_newest_first() {
    let p = province();
    let page = p.srv.get("/api/v1/audit?limit=3", &p.admin.access);
    let items = page.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert!(items[0]["seq"].as_i64() > items[1]["seq"].as_i64());
    let cursor = page.body["next_cursor"].as_str().unwrap();
    let next = p.srv.get(&format!("/api/v1/audit?limit=3&cursor={cursor}"), &p.admin.access);
    assert!(next.body["items"][0]["seq"].as_i64() < items[2]["seq"].as_i64());
    p.srv
        .get(
            &format!(
                "/api/v1/audit?from={}T00:00:00Z&to={}T00:00:00Z",
                skillcomp_tests::day(1),
                skillcomp_tests::day(0)
            ),
            &p.admin.access,
        )
        .invalid_field("to", "before_from");
    let future = p.srv.get("/api/v1/audit?from=2999-01-01T00:00:00Z", &p.admin.access);
    assert_eq!(future.body["items"].as_array().unwrap().len(), 0);
    let _ = json!({});
}
