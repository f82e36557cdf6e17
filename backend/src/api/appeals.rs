//! Appeals (申诉): a contestant (or team member) files within the event's window after the scores
//! are announced; a late appeal is refused at once with the deadline. The arbiter (仲裁) accepts,
//! investigates and upholds or dismisses; the ruling is final. An upheld appeal changes marks only
//! through the two-person re-opening, and results are then computed again.

use actix_web::{get, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{parse_id, JsonBody, ProblemResponses};
use crate::auth::Actor;
use crate::domain::text;
use crate::error::ApiResult;
use crate::service;
use crate::wire::appeals::{AppealOut, AppealRequest, AppealRuling};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(file_appeal).service(list_appeals).service(accept_appeal).service(rule_appeal);
}

/// Files an appeal against a registration's scores (its contestant or team members), within the
/// window after the scores were announced.
#[utoipa::path(tag = "results", request_body = AppealRequest, responses((status = 201, body = AppealOut), ProblemResponses), security(("bearer" = [])))]
#[post("/registrations/{id}/appeals")]
pub async fn file_appeal(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<AppealRequest>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let grounds = text::required("grounds", &body.0.grounds, 2000)?;
    let out = service::appeals::file_appeal(&state.db, actor, zone, now, id, grounds).await?;
    Ok(HttpResponse::Created().json(out))
}

/// An event's appeals with the deadline (the arbiter and the host's organisers).
#[utoipa::path(tag = "results", responses((status = 200, body = [AppealOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/appeals")]
pub async fn list_appeals(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let event_id = parse_id("id", &id)?;
    let out = service::appeals::list_appeals(&state.db, actor, zone, event_id).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The arbiter accepts an appeal for investigation.
#[utoipa::path(tag = "results", responses((status = 200, body = AppealOut), ProblemResponses), security(("bearer" = [])))]
#[post("/appeals/{id}/accept")]
pub async fn accept_appeal(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let id = parse_id("id", &id)?;
    let out = service::appeals::accept_appeal(&state.db, actor, zone, id).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The arbiter upholds or dismisses an accepted appeal; the ruling is final.
#[utoipa::path(tag = "results", request_body = AppealRuling, responses((status = 200, body = AppealOut), ProblemResponses), security(("bearer" = [])))]
#[post("/appeals/{id}/ruling")]
pub async fn rule_appeal(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<AppealRuling>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let request = body.0;
    let ruling = text::required("ruling", &request.ruling, 2000)?;
    let out = service::appeals::rule_appeal(&state.db, actor, zone, now, id, request, ruling).await?;
    Ok(HttpResponse::Ok().json(out))
}
