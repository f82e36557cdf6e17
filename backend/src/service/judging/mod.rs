//! Judging (评分), one module per step of a judge's day: the sheet and its marks, spread flags,
//! sign-off, review (复核), decryption (解密) and the scores. Here: the steps they and other areas
//! compose (the aspects of an event, the stations competing, the sections still open, the scores
//! from the marks as they stand).

pub mod decryption;
pub mod flags;
pub mod marks;
pub mod review;
pub mod scores;
pub mod sheets;
pub mod signoff;
pub mod times;

pub use crate::service::stages::require_marking_open;
use std::collections::{HashMap, HashSet};

use super::load;
use crate::auth::Actor;
use crate::db::DbConnection;
use crate::domain::judging::{FlagStatus, SampleStatus, SignoffKind};
use crate::domain::role::EventRole;
use crate::domain::scoring::{from_centi, AspectKind};
use crate::error::{ApiError, ApiResult};
use crate::store::events::EventRow;
use crate::store::judging::{AspectRow, FlagRow, MarkRow, RelationRow};
use crate::store::{self};
use crate::wire::judging::{AspectOut, FlagOut, JudgeValue, MarkOut, ReviewOut, SampleOut};
use crate::wire::utc;

/// Station numbers of the contestants who compete (checked in), with their registrations.
pub fn competing_stations(conn: &mut DbConnection, event_id: &str) -> ApiResult<HashMap<i32, String>> {
    Ok(store::judging::competing_stations(conn, event_id)?.into_iter().collect())
}

/// The event's aspects by id.
/// The aspects a judge is assigned to mark on an event.
pub fn aspects_of_judge(conn: &mut DbConnection, event_id: &str, user_id: &str) -> ApiResult<HashSet<String>> {
    Ok(store::judging::assignments_of(conn, event_id)?
        .into_iter()
        .filter(|a| a.user_id == user_id)
        .map(|a| a.aspect_id)
        .collect())
}

/// The stations a judge stands aside from (回避): their own organisation's contestants and the
/// people they declared a relation with. To the judge these stations do not exist.
pub fn recused_stations(conn: &mut DbConnection, event_id: &str, judge_user_id: &str) -> ApiResult<HashSet<i32>> {
    Ok(recusals(conn, event_id, &[judge_user_id.to_string()])?.remove(judge_user_id).unwrap_or_default())
}

/// The stations each of several judges stands aside from, reading each competing station's
/// people and organisations once (not once per judge).
pub fn recusals(
    conn: &mut DbConnection,
    event_id: &str,
    judges: &[String],
) -> ApiResult<HashMap<String, HashSet<i32>>> {
    let mut stations: Vec<(i32, Entrants)> = Vec::new();
    for (station, registration_id) in competing_stations(conn, event_id)? {
        if let Some(entrants) = entrants(conn, &registration_id)? {
            stations.push((station, entrants));
        }
    }
    let mut out = HashMap::new();
    for judge in judges {
        let relations: Vec<RelationRow> = store::judging::relations_of(conn, judge)?;
        let person = store::users::find(conn, judge)?.and_then(|u| u.person_id);
        let employer = employer_of(conn, person.as_deref())?;
        let recused: HashSet<i32> = stations
            .iter()
            .filter(|(_, e)| e.conflict_with(&relations, employer.as_deref()))
            .map(|(station, _)| *station)
            .collect();
        out.insert(judge.clone(), recused);
    }
    Ok(out)
}

/// Who competes at a station and which organisations they stand for: the entrant and team
/// members; the nominating unit and the entrant's employer.
struct Entrants {
    people: Vec<String>,
    organisations: Vec<String>,
}

impl Entrants {
    /// A judge stands aside (回避) from a declared relation and from their own organisation.
    fn conflict_with(&self, relations: &[RelationRow], judge_employer: Option<&str>) -> bool {
        relations.iter().any(|rel| self.people.contains(&rel.person_id))
            || judge_employer.is_some_and(|e| self.organisations.iter().any(|o| o == e))
    }
}

fn entrants(conn: &mut DbConnection, registration_id: &str) -> ApiResult<Option<Entrants>> {
    let Some(r) = store::registrations::find(conn, registration_id)? else { return Ok(None) };
    let mut people = vec![r.person_id.clone()];
    people.extend(store::registrations::members_of(conn, &r.id)?.into_iter().map(|m| m.person_id));
    let mut organisations = vec![r.nominating_org_id.clone()];
    organisations.extend(employer_of(conn, Some(&r.person_id))?);
    Ok(Some(Entrants { people, organisations }))
}

fn employer_of(conn: &mut DbConnection, person_id: Option<&str>) -> ApiResult<Option<String>> {
    Ok(match person_id {
        Some(p) => store::persons::find(conn, p)?.and_then(|(person, _)| person.employer_org_id),
        None => None,
    })
}

/// Who covers the cells (aspect × station) a whole panel stands aside from, and which cells nobody
/// may mark (domain `plan_covers`), from the event's assignments, recusals and marks as they stand.
pub fn coverage(conn: &mut DbConnection, event_id: &str) -> ApiResult<crate::domain::judging::Coverage> {
    use crate::domain::judging::{plan_covers, Panel};
    use crate::domain::role::EventRole;
    let assignments = store::judging::assignments_of(conn, event_id)?;
    let panels: Vec<Panel> = store::judging::aspects_of(conn, event_id)?
        .into_iter()
        .map(|a| Panel {
            judges: assignments.iter().filter(|j| j.aspect_id == a.id).map(|j| j.user_id.clone()).collect(),
            aspect_id: a.id,
            section_index: a.section_index,
        })
        .collect();
    let mut stations: Vec<i32> = competing_stations(conn, event_id)?.into_keys().collect();
    stations.sort_unstable();
    let mut judges: Vec<String> = store::draws::roles_of_event(conn, event_id)?
        .into_iter()
        .filter(|(r, _)| r.role == EventRole::Judge.as_str())
        .map(|(r, _)| r.user_id)
        .collect();
    judges.sort();
    judges.dedup();
    // Panel members may hold the chief judge's role: their recusals count too.
    let mut users: Vec<String> = judges.iter().chain(assignments.iter().map(|a| &a.user_id)).cloned().collect();
    users.sort();
    users.dedup();
    let recused = recusals(conn, event_id, &users)?;
    let mut marked_by: HashMap<(String, i32), Vec<String>> = HashMap::new();
    for m in store::judging::marks_of_event(conn, event_id)? {
        marked_by.entry((m.aspect_id, m.station_number)).or_default().push(m.judge_user_id);
    }
    Ok(plan_covers(&panels, &stations, &judges, &recused, &marked_by))
}

/// A station the judge may not mark answers exactly like one where no one competes, so that
/// refusals cannot be used to find where the judge's own organisation sits.
pub fn no_station(field: &str, station: i32) -> ApiError {
    ApiError::field(field, "unknown_station", format!("no competing contestant at station {station}"))
}

/// Self-service changes that would move which stations a judge stands aside from wait until the
/// person's appointments are over; the organiser makes them.
pub fn require_not_appointed(conn: &mut DbConnection, user_id: &str) -> ApiResult<()> {
    if store::draws::live_appointments_of_user(conn, user_id)? > 0 {
        return Err(profile_frozen());
    }
    Ok(())
}

pub fn profile_frozen() -> ApiError {
    ApiError::conflict(
        "profile_frozen",
        "you are appointed to an event that is not over: your employer and declared relations change only through its organisers",
    )
}

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
    let scheme = store::events::scheme_of(conn, &event.id)?;
    let drop_extremes = scheme.as_ref().is_some_and(|s| s.drop_extremes);
    // Section index = position in the scheme document, as the aspects were coded when it was saved.
    let module_weights: std::collections::HashMap<i32, i32> = scheme
        .map(|s| serde_json::from_str::<Vec<crate::wire::schemes::SchemeSection>>(&s.sections).unwrap_or_default())
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter_map(|(i, section)| section.weight.map(|w| (i as i32, w)))
        .collect();
    let mut ranked = station_scores(
        &aspects,
        &marks,
        &stations,
        (event.theory_weight, event.practical_weight),
        &module_weights,
        drop_extremes,
    );
    ranked.sort_by(|a, b| {
        b.total.partial_cmp(&a.total).unwrap_or(std::cmp::Ordering::Equal).then(a.station.cmp(&b.station))
    });
    Ok(ranked)
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
    judge_person: Option<&str>,
    registration_id: &str,
    relations: &[RelationRow],
) -> ApiResult<bool> {
    let Some(entrants) = entrants(conn, registration_id)? else { return Ok(false) };
    let employer = employer_of(conn, judge_person)?;
    Ok(entrants.conflict_with(relations, employer.as_deref()))
}

/// A cell (aspect × station) as overseers read it: the aspect's code, and who covers it by name.
pub fn cell_out(
    aspects: &HashMap<String, AspectRow>,
    names: &HashMap<String, String>,
    aspect_id: &str,
    station: i32,
    judge: Option<&String>,
) -> crate::wire::judging::CellOut {
    crate::wire::judging::CellOut {
        aspect_code: aspects.get(aspect_id).map(|a| a.code.clone()).unwrap_or_default(),
        station_number: station,
        judge: judge.and_then(|j| names.get(j).cloned()),
    }
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
        stations: None,
    }
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
