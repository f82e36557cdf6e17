//! Competitions: their shape and calendar, the chain of `feeds_into`, the lifecycle with its
//! preconditions, and upgrade applications to the tier above.

use crate::domain::settings::SettingKey;
use chrono::NaiveDateTime;

use crate::auth::policy::{can_manage_competition, can_review_upgrade, can_view_competition};
use crate::auth::Actor;
use crate::db::{Db, DbConnection};
use crate::domain::competition::DEFAULT_ROSTER_PUBLICITY_DAYS;
use crate::domain::organisation::{Tier, NATIONAL_REGION};
use crate::domain::time::Zone;
use crate::domain::{keep, text, Violation};
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::service::events::event_outs;
use crate::service::{check_version, load};
use crate::store::competitions::{BodyRow, CompetitionFilter, CompetitionRow, CompetitionWithHost, UpgradeRow};
use crate::store::{self, audit::snapshot, new_id};
use crate::wire::competitions::{CompetitionPage, CompetitionQuery, NewCompetition};
use crate::wire::{parse_id, split_page, utc};

use crate::domain::competition::{
    check_calendar, check_competition_shape, check_feeds_into, check_transition, creates_cycle, upgrade_target,
    BodyRole, CompetitionClass, Status, TransitionFacts, TransitionRefusal,
};
use crate::wire::competitions::{
    BodyInput, BodyOut, CompetitionDetail, CompetitionOut, CompetitionPatch, CompetitionRef, FeederDecision,
    TransitionRequest, UpgradeDecision, UpgradeOut,
};

pub fn competition_ref(row: &CompetitionRow) -> ApiResult<CompetitionRef> {
    Ok(CompetitionRef {
        id: row.id.clone(),
        name: row.name.clone(),
        year: row.year,
        tier: row.tier()?,
        status: row.status()?,
    })
}

pub fn competition_out(conn: &mut DbConnection, found: CompetitionWithHost) -> ApiResult<CompetitionOut> {
    competition_outs(conn, vec![found]).map(|mut v| v.remove(0))
}

/// The wire form of many competitions, their co-organising bodies read in one query.
pub fn competition_outs(conn: &mut DbConnection, rows: Vec<CompetitionWithHost>) -> ApiResult<Vec<CompetitionOut>> {
    let ids: Vec<String> = rows.iter().map(|(r, _, _)| r.id.clone()).collect();
    let mut bodies: std::collections::HashMap<String, Vec<BodyOut>> = std::collections::HashMap::new();
    for (b, name, kind) in store::competitions::bodies_of_many(conn, &ids)? {
        bodies.entry(b.competition_id.clone()).or_default().push(BodyOut {
            organisation_id: b.organisation_id,
            organisation_name: name,
            organisation_kind: kind,
            role: BodyRole::parse(&b.role).unwrap_or(BodyRole::Supporter),
        });
    }
    rows.into_iter()
        .map(|(row, _, host_name)| {
            let bodies = bodies.remove(&row.id).unwrap_or_default();
            competition_wire(row, host_name, bodies)
        })
        .collect()
}

pub fn competition_wire(row: CompetitionRow, host_name: String, bodies: Vec<BodyOut>) -> ApiResult<CompetitionOut> {
    let status = row.status()?;
    Ok(CompetitionOut {
        tier: row.tier()?,
        category: row.category()?,
        class: CompetitionClass::parse(&row.class).ok_or_else(|| ApiError::internal("unknown competition class"))?,
        recognised_tier: row.recognised_tier.as_deref().and_then(Tier::parse),
        allowed_transitions: status.allowed_next(),
        status,
        id: row.id,
        name: row.name,
        edition: row.edition,
        year: row.year,
        host_org_id: row.host_org_id,
        host_org_name: host_name,
        bodies,
        is_season: row.is_season,
        major_project: row.major_project,
        description: row.description,
        starts_on: row.starts_on,
        ends_on: row.ends_on,
        registration_opens_at: row.registration_opens_at.map(utc),
        registration_closes_at: row.registration_closes_at.map(utc),
        feeds_into_accepted: row.feeds_into_id.is_some() && row.feeds_into_accepted_at.is_some(),
        feeds_into_id: row.feeds_into_id,
        status_reason: row.status_reason,
        roster_publicity_days: row.roster_publicity_days,
        results_publicity_days: row.results_publicity_days,
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}

pub fn upgrade_out(row: UpgradeRow) -> UpgradeOut {
    UpgradeOut {
        target_tier: Tier::parse(&row.target_tier).unwrap_or(Tier::National),
        id: row.id,
        competition_id: row.competition_id,
        reviewer_org_id: row.reviewer_org_id,
        status: row.status,
        statement: row.statement,
        decision_reason: row.decision_reason,
        decided_at: row.decided_at.map(utc),
        created_at: utc(row.created_at),
    }
}

/// The GB/T 2260 prefix that selects a region and everything in it.
pub fn region_prefix(code: &str) -> String {
    if code == NATIONAL_REGION {
        String::new()
    } else if code.ends_with("0000") {
        code[..2].to_string()
    } else if code.ends_with("00") {
        code[..4].to_string()
    } else {
        code.to_string()
    }
}

/// The list's cursor: the last competition's first day and id (`2026-12-18_0193…`).
pub fn competition_cursor(cursor: Option<&str>) -> ApiResult<Option<(chrono::NaiveDate, String)>> {
    let Some(cursor) = cursor else { return Ok(None) };
    let invalid = || ApiError::field("cursor", "invalid_cursor", "use the next_cursor of the previous page");
    let (day, id) = cursor.split_once('_').ok_or_else(invalid)?;
    let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| invalid())?;
    let id = uuid::Uuid::parse_str(id).map_err(|_| invalid())?;
    Ok(Some((day, id.to_string())))
}

/// Checks co-organising bodies: known organisations, not the host, each once.
pub fn check_bodies(
    conn: &mut DbConnection,
    competition_id: &str,
    host_org_id: &str,
    bodies: &[BodyInput],
) -> ApiResult<Vec<BodyRow>> {
    let mut rows: Vec<BodyRow> = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        let field = format!("bodies[{i}].organisation_id");
        let id = uuid::Uuid::parse_str(&body.organisation_id)
            .map(|u| u.to_string())
            .map_err(|_| ApiError::field(&field, "invalid_id", "must be an organisation id"))?;
        if id == host_org_id {
            return Err(ApiError::field(&field, "host_listed_twice", "the host is not also a co-organising body"));
        }
        if rows.iter().any(|r| r.organisation_id == id) {
            return Err(ApiError::field(&field, "duplicate_body", "each organisation is listed once"));
        }
        if store::organisations::find(conn, &id)?.is_none() {
            return Err(ApiError::field(&field, "unknown_organisation", "no organisation has this id"));
        }
        rows.push(BodyRow {
            id: new_id(),
            competition_id: competition_id.to_string(),
            organisation_id: id,
            role: body.role.as_str().into(),
        });
    }
    Ok(rows)
}

/// Checks where the competition feeds: an existing competition of the same category, a higher tier,
/// no cycle.
pub fn check_target(conn: &mut DbConnection, row: &CompetitionRow) -> ApiResult<()> {
    let Some(target_id) = &row.feeds_into_id else {
        return Ok(());
    };
    let (target, _, _) = store::competitions::find(conn, target_id)?
        .ok_or_else(|| ApiError::field("feeds_into_id", "unknown_competition", "no competition has this id"))?;
    if target.status()? == Status::Cancelled {
        return Err(ApiError::field("feeds_into_id", "target_cancelled", "that competition was cancelled"));
    }
    check_feeds_into(row.tier()?, row.category()?, row.year, target.tier()?, target.category()?, target.year)?;
    let region_of = |conn: &mut DbConnection, org: &str| -> ApiResult<String> {
        Ok(store::organisations::find(conn, org)?.map(|o| o.region_code).unwrap_or_default())
    };
    let (host_region, target_region) = (region_of(conn, &row.host_org_id)?, region_of(conn, &target.host_org_id)?);
    crate::domain::competition::check_feeds_within_region(&host_region, &target_region)?;
    let mut lookup_failed = None;
    let cycle = creates_cycle(&row.id, target_id, |id| match store::competitions::feeds_into_of(conn, id) {
        Ok(next) => next,
        Err(e) => {
            lookup_failed = Some(e);
            None
        }
    });
    if let Some(e) = lookup_failed {
        return Err(e.into());
    }
    if cycle {
        return Err(ApiError::field("feeds_into_id", "cycle", "the chain of competitions would come back to this one"));
    }
    Ok(())
}

/// A link to the next tier is accepted at once when whoever makes it also organises the target
/// (an admin, or the organisers of a tier above both); otherwise it waits for the target's
/// organisers (`accept_feeder`).
fn link_accepted_by(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &CompetitionRow,
    now: NaiveDateTime,
) -> ApiResult<Option<NaiveDateTime>> {
    let Some(target_id) = &row.feeds_into_id else { return Ok(None) };
    let Some((_, target_path, _)) = store::competitions::find(conn, target_id)? else { return Ok(None) };
    Ok(can_manage_competition(actor, &target_path).then_some(now))
}

/// Checks the shape of a competition row against its host and its calendar.
pub fn check_shape(
    conn: &mut DbConnection,
    row: &CompetitionRow,
    zone: crate::domain::time::Zone,
) -> ApiResult<crate::store::organisations::OrganisationRow> {
    let host = store::organisations::find(conn, &row.host_org_id)?
        .ok_or_else(|| ApiError::field("host_org_id", "unknown_organisation", "no organisation has this id"))?;
    let host_tier = Tier::parse(&host.tier).ok_or_else(|| ApiError::internal("host has an unknown tier"))?;
    let mut violations = check_competition_shape(
        row.tier()?,
        CompetitionClass::parse(&row.class).unwrap_or(CompetitionClass::Enterprise),
        row.category()?,
        host_tier,
    );
    violations.extend(check_calendar(
        row.year,
        row.starts_on,
        row.ends_on,
        row.is_season,
        (row.registration_opens_at, row.registration_closes_at),
        zone,
    ));
    if !(0..=30).contains(&row.roster_publicity_days) {
        violations.push(Violation::new("roster_publicity_days", "out_of_range", "0 to 30 working days"));
    }
    if !(0..=30).contains(&row.results_publicity_days) {
        violations.push(Violation::new("results_publicity_days", "out_of_range", "0 to 30 working days"));
    }
    if !violations.is_empty() {
        return Err(ApiError::validation(violations));
    }
    Ok(host)
}

pub fn optional_text(violations: &mut Vec<Violation>, field: &str, value: Option<&str>, max: usize) -> Option<String> {
    keep(violations, text::optional(field, value, max)).flatten()
}

/// Gathers what the lifecycle's preconditions look at.
pub fn transition_facts(
    conn: &mut DbConnection,
    competition: &CompetitionRow,
    reason: Option<String>,
    now: chrono::NaiveDateTime,
    zone: crate::domain::time::Zone,
) -> ApiResult<TransitionFacts> {
    use crate::domain::registration::RegistrationStatus;
    let (events, events_ready) = store::events::count_ready(conn, &competition.id)?;
    let registrations = store::registrations::of_competition(conn, &competition.id)?;
    let pending_reviews = registrations
        .iter()
        .filter(|r| RegistrationStatus::parse(&r.status).is_some_and(|s| s.awaits_review()))
        .count() as i64;
    let mut with_admitted: Vec<String> = registrations
        .iter()
        .filter(|r| r.status == RegistrationStatus::Admitted.as_str())
        .map(|r| r.event_id.clone())
        .collect();
    with_admitted.sort();
    with_admitted.dedup();
    let drawn = store::draws::drawn_events(conn, &with_admitted)?;
    let pending_objections = store::registrations::objections_of_competition(conn, &competition.id)?
        .iter()
        .filter(|o| o.status == "filed")
        .count() as i64;
    // Events where people competed: their sheets must lock and they must be decrypted.
    let mut competed: Vec<String> = registrations
        .iter()
        .filter(|r| {
            matches!(
                RegistrationStatus::parse(&r.status),
                Some(RegistrationStatus::CheckedIn | RegistrationStatus::Competed)
            )
        })
        .map(|r| r.event_id.clone())
        .collect();
    competed.sort();
    competed.dedup();
    let mut events_not_locked = 0;
    for event_id in &competed {
        if !crate::service::judging::unlocked_sections(conn, event_id)?.is_empty()
            || store::judging::aspects_of(conn, event_id)?.is_empty()
        {
            events_not_locked += 1;
        }
    }
    let mut events_not_reviewed = 0;
    let mut appeal_windows_open = 0;
    for event_id in &competed {
        events_not_reviewed += store::judging::samples_of(conn, event_id)?.is_empty() as i64;
        appeal_windows_open +=
            crate::service::appeals::appeal_deadline(conn, event_id, zone)?.is_some_and(|d| now < d) as i64;
    }
    let events_not_decrypted = (competed.len() - store::judging::decrypted_events(conn, &competed)?.len()) as i64;
    let (mut results_not_published, mut results_not_final) = (0, 0);
    for event_id in &competed {
        let status = store::results::latest(conn, event_id)?.map(|s| s.status);
        results_not_published += !matches!(status.as_deref(), Some("publicity" | "final")) as i64;
        results_not_final += (status.as_deref() != Some("final")) as i64;
    }
    let (mut events_without_awards, mut awards_pending) = (0, 0);
    for event_id in &competed {
        let awards = store::awards::of_event(conn, event_id)?;
        events_without_awards += awards.is_empty() as i64;
        awards_pending +=
            awards.iter().filter(|a| matches!(a.status.as_str(), "proposed" | "confirmed" | "publicity")).count()
                as i64;
    }
    Ok(TransitionFacts {
        now,
        zone,
        starts_on: competition.starts_on,
        ends_on: competition.ends_on,
        registration_opens_at: competition.registration_opens_at,
        registration_closes_at: competition.registration_closes_at,
        events,
        events_ready,
        reason,
        pending_reviews,
        roster_publicity_ends_at: store::calendar::window_of(conn, &competition.id, "roster")?.map(|w| w.ends_at),
        pending_objections,
        events_awaiting_draw: (with_admitted.len() - drawn.len()) as i64,
        events_not_locked,
        events_not_reviewed,
        appeal_windows_open,
        events_not_decrypted,
        results_not_published,
        results_not_final,
        events_without_awards,
        awards_pending,
    })
}

/// What a step of the lifecycle sets going: the roster's publicity window opens; a final roster
/// issues the admission tickets.
pub fn apply_transition_effects(
    conn: &mut DbConnection,
    actor: &Actor,
    competition: &CompetitionRow,
    to: Status,
    now: chrono::NaiveDateTime,
    zone: crate::domain::time::Zone,
) -> ApiResult<()> {
    match to {
        Status::RosterPublicity => {
            let starts_at = now;
            let adjustments = store::calendar::adjustments(conn)?;
            let ends_at = crate::domain::calendar::publicity_end(
                starts_at,
                competition.roster_publicity_days,
                &adjustments,
                zone,
            );
            Ok(store::calendar::insert_window(
                conn,
                &store::calendar::WindowRow {
                    id: new_id(),
                    competition_id: competition.id.clone(),
                    kind: "roster".into(),
                    starts_at,
                    ends_at,
                    created_at: starts_at,
                },
            )?)
        }
        Status::RosterFinal => {
            crate::service::draw::issue_tickets(conn, actor, &competition.id, competition.year, now).map(|_| ())
        }
        // The marking schemes are fixed from the first sitting on.
        Status::Running => {
            for (event, _, _) in store::events::of_competition(conn, &competition.id)? {
                if let Some(mut scheme) = store::events::scheme_of(conn, &event.id)? {
                    scheme.locked = true;
                    store::events::save_scheme(conn, &scheme, true)?;
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

pub async fn get_competition(
    db: &Db,
    actor: Option<Actor>,
    id: String,
    now: NaiveDateTime,
    zone: Zone,
) -> ApiResult<CompetitionDetail> {
    db.read(move |conn| {
        let found = load::competition(conn, actor.as_ref(), &id)?;
        let manages = actor.as_ref().is_some_and(|a| can_manage_competition(a, &found.1));
        let mut chain = Vec::new();
        let mut next = found.0.feeds_into_id.clone();
        while let Some(target_id) = next.take() {
            if chain.len() >= 8 {
                break;
            }
            if let Some((target, _, _)) = store::competitions::find(conn, &target_id)? {
                next = target.feeds_into_id.clone();
                chain.push(competition_ref(&target)?);
            }
        }
        let (accepted, requests): (Vec<_>, Vec<_>) = store::competitions::feeders_of(conn, &id)?
            .into_iter()
            .filter(|(row, path, _)| {
                row.status().map(|s| can_view_competition(actor.as_ref(), s.is_public(), path)).unwrap_or(false)
            })
            .partition(|(row, _, _)| row.feeds_into_accepted_at.is_some());
        let fed_by = accepted.iter().map(|(row, _, _)| competition_ref(row)).collect::<ApiResult<Vec<_>>>()?;
        let feeder_requests = if manages {
            requests.iter().map(|(row, _, _)| competition_ref(row)).collect::<ApiResult<Vec<_>>>()?
        } else {
            Vec::new()
        };
        let event_rows = store::events::of_competition(conn, &id)?;
        let mut events = event_outs(conn, event_rows)?;
        if manages {
            for e in &mut events {
                e.stage = Some(crate::service::stages::stage_of(conn, &e.id, &found.0, now, zone)?);
            }
        }
        let upgrade_applications = if manages {
            store::competitions::upgrades_of(conn, &id)?.into_iter().map(upgrade_out).collect()
        } else {
            Vec::new()
        };
        let competition = competition_out(conn, found)?;
        Ok(CompetitionDetail {
            competition,
            events,
            feeds_into_chain: chain,
            fed_by,
            feeder_requests,
            upgrade_applications,
            managed_by_me: manages,
        })
    })
    .await
}

pub async fn update_competition(
    db: &Db,
    actor: Actor,
    zone: Zone,
    now: NaiveDateTime,
    id: String,
    expected: i32,
    patch: CompetitionPatch,
) -> ApiResult<CompetitionOut> {
    db.write(move |conn| {
        let (current, _, _) = load::managed_competition(conn, &actor, &id)?;
        check_version(current.version, expected)?;
        let status = current.status()?;
        let locked: Vec<&str> = if status.setup_editable() {
            Vec::new()
        } else {
            let mut locked = patch.setup_fields();
            if status != Status::RegistrationOpen && patch.registration_closes_at.is_some() {
                locked.push("registration_closes_at");
            }
            if status.results_are_final() && patch.feeds_into_id.is_some() {
                locked.push("feeds_into_id");
            }
            locked
        };
        if !locked.is_empty() {
            return Err(ApiError::conflict(
                "competition_locked",
                format!("in state {status} these can no longer change: {}", locked.join(", ")),
            )
            .with_extra(serde_json::json!({ "locked_fields": locked })));
        }
        let mut violations = Vec::new();
        let mut next = current.clone();
        if let Some(name) = &patch.name {
            next.name = keep(&mut violations, text::required("name", name, 100)).unwrap_or_default();
        }
        if let Some(edition) = patch.edition {
            next.edition = edition;
        }
        if let Some(v) = &patch.major_project {
            next.major_project = optional_text(&mut violations, "major_project", v.as_deref(), 100);
        }
        if let Some(v) = &patch.description {
            next.description = optional_text(&mut violations, "description", v.as_deref(), 2000);
        }
        if !violations.is_empty() {
            return Err(ApiError::validation(violations));
        }
        next.year = patch.year.unwrap_or(next.year);
        next.category = patch.category.map(|c| c.as_str().to_string()).unwrap_or(next.category);
        next.tier = patch.tier.map(|t| t.as_str().to_string()).unwrap_or(next.tier);
        next.class = patch.class.map(|c| c.as_str().to_string()).unwrap_or(next.class);
        next.is_season = patch.is_season.unwrap_or(next.is_season);
        next.starts_on = patch.starts_on.unwrap_or(next.starts_on);
        next.roster_publicity_days = patch.roster_publicity_days.unwrap_or(next.roster_publicity_days);
        next.results_publicity_days = patch.results_publicity_days.unwrap_or(next.results_publicity_days);
        next.ends_on = patch.ends_on.unwrap_or(next.ends_on);
        if let Some(v) = patch.registration_opens_at {
            next.registration_opens_at = v.map(|t| crate::db::truncate_to_micros(t.naive_utc()));
        }
        if let Some(v) = patch.registration_closes_at {
            next.registration_closes_at = v.map(|t| crate::db::truncate_to_micros(t.naive_utc()));
            if status == Status::RegistrationOpen && next.registration_closes_at.is_none_or(|close| close <= now) {
                return Err(ApiError::field(
                    "registration_closes_at",
                    "deadline_in_past",
                    "while registration is open, the deadline can only move to a future time",
                ));
            }
        }
        if let Some(v) = &patch.feeds_into_id {
            next.feeds_into_id = v.as_deref().map(|t| parse_id("feeds_into_id", t)).transpose()?;
        }
        let host = check_shape(conn, &next, zone)?;
        check_target(conn, &next)?;
        if next.feeds_into_id != current.feeds_into_id {
            // A new link waits for the next tier's organisers again.
            next.feeds_into_accepted_at = link_accepted_by(conn, &actor, &next, now)?;
        }
        // A change of tier or category must still fit the competitions feeding into this one.
        for (feeder, _, _) in store::competitions::feeders_of(conn, &next.id)? {
            check_feeds_into(
                feeder.tier()?,
                feeder.category()?,
                feeder.year,
                next.tier()?,
                next.category()?,
                next.year,
            )
            .map_err(|v| {
                ApiError::conflict(
                    "feeders_would_not_fit",
                    format!("'{}' feeds into this competition: {}", feeder.name, v.message),
                )
            })?;
        }
        if let Some(bodies) = &patch.bodies {
            let rows = check_bodies(conn, &next.id, &next.host_org_id, bodies)?;
            store::competitions::replace_bodies(conn, &next.id, &rows)?;
        }
        next.version = current.version + 1;
        next.updated_at = now;
        if !store::competitions::update_if_version(conn, &next, expected)? {
            return Err(ApiError::precondition_failed(
                "the competition changed while you were editing it; reload and try again",
            ));
        }
        let before = competition_out(conn, (current, host.path.clone(), host.name.clone()))?;
        let out = competition_out(conn, (next, host.path, host.name))?;
        record(conn, &actor, "competition.update", ("competition", &out.id), snapshot(&before), snapshot(&out))?;
        Ok(out)
    })
    .await
}

pub async fn transition_competition(
    db: &Db,
    actor: Actor,
    zone: Zone,
    now: NaiveDateTime,
    id: String,
    expected: Option<i32>,
    request: TransitionRequest,
    reason: Option<String>,
) -> ApiResult<CompetitionOut> {
    db.write(move |conn| {
        let (current, host_path, host_name) = load::managed_competition(conn, &actor, &id)?;
        if let Some(expected) = expected {
            check_version(current.version, expected)?;
        }
        let from = current.status()?;
        let facts = transition_facts(conn, &current, reason.clone(), now, zone)?;
        match check_transition(from, request.to, &facts) {
            Ok(()) => {}
            Err(TransitionRefusal::NotAllowed { allowed }) => {
                let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
                return Err(ApiError::conflict(
                    "transition_not_allowed",
                    format!("a competition cannot go from {from} to {}; from {from} it can go to: {}", request.to, if names.is_empty() { "nowhere".to_string() } else { names.join(", ") }),
                )
                .with_extra(serde_json::json!({ "from": from, "to": request.to, "allowed": allowed })));
            }
            Err(TransitionRefusal::Unmet(unmet)) => {
                let messages: Vec<String> = unmet.iter().map(|u| u.message.clone()).collect();
                return Err(ApiError::conflict("preconditions_unmet", format!("cannot move to {} yet: {}", request.to, messages.join("; ")))
                    .with_extra(serde_json::json!({
                        "from": from,
                        "to": request.to,
                        "unmet": unmet.iter().map(|u| serde_json::json!({ "code": u.code, "message": u.message })).collect::<Vec<_>>(),
                    })));
            }
        }
        let mut next = current.clone();
        next.status = request.to.as_str().into();
        next.status_reason = reason.clone();
        next.version = current.version + 1;
        next.updated_at = now;
        if !store::competitions::update_if_version(conn, &next, current.version)? {
            return Err(ApiError::precondition_failed("the competition changed at the same moment; reload and try again"));
        }
        apply_transition_effects(conn, &actor, &next, request.to, now, zone)?;
        let out = competition_out(conn, (next, host_path, host_name))?;
        record(conn, &actor, "competition.transition", ("competition", &out.id),
            Some(serde_json::json!({ "status": from })), Some(serde_json::json!({ "status": request.to, "reason": reason })))?;
        Ok(out)
    })
    .await
}

pub async fn apply_for_upgrade(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    id: String,
    statement: String,
) -> ApiResult<UpgradeOut> {
    db.write(move |conn| {
        let (competition, host_path, _) = load::managed_competition(conn, &actor, &id)?;
        let status = competition.status()?;
        if matches!(status, Status::Draft | Status::Cancelled) {
            return Err(ApiError::conflict("not_published", "only a published competition can be put forward"));
        }
        let target = upgrade_target(competition.tier()?).ok_or_else(|| {
            ApiError::conflict("no_tier_above", "national and enterprise competitions have no tier above to apply to")
        })?;
        if competition.recognised_tier.is_some() {
            return Err(ApiError::conflict(
                "already_recognised",
                "this competition has already been recognised by the tier above",
            ));
        }
        if store::competitions::upgrades_of(conn, &id)?.iter().any(|u| u.status == "pending") {
            return Err(ApiError::conflict("application_pending", "an application is already waiting for a decision"));
        }
        // The reviewer is the host's nearest ancestor at the target tier.
        let ancestor_ids: Vec<String> = host_path.trim_matches('/').split('/').map(String::from).collect();
        let reviewer = store::organisations::paths_of(conn, &ancestor_ids)?
            .into_iter()
            .filter_map(|(org_id, _)| store::organisations::find(conn, &org_id).ok().flatten())
            .filter(|o| o.tier == target.as_str())
            .max_by_key(|o| o.path.len())
            .ok_or_else(|| {
                ApiError::conflict(
                    "no_reviewing_body",
                    format!("the host has no {target} organisation above it to review the application"),
                )
            })?;
        let row = UpgradeRow {
            id: new_id(),
            competition_id: id.clone(),
            target_tier: target.as_str().into(),
            reviewer_org_id: reviewer.id,
            status: "pending".into(),
            statement,
            decision_reason: None,
            applied_by: Some(actor.user_id.clone()),
            decided_by: None,
            decided_at: None,
            created_at: now,
        };
        store::competitions::insert_upgrade(conn, &row)?;
        let out = upgrade_out(row);
        record(conn, &actor, "competition.upgrade_apply", ("competition", &id), None, snapshot(&out))?;
        Ok(out)
    })
    .await
}

/// The target's organisers accept a lower tier's `feeds_into` link (its qualifiers will be
/// entered here) or decline it (the link is removed, with the reason in the trail).
pub async fn decide_feeder(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    id: String,
    feeder_id: String,
    decision: FeederDecision,
    reason: Option<String>,
) -> ApiResult<CompetitionRef> {
    db.write(move |conn| {
        let (target, _, _) = load::managed_competition(conn, &actor, &id)?;
        let (feeder, _, _) = store::competitions::find(conn, &feeder_id)?
            .filter(|(f, _, _)| f.feeds_into_id.as_deref() == Some(target.id.as_str()))
            .ok_or_else(|| ApiError::not_found("competition feeding this one"))?;
        if feeder.status()?.results_are_final() {
            return Err(ApiError::conflict(
                "results_final",
                "that competition's results are final: its qualifiers have already gone on or not",
            ));
        }
        let mut next = feeder.clone();
        if decision.accept {
            if feeder.feeds_into_accepted_at.is_some() {
                return Err(ApiError::conflict("already_accepted", "this link has already been accepted"));
            }
            next.feeds_into_accepted_at = Some(now);
        } else {
            next.feeds_into_id = None;
            next.feeds_into_accepted_at = None;
        }
        next.version = feeder.version + 1;
        next.updated_at = now;
        if !store::competitions::update_if_version(conn, &next, feeder.version)? {
            return Err(ApiError::precondition_failed("that competition changed at the same moment; try again"));
        }
        record(
            conn,
            &actor,
            if decision.accept { "competition.feeder_accept" } else { "competition.feeder_decline" },
            ("competition", &target.id),
            None,
            Some(serde_json::json!({ "feeder": feeder.id, "reason": reason })),
        )?;
        competition_ref(&next)
    })
    .await
}

pub async fn decide_upgrade(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    id: String,
    decision: UpgradeDecision,
    reason: Option<String>,
) -> ApiResult<UpgradeOut> {
    db.write(move |conn| {
        let application =
            store::competitions::find_upgrade(conn, &id)?.ok_or_else(|| ApiError::not_found("upgrade application"))?;
        let reviewer = store::organisations::find(conn, &application.reviewer_org_id)?
            .ok_or_else(|| ApiError::not_found("upgrade application"))?;
        if !can_review_upgrade(&actor, &reviewer.path) {
            return Err(ApiError::forbidden(format!(
                "only the organisers of {} decide this application",
                reviewer.name
            )));
        }
        // The reviewer sits a tier above the host, so the host's own organisers never decide.
        let (competition, _, _) = store::competitions::find(conn, &application.competition_id)?
            .ok_or_else(|| ApiError::not_found("competition"))?;
        let mut decided = application.clone();
        decided.status = if decision.approve { "approved" } else { "refused" }.into();
        decided.decision_reason = reason;
        decided.decided_by = Some(actor.user_id.clone());
        decided.decided_at = Some(now);
        if !store::competitions::decide_upgrade(conn, &decided)? {
            return Err(ApiError::conflict("already_decided", "this application has already been decided"));
        }
        if decision.approve {
            let mut next = competition.clone();
            next.recognised_tier = Some(application.target_tier.clone());
            next.version = competition.version + 1;
            next.updated_at = now;
            if !store::competitions::update_if_version(conn, &next, competition.version)? {
                return Err(ApiError::precondition_failed("the competition changed at the same moment; try again"));
            }
        }
        let out = upgrade_out(decided);
        record(conn, &actor, "competition.upgrade_decide", ("competition", &out.competition_id), None, snapshot(&out))?;
        Ok(out)
    })
    .await
}

/// Competitions, filtered, newest first. Everyone sees published ones; organisers also see the
/// drafts within their subtrees, admins all.
pub async fn list_competitions(
    db: &Db,
    actor: Option<Actor>,
    q: CompetitionQuery,
    limit: i64,
) -> ApiResult<CompetitionPage> {
    if let Some(region) = &q.region {
        if !crate::domain::organisation::is_region_code(region) {
            return Err(ApiError::field("region", "invalid_region_code", "a region code is six digits (GB/T 2260)"));
        }
    }
    let trade_id = q.trade_id.as_deref().map(|v| parse_id("trade_id", v)).transpose()?;
    let drafts_within = match &actor {
        Some(a) if a.is_admin() => None,
        Some(a) => Some(a.scope_paths(&[crate::domain::role::Role::Organiser])),
        None => Some(Vec::new()),
    };
    let mut filter = CompetitionFilter {
        year: q.year,
        tier: q.tier.map(|t| t.as_str().to_string()),
        category: q.category.map(|c| c.as_str().to_string()),
        status: q.status.map(|s| s.as_str().to_string()),
        is_season: q.season,
        region_prefix: q.region.as_deref().map(region_prefix),
        ids: None,
        name_contains: text::optional("q", q.q.as_deref(), 100)?,
        drafts_within,
        after: competition_cursor(q.cursor.as_deref())?,
        limit: limit + 1,
    };
    db.read(move |conn| {
        if let Some(trade) = &trade_id {
            filter.ids = Some(store::competitions::with_trade(conn, trade)?);
        }
        let rows = store::competitions::list(conn, &filter)?;
        let (rows, next_cursor) = split_page(rows, limit, |r| format!("{}_{}", r.0.starts_on, r.0.id));
        let items = competition_outs(conn, rows)?;
        Ok(CompetitionPage { items, next_cursor })
    })
    .await
}

/// Creates a competition (as a draft) hosted by an organisation within the caller's subtree.
pub async fn create_competition(
    db: &Db,
    actor: Actor,
    zone: Zone,
    now: NaiveDateTime,
    input: NewCompetition,
) -> ApiResult<CompetitionOut> {
    let mut violations = Vec::new();
    let name = keep(&mut violations, text::required("name", &input.name, 100));
    let major_project = optional_text(&mut violations, "major_project", input.major_project.as_deref(), 100);
    let description = optional_text(&mut violations, "description", input.description.as_deref(), 2000);
    if input.edition.is_some_and(|e| !(1..=200).contains(&e)) {
        violations.push(Violation::new("edition", "out_of_range", "an edition number is 1 to 200"));
    }
    let host_org_id = keep(
        &mut violations,
        uuid::Uuid::parse_str(&input.host_org_id)
            .map(|u| u.to_string())
            .map_err(|_| Violation::new("host_org_id", "invalid_id", "must be an organisation id")),
    );
    let feeds_into_id = input.feeds_into_id.as_deref().map(|v| parse_id("feeds_into_id", v)).transpose()?;
    if !violations.is_empty() {
        return Err(ApiError::validation(violations));
    }
    let at = now;
    let row = CompetitionRow {
        id: new_id(),
        name: name.unwrap_or_default(),
        edition: input.edition,
        year: input.year,
        category: input.category.as_str().into(),
        tier: input.tier.as_str().into(),
        class: input.class.as_str().into(),
        host_org_id: host_org_id.unwrap_or_default(),
        is_season: input.is_season,
        major_project,
        description,
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        registration_opens_at: input.registration_opens_at.map(|t| crate::db::truncate_to_micros(t.naive_utc())),
        registration_closes_at: input.registration_closes_at.map(|t| crate::db::truncate_to_micros(t.naive_utc())),
        feeds_into_id,
        recognised_tier: None,
        status: Status::Draft.as_str().into(),
        status_reason: None,
        // Filled from the system settings below, where the organisers named none.
        roster_publicity_days: input.roster_publicity_days.unwrap_or(DEFAULT_ROSTER_PUBLICITY_DAYS),
        results_publicity_days: input
            .results_publicity_days
            .unwrap_or(crate::domain::competition::RESULTS_PUBLICITY_WORKING_DAYS),
        feeds_into_accepted_at: None,
        version: 1,
        created_by: Some(actor.user_id.clone()),
        created_at: at,
        updated_at: at,
    };
    db.write(move |conn| {
        let host = check_shape(conn, &row, zone)?;
        if !can_manage_competition(&actor, &host.path) {
            return Err(ApiError::forbidden("you can only create competitions hosted within your own subtree"));
        }
        check_target(conn, &row)?;
        let mut row = row;
        let settings = store::settings::current(conn)?;
        if input.roster_publicity_days.is_none() {
            row.roster_publicity_days = settings.get(SettingKey::RosterPublicityDays);
        }
        if input.results_publicity_days.is_none() {
            row.results_publicity_days = settings.get(SettingKey::ResultsPublicityDays);
        }
        row.feeds_into_accepted_at = link_accepted_by(conn, &actor, &row, now)?;
        let bodies = check_bodies(conn, &row.id, &row.host_org_id, &input.bodies)?;
        store::competitions::insert(conn, &row)?;
        store::competitions::replace_bodies(conn, &row.id, &bodies)?;
        let out = competition_out(conn, (row, host.path, host.name))?;
        record(conn, &actor, "competition.create", ("competition", &out.id), None, snapshot(&out))?;
        Ok(out)
    })
    .await
}

/// The upgrade applications the caller reviews (organisers of the tier above; admins all).
pub async fn list_upgrade_applications(db: &Db, actor: Actor, status: Option<String>) -> ApiResult<Vec<UpgradeOut>> {
    let status = status.unwrap_or_else(|| "pending".into());
    if !matches!(status.as_str(), "pending" | "approved" | "refused") {
        return Err(ApiError::field("status", "invalid_value", "pending, approved or refused"));
    }
    let paths = (!actor.is_admin()).then(|| actor.scope_paths(&[crate::domain::role::Role::Organiser]));
    let rows = db
        .read(move |conn| Ok(store::competitions::upgrades_for_reviewers(conn, paths.as_deref(), Some(&status), 500)?))
        .await?;
    Ok(rows.into_iter().map(upgrade_out).collect())
}
