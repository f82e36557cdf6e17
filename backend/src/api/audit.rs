//! Reading the audit trail (admins only) and checking its hash chain.

use actix_web::{get, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{utc, ProblemResponses};
use crate::auth::policy::require_admin;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::service::audit::verification;
use crate::store::{self, audit::AuditFilter};
use crate::wire::audit::AuditQuery;
use crate::wire::audit::{AuditPage, AuditRecordOut, AuditVerification};
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
    let q = query.into_inner();
    let limit = super::PageParams { limit: q.limit, cursor: None }.limit()?;
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if from >= to {
            return Err(ApiError::field("to", "before_from", "'to' must be after 'from'"));
        }
    }
    let before_seq = q
        .cursor
        .as_deref()
        .map(|c| {
            c.parse::<i64>()
                .map_err(|_| ApiError::field("cursor", "invalid_cursor", "use the next_cursor of a previous page"))
        })
        .transpose()?;
    let filter = AuditFilter {
        entity_type: q.entity_type,
        entity_id: q.entity_id,
        actor_user_id: q.actor_user_id,
        action: q.action,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
        before_seq,
        limit: limit + 1,
    };
    let rows = state.db.read(move |conn| Ok(store::audit::list(conn, &filter)?)).await?;
    let (rows, next_cursor) = super::split_page(rows, limit, |r| r.seq.to_string());
    let items = rows
        .into_iter()
        .map(|r| AuditRecordOut {
            seq: r.seq,
            id: r.id,
            at: utc(r.at),
            actor_user_id: r.actor_user_id,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            before: r.before_json.and_then(|j| serde_json::from_str(&j).ok()),
            after: r.after_json.and_then(|j| serde_json::from_str(&j).ok()),
            request_id: r.request_id,
            hash: r.hash,
        })
        .collect();
    Ok(HttpResponse::Ok().json(AuditPage { items, next_cursor }))
}

/// Walks the whole hash chain and reports the first broken link.
#[utoipa::path(tag = "audit", responses((status = 200, body = AuditVerification), ProblemResponses), security(("bearer" = [])))]
#[get("/audit/verify")]
pub async fn verify_audit(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    require_admin(&actor)?;
    let result = state.db.read(|conn| Ok(store::audit::verify_chain(conn)?)).await?;
    Ok(HttpResponse::Ok().json(verification(result)))
}
