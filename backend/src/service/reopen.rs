//! Re-opening a locked mark: the chief judge asks, a supervisor who is not the requester decides.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;

use crate::auth::Actor;
use crate::db::Db;
use crate::db::DbConnection;
use crate::domain::ranking::AppealStatus;
use crate::domain::reopen::Blindness;
use crate::domain::reopen::{self, ReopenRefusal};
use crate::domain::role::EventRole;
use crate::domain::scoring::{check_mark, from_centi, to_centi, AspectKind};
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::service::judging::aspects_by_id;
use crate::service::judging::competing_stations;
use crate::service::load;
use crate::store::judging::{AspectRow, MarkRow, ReopenRow};
use crate::store::{self, new_id};
use crate::wire::reopen::{ReopenOut, ReopenRequest, StationMark, StationMarksOut};
use crate::wire::utc;

/// "1.10.2" sorts after "1.9.1".
pub fn natural_code(code: &str) -> Vec<u32> {
    code.split('.').map(|p| p.parse().unwrap_or(u32::MAX)).collect()
}

pub fn reopen_out(
    request: &ReopenRow,
    mark: &MarkRow,
    aspects: &HashMap<String, AspectRow>,
    names: &HashMap<String, String>,
) -> ReopenOut {
    let name = |id: &str| names.get(id).cloned().unwrap_or_default();
    ReopenOut {
        id: request.id.clone(),
        mark_id: mark.id.clone(),
        station_number: mark.station_number,
        aspect_code: aspects.get(&mark.aspect_id).map(|a| a.code.clone()).unwrap_or_default(),
        judge: name(&mark.judge_user_id),
        status: request.status.clone(),
        old_value: from_centi(request.old_value_centi),
        new_value: from_centi(request.new_value_centi),
        reason: request.reason.clone(),
        requested_by: name(&request.requested_by),
        decided_by: request.approved_by.as_deref().map(name),
        created_at: utc(request.created_at),
        decided_at: request.decided_at.map(utc),
    }
}

/// The usernames some requests name (judges, requesters, deciders), in one query.
pub fn names_in<'a>(
    conn: &mut DbConnection,
    requests: impl IntoIterator<Item = (&'a ReopenRow, &'a MarkRow)>,
) -> ApiResult<HashMap<String, String>> {
    let ids: Vec<String> = requests
        .into_iter()
        .flat_map(|(r, m)| [Some(m.judge_user_id.clone()), Some(r.requested_by.clone()), r.approved_by.clone()])
        .flatten()
        .collect();
    Ok(store::users::usernames(conn, &ids)?)
}

/// One request as answered after a change.
pub fn one_reopen_out(conn: &mut DbConnection, request: &ReopenRow, mark: &MarkRow) -> ApiResult<ReopenOut> {
    let aspects = aspects_by_id(conn, &mark.event_id)?;
    let names = names_in(conn, [(request, mark)])?;
    Ok(reopen_out(request, mark, &aspects, &names))
}

/// Whether names are known for the mark's event, and if so whether an upheld appeal covers the
/// contestant at the mark's station.
fn blindness_of(conn: &mut DbConnection, mark: &MarkRow) -> ApiResult<Blindness> {
    if store::judging::judging_of(conn, &mark.event_id)?.decrypted_at.is_none() {
        return Ok(Blindness::Blind);
    }
    let at_station = competing_stations(conn, &mark.event_id)?.remove(&mark.station_number);
    let appeal_upheld = store::results::appeals_of_event(conn, &mark.event_id)?
        .iter()
        .any(|a| Some(&a.registration_id) == at_station.as_ref() && a.is(AppealStatus::Upheld));
    Ok(Blindness::NamesKnown { appeal_upheld })
}

/// A supervisor who is not the requester decides a pending request (`approved` or `declined`):
/// returns the request as decided, its mark and the moment.
pub fn decide(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    status: &str,
    what: &str,
    now: chrono::NaiveDateTime,
) -> ApiResult<(ReopenRow, MarkRow, NaiveDateTime)> {
    let mut request = store::judging::find_reopen(conn, id)?.ok_or_else(|| ApiError::not_found("re-open request"))?;
    let mark = store::judging::find_mark(conn, &request.mark_id)?.ok_or_else(|| ApiError::not_found("mark"))?;
    load::roles_requiring(conn, actor, &mark.event_id, &[EventRole::Supervisor], what)?;
    reopen::may_decide(&request.requested_by, &actor.user_id, &request.status)
        .map_err(|refusal| ApiError::conflict(refusal.code(), refusal.message()))?;
    if status == "approved" {
        reopen::may_still_change(blindness_of(conn, &mark)?)
            .map_err(|refusal| ApiError::conflict(refusal.code(), refusal.message()))?;
    }
    let at = now;
    if !store::judging::decide_reopen(conn, &request.id, status, &actor.user_id, at)? {
        return Err(ApiError::conflict("already_decided", "this request has already been decided"));
    }
    request.status = status.to_string();
    request.approved_by = Some(actor.user_id.clone());
    request.decided_at = Some(at);
    Ok((request, mark, at))
}

pub async fn station_marks(
    db: &Db,
    actor: Actor,
    event_id: String,
    _id: String,
    station_number: i32,
) -> ApiResult<StationMarksOut> {
    db.read(move |conn| {
        load::roles_requiring(conn, &actor, &event_id, OVERSEERS, "a station's marks")?;
        let aspects = aspects_by_id(conn, &event_id)?;
        let rows = store::judging::marks_at_station(conn, &event_id, station_number)?;
        let pending: HashSet<String> = store::judging::pending_reopen_marks(conn, &event_id)?.into_iter().collect();
        let judge_ids: Vec<String> = rows.iter().map(|m| m.judge_user_id.clone()).collect();
        let judges = store::users::usernames(conn, &judge_ids)?;
        let mut marks: Vec<StationMark> = rows
            .iter()
            .filter_map(|m| {
                let aspect = aspects.get(&m.aspect_id)?;
                Some(StationMark {
                    id: m.id.clone(),
                    aspect_id: m.aspect_id.clone(),
                    aspect_code: aspect.code.clone(),
                    criterion: aspect.criterion.clone(),
                    description: aspect.description.clone(),
                    kind: AspectKind::parse(&aspect.kind).unwrap_or(AspectKind::Measurement),
                    judge: judges.get(&m.judge_user_id).cloned().unwrap_or_default(),
                    value: from_centi(m.value_centi),
                    max: from_centi(aspect.max_centi),
                    status: m.status.clone(),
                    version: m.version,
                    reopen_pending: pending.contains(&m.id),
                })
            })
            .collect();
        marks.sort_by(|a, b| {
            natural_code(&a.aspect_code).cmp(&natural_code(&b.aspect_code)).then(a.judge.cmp(&b.judge))
        });
        Ok(StationMarksOut { event_id, station_number, marks })
    })
    .await
}

pub async fn list_reopens(db: &Db, actor: Actor, event_id: String) -> ApiResult<Vec<ReopenOut>> {
    db.read(move |conn| {
        load::roles_requiring(conn, &actor, &event_id, OVERSEERS, "re-open requests")?;
        let aspects = aspects_by_id(conn, &event_id)?;
        let requests = store::judging::reopens_of_event(conn, &event_id)?;
        let names = names_in(conn, requests.iter().map(|(r, m)| (r, m)))?;
        Ok(requests.iter().map(|(request, mark)| reopen_out(request, mark, &aspects, &names)).collect::<Vec<_>>())
    })
    .await
}

pub async fn request_reopen(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    id: String,
    input: ReopenRequest,
    reason: String,
) -> ApiResult<ReopenOut> {
    db.write(move |conn| {
        let mark = store::judging::find_mark(conn, &id)?.ok_or_else(|| ApiError::not_found("mark"))?;
        load::roles_requiring(conn, &actor, &mark.event_id, &[EventRole::ChiefJudge], "re-opening a mark")?;
        let aspects = aspects_by_id(conn, &mark.event_id)?;
        let aspect = aspects.get(&mark.aspect_id).ok_or_else(|| ApiError::internal("mark without aspect"))?;
        check_mark(
            AspectKind::parse(&aspect.kind).unwrap_or(AspectKind::Measurement),
            from_centi(aspect.max_centi),
            input.new_value,
        )
        .map_err(|m| Violation::new("new_value", "out_of_range", m))?;
        // check_mark accepted it: at most two decimals.
        let new_value_centi = to_centi(input.new_value).unwrap_or_default();
        let pending = store::judging::has_pending_reopen(conn, &mark.id)?;
        let blindness = blindness_of(conn, &mark)?;
        reopen::may_ask(mark.status()?, pending, mark.value_centi, new_value_centi, blindness).map_err(|refusal| match refusal {
            ReopenRefusal::Unchanged => Violation::new("new_value", refusal.code(), refusal.message()).into(),
            _ => ApiError::conflict(refusal.code(), refusal.message()),
        })?;
        let row = ReopenRow {
            id: new_id(),
            mark_id: mark.id.clone(),
            new_value_centi,
            reason,
            requested_by: actor.user_id.clone(),
            status: "pending".into(),
            approved_by: None,
            created_at: now,
            decided_at: None,
            old_value_centi: mark.value_centi,
        };
        store::judging::insert_reopen(conn, &row)?;
        record(
            conn,
            &actor,
            "judging.reopen_request",
            ("mark", &mark.id),
            None,
            Some(serde_json::json!({ "request_id": row.id, "new_value": from_centi(new_value_centi), "reason": row.reason })),
        )?;
        one_reopen_out(conn, &row, &mark)
    })
    .await
}

pub async fn approve_reopen(db: &Db, actor: Actor, now: NaiveDateTime, id: String) -> ApiResult<ReopenOut> {
    db.write(move |conn| {
        let (request, mut mark, at) = decide(conn, &actor, &id, "approved", "approving a re-opening", now)?;
        let before = mark.value_centi;
        let expected = mark.version;
        mark.value_centi = request.new_value_centi;
        mark.version += 1;
        mark.updated_at = at;
        if !store::judging::update_mark(conn, &mark, expected)? {
            return Err(ApiError::precondition_failed("the mark changed at the same moment"));
        }
        record(
            conn,
            &actor,
            "judging.reopen",
            ("mark", &mark.id),
            Some(serde_json::json!({ "value": from_centi(before) })),
            Some(serde_json::json!({
                "value": from_centi(mark.value_centi),
                "request_id": request.id,
                "reason": request.reason,
                "requested_by": request.requested_by,
            })),
        )?;
        one_reopen_out(conn, &request, &mark)
    })
    .await
}

pub async fn decline_reopen(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    id: String,
    reason: String,
) -> ApiResult<ReopenOut> {
    db.write(move |conn| {
        let (request, mark, _) = decide(conn, &actor, &id, "declined", "declining a re-opening", now)?;
        record(
            conn,
            &actor,
            "judging.reopen_decline",
            ("mark", &mark.id),
            None,
            Some(serde_json::json!({ "request_id": request.id, "reason": reason })),
        )?;
        one_reopen_out(conn, &request, &mark)
    })
    .await
}

/// Who may look at a station's marks and the re-open requests.
pub const OVERSEERS: &[EventRole] = &[EventRole::ChiefJudge, EventRole::Supervisor];
