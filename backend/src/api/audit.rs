//! Reading the audit trail (admins only) and checking its hash chain.

use actix_web::{get, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::ProblemResponses;
use crate::auth::policy::require_admin;
use crate::auth::Actor;
use crate::error::ApiResult;
use crate::service;
use crate::wire::audit::AuditQuery;
use crate::wire::audit::{AuditPage, AuditVerification};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_audit).service(verify_audit);
}

/// The audit trail, newest first, filtered.
#[utoipa::path(tag = "audit", params(AuditQuery), responses((status = 200, body = AuditPage), ProblemResponses), security(("bearer" = [])))]
#[get("/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<AuditQuery>,
) -> ApiResult<HttpResponse> {
    require_admin(&actor)?;
    Ok(HttpResponse::Ok().json(service::audit::list_records(&state.db, actor, query.into_inner()).await?))
}

/// Walks the whole hash chain and reports the first broken link.
#[utoipa::path(tag = "audit", responses((status = 200, body = AuditVerification), ProblemResponses), security(("bearer" = [])))]
#[get("/audit/verify")]
pub async fn verify_audit(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    require_admin(&actor)?;
    Ok(HttpResponse::Ok().json(service::audit::verify_chain(&state.db, actor).await?))
}
