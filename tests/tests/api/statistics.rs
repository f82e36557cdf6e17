//! The plan dashboard against counts made independently, its regional scope, and plan targets.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use skillcomp_tests::TestServer;

fn login(srv: &TestServer, username: &str) -> String {
    let (_, password) = srv.demo_accounts.iter().find(|(u, _)| u == username).unwrap();
    srv.login(username, password).access
}

#[test]
fn the_dashboard_counts_what_the_listing_shows_within_the_officials_region() {
    let srv = TestServer::start_seeded();
    let province = login(&srv, "official.union");
    let kunming = login(&srv, "official.kunming");
    // Independently: every public competition by year, and by whether its host is in Kunming.
    let listed = srv.request("GET", "/api/v1/competitions?limit=200").send().body["items"].as_array().unwrap().clone();
    let mut by_year: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    let mut trades_by_year: BTreeMap<i64, std::collections::BTreeSet<String>> = BTreeMap::new();
    for c in listed.iter().filter(|c| c["status"] != "cancelled") {
        let host = srv.get(&format!("/api/v1/organisations/{}", c["host_org_id"].as_str().unwrap()), &province);
        let in_kunming = host.body["region_code"].as_str().unwrap().starts_with("5301");
        let year = c["year"].as_i64().unwrap();
        let entry = by_year.entry(year).or_default();
        entry.0 += 1;
        entry.1 += in_kunming as i64;
        let detail = srv.request("GET", &format!("/api/v1/competitions/{}", c["id"].as_str().unwrap())).send();
        for e in detail.body["events"].as_array().unwrap() {
            trades_by_year.entry(year).or_default().insert(e["trade"]["id"].as_str().unwrap().to_string());
        }
    }
    assert!(!by_year.is_empty());
    for (year, (all, in_kunming)) in &by_year {
        let whole = srv.get(&format!("/api/v1/statistics/dashboard?year={year}"), &province);
        assert_eq!(whole.status, 200, "{}", whole.text);
        assert_eq!(whole.body["region_code"], "530000");
        assert_eq!(whole.body["totals"]["competitions"].as_i64(), Some(*all), "{year}: {}", whole.text);
        let per_prefecture: i64 = whole.body["by_prefecture"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["counts"]["competitions"].as_i64().unwrap())
            .sum();
        assert_eq!(per_prefecture, *all);
        let local = srv.get(&format!("/api/v1/statistics/dashboard?year={year}"), &kunming);
        assert_eq!(local.body["region_code"], "530100");
        assert_eq!(local.body["totals"]["competitions"].as_i64(), Some(*in_kunming), "{year}: {}", local.text);
        assert!(local.body["by_prefecture"].as_array().unwrap().iter().all(|b| b["key"] == "530100"));
        // Trades count once however many events they have.
        let trades = trades_by_year.get(year).map_or(0, |t| t.len() as i64);
        assert_eq!(whole.body["totals"]["trades"].as_i64(), Some(trades));
    }
    // The province's plan: nine targets with progress; Kunming has none of its own.
    let year = by_year.keys().next().unwrap();
    let whole = srv.get(&format!("/api/v1/statistics/dashboard?year={year}"), &province);
    let metrics: Vec<&str> =
        whole.body["targets"].as_array().unwrap().iter().map(|t| t["metric"].as_str().unwrap()).collect();
    assert_eq!(metrics.len(), 9, "{metrics:?}");
    assert!(metrics.contains(&"champions") && metrics.contains(&"workers_contestants"));
    let local = srv.get(&format!("/api/v1/statistics/dashboard?year={year}"), &kunming);
    assert_eq!(local.body["targets"], json!([]));
    // Scope and input.
    srv.get("/api/v1/statistics/dashboard?region_code=530000", &kunming).problem(403, "forbidden");
    assert_eq!(srv.get("/api/v1/statistics/dashboard?region_code=530300", &province).body["region_code"], "530300");
    srv.get("/api/v1/statistics/dashboard?tier=galactic", &province).invalid_field("tier", "invalid_value");
    srv.get("/api/v1/statistics/dashboard?year=1900", &province).invalid_field("year", "out_of_range");
    let contestant = login(&srv, "13800000001");
    srv.get("/api/v1/statistics/dashboard", &contestant).problem(403, "forbidden");
}

#[test]
fn plan_targets_are_data_set_by_the_regions_own_officials() {
    let srv = TestServer::start_seeded();
    let province = login(&srv, "official.union");
    let kunming = login(&srv, "official.kunming");
    let listed = srv.get("/api/v1/plan-targets", &province);
    assert_eq!(listed.body.as_array().unwrap().len(), 9);
    assert_eq!(srv.get("/api/v1/plan-targets", &kunming).body, json!([]), "the province's targets are not Kunming's");
    let year = skillcomp_tests::year_in(0);
    let target = |region: &str, target: i64| {
        json!({ "plan": "昆明市技能竞赛三年计划", "region_code": region, "metric": "workers_contestants", "period": "annual",
                "from_year": year, "to_year": year + 2, "target": target })
    };
    srv.post("/api/v1/plan-targets", &kunming, target("530000", 5)).problem(403, "forbidden");
    srv.post("/api/v1/plan-targets", &kunming, target("530100", 0)).invalid_field("target", "out_of_range");
    let mut backwards = target("530100", 5);
    backwards["to_year"] = json!(year - 1);
    srv.post("/api/v1/plan-targets", &kunming, backwards).invalid_field("to_year", "dates_out_of_order");
    let created = srv.post("/api/v1/plan-targets", &kunming, target("530100", 20_000));
    assert_eq!(created.status, 201, "{}", created.text);
    srv.post("/api/v1/plan-targets", &kunming, target("530100", 20_000)).invalid_field("metric", "target_exists");
    let id = created.body["id"].as_str().unwrap();
    let changed =
        srv.request("PUT", &format!("/api/v1/plan-targets/{id}")).token(&kunming).json(target("530100", 25_000));
    assert_eq!(changed.body["target"], 25_000, "{}", changed.text);
    let dashboard: Value = srv.get(&format!("/api/v1/statistics/dashboard?year={year}"), &kunming).body;
    assert_eq!(dashboard["targets"][0]["target"], 25_000);
    assert_eq!(dashboard["targets"][0]["actual"], dashboard["totals"]["contestants"]);
}

/// A count straight from the database, by SQL written here (not the API's queries).
fn count(url: &str, sql: &str) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let db = skillcomp::db::Db::open(url, 1).unwrap();
    db.read_blocking(|conn| Ok(diesel::sql_query(sql).get_result::<N>(conn)?.n)).unwrap()
}

#[test]
fn generated_history_is_counted_by_the_dashboard_as_by_plain_sql() {
    let srv = TestServer::start_seeded();
    let url = srv.db.url();
    let db = skillcomp::db::Db::open(&url, 2).unwrap();
    let scale = skillcomp::seed::history::HistoryScale {
        first_year: 2021,
        last_year: 2025,
        workers_per_year: 800,
        until: None,
    };
    let summary = skillcomp::seed::history::generate_history(&db, scale, srv.clock.now()).unwrap();
    assert!(summary.registrations > 0 && summary.awards > 0, "{summary:?}");
    assert_eq!(
        skillcomp::seed::history::generate_history(&db, scale, srv.clock.now()).unwrap_err(),
        "history already present"
    );
    let province = login(&srv, "official.union");
    let kunming = login(&srv, "official.kunming");
    let joined = "FROM registrations r JOIN competitions c ON c.id = r.competition_id JOIN organisations o ON o.id = c.host_org_id";
    for year in [2021, 2023, 2025] {
        let d = srv.get(&format!("/api/v1/statistics/dashboard?year={year}"), &province).body;
        let competitions = count(
            &url,
            &format!(
                "SELECT count(*) AS n FROM competitions WHERE year = {year} AND status NOT IN ('draft', 'cancelled')"
            ),
        );
        let contestants = count(&url, &format!("SELECT count(*) AS n {joined} WHERE c.year = {year} AND r.status IN ('admitted', 'checked_in', 'competed')"));
        let champions = count(&url, &format!("SELECT count(*) AS n FROM awards WHERE year = {year} AND kind = 'title_champion' AND status IN ('granted', 'certificate_issued')"));
        let trades = count(&url, &format!("SELECT count(DISTINCT e.trade_id) AS n FROM events e JOIN competitions c ON c.id = e.competition_id WHERE c.year = {year} AND c.status NOT IN ('draft', 'cancelled')"));
        assert_eq!(d["totals"]["competitions"].as_i64(), Some(competitions), "{year}");
        assert_eq!(d["totals"]["contestants"].as_i64(), Some(contestants), "{year}");
        assert_eq!(d["totals"]["awards"]["title_champion"].as_i64().unwrap_or(0), champions, "{year}");
        assert_eq!(d["totals"]["trades"].as_i64(), Some(trades), "{year}");
        assert!(
            d["by_trade"].as_array().unwrap().iter().all(|t| t["name"].is_string()),
            "trades are named: {}",
            d["by_trade"]
        );
        // Kunming's officials see the competitions hosted in Kunming's prefecture.
        let local = srv.get(&format!("/api/v1/statistics/dashboard?year={year}"), &kunming).body;
        let in_kunming = count(&url, &format!("SELECT count(*) AS n {joined} WHERE c.year = {year} AND r.status IN ('admitted', 'checked_in', 'competed') AND o.region_code LIKE '5301%'"));
        assert_eq!(local["totals"]["contestants"].as_i64(), Some(in_kunming), "{year}");
    }
    // Cumulative 技术状元 2021–2025 against the plan's 700.
    let d = srv.get("/api/v1/statistics/dashboard?year=2025", &province).body;
    let champions = d["targets"].as_array().unwrap().iter().find(|t| t["metric"] == "champions").unwrap().clone();
    let all = count(&url, "SELECT count(*) AS n FROM awards WHERE year BETWEEN 2021 AND 2025 AND kind = 'title_champion' AND status IN ('granted', 'certificate_issued')");
    assert_eq!((champions["actual"].as_i64(), champions["target"].as_i64()), (Some(all), Some(700)));
    // The generated certificates verify on the public page.
    let (number, code) = {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct C {
            #[diesel(sql_type = diesel::sql_types::Text)]
            number: String,
            #[diesel(sql_type = diesel::sql_types::Text)]
            code: String,
        }
        let c = db
            .read_blocking(|conn| {
                Ok(diesel::sql_query("SELECT certificate_number AS number, check_code AS code FROM awards WHERE kind = 'title_champion' LIMIT 1").get_result::<C>(conn)?)
            })
            .unwrap();
        (c.number, c.code)
    };
    let verified = srv.request("GET", &format!("/api/v1/certificates/verify?number={number}&code={code}")).send();
    assert_eq!((verified.status, verified.body["award"].as_str()), (200, Some("技术状元")), "{}", verified.text);
}
