//! The two-person re-open of a locked mark: the chief judge looks at a station's marks, asks to
//! change one with a reason, and a supervisor (never the same person) approves or declines. The
//! audit trail keeps both values.

use actix_web::{get, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{parse_id, JsonBody, ProblemResponses};
use crate::auth::Actor;
use crate::domain::text;
use crate::error::ApiResult;
use crate::service;
use crate::wire::reopen::{DeclineReopen, ReopenOut, ReopenRequest, StationMarksOut};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(station_marks)
        .service(list_reopens)
        .service(request_reopen)
        .service(approve_reopen)
        .service(decline_reopen);
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
    let out = service::reopen::station_marks(&state.db, actor, event_id, id, station_number).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// An event's re-open requests, newest first (chief judge and supervisor).
#[utoipa::path(tag = "judging", responses((status = 200, body = [ReopenOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/judging/reopen-requests")]
pub async fn list_reopens(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let out = service::reopen::list_reopens(&state.db, actor, event_id).await?;
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
    let out = service::reopen::request_reopen(&state.db, actor, now, id, input, reason).await?;
    Ok(HttpResponse::Created().json(out))
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
    let out = service::reopen::approve_reopen(&state.db, actor, now, id).await?;
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
    let out = service::reopen::decline_reopen(&state.db, actor, now, id, reason).await?;
    Ok(HttpResponse::Ok().json(out))
}
