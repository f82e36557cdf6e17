//! `seed-demo` builds a province that obeys the same rules as the API.

use serde_json::Value;
use skillcomp_tests::TestServer;

fn competitions(srv: &TestServer, query: &str) -> Vec<Value> {
    let r = srv.request("GET", &format!("/api/v1/competitions?limit=200{query}")).send();
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"].as_array().unwrap().clone()
}

#[test]
fn the_demo_province_has_a_full_chain_a_season_a_labour_and_a_college_contest() {
    let srv = TestServer::start_seeded();
    let provinces = srv.request("GET", "/api/v1/organisations?tier=prefecture&limit=50").send();
    let prefecture_bodies = provinces.body["items"].as_array().unwrap();
    let unions = prefecture_bodies.iter().filter(|o| o["kind"] == "union").count();
    assert_eq!(unions, 16, "Yunnan's 16 prefecture-level divisions");
    // …and the HRSS bureau that approves Kunming's promotions.
    assert!(prefecture_bodies.iter().any(|o| o["kind"] == "hrss" && o["name"] == "昆明市人力资源和社会保障局"));

    let all = competitions(&srv, "");
    assert_eq!(all.len(), 6);
    // The chain for 车工: enterprise → county → prefecture → provincial.
    let enterprise = all.iter().find(|c| c["tier"] == "enterprise").expect("an enterprise contest");
    let mut tiers = vec![enterprise["tier"].as_str().unwrap().to_string()];
    let detail = srv.request("GET", &format!("/api/v1/competitions/{}", enterprise["id"].as_str().unwrap())).send();
    for link in detail.body["feeds_into_chain"].as_array().unwrap() {
        tiers.push(link["tier"].as_str().unwrap().to_string());
    }
    assert_eq!(tiers, ["enterprise", "county", "prefecture", "province"]);

    // The season's provincial final has 50+ trades, each event ready for registration.
    let season = competitions(&srv, "&season=true&tier=province&category=workers_skills");
    assert_eq!(season.len(), 1);
    let final_detail =
        srv.request("GET", &format!("/api/v1/competitions/{}", season[0]["id"].as_str().unwrap())).send();
    let events = final_detail.body["events"].as_array().unwrap();
    assert!(events.len() >= 50, "{} events", events.len());
    assert!(events.iter().all(|e| e["published_document_version"] == 1 && e["has_marking_scheme"] == true));
    assert_eq!(final_detail.body["status"], "registration_open");
    assert_eq!(final_detail.body["fed_by"].as_array().unwrap().len(), 1);

    let labour = competitions(&srv, "&category=labour");
    assert_eq!(labour[0]["major_project"], "滇中引水工程");
    let college = competitions(&srv, "&category=vocational_college");
    assert_eq!(college.len(), 1);

    // Every printed account logs in, and the audit chain of the whole load verifies.
    assert_eq!(srv.demo_accounts.len(), 27, "{:?}", srv.demo_accounts);
    for (username, password) in &srv.demo_accounts {
        srv.login(username, password);
    }
    let (_, admin_password) = srv.demo_accounts.iter().find(|(u, _)| u == "admin").unwrap();
    let admin = srv.login("admin", admin_password);
    let verified = srv.get("/api/v1/audit/verify", &admin.access);
    assert_eq!(verified.body["intact"], true, "{}", verified.text);
    // The Kunming organiser sees the demo's contestant employed in 五华区, with the number whole.
    let (_, kunming_password) = srv.demo_accounts.iter().find(|(u, _)| u == "org.kunming").unwrap();
    let kunming = srv.login("org.kunming", kunming_password);
    let people = srv.get("/api/v1/persons", &kunming.access);
    let names: Vec<&str> =
        people.body["items"].as_array().unwrap().iter().map(|p| p["full_name"].as_str().unwrap()).collect();
    assert!(names.contains(&"李娜") && !names.contains(&"阿苏·木呷"), "{names:?}");
    // …and finds judges of its own to appoint (the province's are not its to appoint).
    let judges = srv.get("/api/v1/users?role=judge", &kunming.access);
    let judges: Vec<&str> =
        judges.body["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert!(
        judges.len() >= 5
            && judges.iter().all(|u| u.starts_with("judge.km.") || u.starts_with("judge.wh.") || *u == "judge.wuhua"),
        "{judges:?}"
    );
}
