//! Awards: proposed from an event's final results by the competition's rules, confirmed,
//! publicised (公示) and granted in batches by the granting body (the union, or HRSS for skill
//! levels, of the competition's own tier and region), certificates with a check code and a QR
//! code, public verification, objections, revocation, promotions written to the person's skill
//! credentials, and a person's honours across tiers and years.

use actix_web::http::header;
use actix_web::{get, post, put, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{parse_id, JsonBody, ProblemResponses};
use crate::auth::Actor;
use crate::domain::award::{AwardKind, AwardStatus};
use crate::domain::text;
use crate::error::{ApiError, ApiResult};
use crate::service;
use crate::wire::awards::{
    AwardBatch, AwardObjectionOut, AwardObjectionRequest, AwardObjectionRuling, AwardOut, AwardRulesOut,
    AwardRulesRequest, BatchOut, CertificateCheck, ProposalsOut, RevokeRequest,
};
use crate::wire::awards::{AwardQuery, CompetitionAwardObjectionOut, PublicisedAwardOut, VerifyQuery};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_award_rules)
        .service(put_award_rules)
        .service(propose_awards)
        .service(list_awards)
        .service(get_award)
        .service(batch_awards)
        .service(revoke_award)
        .service(file_objection)
        .service(list_objections)
        .service(rule_objection)
        .service(competition_objections)
        .service(publicised_awards)
        .service(certificate_page)
        .service(verify_certificate)
        .service(my_honours)
        .service(person_honours)
        .service(export_promotions);
}

/// A competition's award rules (its organisers and officials; everyone once it is public).
#[utoipa::path(tag = "awards", responses((status = 200, body = AwardRulesOut), ProblemResponses))]
#[get("/competitions/{id}/award-rules")]
pub async fn get_award_rules(
    state: web::Data<AppState>,
    actor: Option<Actor>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let out = service::awards::get_award_rules(&state.db, actor, id).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Sets a competition's award rules, until any of its events has final results.
#[utoipa::path(tag = "awards", request_body = AwardRulesRequest, responses((status = 200, body = AwardRulesOut), ProblemResponses), security(("bearer" = [])))]
#[put("/competitions/{id}/award-rules")]
pub async fn put_award_rules(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<AwardRulesRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let out = service::awards::put_award_rules(&state.db, actor, id, body.0.rules).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Proposes the awards an event's final results earn under the competition's rules. Proposals
/// may be made again while none has been confirmed.
#[utoipa::path(tag = "awards", responses((status = 201, body = ProposalsOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/awards/proposals")]
pub async fn propose_awards(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let out = service::awards::propose_awards(&state.db, actor, now, event_id).await?;
    Ok(HttpResponse::Created().json(out))
}

/// A competition's awards, for its organisers and the officials who certify them.
#[utoipa::path(tag = "awards", params(AwardQuery), responses((status = 200, body = [AwardOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/competitions/{id}/awards")]
pub async fn list_awards(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    query: web::Query<AwardQuery>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let query = query.into_inner();
    let event_id = query.event_id.as_deref().map(|e| parse_id("event_id", e)).transpose()?;
    if let Some(s) = query.status.as_deref().filter(|s| AwardStatus::parse(s).is_none()) {
        return Err(ApiError::field("status", "invalid_value", format!("'{s}' is not an award status")));
    }
    if let Some(k) = query.kind.as_deref().filter(|k| AwardKind::parse(k).is_none()) {
        return Err(ApiError::field("kind", "invalid_value", format!("'{k}' is not an award kind")));
    }
    let out = service::awards::list_awards(&state.db, actor, id, event_id, query).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// One award (its holder, the organisers, the certifying officials).
#[utoipa::path(tag = "awards", responses((status = 200, body = AwardOut), ProblemResponses), security(("bearer" = [])))]
#[get("/awards/{id}")]
pub async fn get_award(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let out = service::awards::get_award(&state.db, actor, id).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Moves a batch of awards one step in their lifecycle. Each must be certified by a body the
/// caller acts for; granting needs the publicity over and no objection open, and a promotion
/// respects the one-a-year rule. Granting gives the certificate number and check code; a granted
/// promotion becomes a skill credential.
#[utoipa::path(tag = "awards", request_body = AwardBatch, responses((status = 200, body = BatchOut), ProblemResponses), security(("bearer" = [])))]
#[post("/awards/batch")]
pub async fn batch_awards(
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody<AwardBatch>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let batch = body.0;
    if batch.award_ids.is_empty() || batch.award_ids.len() > 500 {
        return Err(ApiError::field("award_ids", "out_of_range", "1 to 500 awards at a time"));
    }
    let ids = batch
        .award_ids
        .iter()
        .enumerate()
        .map(|(i, id)| parse_id(&format!("award_ids[{i}]"), id))
        .collect::<ApiResult<Vec<_>>>()?;
    let action = batch.action;
    let out = service::awards::batch(&state.db, actor, ids, action, now, zone).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Revokes an award with a reason (the granting body). A revoked promotion's credential goes.
#[utoipa::path(tag = "awards", request_body = RevokeRequest, responses((status = 200, body = AwardOut), ProblemResponses), security(("bearer" = [])))]
#[post("/awards/{id}/revoke")]
pub async fn revoke_award(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<RevokeRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let reason = text::required("reason", &body.0.reason, 500)?;
    let out = service::awards::revoke_award(&state.db, actor, now, id, reason).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Raises an objection (异议) to an award while it is publicised. Anyone signed in may; the
/// objector's identity is kept for the granting body and the audit trail.
#[utoipa::path(operation_id = "file_award_objection", tag = "awards", request_body = AwardObjectionRequest, responses((status = 201, body = AwardObjectionOut), ProblemResponses), security(("bearer" = [])))]
#[post("/awards/{id}/objections")]
pub async fn file_objection(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<AwardObjectionRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let grounds = text::required("grounds", &body.0.grounds, 2000)?;
    let out = service::awards::file_objection(&state.db, actor, now, id, grounds).await?;
    Ok(HttpResponse::Created().json(out))
}

/// An award's objections (the organisers and the certifying officials).
#[utoipa::path(operation_id = "list_award_objections", tag = "awards", responses((status = 200, body = [AwardObjectionOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/awards/{id}/objections")]
pub async fn list_objections(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let out = service::awards::list_objections(&state.db, actor, id).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Every objection to the competition's awards, with the award each concerns: the queue the
/// granting body rules from (its organisers and the certifying officials).
#[utoipa::path(tag = "awards", responses((status = 200, body = [CompetitionAwardObjectionOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/competitions/{id}/award-objections")]
pub async fn competition_objections(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    Ok(HttpResponse::Ok().json(service::awards::competition_objections(&state.db, actor, id).await?))
}

/// The competition's awards in publicity (公示), for anyone: names in full, no ID numbers;
/// anyone signed in may object to one while its window lasts.
#[utoipa::path(tag = "awards", responses((status = 200, body = [PublicisedAwardOut]), ProblemResponses))]
#[get("/competitions/{id}/awards/publicity")]
pub async fn publicised_awards(state: web::Data<AppState>, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let now = state.clock.now();
    Ok(HttpResponse::Ok().json(service::awards::publicised_awards(&state.db, id, now).await?))
}

/// The granting body rules on an objection; upheld, the award is revoked with the ruling as reason.
#[utoipa::path(operation_id = "rule_award_objection", tag = "awards", request_body = AwardObjectionRuling, responses((status = 200, body = AwardObjectionOut), ProblemResponses), security(("bearer" = [])))]
#[post("/award-objections/{id}/ruling")]
pub async fn rule_objection(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<AwardObjectionRuling>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let request = body.0;
    let ruling = text::required("ruling", &request.ruling, 2000)?;
    let out = service::awards::rule_objection(&state.db, actor, now, id, request, ruling).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// A printable certificate (HTML, A4 landscape) with a QR code to the public verification page:
/// for its holder, the organisers and the certifying officials, once granted.
#[utoipa::path(tag = "awards", responses((status = 200, content_type = "text/html", body = String), ProblemResponses), security(("bearer" = [])))]
#[get("/awards/{id}/certificate")]
pub async fn certificate_page(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let id = parse_id("id", &id)?;
    let public_url = state.settings.public_url.clone();
    let html = service::awards::certificate_html(&state.db, actor, zone, public_url, id).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(html))
}

/// Public verification of a certificate by its number and check code. An unknown number and a
/// wrong check code get the same answer, so numbers cannot be enumerated.
#[utoipa::path(tag = "awards", params(VerifyQuery), responses((status = 200, body = CertificateCheck), ProblemResponses))]
#[get("/certificates/verify")]
pub async fn verify_certificate(state: web::Data<AppState>, query: web::Query<VerifyQuery>) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let VerifyQuery { number, code } = query.into_inner();
    let out = service::awards::verify_certificate(&state.db, zone, number, code).await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(out))
}

/// My honours across tiers and years.
#[utoipa::path(tag = "awards", responses((status = 200, body = [AwardOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/me/honours")]
pub async fn my_honours(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    let out = service::awards::my_honours(&state.db, actor).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// A person's honours across tiers and years (who may see the person).
#[utoipa::path(tag = "awards", responses((status = 200, body = [AwardOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/persons/{id}/honours")]
pub async fn person_honours(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let out = service::awards::person_honours(&state.db, actor, id).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Granted promotions of a competition as .xlsx for HR and payroll, with whole ID numbers: for the
/// host's organisers and the certifying HRSS officials.
#[utoipa::path(tag = "awards", responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), ProblemResponses), security(("bearer" = [])))]
#[get("/competitions/{id}/promotions/export")]
pub async fn export_promotions(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let id = parse_id("id", &id)?;
    let bytes = service::awards::export_promotions(&state.db, actor, zone, id).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((header::CONTENT_DISPOSITION, super::attachment("promotions.xlsx", "技能等级晋升名单.xlsx")))
        .body(bytes))
}
