//! Marks (评分): a judge's sheet written all or nothing, one mark changed at the version read,
//! and the spread flag of a judgement aspect kept up to date with each change.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::{aspects_of_judge, competing_stations, conflicted, coverage, mark_out, no_station, require_marking_open};
use crate::auth::Actor;
use crate::db::{Db, DbConnection};
use crate::domain::judging::{FlagStatus, MarkStatus};
use crate::domain::role::EventRole;
use crate::domain::scoring::{check_mark, from_centi, judgement_spread_exceeded, to_centi, AspectKind};
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::service::idempotency::{run_once, Once, Retry};
use crate::service::{check_version, load};
use crate::store::judging::{AspectRow, FlagRow, MarkRow};
use crate::store::{self, new_id};
use crate::wire::judging::{MarkInput, MarkOut, SubmissionOut};
use crate::wire::parse_id;

/// Changes one of the caller's own marks at the version they read (of two edits from the same
/// version, the second is refused), with every check of a sheet.
pub async fn edit_mark(
    db: &Db,
    actor: Actor,
    id: String,
    expected: i32,
    value: f64,
    now: NaiveDateTime,
) -> ApiResult<MarkOut> {
    db.write(move |conn| {
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
    .await
}

/// Re-evaluates the spread of a judgement aspect at a station after a change.
pub fn refresh_flag(
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
pub fn write_marks(
    conn: &mut DbConnection,
    actor: &Actor,
    event_id: &str,
    inputs: &[MarkInput],
    now: chrono::NaiveDateTime,
) -> ApiResult<SubmissionOut> {
    let (_, _, host_path) = load::event_for_roles(conn, event_id)?;
    let judges = [EventRole::Judge, EventRole::ChiefJudge];
    load::roles_requiring_at(conn, actor, event_id, &host_path, &judges, "entering marks")?;
    require_marking_open(conn, event_id)?;
    if inputs.is_empty() || inputs.len() > 2000 {
        return Err(ApiError::field("marks", "out_of_range", "1 to 2,000 marks per request"));
    }
    let aspects: HashMap<String, AspectRow> =
        store::judging::aspects_of(conn, event_id)?.into_iter().map(|a| (a.id.clone(), a)).collect();
    let mine = aspects_of_judge(conn, event_id, &actor.user_id)?;
    let stations = competing_stations(conn, event_id)?;
    let relations = store::judging::relations_of(conn, &actor.user_id)?;
    let scheme = store::events::scheme_of(conn, event_id)?
        .ok_or_else(|| ApiError::conflict("no_scheme", "the event has no marking scheme"))?;
    let limit = from_centi(scheme.spread_limit_centi);
    let mut conflict_checked: HashMap<i32, bool> = HashMap::new();
    let mut covers: Option<crate::domain::judging::Coverage> = None;
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
        let Some(registration_id) = stations.get(&input.station_number) else {
            return Err(no_station(&field("station_number"), input.station_number));
        };
        let is_conflicted = match conflict_checked.get(&input.station_number) {
            Some(c) => *c,
            None => {
                let c = conflicted(conn, actor.person_id.as_deref(), registration_id, &relations)?;
                conflict_checked.insert(input.station_number, c);
                c
            }
        };
        if is_conflicted {
            return Err(no_station(&field("station_number"), input.station_number));
        }
        // Beyond their own aspects, a judge marks only the cells they cover for a panel that
        // stands aside from the station (worked out once per batch, only when needed).
        if !mine.contains(&aspect_id) {
            if covers.is_none() {
                covers = Some(coverage(conn, event_id)?);
            }
            if !covers.as_ref().is_some_and(|c| c.is_cover(&aspect_id, input.station_number, &actor.user_id)) {
                return Err(ApiError::forbidden(format!("aspect {} is not assigned to you", aspect.code)));
            }
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
                    return Err(ApiError::precondition_missing(
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

/// Enters one mark or a whole sheet for the caller as judge; a tablet that retries with the same
/// key gets the first answer and nothing is written twice.
pub async fn submit_sheet(
    db: &Db,
    actor: Actor,
    retry: Retry,
    event_id: String,
    marks: Vec<MarkInput>,
    now: NaiveDateTime,
) -> ApiResult<Once> {
    run_once(db, &actor, retry, 200, now, move |conn, actor| write_marks(conn, actor, &event_id, &marks, now)).await
}
