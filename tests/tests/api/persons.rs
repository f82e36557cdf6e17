use serde_json::json;
use skillcomp_tests::id_number;

use crate::province;

#[test]
fn invalid_id_card_numbers_are_refused_with_the_field_named() {
    let p = province();
    let organiser = p.srv.staff(&p.admin.access, "org.wuhua", "organiser", Some(&p.wuhua));
    let create = |number: &str| {
        p.srv.post(
            "/api/v1/persons",
            &organiser.access,
            json!({ "full_name": "李娜", "id_number": number, "employer_org_id": p.wuhua }),
        )
    };
    let good = id_number("530102", "19920315", 124);
    let mut typo = good.clone();
    typo.replace_range(5..6, if &good[5..6] == "3" { "4" } else { "3" });
    create(&typo).invalid_field("id_number", "id_number_check_digit");
    create("53010219920315124").invalid_field("id_number", "id_number_length");
    create(&id_number("530102", "19920231", 124)).invalid_field("id_number", "id_number_birth_date");
    create(&id_number("990102", "19920315", 124)).invalid_field("id_number", "id_number_region");
    create("5301021992031512AX").invalid_field("id_number", "id_number_characters");

    // Every wrong field is reported at once.
    let many = p.srv.post("/api/v1/persons", &organiser.access, json!({ "full_name": "李娜2", "id_number": "123", "phone": "12345", "ethnicity": "火星族", "employer_org_id": p.wuhua }));
    for (field, code) in [
        ("full_name", "invalid_character"),
        ("id_number", "id_number_length"),
        ("phone", "invalid_phone"),
        ("ethnicity", "unknown_ethnicity"),
    ] {
        many.invalid_field(field, code);
    }

    // The valid number is accepted; birth date and gender come from it; a lower-case x is normalised.
    let created = create(&good);
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["birth_date"], "1992-03-15");
    assert_eq!(created.body["gender"], "female");
    assert_eq!(created.body["id_number"], good.as_str());
    create(&good).invalid_field("id_number", "id_number_registered");
}

#[test]
fn minority_names_with_the_middle_dot_are_kept_as_written() {
    let p = province();
    let organiser = p.srv.staff(&p.admin.access, "org.wuhua", "organiser", Some(&p.wuhua));
    let r = p.srv.post("/api/v1/persons", &organiser.access, json!({
        "full_name": "阿苏•木呷", "id_number": id_number("530102", "19880921", 331), "ethnicity": "彝", "employer_org_id": p.wuhua,
        "phone": "13800000003", "education": "vocational_secondary", "is_migrant_worker": true
    }));
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["full_name"], "阿苏·木呷");
    assert_eq!(r.body["ethnicity"], "彝族");
    assert_eq!(r.body["gender"], "male");
    assert_eq!(r.body["is_migrant_worker"], true);
}

#[test]
fn id_numbers_are_masked_for_officials_whole_for_reviewers_and_hidden_from_other_subtrees() {
    let p = province();
    let srv = &p.srv;
    let wuhua = srv.staff(&p.admin.access, "org.wuhua", "organiser", Some(&p.wuhua));
    let qilin = srv.staff(&p.admin.access, "org.qilin", "organiser", Some(&p.qilin));
    let official = srv.staff(&p.admin.access, "official.yn", "official", Some(&p.province));
    let number = id_number("530102", "19920315", 124);
    let created = srv.post(
        "/api/v1/persons",
        &wuhua.access,
        json!({ "full_name": "李娜", "id_number": number, "phone": "13912345678", "employer_org_id": p.wuhua }),
    );
    let id = created.body["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/persons/{id}");

    let as_reviewer = srv.get(&path, &wuhua.access);
    assert_eq!(as_reviewer.body["id_number"], number.as_str());
    assert_eq!(as_reviewer.body["id_number_masked"], false);

    let as_official = srv.get(&path, &official.access);
    assert_eq!(as_official.status, 200);
    assert_eq!(as_official.body["id_number"], format!("{}**********{}", &number[..4], &number[14..]));
    assert_eq!(as_official.body["phone"], "139****5678");
    assert_eq!(as_official.body["id_number_masked"], true);

    // Another county's organiser may not even learn the person exists, nor list them.
    srv.get(&path, &qilin.access).problem(404, "not_found");
    let listed = srv.get("/api/v1/persons", &qilin.access);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 0, "{}", listed.text);
    srv.request("PATCH", &path)
        .token(&qilin.access)
        .header("If-Match", "\"1\"")
        .json(json!({ "phone": "13900000000" }))
        .problem(404, "not_found");
    // An official sees but cannot edit; cannot search by ID number.
    srv.request("PATCH", &path)
        .token(&official.access)
        .header("If-Match", "\"1\"")
        .json(json!({ "phone": "13900000000" }))
        .problem(403, "forbidden");
    srv.get(&format!("/api/v1/persons?id_number={number}"), &official.access).problem(403, "forbidden");
    let found = srv.get(&format!("/api/v1/persons?id_number={number}"), &wuhua.access);
    assert_eq!(found.body["items"].as_array().unwrap().len(), 1);
    // A contestant cannot list people at all.
    let contestant = srv.contestant("13800000009");
    srv.get("/api/v1/persons", &contestant.access).problem(403, "forbidden");
    srv.get(&path, &contestant.access).problem(404, "not_found");
    // The audit trail keeps the masked form only.
    let trail = srv.get(&format!("/api/v1/audit?entity_type=person&entity_id={id}"), &p.admin.access);
    assert!(!trail.text.contains(&number), "the trail must not hold the whole number");
}

#[test]
fn a_contestant_keeps_their_own_profile_and_credentials() {
    let p = province();
    let srv = &p.srv;
    let me = srv.contestant("13700000001");
    let number = id_number("530302", "19950708", 213);
    let profile = json!({ "full_name": "岩温香", "id_number": number, "ethnicity": "傣族", "phone": "13700000001", "employer_org_id": p.qilin });
    let created = srv.request("PUT", "/api/v1/me/person").token(&me.access).json(profile.clone());
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["id_number"], number.as_str(), "the person sees their own number whole");
    let person_id = created.body["id"].as_str().unwrap().to_string();

    // Updating needs the version.
    srv.request("PUT", "/api/v1/me/person").token(&me.access).json(profile.clone()).problem(428, "if_match_required");
    let mut changed = profile.clone();
    changed["occupation"] = json!("焊工");
    let updated = srv.request("PUT", "/api/v1/me/person").token(&me.access).header("If-Match", "\"1\"").json(changed);
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.body["occupation"], "焊工");
    assert_eq!(updated.etag.as_deref(), Some("\"2\""));

    // Credentials: a level is 1 to 5; a certificate cannot predate the holder.
    let cred =
        |body: serde_json::Value| srv.post(&format!("/api/v1/persons/{person_id}/credentials"), &me.access, body);
    cred(json!({ "occupation": "焊工", "level": 6, "issued_on": "2020-01-01", "source": "exam" }))
        .invalid_field("level", "out_of_range");
    cred(json!({ "occupation": "焊工", "level": 4, "issued_on": "1990-01-01", "source": "exam" }))
        .invalid_field("issued_on", "before_birth");
    cred(json!({ "occupation": "焊工", "level": 4, "issued_on": skillcomp_tests::day(365), "source": "exam" }))
        .invalid_field("issued_on", "in_future");
    let added = cred(
        json!({ "occupation": "焊工", "level": 4, "issued_on": "2020-06-30", "source": "exam", "certificate_no": "Y2020000213" }),
    );
    assert_eq!(added.status, 201, "{}", added.text);
    let mine = srv.get("/api/v1/me", &me.access);
    assert_eq!(mine.body["person"]["credentials"][0]["level"], 4);

    // Someone else's number cannot be claimed.
    let other = srv.contestant("13700000002");
    srv.request("PUT", "/api/v1/me/person")
        .token(&other.access)
        .json(profile)
        .invalid_field("id_number", "id_number_registered");
}

#[test]
fn residence_permit_numbers_of_hong_kong_macao_and_taiwan_residents_are_accepted() {
    let p = province();
    let organiser = p.srv.staff(&p.admin.access, "org.wuhua", "organiser", Some(&p.wuhua));
    for (i, (region, name)) in [("810000", "陈家乐"), ("820000", "何嘉欣"), ("830000", "林志明")].iter().enumerate()
    {
        let r = p.srv.post("/api/v1/persons", &organiser.access, json!({
            "full_name": name, "id_number": id_number(region, "19900101", 401 + 2 * i as u32), "employer_org_id": p.wuhua,
        }));
        assert_eq!(r.status, 201, "{region}: {}", r.text);
    }
}
