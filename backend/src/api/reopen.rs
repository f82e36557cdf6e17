//! The two-person re-open of a locked mark: the chief judge looks at a station's marks, asks to
//! change one with a reason, and a supervisor (never the same person) approves or declines. The
//! audit trail keeps both values.

use std::collections::{HashMap, HashSet};

use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDateTime;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{parse_id, record, utc, JsonBody, ProblemResponses};
use crate::auth::Actor;
use crate::db::DbConnection;
use crate::domain::reopen::{self, ReopenRefusal};
use crate::domain::role::EventRole;
use crate::domain::scoring::{check_mark, from_centi, to_centi, AspectKind};
use crate::domain::{text, Violation};
use crate::error::{ApiError, ApiResult};
use crate::service::judging::aspects_by_id;
use crate::service::load;
use crate::store::judging::{AspectRow, MarkRow, ReopenRow};
use crate::store::{self, new_id};
use crate::wire::reopen::{DeclineReopen, ReopenOut, ReopenRequest, StationMark, StationMarksOut};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(station_marks)
        .service(list_reopens)
        .service(request_reopen)
        .service(approve_reopen)
        .service(decline_reopen);
}

/// Who may look at a station's marks and the re-open requests.
const OVERSEERS: &[EventRole] = &[EventRole::ChiefJudge, EventRole::Supervisor];

/// Every judge's marks at one station, by aspect (chief judge and supervisor).
#[utoipa::path(tag = "judging", responses((status = 200, body = StationMarksOut), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/judging/stations/{station}/marks")]
pub async fn station_marks(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, i32)>,
) -> ApiResult<HttpResponse> {
    let (id, station_number) = path.into_inner();
    let event_id = parse_id("id", &id)?;
    let out = state
        .db
        .read(move |conn| {
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
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// "1.10.2" sorts after "1.9.1".
fn natural_code(code: &str) -> Vec<u32> {
    code.split('.').map(|p| p.parse().unwrap_or(u32::MAX)).collect()
}

fn reopen_out(
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
fn names_in<'a>(
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
fn one_reopen_out(conn: &mut DbConnection, request: &ReopenRow, mark: &MarkRow) -> ApiResult<ReopenOut> {
    let aspects = aspects_by_id(conn, &mark.event_id)?;
    let names = names_in(conn, [(request, mark)])?;
    Ok(reopen_out(request, mark, &aspects, &names))
}

/// An event's re-open requests, newest first (chief judge and supervisor).
#[utoipa::path(tag = "judging", responses((status = 200, body = [ReopenOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/judging/reopen-requests")]
pub async fn list_reopens(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let out = state
        .db
        .read(move |conn| {
            load::roles_requiring(conn, &actor, &event_id, OVERSEERS, "re-open requests")?;
            let aspects = aspects_by_id(conn, &event_id)?;
            let requests = store::judging::reopens_of_event(conn, &event_id)?;
            let names = names_in(conn, requests.iter().map(|(r, m)| (r, m)))?;
            Ok(requests.iter().map(|(request, mark)| reopen_out(request, mark, &aspects, &names)).collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The chief judge asks to change a locked mark, with a reason; a supervisor must approve.
#[utoipa::path(tag = "judging", request_body = ReopenRequest, responses((status = 201, body = ReopenOut), ProblemResponses), security(("bearer" = [])))]
#[post("/marks/{id}/reopen")]
pub async fn request_reopen(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<ReopenRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let input = body.0;
    let reason = text::required("reason", &input.reason, 500)?;
    let out = state
        .db
        .write(move |conn| {
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
            reopen::may_ask(mark.status()?, pending, mark.value_centi, new_value_centi).map_err(|refusal| match refusal {
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
        .await?;
    Ok(HttpResponse::Created().json(out))
}

/// A supervisor who is not the requester decides a pending request (`approved` or `declined`):
/// returns the request as decided, its mark and the moment.
fn decide(
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
    let at = now;
    if !store::judging::decide_reopen(conn, &request.id, status, &actor.user_id, at)? {
        return Err(ApiError::conflict("already_decided", "this request has already been decided"));
    }
    request.status = status.to_string();
    request.approved_by = Some(actor.user_id.clone());
    request.decided_at = Some(at);
    Ok((request, mark, at))
}

/// A supervisor (never the requester) approves a re-opening: the mark takes its new value and the
/// audit trail keeps both values.
#[utoipa::path(tag = "judging", responses((status = 200, body = ReopenOut), ProblemResponses), security(("bearer" = [])))]
#[post("/reopen-requests/{id}/approve")]
pub async fn approve_reopen(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let out = state
        .db
        .write(move |conn| {
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
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// A supervisor declines a re-opening, with a reason; the mark keeps its value.
#[utoipa::path(tag = "judging", request_body = DeclineReopen, responses((status = 200, body = ReopenOut), ProblemResponses), security(("bearer" = [])))]
#[post("/reopen-requests/{id}/decline")]
pub async fn decline_reopen(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<DeclineReopen>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let reason = text::required("reason", &body.0.reason, 500)?;
    let out = state
        .db
        .write(move |conn| {
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
        .await?;
    Ok(HttpResponse::Ok().json(out))
}
