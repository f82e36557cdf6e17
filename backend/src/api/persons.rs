//! People: real name, ID card number (validated, birth date and gender derived from it),
//! contact and employment, and skill credentials. The number is shown masked except to the person,
//! admins and organisers (reviewers) over the person's employer.

use actix_web::http::header;
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{etag, if_match_version, parse_id, JsonBody, PageParams, ProblemResponses};
use crate::auth::Actor;
use crate::domain::person::CorrectionStatus;
use crate::domain::text;
use crate::error::ApiResult;
use crate::service;
use crate::service::credentials::{decide_credential, record_credential, NewCredential};
use crate::service::persons::PersonSearch;
use crate::wire::persons::PersonQuery;
use crate::wire::persons::{credential_out, CredentialOut, PersonOut};
use crate::wire::persons::{CorrectionDecision, CorrectionOut, CorrectionQuery, CorrectionRequest};
use crate::wire::persons::{CredentialInput, PersonInput, PersonPage, PersonPatch, RejectCredentialInput};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_persons)
        .service(create_person)
        .service(get_person)
        .service(update_person)
        .service(put_my_person)
        .service(add_credential)
        .service(verify_credential)
        .service(reject_credential)
        .service(delete_credential)
        .service(request_correction)
        .service(corrections_of)
        .service(correction_queue)
        .service(decide_correction);
}

fn respond(status: actix_web::http::StatusCode, out: PersonOut) -> HttpResponse {
    HttpResponse::build(status).insert_header((header::ETAG, etag(out.version))).json(out)
}

/// People employed within the caller's subtrees (all for admins).
#[utoipa::path(tag = "persons", params(PersonQuery), responses((status = 200, body = PersonPage), ProblemResponses), security(("bearer" = [])))]
#[get("/persons")]
pub async fn list_persons(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<PersonQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageParams { limit: q.limit, cursor: q.cursor.clone() };
    let search = PersonSearch {
        employer_org_id: q.employer_org_id.as_deref().map(|v| parse_id("employer_org_id", v)).transpose()?,
        name_contains: text::optional("q", q.q.as_deref(), 50)?,
        id_number: q.id_number,
        after_id: page.cursor_id()?,
        limit: page.limit()?,
    };
    Ok(HttpResponse::Ok().json(service::persons::list_persons(&state.db, actor, search).await?))
}

/// An organiser records a person employed within their subtree (e.g. to nominate them).
#[utoipa::path(tag = "persons", request_body = PersonInput, responses((status = 201, body = PersonOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[post("/persons")]
pub async fn create_person(
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody<PersonInput>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let out = service::persons::create_person(&state.db, actor, body.0, now, state.zone.date_of(now)).await?;
    Ok(respond(actix_web::http::StatusCode::CREATED, out))
}

/// One person, as the caller may see them.
#[utoipa::path(tag = "persons", responses((status = 200, body = PersonOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[get("/persons/{id}")]
pub async fn get_person(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let out = service::persons::get_person(&state.db, actor, id).await?;
    Ok(respond(actix_web::http::StatusCode::OK, out))
}

/// Changes a person's profile. Needs `If-Match`.
#[utoipa::path(tag = "persons", request_body = PersonPatch, params(("If-Match" = String, Header, description = "ETag of the version read")), responses((status = 200, body = PersonOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[patch("/persons/{id}")]
pub async fn update_person(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<PersonPatch>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let expected = if_match_version(&req)?;
    let out =
        service::persons::update_person(&state.db, actor, id, expected, body.0, now, state.zone.date_of(now)).await?;
    Ok(respond(actix_web::http::StatusCode::OK, out))
}

/// The caller's own profile: created on first call (201), replaced afterwards (200, needs
/// `If-Match`). A number already registered by someone else is refused.
#[utoipa::path(tag = "persons", request_body = PersonInput, params(("If-Match" = Option<String>, Header, description = "ETag, when the profile exists")), responses((status = 200, body = PersonOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), (status = 201, body = PersonOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[put("/me/person")]
pub async fn put_my_person(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    body: JsonBody<PersonInput>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let expected = match actor.person_id {
        None => None,
        Some(_) => Some(if_match_version(&req)?),
    };
    let (created, out) =
        service::persons::put_my_person(&state.db, actor, expected, body.0, now, state.zone.date_of(now)).await?;
    let status = if created { actix_web::http::StatusCode::CREATED } else { actix_web::http::StatusCode::OK };
    Ok(respond(status, out))
}

/// Records a skill credential (职业技能等级证书) of a person. The person's own entry is a
/// declaration (`declared`), counted by no rule until a reviewer verifies it; an organiser or
/// official over the person's employer, an organiser reviewing one of their registrations, or an
/// admin records it `verified` (by them).
#[utoipa::path(tag = "persons", request_body = CredentialInput, responses((status = 201, body = CredentialOut), ProblemResponses), security(("bearer" = [])))]
#[post("/persons/{id}/credentials")]
pub async fn add_credential(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<CredentialInput>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let person_id = parse_id("id", &id)?;
    let new = NewCredential::check(body.0, state.zone.date_of(now))?;
    let out = credential_out(record_credential(&state.db, actor, person_id, new, now).await?);
    Ok(HttpResponse::Created().json(out))
}

/// Verifies a declared credential after seeing the certificate (a reviewer, never its holder).
#[utoipa::path(tag = "persons", responses((status = 200, body = CredentialOut), ProblemResponses), security(("bearer" = [])))]
#[post("/persons/{id}/credentials/{credential_id}/verify")]
pub async fn verify_credential(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let (person_id, credential_id) = path.into_inner();
    let ids = (parse_id("id", &person_id)?, parse_id("credential_id", &credential_id)?);
    let out = decide_credential(&state.db, actor, ids.0, ids.1, None, now).await?;
    Ok(HttpResponse::Ok().json(credential_out(out)))
}

/// Rejects a credential with a reason (a reviewer, never its holder); rules no longer count it.
#[utoipa::path(tag = "persons", request_body = RejectCredentialInput, responses((status = 200, body = CredentialOut), ProblemResponses), security(("bearer" = [])))]
#[post("/persons/{id}/credentials/{credential_id}/reject")]
pub async fn reject_credential(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, String)>,
    body: JsonBody<RejectCredentialInput>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let (person_id, credential_id) = path.into_inner();
    let ids = (parse_id("id", &person_id)?, parse_id("credential_id", &credential_id)?);
    let reason = text::required("reason", &body.0.reason, 500)?;
    let out = decide_credential(&state.db, actor, ids.0, ids.1, Some(reason), now).await?;
    Ok(HttpResponse::Ok().json(credential_out(out)))
}

/// Removes a credential recorded by mistake.
#[utoipa::path(tag = "persons", responses((status = 204), ProblemResponses), security(("bearer" = [])))]
#[delete("/persons/{id}/credentials/{credential_id}")]
pub async fn delete_credential(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (person_id, credential_id) = path.into_inner();
    let person_id = parse_id("id", &person_id)?;
    let credential_id = parse_id("credential_id", &credential_id)?;
    service::persons::delete_credential(&state.db, actor, person_id, credential_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Asks for a correction of a locked name, ID number or employer (the person is entered in a
/// competition that is not over): by the person, or an organiser over them. Another organiser over
/// the person, or an admin, decides.
#[utoipa::path(tag = "persons", request_body = CorrectionRequest, responses((status = 201, body = CorrectionOut), ProblemResponses), security(("bearer" = [])))]
#[post("/persons/{id}/identity-corrections")]
pub async fn request_correction(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<CorrectionRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let today = state.zone.date_of(state.clock.now());
    let out = service::corrections::request_correction(&state.db, actor, today, id, body.0).await?;
    Ok(HttpResponse::Created().json(out))
}

/// A person's identity corrections, newest first.
#[utoipa::path(tag = "persons", responses((status = 200, body = Vec<CorrectionOut>), ProblemResponses), security(("bearer" = [])))]
#[get("/persons/{id}/identity-corrections")]
pub async fn corrections_of(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    Ok(HttpResponse::Ok().json(service::corrections::corrections_of(&state.db, actor, id).await?))
}

/// Identity corrections of people employed in the caller's subtrees (everyone's for admins).
#[utoipa::path(tag = "persons", params(CorrectionQuery), responses((status = 200, body = Vec<CorrectionOut>), ProblemResponses), security(("bearer" = [])))]
#[get("/identity-corrections")]
pub async fn correction_queue(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<CorrectionQuery>,
) -> ApiResult<HttpResponse> {
    let status = query.into_inner().status.unwrap_or(CorrectionStatus::Pending);
    Ok(HttpResponse::Ok().json(service::corrections::correction_queue(&state.db, actor, status).await?))
}

/// Approves (and applies) or declines a pending correction: an organiser over the person or an
/// admin — not who asked, not the person.
#[utoipa::path(tag = "persons", request_body = CorrectionDecision, responses((status = 200, body = CorrectionOut), ProblemResponses), security(("bearer" = [])))]
#[post("/identity-corrections/{id}/decision")]
pub async fn decide_correction(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<CorrectionDecision>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let today = state.zone.date_of(state.clock.now());
    Ok(HttpResponse::Ok().json(service::corrections::decide_correction(&state.db, actor, today, id, body.0).await?))
}
