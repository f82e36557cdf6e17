use actix_web::{get, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiResult;
use crate::wire::health::{Health, Readiness};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(healthz).service(readyz);
}

/// Liveness: the process answers. Does no I/O, so it is the ceiling benchmarks compare with.
#[utoipa::path(tag = "health", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Readiness: the database answers a query.
#[utoipa::path(tag = "health", responses((status = 200, body = Readiness), crate::api::ProblemResponses))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    state.db.ping().await?;
    let database = match state.db.backend() {
        crate::db::Backend::Sqlite => "sqlite",
        crate::db::Backend::Postgres => "postgres",
    };
    Ok(HttpResponse::Ok().json(Readiness { status: "ready", database }))
}
