//! The two-person re-open of a locked mark: the chief judge looks at a station's marks, asks to
//! change one with a reason, and a supervisor (never the same person) approves or declines. The
//! audit trail keeps both values.

use std::collections::HashMap;

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::judging::{aspects_by_id, require_role};
use super::{parse_id, record, utc, JsonBody, ProblemResponses};
use crate::auth::Actor;
use crate::db::{now, DbConnection};
use crate::domain::role::EventRole;
use crate::domain::scoring::{check_mark, from_centi, to_centi, AspectKind};
use crate::domain::{text, Violation};
use crate::error::{ApiError, ApiResult};
use crate::store::judging::{AspectRow, MarkRow, ReopenRow};
use crate::store::{self, new_id};
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

#[derive(Debug, Serialize, ToSchema)]
pub struct StationMark {
    pub id: String,
    pub aspect_id: String,
    pub aspect_code: String,
    pub criterion: String,
    pub description: String,
    /// Judgements are 0–3; deductions 0 to −max; measurements 0 to max.
    pub kind: AspectKind,
    pub judge: String,
    pub value: f64,
    pub max: f64,
    /// submitted, flagged, signed, locked.
    pub status: String,
    pub version: i32,
    /// A re-open request for this mark is waiting for a supervisor.
    pub reopen_pending: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StationMarksOut {
    pub event_id: String,
    pub station_number: i32,
    pub marks: Vec<StationMark>,
}

/// Usernames by user id, looked up once per distinct id.
fn usernames(conn: &mut DbConnection, ids: impl IntoIterator<Item = String>) -> ApiResult<HashMap<String, String>> {
    let mut names = HashMap::new();
    for id in ids {
        if !names.contains_key(&id) {
            let name = store::users::find(conn, &id)?.map(|u| u.username).unwrap_or_default();
            names.insert(id, name);
        }
    }
    Ok(names)
}

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
            require_role(conn, &actor, &event_id, OVERSEERS, "a station's marks")?;
            let aspects = aspects_by_id(conn, &event_id)?;
            let rows = store::judging::marks_at_station(conn, &event_id, station_number)?;
            let pending: Vec<String> = store::judging::reopens_of_event(conn, &event_id)?
                .into_iter()
                .filter(|(r, _)| r.status == "pending")
                .map(|(r, _)| r.mark_id)
                .collect();
            let judges = usernames(conn, rows.iter().map(|m| m.judge_user_id.clone()))?;
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenRequest {
    pub new_value: f64,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineReopen {
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReopenOut {
    pub id: String,
    pub mark_id: String,
    pub station_number: i32,
    pub aspect_code: String,
    pub judge: String,
    /// pending until a supervisor approves or declines; approved; declined.
    pub status: String,
    /// The mark's value when the change was asked.
    pub old_value: f64,
    pub new_value: f64,
    pub reason: String,
    pub requested_by: String,
    pub decided_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

fn reopen_out(
    conn: &mut DbConnection,
    request: &ReopenRow,
    mark: &MarkRow,
    aspects: &HashMap<String, AspectRow>,
) -> ApiResult<ReopenOut> {
    let mut ids = vec![mark.judge_user_id.clone(), request.requested_by.clone()];
    ids.extend(request.approved_by.clone());
    let names = usernames(conn, ids)?;
    let name = |id: &str| names.get(id).cloned().unwrap_or_default();
    Ok(ReopenOut {
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
    })
}

/// An event's re-open requests, newest first (chief judge and supervisor).
#[utoipa::path(tag = "judging", responses((status = 200, body = [ReopenOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/judging/reopen-requests")]
pub async fn list_reopens(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let out = state
        .db
        .read(move |conn| {
            require_role(conn, &actor, &event_id, OVERSEERS, "re-open requests")?;
            let aspects = aspects_by_id(conn, &event_id)?;
            let mut out = Vec::new();
            for (request, mark) in store::judging::reopens_of_event(conn, &event_id)? {
                out.push(reopen_out(conn, &request, &mark, &aspects)?);
            }
            Ok(out)
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
    let id = parse_id("id", &id)?;
    let input = body.0;
    let reason = text::required("reason", &input.reason, 500)?;
    let out = state
        .db
        .write(move |conn| {
            let mark = store::judging::find_mark(conn, &id)?.ok_or_else(|| ApiError::not_found("mark"))?;
            require_role(conn, &actor, &mark.event_id, &[EventRole::ChiefJudge], "re-opening a mark")?;
            if mark.status != "locked" {
                return Err(ApiError::conflict(
                    "not_locked",
                    "only a locked mark is re-opened; others are edited by their judge",
                ));
            }
            if store::judging::has_pending_reopen(conn, &mark.id)? {
                return Err(ApiError::conflict(
                    "reopen_pending",
                    "this mark already has a re-open request waiting for a supervisor",
                ));
            }
            let aspects = aspects_by_id(conn, &mark.event_id)?;
            let aspect = aspects.get(&mark.aspect_id).ok_or_else(|| ApiError::internal("mark without aspect"))?;
            check_mark(
                AspectKind::parse(&aspect.kind).unwrap_or(AspectKind::Measurement),
                from_centi(aspect.max_centi),
                input.new_value,
            )
            .map_err(|m| Violation::new("new_value", "out_of_range", m))?;
            let new_value_centi = to_centi(input.new_value).unwrap_or_default();
            if new_value_centi == mark.value_centi {
                return Err(Violation::new("new_value", "unchanged", "the new value is the mark's current value").into());
            }
            let row = ReopenRow {
                id: new_id(),
                mark_id: mark.id.clone(),
                new_value_centi,
                reason,
                requested_by: actor.user_id.clone(),
                status: "pending".into(),
                approved_by: None,
                created_at: now(),
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
            reopen_out(conn, &row, &mark, &aspects)
        })
        .await?;
    Ok(HttpResponse::Created().json(out))
}

/// Loads a request and its mark for a supervisor who is not the requester.
fn load_for_decision(conn: &mut DbConnection, actor: &Actor, id: &str, what: &str) -> ApiResult<(ReopenRow, MarkRow)> {
    let request = store::judging::find_reopen(conn, id)?.ok_or_else(|| ApiError::not_found("re-open request"))?;
    let mark = store::judging::find_mark(conn, &request.mark_id)?.ok_or_else(|| ApiError::not_found("mark"))?;
    require_role(conn, actor, &mark.event_id, &[EventRole::Supervisor], what)?;
    if request.requested_by == actor.user_id {
        return Err(ApiError::conflict(
            "same_person",
            "a re-opening needs two people: the chief judge asks, a supervisor decides",
        ));
    }
    if request.status != "pending" {
        return Err(ApiError::conflict("already_decided", format!("this request has already been {}", request.status)));
    }
    Ok((request, mark))
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
    let id = parse_id("id", &id)?;
    let out = state
        .db
        .write(move |conn| {
            let (mut request, mut mark) = load_for_decision(conn, &actor, &id, "approving a re-opening")?;
            let at = now();
            if !store::judging::decide_reopen(conn, &request.id, "approved", &actor.user_id, at)? {
                return Err(ApiError::conflict("already_decided", "this request has already been decided"));
            }
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
            request.status = "approved".into();
            request.approved_by = Some(actor.user_id.clone());
            request.decided_at = Some(at);
            let aspects = aspects_by_id(conn, &mark.event_id)?;
            reopen_out(conn, &request, &mark, &aspects)
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
    let id = parse_id("id", &id)?;
    let reason = text::required("reason", &body.0.reason, 500)?;
    let out = state
        .db
        .write(move |conn| {
            let (mut request, mark) = load_for_decision(conn, &actor, &id, "declining a re-opening")?;
            let at = now();
            if !store::judging::decide_reopen(conn, &request.id, "declined", &actor.user_id, at)? {
                return Err(ApiError::conflict("already_decided", "this request has already been decided"));
            }
            record(
                conn,
                &actor,
                "judging.reopen_decline",
                ("mark", &mark.id),
                None,
                Some(serde_json::json!({ "request_id": request.id, "reason": reason })),
            )?;
            request.status = "declined".into();
            request.approved_by = Some(actor.user_id.clone());
            request.decided_at = Some(at);
            let aspects = aspects_by_id(conn, &mark.event_id)?;
            reopen_out(conn, &request, &mark, &aspects)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}
