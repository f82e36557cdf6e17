//! Judging: what judges do all day during a final. Judges see stations (anonymised codes), never
//! names; marks are entered by sheet with idempotency keys and versions; disagreements are
//! flagged for the chief judge; sheets are signed, then confirmed by a second person, and lock;
//! a locked mark re-opens only with the chief judge and a supervisor.

use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{etag, if_match_version, parse_id, replayable, retry_of, JsonBody, JsonWithBytes, ProblemResponses};
use crate::auth::Actor;
use crate::domain::judging::SampleStatus;
use crate::domain::text;
use crate::error::{ApiError, ApiResult};
use crate::service::judging::scores as scoring;
use crate::service::judging::sheets::Relation;
use crate::service::judging::{decryption, flags, marks, review, sheets, signoff, times};
use crate::wire::judging::RelationForJudge;
use crate::wire::judging::SheetQuery;
use crate::wire::judging::{
    AssignmentOut, AssignmentRequest, DecryptionOut, FinishTimeOut, FinishTimesRequest, FlagOut, MarkEdit, MarkOut,
    MyEvent, ProgressOut, ReconcileRequest, RelationOut, RelationRequest, ReviewOut, SampleResult, ScoresOut, SheetOut,
    SheetSubmission, SignoffOut, SubmissionOut,
};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_assignments)
        .service(unassign)
        .service(assign_aspects)
        .service(declare_relation)
        .service(declare_relation_for)
        .service(my_judging)
        .service(sheet)
        .service(submit_marks)
        .service(edit_mark)
        .service(list_flags)
        .service(request_rescore)
        .service(reconcile_flag)
        .service(record_finish_times)
        .service(sign_section)
        .service(chief_sign_section)
        .service(confirm_section)
        .service(progress)
        .service(draw_review)
        .service(get_review)
        .service(record_sample)
        .service(request_decryption)
        .service(confirm_decryption)
        .service(scores);
}

/// The event's judges with the aspects each marks, the stations they stand aside from (回避) and
/// the cells nobody may mark (the host's organisers, the chief judge, the supervisor).
#[utoipa::path(tag = "judging", responses((status = 200, body = Vec<AssignmentOut>), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/judging/assignments")]
pub async fn list_assignments(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    Ok(HttpResponse::Ok().json(sheets::list_assignments(&state.db, actor, event_id).await?))
}

/// Takes a judge off every aspect they were assigned, while they have entered no mark.
#[utoipa::path(tag = "judging", responses((status = 204), ProblemResponses), security(("bearer" = [])))]
#[delete("/events/{id}/judging/assignments/{user_id}")]
pub async fn unassign(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, user_id) = path.into_inner();
    let event_id = parse_id("id", &id)?;
    let user_id = parse_id("user_id", &user_id)?;
    sheets::unassign(&state.db, actor, event_id, user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Assigns a judge of the event the aspects they mark (the host's organisers).
#[utoipa::path(tag = "judging", request_body = AssignmentRequest, responses((status = 200, body = AssignmentOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/judging/assignments")]
pub async fn assign_aspects(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<AssignmentRequest>,
) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let input = body.0;
    let user_id = parse_id("user_id", &input.user_id)?;
    let out = sheets::assign(&state.db, actor, event_id, input, user_id).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// A judge declares a relation with a person (kin, teacher and pupil, colleague). The system then
/// refuses that judge's marks for that person, whatever station they draw.
#[utoipa::path(tag = "judging", request_body = RelationRequest, responses((status = 201, body = RelationOut), ProblemResponses), security(("bearer" = [])))]
#[post("/me/relations")]
pub async fn declare_relation(
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody<RelationRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let input = body.0;
    let relation = Relation { kind: input.relation, id_number: input.id_number, today: state.zone.date_of(now) };
    let out = sheets::declare_relation(&state.db, actor, relation, now).await?;
    Ok(HttpResponse::Created().json(out))
}

/// The host's organisers declare a relation (回避) for a judge of their event: once appointed,
/// a judge's own profile and relations are frozen until the competition is over.
#[utoipa::path(tag = "judging", request_body = RelationForJudge, responses((status = 201, body = RelationOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/relations")]
pub async fn declare_relation_for(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<RelationForJudge>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let input = body.0;
    let judge = parse_id("user_id", &input.user_id)?;
    let relation = Relation { kind: input.relation, id_number: input.id_number, today: state.zone.date_of(now) };
    let out = sheets::declare_relation_for(&state.db, actor, event_id, judge, relation, now).await?;
    Ok(HttpResponse::Created().json(out))
}

/// The events where the caller has a judging role, with the aspects they mark.
#[utoipa::path(tag = "judging", responses((status = 200, body = [MyEvent]), ProblemResponses), security(("bearer" = [])))]
#[get("/me/judging")]
pub async fn my_judging(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    let out = sheets::my_events(&state.db, actor).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// A judge's mark sheet for one section: stations by number, the aspects the judge marks with
/// their descriptors, and the judge's marks so far. No name, ID number or organisation.
#[utoipa::path(tag = "judging", params(SheetQuery), responses((status = 200, body = SheetOut), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/judging/sheet")]
pub async fn sheet(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    query: web::Query<SheetQuery>,
) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let section = query.section;
    let out = sheets::sheet(&state.db, actor, event_id, section).await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(out))
}

/// Enters one mark or a whole sheet. Send `Idempotency-Key`: a tablet that retries after losing
/// the network gets the first answer and nothing is written twice. To change a mark, send the
/// version it was read at.
#[utoipa::path(tag = "judging", request_body = SheetSubmission, params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")), responses((status = 200, body = SubmissionOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/judging/marks")]
pub async fn submit_marks(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonWithBytes<SheetSubmission>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let retry = retry_of(&req, &format!("POST /events/{event_id}/judging/marks"), &body.bytes)?;
    let once = marks::submit_sheet(&state.db, actor, retry, event_id, body.value.marks, now).await?;
    Ok(replayable(StatusCode::OK, once))
}

/// Changes one mark. Needs `If-Match` with the version read: of two edits from the same version,
/// the second gets 412.
#[utoipa::path(tag = "judging", request_body = MarkEdit, params(("If-Match" = String, Header, description = "ETag of the version read")), responses((status = 200, body = MarkOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[patch("/marks/{id}")]
pub async fn edit_mark(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<MarkEdit>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let expected = if_match_version(&req)?;
    let out = marks::edit_mark(&state.db, actor, id, expected, body.0.value, now).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(out.version))).json(out))
}

/// Spread flags of the event, with the judges' scores side by side (chief judge, supervisor).
#[utoipa::path(tag = "judging", responses((status = 200, body = [FlagOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/judging/flags")]
pub async fn list_flags(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let out = flags::list(&state.db, actor, event_id).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Asks the judges of a flagged aspect to score the station again: their marks open for change.
#[utoipa::path(tag = "judging", responses((status = 200, body = FlagOut), ProblemResponses), security(("bearer" = [])))]
#[post("/flags/{id}/rescore")]
pub async fn request_rescore(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let out = flags::request_rescore(&state.db, actor, id, now).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Records the chief judge's reconciliation of a flag (after a re-score, or accepting the spread
/// with a reason).
#[utoipa::path(tag = "judging", request_body = ReconcileRequest, responses((status = 200, body = FlagOut), ProblemResponses), security(("bearer" = [])))]
#[post("/flags/{id}/reconcile")]
pub async fn reconcile_flag(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<ReconcileRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let note = text::required("note", &body.0.note, 500)?;
    let out = flags::reconcile(&state.db, actor, id, note, now).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Records stations' finish times (用时) over a section, by station number: a scorer or the chief
/// judge anywhere, a judge where they mark. Read by the elapsed_time tie-break (less time first).
#[utoipa::path(tag = "judging", request_body = FinishTimesRequest, responses((status = 200, body = [FinishTimeOut]), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/judging/sections/{section}/finish-times")]
pub async fn record_finish_times(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, i32)>,
    body: JsonBody<FinishTimesRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let (event_id, section) = path.into_inner();
    let event_id = parse_id("id", &event_id)?;
    let out = times::record_finish_times(&state.db, actor, event_id, section, body.0, now).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// A judge signs their part of a section: every assigned aspect at every competing station is
/// marked and no flag on them is open. Their marks are then signed and no longer change.
#[utoipa::path(tag = "judging", responses((status = 201, body = SignoffOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/judging/sections/{section}/sign")]
pub async fn sign_section(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, i32)>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let (event_id, section) = path.into_inner();
    let event_id = parse_id("id", &event_id)?;
    let out = signoff::sign_sheet(&state.db, actor, event_id, section, now).await?;
    Ok(HttpResponse::Created().json(out))
}

/// The chief judge signs a section once every judge assigned to it has signed and no flag is open.
#[utoipa::path(tag = "judging", responses((status = 201, body = SignoffOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/judging/sections/{section}/chief-sign")]
pub async fn chief_sign_section(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, i32)>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let (event_id, section) = path.into_inner();
    let event_id = parse_id("id", &event_id)?;
    let out = signoff::chief_sign(&state.db, actor, event_id, section, now).await?;
    Ok(HttpResponse::Created().json(out))
}

/// A second person (supervisor or scorer, never the one who signed) confirms the chief judge's
/// signature; the section's marks lock.
#[utoipa::path(tag = "judging", responses((status = 200, body = SignoffOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/judging/sections/{section}/confirm")]
pub async fn confirm_section(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, i32)>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let (event_id, section) = path.into_inner();
    let event_id = parse_id("id", &event_id)?;
    let out = signoff::confirm(&state.db, actor, event_id, section, now, state.zone).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Marking progress per judge and section: expected, entered, signed, locked (organisers, chief
/// judge, supervisor).
#[utoipa::path(tag = "judging", responses((status = 200, body = ProgressOut), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/judging/progress")]
pub async fn progress(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let out = scoring::progress(&state.db, actor, event_id).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Draws the review sample (复核) once every section is locked: all current top-10 stations and
/// ⌈15 %⌉ of the rest at random, the seed recorded (the chief judge).
#[utoipa::path(tag = "judging", responses((status = 201, body = ReviewOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/judging/review")]
pub async fn draw_review(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let out = review::draw_sample(&state.db, actor, event_id, now, state.zone).await?;
    Ok(HttpResponse::Created().json(out))
}

/// The review: the sample, what was found, and whether a full review is required.
#[utoipa::path(tag = "judging", responses((status = 200, body = ReviewOut), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/judging/review")]
pub async fn get_review(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let out = review::get(&state.db, actor, event_id).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Records the re-check of a sampled station (chief judge or supervisor). When discrepancies exceed
/// 5 % of the checks, every remaining station is added for review.
#[utoipa::path(tag = "judging", request_body = SampleResult, responses((status = 200, body = ReviewOut), ProblemResponses), security(("bearer" = [])))]
#[post("/review-samples/{id}")]
pub async fn record_sample(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<SampleResult>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let input = body.0;
    if !matches!(SampleStatus::parse(&input.outcome), Some(SampleStatus::Checked | SampleStatus::Discrepancy)) {
        return Err(ApiError::field("outcome", "invalid_value", "checked or discrepancy"));
    }
    let note = text::optional("note", input.note.as_deref(), 500)?;
    if input.outcome == SampleStatus::Discrepancy.as_str() && note.is_none() {
        return Err(ApiError::field("note", "required", "say what was wrong"));
    }
    let out = review::record_sample(&state.db, actor, id, input, note, now).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The encryption judge asks to decrypt the event: every section locked and the review complete.
/// A supervisor must confirm.
#[utoipa::path(tag = "judging", responses((status = 200, body = DecryptionOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/judging/decryption")]
pub async fn request_decryption(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let out = decryption::request(&state.db, actor, event_id, now).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// A supervisor confirms the decryption the encryption judge asked for: from now on names appear
/// next to codes.
#[utoipa::path(tag = "judging", responses((status = 200, body = DecryptionOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/judging/decryption/confirm")]
pub async fn confirm_decryption(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let out = decryption::confirm(&state.db, actor, event_id, now, state.zone).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Current scores by station (organisers, chief judge, supervisor); names appear only after
/// decryption.
#[utoipa::path(tag = "judging", responses((status = 200, body = ScoresOut), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/judging/scores")]
pub async fn scores(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let out = scoring::scores(&state.db, actor, event_id).await?;
    Ok(HttpResponse::Ok().json(out))
}
