//! The plan dashboard and the plan targets. Officials (and organisers) see their own region: a
//! prefecture's people their prefecture, the province's the whole province; admins everything.
//! The figures come from a table of grouped facts kept in memory for `statistics_ttl` (30 s by
//! default), so a dashboard request costs filtering that table, not scanning the season's
//! registrations; one request at a time recounts when it is stale, the others keep the last one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use actix_web::{get, post, put, web, HttpResponse};
use chrono::Datelike;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{parse_id, record, JsonBody, ProblemResponses};
use crate::auth::Actor;
use crate::domain::plan::Filter;
use crate::domain::text;
use crate::error::{ApiError, ApiResult};
use crate::service;
use crate::service::statistics::{
    check_target, make_dashboard, regions_of, require_region_official, scope, target_out, targets_of, Snapshot,
    KEPT_ANSWERS,
};
use crate::store::statistics::TargetRow;
use crate::store::{self, new_id};
use crate::wire::statistics::DashboardQuery;
use crate::wire::statistics::{Dashboard, TargetOut, TargetRequest};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(dashboard).service(list_targets).service(create_target).service(update_target);
}

/// The current snapshot, recounted when stale. While one request recounts, others get the last.
async fn snapshot(state: &web::Data<AppState>) -> ApiResult<Arc<Snapshot>> {
    let ttl = state.settings.statistics_ttl;
    let cache = &state.statistics;
    if let Some(current) = cache.current() {
        if !ttl.is_zero() && current.counted.elapsed() <= ttl {
            return Ok(current);
        }
        if cache.recounting.try_lock().is_err() {
            return Ok(current);
        }
    }
    let state = state.clone();
    state
        .db
        .read({
            let state = state.clone();
            move |conn| {
                let _recounting = state.statistics.recounting.lock().unwrap_or_else(|e| e.into_inner());
                let snapshot = Arc::new(Snapshot {
                    counted: Instant::now(),
                    counted_at: state.clock.now_utc(),
                    facts: store::statistics::facts(conn)?,
                    targets: targets_of(store::statistics::targets(conn)?),
                    trade_names: store::trades::list(
                        conn,
                        &store::trades::TradeFilter { limit: i64::MAX, ..Default::default() },
                    )?
                    .into_iter()
                    .map(|t| (t.id, t.name))
                    .collect(),
                    answers: Mutex::new(HashMap::new()),
                });
                *state.statistics.snapshot.write().unwrap_or_else(|e| e.into_inner()) = Some(snapshot.clone());
                Ok(snapshot)
            }
        })
        .await
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
    let now = state.clock.now();
    let query = query.into_inner();
    if let Some(t) = query.tier.as_deref().filter(|t| crate::domain::organisation::Tier::parse(t).is_none()) {
        return Err(ApiError::field("tier", "invalid_value", format!("'{t}' is not a tier")));
    }
    if let Some(c) = query.category.as_deref().filter(|c| crate::domain::competition::Category::parse(c).is_none()) {
        return Err(ApiError::field("category", "invalid_value", format!("'{c}' is not a category")));
    }
    if query.year.is_some_and(|y| !(2000..=2100).contains(&y)) {
        return Err(ApiError::field("year", "out_of_range", "a year from 2000 to 2100"));
    }
    let trade_id = query.trade_id.as_deref().map(|t| parse_id("trade_id", t)).transpose()?;
    let asked = query.region_code.clone();
    let region = state.db.read(move |conn| scope(&regions_of(conn, &actor)?, asked.as_deref())).await?;
    let snapshot = snapshot(&state).await?;
    let year = query.year.unwrap_or_else(|| now.year());
    let filter =
        Filter { region: region.clone(), year: Some(year), tier: query.tier, category: query.category, trade_id };
    let key = format!("{region}|{year}|{:?}|{:?}|{:?}", filter.tier, filter.category, filter.trade_id);
    let kept = snapshot.answers.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned();
    let body = match kept {
        Some(bytes) => bytes,
        None => {
            let out = make_dashboard(&snapshot, filter, region, year);
            let bytes = web::Bytes::from(serde_json::to_vec(&out).map_err(|e| ApiError::internal(e.to_string()))?);
            let mut answers = snapshot.answers.lock().unwrap_or_else(|e| e.into_inner());
            if answers.len() < KEPT_ANSWERS {
                answers.insert(key, bytes.clone());
            }
            bytes
        }
    };
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
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
    let request = body.0;
    check_target(&request)?;
    let plan = text::required("plan", &request.plan, 200)?;
    let note = text::optional("note", request.note.as_deref(), 500)?;
    let region = request.region_code.clone();
    if !crate::domain::organisation::is_region_code(&region) {
        return Err(ApiError::field("region_code", "invalid_region", "a 6-digit region code (GB/T 2260)"));
    }
    let out = state
        .db
        .write(move |conn| {
            require_region_official(conn, &actor, &region)?;
            let at = now;
            let row = TargetRow {
                id: new_id(),
                plan,
                region_code: region,
                metric: request.metric.as_str().into(),
                period: request.period.as_str().into(),
                from_year: request.from_year,
                to_year: request.to_year,
                target: request.target,
                note,
                created_at: at,
                updated_at: at,
            };
            store::statistics::insert_target(conn, &row).map_err(|e| {
                if e.is_duplicate() {
                    ApiError::field("metric", "target_exists", "this plan already has a target for this metric")
                } else {
                    e.into()
                }
            })?;
            record(
                conn,
                &actor,
                "plan_target.create",
                ("plan_target", &row.id),
                None,
                serde_json::to_value(target_out(row.clone())).ok(),
            )?;
            Ok(target_out(row))
        })
        .await?;
    state.statistics.forget();
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
    let request = body.0;
    check_target(&request)?;
    let out = service::statistics::update_target(&state.db, actor, now, id, request).await?;
    state.statistics.forget();
    Ok(HttpResponse::Ok().json(out))
}
