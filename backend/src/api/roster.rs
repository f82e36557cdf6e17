//! The roster: qualifier lists admitted by hand (with the next in line taking a declined place),
//! imports from spreadsheets, the public roster during publicity (公示) and objections against
//! names, roster exports, and the working-day calendar publicity windows are counted in.

use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{parse_id, JsonBody, ProblemResponses};
use crate::api::content_type;
use crate::api::upload;
use crate::auth::policy::require_admin;
use crate::auth::Actor;
use crate::domain::text;
use crate::error::{ApiError, ApiResult};
use crate::service;
use crate::service::qualifiers;
use crate::service::spreadsheet::Upload;
use crate::wire::qualifiers::{QualifierList, QualifierOutcome, QualifierOutcomeOut};
use crate::wire::roster::{
    CalendarDayInput, CalendarDayOut, ImportReport, ObjectionOut, ObjectionRequest, ObjectionRuling, PublicRoster,
};
use crate::wire::roster::{CalendarQuery, ExportQuery, ImportQuery};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(admit_qualifiers)
        .service(qualifier_outcomes)
        .service(import_roster)
        .service(export_roster)
        .service(public_roster)
        .service(file_objection)
        .service(list_objections)
        .service(rule_objection)
        .service(list_calendar)
        .service(put_calendar_day)
        .service(delete_calendar_day);
}

/// Admits qualifiers from a lower tier's published ranking by hand: the top places become
/// registrations waiting for the host's review (marked with their origin), the rest a reserve
/// list; a declined place passes to the next in line.
#[utoipa::path(tag = "registration", request_body = QualifierList, responses((status = 201, body = QualifierOutcome), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/qualifiers")]
pub async fn admit_qualifiers(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<QualifierList>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let out = qualifiers::admit_by_hand(&state.db, actor, event_id, body.0, now, zone).await?;
    Ok(HttpResponse::Created().json(out))
}

/// What became of the event's qualifiers when its results became final (entered in the next tier,
/// in reserve, or refused and why), and of those who qualified for it from the tier below: for
/// the organisers of either.
#[utoipa::path(tag = "registration", responses((status = 200, body = [QualifierOutcomeOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/qualifier-outcomes")]
pub async fn qualifier_outcomes(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    Ok(HttpResponse::Ok().json(qualifiers::outcomes(&state.db, actor, event_id).await?))
}

/// Imports a unit's nominees for an event from .xlsx or .csv (columns 姓名, 身份证号, and
/// optionally 手机号, 民族). A person not yet on record is created, employed by the unit. Each row
/// is checked as a sign-up would be; the report lists every row's fate. In `all_or_nothing` mode a
/// file with any refused row writes nothing and answers 422 `import_refused` with the report in
/// `extra`.
#[utoipa::path(tag = "registration", params(ImportQuery),
    request_body(description = "the roster: a workbook (.xlsx) or comma-separated text",
        content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))),
    responses((status = 200, body = ImportReport), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/registrations/import")]
pub async fn import_roster(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<String>,
    query: web::Query<ImportQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let q = query.into_inner();
    let unit_id = parse_id("nominating_org_id", &q.nominating_org_id)?;
    let mode = q.mode.unwrap_or_else(|| "all_or_nothing".into());
    if !matches!(mode.as_str(), "all_or_nothing" | "valid_rows") {
        return Err(ApiError::field("mode", "invalid_value", "all_or_nothing or valid_rows"));
    }
    let file = Upload { bytes: upload(&req, payload), content_type: content_type(&req) };
    let report = service::roster::import(&state.db, actor, event_id, unit_id, mode, file, now, state.zone).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// The public roster (公示名单), once publicity has begun: names with masked ID numbers.
#[utoipa::path(tag = "registration", responses((status = 200, body = PublicRoster), ProblemResponses))]
#[get("/competitions/{id}/roster")]
pub async fn public_roster(
    state: web::Data<AppState>,
    actor: Option<Actor>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let out = service::roster::public_roster(&state.db, actor, id).await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "public, max-age=60")).json(out))
}

/// The roster as an .xlsx workbook: masked ID numbers for public lists, whole ones for the host's
/// organisers (reviewers) who ask for them.
#[utoipa::path(tag = "registration", params(ExportQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), ProblemResponses))]
#[get("/competitions/{id}/roster.xlsx")]
pub async fn export_roster(
    state: web::Data<AppState>,
    actor: Option<Actor>,
    id: web::Path<String>,
    query: web::Query<ExportQuery>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let bytes = service::roster::export_roster(&state.db, actor, id, query.full_ids.unwrap_or(false)).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((header::CONTENT_DISPOSITION, super::attachment("roster.xlsx", "公示名单.xlsx")))
        .body(bytes))
}

/// Files an objection against a name on the public roster, during its publicity window.
#[utoipa::path(operation_id = "file_roster_objection", tag = "registration", request_body = ObjectionRequest, responses((status = 201, body = ObjectionOut), ProblemResponses), security(("bearer" = [])))]
#[post("/registrations/{id}/objections")]
pub async fn file_objection(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<ObjectionRequest>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let grounds = text::required("grounds", &body.0.grounds, 1000)?;
    let out = service::roster::file_objection(&state.db, actor, zone, now, id, grounds).await?;
    Ok(HttpResponse::Created().json(out))
}

/// Objections against a competition's roster (its organisers).
#[utoipa::path(operation_id = "list_roster_objections", tag = "registration", responses((status = 200, body = [ObjectionOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/competitions/{id}/objections")]
pub async fn list_objections(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let out = service::roster::list_objections(&state.db, actor, id).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Rules on an objection. Upheld: the contestant is replaced by the next in line (if any).
#[utoipa::path(operation_id = "rule_roster_objection", tag = "registration", request_body = ObjectionRuling, responses((status = 200, body = ObjectionOut), ProblemResponses), security(("bearer" = [])))]
#[post("/objections/{id}/ruling")]
pub async fn rule_objection(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<ObjectionRuling>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let request = body.0;
    let ruling = text::required("ruling", &request.ruling, 1000)?;
    let out = service::roster::rule_objection(&state.db, actor, now, id, request, ruling).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Public holidays and worked weekend days (调休) of a year, as publicity windows count them.
#[utoipa::path(tag = "registration", params(CalendarQuery), responses((status = 200, body = [CalendarDayOut]), ProblemResponses))]
#[get("/calendar")]
pub async fn list_calendar(state: web::Data<AppState>, query: web::Query<CalendarQuery>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::reference::calendar_of(&state.db, query.year).await?))
}

/// Declares a day a public holiday or a worked weekend day (admins).
#[utoipa::path(tag = "registration", request_body = CalendarDayInput, responses((status = 200, body = CalendarDayOut), ProblemResponses), security(("bearer" = [])))]
#[put("/calendar/{day}")]
pub async fn put_calendar_day(
    state: web::Data<AppState>,
    actor: Actor,
    day: web::Path<String>,
    body: JsonBody<CalendarDayInput>,
) -> ApiResult<HttpResponse> {
    require_admin(&actor)?;
    let day = calendar_day(&day)?;
    Ok(HttpResponse::Ok().json(service::reference::put_calendar_day(&state.db, actor, day, body.0).await?))
}

/// Removes a calendar entry (admins).
#[utoipa::path(tag = "registration", responses((status = 204), ProblemResponses), security(("bearer" = [])))]
#[delete("/calendar/{day}")]
pub async fn delete_calendar_day(
    state: web::Data<AppState>,
    actor: Actor,
    day: web::Path<String>,
) -> ApiResult<HttpResponse> {
    require_admin(&actor)?;
    let day = calendar_day(&day)?;
    service::reference::delete_calendar_day(&state.db, actor, day).await?;
    Ok(HttpResponse::build(StatusCode::NO_CONTENT).finish())
}

fn calendar_day(day: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map_err(|_| ApiError::bad_request("invalid_date", "the day is YYYY-MM-DD"))
}
