//! Team events whole: a captain signs up with team-mates who accept, the team scores by the
//! event's team rule, every member earns the team's place, people are counted (not captains),
//! and the whole team goes on to the next tier.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::awards::rules_without_publicity;
use crate::judging::{competition_of, link_to, review_and_decrypt, running_team_final, sign_and_lock, Running};
use crate::registration::{day, trade_id};

/// Marks every station each judge may mark: the practical measurement `20 + station²`, the
/// judgements 2, no deduction; judge A also the theory paper at `50 + station²` (squares, so
/// that no two pairs of stations add up alike).
fn mark_by_station(r: &Running) {
    let srv = &r.srv;
    for j in 0..3 {
        let marks: Vec<Value> = r
            .stations_of(j)
            .into_iter()
            .flat_map(|s| {
                [
                    json!({ "aspect_id": r.aspect("2.1.1"), "station_number": s, "value": 20.0 + (s * s) as f64 }),
                    json!({ "aspect_id": r.aspect("2.2.1"), "station_number": s, "value": 2.0 }),
                    json!({ "aspect_id": r.aspect("2.2.2"), "station_number": s, "value": 2.0 }),
                    json!({ "aspect_id": r.aspect("2.3.1"), "station_number": s, "value": 0 }),
                ]
            })
            .collect();
        let saved = r.submit(j, Value::Array(marks), None);
        assert_eq!(saved.status, 200, "judge {j}: {}", saved.text);
    }
    let theory = srv.get(&format!("/api/v1/events/{}/judging/sheet?section=0", r.event), &r.judges[0].0.access);
    let aspect = theory.body["aspects"][0]["id"].clone();
    let papers: Vec<Value> = theory.body["stations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| json!({ "aspect_id": aspect, "station_number": s, "value": 50.0 + s.as_f64().unwrap().powi(2) }))
        .collect();
    assert_eq!(r.submit(0, Value::Array(papers), None).status, 200);
}

#[test]
fn a_team_whose_members_work_their_own_stations_ranks_by_its_mean_and_every_member_is_honoured() {
    let r = running_team_final("mean", json!({ "appeal_window_minutes": 0 }));
    let srv = &r.srv;
    let event = r.event.clone();
    // Three pairs: six stations, each member at their own. Judge C works for the factory both
    // factory teams come from: they stand aside from all four of those stations.
    assert_eq!(r.stations_of(0), [1, 2, 3, 4, 5, 6]);
    assert_eq!(r.stations_of(2).len(), 2);
    // The encryption judge's mapping shows each team-mate's station beside the captain's.
    let encryption = srv.login("judge.enc", "Staff-Pa55word-2026");
    let mapping = srv.get(&format!("/api/v1/events/{event}/draw"), &encryption.access);
    let mut drawn: Vec<i64> = Vec::new();
    for e in mapping.body["entries"].as_array().unwrap() {
        let mates = e["member_stations"].as_array().unwrap();
        assert_eq!(mates.len(), 1, "{e}");
        drawn.extend([e["station_number"].as_i64().unwrap(), mates[0]["station_number"].as_i64().unwrap()]);
    }
    drawn.sort();
    assert_eq!(drawn, [1, 2, 3, 4, 5, 6]);

    mark_by_station(&r);
    sign_and_lock(&r);
    review_and_decrypt(&r);
    // Each station's own score, and the registration it belongs to.
    let scores = srv.get(&format!("/api/v1/events/{event}/judging/scores"), &r.host.access);
    let mut by_team: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for row in scores.body["rows"].as_array().unwrap() {
        by_team
            .entry(row["registration_id"].as_str().unwrap().to_string())
            .or_default()
            .push(row["total"].as_f64().unwrap());
    }
    assert_eq!(by_team.len(), 3, "{}", scores.text);
    let computed = srv.post(&format!("/api/v1/events/{event}/results"), &r.host.access, json!({}));
    assert_eq!(computed.status, 201, "{}", computed.text);
    let entries = computed.body["entries"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 3, "one entry per team: {}", computed.text);
    for e in &entries {
        let members = &by_team[e["registration_id"].as_str().unwrap()];
        let mean = members.iter().sum::<f64>() / members.len() as f64;
        assert!((e["total"].as_f64().unwrap() - mean).abs() < 0.011, "{e} against {members:?}");
        assert_eq!(e["team_members"].as_array().unwrap().len(), 1, "{e}");
        assert!(e["team_name"].as_str().unwrap().ends_with('队'));
    }
    let ranks: Vec<i64> = entries.iter().map(|e| e["rank"].as_i64().unwrap()).collect();
    assert_eq!(ranks, [1, 2, 3], "the stations' marks differ, so do the teams'");

    // Final results; the rules give the first place a first prize, a title and a promotion.
    let competition = competition_of(&r);
    let rules = srv
        .request("PUT", &format!("/api/v1/competitions/{competition}/award-rules"))
        .token(&r.host.access)
        .json(json!({ "rules": rules_without_publicity() }));
    assert_eq!(rules.status, 200, "{}", rules.text);
    srv.post(&format!("/api/v1/events/{event}/results/publish"), &r.host.access, json!({}));
    let finalised = srv.post(&format!("/api/v1/events/{event}/results/finalise"), &r.host.access, json!({}));
    assert_eq!(finalised.status, 200, "{}", finalised.text);
    let proposed = srv.post(&format!("/api/v1/events/{event}/awards/proposals"), &r.host.access, json!({}));
    assert_eq!(proposed.status, 201, "{}", proposed.text);
    let winner = entries[0]["registration_id"].as_str().unwrap();
    let kinds_by_person: BTreeMap<String, BTreeSet<String>> =
        proposed.body["awards"].as_array().unwrap().iter().filter(|a| a["registration_id"] == winner).fold(
            BTreeMap::new(),
            |mut m, a| {
                m.entry(a["person_id"].as_str().unwrap().to_string())
                    .or_default()
                    .insert(a["kind"].as_str().unwrap().to_string());
                m
            },
        );
    assert_eq!(kinds_by_person.len(), 2, "the captain and the team-mate: {}", proposed.text);
    // What the place earns, each member earns; the youth and women's titles go by the person
    // (the captains are women of 36, their team-mates men of 34).
    for kinds in kinds_by_person.values() {
        for k in ["prize_first", "title_champion", "honour_may_day_medal", "honour_craftsman", "promotion"] {
            assert!(kinds.contains(k), "{k} in {kinds:?}");
        }
    }
    let personal = |kind: &str| kinds_by_person.values().filter(|k| k.contains(kind)).count();
    assert_eq!((personal("title_women_pacesetter"), personal("title_youth_expert")), (1, 1), "{kinds_by_person:?}");
    // Three teams competed: a 10 % first-prize band is one team, not one in six people.
    let first_prizes =
        proposed.body["awards"].as_array().unwrap().iter().filter(|a| a["kind"] == "prize_first").count();
    assert_eq!(first_prizes, 2, "both members of the first team, nobody else");
}

#[test]
fn a_team_marked_as_one_works_one_station_and_the_whole_team_goes_on_to_the_next_tier() {
    let r = running_team_final("as_one", json!({ "appeal_window_minutes": 0, "qualifiers_count": 1 }));
    let srv = &r.srv;
    let event = r.event.clone();
    assert_eq!(r.stations_of(0), [1, 2, 3], "a station per team");
    // The provincial final this contest feeds, with its own team event.
    let admin = srv.admin();
    let province_id = r.orgs.0.clone();
    let year = chrono::Datelike::year(&(skillcomp_tests::today() + chrono::Duration::days(40)));
    let provincial = srv.post("/api/v1/competitions", &admin.access, json!({ "name": "云南省车工团体决赛", "year": year, "category": "workers_skills", "tier": "province", "class": "provincial_1", "host_org_id": province_id, "starts_on": day(40), "ends_on": day(41) }));
    let provincial = provincial.body["id"].as_str().unwrap().to_string();
    let target = srv.post(
        &format!("/api/v1/competitions/{provincial}/events"),
        &admin.access,
        json!({ "trade_id": trade_id(srv, "车工"), "name": "车工（团体）", "mode": "team", "team_size": 2 }),
    );
    assert_eq!(target.status, 201, "{}", target.text);
    assert_eq!(target.body["team_scoring"], "as_one", "the default");
    let target = target.body["id"].as_str().unwrap().to_string();
    link_to(&r, &provincial);

    mark_by_station(&r);
    sign_and_lock(&r);
    review_and_decrypt(&r);
    let computed = srv.post(&format!("/api/v1/events/{event}/results"), &r.host.access, json!({}));
    assert_eq!(computed.status, 201, "{}", computed.text);
    let winner = computed.body["entries"][0].clone();
    srv.post(&format!("/api/v1/events/{event}/results/publish"), &r.host.access, json!({}));
    let finalised = srv.post(&format!("/api/v1/events/{event}/results/finalise"), &r.host.access, json!({}));
    assert_eq!(finalised.status, 200, "{}", finalised.text);

    // The winning team is entered upstairs whole: captain, team-mate, team name.
    let queue = srv.get(&format!("/api/v1/registrations?event_id={target}"), &admin.access);
    let qualifier = queue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["status"] == "unit_approved")
        .unwrap_or_else(|| panic!("a qualifier: {}", queue.text))
        .clone();
    assert_eq!(qualifier["person"]["full_name"], winner["full_name"]);
    assert_eq!(qualifier["team_name"], winner["team_name"]);
    let mates: Vec<&str> =
        qualifier["members"].as_array().unwrap().iter().map(|m| m["person"]["full_name"].as_str().unwrap()).collect();
    let expected: Vec<&str> = winner["team_members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    assert_eq!(mates, expected);
    assert!(qualifier["members"].as_array().unwrap().iter().all(|m| m["accepted"] == true));

    // The dashboard counts people: three teams of two are six contestants.
    let official = srv.staff(&admin.access, "official.kunming", "official", Some(&r.orgs.1));
    let this_year = chrono::Datelike::year(&skillcomp_tests::today());
    let dashboard = srv.get(&format!("/api/v1/statistics/dashboard?year={this_year}"), &official.access);
    assert_eq!(dashboard.status, 200, "{}", dashboard.text);
    assert_eq!(dashboard.body["totals"]["contestants"], 6, "{}", dashboard.text);
}
