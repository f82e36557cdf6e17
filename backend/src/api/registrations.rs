//! Registration: sign-up (by contestants, or by their nominating unit on their behalf), the
//! automatic eligibility check, review at the unit and the host, return / resubmit, withdrawal,
//! review queues with counts, and a person's own registrations.

use actix_web::http::{header, StatusCode};
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{
    etag, if_match_version, parse_id, replayable, retry_of, JsonBody, JsonWithBytes, PageParams, ProblemResponses,
};
use crate::auth::Actor;
use crate::domain::registration::{RegistrationStatus, ReviewAction};
use crate::domain::role::Role;
use crate::domain::text;
use crate::error::{ApiError, ApiResult};
use crate::service::registrations::{self, QueueFilter};
use crate::wire::registrations::{
    BatchReviewOut, BatchReviewRequest, EligibilityOut, RegistrationOut, RegistrationPage, RegistrationPatch,
    ReviewRequest, SignUpRequest, WithdrawRequest,
};
use crate::wire::registrations::{EligibilityQuery, InvitationAnswer, QueueQuery};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(sign_up)
        .service(check_my_eligibility)
        .service(my_registrations)
        .service(list_registrations)
        .service(get_registration)
        .service(edit_registration)
        .service(resubmit_registration)
        .service(review_registration)
        .service(review_registrations)
        .service(withdraw_registration)
        .service(answer_invitation);
}

/// Signs up for an event while registration is open. Send `Idempotency-Key`: a retried request
/// with the same key returns the first answer and registers nothing twice.
#[utoipa::path(tag = "registration", request_body = SignUpRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    responses((status = 201, body = RegistrationOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/registrations")]
pub async fn sign_up(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonWithBytes<SignUpRequest>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let retry = retry_of(&req, &format!("POST /events/{event_id}/registrations"), &body.bytes)?;
    let once = registrations::sign_up(&state.db, actor, retry, event_id, body.value, now, zone).await?;
    Ok(replayable(StatusCode::CREATED, once))
}

/// Checks eligibility before signing up, with every reason (nothing is written).
#[utoipa::path(tag = "registration", params(EligibilityQuery), responses((status = 200, body = EligibilityOut), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/eligibility")]
pub async fn check_my_eligibility(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    query: web::Query<EligibilityQuery>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let q = query.into_inner();
    let out = registrations::eligibility_preview(&state.db, actor, event_id, q, now, zone).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The caller's own registrations (as contestant, team member or advisor).
#[utoipa::path(tag = "registration", responses((status = 200, body = [RegistrationOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/me/registrations")]
pub async fn my_registrations(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    let out = registrations::my_registrations(&state.db, actor, state.zone).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Review queues: registrations of competitions the caller runs, or of units they organise.
#[utoipa::path(tag = "registration", params(QueueQuery), responses((status = 200, body = RegistrationPage), ProblemResponses), security(("bearer" = [])))]
#[get("/registrations")]
pub async fn list_registrations(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<QueueQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageParams { limit: q.limit, cursor: q.cursor.clone() };
    let limit = page.limit()?;
    let after_id = page.cursor_id()?;
    let competition_id = q.competition_id.as_deref().map(|v| parse_id("competition_id", v)).transpose()?;
    let event_id = q.event_id.as_deref().map(|v| parse_id("event_id", v)).transpose()?;
    let unit_filter = q.nominating_org_id.as_deref().map(|v| parse_id("nominating_org_id", v)).transpose()?;
    let statuses = match &q.status {
        Some(list) => Some(
            list.split(',')
                .map(|s| {
                    RegistrationStatus::parse(s.trim())
                        .map(|s| s.as_str().to_string())
                        .ok_or_else(|| ApiError::field("status", "invalid_value", format!("unknown status '{s}'")))
                })
                .collect::<ApiResult<Vec<_>>>()?,
        ),
        None => None,
    };
    if !actor.is_admin() && !actor.has_role(Role::Organiser) {
        return Err(ApiError::forbidden("review queues are for organisers; contestants see /me/registrations"));
    }
    let awaiting_me = q.awaiting_me.unwrap_or(false);
    let out = registrations::review_queue(
        &state.db,
        actor,
        QueueFilter { limit, after_id, competition_id, event_id, unit_filter, statuses, awaiting_me },
    )
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// One registration with its review trail.
#[utoipa::path(tag = "registration", responses((status = 200, body = RegistrationOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[get("/registrations/{id}")]
pub async fn get_registration(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let out = registrations::get_registration(&state.db, actor, id).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(out.version))).json(out))
}

/// Edits a registration that was returned for changes. Needs `If-Match`.
#[utoipa::path(tag = "registration", request_body = RegistrationPatch, params(("If-Match" = String, Header, description = "ETag of the version read")), responses((status = 200, body = RegistrationOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[patch("/registrations/{id}")]
pub async fn edit_registration(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<RegistrationPatch>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let expected = if_match_version(&req)?;
    let patch = body.0;
    let out = registrations::edit(&state.db, actor, id, expected, patch, now).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(out.version))).json(out))
}

/// Submits a returned registration again; eligibility is checked anew.
#[utoipa::path(tag = "registration", responses((status = 200, body = RegistrationOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[post("/registrations/{id}/resubmit")]
pub async fn resubmit_registration(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let out = registrations::resubmit(&state.db, actor, id, now, zone).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(out.version))).json(out))
}

/// Decides a registration at its current review stage: the nominating unit's organisers first
/// (where the event has two levels), then the host's organisers.
#[utoipa::path(tag = "registration", request_body = ReviewRequest, params(("If-Match" = Option<String>, Header, description = "optional: refuse if it changed")), responses((status = 200, body = RegistrationOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[post("/registrations/{id}/review")]
pub async fn review_registration(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<ReviewRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let expected = super::optional_if_match(&req)?;
    let request = body.0;
    let comment = text::optional("comment", request.comment.as_deref(), 500)?;
    if request.action != ReviewAction::Approve && comment.is_none() {
        return Err(ApiError::field("comment", "required", "say what to change, or why the registration is refused"));
    }
    let out = registrations::decide(&state.db, actor, id, expected, request, comment, now).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(out.version))).json(out))
}

/// Decides many registrations at once (a reviewer's selection, 1 to 500): each is decided at
/// its own review stage or refused with the reason, as one review each would be.
#[utoipa::path(tag = "registration", request_body = BatchReviewRequest, responses((status = 200, body = BatchReviewOut), ProblemResponses), security(("bearer" = [])))]
#[post("/registrations/reviews")]
pub async fn review_registrations(
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody<BatchReviewRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let request = body.0;
    if request.registration_ids.is_empty() || request.registration_ids.len() > 500 {
        return Err(ApiError::field("registration_ids", "out_of_range", "1 to 500 registrations"));
    }
    let ids = request
        .registration_ids
        .iter()
        .enumerate()
        .map(|(i, id)| parse_id(&format!("registration_ids[{i}]"), id))
        .collect::<ApiResult<Vec<_>>>()?;
    let comment = text::optional("comment", request.comment.as_deref(), 500)?;
    if request.action != ReviewAction::Approve && comment.is_none() {
        return Err(ApiError::field("comment", "required", "say what to change, or why the registrations are refused"));
    }
    let out = registrations::decide_many(&state.db, actor, ids, request.action, comment, now).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Withdraws a registration: the contestant or their unit, before registration closes. A
/// qualifier may decline a place until the roster is final; the place passes to the next in line.
#[utoipa::path(tag = "registration", request_body = WithdrawRequest, responses((status = 200, body = RegistrationOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[post("/registrations/{id}/withdraw")]
pub async fn withdraw_registration(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<WithdrawRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let reason = text::optional("reason", body.0.reason.as_deref(), 500)?;
    let out = registrations::withdraw(&state.db, actor, id, reason, now).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(out.version))).json(out))
}

/// A team member answers the captain's invitation: `accept: true` joins the team (200, the
/// registration); `false` takes them off it and returns the registration to the captain (204).
#[utoipa::path(tag = "registration", request_body = InvitationAnswer, responses((status = 200, body = RegistrationOut), (status = 204, description = "declined"), ProblemResponses), security(("bearer" = [])))]
#[post("/registrations/{id}/invitation")]
pub async fn answer_invitation(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<InvitationAnswer>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let now = state.clock.now();
    match registrations::answer_invitation(&state.db, actor, id, body.0.accept, now).await? {
        Some(out) => Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(out.version))).json(out)),
        None => Ok(HttpResponse::NoContent().finish()),
    }
}
