//! Results: computed from the locked marks of a decrypted event, stored with a digest of exactly
//! those marks, checkable by recomputation, publicised (公示) for five working days, then final.
//! Public results show names with masked ID numbers and are cacheable.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{parse_id, JsonBody, ProblemResponses};
use crate::auth::policy::can_manage_competition;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::service::load;
use crate::service::results::{self, public_results, result_set_out, visible_results};
use crate::store::{self};
use crate::wire::results::{
    ComputeRequest, EventStatistics, ResultEntry, ResultSetOut, ResultSetSummary, Verification,
};
use crate::wire::results::{ExportFormat, ResultsPage};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(compute_results)
        .service(get_results)
        .service(verify_results)
        .service(publish_results)
        .service(finalise_results)
        .service(export_event_results)
        .service(export_competition_results)
        .service(event_statistics);
}

/// Computes the event's results from its marks and stores them as a provisional result set,
/// with the digest of the marks used.
#[utoipa::path(tag = "results", request_body = ComputeRequest, responses((status = 201, body = ResultSetOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/results")]
pub async fn compute_results(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<ComputeRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let options = body.0;
    let out = results::compute(&state.db, actor, event_id, options, now).await?;
    state.public_results.forget(&out.summary.event_id);
    Ok(HttpResponse::Created().json(out))
}

impl ResultsPage {
    fn slice<'a>(&self, entries: &'a [ResultEntry]) -> ApiResult<&'a [ResultEntry]> {
        if self.limit.is_some_and(|n| !(1..=1000).contains(&n)) {
            return Err(ApiError::field("limit", "out_of_range", "limit is 1 to 1000"));
        }
        let from = self.offset.unwrap_or(0).min(entries.len());
        let to = self.limit.map_or(entries.len(), |n| (from + n).min(entries.len()));
        Ok(&entries[from..to])
    }
}

/// A result set with a page of its entries (serialises as a `ResultSetOut`).
#[derive(Serialize)]
struct ResultSetPage<'a> {
    #[serde(flatten)]
    summary: &'a ResultSetSummary,
    entry_count: usize,
    entries: &'a [ResultEntry],
}

/// The event's latest results: for its organisers in any state; for everyone once publicised,
/// with masked ID numbers. `entry_count` tells how many entries the whole set has.
#[utoipa::path(tag = "results", params(ResultsPage), responses((status = 200, body = ResultSetOut, headers(("ETag" = String, description = "The result set, its status and the view: send it as If-None-Match to be answered 304 while it is unchanged"))), (status = 304), ProblemResponses))]
#[get("/events/{id}/results")]
pub async fn get_results(
    state: web::Data<AppState>,
    actor: Option<Actor>,
    req: HttpRequest,
    id: web::Path<String>,
    page: web::Query<ResultsPage>,
) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let public_view = match actor {
        // Anonymous readers of recently checked results touch no database.
        None => state.public_results.recent(&event_id),
        Some(_) => None,
    };
    let (out, public) = match public_view {
        Some(out) => (out, true),
        None => {
            let state = state.clone();
            state
                .db
                .read({
                    let state = state.clone();
                    move |conn| {
                        if let Some(actor) = &actor {
                            let (event, _, _) =
                                store::events::find(conn, &event_id)?.ok_or_else(|| ApiError::not_found("event"))?;
                            let (_, host_path, _) = store::competitions::find(conn, &event.competition_id)?
                                .ok_or_else(|| ApiError::not_found("event"))?;
                            if can_manage_competition(actor, &host_path) {
                                let set = store::results::latest(conn, &event_id)?
                                    .ok_or_else(|| ApiError::not_found("results"))?;
                                return Ok((Arc::new(result_set_out(conn, set, false)?), false));
                            }
                        }
                        Ok((public_results(conn, &state.public_results, &event_id)?, true))
                    }
                })
                .await?
        }
    };
    let entries = page.slice(&out.entries)?;
    // Published results change only by a new set or a new status: the pair (and the view) is the tag.
    // The public's and the organisers' copies differ (masked ID numbers), so their tags differ too.
    let view = if public { "public" } else { "full" };
    let tag = format!("\"{}-{}-{view}\"", out.summary.id, out.summary.status);
    // The answer depends on who asks (organisers see whole ID numbers): a cache must not hand the
    // public's copy to a signed-in organiser, nor the reverse.
    let vary = (header::VARY, "Authorization");
    if req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(tag.as_str()) {
        return Ok(HttpResponse::NotModified().insert_header((header::ETAG, tag)).insert_header(vary).finish());
    }
    let key = (page.offset.unwrap_or(0), page.limit);
    let cached = public.then(|| state.public_results.page(&out, key)).flatten();
    let body = match cached {
        Some(bytes) => bytes,
        None => {
            let page = ResultSetPage { summary: &out.summary, entry_count: out.entry_count, entries };
            let bytes = web::Bytes::from(serde_json::to_vec(&page).map_err(|e| ApiError::internal(e.to_string()))?);
            if public {
                state.public_results.keep_page(&out, key, bytes.clone());
            }
            bytes
        }
    };
    let cache = if public { "public, max-age=60" } else { "private, no-store" };
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header(vary)
        .body(body))
}

/// Recomputes the latest result set from the raw marks and reports any difference.
#[utoipa::path(tag = "results", request_body = ComputeRequest, responses((status = 200, body = Verification), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/results/verify")]
pub async fn verify_results(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<ComputeRequest>,
) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let options = body.0;
    let out = results::verify(&state.db, actor, event_id, options).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Publishes provisional results for publicity (公示) for the competition's working days
/// (default 5), after which they may be made final.
#[utoipa::path(tag = "results", responses((status = 200, body = ResultSetOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/results/publish")]
pub async fn publish_results(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let out = results::publish(&state.db, actor, event_id, now, zone).await?;
    state.public_results.forget(&out.summary.event_id);
    Ok(HttpResponse::Ok().json(out))
}

/// Makes publicised results final once their publicity window has closed; the top finishers then
/// go on to the competition this one feeds.
#[utoipa::path(tag = "results", responses((status = 200, body = ResultSetOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/results/finalise")]
pub async fn finalise_results(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let out = results::finalise(&state.db, actor, event_id, now, zone).await?;
    state.public_results.forget(&out.summary.event_id);
    Ok(HttpResponse::Ok().json(out))
}

const EXPORT_HEADERS: [&str; 11] =
    ["赛项", "名次", "工位号", "姓名", "身份证号", "推荐单位", "理论", "实操", "总成绩", "标准分", "状态"];

fn results_workbook(title: &str, sets: &[(String, ResultSetOut)]) -> ApiResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let failed = |e: rust_xlsxwriter::XlsxError| ApiError::internal(format!("workbook: {e}"));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("成绩").map_err(failed)?;
    let bold = Format::new().set_bold();
    let two_decimals = Format::new().set_num_format("0.00");
    sheet.write_string_with_format(0, 0, title, &bold).map_err(failed)?;
    for (c, h) in EXPORT_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(1, c as u16, *h, &bold).map_err(failed)?;
    }
    let mut r = 2u32;
    for (event_name, set) in sets {
        for e in &set.entries {
            sheet.write_string(r, 0, event_name).map_err(failed)?;
            sheet.write_number(r, 1, e.rank as f64).map_err(failed)?;
            sheet.write_number(r, 2, e.station_number as f64).map_err(failed)?;
            sheet.write_string(r, 3, &e.full_name).map_err(failed)?;
            sheet.write_string(r, 4, &e.id_number).map_err(failed)?;
            sheet.write_string(r, 5, &e.nominating_org_name).map_err(failed)?;
            sheet.write_number_with_format(r, 6, e.theory, &two_decimals).map_err(failed)?;
            sheet.write_number_with_format(r, 7, e.practical, &two_decimals).map_err(failed)?;
            sheet.write_number_with_format(r, 8, e.total, &two_decimals).map_err(failed)?;
            if let Some(s) = e.standardised {
                sheet.write_number(r, 9, s as f64).map_err(failed)?;
            }
            sheet.write_string(r, 10, &set.summary.status).map_err(failed)?;
            r += 1;
        }
    }
    for (c, width) in [20.0, 6.0, 8.0, 12.0, 22.0, 30.0, 8.0, 8.0, 9.0, 8.0, 10.0].iter().enumerate() {
        sheet.set_column_width(c as u16, *width).map_err(failed)?;
    }
    workbook.save_to_buffer().map_err(failed)
}

/// A CSV field, quoted when it must be (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn results_csv(sets: &[(String, ResultSetOut)]) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&EXPORT_HEADERS.join(","));
    out.push('\n');
    for (event_name, set) in sets {
        for e in &set.entries {
            let cells = [
                csv_field(event_name),
                e.rank.to_string(),
                e.station_number.to_string(),
                csv_field(&e.full_name),
                csv_field(&e.id_number),
                csv_field(&e.nominating_org_name),
                format!("{:.2}", e.theory),
                format!("{:.2}", e.practical),
                format!("{:.2}", e.total),
                e.standardised.map(|s| s.to_string()).unwrap_or_default(),
                set.summary.status.clone(),
            ];
            out.push_str(&cells.join(","));
            out.push('\n');
        }
    }
    out
}

fn export_response(title: &str, sets: Vec<(String, ResultSetOut)>, format: Option<&str>) -> ApiResult<HttpResponse> {
    match format.unwrap_or("xlsx") {
        "xlsx" => Ok(HttpResponse::Ok()
            .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"results.xlsx\""))
            .body(results_workbook(title, &sets)?)),
        "csv" => Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"results.csv\""))
            .body(results_csv(&sets))),
        _ => Err(ApiError::field("format", "invalid_value", "xlsx or csv")),
    }
}

/// An event's results as .xlsx or CSV: names and whole ID numbers for the organisers, published
/// results with masked numbers for everyone else.
#[utoipa::path(tag = "results", params(ExportFormat), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), ProblemResponses))]
#[get("/events/{id}/results/export")]
pub async fn export_event_results(
    state: web::Data<AppState>,
    actor: Option<Actor>,
    id: web::Path<String>,
    query: web::Query<ExportFormat>,
) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let (title, sets) = state
        .db
        .read(move |conn| {
            let (event, _, _) = store::events::find(conn, &event_id)?.ok_or_else(|| ApiError::not_found("event"))?;
            let (competition, host_path, _) =
                store::competitions::find(conn, &event.competition_id)?.ok_or_else(|| ApiError::not_found("event"))?;
            let set = visible_results(conn, actor.as_ref(), &event, &host_path)?
                .ok_or_else(|| ApiError::not_found("results"))?;
            Ok((format!("{} {}", competition.name, event.name), vec![(event.name, set)]))
        })
        .await?;
    export_response(&title, sets, query.format.as_deref())
}

/// All events' results of a competition in one .xlsx or CSV (events without visible results are
/// left out).
#[utoipa::path(tag = "results", params(ExportFormat), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), ProblemResponses))]
#[get("/competitions/{id}/results/export")]
pub async fn export_competition_results(
    state: web::Data<AppState>,
    actor: Option<Actor>,
    id: web::Path<String>,
    query: web::Query<ExportFormat>,
) -> ApiResult<HttpResponse> {
    let competition_id = parse_id("id", &id)?;
    let (title, sets) = state
        .db
        .read(move |conn| {
            let (competition, host_path, _) = load::competition(conn, actor.as_ref(), &competition_id)?;
            let mut sets = Vec::new();
            for (event, _, _) in store::events::of_competition(conn, &competition_id)? {
                if let Some(set) = visible_results(conn, actor.as_ref(), &event, &host_path)? {
                    sets.push((event.name, set));
                }
            }
            Ok((competition.name, sets))
        })
        .await?;
    export_response(&title, sets, query.format.as_deref())
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(super::csv_field("李娜"), "李娜");
        assert_eq!(super::csv_field("昆明, 五华"), "\"昆明, 五华\"");
        assert_eq!(super::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}

/// Counts of competitors, completion and the score distribution of an event (its organisers, and
/// officials over its host).
#[utoipa::path(tag = "results", responses((status = 200, body = EventStatistics), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/statistics")]
pub async fn event_statistics(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    use crate::domain::registration::RegistrationStatus as S;
    let event_id = parse_id("id", &id)?;
    let out = state
        .db
        .read(move |conn| {
            let (event, _, _) = store::events::find(conn, &event_id)?.ok_or_else(|| ApiError::not_found("event"))?;
            let (_, host_path, _) =
                store::competitions::find(conn, &event.competition_id)?.ok_or_else(|| ApiError::not_found("event"))?;
            if !(can_manage_competition(&actor, &host_path)
                || actor.has_role_over(&[crate::domain::role::Role::Official], &host_path))
            {
                return Err(ApiError::forbidden("statistics are for the host's organisers and officials"));
            }
            let statuses: Vec<S> =
                store::registrations::of_event(conn, &event_id)?.iter().filter_map(|r| S::parse(&r.status)).collect();
            let count = |wanted: &[S]| statuses.iter().filter(|s| wanted.contains(s)).count();
            let admitted = count(&[S::Admitted, S::CheckedIn, S::Competed, S::NoShow, S::Disqualified]);
            let competed = count(&[S::Competed]);
            let scores = match store::results::latest(conn, &event_id)? {
                Some(set) => {
                    let totals: Vec<f64> =
                        store::results::rows_of(conn, &set.id)?.iter().map(|r| r.total_centi as f64 / 100.0).collect();
                    Some(crate::domain::statistics::summarise(&totals))
                }
                None => None,
            };
            Ok(EventStatistics {
                event_id,
                registered: statuses.iter().filter(|s| s.holds_place()).count(),
                admitted,
                competed,
                no_show: count(&[S::NoShow]),
                completion_rate: if admitted == 0 { 0.0 } else { competed as f64 / admitted as f64 },
                scores,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}
