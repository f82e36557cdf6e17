//! Events (竞赛项目 = competition × trade) with their rules, sessions, technical documents
//! (技术工作文件, versioned, frozen once registration opens) and marking-scheme outline.

use actix_web::http::header;
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{check_version, etag, if_match_version, parse_id, record, JsonBody, ProblemResponses};
use crate::auth::Actor;
use crate::domain::event::{
    default_tie_breaks, overlapping, EventMode, Sitting, Track, Weights, DEFAULT_QUOTA_PER_ORGANISATION,
};
use crate::domain::{keep, text, Violation};
use crate::error::{ApiError, ApiResult};
use crate::service;
use crate::service::events::event_out;
use crate::service::events::{
    check_document, check_event_row, event_name_taken, host_region, pick, require_setup_stage,
};
use crate::service::load;
use crate::store::events::{EventRow, SessionRow};
use crate::store::{self, audit::snapshot, new_id};
use crate::wire::events::{session_out, DocumentOut, EventDetail, EventOut, SessionOut};
use crate::wire::events::{DocumentInput, EventPatch, NewEvent, NewSession, PublishRequest};
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
    let out = state
        .db
        .write(move |conn| {
            let competition = load::managed_competition(conn, &actor, &competition_id)?;
            require_setup_stage(&competition)?;
            let track = input.track.unwrap_or(Track::Worker);
            let trade = store::trades::find(conn, &trade_id)?
                .ok_or_else(|| ApiError::field("trade_id", "unknown_trade", "no trade has this id"))?;
            let default_name = match track {
                Track::Worker => trade.name.clone(),
                Track::Student => format!("{}（学生组）", trade.name),
                Track::Teacher => format!("{}（教师组）", trade.name),
            };
            let at = now;
            let row = EventRow {
                id: new_id(),
                competition_id: competition_id.clone(),
                trade_id,
                name: name.unwrap_or(default_name),
                mode: input.mode.unwrap_or(EventMode::Individual).as_str().into(),
                team_size: input.team_size,
                track: track.as_str().into(),
                standard_level: input.standard_level,
                theory_weight: input.weights.unwrap_or_default().theory,
                practical_weight: input.weights.unwrap_or_default().practical,
                quota_total: input.quota_total,
                quota_per_org: input.quota_per_organisation.or(Some(DEFAULT_QUOTA_PER_ORGANISATION)),
                min_age: input.min_age,
                max_age: input.max_age,
                min_skill_level: input.min_skill_level,
                region_code: input.region_code.clone(),
                qualifiers_count: input.qualifiers_count.unwrap_or(0),
                tie_breaks: serde_json::to_string(&input.tie_breaks.clone().unwrap_or_else(default_tie_breaks))
                    .unwrap_or_default(),
                prize_bands: serde_json::to_string(&input.prize_bands.unwrap_or_default()).unwrap_or_default(),
                award_rules: input.award_rules.as_ref().map(|v| v.to_string()),
                review_levels: input.review_levels.unwrap_or(2),
                appeal_window_minutes: input
                    .appeal_window_minutes
                    .unwrap_or(crate::domain::event::DEFAULT_APPEAL_WINDOW_MINUTES),
                appeal_window_working_days: input.appeal_window_working_days,
                version: 1,
                created_at: at,
                updated_at: at,
            };
            let region = host_region(conn, &competition)?;
            check_event_row(conn, &row, &region)?;
            store::events::insert(conn, &row).map_err(event_name_taken)?;
            let found = store::events::find(conn, &row.id)?.ok_or_else(|| ApiError::internal("event vanished"))?;
            let out = event_out(conn, found, true)?;
            record(conn, &actor, "event.create", ("event", &out.id), None, snapshot(&out))?;
            Ok(out)
        })
        .await?;
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
    let detail = service::events::get_event(&state.db, actor, id).await?;
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
    let out = state
        .db
        .write(move |conn| {
            let ((current, trade_code, trade_name), competition) = load::managed_event(conn, &actor, &id)?;
            require_setup_stage(&competition)?;
            check_version(current.version, expected)?;
            let before = event_out(conn, (current.clone(), trade_code, trade_name), true)?;
            let weights =
                patch.weights.unwrap_or(Weights { theory: current.theory_weight, practical: current.practical_weight });
            let next = EventRow {
                trade_id: trade_id.unwrap_or_else(|| current.trade_id.clone()),
                name: name.unwrap_or_else(|| current.name.clone()),
                mode: patch.mode.map(|m| m.as_str().to_string()).unwrap_or_else(|| current.mode.clone()),
                team_size: pick(patch.team_size, current.team_size),
                track: patch.track.map(|t| t.as_str().to_string()).unwrap_or_else(|| current.track.clone()),
                standard_level: pick(patch.standard_level, current.standard_level),
                theory_weight: weights.theory,
                practical_weight: weights.practical,
                quota_total: pick(patch.quota_total, current.quota_total),
                quota_per_org: pick(patch.quota_per_organisation, current.quota_per_org),
                min_age: pick(patch.min_age, current.min_age),
                max_age: pick(patch.max_age, current.max_age),
                min_skill_level: pick(patch.min_skill_level, current.min_skill_level),
                region_code: pick(patch.region_code.clone(), current.region_code.clone()),
                qualifiers_count: patch.qualifiers_count.unwrap_or(current.qualifiers_count),
                tie_breaks: patch
                    .tie_breaks
                    .as_ref()
                    .map(|t| serde_json::to_string(t).unwrap_or_default())
                    .unwrap_or_else(|| current.tie_breaks.clone()),
                prize_bands: patch
                    .prize_bands
                    .map(|p| serde_json::to_string(&p).unwrap_or_default())
                    .unwrap_or_else(|| current.prize_bands.clone()),
                award_rules: match &patch.award_rules {
                    Some(v) => v.as_ref().map(|j| j.to_string()),
                    None => current.award_rules.clone(),
                },
                review_levels: patch.review_levels.unwrap_or(current.review_levels),
                appeal_window_minutes: patch.appeal_window_minutes.unwrap_or(current.appeal_window_minutes),
                appeal_window_working_days: pick(patch.appeal_window_working_days, current.appeal_window_working_days),
                version: current.version + 1,
                updated_at: now,
                ..current.clone()
            };
            let region = host_region(conn, &competition)?;
            check_event_row(conn, &next, &region)?;
            if !store::events::update_if_version(conn, &next, expected).map_err(event_name_taken)? {
                return Err(ApiError::precondition_failed(
                    "the event changed while you were editing it; reload and try again",
                ));
            }
            let saved = store::events::find(conn, &id)?.ok_or_else(|| ApiError::not_found("event"))?;
            let out = event_out(conn, saved, true)?;
            record(conn, &actor, "event.update", ("event", &id), snapshot(&before), snapshot(&out))?;
            Ok(out)
        })
        .await?;
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
    state
        .db
        .write(move |conn| {
            let (event, competition) = load::managed_event(conn, &actor, &id)?;
            require_setup_stage(&competition)?;
            check_version(event.0.version, expected)?;
            let before = event_out(conn, event, true)?;
            store::events::delete(conn, &id)?;
            record(conn, &actor, "event.delete", ("event", &id), snapshot(&before), None)
        })
        .await?;
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
    let out = state
        .db
        .write(move |conn| {
            let (_, (competition, _, _)) = load::managed_event(conn, &actor, &event_id)?;
            if !competition.status()?.is_before_running() {
                return Err(ApiError::conflict(
                    "competition_locked",
                    "the schedule is fixed once the competition is running",
                ));
            }
            // The days people read: a sitting at 07:30 Beijing time on the first day is 23:30 UTC
            // the day before, and inside the competition's dates.
            if zone.date_of(starts_at) < competition.starts_on || zone.date_of(ends_at) > competition.ends_on {
                return Err(ApiError::field(
                    "starts_at",
                    "outside_competition_dates",
                    format!(
                        "sittings fall between {} and {} ({})",
                        competition.starts_on,
                        competition.ends_on,
                        zone.name()
                    ),
                ));
            }
            let existing: Vec<SessionRow> = store::events::sessions_of(conn, &event_id)?;
            let sittings: Vec<Sitting> = existing
                .iter()
                .map(|s| Sitting { id: s.id.clone(), starts_at: s.starts_at, ends_at: s.ends_at })
                .collect();
            let row = SessionRow {
                id: new_id(),
                event_id: event_id.clone(),
                kind: input.kind.as_str().into(),
                name: name.unwrap_or_default(),
                venue: venue.unwrap_or_default(),
                starts_at,
                ends_at,
                created_at: now,
            };
            if let Some(clash) = overlapping(&Sitting { id: row.id.clone(), starts_at, ends_at }, &sittings) {
                let clash_name = existing.iter().find(|s| s.id == clash.id).map(|s| s.name.clone()).unwrap_or_default();
                return Err(ApiError::field(
                    "starts_at",
                    "sessions_overlap",
                    format!("overlaps '{clash_name}' of the same event"),
                ));
            }
            store::events::insert_session(conn, &row)?;
            let out = session_out(row);
            record(conn, &actor, "event.session_add", ("event", &event_id), None, snapshot(&out))?;
            Ok(out)
        })
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
    state
        .db
        .write(move |conn| {
            let (_, (competition, _, _)) = load::managed_event(conn, &actor, &event_id)?;
            if !competition.status()?.is_before_running() {
                return Err(ApiError::conflict(
                    "competition_locked",
                    "the schedule is fixed once the competition is running",
                ));
            }
            let session = store::events::sessions_of(conn, &event_id)?
                .into_iter()
                .find(|s| s.id == session_id)
                .ok_or_else(|| ApiError::not_found("session"))?;
            store::events::delete_session(conn, &session.id)?;
            record(conn, &actor, "event.session_delete", ("event", &event_id), snapshot(&session_out(session)), None)
        })
        .await?;
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
