//! Judging: what judges do all day during a final. Judges see stations (anonymised codes), never
//! names; marks are entered by sheet with idempotency keys and versions; disagreements are
//! flagged for the chief judge; sheets are signed, then confirmed by a second person, and lock;
//! a locked mark re-opens only with the chief judge and a supervisor.

use std::collections::{HashMap, HashSet};

use actix_web::http::{header, StatusCode};
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{
    check_version, etag, idempotency_key, idempotent, if_match_version, parse_id, record, utc, JsonBody, JsonWithBytes,
    ProblemResponses,
};
use crate::auth::policy::can_manage_competition;
use crate::auth::{sha256_hex, Actor};
use crate::db::DbConnection;
use crate::domain::competition::Status;
use crate::domain::judging::{FlagStatus, MarkStatus, SampleStatus, SignoffKind};
use crate::domain::role::EventRole;
use crate::domain::scoring::{check_mark, from_centi, judgement_spread_exceeded, to_centi, AspectKind};
use crate::domain::{text, Violation};
use crate::error::{ApiError, ApiResult};
use crate::service::{judging, load};
use crate::store::events::EventRow;
use crate::store::judging::{AspectRow, FlagRow, JudgeAspectRow, MarkRow, RelationRow, SignoffRow};
use crate::store::{self, new_id};
use crate::wire::judging::{
    AspectOut, AssignmentOut, AssignmentRequest, DecryptionOut, FlagOut, JudgeProgress, JudgeValue, MarkEdit,
    MarkInput, MarkOut, MyEvent, ProgressOut, ReconcileRequest, RelationOut, RelationRequest, ReviewOut, SampleOut,
    SampleResult, ScoreRow, ScoresOut, SheetOut, SheetSubmission, SignoffOut, SubmissionOut,
};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(assign_aspects)
        .service(declare_relation)
        .service(my_judging)
        .service(sheet)
        .service(submit_marks)
        .service(edit_mark)
        .service(list_flags)
        .service(request_rescore)
        .service(reconcile_flag)
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

/// Marks are entered while the competition runs and is being scored.
fn require_marking_open(competition: &crate::store::competitions::CompetitionRow) -> ApiResult<()> {
    let status = competition.status()?;
    if matches!(status, Status::Running | Status::Scoring) {
        Ok(())
    } else {
        Err(ApiError::conflict(
            "marking_closed",
            format!("marks are entered while the competition runs and is scored (it is {status})"),
        ))
    }
}

/// The ids of a section's aspects.
fn section_aspect_ids(conn: &mut DbConnection, event_id: &str, section: i32) -> ApiResult<HashSet<String>> {
    Ok(store::judging::aspects_of(conn, event_id)?
        .into_iter()
        .filter(|a| a.section_index == section)
        .map(|a| a.id)
        .collect())
}

/// Whether the judge may not mark this registration: same employer, same nominating unit, or a
/// declared relation.
fn conflicted(
    conn: &mut DbConnection,
    judge: &Actor,
    registration_id: &str,
    relations: &[RelationRow],
) -> ApiResult<bool> {
    let Some(r) = store::registrations::find(conn, registration_id)? else { return Ok(false) };
    let mut people = vec![r.person_id.clone()];
    people.extend(store::registrations::members_of(conn, &r.id)?.into_iter().map(|m| m.person_id));
    if relations.iter().any(|rel| people.contains(&rel.person_id)) {
        return Ok(true);
    }
    let judge_employer = match &judge.person_id {
        Some(p) => store::persons::find(conn, p)?.and_then(|(person, _)| person.employer_org_id),
        None => None,
    };
    let Some(employer) = judge_employer else { return Ok(false) };
    if employer == r.nominating_org_id {
        return Ok(true);
    }
    let contestant_employer = store::persons::find(conn, &r.person_id)?.and_then(|(p, _)| p.employer_org_id);
    Ok(contestant_employer.as_deref() == Some(employer.as_str()))
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
    let out = state
        .db
        .write(move |conn| {
            let (event, _, host_path) = load::event_for_roles(conn, &event_id)?;
            if !can_manage_competition(&actor, &host_path) {
                return Err(ApiError::forbidden("the host's organisers assign judges"));
            }
            let roles: Vec<String> = store::draws::roles_of_user(conn, &event.id, &user_id)?;
            if !roles.iter().any(|r| r == EventRole::Judge.as_str() || r == EventRole::ChiefJudge.as_str()) {
                return Err(ApiError::field(
                    "user_id",
                    "not_a_judge_of_event",
                    "appoint the person as a judge of this event first",
                ));
            }
            let aspects: Vec<AspectRow> = store::judging::aspects_of(conn, &event.id)?
                .into_iter()
                .filter(|a| a.section_index == input.section_index)
                .collect();
            if aspects.is_empty() {
                return Err(ApiError::field(
                    "section_index",
                    "no_aspects",
                    "the marking scheme has no aspects in this section",
                ));
            }
            let chosen: Vec<&AspectRow> = match &input.aspect_codes {
                Some(codes) => {
                    for code in codes {
                        if !aspects.iter().any(|a| &a.code == code) {
                            return Err(ApiError::field(
                                "aspect_codes",
                                "unknown_aspect",
                                format!("no aspect {code} in this section"),
                            ));
                        }
                    }
                    aspects.iter().filter(|a| codes.contains(&a.code)).collect()
                }
                None => aspects.iter().collect(),
            };
            let mut assigned = Vec::new();
            for a in chosen {
                store::judging::assign(
                    conn,
                    &JudgeAspectRow {
                        id: new_id(),
                        event_id: event.id.clone(),
                        user_id: user_id.clone(),
                        aspect_id: a.id.clone(),
                    },
                )?;
                assigned.push(a.code.clone());
            }
            record(
                conn,
                &actor,
                "judging.assign",
                ("event", &event.id),
                None,
                Some(serde_json::json!({ "user_id": user_id, "aspects": assigned })),
            )?;
            Ok(AssignmentOut { user_id, assigned })
        })
        .await?;
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
    let relation = text::required("relation", &input.relation, 50)?;
    let number = crate::domain::id_card::parse_id_card(&input.id_number, state.zone.date_of(now))
        .map_err(|e| Violation::new("id_number", e.code(), e.message()))?
        .number;
    if !actor.has_role(crate::domain::role::Role::Judge) {
        return Err(ApiError::forbidden("relations are declared by judges"));
    }
    let out = state
        .db
        .write(move |conn| {
            let found = store::persons::list(
                conn,
                &store::persons::PersonFilter { id_number: Some(number), limit: 1, ..Default::default() },
            )?;
            // Recorded even for a person not (yet) on record? No: the relation names someone known.
            let Some((person, _)) = found.into_iter().next() else {
                return Err(ApiError::field(
                    "id_number",
                    "unknown_person",
                    "no person with this ID number is on record",
                ));
            };
            let row = RelationRow {
                id: new_id(),
                user_id: actor.user_id.clone(),
                person_id: person.id,
                relation,
                created_at: now,
            };
            store::judging::insert_relation(conn, &row).map_err(|e| {
                if e.is_duplicate() {
                    ApiError::conflict("already_declared", "this relation is already declared")
                } else {
                    e.into()
                }
            })?;
            record(
                conn,
                &actor,
                "judging.relation",
                ("user", &actor.user_id),
                None,
                Some(serde_json::json!({ "relation_id": row.id, "relation": row.relation })),
            )?;
            Ok(RelationOut { id: row.id, relation: row.relation, created_at: utc(row.created_at) })
        })
        .await?;
    Ok(HttpResponse::Created().json(out))
}

/// The events where the caller has a judging role, with the aspects they mark.
#[utoipa::path(tag = "judging", responses((status = 200, body = [MyEvent]), ProblemResponses), security(("bearer" = [])))]
#[get("/me/judging")]
pub async fn my_judging(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    let out = state
        .db
        .read(move |conn| {
            use crate::db::schema::event_roles;
            use diesel::prelude::*;
            let event_ids: Vec<String> = event_roles::table
                .filter(event_roles::user_id.eq(&actor.user_id))
                .select(event_roles::event_id)
                .distinct()
                .load(conn)?;
            let mut out = Vec::new();
            for event_id in event_ids {
                let (event, competition, _) = load::event_for_roles(conn, &event_id)?;
                let mine: HashSet<String> = store::judging::assignments_of(conn, &event_id)?
                    .into_iter()
                    .filter(|a| a.user_id == actor.user_id)
                    .map(|a| a.aspect_id)
                    .collect();
                let aspects = store::judging::aspects_of(conn, &event_id)?
                    .into_iter()
                    .filter(|a| mine.contains(&a.id))
                    .map(|a| a.code)
                    .collect();
                out.push(MyEvent {
                    roles: load::event_roles(conn, &actor, &event_id)?,
                    event_id,
                    event_name: event.name,
                    competition_name: competition.name,
                    aspects,
                });
            }
            Ok(out)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

pub fn mark_out(m: &MarkRow) -> MarkOut {
    MarkOut {
        id: m.id.clone(),
        aspect_id: m.aspect_id.clone(),
        station_number: m.station_number,
        value: from_centi(m.value_centi),
        status: m.status.clone(),
        version: m.version,
        updated_at: utc(m.updated_at),
    }
}

/// The scheme's written detail (descriptors, tolerance) for an aspect row.
fn aspect_out(a: &AspectRow, scheme: &[crate::wire::schemes::SchemeSection]) -> AspectOut {
    let parts: Vec<usize> = a.code.split('.').filter_map(|p| p.parse::<usize>().ok()).collect();
    let spec = scheme
        .get(parts[0].saturating_sub(1))
        .and_then(|s| s.criteria.get(parts[1].saturating_sub(1)))
        .and_then(|c| c.aspects.get(parts[2].saturating_sub(1)));
    AspectOut {
        id: a.id.clone(),
        code: a.code.clone(),
        criterion: a.criterion.clone(),
        description: a.description.clone(),
        kind: AspectKind::parse(&a.kind).unwrap_or(AspectKind::Measurement),
        max: from_centi(a.max_centi),
        descriptors: spec.map(|s| s.descriptors.clone()).unwrap_or_default(),
        tolerance: spec.and_then(|s| s.tolerance.clone()),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SheetQuery {
    /// The section (0-based).
    pub section: i32,
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
    let out = state
        .db
        .read(move |conn| {
            load::roles_requiring(
                conn,
                &actor,
                &event_id,
                &[EventRole::Judge, EventRole::ChiefJudge],
                "the mark sheet",
            )?;
            let scheme = store::events::scheme_of(conn, &event_id)?
                .ok_or_else(|| ApiError::conflict("no_scheme", "the event has no marking scheme"))?;
            let sections: Vec<crate::wire::schemes::SchemeSection> =
                serde_json::from_str(&scheme.sections).unwrap_or_default();
            let section_name = sections
                .get(section as usize)
                .map(|s| s.name.clone())
                .ok_or_else(|| ApiError::field("section", "unknown_section", "no such section"))?;
            let mine: HashSet<String> = store::judging::assignments_of(conn, &event_id)?
                .into_iter()
                .filter(|a| a.user_id == actor.user_id)
                .map(|a| a.aspect_id)
                .collect();
            let aspects: Vec<AspectOut> = store::judging::aspects_of(conn, &event_id)?
                .iter()
                .filter(|a| a.section_index == section && mine.contains(&a.id))
                .map(|a| aspect_out(a, &sections))
                .collect();
            let aspect_ids: HashSet<&str> = aspects.iter().map(|a| a.id.as_str()).collect();
            let marks = store::judging::marks_of_judge(conn, &event_id, &actor.user_id)?
                .iter()
                .filter(|m| aspect_ids.contains(m.aspect_id.as_str()))
                .map(mark_out)
                .collect();
            let mut stations: Vec<i32> = judging::competing_stations(conn, &event_id)?.into_keys().collect();
            stations.sort_unstable();
            let signed = store::judging::signoffs_of(conn, &event_id)?
                .iter()
                .any(|s| s.section_index == section && s.is(SignoffKind::Judge) && s.signed_by == actor.user_id);
            Ok(SheetOut { event_id, section_index: section, section_name, stations, aspects, marks, signed })
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(out))
}

/// Re-evaluates the spread of a judgement aspect at a station after a change.
fn refresh_flag(
    conn: &mut DbConnection,
    event_id: &str,
    aspect: &AspectRow,
    station: i32,
    limit: f64,
    now: chrono::NaiveDateTime,
) -> ApiResult<bool> {
    if aspect.kind != AspectKind::Judgement.as_str() {
        return Ok(false);
    }
    let values: Vec<i32> = store::judging::marks_at(conn, &aspect.id, station)?.iter().map(|m| m.value_centi).collect();
    let exceeded = judgement_spread_exceeded(&values, limit);
    let existing = store::judging::flag_at(conn, &aspect.id, station)?;
    let at = now;
    match (&existing, exceeded) {
        (None, true) => {
            let row = FlagRow {
                id: new_id(),
                event_id: event_id.into(),
                aspect_id: aspect.id.clone(),
                station_number: station,
                status: FlagStatus::Open.as_str().into(),
                note: None,
                resolved_by: None,
                created_at: at,
                updated_at: at,
            };
            store::judging::save_flag(conn, &row, false)?;
        }
        (Some(flag), true) if flag.is(FlagStatus::Reconciled) => {
            let mut row = flag.clone();
            row.status = FlagStatus::Open.as_str().into();
            row.updated_at = at;
            store::judging::save_flag(conn, &row, true)?;
        }
        _ => {}
    }
    Ok(exceeded)
}

/// Writes a batch of marks for the caller as judge: checks assignment, station, conflict of
/// interest, range and version for each, all or nothing.
fn write_marks(
    conn: &mut DbConnection,
    actor: &Actor,
    event_id: &str,
    inputs: &[MarkInput],
    now: chrono::NaiveDateTime,
) -> ApiResult<SubmissionOut> {
    let (_, competition, _) = load::event_for_roles(conn, event_id)?;
    require_marking_open(&competition)?;
    load::roles_requiring(conn, actor, event_id, &[EventRole::Judge, EventRole::ChiefJudge], "entering marks")?;
    if inputs.is_empty() || inputs.len() > 2000 {
        return Err(ApiError::field("marks", "out_of_range", "1 to 2,000 marks per request"));
    }
    let aspects: HashMap<String, AspectRow> =
        store::judging::aspects_of(conn, event_id)?.into_iter().map(|a| (a.id.clone(), a)).collect();
    let mine: HashSet<String> = store::judging::assignments_of(conn, event_id)?
        .into_iter()
        .filter(|a| a.user_id == actor.user_id)
        .map(|a| a.aspect_id)
        .collect();
    let stations = judging::competing_stations(conn, event_id)?;
    let relations = store::judging::relations_of(conn, &actor.user_id)?;
    let scheme = store::events::scheme_of(conn, event_id)?
        .ok_or_else(|| ApiError::conflict("no_scheme", "the event has no marking scheme"))?;
    let limit = from_centi(scheme.spread_limit_centi);
    let mut conflict_checked: HashMap<i32, bool> = HashMap::new();
    // The judge's marks already entered at these stations, read once.
    let mut sheet_stations: Vec<i32> = inputs.iter().map(|m| m.station_number).collect();
    sheet_stations.sort_unstable();
    sheet_stations.dedup();
    let mut existing: HashMap<(String, i32), MarkRow> =
        store::judging::marks_of_judge_at(conn, event_id, &actor.user_id, &sheet_stations)?
            .into_iter()
            .map(|m| ((m.aspect_id.clone(), m.station_number), m))
            .collect();
    let mut out = SubmissionOut { saved: 0, unchanged: 0, marks: Vec::new(), flagged: Vec::new() };
    let at = now;
    for (i, input) in inputs.iter().enumerate() {
        let field = |name: &str| format!("marks[{i}].{name}");
        let aspect_id = parse_id(&field("aspect_id"), &input.aspect_id)?;
        let aspect = aspects.get(&aspect_id).ok_or_else(|| {
            ApiError::field(&field("aspect_id"), "unknown_aspect", "no aspect of this event has this id")
        })?;
        if !mine.contains(&aspect_id) {
            return Err(ApiError::forbidden(format!("aspect {} is not assigned to you", aspect.code)));
        }
        let Some(registration_id) = stations.get(&input.station_number) else {
            return Err(ApiError::field(
                &field("station_number"),
                "unknown_station",
                format!("no competing contestant at station {}", input.station_number),
            ));
        };
        let is_conflicted = match conflict_checked.get(&input.station_number) {
            Some(c) => *c,
            None => {
                let c = conflicted(conn, actor, registration_id, &relations)?;
                conflict_checked.insert(input.station_number, c);
                c
            }
        };
        if is_conflicted {
            return Err(ApiError::conflict(
                "conflict_of_interest",
                format!("you may not mark station {}: the contestant there is from your own organisation or has a declared relation with you (回避)", input.station_number),
            ));
        }
        let kind = AspectKind::parse(&aspect.kind).unwrap_or(AspectKind::Measurement);
        check_mark(kind, from_centi(aspect.max_centi), input.value)
            .map_err(|m| Violation::new(&field("value"), "out_of_range", format!("aspect {}: {m}", aspect.code)))?;
        let value_centi = to_centi(input.value).unwrap_or_default();
        let saved = match existing.get(&(aspect_id.clone(), input.station_number)).cloned() {
            None => {
                let row = MarkRow {
                    id: new_id(),
                    event_id: event_id.to_string(),
                    aspect_id: aspect_id.clone(),
                    station_number: input.station_number,
                    judge_user_id: actor.user_id.clone(),
                    value_centi,
                    status: MarkStatus::Submitted.as_str().into(),
                    submitted_by: actor.user_id.clone(),
                    version: 1,
                    created_at: at,
                    updated_at: at,
                };
                store::judging::insert_mark(conn, &row)?;
                out.saved += 1;
                row
            }
            Some(existing)
                if existing.value_centi == value_centi && input.version.is_none_or(|v| v == existing.version) =>
            {
                out.unchanged += 1;
                existing
            }
            Some(existing) => {
                if existing.status()?.is_final() {
                    return Err(ApiError::conflict(
                        "mark_locked",
                        format!(
                            "the mark for aspect {} at station {} is {}",
                            aspect.code, input.station_number, existing.status
                        ),
                    ));
                }
                let Some(expected) = input.version else {
                    return Err(ApiError::new(
                        StatusCode::PRECONDITION_REQUIRED,
                        "version_required",
                        format!("marks[{i}] changes a mark already entered: send its version"),
                    ));
                };
                check_version(existing.version, expected)?;
                let mut row = existing.clone();
                row.value_centi = value_centi;
                row.status = MarkStatus::Submitted.as_str().into();
                row.version += 1;
                row.updated_at = at;
                if !store::judging::update_mark(conn, &row, expected)? {
                    return Err(ApiError::precondition_failed("the mark changed at the same moment; reload the sheet"));
                }
                out.saved += 1;
                row
            }
        };
        existing.insert((aspect_id.clone(), input.station_number), saved.clone());
        if refresh_flag(conn, event_id, aspect, input.station_number, limit, now)? {
            out.flagged.push(format!("{}@{}", aspect.code, input.station_number));
        }
        out.marks.push(mark_out(&saved));
    }
    if out.saved > 0 {
        record(
            conn,
            actor,
            "judging.marks",
            ("event", event_id),
            None,
            Some(serde_json::json!({ "saved": out.saved, "unchanged": out.unchanged })),
        )?;
    }
    Ok(out)
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
    let key = idempotency_key(&req)?;
    let hash = sha256_hex(&format!("POST /events/{event_id}/judging/marks\n{}", String::from_utf8_lossy(&body.bytes)));
    let marks = body.value.marks;
    idempotent(&state, &actor, key, hash, StatusCode::OK, move |conn, actor| {
        write_marks(conn, actor, &event_id, &marks, now)
    })
    .await
}

/// Changes one mark. Needs `If-Match` with the version read: of two edits from the same version,
/// the second gets 412.
#[utoipa::path(tag = "judging", request_body = MarkEdit, params(("If-Match" = String, Header, description = "ETag of the version read")), responses((status = 200, body = MarkOut), ProblemResponses), security(("bearer" = [])))]
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
    let value = body.0.value;
    let out = state
        .db
        .write(move |conn| {
            let mark = store::judging::find_mark(conn, &id)?
                .filter(|m| m.judge_user_id == actor.user_id)
                .ok_or_else(|| ApiError::not_found("mark"))?;
            check_version(mark.version, expected)?;
            let input = MarkInput {
                aspect_id: mark.aspect_id.clone(),
                station_number: mark.station_number,
                value,
                version: Some(expected),
            };
            let written = write_marks(conn, &actor, &mark.event_id, &[input], now)?;
            written.marks.into_iter().next().ok_or_else(|| ApiError::internal("mark vanished"))
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(out.version))).json(out))
}

fn flag_out(conn: &mut DbConnection, flag: FlagRow, aspects: &HashMap<String, AspectRow>) -> ApiResult<FlagOut> {
    let marks = store::judging::marks_at(conn, &flag.aspect_id, flag.station_number)?;
    let judges: Vec<String> = marks.iter().map(|m| m.judge_user_id.clone()).collect();
    let names = store::users::usernames(conn, &judges)?;
    let values = marks
        .into_iter()
        .map(|m| JudgeValue {
            judge: names.get(&m.judge_user_id).cloned().unwrap_or_default(),
            value: from_centi(m.value_centi),
            status: m.status,
        })
        .collect();
    let aspect = aspects.get(&flag.aspect_id);
    Ok(FlagOut {
        id: flag.id,
        aspect_code: aspect.map(|a| a.code.clone()).unwrap_or_default(),
        aspect_description: aspect.map(|a| a.description.clone()).unwrap_or_default(),
        station_number: flag.station_number,
        status: flag.status,
        note: flag.note,
        values,
    })
}

/// Spread flags of the event, with the judges' scores side by side (chief judge, supervisor).
#[utoipa::path(tag = "judging", responses((status = 200, body = [FlagOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/judging/flags")]
pub async fn list_flags(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let out = state
        .db
        .read(move |conn| {
            load::roles_requiring(
                conn,
                &actor,
                &event_id,
                &[EventRole::ChiefJudge, EventRole::Supervisor],
                "the spread flags",
            )?;
            let aspects: HashMap<String, AspectRow> = judging::aspects_by_id(conn, &event_id)?;
            store::judging::flags_of(conn, &event_id)?
                .into_iter()
                .map(|f| flag_out(conn, f, &aspects))
                .collect::<ApiResult<Vec<_>>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

fn load_flag_as_chief(conn: &mut DbConnection, actor: &Actor, id: &str) -> ApiResult<FlagRow> {
    let flag = store::judging::find_flag(conn, id)?.ok_or_else(|| ApiError::not_found("flag"))?;
    load::roles_requiring(conn, actor, &flag.event_id, &[EventRole::ChiefJudge], "resolving a spread flag")?;
    Ok(flag)
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
    let out = state
        .db
        .write(move |conn| {
            let mut flag = load_flag_as_chief(conn, &actor, &id)?;
            if flag.is(FlagStatus::Reconciled) {
                return Err(ApiError::conflict("flag_resolved", "this flag has been reconciled"));
            }
            let marks = store::judging::marks_at(conn, &flag.aspect_id, flag.station_number)?;
            if marks.iter().any(|m| m.is(MarkStatus::Locked) || m.is(MarkStatus::Signed)) {
                return Err(ApiError::conflict(
                    "mark_locked",
                    "the marks are signed; re-open them through the chief judge and a supervisor",
                ));
            }
            store::judging::set_mark_status(
                conn,
                &marks.iter().map(|m| m.id.clone()).collect::<Vec<_>>(),
                MarkStatus::Flagged,
                now,
            )?;
            flag.status = FlagStatus::RescoreRequested.as_str().into();
            flag.updated_at = now;
            store::judging::save_flag(conn, &flag, true)?;
            record(
                conn,
                &actor,
                "judging.rescore",
                ("event", &flag.event_id),
                None,
                Some(serde_json::json!({ "flag_id": flag.id })),
            )?;
            let aspects: HashMap<String, AspectRow> = judging::aspects_by_id(conn, &flag.event_id)?;
            flag_out(conn, flag, &aspects)
        })
        .await?;
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
    let out = state
        .db
        .write(move |conn| {
            let mut flag = load_flag_as_chief(conn, &actor, &id)?;
            if flag.is(FlagStatus::Reconciled) {
                return Err(ApiError::conflict("flag_resolved", "this flag has already been reconciled"));
            }
            let marks = store::judging::marks_at(conn, &flag.aspect_id, flag.station_number)?;
            let reopened: Vec<String> =
                marks.iter().filter(|m| m.is(MarkStatus::Flagged)).map(|m| m.id.clone()).collect();
            store::judging::set_mark_status(conn, &reopened, MarkStatus::Submitted, now)?;
            flag.status = FlagStatus::Reconciled.as_str().into();
            flag.note = Some(note);
            flag.resolved_by = Some(actor.user_id.clone());
            flag.updated_at = now;
            store::judging::save_flag(conn, &flag, true)?;
            let values: Vec<i32> = marks.iter().map(|m| m.value_centi).collect();
            record(
                conn,
                &actor,
                "judging.reconcile",
                ("event", &flag.event_id),
                None,
                Some(serde_json::json!({ "flag_id": flag.id, "values_centi": values, "note": flag.note })),
            )?;
            let aspects: HashMap<String, AspectRow> = judging::aspects_by_id(conn, &flag.event_id)?;
            flag_out(conn, flag, &aspects)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

fn unresolved_flags_in(
    conn: &mut DbConnection,
    event_id: &str,
    section: i32,
    only: Option<&HashSet<String>>,
) -> ApiResult<usize> {
    let aspects: HashMap<String, AspectRow> =
        store::judging::aspects_of(conn, event_id)?.into_iter().map(|a| (a.id.clone(), a)).collect();
    Ok(store::judging::flags_of(conn, event_id)?
        .iter()
        .filter(|f| !f.is(FlagStatus::Reconciled))
        .filter(|f| aspects.get(&f.aspect_id).is_some_and(|a| a.section_index == section))
        .filter(|f| only.is_none_or(|set| set.contains(&f.aspect_id)))
        .count())
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
    let out = state
        .db
        .write(move |conn| {
            load::roles_requiring(
                conn,
                &actor,
                &event_id,
                &[EventRole::Judge, EventRole::ChiefJudge],
                "signing a sheet",
            )?;
            let (_, competition, _) = load::event_for_roles(conn, &event_id)?;
            require_marking_open(&competition)?;
            let mine: HashSet<String> = store::judging::assignments_of(conn, &event_id)?
                .into_iter()
                .filter(|a| a.user_id == actor.user_id)
                .map(|a| a.aspect_id)
                .collect();
            let section_aspects: HashSet<String> = store::judging::aspects_of(conn, &event_id)?
                .into_iter()
                .filter(|a| a.section_index == section && mine.contains(&a.id))
                .map(|a| a.id)
                .collect();
            if section_aspects.is_empty() {
                return Err(ApiError::conflict("nothing_to_sign", "you mark no aspect in this section"));
            }
            let stations = judging::competing_stations(conn, &event_id)?;
            let relations = store::judging::relations_of(conn, &actor.user_id)?;
            let marks: Vec<MarkRow> = store::judging::marks_of_judge(conn, &event_id, &actor.user_id)?
                .into_iter()
                .filter(|m| section_aspects.contains(&m.aspect_id))
                .collect();
            // Stations the judge must stand aside from (回避) are not expected of them.
            let mut expected = 0;
            for registration in stations.values() {
                if !conflicted(conn, &actor, registration, &relations)? {
                    expected += section_aspects.len();
                }
            }
            if marks.len() < expected {
                return Err(ApiError::conflict(
                    "sheet_incomplete",
                    format!("{} of {expected} marks are entered", marks.len()),
                ));
            }
            let open = unresolved_flags_in(conn, &event_id, section, Some(&section_aspects))?;
            if open > 0 {
                return Err(ApiError::conflict(
                    "flags_open",
                    format!("{open} spread flags on your aspects wait for the chief judge"),
                ));
            }
            let at = now;
            let row = SignoffRow {
                id: new_id(),
                event_id: event_id.clone(),
                section_index: section,
                kind: SignoffKind::Judge.as_str().into(),
                signed_by: actor.user_id.clone(),
                signed_at: at,
                confirmed_by: None,
                confirmed_at: None,
            };
            store::judging::insert_signoff(conn, &row).map_err(|e| {
                if e.is_duplicate() {
                    ApiError::conflict("already_signed", "you have signed this section")
                } else {
                    e.into()
                }
            })?;
            store::judging::set_mark_status(
                conn,
                &marks.iter().map(|m| m.id.clone()).collect::<Vec<_>>(),
                MarkStatus::Signed,
                at,
            )?;
            record(
                conn,
                &actor,
                "judging.sign",
                ("event", &event_id),
                None,
                Some(serde_json::json!({ "section": section, "marks": marks.len() })),
            )?;
            Ok(SignoffOut {
                section_index: section,
                kind: SignoffKind::Judge.as_str().into(),
                signed_at: utc(at),
                confirmed: false,
            })
        })
        .await?;
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
    let out = state
        .db
        .write(move |conn| {
            load::roles_requiring(conn, &actor, &event_id, &[EventRole::ChiefJudge], "signing a section")?;
            let aspects: HashSet<String> = section_aspect_ids(conn, &event_id, section)?;
            if aspects.is_empty() {
                return Err(ApiError::conflict("nothing_to_sign", "the section has no aspects"));
            }
            let judges: HashSet<String> = store::judging::assignments_of(conn, &event_id)?
                .into_iter()
                .filter(|a| aspects.contains(&a.aspect_id))
                .map(|a| a.user_id)
                .collect();
            let signoffs = store::judging::signoffs_of(conn, &event_id)?;
            let signed: HashSet<String> = signoffs
                .iter()
                .filter(|s| s.section_index == section && s.is(SignoffKind::Judge))
                .map(|s| s.signed_by.clone())
                .collect();
            let missing = judges.difference(&signed).count();
            if judges.is_empty() || missing > 0 {
                return Err(ApiError::conflict(
                    "judges_not_signed",
                    format!("{missing} of {} judges have not signed this section", judges.len()),
                ));
            }
            let open = unresolved_flags_in(conn, &event_id, section, None)?;
            if open > 0 {
                return Err(ApiError::conflict(
                    "flags_open",
                    format!("{open} spread flags in this section are not reconciled"),
                ));
            }
            if signoffs.iter().any(|s| s.section_index == section && s.is(SignoffKind::Chief)) {
                return Err(ApiError::conflict("already_signed", "the section is signed"));
            }
            let at = now;
            let row = SignoffRow {
                id: new_id(),
                event_id: event_id.clone(),
                section_index: section,
                kind: SignoffKind::Chief.as_str().into(),
                signed_by: actor.user_id.clone(),
                signed_at: at,
                confirmed_by: None,
                confirmed_at: None,
            };
            store::judging::insert_signoff(conn, &row)?;
            record(
                conn,
                &actor,
                "judging.chief_sign",
                ("event", &event_id),
                None,
                Some(serde_json::json!({ "section": section })),
            )?;
            Ok(SignoffOut {
                section_index: section,
                kind: SignoffKind::Chief.as_str().into(),
                signed_at: utc(at),
                confirmed: false,
            })
        })
        .await?;
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
    let out = state
        .db
        .write(move |conn| {
            load::roles_requiring(
                conn,
                &actor,
                &event_id,
                &[EventRole::Supervisor, EventRole::Scorer],
                "confirming a section",
            )?;
            let chief = store::judging::signoffs_of(conn, &event_id)?
                .into_iter()
                .find(|s| s.section_index == section && s.is(SignoffKind::Chief))
                .ok_or_else(|| ApiError::conflict("not_signed", "the chief judge has not signed this section"))?;
            if chief.signed_by == actor.user_id {
                return Err(ApiError::conflict("same_person", "the one who signed cannot also confirm"));
            }
            let at = now;
            if !store::judging::confirm_signoff(conn, &chief.id, &actor.user_id, at)? {
                return Err(ApiError::conflict("already_confirmed", "the section is already confirmed and locked"));
            }
            let aspects: HashSet<String> = section_aspect_ids(conn, &event_id, section)?;
            let marks: Vec<String> = store::judging::marks_of_event(conn, &event_id)?
                .into_iter()
                .filter(|m| aspects.contains(&m.aspect_id))
                .map(|m| m.id)
                .collect();
            store::judging::set_mark_status(conn, &marks, MarkStatus::Locked, at)?;
            record(
                conn,
                &actor,
                "judging.confirm",
                ("event", &event_id),
                None,
                Some(serde_json::json!({ "section": section, "locked_marks": marks.len() })),
            )?;
            Ok(SignoffOut {
                section_index: section,
                kind: SignoffKind::Chief.as_str().into(),
                signed_at: utc(chief.signed_at),
                confirmed: true,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Marking progress per judge and section: expected, entered, signed, locked (organisers, chief
/// judge, supervisor).
#[utoipa::path(tag = "judging", responses((status = 200, body = ProgressOut), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/judging/progress")]
pub async fn progress(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let out = state
        .db
        .read(move |conn| {
            let (_, _, host_path) = load::event_for_roles(conn, &event_id)?;
            if !can_manage_competition(&actor, &host_path) {
                load::roles_requiring(
                    conn,
                    &actor,
                    &event_id,
                    &[EventRole::ChiefJudge, EventRole::Supervisor],
                    "marking progress",
                )?;
            }
            let stations = judging::competing_stations(conn, &event_id)?.len();
            let aspects: HashMap<String, AspectRow> = judging::aspects_by_id(conn, &event_id)?;
            let marks = store::judging::marks_of_event(conn, &event_id)?;
            let mut by_key: std::collections::BTreeMap<(String, i32), JudgeProgress> =
                std::collections::BTreeMap::new();
            let assignments = store::judging::assignments_of(conn, &event_id)?;
            let judges: Vec<String> = assignments.iter().map(|a| a.user_id.clone()).collect();
            let names = store::users::usernames(conn, &judges)?;
            for a in assignments {
                let Some(aspect) = aspects.get(&a.aspect_id) else { continue };
                let judge = names.get(&a.user_id).cloned().unwrap_or_default();
                let entry = by_key.entry((a.user_id.clone(), aspect.section_index)).or_insert_with(|| JudgeProgress {
                    judge,
                    section_index: aspect.section_index,
                    expected: 0,
                    entered: 0,
                    signed: 0,
                    locked: 0,
                });
                entry.expected += stations;
                for m in marks.iter().filter(|m| m.aspect_id == a.aspect_id && m.judge_user_id == a.user_id) {
                    entry.entered += 1;
                    entry.signed += m.status()?.is_final() as usize;
                    entry.locked += m.is(MarkStatus::Locked) as usize;
                }
            }
            let open_flags =
                store::judging::flags_of(conn, &event_id)?.iter().filter(|f| !f.is(FlagStatus::Reconciled)).count();
            let mut sections_locked: Vec<i32> = store::judging::signoffs_of(conn, &event_id)?
                .iter()
                .filter(|s| s.is(SignoffKind::Chief) && s.confirmed_by.is_some())
                .map(|s| s.section_index)
                .collect();
            sections_locked.sort_unstable();
            Ok(ProgressOut { event_id, stations, judges: by_key.into_values().collect(), open_flags, sections_locked })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

fn review_out(conn: &mut DbConnection, event: &EventRow) -> ApiResult<ReviewOut> {
    let judging = store::judging::judging_of(conn, &event.id)?;
    let totals: HashMap<i32, f64> =
        judging::current_scores(conn, event)?.into_iter().map(|s| (s.station, s.total)).collect();
    let samples: Vec<SampleOut> = store::judging::samples_of(conn, &event.id)?
        .into_iter()
        .map(|s| SampleOut {
            total: totals.get(&s.station_number).copied().unwrap_or(0.0),
            id: s.id,
            station_number: s.station_number,
            reason: s.reason,
            status: s.status,
            note: s.note,
        })
        .collect();
    let checked = samples.iter().filter(|s| s.status != SampleStatus::Pending.as_str()).count();
    let discrepancies = samples.iter().filter(|s| s.status == SampleStatus::Discrepancy.as_str()).count();
    Ok(ReviewOut {
        event_id: event.id.clone(),
        seed: judging.review_seed,
        full_review: samples.iter().any(|s| s.reason == "full")
            || crate::domain::review::full_review_required(checked, discrepancies),
        complete: !samples.is_empty() && samples.iter().all(|s| s.status != SampleStatus::Pending.as_str()),
        error_rate: if checked == 0 { 0.0 } else { discrepancies as f64 / checked as f64 },
        samples,
        checked,
        discrepancies,
    })
}

/// Draws the review sample (复核) once every section is locked: all current top-10 stations and
/// ⌈15 %⌉ of the rest at random, the seed recorded (the chief judge).
#[utoipa::path(tag = "judging", responses((status = 201, body = ReviewOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/judging/review")]
pub async fn draw_review(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let out = state
        .db
        .write(move |conn| {
            load::roles_requiring(conn, &actor, &event_id, &[EventRole::ChiefJudge], "drawing the review sample")?;
            let (event, _, _) = load::event_for_roles(conn, &event_id)?;
            let unlocked = judging::unlocked_sections(conn, &event_id)?;
            if !unlocked.is_empty() {
                return Err(ApiError::conflict(
                    "sections_not_locked",
                    format!("sections {unlocked:?} are not signed and confirmed yet"),
                ));
            }
            let mut judging = store::judging::judging_of(conn, &event_id)?;
            if judging.review_seed.is_some() {
                return Err(ApiError::conflict("already_drawn", "the review sample has been drawn"));
            }
            let ranked: Vec<i32> = judging::current_scores(conn, &event)?.into_iter().map(|s| s.station).collect();
            let seed = crate::auth::random_token(32);
            for (station, reason) in crate::domain::review::draw_review_sample(&ranked, seed.as_bytes()) {
                store::judging::insert_sample(
                    conn,
                    &store::judging::SampleRow {
                        id: new_id(),
                        event_id: event_id.clone(),
                        station_number: station,
                        reason: reason.as_str().into(),
                        status: SampleStatus::Pending.as_str().into(),
                        note: None,
                        reviewed_by: None,
                        reviewed_at: None,
                    },
                )?;
            }
            judging.review_seed = Some(seed);
            judging.review_drawn_at = Some(now);
            store::judging::save_judging(conn, &judging)?;
            let out = review_out(conn, &event)?;
            record(
                conn,
                &actor,
                "judging.review_draw",
                ("event", &event_id),
                None,
                Some(serde_json::json!({ "sampled": out.samples.len(), "of": ranked.len() })),
            )?;
            Ok(out)
        })
        .await?;
    Ok(HttpResponse::Created().json(out))
}

/// The review: the sample, what was found, and whether a full review is required.
#[utoipa::path(tag = "judging", responses((status = 200, body = ReviewOut), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/judging/review")]
pub async fn get_review(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let out = state
        .db
        .read(move |conn| {
            let (event, _, host_path) = load::event_for_roles(conn, &event_id)?;
            if !can_manage_competition(&actor, &host_path) {
                load::roles_requiring(
                    conn,
                    &actor,
                    &event_id,
                    &[EventRole::ChiefJudge, EventRole::Supervisor],
                    "the review",
                )?;
            }
            review_out(conn, &event)
        })
        .await?;
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
    let out = state
        .db
        .write(move |conn| {
            let mut sample = store::judging::find_sample(conn, &id)?.ok_or_else(|| ApiError::not_found("review sample"))?;
            load::roles_requiring(conn, &actor, &sample.event_id, &[EventRole::ChiefJudge, EventRole::Supervisor], "recording a review")?;
            sample.status = input.outcome.clone();
            sample.note = note;
            sample.reviewed_by = Some(actor.user_id.clone());
            sample.reviewed_at = Some(now);
            if !store::judging::record_sample(conn, &sample)? {
                return Err(ApiError::conflict("already_reviewed", "this station's review is recorded"));
            }
            let (event, _, _) = load::event_for_roles(conn, &sample.event_id)?;
            let review = review_out(conn, &event)?;
            if crate::domain::review::full_review_required(review.checked, review.discrepancies) {
                let sampled: HashSet<i32> = review.samples.iter().map(|s| s.station_number).collect();
                for station in judging::competing_stations(conn, &event.id)?.into_keys().filter(|s| !sampled.contains(s)) {
                    store::judging::insert_sample(conn, &store::judging::SampleRow {
                        id: new_id(),
                        event_id: event.id.clone(),
                        station_number: station,
                        reason: "full".into(),
                        status: SampleStatus::Pending.as_str().into(),
                        note: None,
                        reviewed_by: None,
                        reviewed_at: None,
                    })?;
                }
            }
            record(conn, &actor, "judging.review", ("event", &event.id), None, Some(serde_json::json!({ "station": sample.station_number, "outcome": sample.status, "note": sample.note })))?;
            review_out(conn, &event)
        })
        .await?;
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
    let out = state
        .db
        .write(move |conn| {
            load::roles_requiring(conn, &actor, &event_id, &[EventRole::EncryptionJudge], "decryption")?;
            let (event, _, _) = load::event_for_roles(conn, &event_id)?;
            let unlocked = judging::unlocked_sections(conn, &event_id)?;
            if !unlocked.is_empty() {
                return Err(ApiError::conflict(
                    "sections_not_locked",
                    format!("decryption waits until every section is locked (sections {unlocked:?} are not)"),
                ));
            }
            let review = review_out(conn, &event)?;
            if !review.complete {
                return Err(ApiError::conflict(
                    "review_incomplete",
                    "decryption waits until the review (复核) is complete",
                ));
            }
            let mut judging = store::judging::judging_of(conn, &event_id)?;
            if judging.decrypted_at.is_some() {
                return Err(ApiError::conflict("already_decrypted", "the event is decrypted"));
            }
            judging.decryption_requested_by = Some(actor.user_id.clone());
            judging.decryption_requested_at = Some(now);
            store::judging::save_judging(conn, &judging)?;
            record(conn, &actor, "judging.decryption_request", ("event", &event_id), None, None)?;
            Ok(DecryptionOut { event_id, requested_at: judging.decryption_requested_at.map(utc), decrypted_at: None })
        })
        .await?;
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
    let out = state
        .db
        .write(move |conn| {
            load::roles_requiring(conn, &actor, &event_id, &[EventRole::Supervisor], "confirming decryption")?;
            let mut judging = store::judging::judging_of(conn, &event_id)?;
            let Some(requester) = judging.decryption_requested_by.clone() else {
                return Err(ApiError::conflict("not_requested", "the encryption judge has not asked for decryption"));
            };
            if requester == actor.user_id {
                return Err(ApiError::conflict(
                    "same_person",
                    "decryption needs two people: the encryption judge and a supervisor",
                ));
            }
            if judging.decrypted_at.is_some() {
                return Err(ApiError::conflict("already_decrypted", "the event is decrypted"));
            }
            judging.decrypted_by = Some(actor.user_id.clone());
            judging.decrypted_at = Some(now);
            store::judging::save_judging(conn, &judging)?;
            record(
                conn,
                &actor,
                "judging.decrypt",
                ("event", &event_id),
                None,
                Some(serde_json::json!({ "requested_by": requester })),
            )?;
            Ok(DecryptionOut {
                event_id,
                requested_at: judging.decryption_requested_at.map(utc),
                decrypted_at: judging.decrypted_at.map(utc),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Current scores by station (organisers, chief judge, supervisor); names appear only after
/// decryption.
#[utoipa::path(tag = "judging", responses((status = 200, body = ScoresOut), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/judging/scores")]
pub async fn scores(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let out = state
        .db
        .read(move |conn| {
            let (event, _, host_path) = load::event_for_roles(conn, &event_id)?;
            if !can_manage_competition(&actor, &host_path) {
                load::roles_requiring(
                    conn,
                    &actor,
                    &event_id,
                    &[EventRole::ChiefJudge, EventRole::Supervisor],
                    "the scores",
                )?;
            }
            let decrypted = store::judging::judging_of(conn, &event_id)?.decrypted_at.is_some();
            let stations = judging::competing_stations(conn, &event_id)?;
            let mut rows = Vec::new();
            for s in judging::current_scores(conn, &event)? {
                let (full_name, registration_id) = if decrypted {
                    let registration_id = stations.get(&s.station).cloned();
                    let name = match &registration_id {
                        Some(rid) => match store::registrations::find(conn, rid)? {
                            Some(r) => store::persons::find(conn, &r.person_id)?.map(|(p, _)| p.full_name),
                            None => None,
                        },
                        None => None,
                    };
                    (name, registration_id)
                } else {
                    (None, None)
                };
                rows.push(ScoreRow {
                    station_number: s.station,
                    full_name,
                    registration_id,
                    theory: s.theory,
                    practical: s.practical,
                    total: s.total,
                });
            }
            Ok(ScoresOut { event_id, decrypted, rows })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}
