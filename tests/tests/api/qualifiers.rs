//! Qualifiers moving up (晋级): only along a link the next tier's organisers accepted, each
//! checked against the next tier's rules and quotas, and what became of each told to both tiers.

use serde_json::{json, Value};
use skillcomp_tests::Response;

use crate::judging::{competition_of, mark_and_lock, review_and_decrypt, running_final_with, Running};
use crate::registration::{day, trade_id, worker};

/// A provincial final hosted by `host` with a 车工 event of the given settings: (competition, event).
fn provincial_final(r: &Running, host: &str, event: Value) -> (String, String) {
    let srv = &r.srv;
    let admin = srv.admin();
    let year = chrono::Datelike::year(&(skillcomp_tests::today() + chrono::Duration::days(40)));
    let competition = srv.post("/api/v1/competitions", &admin.access, json!({ "name": "省车工决赛", "year": year, "category": "workers_skills", "tier": "province", "class": "provincial_1", "host_org_id": host, "starts_on": day(40), "ends_on": day(41) }));
    assert_eq!(competition.status, 201, "{}", competition.text);
    let competition = competition.body["id"].as_str().unwrap().to_string();
    let mut body = json!({ "trade_id": trade_id(srv, "车工") });
    body.as_object_mut().unwrap().extend(event.as_object().unwrap().clone());
    let created = srv.post(&format!("/api/v1/competitions/{competition}/events"), &admin.access, body);
    assert_eq!(created.status, 201, "{}", created.text);
    (competition, created.body["id"].as_str().unwrap().to_string())
}

fn link(r: &Running, competition: &str, target: Value) -> Response {
    let version = r.srv.get(&format!("/api/v1/competitions/{competition}"), &r.host.access).etag.unwrap();
    r.srv
        .request("PATCH", &format!("/api/v1/competitions/{competition}"))
        .token(&r.host.access)
        .header("If-Match", &version)
        .json(json!({ "feeds_into_id": target }))
}

fn finalise(r: &Running) -> Value {
    let srv = &r.srv;
    mark_and_lock(r);
    review_and_decrypt(r);
    let computed = srv.post(&format!("/api/v1/events/{}/results", r.event), &r.host.access, json!({}));
    assert_eq!(computed.status, 201, "{}", computed.text);
    srv.post(&format!("/api/v1/events/{}/results/publish", r.event), &r.host.access, json!({}));
    let finalised = srv.post(&format!("/api/v1/events/{}/results/finalise", r.event), &r.host.access, json!({}));
    assert_eq!(finalised.status, 200, "{}", finalised.text);
    finalised.body
}

#[test]
fn qualifiers_go_on_by_an_accepted_link_and_meet_the_next_tiers_rules_and_quotas() {
    let r = running_final_with(0, 2, json!({ "appeal_window_minutes": 0 }));
    let srv = &r.srv;
    let admin = srv.admin();
    let competition = competition_of(&r);
    // Another province's final is no place for Kunming's qualifiers.
    let guizhou = srv.create_org(&admin.access, "贵州省总工会", "union", "province", None, "520000");
    let (elsewhere, _) = provincial_final(&r, &guizhou, json!({}));
    link(&r, &competition, json!(elsewhere)).invalid_field("feeds_into_id", "outside_target_region");

    // Yunnan's final admits one contestant per unit.
    let (provincial, target_event) = provincial_final(&r, &r.orgs.0, json!({ "quota_per_organisation": 1 }));
    let linked = link(&r, &competition, json!(provincial));
    assert_eq!(linked.body["feeds_into_accepted"], false, "{}", linked.text);
    // The link waits for the provincial organisers: listed for them as a request, not as a feeder.
    let detail = srv.get(&format!("/api/v1/competitions/{provincial}"), &admin.access);
    assert_eq!(detail.body["feeder_requests"][0]["id"], competition.as_str(), "{}", detail.text);
    assert_eq!(detail.body["fed_by"], json!([]));
    // Declining takes a reason and removes the link.
    let decision = format!("/api/v1/competitions/{provincial}/feeders/{competition}/decision");
    srv.post(&decision, &admin.access, json!({ "accept": false })).invalid_field("reason", "required");
    let declined = srv.post(&decision, &admin.access, json!({ "accept": false, "reason": "请先报送赛事方案" }));
    assert_eq!(declined.status, 200, "{}", declined.text);
    let unlinked = srv.get(&format!("/api/v1/competitions/{competition}"), &r.host.access);
    assert!(unlinked.body["feeds_into_id"].is_null(), "{}", unlinked.text);
    srv.post(&decision, &admin.access, json!({ "accept": true })).problem(404, "not_found");
    // Linked again and accepted this time.
    link(&r, &competition, json!(provincial));
    // The lower tier's organisers cannot accept their own link (the draft final is not theirs to see).
    srv.post(&decision, &r.host.access, json!({ "accept": true })).problem(404, "not_found");
    assert_eq!(srv.post(&decision, &admin.access, json!({ "accept": true })).status, 200);
    srv.post(&decision, &admin.access, json!({ "accept": true })).problem(409, "already_accepted");
    let detail = srv.get(&format!("/api/v1/competitions/{provincial}"), &admin.access);
    assert_eq!(detail.body["fed_by"][0]["id"], competition.as_str());

    let results = finalise(&r);
    // Two places and two in line, one per unit: the best of each unit takes a place; the factory's
    // second is passed over for the unit's quota when it ranks above the other unit's best, and
    // otherwise waits in line (a reserve takes no place yet).
    let mut expected = Vec::new();
    let mut placed_units = Vec::new();
    for e in results["entries"].as_array().unwrap() {
        let unit = e["nominating_org_name"].as_str().unwrap().to_string();
        let outcome = if placed_units.len() < 2 {
            if placed_units.contains(&unit) {
                "refused"
            } else {
                placed_units.push(unit);
                "place"
            }
        } else {
            "reserve"
        };
        expected.push((e["full_name"].as_str().unwrap().to_string(), outcome.to_string()));
    }
    let outcomes = srv.get(&format!("/api/v1/events/{}/qualifier-outcomes", r.event), &r.host.access);
    assert_eq!(outcomes.status, 200, "{}", outcomes.text);
    let seen: Vec<(String, String)> = outcomes
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["full_name"].as_str().unwrap().to_string(), o["outcome"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(seen, expected, "{}", outcomes.text);
    for o in outcomes.body.as_array().unwrap() {
        let codes: Vec<&str> = o["reasons"].as_array().unwrap().iter().map(|v| v["code"].as_str().unwrap()).collect();
        assert_eq!(codes.is_empty(), o["outcome"] != "refused", "{o}");
        if o["outcome"] == "refused" {
            assert_eq!(codes, ["unit_quota_full"], "{o}");
        } else {
            assert!(o["registration_id"].is_string(), "{o}");
        }
    }
    // The provincial organisers read the same account from their side, and find those entered.
    let theirs = srv.get(&format!("/api/v1/events/{target_event}/qualifier-outcomes"), &admin.access);
    assert_eq!(theirs.body, outcomes.body);
    let queue = srv.get(&format!("/api/v1/registrations?event_id={target_event}"), &admin.access);
    let entered = expected.iter().filter(|(_, o)| o != "refused").count();
    assert_eq!(queue.body["items"].as_array().unwrap().len(), entered, "{}", queue.text);

    // Nobody else reads it: not even the organisers of the county below the host.
    let other = srv.staff(&admin.access, "org.wuhua", "organiser", Some(&r.orgs.2));
    srv.get(&format!("/api/v1/events/{}/qualifier-outcomes", r.event), &other.access).problem(403, "forbidden");
}

#[test]
fn a_link_the_next_tier_has_not_accepted_sends_nobody_and_says_so_to_both_tiers() {
    let r = running_final_with(0, 1, json!({ "appeal_window_minutes": 0 }));
    let srv = &r.srv;
    let admin = srv.admin();
    let competition = competition_of(&r);
    let (provincial, target_event) = provincial_final(&r, &r.orgs.0, json!({}));
    assert_eq!(link(&r, &competition, json!(provincial)).status, 200);
    let results = finalise(&r);
    let outcomes = srv.get(&format!("/api/v1/events/{target_event}/qualifier-outcomes"), &admin.access);
    let rows = outcomes.body.as_array().unwrap();
    assert_eq!(rows.len(), 1, "the one who qualified: {}", outcomes.text);
    assert_eq!(rows[0]["full_name"], results["entries"][0]["full_name"]);
    assert_eq!(
        (rows[0]["outcome"].as_str(), rows[0]["reasons"][0]["code"].as_str()),
        (Some("refused"), Some("link_not_accepted"))
    );
    let queue = srv.get(&format!("/api/v1/registrations?event_id={target_event}"), &admin.access);
    assert_eq!(queue.body["items"], json!([]), "nobody was entered");

    // Too late to accept the link (the flow on final results is over); the provincial organisers
    // admit the lower tier's ranking by hand instead: only as its published results give it,
    // never a list of their own making.
    let decision = format!("/api/v1/competitions/{provincial}/feeders/{competition}/decision");
    srv.post(&decision, &admin.access, json!({ "accept": true })).problem(409, "results_final");
    let first = &results["entries"][0];
    let second = &results["entries"][1];
    let admit = |entries: Value| {
        srv.post(
            &format!("/api/v1/events/{target_event}/qualifiers"),
            &admin.access,
            json!({ "origin_competition_id": competition, "origin_event_id": r.event, "entries": entries }),
        )
    };
    admit(json!([{ "origin_registration_id": first["registration_id"], "rank": 2 }]))
        .invalid_field("entries[0].rank", "rank_mismatch");
    // A worker who never competed in the county is not in its ranking, whatever rank is claimed.
    let (_, outsider) =
        worker(srv, "13700000091", "局外人", &skillcomp_tests::id_number("530102", "19910101", 912), &r.orgs.2);
    admit(json!([{ "person_id": outsider, "rank": 1 }])).invalid_field("entries[0].person_id", "not_in_ranking");
    admit(json!([{ "origin_registration_id": uuid::Uuid::new_v4().to_string(), "rank": 1 }]))
        .invalid_field("entries[0].origin_registration_id", "not_in_origin_event");
    admit(json!([{ "rank": 1 }])).invalid_field("entries[0]", "one_of");
    let admitted = admit(json!([
        { "origin_registration_id": first["registration_id"], "rank": first["rank"] },
        { "origin_registration_id": second["registration_id"], "rank": second["rank"] },
    ]));
    assert_eq!(admitted.status, 201, "{}", admitted.text);
    // One place (the county's qualifier count), the next in line waiting.
    assert_eq!(admitted.body["admitted"][0]["person"]["full_name"], first["full_name"]);
    assert_eq!(admitted.body["admitted"][0]["origin"]["rank"], first["rank"]);
    assert_eq!(admitted.body["reserves"][0]["person"]["full_name"], second["full_name"]);
    assert_eq!(admitted.body["admitted"][0]["nominating_org_name"], first["nominating_org_name"]);
    // Both tiers' account of the qualifiers now tells the place and the reserve taken by hand.
    let outcomes = srv.get(&format!("/api/v1/events/{}/qualifier-outcomes", r.event), &r.host.access);
    let taken: Vec<(&str, &str)> = outcomes
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["outcome"] != "refused")
        .map(|o| (o["full_name"].as_str().unwrap(), o["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        taken,
        [(first["full_name"].as_str().unwrap(), "place"), (second["full_name"].as_str().unwrap(), "reserve")],
        "{}",
        outcomes.text
    );
}
