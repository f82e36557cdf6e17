//! Judging (评分), one module per step of a judge's day: the sheet and its marks, spread flags,
//! sign-off, review (复核), decryption (解密) and the scores. Here: the steps they and other areas
//! compose (the aspects of an event, the stations competing, the sections still open, the scores
//! from the marks as they stand).

pub mod decryption;
pub mod flags;
pub mod review;
pub mod scores;
pub mod sheets;
pub mod signoff;

use std::collections::{HashMap, HashSet};

use super::audit::record;
use super::check_version;
use super::load;
use crate::auth::policy::can_manage_competition;
use crate::auth::Actor;
use crate::db::DbConnection;
use crate::domain::competition::Status;
use crate::domain::judging::{FlagStatus, MarkStatus, SampleStatus, SignoffKind};
use crate::domain::role::EventRole;
use crate::domain::scoring::{check_mark, from_centi, judgement_spread_exceeded, to_centi, AspectKind};
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult};
use crate::store::events::EventRow;
use crate::store::judging::{AspectRow, FlagRow, JudgeAspectRow, MarkRow, RelationRow, SignoffRow};
use crate::store::{self, new_id};
use crate::wire::judging::{AspectOut, FlagOut, JudgeValue, MarkInput, MarkOut, ReviewOut, SampleOut, SubmissionOut};
use crate::wire::{parse_id, utc};

/// Station numbers of the contestants who compete (checked in), with their registrations.
pub fn competing_stations(conn: &mut DbConnection, event_id: &str) -> ApiResult<HashMap<i32, String>> {
    Ok(store::judging::competing_stations(conn, event_id)?.into_iter().collect())
}

/// The event's aspects by id.
pub fn aspects_by_id(conn: &mut DbConnection, event_id: &str) -> ApiResult<HashMap<String, AspectRow>> {
    Ok(store::judging::aspects_of(conn, event_id)?.into_iter().map(|a| (a.id.clone(), a)).collect())
}

/// Sections of an event that have aspects but are not yet confirmed and locked.
pub fn unlocked_sections(conn: &mut DbConnection, event_id: &str) -> ApiResult<Vec<i32>> {
    let mut sections: Vec<i32> = store::judging::aspects_of(conn, event_id)?.iter().map(|a| a.section_index).collect();
    sections.sort_unstable();
    sections.dedup();
    let locked: HashSet<i32> = store::judging::signoffs_of(conn, event_id)?
        .iter()
        .filter(|s| s.is(SignoffKind::Chief) && s.confirmed_by.is_some())
        .map(|s| s.section_index)
        .collect();
    Ok(sections.into_iter().filter(|s| !locked.contains(s)).collect())
}

/// Every competing station's scores from the marks as they stand, best first.
pub fn current_scores(
    conn: &mut DbConnection,
    event: &EventRow,
) -> ApiResult<Vec<crate::domain::scoring::StationScore>> {
    let marks = store::judging::mark_values_of_event(conn, &event.id)?;
    scores_from(conn, event, &marks)
}

/// The stations' scores from the event's marks as `mark_values_of_event` gives them.
pub fn scores_from(
    conn: &mut DbConnection,
    event: &EventRow,
    marks: &[(String, i32, String, i32)],
) -> ApiResult<Vec<crate::domain::scoring::StationScore>> {
    use crate::domain::scoring::{station_scores, ScoredAspect};
    let aspects: Vec<ScoredAspect> = store::judging::aspects_of(conn, &event.id)?
        .into_iter()
        .map(|a| ScoredAspect {
            theory: a.section_kind == "theory",
            kind: AspectKind::parse(&a.kind).unwrap_or(AspectKind::Measurement),
            max_centi: a.max_centi,
            section_index: a.section_index,
            id: a.id,
        })
        .collect();
    let marks: Vec<(String, i32, i32)> =
        marks.iter().map(|(aspect, station, _, value)| (aspect.clone(), *station, *value)).collect();
    let mut stations: Vec<i32> = competing_stations(conn, &event.id)?.into_keys().collect();
    stations.sort_unstable();
    let drop_extremes = store::events::scheme_of(conn, &event.id)?.is_some_and(|s| s.drop_extremes);
    let mut ranked =
        station_scores(&aspects, &marks, &stations, (event.theory_weight, event.practical_weight), drop_extremes);
    ranked.sort_by(|a, b| {
        b.total.partial_cmp(&a.total).unwrap_or(std::cmp::Ordering::Equal).then(a.station.cmp(&b.station))
    });
    Ok(ranked)
}

/// Marks are entered while the competition runs and is being scored.
pub fn require_marking_open(competition: &crate::store::competitions::CompetitionRow) -> ApiResult<()> {
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
pub fn section_aspect_ids(conn: &mut DbConnection, event_id: &str, section: i32) -> ApiResult<HashSet<String>> {
    Ok(store::judging::aspects_of(conn, event_id)?
        .into_iter()
        .filter(|a| a.section_index == section)
        .map(|a| a.id)
        .collect())
}

/// Whether the judge may not mark this registration: same employer, same nominating unit, or a
/// declared relation.
pub fn conflicted(
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
pub fn aspect_out(a: &AspectRow, scheme: &[crate::wire::schemes::SchemeSection]) -> AspectOut {
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
    let stations = competing_stations(conn, event_id)?;
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

pub fn flag_out(conn: &mut DbConnection, flag: FlagRow, aspects: &HashMap<String, AspectRow>) -> ApiResult<FlagOut> {
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

pub fn load_flag_as_chief(conn: &mut DbConnection, actor: &Actor, id: &str) -> ApiResult<FlagRow> {
    let flag = store::judging::find_flag(conn, id)?.ok_or_else(|| ApiError::not_found("flag"))?;
    load::roles_requiring(conn, actor, &flag.event_id, &[EventRole::ChiefJudge], "resolving a spread flag")?;
    Ok(flag)
}

pub fn unresolved_flags_in(
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

pub fn review_out(conn: &mut DbConnection, event: &EventRow) -> ApiResult<ReviewOut> {
    let judging = store::judging::judging_of(conn, &event.id)?;
    let totals: HashMap<i32, f64> = current_scores(conn, event)?.into_iter().map(|s| (s.station, s.total)).collect();
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
