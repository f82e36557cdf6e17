//! Awards: rules per competition, proposals from final results, batches certified by the granting
//! body, publicity and objections, certificates and their public verification, revocation.

use std::collections::HashSet;

use chrono::NaiveDateTime;

use crate::auth::policy::{can_manage_competition, can_view_person};
use crate::auth::Actor;
use crate::db::Db;
use crate::db::DbConnection;
use crate::domain::award::AwardObjectionStatus;
use crate::domain::award::{
    award_label, default_rules, is_granting_body, may_be_promoted, propose, AwardKind, AwardRules, AwardStatus, Body,
    Finisher,
};
use crate::domain::award::{check_rules, next_status, AwardAction};
use crate::domain::competition::{Category, CompetitionClass};
use crate::domain::id_card::mask_id_number;
use crate::domain::organisation::{OrgKind, Tier};
use crate::domain::person::level_name;
use crate::domain::person::mask_name;
use crate::domain::ranking::ResultSetStatus;
use crate::domain::role::Role;
use crate::domain::time::Zone;
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::service::load;
use crate::service::print;
use crate::store::awards::{AwardFilter, AwardRow, AwardView, ObjectionRow};
use crate::store::competitions::CompetitionRow;
use crate::store::events::EventRow;
use crate::store::{self, new_id};
use crate::wire::awards::BatchOut;
use crate::wire::awards::{AwardObjectionOut, AwardObjectionRuling, AwardOut, AwardRulesOut, ProposalsOut, SkippedOut};
use crate::wire::awards::{AwardQuery, CertificateCheck, CompetitionAwardObjectionOut, PublicisedAwardOut};
use crate::wire::utc;

pub fn parse_competition(row: &CompetitionRow) -> ApiResult<(Category, Tier, CompetitionClass)> {
    let bad = || ApiError::internal("competition with an unknown category, tier or class");
    Ok((
        Category::parse(&row.category).ok_or_else(bad)?,
        Tier::parse(&row.tier).ok_or_else(bad)?,
        CompetitionClass::parse(&row.class).ok_or_else(bad)?,
    ))
}

/// The competition's award rules: its own, or the defaults of its tier, category and class.
pub fn rules_of(conn: &mut DbConnection, competition: &CompetitionRow) -> ApiResult<(AwardRules, bool)> {
    match store::awards::rules_of(conn, &competition.id)? {
        Some(json) => Ok((serde_json::from_str(&json).map_err(|e| ApiError::internal(e.to_string()))?, false)),
        None => {
            let (category, tier, class) = parse_competition(competition)?;
            Ok((default_rules(category, tier, class), true))
        }
    }
}

/// The rules an event's awards follow: its own when it has them, else its competition's.
pub fn rules_for_event(
    conn: &mut DbConnection,
    competition: &CompetitionRow,
    event: &EventRow,
) -> ApiResult<AwardRules> {
    match event.award_rules.as_deref() {
        Some(json) => serde_json::from_str(json).map_err(|e| ApiError::internal(format!("event award rules: {e}"))),
        None => Ok(rules_of(conn, competition)?.0),
    }
}

pub fn load_competition(conn: &mut DbConnection, id: &str) -> ApiResult<(CompetitionRow, String)> {
    let (competition, host_path, _) =
        store::competitions::find(conn, id)?.ok_or_else(|| ApiError::not_found("competition"))?;
    Ok((competition, host_path))
}

/// An award as the API shows it (kinds and statuses are read back from rows this module wrote).
pub fn award_out(view: AwardView, reveal: bool) -> ApiResult<AwardOut> {
    let a = view.award;
    let kind = AwardKind::parse(&a.kind).ok_or_else(|| ApiError::internal(format!("award kind {}", a.kind)))?;
    let status =
        AwardStatus::parse(&a.status).ok_or_else(|| ApiError::internal(format!("award status {}", a.status)))?;
    let label = award_label(kind, a.to_level);
    Ok(AwardOut {
        id: a.id,
        competition_id: a.competition_id,
        competition_name: view.competition_name,
        event_id: a.event_id,
        event_name: view.event_name,
        trade_name: view.trade_name,
        registration_id: a.registration_id,
        person_id: a.person_id,
        full_name: view.full_name,
        id_number: if reveal { view.id_number } else { mask_id_number(&view.id_number) },
        kind,
        label,
        rank: a.rank,
        from_level: a.from_level,
        to_level: a.to_level,
        year: a.year,
        status,
        publicity_ends_at: a.publicity_ends_at.map(utc),
        certificate_number: a.certificate_number,
        check_code: if reveal { a.check_code } else { None },
        granted_at: a.granted_at.map(utc),
        issued_at: a.issued_at.map(utc),
        revoked_reason: a.revoked_reason,
        revoked_at: a.revoked_at.map(utc),
        version: a.version,
    })
}

/// The caller's body that certifies `kind` for this competition, by name, if they act for one.
pub fn granting_body(
    conn: &mut DbConnection,
    actor: &Actor,
    kind: AwardKind,
    competition: &CompetitionRow,
    host_path: &str,
) -> ApiResult<Option<String>> {
    let tier = Tier::parse(&competition.tier).ok_or_else(|| ApiError::internal("competition tier"))?;
    let host_org = store::organisations::find(conn, &competition.host_org_id)?
        .ok_or_else(|| ApiError::internal("competition without host"))?;
    let host = Body {
        kind: OrgKind::parse(&host_org.kind).unwrap_or(OrgKind::Union),
        tier: Tier::parse(&host_org.tier).unwrap_or(tier),
        region: &host_org.region_code,
        path: host_path,
    };
    Ok(load::official_bodies(conn, actor)?.into_iter().find_map(|(name, kind_of, tier_of, region, path)| {
        let body = Body { kind: kind_of, tier: tier_of, region: &region, path: &path };
        is_granting_body(kind, body, tier, host).then_some(name)
    }))
}

/// Whether the caller may see a competition's awards with names: its organisers, and officials
/// over its host or certifying it.
pub fn can_see_awards(
    conn: &mut DbConnection,
    actor: &Actor,
    competition: &CompetitionRow,
    host_path: &str,
) -> ApiResult<bool> {
    if can_manage_competition(actor, host_path) || actor.has_role_over(&[Role::Official], host_path) {
        return Ok(true);
    }
    for kind in [AwardKind::PrizeFirst, AwardKind::Promotion] {
        if granting_body(conn, actor, kind, competition, host_path)?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The current verified level a person holds in the event's trade (smaller is higher): a
/// promotion starts from what a reviewer has checked, never from a declaration.
pub fn current_level(conn: &mut DbConnection, person_id: &str, trade_name: &str) -> ApiResult<Option<i32>> {
    use crate::domain::person::{held_levels, CredentialStatus};
    let held = held_levels(
        store::persons::credentials_of(conn, person_id)?
            .into_iter()
            .filter(|c| c.occupation == trade_name)
            .filter_map(|c| Some((c.level, CredentialStatus::parse(&c.status)?))),
    );
    Ok(held.verified)
}

/// An award and whether the caller holds it (and so sees the check code and whole ID number).
pub fn load_award_for(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
) -> ApiResult<(AwardView, CompetitionRow, String, bool)> {
    let view = store::awards::find_view(conn, id)?.ok_or_else(|| ApiError::not_found("award"))?;
    let (competition, host_path) = load_competition(conn, &view.award.competition_id)?;
    let holder = actor.is_person(&view.award.person_id);
    if !holder && !can_see_awards(conn, actor, &competition, &host_path)? {
        return Err(ApiError::not_found("award"));
    }
    Ok((view, competition, host_path, holder))
}

/// Eight characters without look-alikes (0/O, 1/I): 40 bits of chance against guessing.
pub fn new_check_code() -> String {
    use rand_core::RngCore;
    let mut bytes = [0u8; 8];
    rand_core::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| CHECK_CODE_ALPHABET[(*b as usize) % CHECK_CODE_ALPHABET.len()] as char).collect()
}

/// 证书编号: year, the host's region and a serial within both: `2026-530000-000017`.
pub fn next_certificate_number(conn: &mut DbConnection, year: i32, region: &str) -> ApiResult<String> {
    let prefix = format!("{year}-{region}-");
    let serial = store::awards::certificates_with_prefix(conn, &prefix)? + 1;
    Ok(format!("{prefix}{serial:06}"))
}

/// A granted promotion becomes a skill credential: the level, the date, the certificate number and
/// the issuing body, from a competition.
pub fn write_credential(
    conn: &mut DbConnection,
    award: &AwardRow,
    issuer: &str,
    granted_by_user: &str,
    now: chrono::NaiveDateTime,
    zone: crate::domain::time::Zone,
) -> ApiResult<()> {
    let (_, _, trade_name) =
        store::events::find(conn, &award.event_id)?.ok_or_else(|| ApiError::internal("award without event"))?;
    let level = award.to_level.ok_or_else(|| ApiError::internal("promotion without a level"))?;
    Ok(store::persons::insert_credential(
        conn,
        &store::persons::CredentialRow {
            id: new_id(),
            person_id: award.person_id.clone(),
            occupation: trade_name,
            level,
            certificate_no: award.certificate_number.clone(),
            issuer: Some(issuer.to_string()),
            issued_on: zone.date_of(award.granted_at.unwrap_or(now)),
            source: crate::domain::person::CredentialSource::Competition.as_str().to_string(),
            created_at: now,
            // Granted by the certifying body itself: verified by whoever granted it.
            status: crate::domain::person::CredentialStatus::Verified.as_str().into(),
            recorded_by: Some(granted_by_user.to_string()),
            reviewed_by: Some(granted_by_user.to_string()),
            reviewed_at: Some(now),
            rejection_reason: None,
        },
    )?)
}

pub fn revoke(
    conn: &mut DbConnection,
    actor: &Actor,
    mut award: AwardRow,
    reason: &str,
    now: chrono::NaiveDateTime,
) -> ApiResult<()> {
    if award.status == AwardStatus::Revoked.as_str() {
        return Err(ApiError::conflict("already_revoked", "the award was revoked already"));
    }
    let before = award.status.clone();
    award.status = AwardStatus::Revoked.as_str().to_string();
    award.revoked_reason = Some(reason.to_string());
    award.revoked_at = Some(now);
    let expected = award.version;
    award.version += 1;
    award.updated_at = now;
    if !store::awards::update_if_version(conn, &award, expected)? {
        return Err(ApiError::precondition_failed("the award changed meanwhile; read it again"));
    }
    if award.kind == AwardKind::Promotion.as_str() {
        if let Some(number) = &award.certificate_number {
            for credential in store::persons::credentials_of(conn, &award.person_id)? {
                if credential.certificate_no.as_deref() == Some(number.as_str()) {
                    store::persons::delete_credential(conn, &credential.id)?;
                }
            }
        }
    }
    record(
        conn,
        actor,
        "award.revoke",
        ("award", &award.id),
        Some(serde_json::json!({ "status": before })),
        Some(serde_json::json!({ "status": award.status, "reason": reason })),
    )
}

pub fn objection_out(o: ObjectionRow) -> AwardObjectionOut {
    AwardObjectionOut {
        id: o.id,
        award_id: o.award_id,
        grounds: o.grounds,
        status: o.status,
        ruling: o.ruling,
        filed_at: utc(o.filed_at),
        ruled_at: o.ruled_at.map(utc),
    }
}

/// The verification page a certificate's QR code opens.
pub fn verification_url(public_url: &str, number: &str, code: &str) -> String {
    format!("{public_url}/verify?number={number}&code={code}")
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Publicised and granted awards of a person, newest first (also revoked ones, marked).
pub fn honours_of(conn: &mut DbConnection, person_id: &str, reveal: bool) -> ApiResult<Vec<AwardOut>> {
    Ok(store::awards::list(conn, &AwardFilter { person_id: Some(person_id.to_string()), ..Default::default() })?
        .into_iter()
        .filter(|v| !matches!(v.award.status.as_str(), "proposed" | "confirmed"))
        .map(|v| award_out(v, reveal))
        .collect::<ApiResult<Vec<_>>>()?)
}

pub fn promotions_workbook(title: &str, rows: &[AwardView], zone: crate::domain::time::Zone) -> ApiResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let failed = |e: rust_xlsxwriter::XlsxError| ApiError::internal(format!("workbook: {e}"));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("技能等级晋升").map_err(failed)?;
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(0, 0, title, &bold).map_err(failed)?;
    let headers =
        ["姓名", "身份证号", "性别", "职业（工种）", "原等级", "晋升等级", "名次", "证书编号", "批准单位", "批准日期"];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(1, c as u16, *h, &bold).map_err(failed)?;
    }
    for (i, v) in rows.iter().enumerate() {
        let r = i as u32 + 2;
        let a = &v.award;
        let cells = [
            v.full_name.clone(),
            v.id_number.clone(),
            if v.gender == "female" { "女" } else { "男" }.to_string(),
            v.trade_name.clone(),
            a.from_level.map(level_name).unwrap_or("无").to_string(),
            a.to_level.map(level_name).unwrap_or("").to_string(),
            a.rank.to_string(),
            a.certificate_number.clone().unwrap_or_default(),
            a.granted_by.clone().unwrap_or_default(),
            a.granted_at.map(|t| zone.date_of(t).to_string()).unwrap_or_default(),
        ];
        for (c, value) in cells.iter().enumerate() {
            sheet.write_string(r, c as u16, value).map_err(failed)?;
        }
    }
    workbook.save_to_buffer().map_err(failed)
}

pub async fn get_award_rules(db: &Db, actor: Option<Actor>, id: String) -> ApiResult<AwardRulesOut> {
    db.read(move |conn| {
        let (competition, host_path) = load_competition(conn, &id)?;
        let public = competition.status != "draft";
        if !crate::auth::policy::can_view_competition(actor.as_ref(), public, &host_path) {
            return Err(ApiError::not_found("competition"));
        }
        let (rules, is_default) = rules_of(conn, &competition)?;
        Ok(AwardRulesOut { competition_id: competition.id, is_default, rules })
    })
    .await
}

/// The person an award is proposed for, with what the award records of them.
struct Holder {
    person_id: String,
    name: String,
    id_number: String,
    gender: String,
    birth_date: chrono::NaiveDate,
}

pub async fn propose_awards(db: &Db, actor: Actor, now: NaiveDateTime, event_id: String) -> ApiResult<ProposalsOut> {
    db.write(move |conn| {
        let (event, _, trade_name) =
            store::events::find(conn, &event_id)?.ok_or_else(|| ApiError::not_found("event"))?;
        let (competition, host_path) = load_competition(conn, &event.competition_id)?;
        if !can_manage_competition(&actor, &host_path) {
            return Err(ApiError::forbidden("awards are proposed by the host's organisers"));
        }
        let set = store::results::latest(conn, &event_id)?
            .filter(|s| s.is(ResultSetStatus::Final))
            .ok_or_else(|| ApiError::conflict("results_not_final", "awards are proposed from final results"))?;
        if store::awards::of_event(conn, &event_id)?.iter().any(|a| a.status != AwardStatus::Proposed.as_str()) {
            return Err(ApiError::conflict(
                "awards_in_progress",
                "the granting body has begun certifying this event's awards",
            ));
        }
        store::awards::delete_proposed_of_event(conn, &event_id)?;
        let rules = rules_for_event(conn, &competition, &event)?;
        let bands: crate::domain::event::PrizeBands =
            serde_json::from_str(&event.prize_bands).map_err(|e| ApiError::internal(e.to_string()))?;
        let mut finishers = Vec::new();
        let mut promoted = HashSet::new();
        // Who holds what is proposed, as they were when they entered (the captain's snapshot) or,
        // for a team-mate, as their record stands now.
        let mut holders: std::collections::HashMap<String, Holder> = std::collections::HashMap::new();
        let rows = store::results::named_rows_of(conn, &set.id)?;
        let registration_ids: Vec<String> = rows.iter().map(|(row, ..)| row.registration_id.clone()).collect();
        let mut team_mates: std::collections::HashMap<String, Vec<store::persons::PersonRow>> =
            std::collections::HashMap::new();
        for (registration_id, person) in store::registrations::competing_members(conn, &registration_ids)? {
            team_mates.entry(registration_id).or_default().push(person);
        }
        for (row, ..) in rows {
            let registration = store::registrations::find(conn, &row.registration_id)?
                .ok_or_else(|| ApiError::internal("result without registration"))?;
            let captain = Holder {
                person_id: registration.person_id.clone(),
                name: registration.entrant_name.clone(),
                id_number: registration.entrant_id_number.clone(),
                gender: registration.entrant_gender.clone(),
                birth_date: registration.entrant_birth_date,
            };
            let mates = team_mates.remove(&row.registration_id).unwrap_or_default().into_iter().map(|p| Holder {
                person_id: p.id,
                name: p.full_name,
                id_number: p.id_number,
                gender: p.gender,
                birth_date: p.birth_date,
            });
            // Every member of a team earns the team's place.
            for holder in std::iter::once(captain).chain(mates) {
                let promotions: Vec<(i32, AwardStatus)> = store::awards::promotions_of(conn, &holder.person_id)?
                    .into_iter()
                    .filter_map(|(year, status)| Some((year, AwardStatus::parse(&status)?)))
                    .collect();
                if !may_be_promoted(&promotions, competition.year) {
                    promoted.insert(holder.person_id.clone());
                }
                finishers.push(Finisher {
                    registration_id: row.registration_id.clone(),
                    person_id: holder.person_id.clone(),
                    rank: row.rank,
                    // Age and gender as the contestant entered: a birth date changed since earns nothing.
                    age: crate::domain::id_card::age_on(holder.birth_date, competition.starts_on),
                    female: holder.gender == "female",
                    current_level: current_level(conn, &holder.person_id, &trade_name)?,
                });
                holders.insert(holder.person_id.clone(), holder);
            }
        }
        let (proposals, skipped) = propose(&rules, &bands, &finishers, &promoted);
        let at = now;
        let rows: Vec<AwardRow> = proposals
            .into_iter()
            .map(|p| {
                let holder = &holders[&p.person_id];
                AwardRow {
                    id: new_id(),
                    competition_id: competition.id.clone(),
                    event_id: event_id.clone(),
                    registration_id: p.registration_id,
                    person_id: p.person_id,
                    result_set_id: set.id.clone(),
                    kind: p.kind.as_str().to_string(),
                    rank: p.rank,
                    from_level: p.from_level,
                    to_level: p.to_level,
                    year: competition.year,
                    status: AwardStatus::Proposed.as_str().to_string(),
                    publicity_ends_at: None,
                    certificate_number: None,
                    check_code: None,
                    granted_by: None,
                    granted_at: None,
                    issued_at: None,
                    revoked_reason: None,
                    revoked_at: None,
                    version: 1,
                    created_at: at,
                    updated_at: at,
                    holder_name: holder.name.clone(),
                    holder_id_number: holder.id_number.clone(),
                    holder_gender: holder.gender.clone(),
                    holder_birth_date: holder.birth_date,
                }
            })
            .collect();
        store::awards::insert(conn, &rows)?;
        record(
            conn,
            &actor,
            "awards.propose",
            ("event", &event_id),
            None,
            Some(serde_json::json!({ "result_set": set.id, "proposed": rows.len(), "skipped": skipped.len() })),
        )?;
        let awards =
            store::awards::list(conn, &AwardFilter { event_id: Some(event_id.clone()), ..Default::default() })?
                .into_iter()
                .map(|v| award_out(v, false))
                .collect::<ApiResult<Vec<_>>>()?;
        let skipped = skipped
            .into_iter()
            .map(|s| SkippedOut {
                full_name: holders.get(&s.person_id).map(|h| h.name.clone()).unwrap_or_default(),
                registration_id: s.registration_id,
                reason: s.reason.to_string(),
            })
            .collect();
        Ok(ProposalsOut { awards, skipped })
    })
    .await
}

pub async fn get_award(db: &Db, actor: Actor, id: String) -> ApiResult<AwardOut> {
    db.read(move |conn| {
        let (view, competition, host_path, holder) = load_award_for(conn, &actor, &id)?;
        let kind = AwardKind::parse(&view.award.kind).ok_or_else(|| ApiError::internal("award kind"))?;
        let certifier = granting_body(conn, &actor, kind, &competition, &host_path)?.is_some();
        award_out(view, holder || certifier)
    })
    .await
}

pub async fn revoke_award(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    id: String,
    reason: String,
) -> ApiResult<AwardOut> {
    db.write(move |conn| {
        let award = store::awards::find(conn, &id)?.ok_or_else(|| ApiError::not_found("award"))?;
        let (competition, host_path) = load_competition(conn, &award.competition_id)?;
        let kind = AwardKind::parse(&award.kind).ok_or_else(|| ApiError::internal("award kind"))?;
        if granting_body(conn, &actor, kind, &competition, &host_path)?.is_none() {
            return Err(ApiError::forbidden("an award is revoked by the body that grants it"));
        }
        revoke(conn, &actor, award, &reason, now)?;
        let view = store::awards::find_view(conn, &id)?.ok_or_else(|| ApiError::not_found("award"))?;
        award_out(view, true)
    })
    .await
}

pub async fn file_objection(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    id: String,
    grounds: String,
) -> ApiResult<AwardObjectionOut> {
    db.write(move |conn| {
        let award = store::awards::find(conn, &id)?.ok_or_else(|| ApiError::not_found("award"))?;
        let at = now;
        if award.status != AwardStatus::Publicity.as_str() || award.publicity_ends_at.is_some_and(|end| at >= end) {
            return Err(ApiError::conflict("not_in_publicity", "objections are raised while an award is publicised"));
        }
        let row = ObjectionRow {
            id: new_id(),
            award_id: id.clone(),
            filed_by: actor.user_id.clone(),
            grounds,
            status: AwardObjectionStatus::Open.as_str().into(),
            ruling: None,
            ruled_by: None,
            filed_at: at,
            ruled_at: None,
        };
        store::awards::insert_objection(conn, &row)?;
        record(
            conn,
            &actor,
            "award.objection",
            ("award", &id),
            None,
            Some(serde_json::json!({ "objection_id": row.id })),
        )?;
        Ok(objection_out(row))
    })
    .await
}

pub async fn list_objections(db: &Db, actor: Actor, id: String) -> ApiResult<Vec<AwardObjectionOut>> {
    db.read(move |conn| {
        let view = store::awards::find_view(conn, &id)?.ok_or_else(|| ApiError::not_found("award"))?;
        let (competition, host_path) = load_competition(conn, &view.award.competition_id)?;
        if !can_see_awards(conn, &actor, &competition, &host_path)? {
            return Err(ApiError::not_found("award"));
        }
        Ok(store::awards::objections_of(conn, &id)?.into_iter().map(objection_out).collect::<Vec<_>>())
    })
    .await
}

pub async fn rule_objection(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    id: String,
    request: AwardObjectionRuling,
    ruling: String,
) -> ApiResult<AwardObjectionOut> {
    db.write(move |conn| {
        let mut objection =
            store::awards::find_objection(conn, &id)?.ok_or_else(|| ApiError::not_found("objection"))?;
        let award = store::awards::find(conn, &objection.award_id)?.ok_or_else(|| ApiError::not_found("objection"))?;
        let (competition, host_path) = load_competition(conn, &award.competition_id)?;
        let kind = AwardKind::parse(&award.kind).ok_or_else(|| ApiError::internal("award kind"))?;
        if granting_body(conn, &actor, kind, &competition, &host_path)?.is_none() {
            return Err(ApiError::forbidden("objections are ruled by the body that grants the award"));
        }
        objection.status =
            if request.uphold { AwardObjectionStatus::Upheld } else { AwardObjectionStatus::Dismissed }.as_str().into();
        objection.ruling = Some(ruling.clone());
        objection.ruled_by = Some(actor.user_id.clone());
        objection.ruled_at = Some(now);
        if !store::awards::rule_objection(conn, &objection)? {
            return Err(ApiError::conflict("already_ruled", "the objection was ruled already"));
        }
        record(
            conn,
            &actor,
            "award.objection_ruling",
            ("award", &award.id),
            None,
            Some(serde_json::json!({ "objection_id": objection.id, "status": objection.status, "ruling": ruling })),
        )?;
        if request.uphold {
            revoke(conn, &actor, award, &format!("异议成立：{ruling}"), now)?;
        }
        Ok(objection_out(objection))
    })
    .await
}

pub async fn person_honours(db: &Db, actor: Actor, id: String) -> ApiResult<Vec<AwardOut>> {
    db.read(move |conn| {
        let (_, employer_path) = store::persons::find(conn, &id)?.ok_or_else(|| ApiError::not_found("person"))?;
        if !can_view_person(&actor, &id, employer_path.as_deref()) {
            return Err(ApiError::not_found("person"));
        }
        honours_of(conn, &id, actor.is_person(&id))
    })
    .await
}

pub async fn export_promotions(db: &Db, actor: Actor, zone: Zone, id: String) -> ApiResult<Vec<u8>> {
    db.read(move |conn| {
        let (competition, host_path) = load_competition(conn, &id)?;
        let hrss = granting_body(conn, &actor, AwardKind::Promotion, &competition, &host_path)?.is_some();
        if !hrss && !can_manage_competition(&actor, &host_path) {
            return Err(ApiError::forbidden("the promotion list goes to the organisers and the HRSS officials"));
        }
        let filter = AwardFilter {
            competition_id: Some(id),
            kind: Some(AwardKind::Promotion.as_str().into()),
            ..Default::default()
        };
        let rows: Vec<AwardView> = store::awards::list(conn, &filter)?
            .into_iter()
            .filter(|v| matches!(v.award.status.as_str(), "granted" | "certificate_issued"))
            .collect();
        promotions_workbook(&competition.name, &rows, zone)
    })
    .await
}

pub const CHECK_CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// Moves a batch of awards one step (confirm, publicise, grant, issue certificates): all of them or none, each by the body that may.
pub async fn batch(
    db: &Db,
    actor: Actor,
    ids: Vec<String>,
    action: AwardAction,
    now: NaiveDateTime,
    zone: Zone,
) -> ApiResult<BatchOut> {
    db.write(move |conn| {
        let adjustments = store::calendar::adjustments(conn)?;
        let mut seen = HashSet::new();
        let mut moved = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let field = format!("award_ids[{i}]");
            if !seen.insert(id.clone()) {
                return Err(ApiError::field(&field, "duplicate", "the same award twice"));
            }
            let mut award = store::awards::find(conn, id)?.ok_or_else(|| ApiError::field(&field, "unknown_award", "no such award"))?;
            let (competition, host_path) = load_competition(conn, &award.competition_id)?;
            let kind = AwardKind::parse(&award.kind).ok_or_else(|| ApiError::internal("award kind"))?;
            let status = AwardStatus::parse(&award.status).ok_or_else(|| ApiError::internal("award status"))?;
            let Some(body) = granting_body(conn, &actor, kind, &competition, &host_path)? else {
                return Err(ApiError::forbidden(format!(
                    "{field}: a {} of a {} competition is certified by the {} of that tier and region",
                    kind.label(),
                    competition.tier,
                    if kind.granting_body() == OrgKind::Hrss { "HRSS department" } else { "trade union" }
                )));
            };
            let to = next_status(kind, status, action)
                .map_err(|why| ApiError::conflict("invalid_award_transition", format!("{field}: {why}")))?;
            let at = now;
            match action {
                AwardAction::Publicise => {
                    let (event, _, _) =
                        store::events::find(conn, &award.event_id)?.ok_or_else(|| ApiError::internal("award event"))?;
                    let rules = rules_for_event(conn, &competition, &event)?;
                    award.publicity_ends_at =
                        Some(crate::domain::calendar::publicity_end(at, rules.publicity_days, &adjustments, zone));
                }
                AwardAction::Grant => {
                    if store::awards::objections_of(conn, id)?.iter().any(|o| o.is(AwardObjectionStatus::Open)) {
                        return Err(ApiError::conflict(
                            "objections_open",
                            format!("{field}: an objection waits for a ruling"),
                        ));
                    }
                    if let Some(end) = award.publicity_ends_at.filter(|end| at < *end) {
                        return Err(ApiError::conflict(
                            "publicity_not_over",
                            format!("{field}: the publicity (公示) runs until {}", zone.describe(end)),
                        ));
                    }
                    if kind == AwardKind::Promotion {
                        let others: Vec<(i32, AwardStatus)> = store::awards::promotions_of(conn, &award.person_id)?
                            .into_iter()
                            .filter(|(_, s)| s == "granted" || s == "certificate_issued")
                            .filter_map(|(y, s)| Some((y, AwardStatus::parse(&s)?)))
                            .collect();
                        if !may_be_promoted(&others, award.year) {
                            return Err(ApiError::conflict(
                                "promoted_this_year",
                                format!("{field}: this person already has a competition-based promotion in {}", award.year),
                            ));
                        }
                    }
                    if kind.has_certificate() {
                        let region = store::organisations::find(conn, &competition.host_org_id)?
                            .map(|o| o.region_code)
                            .unwrap_or_default();
                        award.certificate_number = Some(next_certificate_number(conn, award.year, &region)?);
                        award.check_code = Some(new_check_code());
                    }
                    award.granted_by = Some(body.clone());
                    award.granted_at = Some(at);
                }
                AwardAction::IssueCertificate => award.issued_at = Some(at),
                AwardAction::Confirm => {}
            }
            award.status = to.as_str().to_string();
            let expected = award.version;
            award.version += 1;
            award.updated_at = at;
            if !store::awards::update_if_version(conn, &award, expected)? {
                return Err(ApiError::precondition_failed(format!("{field} changed meanwhile; read it again")));
            }
            if action == AwardAction::Grant && kind == AwardKind::Promotion {
                write_credential(conn, &award, &body, &actor.user_id, now, zone)?;
            }
            record(
                conn,
                &actor,
                &format!("award.{}", action.as_str()),
                ("award", id),
                Some(serde_json::json!({ "status": status.as_str() })),
                Some(serde_json::json!({ "status": award.status, "certificate_number": award.certificate_number, "by": body })),
            )?;
            moved.push(id.clone());
        }
        let mut awards = Vec::new();
        for id in moved {
            if let Some(view) = store::awards::find_view(conn, &id)? {
                awards.push(award_out(view, true)?);
            }
        }
        Ok(BatchOut { action: action.as_str().to_string(), awards })
    })
    .await
}

/// Sets a competition's award rules (`None`: back to the defaults), until any of its events has final results.
pub async fn put_award_rules(db: &Db, actor: Actor, id: String, rules: Option<AwardRules>) -> ApiResult<AwardRulesOut> {
    if let Some(first) = rules.as_ref().and_then(|r| check_rules(r).into_iter().next()) {
        return Err(first.into());
    }
    db.write(move |conn| {
        let (competition, host_path) = load_competition(conn, &id)?;
        if !can_manage_competition(&actor, &host_path) {
            return Err(ApiError::forbidden("award rules are set by the host's organisers"));
        }
        if store::awards::any_final_results(conn, &id)? {
            return Err(ApiError::conflict("results_final", "award rules are fixed once results are final"));
        }
        let (before, _) = rules_of(conn, &competition)?;
        let json = rules.as_ref().map(|r| serde_json::to_string(r).unwrap_or_default());
        store::awards::save_rules(conn, &id, json.as_deref())?;
        let (after, is_default) = rules_of(conn, &competition)?;
        record(
            conn,
            &actor,
            "competition.award_rules",
            ("competition", &id),
            serde_json::to_value(&before).ok(),
            serde_json::to_value(&after).ok(),
        )?;
        Ok(AwardRulesOut { competition_id: id, is_default, rules: after })
    })
    .await
}

/// A competition's awards, for its organisers and the officials who certify them.
pub async fn list_awards(
    db: &Db,
    actor: Actor,
    id: String,
    event_id: Option<String>,
    query: AwardQuery,
) -> ApiResult<Vec<AwardOut>> {
    db.read(move |conn| {
        let (competition, host_path) = load_competition(conn, &id)?;
        if !can_see_awards(conn, &actor, &competition, &host_path)? {
            return Err(ApiError::forbidden("awards are seen by the organisers and the certifying officials"));
        }
        let filter = AwardFilter {
            competition_id: Some(id),
            event_id,
            status: query.status,
            kind: query.kind,
            ..Default::default()
        };
        Ok(store::awards::list(conn, &filter)?
            .into_iter()
            .map(|v| award_out(v, false))
            .collect::<ApiResult<Vec<_>>>()?)
    })
    .await
}

/// Every objection to a competition's awards with the award it concerns, for those who see its
/// awards (the organisers and the certifying officials): the queue the granting body rules from.
pub async fn competition_objections(db: &Db, actor: Actor, id: String) -> ApiResult<Vec<CompetitionAwardObjectionOut>> {
    db.read(move |conn| {
        let (competition, host_path) = load_competition(conn, &id)?;
        if !can_see_awards(conn, &actor, &competition, &host_path)? {
            return Err(ApiError::forbidden("awards are seen by the organisers and the certifying officials"));
        }
        let awards: std::collections::HashMap<String, AwardView> =
            store::awards::list(conn, &AwardFilter { competition_id: Some(id.clone()), ..Default::default() })?
                .into_iter()
                .map(|v| (v.award.id.clone(), v))
                .collect();
        let mut out = Vec::new();
        for o in store::awards::objections_of_competition(conn, &id)? {
            let Some(view) = awards.get(&o.award_id) else { continue };
            let kind = AwardKind::parse(&view.award.kind).ok_or_else(|| ApiError::internal("award kind"))?;
            out.push(CompetitionAwardObjectionOut {
                holder_name: view.award.holder_name.clone(),
                event_name: view.event_name.clone(),
                award_label: award_label(kind, view.award.to_level),
                award_status: AwardStatus::parse(&view.award.status)
                    .ok_or_else(|| ApiError::internal("award status"))?,
                objection: objection_out(o),
            });
        }
        Ok(out)
    })
    .await
}

/// The competition's awards in their publicity window, for anyone: the public notice (公示)
/// against which objections are raised.
pub async fn publicised_awards(db: &Db, id: String, now: NaiveDateTime) -> ApiResult<Vec<PublicisedAwardOut>> {
    db.read(move |conn| {
        load_competition(conn, &id)?;
        let filter = AwardFilter {
            competition_id: Some(id),
            status: Some(AwardStatus::Publicity.as_str().into()),
            ..Default::default()
        };
        let mut out = Vec::new();
        for v in store::awards::list(conn, &filter)? {
            if v.award.publicity_ends_at.is_some_and(|end| now >= end) {
                continue;
            }
            let kind = AwardKind::parse(&v.award.kind).ok_or_else(|| ApiError::internal("award kind"))?;
            // Recommendations to other bodies (劳模, 五一劳动奖章) are not this notice's to announce.
            if kind.is_recommendation() {
                continue;
            }
            out.push(PublicisedAwardOut {
                id: v.award.id.clone(),
                event_name: v.event_name.clone(),
                full_name: v.award.holder_name.clone(),
                label: award_label(kind, v.award.to_level),
                rank: v.award.rank,
                publicity_ends_at: v.award.publicity_ends_at.map(utc),
            });
        }
        Ok(out)
    })
    .await
}

/// A printable certificate (HTML, A4 landscape) with a QR code to the public verification page, once granted.
pub async fn certificate_html(db: &Db, actor: Actor, zone: Zone, public_url: String, id: String) -> ApiResult<String> {
    db.read(move |conn| {
        let (view, _, _, _) = load_award_for(conn, &actor, &id)?;
        let (Some(number), Some(code)) = (&view.award.certificate_number, &view.award.check_code) else {
            return Err(ApiError::conflict(
                "no_certificate",
                "the award has no certificate (not granted, or a recommendation)",
            ));
        };
        let url = verification_url(&public_url, number, code);
        print::certificate_page(&view, &url, zone)
    })
    .await
}

/// Checks a certificate by its number and check code: an unknown number and a wrong code get the same answer after the same work, so numbers cannot be enumerated.
pub async fn verify_certificate(db: &Db, zone: Zone, number: String, code: String) -> ApiResult<CertificateCheck> {
    let number = number.trim().to_string();
    let code = code.trim().to_uppercase();
    if number.is_empty() || number.len() > 40 || code.is_empty() || code.len() > 16 {
        return Err(not_a_certificate());
    }
    db.read(move |conn| {
        let view = store::awards::find_by_certificate(conn, &number)?;
        // Compare in constant time; an unknown number compares against a dummy.
        let stored = view.as_ref().and_then(|v| v.award.check_code.clone()).unwrap_or_else(|| "-".repeat(8));
        let matches = constant_time_eq(stored.as_bytes(), code.as_bytes());
        let Some(view) = view.filter(|_| matches) else { return Err(not_a_certificate()) };
        let a = &view.award;
        let award = AwardKind::parse(&a.kind).map_or_else(|| a.kind.clone(), |k| award_label(k, a.to_level));
        Ok(CertificateCheck {
            certificate_number: number,
            holder: mask_name(&view.full_name),
            competition_name: view.competition_name.clone(),
            event_name: view.event_name.clone(),
            award,
            kind: a.kind.clone(),
            issuer: a.granted_by.clone().unwrap_or_else(|| view.host_name.clone()),
            granted_on: a.granted_at.map(|t| zone.date_of(t)),
            status: if a.status == AwardStatus::Revoked.as_str() { "revoked" } else { "valid" }.into(),
            revoked_reason: a.revoked_reason.clone(),
        })
    })
    .await
}

/// The caller's own honours across tiers and years (none without a profile).
pub async fn my_honours(db: &Db, actor: Actor) -> ApiResult<Vec<AwardOut>> {
    db.read(move |conn| match &actor.person_id {
        Some(person) => honours_of(conn, person, true),
        None => Ok(Vec::new()),
    })
    .await
}

fn not_a_certificate() -> ApiError {
    ApiError::not_found_because("certificate_not_found", "no certificate has this number and check code")
}
