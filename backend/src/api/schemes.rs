//! Marking schemes in and out of spreadsheets (organisers write them in Excel) and as JSON.
//!
//! One row per aspect: 模块 (section), 类型 (理论 / 实操), 评分项 (criterion), 评分要素 (what is
//! marked), 类别 (测量 / 评价 / 扣分), 分值, 标准 (tolerance), and for judgement aspects what 0–3
//! mean. Sections and criteria keep the order of their first row.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{parse_id, ProblemResponses};
use crate::auth::Actor;
use crate::domain::event::SessionKind;
use crate::domain::scoring::{AspectKind, AspectSpec, CriterionSpec};
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult};
use crate::service::load;
use crate::service::schemes::{check_scheme_input, save_marking_scheme};
use crate::service::spreadsheet::read_table;
use crate::store;
use crate::wire::schemes::ImportSchemeQuery;
use crate::wire::schemes::{scheme_out, MarkingSchemeInput, MarkingSchemeOut, SchemeSection};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_scheme).service(export_scheme).service(import_scheme);
}

const HEADERS: [&str; 11] = ["模块", "类型", "评分项", "评分要素", "类别", "分值", "标准", "0分", "1分", "2分", "3分"];

fn kind_label(kind: AspectKind) -> &'static str {
    match kind {
        AspectKind::Measurement => "测量",
        AspectKind::Judgement => "评价",
        AspectKind::Deduction => "扣分",
    }
}

fn parse_kind(label: &str) -> Option<AspectKind> {
    match label.trim() {
        "测量" | "measurement" => Some(AspectKind::Measurement),
        "评价" | "judgement" => Some(AspectKind::Judgement),
        "扣分" | "deduction" => Some(AspectKind::Deduction),
        _ => None,
    }
}

fn parse_section_kind(label: &str) -> Option<SessionKind> {
    match label.trim() {
        "理论" | "theory" => Some(SessionKind::Theory),
        "实操" | "practical" => Some(SessionKind::Practical),
        _ => None,
    }
}

/// The scheme document from a sheet's rows (headers first), or every row's problem.
pub fn scheme_from_rows(title: &str, rows: &[Vec<String>]) -> ApiResult<MarkingSchemeInput> {
    let Some((headers, rows)) = rows.split_first() else {
        return Err(ApiError::bad_request("empty_file", "the sheet has no rows"));
    };
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let cols: Vec<Option<usize>> = HEADERS.iter().map(|h| col(h)).collect();
    if cols[..6].iter().any(Option::is_none) {
        return Err(ApiError::bad_request(
            "missing_columns",
            format!("the first row must name the columns {}", HEADERS[..6].join(", ")),
        ));
    }
    let mut sections: Vec<SchemeSection> = Vec::new();
    let mut violations = Vec::new();
    for (i, cells) in rows.iter().enumerate() {
        let row = i + 2;
        let cell = |c: usize| cols[c].and_then(|c| cells.get(c)).map(|s| s.trim().to_string()).unwrap_or_default();
        let (section, section_kind, criterion, description, kind, max) =
            (cell(0), cell(1), cell(2), cell(3), cell(4), cell(5));
        let Some(section_kind) = parse_section_kind(&section_kind) else {
            violations.push(Violation::new(&format!("row {row}.类型"), "invalid_value", "理论 or 实操"));
            continue;
        };
        let Some(kind) = parse_kind(&kind) else {
            violations.push(Violation::new(&format!("row {row}.类别"), "invalid_value", "测量, 评价 or 扣分"));
            continue;
        };
        let Ok(max) = max.parse::<f64>() else {
            violations.push(Violation::new(&format!("row {row}.分值"), "invalid_number", "a number of marks"));
            continue;
        };
        let descriptors: Vec<String> =
            if kind == AspectKind::Judgement { (7..11).map(cell).collect() } else { Vec::new() };
        let aspect =
            AspectSpec { description, kind, max, tolerance: Some(cell(6)).filter(|t| !t.is_empty()), descriptors };
        let position = match sections.iter().position(|s| s.name == section) {
            Some(p) => p,
            None => {
                sections.push(SchemeSection { name: section.clone(), kind: section_kind, criteria: Vec::new() });
                sections.len() - 1
            }
        };
        let target = &mut sections[position];
        match target.criteria.iter_mut().find(|c| c.name == criterion) {
            Some(c) => c.aspects.push(aspect),
            None => target.criteria.push(CriterionSpec { name: criterion, aspects: vec![aspect] }),
        }
    }
    if !violations.is_empty() {
        return Err(ApiError::validation(violations));
    }
    Ok(MarkingSchemeInput { title: title.to_string(), judgement_spread_limit: None, drop_extremes: None, sections })
}

/// The scheme as a workbook in the same layout.
pub fn scheme_workbook(scheme: &MarkingSchemeOut) -> ApiResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let failed = |e: rust_xlsxwriter::XlsxError| ApiError::internal(format!("workbook: {e}"));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("评分标准").map_err(failed)?;
    let bold = Format::new().set_bold();
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(failed)?;
    }
    let mut r = 1u32;
    for section in &scheme.sections {
        for criterion in &section.criteria {
            for a in &criterion.aspects {
                let kind = if section.kind == SessionKind::Theory { "理论" } else { "实操" };
                let texts =
                    [section.name.as_str(), kind, criterion.name.as_str(), a.description.as_str(), kind_label(a.kind)];
                for (c, t) in texts.iter().enumerate() {
                    sheet.write_string(r, c as u16, *t).map_err(failed)?;
                }
                sheet.write_number(r, 5, a.max).map_err(failed)?;
                sheet.write_string(r, 6, a.tolerance.as_deref().unwrap_or("")).map_err(failed)?;
                for (i, d) in a.descriptors.iter().enumerate().take(4) {
                    sheet.write_string(r, (7 + i) as u16, d).map_err(failed)?;
                }
                r += 1;
            }
        }
    }
    for (c, width) in [16.0, 6.0, 14.0, 30.0, 6.0, 6.0, 20.0, 14.0, 14.0, 14.0, 14.0].iter().enumerate() {
        sheet.set_column_width(c as u16, *width).map_err(failed)?;
    }
    workbook.save_to_buffer().map_err(failed)
}

fn load_scheme(
    conn: &mut crate::db::DbConnection,
    actor: Option<&Actor>,
    event_id: &str,
) -> ApiResult<MarkingSchemeOut> {
    load::event(conn, actor, event_id)?;
    store::events::scheme_of(conn, event_id)?.map(scheme_out).ok_or_else(|| ApiError::not_found("marking scheme"))
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
    let out = state.db.read(move |conn| load_scheme(conn, actor.as_ref(), &event_id)).await?;
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
    let scheme = state.db.read(move |conn| load_scheme(conn, actor.as_ref(), &event_id)).await?;
    let bytes = web::block(move || scheme_workbook(&scheme)).await.map_err(|e| ApiError::internal(e.to_string()))??;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"marking-scheme.xlsx\""))
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
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let content_type =
        req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let rows = read_table(&body, &content_type)?;
    let input = scheme_from_rows(&query.title, &rows)?;
    check_scheme_input(&input)?;
    let out = state.db.write(move |conn| save_marking_scheme(conn, &actor, &event_id, input, now)).await?;
    Ok(HttpResponse::Ok().json(out))
}
