//! Disqualification (取消资格), two people: the chief judge proposes it for a station with a
//! ground and a reason, a supervisor (never the proposer) approves or declines.

use actix_web::{get, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{parse_id, JsonBody, ProblemResponses};
use crate::auth::Actor;
use crate::domain::text;
use crate::error::ApiResult;
use crate::service;
use crate::wire::judging::{DisqualificationDecision, DisqualificationOut, DisqualificationProposal};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list).service(propose).service(decide);
}

/// An event's disqualification proposals, newest first (host organisers, chief judge, supervisor).
#[utoipa::path(tag = "judging", responses((status = 200, body = [DisqualificationOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/disqualifications")]
pub async fn list(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let out = service::disqualifications::list(&state.db, actor, event_id).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The chief judge proposes disqualifying the contestant at a station; a supervisor decides.
#[utoipa::path(tag = "judging", request_body = DisqualificationProposal, responses((status = 201, body = DisqualificationOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/disqualifications")]
pub async fn propose(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<DisqualificationProposal>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let input = body.0;
    let reason = text::required("reason", &input.reason, 500)?;
    let out = service::disqualifications::propose(&state.db, actor, now, event_id, input, reason).await?;
    Ok(HttpResponse::Created().json(out))
}

/// A supervisor who did not propose it approves (the contestant is disqualified and left out of
/// the ranking) or declines (with a note).
#[utoipa::path(tag = "judging", request_body = DisqualificationDecision, responses((status = 200, body = DisqualificationOut), ProblemResponses), security(("bearer" = [])))]
#[post("/disqualifications/{id}/decision")]
pub async fn decide(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<DisqualificationDecision>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let out = service::disqualifications::decide(&state.db, actor, now, id, body.0).await?;
    Ok(HttpResponse::Ok().json(out))
}
