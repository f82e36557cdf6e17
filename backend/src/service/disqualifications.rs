//! Disqualification (取消资格): the chief judge proposes it for a station, a supervisor who is not
//! the proposer decides (`domain::disqualification`). Approval makes the registration
//! `disqualified`; results computed before it are computed again before they go further.

use chrono::NaiveDateTime;

use crate::auth::Actor;
use crate::db::{Db, DbConnection};
use crate::domain::disqualification::{self, DisqualificationStatus, Ground};
use crate::domain::ranking::ResultSetStatus;
use crate::domain::registration::RegistrationStatus;
use crate::domain::role::EventRole;
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::service::load;
use crate::service::registrations::save_status;
use crate::store::disqualifications::DisqualificationRow;
use crate::store::{self, new_id};
use crate::wire::judging::{DisqualificationDecision, DisqualificationOut, DisqualificationProposal};
use crate::wire::results::DisqualifiedEntry;
use crate::wire::utc;

fn refused(refusal: disqualification::DisqualificationRefusal) -> ApiError {
    ApiError::conflict(refusal.code(), refusal.message())
}

fn out(row: &DisqualificationRow, names: &std::collections::HashMap<String, String>) -> DisqualificationOut {
    let name = |id: &str| names.get(id).cloned().unwrap_or_default();
    DisqualificationOut {
        id: row.id.clone(),
        event_id: row.event_id.clone(),
        station_number: row.station_number,
        ground: Ground::parse(&row.ground).unwrap_or(Ground::Other),
        reason: row.reason.clone(),
        status: DisqualificationStatus::parse(&row.status).unwrap_or(DisqualificationStatus::Pending),
        requested_by: name(&row.requested_by),
        decided_by: row.decided_by.as_deref().map(name),
        decision_note: row.decision_note.clone(),
        created_at: utc(row.created_at),
        decided_at: row.decided_at.map(utc),
    }
}

fn outs(conn: &mut DbConnection, rows: &[DisqualificationRow]) -> ApiResult<Vec<DisqualificationOut>> {
    let ids: Vec<String> =
        rows.iter().flat_map(|r| [Some(r.requested_by.clone()), r.decided_by.clone()]).flatten().collect();
    let names = store::users::usernames(conn, &ids)?;
    Ok(rows.iter().map(|r| out(r, &names)).collect())
}

/// The status of the event's latest results, if any have been computed.
fn results_status(conn: &mut DbConnection, event_id: &str) -> ApiResult<Option<ResultSetStatus>> {
    Ok(store::results::latest(conn, event_id)?.map(|set| set.status()).transpose()?)
}

pub async fn propose(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    event_id: String,
    input: DisqualificationProposal,
    reason: String,
) -> ApiResult<DisqualificationOut> {
    db.write(move |conn| {
        load::roles_requiring(conn, &actor, &event_id, &[EventRole::ChiefJudge], "proposing a disqualification")?;
        // A station nobody was drawn to and one whose contestant cannot be reached answer alike
        // until the status is looked at: the chief judge learns nothing about who sits where.
        let assignment = store::draws::assignments_of(conn, &event_id)?
            .into_iter()
            .find(|a| a.station_number == input.station_number)
            .ok_or_else(|| {
                Violation::new("station_number", "unknown_station", "no contestant was drawn to this station")
            })?;
        let registration = store::registrations::find(conn, &assignment.registration_id)?
            .ok_or_else(|| ApiError::internal("draw without registration"))?;
        let pending = store::disqualifications::of_event(conn, &event_id)?
            .iter()
            .any(|d| d.registration_id == registration.id && d.status == DisqualificationStatus::Pending.as_str());
        disqualification::may_propose(registration.status()?, pending, results_status(conn, &event_id)?)
            .map_err(refused)?;
        let row = DisqualificationRow {
            id: new_id(),
            event_id: event_id.clone(),
            registration_id: registration.id.clone(),
            station_number: input.station_number,
            ground: input.ground.as_str().into(),
            reason,
            status: DisqualificationStatus::Pending.as_str().into(),
            requested_by: actor.user_id.clone(),
            decided_by: None,
            decision_note: None,
            created_at: now,
            decided_at: None,
        };
        store::disqualifications::insert(conn, &row)?;
        record(
            conn,
            &actor,
            "disqualification.propose",
            ("event", &event_id),
            None,
            Some(serde_json::json!({
                "disqualification": row.id,
                "station_number": row.station_number,
                "ground": row.ground,
                "reason": row.reason,
            })),
        )?;
        Ok(outs(conn, std::slice::from_ref(&row))?.remove(0))
    })
    .await
}

pub async fn decide(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    id: String,
    decision: DisqualificationDecision,
) -> ApiResult<DisqualificationOut> {
    db.write(move |conn| {
        let mut row =
            store::disqualifications::find(conn, &id)?.ok_or_else(|| ApiError::not_found("disqualification"))?;
        load::roles_requiring(conn, &actor, &row.event_id, &[EventRole::Supervisor], "deciding a disqualification")?;
        let note = match (&decision.note, decision.approve) {
            (Some(note), _) => Some(crate::domain::text::required("note", note, 500)?),
            (None, false) => return Err(Violation::new("note", "required", "say why the proposal is declined").into()),
            (None, true) => None,
        };
        let registration = store::registrations::find(conn, &row.registration_id)?
            .ok_or_else(|| ApiError::not_found("registration"))?;
        let status = DisqualificationStatus::parse(&row.status).unwrap_or(DisqualificationStatus::Pending);
        disqualification::may_decide(
            &row.requested_by,
            &actor.user_id,
            status,
            decision.approve,
            registration.status()?,
            results_status(conn, &row.event_id)?,
        )
        .map_err(refused)?;
        let to = if decision.approve { DisqualificationStatus::Approved } else { DisqualificationStatus::Declined };
        if !store::disqualifications::decide(conn, &row.id, to.as_str(), &actor.user_id, note.as_deref(), now)? {
            return Err(ApiError::conflict("already_decided", "this proposal was decided meanwhile"));
        }
        row.status = to.as_str().into();
        row.decided_by = Some(actor.user_id.clone());
        row.decision_note = note;
        row.decided_at = Some(now);
        if decision.approve {
            let ground = Ground::parse(&row.ground).unwrap_or(Ground::Other);
            save_status(
                conn,
                Some(&actor),
                registration,
                RegistrationStatus::Disqualified,
                "disqualify",
                Some(format!("{ground}: {}", row.reason)),
                now,
            )?;
        }
        record(
            conn,
            &actor,
            "disqualification.decide",
            ("event", &row.event_id),
            Some(serde_json::json!({ "disqualification": row.id, "status": "pending" })),
            Some(serde_json::json!({ "disqualification": row.id, "status": row.status, "note": row.decision_note })),
        )?;
        Ok(outs(conn, std::slice::from_ref(&row))?.remove(0))
    })
    .await
}

pub async fn list(db: &Db, actor: Actor, event_id: String) -> ApiResult<Vec<DisqualificationOut>> {
    db.read(move |conn| {
        load::overseen_event(conn, &actor, &event_id, "disqualifications")?;
        let rows = store::disqualifications::of_event(conn, &event_id)?;
        outs(conn, &rows)
    })
    .await
}

/// Results computed at `computed_at` may go on (be published, made final) only if no
/// disqualification waits and none was approved after them.
pub fn require_results_current(conn: &mut DbConnection, event_id: &str, computed_at: NaiveDateTime) -> ApiResult<()> {
    let rows = store::disqualifications::of_event(conn, event_id)?;
    if let Some(pending) = rows.iter().find(|d| d.status == DisqualificationStatus::Pending.as_str()) {
        return Err(ApiError::conflict(
            "disqualification_pending",
            format!("the disqualification at station {} waits for a supervisor's decision", pending.station_number),
        ));
    }
    if let Some(since) = rows.iter().find(|d| approved_after(d, computed_at)) {
        return Err(ApiError::conflict(
            "disqualified_since",
            format!(
                "station {} was disqualified after these results were computed: compute them again",
                since.station_number
            ),
        ));
    }
    Ok(())
}

fn approved_after(row: &DisqualificationRow, at: NaiveDateTime) -> bool {
    row.status == DisqualificationStatus::Approved.as_str() && row.decided_at.is_some_and(|d| d > at)
}

/// Whether a contestant was disqualified after results computed at `at`.
pub fn approved_since(conn: &mut DbConnection, event_id: &str, at: NaiveDateTime) -> ApiResult<bool> {
    Ok(store::disqualifications::of_event(conn, event_id)?.iter().any(|d| approved_after(d, at)))
}

/// The contestants disqualified when results were computed at `at`, as those results show them.
pub fn disqualified_at(
    conn: &mut DbConnection,
    event_id: &str,
    at: NaiveDateTime,
) -> ApiResult<Vec<DisqualifiedEntry>> {
    let mut entries = Vec::new();
    for row in store::disqualifications::of_event(conn, event_id)? {
        if row.status != DisqualificationStatus::Approved.as_str() || row.decided_at.is_none_or(|d| d > at) {
            continue;
        }
        let registration = store::registrations::find(conn, &row.registration_id)?
            .ok_or_else(|| ApiError::internal("disqualification without registration"))?;
        let unit =
            store::organisations::find(conn, &registration.nominating_org_id)?.map(|o| o.name).unwrap_or_default();
        entries.push(DisqualifiedEntry {
            station_number: row.station_number,
            registration_id: registration.id,
            full_name: registration.entrant_name,
            nominating_org_name: unit,
            ground: Ground::parse(&row.ground).unwrap_or(Ground::Other),
        });
    }
    entries.sort_by_key(|e| e.station_number);
    Ok(entries)
}
