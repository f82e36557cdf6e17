//! Competitions across the five tiers: their shape (category, tier, class, host and co-organisers),
//! calendar, the chain of `feeds_into`, the lifecycle with its preconditions, and upgrade
//! applications to the tier above.

use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{etag, if_match_version, parse_id, JsonBody, PageParams, ProblemResponses};
use crate::auth::Actor;
use crate::domain::text;
use crate::error::{ApiError, ApiResult};
use crate::service;
use crate::wire::competitions::{
    CompetitionDetail, CompetitionOut, CompetitionPage, CompetitionPatch, NewCompetition, TransitionRequest,
    UpgradeDecision, UpgradeOut, UpgradeRequest,
};
use crate::wire::competitions::{CompetitionQuery, UpgradeQuery};
use crate::wire::competitions::{CompetitionRef, FeederDecision};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_competitions)
        .service(create_competition)
        .service(get_competition)
        .service(update_competition)
        .service(transition_competition)
        .service(apply_for_upgrade)
        .service(list_upgrade_applications)
        .service(decide_upgrade)
        .service(decide_feeder);
}

/// Competitions, filtered, newest first. Everyone sees published ones; organisers also see their
/// drafts.
#[utoipa::path(tag = "competitions", params(CompetitionQuery), responses((status = 200, body = CompetitionPage), ProblemResponses))]
#[get("/competitions")]
pub async fn list_competitions(
    state: web::Data<AppState>,
    actor: Option<Actor>,
    query: web::Query<CompetitionQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let limit = PageParams { limit: q.limit, cursor: None }.limit()?;
    let out = service::competitions::list_competitions(&state.db, actor, q, limit).await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-cache")).json(out))
}

/// Creates a competition (as a draft) hosted by an organisation within the caller's subtree.
#[utoipa::path(tag = "competitions", request_body = NewCompetition, responses((status = 201, body = CompetitionOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[post("/competitions")]
pub async fn create_competition(
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody<NewCompetition>,
) -> ApiResult<HttpResponse> {
    let out =
        service::competitions::create_competition(&state.db, actor, state.zone, state.clock.now(), body.0).await?;
    let version = out.version;
    Ok(respond(actix_web::http::StatusCode::CREATED, out, version))
}

/// One competition with its events and its place in the tier chain.
#[utoipa::path(tag = "competitions", responses((status = 200, body = CompetitionDetail, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses))]
#[get("/competitions/{id}")]
pub async fn get_competition(
    state: web::Data<AppState>,
    actor: Option<Actor>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let detail = service::competitions::get_competition(&state.db, actor, id, state.clock.now(), state.zone).await?;
    let version = detail.competition.version;
    Ok(respond(actix_web::http::StatusCode::OK, detail, version))
}

/// Changes a competition. Needs `If-Match`. Its shape and calendar change only before registration
/// opens; while registration is open the deadline may still move; the description and where it
/// feeds may change until results are final.
#[utoipa::path(tag = "competitions", request_body = CompetitionPatch, params(("If-Match" = String, Header, description = "ETag of the version read")), responses((status = 200, body = CompetitionOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[patch("/competitions/{id}")]
pub async fn update_competition(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<CompetitionPatch>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let expected = if_match_version(&req)?;
    let patch = body.0;
    let out = service::competitions::update_competition(&state.db, actor, zone, now, id, expected, patch).await?;
    let version = out.version;
    Ok(respond(actix_web::http::StatusCode::OK, out, version))
}

/// Moves a competition along its lifecycle. An impossible step is a 409 `transition_not_allowed`
/// naming the allowed ones; a possible step whose conditions are unmet is a 409
/// `preconditions_unmet` listing each.
#[utoipa::path(tag = "competitions", request_body = TransitionRequest, params(("If-Match" = Option<String>, Header, description = "optional: refuse if the competition changed")), responses((status = 200, body = CompetitionOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[post("/competitions/{id}/transitions")]
pub async fn transition_competition(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<TransitionRequest>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let expected = super::optional_if_match(&req)?;
    let request = body.0;
    let reason = text::optional("reason", request.reason.as_deref(), 500)?;
    let out = service::competitions::transition_competition(&state.db, actor, zone, now, id, expected, request, reason)
        .await?;
    let version = out.version;
    Ok(respond(actix_web::http::StatusCode::OK, out, version))
}

/// Puts a competition forward for recognition one tier up: a county or prefecture competition to
/// the tier above, a provincial one (省级示范性) for national leading status (全国引领性). The
/// organisers of the host's ancestor at that tier decide.
#[utoipa::path(tag = "competitions", request_body = UpgradeRequest, responses((status = 201, body = UpgradeOut), ProblemResponses), security(("bearer" = [])))]
#[post("/competitions/{id}/upgrade-applications")]
pub async fn apply_for_upgrade(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<UpgradeRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let statement = text::required("statement", &body.0.statement, 2000)?;
    let out = service::competitions::apply_for_upgrade(&state.db, actor, now, id, statement).await?;
    Ok(HttpResponse::Created().json(out))
}

/// The upgrade applications the caller reviews.
#[utoipa::path(tag = "competitions", params(UpgradeQuery), responses((status = 200, body = [UpgradeOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/upgrade-applications")]
pub async fn list_upgrade_applications(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<UpgradeQuery>,
) -> ApiResult<HttpResponse> {
    let out = service::competitions::list_upgrade_applications(&state.db, actor, query.into_inner().status).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Approves or refuses an upgrade application (the higher tier's organisers).
#[utoipa::path(tag = "competitions", request_body = UpgradeDecision, responses((status = 200, body = UpgradeOut), ProblemResponses), security(("bearer" = [])))]
#[post("/upgrade-applications/{id}/decision")]
pub async fn decide_upgrade(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<UpgradeDecision>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let decision = body.0;
    let reason = text::optional("reason", decision.reason.as_deref(), 1000)?;
    if !decision.approve && reason.is_none() {
        return Err(ApiError::field("reason", "required", "say why the application is refused"));
    }
    let out = service::competitions::decide_upgrade(&state.db, actor, now, id, decision, reason).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Accepts or declines a lower tier's `feeds_into` link to this competition (its organisers):
/// only an accepted link sends qualifiers here.
#[utoipa::path(tag = "competitions", request_body = FeederDecision, responses((status = 200, body = CompetitionRef), ProblemResponses), security(("bearer" = [])))]
#[post("/competitions/{id}/feeders/{feeder_id}/decision")]
pub async fn decide_feeder(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, String)>,
    body: JsonBody<FeederDecision>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let (id, feeder_id) = path.into_inner();
    let id = parse_id("id", &id)?;
    let feeder_id = parse_id("feeder_id", &feeder_id)?;
    let decision = body.0;
    let reason = text::optional("reason", decision.reason.as_deref(), 1000)?;
    if !decision.accept && reason.is_none() {
        return Err(ApiError::field("reason", "required", "say why the link is declined"));
    }
    let out = service::competitions::decide_feeder(&state.db, actor, now, id, feeder_id, decision, reason).await?;
    Ok(HttpResponse::Ok().json(out))
}

fn respond(status: actix_web::http::StatusCode, out: impl Serialize, version: i32) -> HttpResponse {
    HttpResponse::build(status).insert_header((header::ETAG, etag(version))).json(out)
}
