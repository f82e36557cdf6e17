//! Results: computed from the locked marks of a decrypted event, stored with a digest of exactly
//! those marks, checkable by recomputation, publicised (公示) for five working days, then final.
//! Public results show names with masked ID numbers and are cacheable.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{parse_id, JsonBody, JsonOrDefault, ProblemResponses};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::service::results::ResultsExport;
use crate::service::results::{self};
use crate::wire::results::{ComputeRequest, EventStatistics, ResultSetOut, Verification};
use crate::wire::results::{ExportFormat, ResultsPage, TieDecision, TieGroup};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(compute_results)
        .service(get_results)
        .service(verify_results)
        .service(decide_tie)
        .service(ties)
        .service(publish_results)
        .service(finalise_results)
        .service(export_event_results)
        .service(export_competition_results)
        .service(event_statistics);
}

/// Computes the event's results from its marks and stores them as a provisional result set,
/// with the digest of the marks used.
#[utoipa::path(tag = "results", request_body = Option<ComputeRequest>, responses((status = 201, body = ResultSetOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/results")]
pub async fn compute_results(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonOrDefault<ComputeRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let options = body.0;
    let out = results::compute(&state.db, actor, event_id, options, now).await?;
    state.public_results.forget(&out.summary.event_id);
    Ok(HttpResponse::Created().json(out))
}

/// The event's latest results: for its organisers in any state; for everyone once publicised,
/// with masked ID numbers. `entry_count` tells how many entries the whole set has.
#[utoipa::path(tag = "results", params(ResultsPage), responses((status = 200, body = ResultSetOut, headers(("ETag" = String, description = "The result set, its status and the view: send it as If-None-Match to be answered 304 while it is unchanged"))), (status = 304), ProblemResponses))]
#[get("/events/{id}/results")]
pub async fn get_results(
    state: web::Data<AppState>,
    actor: Option<Actor>,
    req: HttpRequest,
    id: web::Path<String>,
    page: web::Query<ResultsPage>,
) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let (out, public) = results::results_for(&state.db, &state.public_results, actor, event_id).await?;
    // Published results change only by a new set or a new status: the pair (and the view) is the tag.
    // The public's and the organisers' copies differ (masked ID numbers), so their tags differ too.
    let view = if public { "public" } else { "full" };
    let tag = format!("\"{}-{}-{view}\"", out.summary.id, out.summary.status);
    // The answer depends on who asks (organisers see whole ID numbers): a cache must not hand the
    // public's copy to a signed-in organiser, nor the reverse.
    let vary = (header::VARY, "Authorization");
    if req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(tag.as_str()) {
        return Ok(HttpResponse::NotModified().insert_header((header::ETAG, tag)).insert_header(vary).finish());
    }
    let body = results::page_json(&state.public_results, &out, public, &page)?;
    let cache = if public { "public, max-age=60" } else { "private, no-store" };
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header(vary)
        .body(body))
}

/// The stations of the latest results tied for the committee's decision (for the chief judge).
#[utoipa::path(tag = "results", responses((status = 200, body = Vec<TieGroup>), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/results/ties")]
pub async fn ties(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    Ok(HttpResponse::Ok().json(results::ties(&state.db, actor, event_id).await?))
}

/// Records the organising committee's order for stations tied for a decision (chief judge; the
/// reason is audited). Results with an undecided tie are not published.
#[utoipa::path(tag = "results", request_body = TieDecision, responses((status = 200, body = ResultSetOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/results/tie-decision")]
pub async fn decide_tie(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<TieDecision>,
) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    Ok(HttpResponse::Ok().json(results::decide_tie(&state.db, actor, event_id, body.0).await?))
}

/// Recomputes the latest result set from the raw marks and reports any difference. The body may
/// be left out (the defaults).
#[utoipa::path(tag = "results", request_body = Option<ComputeRequest>, responses((status = 200, body = Verification), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/results/verify")]
pub async fn verify_results(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonOrDefault<ComputeRequest>,
) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let options = body.0;
    let out = results::verify(&state.db, actor, event_id, options).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Publishes provisional results for publicity (公示) for the competition's working days
/// (default 5), after which they may be made final.
#[utoipa::path(tag = "results", responses((status = 200, body = ResultSetOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/results/publish")]
pub async fn publish_results(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let out = results::publish(&state.db, actor, event_id, now, zone).await?;
    state.public_results.forget(&out.summary.event_id);
    Ok(HttpResponse::Ok().json(out))
}

/// Makes publicised results final once their publicity window has closed; the top finishers then
/// go on to the competition this one feeds.
#[utoipa::path(tag = "results", responses((status = 200, body = ResultSetOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/results/finalise")]
pub async fn finalise_results(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let out = results::finalise(&state.db, actor, event_id, now, zone).await?;
    state.public_results.forget(&out.summary.event_id);
    Ok(HttpResponse::Ok().json(out))
}

/// An event's results as .xlsx or CSV: names and whole ID numbers for the organisers, published
/// results with masked numbers for everyone else.
#[utoipa::path(tag = "results", params(ExportFormat), responses((status = 200, description = "the workbook, or with `format=csv` the comma-separated text (UTF-8)", content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))), ProblemResponses))]
#[get("/events/{id}/results/export")]
pub async fn export_event_results(
    state: web::Data<AppState>,
    actor: Option<Actor>,
    id: web::Path<String>,
    query: web::Query<ExportFormat>,
) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    export_response(results::event_export(&state.db, actor, event_id).await?, query.format.as_deref()).await
}

/// All events' results of a competition in one .xlsx or CSV (events without visible results are
/// left out).
#[utoipa::path(tag = "results", params(ExportFormat), responses((status = 200, description = "the workbook, or with `format=csv` the comma-separated text (UTF-8)", content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))), ProblemResponses))]
#[get("/competitions/{id}/results/export")]
pub async fn export_competition_results(
    state: web::Data<AppState>,
    actor: Option<Actor>,
    id: web::Path<String>,
    query: web::Query<ExportFormat>,
) -> ApiResult<HttpResponse> {
    let competition_id = parse_id("id", &id)?;
    export_response(results::competition_export(&state.db, actor, competition_id).await?, query.format.as_deref()).await
}

async fn export_response(export: ResultsExport, format: Option<&str>) -> ApiResult<HttpResponse> {
    match format.unwrap_or("xlsx") {
        "xlsx" => Ok(HttpResponse::Ok()
            .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .insert_header((header::CONTENT_DISPOSITION, super::attachment("results.xlsx", "成绩.xlsx")))
            .body(export.xlsx().await?)),
        "csv" => Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((header::CONTENT_DISPOSITION, super::attachment("results.csv", "成绩.csv")))
            .body(export.csv())),
        _ => Err(ApiError::field("format", "invalid_value", "xlsx or csv")),
    }
}

/// Counts of competitors, completion and the score distribution of an event (its organisers, and
/// officials over its host).
#[utoipa::path(tag = "results", responses((status = 200, body = EventStatistics), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/statistics")]
pub async fn event_statistics(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    Ok(HttpResponse::Ok().json(results::event_statistics(&state.db, actor, event_id).await?))
}
