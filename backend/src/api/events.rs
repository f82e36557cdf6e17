//! Events (竞赛项目 = competition × trade) with their rules, sessions, technical documents
//! (技术工作文件, versioned, frozen once registration opens) and marking-scheme outline.

use actix_web::http::header;
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{etag, if_match_version, parse_id, JsonBody, ProblemResponses};
use crate::auth::Actor;
use crate::domain::{keep, text, Violation};
use crate::error::{ApiError, ApiResult};
use crate::service;
use crate::service::events::check_document;
use crate::wire::events::{DocumentInput, EventPatch, NewEvent, NewSession, PublishRequest};
use crate::wire::events::{DocumentOut, EventDetail, EventOut, SessionOut};
use crate::wire::schemes::{MarkingSchemeInput, MarkingSchemeOut};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_event)
        .service(get_event)
        .service(update_event)
        .service(delete_event)
        .service(add_session)
        .service(delete_session)
        .service(list_documents)
        .service(create_document)
        .service(update_document)
        .service(publish_document)
        .service(put_marking_scheme);
}

/// Adds an event to a competition that has not opened registration yet.
#[utoipa::path(tag = "competitions", request_body = NewEvent, responses((status = 201, body = EventOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[post("/competitions/{id}/events")]
pub async fn create_event(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<NewEvent>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let competition_id = parse_id("id", &id)?;
    let input = body.0;
    let trade_id = parse_id("trade_id", &input.trade_id)?;
    let name = input.name.as_deref().map(|n| text::required("name", n, 100)).transpose()?;
    let out = service::events::create_event(&state.db, actor, now, competition_id, input, trade_id, name).await?;
    let version = out.version;
    Ok(HttpResponse::Created().insert_header((header::ETAG, etag(version))).json(out))
}

/// One event with its sessions, technical documents and marking-scheme outline.
#[utoipa::path(tag = "competitions", responses((status = 200, body = EventDetail, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses))]
#[get("/events/{id}")]
pub async fn get_event(
    state: web::Data<AppState>,
    actor: Option<Actor>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let detail = service::events::get_event(&state.db, actor, id, state.clock.now(), state.zone).await?;
    let version = detail.event.version;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(version))).json(detail))
}

/// Changes an event before registration opens. Needs `If-Match`.
#[utoipa::path(tag = "competitions", request_body = EventPatch, params(("If-Match" = String, Header, description = "ETag of the version read")), responses((status = 200, body = EventOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[patch("/events/{id}")]
pub async fn update_event(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<EventPatch>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let expected = if_match_version(&req)?;
    let patch = body.0;
    let trade_id = patch.trade_id.as_deref().map(|v| parse_id("trade_id", v)).transpose()?;
    let name = patch.name.as_deref().map(|n| text::required("name", n, 100)).transpose()?;
    let out = service::events::update_event(&state.db, actor, now, id, expected, patch, trade_id, name).await?;
    let version = out.version;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(version))).json(out))
}

/// Removes an event before registration opens. Needs `If-Match`.
#[utoipa::path(tag = "competitions", params(("If-Match" = String, Header, description = "ETag of the version read")), responses((status = 204), ProblemResponses), security(("bearer" = [])))]
#[delete("/events/{id}")]
pub async fn delete_event(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let expected = if_match_version(&req)?;
    service::events::delete_event(&state.db, actor, id, expected).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Schedules a theory paper or practical module. Sittings of one event never overlap and fall
/// within the competition's dates.
#[utoipa::path(tag = "competitions", request_body = NewSession, responses((status = 201, body = SessionOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/sessions")]
pub async fn add_session(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<NewSession>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let input = body.0;
    let mut violations = Vec::new();
    let name = keep(&mut violations, text::required("name", &input.name, 100));
    let venue = keep(&mut violations, text::required("venue", &input.venue, 200));
    let starts_at = crate::db::truncate_to_micros(input.starts_at.naive_utc());
    let ends_at = crate::db::truncate_to_micros(input.ends_at.naive_utc());
    if ends_at <= starts_at {
        violations.push(Violation::new("ends_at", "dates_out_of_order", "a sitting ends after it starts"));
    }
    if !violations.is_empty() {
        return Err(ApiError::validation(violations));
    }
    let out =
        service::events::add_session(&state.db, actor, zone, now, event_id, input, name, venue, starts_at, ends_at)
            .await?;
    Ok(HttpResponse::Created().json(out))
}

/// Removes a sitting before the competition runs.
#[utoipa::path(tag = "competitions", responses((status = 204), ProblemResponses), security(("bearer" = [])))]
#[delete("/events/{id}/sessions/{session_id}")]
pub async fn delete_session(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (event_id, session_id) = path.into_inner();
    let event_id = parse_id("id", &event_id)?;
    let session_id = parse_id("session_id", &session_id)?;
    service::events::delete_session(&state.db, actor, event_id, session_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An event's technical documents: published and superseded versions for everyone, drafts for its
/// organisers.
#[utoipa::path(tag = "competitions", responses((status = 200, body = [DocumentOut]), ProblemResponses))]
#[get("/events/{id}/documents")]
pub async fn list_documents(
    state: web::Data<AppState>,
    actor: Option<Actor>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let out = service::events::list_documents(&state.db, actor, id).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Starts a new version of the technical document as a draft.
#[utoipa::path(tag = "competitions", request_body = DocumentInput, responses((status = 201, body = DocumentOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/documents")]
pub async fn create_document(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<DocumentInput>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let input = body.0;
    let (title, text_body) = check_document(&input.title, &input.body, &input.attachments)?;
    let out = service::events::create_document(&state.db, actor, now, event_id, input, title, text_body).await?;
    Ok(HttpResponse::Created().json(out))
}

/// Edits a draft version. Published versions never change: start a new version instead.
#[utoipa::path(tag = "competitions", request_body = DocumentInput, responses((status = 200, body = DocumentOut), ProblemResponses), security(("bearer" = [])))]
#[patch("/events/{id}/documents/{version}")]
pub async fn update_document(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, i32)>,
    body: JsonBody<DocumentInput>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let (event_id, version) = path.into_inner();
    let event_id = parse_id("id", &event_id)?;
    let input = body.0;
    let (title, text_body) = check_document(&input.title, &input.body, &input.attachments)?;
    let out =
        service::events::update_document(&state.db, actor, now, event_id, version, input, title, text_body).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Publishes a draft version. Once registration has opened the published rules are frozen: a
/// new version can still be published, but only with a reason, and the earlier one stays on record
/// as superseded.
#[utoipa::path(tag = "competitions", request_body = PublishRequest, responses((status = 200, body = DocumentOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/documents/{version}/publish")]
pub async fn publish_document(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, i32)>,
    body: JsonBody<PublishRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let (event_id, version) = path.into_inner();
    let event_id = parse_id("id", &event_id)?;
    let reason = text::optional("reason", body.0.reason.as_deref(), 1000)?;
    let out = service::events::publish_document(&state.db, actor, now, event_id, version, reason).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Sets the event's marking scheme (评分标准): sections (theory paper, practical modules), each with
/// criteria and aspects of three kinds — measurement, judgement (0–3 by each judge) and deduction —
/// totalling 100 per section; or just the outline of sections. Locked once the competition runs.
#[utoipa::path(tag = "competitions", request_body = MarkingSchemeInput, responses((status = 200, body = MarkingSchemeOut), ProblemResponses), security(("bearer" = [])))]
#[put("/events/{id}/marking-scheme")]
pub async fn put_marking_scheme(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<MarkingSchemeInput>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let out = crate::service::schemes::set_marking_scheme(&state.db, actor, event_id, body.0, now).await?;
    Ok(HttpResponse::Ok().json(out))
}
