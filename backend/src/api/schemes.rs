//! Marking schemes in and out of spreadsheets (organisers write them in Excel) and as JSON.
//!
//! One row per aspect: 模块 (section), 类型 (理论 / 实操), 评分项 (criterion), 评分要素 (what is
//! marked), 类别 (测量 / 评价 / 扣分), 分值, 标准 (tolerance), and for judgement aspects what 0–3
//! mean. Sections and criteria keep the order of their first row.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{parse_id, ProblemResponses};
use crate::api::content_type;
use crate::api::upload;
use crate::auth::Actor;
use crate::error::ApiResult;
use crate::service;
use crate::service::spreadsheet::Upload;
use crate::wire::schemes::ImportSchemeQuery;
use crate::wire::schemes::MarkingSchemeOut;
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(scheme_template).service(get_scheme).service(export_scheme).service(import_scheme);
}

/// The event's marking scheme as JSON (the same document `PUT …/marking-scheme` takes).
#[utoipa::path(tag = "judging", responses((status = 200, body = MarkingSchemeOut), ProblemResponses))]
#[get("/events/{id}/marking-scheme")]
pub async fn get_scheme(
    state: web::Data<AppState>,
    actor: Option<Actor>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let out = service::schemes::get_scheme(&state.db, actor, event_id).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The event's marking scheme as a workbook, one row per aspect.
#[utoipa::path(tag = "judging", responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), ProblemResponses))]
#[get("/events/{id}/marking-scheme.xlsx")]
pub async fn export_scheme(
    state: web::Data<AppState>,
    actor: Option<Actor>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let bytes = service::schemes::export_scheme(&state.db, actor, event_id).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((header::CONTENT_DISPOSITION, super::attachment("marking-scheme.xlsx", "评分标准.xlsx")))
        .body(bytes))
}

/// A filled-in template of the marking-scheme workbook (a theory paper, two weighted practical
/// modules, an aspect of each kind) to edit and import.
#[utoipa::path(tag = "judging", responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), ProblemResponses))]
#[get("/marking-schemes/template.xlsx")]
pub async fn scheme_template() -> ApiResult<HttpResponse> {
    let bytes = service::schemes::template_workbook().await?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            header::CONTENT_DISPOSITION,
            super::attachment("marking-scheme-template.xlsx", "评分标准模板.xlsx"),
        ))
        .body(bytes))
}

/// Replaces the event's marking scheme from a workbook (or .csv) in the export's layout; every
/// rule is checked as for the JSON document, and a bad row is named by its number.
#[utoipa::path(tag = "judging", params(ImportSchemeQuery),
    request_body(description = "the scheme: a workbook (.xlsx) in the export's layout, or comma-separated text",
        content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))),
    responses((status = 200, body = MarkingSchemeOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/marking-scheme/import")]
pub async fn import_scheme(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<String>,
    query: web::Query<ImportSchemeQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let file = Upload { bytes: upload(&req, payload), content_type: content_type(&req) };
    let out = service::schemes::import_scheme(&state.db, actor, event_id, query.into_inner().title, file, now).await?;
    Ok(HttpResponse::Ok().json(out))
}
