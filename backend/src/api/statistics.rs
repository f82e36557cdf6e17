//! The plan dashboard and the plan targets. Officials (and organisers) see their own region: a
//! prefecture's people their prefecture, the province's the whole province; admins everything.
//! The figures come from a table of grouped facts kept in memory for `statistics_ttl` (30 s by
//! default), so a dashboard request costs filtering that table, not scanning the season's
//! registrations; one request at a time recounts when it is stale, the others keep the last one.

use actix_web::{get, http::header, post, put, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{parse_id, JsonBody, ProblemResponses};
use crate::auth::Actor;
use crate::error::ApiResult;
use crate::service;
use crate::wire::statistics::DashboardQuery;
use crate::wire::statistics::{Dashboard, TargetOut, TargetRequest};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(dashboard)
        .service(export_dashboard)
        .service(list_targets)
        .service(create_target)
        .service(update_target);
}

/// Counts per year, prefecture, tier, category and trade, and progress against the plan targets,
/// for the caller's region.
#[utoipa::path(tag = "statistics", params(DashboardQuery), responses((status = 200, body = Dashboard), ProblemResponses), security(("bearer" = [])))]
#[get("/statistics/dashboard")]
pub async fn dashboard(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<DashboardQuery>,
) -> ApiResult<HttpResponse> {
    let ttl = state.settings.statistics_ttl;
    let body =
        service::statistics::dashboard(&state.db, &state.statistics, ttl, &state.clock, actor, query.into_inner())
            .await?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// The same dashboard as a workbook: totals, by year, prefecture, tier, category and trade, and
/// the plan targets, each on its own sheet.
#[utoipa::path(tag = "statistics", params(DashboardQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), ProblemResponses),
    security(("bearer" = [])))]
#[get("/statistics/dashboard.xlsx")]
pub async fn export_dashboard(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<DashboardQuery>,
) -> ApiResult<HttpResponse> {
    let ttl = state.settings.statistics_ttl;
    let bytes = service::statistics::export_dashboard(
        &state.db,
        &state.statistics,
        ttl,
        &state.clock,
        actor,
        query.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((header::CONTENT_DISPOSITION, super::attachment("statistics.xlsx", "统计数据.xlsx")))
        .body(bytes))
}

/// The plan targets of the caller's regions.
#[utoipa::path(tag = "statistics", responses((status = 200, body = [TargetOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/plan-targets")]
pub async fn list_targets(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    let out = service::statistics::list_targets(&state.db, actor).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Adds a plan target.
#[utoipa::path(tag = "statistics", request_body = TargetRequest, responses((status = 201, body = TargetOut), ProblemResponses), security(("bearer" = [])))]
#[post("/plan-targets")]
pub async fn create_target(
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody<TargetRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let out = service::statistics::create_target(&state.db, &state.statistics, actor, now, body.0).await?;
    Ok(HttpResponse::Created().json(out))
}

/// Changes a plan target's figure, period or years.
#[utoipa::path(tag = "statistics", request_body = TargetRequest, responses((status = 200, body = TargetOut), ProblemResponses), security(("bearer" = [])))]
#[put("/plan-targets/{id}")]
pub async fn update_target(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<TargetRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let out = service::statistics::update_target(&state.db, &state.statistics, actor, now, id, body.0).await?;
    Ok(HttpResponse::Ok().json(out))
}
