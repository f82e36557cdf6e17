//! The cross-tier flow (晋级): qualifiers of a lower tier go on to the competition it feeds,
//! the top places taking places and as many again waiting in line (候补). Three ways in, one
//! status rule (`domain::registration::qualifier_status`):
//! - on final results, the top finishers are entered (`advance_on_final`);
//! - the target's organiser admits a published ranking by hand (`admit_by_hand`);
//! - a place that falls free passes to the next in line (`promote_next_in_line`).

use chrono::NaiveDateTime;

use super::audit::record;
use super::load;
use super::registrations::{enter, save_status, trail, view};
use crate::auth::Actor;
use crate::db::{Db, DbConnection};
use crate::domain::competition::Status;
use crate::domain::registration::{qualifier_status, RegistrationStatus};
use crate::domain::time::Zone;
use crate::error::{ApiError, ApiResult};
use crate::store::events::EventRow;
use crate::store::registrations::RegistrationRow;
use crate::store::results::ResultRow;
use crate::store::{self, new_id};
use crate::wire::parse_id;
use crate::wire::qualifiers::{QualifierEntry, QualifierList, QualifierOutcome};
use crate::wire::registrations::SignUpRequest;

/// Admits qualifiers from a lower tier's published ranking by hand, best rank first.
pub async fn admit_by_hand(
    db: &Db,
    actor: Actor,
    event_id: String,
    list: QualifierList,
    now: NaiveDateTime,
    zone: Zone,
) -> ApiResult<QualifierOutcome> {
    let origin_competition_id = parse_id("origin_competition_id", &list.origin_competition_id)?;
    let origin_event_id = parse_id("origin_event_id", &list.origin_event_id)?;
    if list.entries.is_empty() || list.entries.len() > 500 {
        return Err(ApiError::field("entries", "out_of_range", "1 to 500 entries"));
    }
    let entries = list.entries;
    db.write(move |conn| {
    let (event, _, _) = store::events::find(conn, &event_id)?.ok_or_else(|| ApiError::not_found("event"))?;
    let (competition, _, _) = load::managed_competition(conn, &actor, &event.competition_id)?;
    if !matches!(competition.status()?, Status::RegistrationOpen | Status::RegistrationClosed) {
        return Err(ApiError::conflict("registration_not_open", "qualifiers are admitted while registration is open or just closed"));
    }
    let (origin, _, _) = store::competitions::find(conn, &origin_competition_id)?.ok_or_else(|| ApiError::field("origin_competition_id", "unknown_competition", "no competition has this id"))?;
    if origin.feeds_into_id.as_deref() != Some(competition.id.as_str()) {
        return Err(ApiError::field("origin_competition_id", "does_not_feed_here", "that competition does not feed into this one"));
    }
    let (origin_event, _, _) = store::events::find(conn, &origin_event_id)?
        .filter(|(e, _, _)| e.competition_id == origin.id)
        .ok_or_else(|| ApiError::field("origin_event_id", "unknown_event", "no event of that competition has this id"))?;
    if origin_event.trade_id != event.trade_id {
        return Err(ApiError::field("origin_event_id", "other_trade", "the origin event is of another trade"));
    }
    let mut ranks: Vec<i32> = entries.iter().map(|e| e.rank).collect();
    ranks.sort();
    if ranks.windows(2).any(|w| w[0] == w[1]) || ranks.first().is_some_and(|r| *r < 1) {
        return Err(ApiError::field("entries", "invalid_ranks", "ranks are positive and distinct"));
    }
    let mut entries: Vec<&QualifierEntry> = entries.iter().collect();
    entries.sort_by_key(|e| e.rank);
    let places = origin_event.qualifiers_count.max(0) as usize;
    let mut outcome = QualifierOutcome { admitted: Vec::new(), reserves: Vec::new() };
    for (i, entry) in entries.iter().enumerate() {
        let request = SignUpRequest { person_id: Some(entry.person_id.clone()), nominating_org_id: entry.nominating_org_id.clone(), team_name: None, members: Vec::new() };
        let reserve = i >= places;
        let initial = if reserve {
            RegistrationStatus::Reserve
        } else if event.review_levels >= 2 {
            RegistrationStatus::UnitApproved
        } else {
            RegistrationStatus::Submitted
        };
        let mut row = enter(conn, &actor, &event_id, &request, Some(initial), now, zone).map_err(|e| {
            let mut e = e;
            e.detail = format!("entry of rank {}: {}", entry.rank, e.detail);
            e
        })?;
        row.origin_competition_id = Some(origin.id.clone());
        row.origin_event_id = Some(origin_event.id.clone());
        row.origin_rank = Some(entry.rank);
        // The place on the reserve list (1 = first to move up), not the rank in the origin event.
        row.reserve_rank = reserve.then(|| (i - places + 1) as i32);
        store::registrations::set_origin(conn, &row)?;
        let out = view(conn, &actor, &row.id)?;
        if reserve {
            outcome.reserves.push(out);
        } else {
            outcome.admitted.push(out);
        }
    }
    record(conn, &actor, "registration.qualifiers", ("event", &event_id), None,
        Some(serde_json::json!({ "origin_event_id": origin_event.id, "admitted": outcome.admitted.len(), "reserves": outcome.reserves.len() })))?;
    Ok(outcome)
    })
    .await
}

/// Promotes the first reserve (候补) of an event into the place that fell free; returns it.
pub fn promote_next_in_line(
    conn: &mut DbConnection,
    actor: Option<&Actor>,
    event_id: &str,
    now: chrono::NaiveDateTime,
) -> ApiResult<Option<RegistrationRow>> {
    let next = store::registrations::of_event(conn, event_id)?
        .into_iter()
        .filter(|r| r.status == RegistrationStatus::Reserve.as_str())
        .min_by_key(|r| (r.reserve_rank.unwrap_or(i32::MAX), r.created_at));
    let Some(mut next) = next else {
        return Ok(None);
    };
    let (event, _, _) = store::events::find(conn, event_id)?.ok_or_else(|| ApiError::not_found("event"))?;
    let to = qualifier_status(false, event.review_levels);
    next.reserve_rank = None;
    let promoted = save_status(conn, actor, next, to, "promote", Some("a place fell free (递补)".into()), now)?;
    Ok(Some(promoted))
}

/// Registers an event's top finishers into the matching event (same trade and track) of the
/// competition it feeds, marked with their origin: the qualifiers count take places (waiting for
/// the higher tier's review), as many again wait in line as reserves. Returns how many were entered.
pub fn advance_on_final(
    conn: &mut DbConnection,
    actor: &Actor,
    event: &EventRow,
    rows: &[ResultRow],
    now: chrono::NaiveDateTime,
) -> ApiResult<usize> {
    let places = event.qualifiers_count.max(0) as usize;
    if places == 0 {
        return Ok(0);
    }
    let Some((competition, _, _)) = store::competitions::find(conn, &event.competition_id)? else { return Ok(0) };
    let Some(target_id) = competition.feeds_into_id.clone() else { return Ok(0) };
    let Some((target, _, _)) = store::competitions::find(conn, &target_id)? else { return Ok(0) };
    let target_status = target.status()?;
    if !matches!(
        target_status,
        Status::Draft | Status::Published | Status::RegistrationOpen | Status::RegistrationClosed
    ) {
        record(
            conn,
            actor,
            "results.qualifiers_skipped",
            ("event", &event.id),
            None,
            Some(serde_json::json!({ "reason": format!("the next tier is already {target_status}") })),
        )?;
        return Ok(0);
    }
    let Some((target_event, _, _)) = store::events::of_competition(conn, &target_id)?
        .into_iter()
        .find(|(e, _, _)| e.trade_id == event.trade_id && e.track == event.track)
    else {
        return Ok(0);
    };
    let mut ranked: Vec<&ResultRow> = rows.iter().collect();
    ranked.sort_by_key(|r| (r.rank, r.station_number));
    let mut entered = 0;
    for (i, row) in ranked.iter().take(places * 2).enumerate() {
        let Some(origin) = store::registrations::find(conn, &row.registration_id)? else { continue };
        let already = store::registrations::of_person(conn, &origin.person_id)?.iter().any(|r| {
            r.event_id == target_event.id && RegistrationStatus::parse(&r.status).is_some_and(|s| s.is_live())
        });
        if already {
            continue;
        }
        let reserve = i >= places;
        let status = qualifier_status(reserve, target_event.review_levels);
        let at = now;
        let registration = RegistrationRow {
            id: new_id(),
            event_id: target_event.id.clone(),
            competition_id: target_id.clone(),
            person_id: origin.person_id.clone(),
            team_name: origin.team_name.clone(),
            nominating_org_id: origin.nominating_org_id.clone(),
            status: status.as_str().into(),
            origin_competition_id: Some(competition.id.clone()),
            origin_event_id: Some(event.id.clone()),
            origin_rank: Some(row.rank),
            reserve_rank: reserve.then(|| (i - places + 1) as i32),
            ticket_number: None,
            status_reason: None,
            submitted_by: Some(actor.user_id.clone()),
            checked_in_at: None,
            version: 1,
            created_at: at,
            updated_at: at,
            // Entering the next round takes the identity the qualifying round recorded.
            entrant_name: origin.entrant_name.clone(),
            entrant_id_number: origin.entrant_id_number.clone(),
            entrant_gender: origin.entrant_gender.clone(),
            entrant_birth_date: origin.entrant_birth_date,
        };
        store::registrations::insert(conn, &registration)?;
        // The whole team goes on: its team-mates and advisors, who accepted in the round they won.
        let team: Vec<store::registrations::MemberRow> = store::registrations::members_of(conn, &origin.id)?
            .into_iter()
            .filter(|m| m.accepted_at.is_some())
            .map(|m| store::registrations::MemberRow {
                id: new_id(),
                registration_id: registration.id.clone(),
                accepted_at: Some(at),
                ..m
            })
            .collect();
        store::registrations::replace_members(conn, &registration.id, &team)?;
        trail(
            conn,
            Some(actor),
            &registration.id,
            "qualify",
            "new",
            status,
            Some(format!("{} 第{}名", competition.name, row.rank)),
            now,
        )?;
        entered += 1;
    }
    record(
        conn,
        actor,
        "results.qualifiers",
        ("event", &event.id),
        None,
        Some(serde_json::json!({ "target_event": target_event.id, "entered": entered })),
    )?;
    Ok(entered)
}
