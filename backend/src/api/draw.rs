//! The event's officials (裁判组), the draw (抽签) and its sealed two-layer mapping, admission
//! tickets (准考证), check-in (检录) and no-shows.

use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{parse_id, JsonBody, ProblemResponses};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::service;
use crate::wire::draw::{
    Appointment, CheckInOut, CheckInRequest, DrawMapping, DrawSummary, EventRoleOut, NoShowOut, Ticket,
};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_event_roles)
        .service(appoint)
        .service(remove_appointment)
        .service(perform_draw)
        .service(read_draw)
        .service(ticket)
        .service(ticket_page)
        .service(check_in)
        .service(mark_no_shows);
}

/// The event's officials (its competition's organisers, and the officials themselves).
#[utoipa::path(tag = "registration", responses((status = 200, body = [EventRoleOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/roles")]
pub async fn list_event_roles(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let out = service::draw::list_event_roles(&state.db, actor, id).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Appoints a qualified person to a role on the event (the host's organisers).
#[utoipa::path(tag = "registration", request_body = Appointment, responses((status = 201, body = EventRoleOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/roles")]
pub async fn appoint(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<Appointment>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let input = body.0;
    let user_id = parse_id("user_id", &input.user_id)?;
    let out = service::draw::appoint(&state.db, actor, now, event_id, input, user_id).await?;
    Ok(HttpResponse::Created().json(out))
}

/// Ends an appointment.
#[utoipa::path(tag = "registration", responses((status = 204), ProblemResponses), security(("bearer" = [])))]
#[delete("/events/{id}/roles/{role_id}")]
pub async fn remove_appointment(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (event_id, role_id) = path.into_inner();
    let event_id = parse_id("id", &event_id)?;
    let role_id = parse_id("role_id", &role_id)?;
    service::draw::remove_appointment(&state.db, actor, event_id, role_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Performs the event's draw (the encryption judge, once the roster is final): a random seed
/// gives every admitted contestant a draw number and every draw number a station. The answer says
/// only that it happened; the mapping stays sealed.
#[utoipa::path(tag = "registration", responses((status = 201, body = DrawSummary), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/draw")]
pub async fn perform_draw(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let out = service::draw::perform_draw(&state.db, actor, now, state.zone, event_id).await?;
    Ok(HttpResponse::Created().json(out))
}

/// The draw's mapping: for the event's encryption judge only, until the competition is decrypted;
/// then for its organisers too. Nobody else, organisers and judges included, can read it before.
#[utoipa::path(tag = "registration", responses((status = 200, body = DrawMapping), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/draw")]
pub async fn read_draw(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let out = service::draw::read_draw(&state.db, actor, event_id).await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(out))
}

/// The admission ticket (准考证) as data.
#[utoipa::path(tag = "registration", responses((status = 200, body = Ticket), ProblemResponses), security(("bearer" = [])))]
#[get("/registrations/{id}/ticket")]
pub async fn ticket(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let out = service::draw::ticket(&state.db, actor, id).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The admission ticket as a printable A4 page.
#[utoipa::path(tag = "registration", responses((status = 200, content_type = "text/html", body = String), ProblemResponses), security(("bearer" = [])))]
#[get("/registrations/{id}/ticket.html")]
pub async fn ticket_page(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let html = service::draw::ticket_html(&state.db, actor, state.zone, id).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(html))
}

/// Checks a contestant in (检录) by ticket number, confirmed against the ID card presented. A
/// repeated scan answers the same and changes nothing.
#[utoipa::path(tag = "registration", request_body = CheckInRequest, responses((status = 200, body = CheckInOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/check-in")]
pub async fn check_in(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<CheckInRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let input = body.0;
    let ticket_no = input.ticket_number.trim().to_string();
    if ticket_no.is_empty() || ticket_no.len() > 30 {
        return Err(ApiError::field("ticket_number", "invalid_ticket", "scan or type the ticket number"));
    }
    let out = service::draw::check_in(&state.db, actor, now, state.zone, event_id, input, ticket_no).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Marks the admitted contestants who did not check in as no-shows, once the event's first sitting
/// has started.
#[utoipa::path(tag = "registration", responses((status = 200, body = NoShowOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/no-shows")]
pub async fn mark_no_shows(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let out = service::draw::mark_no_shows(&state.db, actor, zone, now, event_id).await?;
    Ok(HttpResponse::Ok().json(out))
}
