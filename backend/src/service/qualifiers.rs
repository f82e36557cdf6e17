//! The cross-tier flow (晋级): qualifiers of a lower tier go on to the competition it feeds,
//! the top places taking places and as many again waiting in line (候补). Three ways in, one
//! status rule (`domain::registration::qualifier_status`):
//! - on final results, the top finishers are entered (`advance_on_final`);
//! - the target's organiser admits a published ranking by hand (`admit_by_hand`);
//! - a place that falls free passes to the next in line (`promote_next_in_line`).

use chrono::NaiveDateTime;

use super::audit::record;
use super::load;
use super::registrations::{eligibility, enter, save_status, trail, view};
use crate::auth::Actor;
use crate::db::{Db, DbConnection};
use crate::domain::competition::Status;
use crate::domain::registration::{next_advancement, qualifier_status, Advancement, RegistrationStatus};
use crate::domain::time::Zone;
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult};
use crate::store::events::EventRow;
use crate::store::qualifiers::OutcomeRow;
use crate::store::registrations::RegistrationRow;
use crate::store::results::ResultRow;
use crate::store::{self, new_id};
use crate::wire::parse_id;
use crate::wire::qualifiers::{QualifierEntry, QualifierList, QualifierOutcome, QualifierOutcomeOut};
use crate::wire::registrations::{MemberInput, SignUpRequest};
use crate::wire::utc;

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
    // The same window as qualifiers entered on final results: until the roster is publicised.
    if !matches!(
        competition.status()?,
        Status::Draft | Status::Published | Status::RegistrationOpen | Status::RegistrationClosed
    ) {
        return Err(ApiError::conflict("roster_fixed", "qualifiers are admitted until the roster is publicised"));
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
    let published = store::results::latest_published(conn, &origin_event.id)?;
    let mut resolved = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        resolved.push(resolve_entry(conn, &origin_event, published.as_ref().map(|s| s.id.as_str()), i, entry)?);
    }
    resolved.sort_by_key(|e| e.rank);
    let places = origin_event.qualifiers_count.max(0) as usize;
    let mut outcome = QualifierOutcome { admitted: Vec::new(), reserves: Vec::new() };
    for (i, entry) in resolved.iter().enumerate() {
        // A team goes on whole: its name and team-mates as they entered the lower tier.
        let (team_name, members) = match entry.origin.as_ref().filter(|r| r.team_name.is_some()) {
            Some(team) => (team.team_name.clone(), team_members_of(conn, &team.id)?),
            None => (None, Vec::new()),
        };
        let request = SignUpRequest { person_id: Some(entry.person_id.clone()), nominating_org_id: entry.nominating_org_id.clone(), team_name, members };
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
        // Told to both tiers beside those the flow on final results entered.
        if let Some(origin_registration) = &entry.origin {
            store::qualifiers::insert(conn, &[OutcomeRow {
                id: new_id(),
                origin_event_id: origin_event.id.clone(),
                origin_registration_id: origin_registration.id.clone(),
                origin_rank: entry.rank,
                target_competition_id: Some(competition.id.clone()),
                target_event_id: Some(event_id.clone()),
                outcome: if reserve { "reserve" } else { "place" }.into(),
                reasons: "[]".into(),
                registration_id: Some(row.id.clone()),
                decided_at: now,
            }])?;
        }
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

/// One qualifier of a hand-made list, as found in the origin event.
struct ResolvedEntry {
    person_id: String,
    rank: i32,
    nominating_org_id: Option<String>,
    /// Their registration in the origin event, where there is one.
    origin: Option<RegistrationRow>,
}

/// Finds a hand-made list's entry in the origin event. Where that event published results here,
/// the entry must be in them at the rank they give: an organiser admits the lower tier's
/// ranking, not a list of their own making.
fn resolve_entry(
    conn: &mut DbConnection,
    origin_event: &EventRow,
    published_set: Option<&str>,
    i: usize,
    entry: &QualifierEntry,
) -> ApiResult<ResolvedEntry> {
    let field = |name: &str| format!("entries[{i}].{name}");
    let origin = match (&entry.origin_registration_id, &entry.person_id) {
        (Some(id), None) => {
            let id = parse_id(&field("origin_registration_id"), id)?;
            let found = store::registrations::find(conn, &id)?.filter(|r| r.event_id == origin_event.id);
            Some(found.ok_or_else(|| {
                ApiError::field(
                    &field("origin_registration_id"),
                    "not_in_origin_event",
                    "no registration of the origin event has this id",
                )
            })?)
        }
        (None, Some(person_id)) => {
            let person_id = parse_id(&field("person_id"), person_id)?;
            let found =
                store::registrations::of_person(conn, &person_id)?.into_iter().find(|r| r.event_id == origin_event.id);
            match found {
                Some(r) => Some(r),
                None if published_set.is_none() => {
                    return Ok(ResolvedEntry {
                        person_id,
                        rank: entry.rank,
                        nominating_org_id: entry.nominating_org_id.clone(),
                        origin: None,
                    })
                }
                None => {
                    return Err(ApiError::field(
                        &field("person_id"),
                        "not_in_ranking",
                        "this person is not in the origin event's published results",
                    ))
                }
            }
        }
        _ => {
            return Err(ApiError::field(
                &format!("entries[{i}]"),
                "one_of",
                "name either origin_registration_id or person_id",
            ))
        }
    };
    let origin = origin.ok_or_else(|| ApiError::internal("entry without origin"))?;
    if let Some(set) = published_set {
        let row = store::results::row_of(conn, set, &origin.id)?.ok_or_else(|| {
            ApiError::field(
                &field("rank"),
                "not_in_ranking",
                "this entry is not in the origin event's published results",
            )
        })?;
        if row.rank != entry.rank {
            return Err(ApiError::field(
                &field("rank"),
                "rank_mismatch",
                format!("the origin event's published results rank this entry {}", row.rank),
            ));
        }
    }
    Ok(ResolvedEntry {
        person_id: origin.person_id.clone(),
        rank: entry.rank,
        nominating_org_id: entry.nominating_org_id.clone().or_else(|| Some(origin.nominating_org_id.clone())),
        origin: Some(origin),
    })
}

/// A team's accepted members as a sign-up names them.
fn team_members_of(conn: &mut DbConnection, registration_id: &str) -> ApiResult<Vec<MemberInput>> {
    let mut members = Vec::new();
    for m in store::registrations::members_of(conn, registration_id)?.into_iter().filter(|m| m.accepted_at.is_some()) {
        let (person, _) =
            store::persons::find(conn, &m.person_id)?.ok_or_else(|| ApiError::internal("member without person"))?;
        members.push(MemberInput { id_number: person.id_number, full_name: person.full_name, role: Some(m.role) });
    }
    Ok(members)
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
    next.approvals = crate::domain::registration::approvals_of(to);
    let promoted = save_status(conn, actor, next, to, "promote", Some("a place fell free (递补)".into()), now)?;
    Ok(Some(promoted))
}

/// Registers an event's best finishers into the matching event (same trade, track and mode) of the
/// competition it feeds, once that competition's organisers accepted the link, marked with their
/// origin: the qualifiers count take places (waiting for the higher tier's review), as many again
/// wait in line as reserves. Each is checked against the next tier's rules and quotas as if they
/// signed up there; one refused is passed over and the next in line moves up
/// (`domain::registration::next_advancement`). What became of each, and why, is kept for both
/// tiers' organisers (`outcomes`). Returns how many were entered.
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
    let mut ranked: Vec<&ResultRow> = rows.iter().collect();
    ranked.sort_by_key(|r| (r.rank, r.station_number));
    let outcome =
        |row: &ResultRow, target_event: Option<&str>, advancement: &Advancement, registration: Option<String>| {
            let (kind, reasons) = match advancement {
                Advancement::Place => ("place", Vec::new()),
                Advancement::Reserve => ("reserve", Vec::new()),
                Advancement::Refused(reasons) => ("refused", reasons.clone()),
            };
            OutcomeRow {
                id: new_id(),
                origin_event_id: event.id.clone(),
                origin_registration_id: row.registration_id.clone(),
                origin_rank: row.rank,
                target_competition_id: Some(target_id.clone()),
                target_event_id: target_event.map(String::from),
                outcome: kind.into(),
                reasons: serde_json::to_string(&reasons).unwrap_or_else(|_| "[]".into()),
                registration_id: registration,
                decided_at: now,
            }
        };
    // Why nobody can go on at all, if so: said of each who would have qualified.
    let target = store::competitions::find(conn, &target_id)?.map(|(t, _, _)| t);
    let target_event = match &target {
        Some(t) => store::events::of_competition(conn, &t.id)?
            .into_iter()
            .map(|(e, _, _)| e)
            .find(|e| e.trade_id == event.trade_id && e.track == event.track && e.mode == event.mode),
        None => None,
    };
    let closed = match &target {
        None => Some(Violation::new("feeds_into_id", "unknown_competition", "the next tier's competition is gone")),
        Some(_) if competition.feeds_into_accepted_at.is_none() => Some(Violation::new(
            "feeds_into_id",
            "link_not_accepted",
            "the next tier's organisers have not accepted this competition's link",
        )),
        Some(t)
            if !matches!(
                t.status()?,
                Status::Draft | Status::Published | Status::RegistrationOpen | Status::RegistrationClosed
            ) =>
        {
            Some(Violation::new(
                "feeds_into_id",
                "next_tier_closed",
                format!("the next tier is already {}", t.status()?),
            ))
        }
        Some(t) if target_event.is_none() => Some(Violation::new(
            "feeds_into_id",
            "no_matching_event",
            format!("'{}' has no event of this trade, track and mode", t.name),
        )),
        _ => None,
    };
    let (Some(target), Some(target_event), None) = (target, target_event.clone(), closed.clone()) else {
        let refused = Advancement::Refused(closed.into_iter().collect());
        let known = target_event.as_ref().map(|e| e.id.as_str());
        let outcomes: Vec<OutcomeRow> = ranked.iter().take(places).map(|r| outcome(r, known, &refused, None)).collect();
        store::qualifiers::insert(conn, &outcomes)?;
        record(
            conn,
            actor,
            "results.qualifiers_refused",
            ("event", &event.id),
            None,
            Some(serde_json::json!({ "target": target_id, "refused": outcomes.len() })),
        )?;
        return Ok(0);
    };
    let (mut placed, mut reserves) = (0, 0);
    let mut outcomes = Vec::new();
    for row in ranked {
        let Some(origin) = store::registrations::find(conn, &row.registration_id)? else { continue };
        let reasons = reasons_to_refuse(conn, &target_event, &target, &origin)?;
        let Some(advancement) = next_advancement(places, placed, reserves, reasons) else { break };
        let entered = match advancement {
            Advancement::Refused(_) => None,
            Advancement::Place | Advancement::Reserve => {
                let reserve = advancement == Advancement::Reserve;
                let registration = enter_qualifier(
                    conn,
                    actor,
                    &competition,
                    event,
                    &target_event,
                    &origin,
                    row.rank,
                    reserve.then_some(reserves as i32 + 1),
                    now,
                )?;
                if reserve {
                    reserves += 1
                } else {
                    placed += 1
                }
                Some(registration)
            }
        };
        outcomes.push(outcome(row, Some(&target_event.id), &advancement, entered));
    }
    store::qualifiers::insert(conn, &outcomes)?;
    let refused = outcomes.iter().filter(|o| o.outcome == "refused").count();
    record(
        conn,
        actor,
        "results.qualifiers",
        ("event", &event.id),
        None,
        Some(serde_json::json!({ "target_event": target_event.id, "entered": placed + reserves, "refused": refused })),
    )?;
    Ok(placed + reserves)
}

/// Every reason the next tier's event would refuse the qualifier (and, for a team, each
/// team-mate) as a sign-up there.
fn reasons_to_refuse(
    conn: &mut DbConnection,
    target_event: &EventRow,
    target: &crate::store::competitions::CompetitionRow,
    origin: &RegistrationRow,
) -> ApiResult<Vec<Violation>> {
    let unit = store::organisations::find(conn, &origin.nominating_org_id)?
        .ok_or_else(|| ApiError::internal("registration without unit"))?;
    let (person, _) = store::persons::find(conn, &origin.person_id)?
        .ok_or_else(|| ApiError::internal("registration without person"))?;
    let mut reasons = eligibility(conn, target_event, target, &person, &unit, None)?;
    let mates = store::registrations::competing_members(conn, std::slice::from_ref(&origin.id))?;
    for (i, (_, mate)) in mates.iter().enumerate() {
        // The team takes one place: the quotas are the captain's to meet.
        for r in eligibility(conn, target_event, target, mate, &unit, None)? {
            if !crate::domain::registration::is_quota(&r.code) {
                reasons.push(Violation::new(
                    &format!("members[{i}]"),
                    &r.code,
                    format!("{}: {}", mate.full_name, r.message),
                ));
            }
        }
    }
    Ok(reasons)
}

/// Enters a qualifier (the whole team, for a team) in the next tier with the identity the
/// qualifying round recorded; returns the new registration's id.
#[allow(clippy::too_many_arguments)]
fn enter_qualifier(
    conn: &mut DbConnection,
    actor: &Actor,
    competition: &crate::store::competitions::CompetitionRow,
    event: &EventRow,
    target_event: &EventRow,
    origin: &RegistrationRow,
    rank: i32,
    reserve_rank: Option<i32>,
    now: NaiveDateTime,
) -> ApiResult<String> {
    let status = qualifier_status(reserve_rank.is_some(), target_event.review_levels);
    let registration = RegistrationRow {
        id: new_id(),
        event_id: target_event.id.clone(),
        competition_id: target_event.competition_id.clone(),
        person_id: origin.person_id.clone(),
        team_name: origin.team_name.clone(),
        nominating_org_id: origin.nominating_org_id.clone(),
        status: status.as_str().into(),
        origin_competition_id: Some(competition.id.clone()),
        origin_event_id: Some(event.id.clone()),
        origin_rank: Some(rank),
        // The place on the reserve list (1 = first to move up), not the rank in the origin event.
        reserve_rank,
        ticket_number: None,
        status_reason: None,
        submitted_by: Some(actor.user_id.clone()),
        checked_in_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
        entrant_name: origin.entrant_name.clone(),
        entrant_id_number: origin.entrant_id_number.clone(),
        entrant_gender: origin.entrant_gender.clone(),
        entrant_birth_date: origin.entrant_birth_date,
        approvals: crate::domain::registration::approvals_of(status),
    };
    store::registrations::insert(conn, &registration)?;
    // The whole team goes on: its team-mates and advisors, who accepted in the round they won.
    let team: Vec<store::registrations::MemberRow> = store::registrations::members_of(conn, &origin.id)?
        .into_iter()
        .filter(|m| m.accepted_at.is_some())
        .map(|m| store::registrations::MemberRow {
            id: new_id(),
            registration_id: registration.id.clone(),
            accepted_at: Some(now),
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
        Some(format!("{} 第{}名", competition.name, rank)),
        now,
    )?;
    Ok(registration.id)
}

/// What became of the qualifiers of an event, or of those who qualified for it: for the
/// organisers of either tier.
pub async fn outcomes(db: &Db, actor: Actor, event_id: String) -> ApiResult<Vec<QualifierOutcomeOut>> {
    db.read(move |conn| {
        let (event, _, _) = store::events::find(conn, &event_id)?.ok_or_else(|| ApiError::not_found("event"))?;
        load::managed_competition(conn, &actor, &event.competition_id)?;
        let mut names = std::collections::HashMap::new();
        let mut event_name = |conn: &mut DbConnection, id: &str| -> ApiResult<String> {
            if let Some(n) = names.get(id) {
                return Ok(String::clone(n));
            }
            let name = store::events::find(conn, id)?.map(|(e, _, _)| e.name).unwrap_or_default();
            names.insert(id.to_string(), name.clone());
            Ok(name)
        };
        let mut out = Vec::new();
        for o in store::qualifiers::of_event(conn, &event_id)? {
            let origin = store::registrations::find(conn, &o.origin_registration_id)?
                .ok_or_else(|| ApiError::internal("outcome without registration"))?;
            let unit = store::organisations::find(conn, &origin.nominating_org_id)?.map(|u| u.name).unwrap_or_default();
            out.push(QualifierOutcomeOut {
                origin_event_name: event_name(conn, &o.origin_event_id)?,
                target_event_name: match &o.target_event_id {
                    Some(id) => Some(event_name(conn, id)?),
                    None => None,
                },
                origin_event_id: o.origin_event_id,
                origin_rank: o.origin_rank,
                full_name: origin.entrant_name,
                team_name: origin.team_name,
                nominating_org_name: unit,
                target_event_id: o.target_event_id,
                outcome: o.outcome,
                reasons: serde_json::from_str(&o.reasons).unwrap_or_default(),
                registration_id: o.registration_id,
                decided_at: utc(o.decided_at),
            });
        }
        Ok(out)
    })
    .await
}
