//! Judging steps that other areas compose: the aspects of an event, the stations competing, the
//! sections still open, and the scores from the marks as they stand.

use std::collections::{HashMap, HashSet};

use crate::db::DbConnection;
use crate::domain::judging::SignoffKind;
use crate::domain::scoring::AspectKind;
use crate::error::ApiResult;
use crate::store;
use crate::store::events::EventRow;
use crate::store::judging::AspectRow;

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
