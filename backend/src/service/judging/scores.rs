//! Scores and progress as the chief judge and supervisors follow them.

use std::collections::HashMap;

use super::{aspects_by_id, cell_out, competing_stations, coverage, current_scores, recusals};
use crate::auth::Actor;
use crate::db::Db;
use crate::domain::judging::{FlagStatus, MarkStatus, SignoffKind};
use crate::error::ApiResult;
use crate::service::load;
use crate::store;
use crate::store::judging::AspectRow;
use crate::wire::judging::{JudgeProgress, ProgressOut, ScoreRow, ScoresOut};

/// How far each judge and section has come.
pub async fn progress(db: &Db, actor: Actor, event_id: String) -> ApiResult<ProgressOut> {
    db.read(move |conn| {
        let (_, _, _) = load::overseen_event(conn, &actor, &event_id, "marking progress")?;
        let stations = competing_stations(conn, &event_id)?.len();
        let aspects: HashMap<String, AspectRow> = aspects_by_id(conn, &event_id)?;
        let marks = store::judging::marks_of_event(conn, &event_id)?;
        let mut by_key: std::collections::BTreeMap<(String, i32), JudgeProgress> = std::collections::BTreeMap::new();
        let assignments = store::judging::assignments_of(conn, &event_id)?;
        let coverage = coverage(conn, &event_id)?;
        let mut users: Vec<String> =
            assignments.iter().map(|a| &a.user_id).chain(coverage.covers.iter().map(|c| &c.judge)).cloned().collect();
        users.sort();
        users.dedup();
        let recused: HashMap<String, usize> =
            recusals(conn, &event_id, &users)?.into_iter().map(|(user, stations)| (user, stations.len())).collect();
        let names = store::users::usernames(conn, &recused.keys().cloned().collect::<Vec<_>>())?;
        // What each judge may mark: their aspects at the stations they do not stand aside from,
        // and the cells they cover.
        let cells = assignments
            .iter()
            .map(|a| (a.user_id.clone(), a.aspect_id.clone(), None))
            .chain(coverage.covers.iter().map(|c| (c.judge.clone(), c.aspect_id.clone(), Some(c.station))));
        for (user, aspect_id, station) in cells {
            let Some(aspect) = aspects.get(&aspect_id) else { continue };
            let judge = names.get(&user).cloned().unwrap_or_default();
            let entry = by_key.entry((user.clone(), aspect.section_index)).or_insert_with(|| JudgeProgress {
                judge,
                section_index: aspect.section_index,
                expected: 0,
                entered: 0,
                signed: 0,
                locked: 0,
            });
            entry.expected += match station {
                Some(_) => 1,
                None => stations - recused.get(&user).copied().unwrap_or(0),
            };
            for m in marks.iter().filter(|m| {
                m.aspect_id == aspect_id && m.judge_user_id == user && station.is_none_or(|s| s == m.station_number)
            }) {
                entry.entered += 1;
                entry.signed += m.status()?.is_final() as usize;
                entry.locked += m.is(MarkStatus::Locked) as usize;
            }
        }
        let covers = coverage
            .covers
            .iter()
            .map(|c| cell_out(&aspects, &names, &c.aspect_id, c.station, Some(&c.judge)))
            .collect();
        let uncovered = coverage.uncovered.iter().map(|(a, s)| cell_out(&aspects, &names, a, *s, None)).collect();
        let open_flags =
            store::judging::flags_of(conn, &event_id)?.iter().filter(|f| !f.is(FlagStatus::Reconciled)).count();
        let mut sections_locked: Vec<i32> = store::judging::signoffs_of(conn, &event_id)?
            .iter()
            .filter(|s| s.is(SignoffKind::Chief) && s.confirmed_by.is_some())
            .map(|s| s.section_index)
            .collect();
        sections_locked.sort_unstable();
        Ok(ProgressOut {
            event_id,
            stations,
            judges: by_key.into_values().collect(),
            open_flags,
            sections_locked,
            covers,
            uncovered,
        })
    })
    .await
}

/// The stations' scores from the marks as they stand (before decryption, by station only).
pub async fn scores(db: &Db, actor: Actor, event_id: String) -> ApiResult<ScoresOut> {
    db.read(move |conn| {
        let (event, _, _) = load::overseen_event(conn, &actor, &event_id, "the scores")?;
        let decrypted = store::judging::judging_of(conn, &event_id)?.decrypted_at.is_some();
        let stations = competing_stations(conn, &event_id)?;
        let mut rows = Vec::new();
        for s in current_scores(conn, &event)? {
            let (full_name, registration_id) = if decrypted {
                let registration_id = stations.get(&s.station).cloned();
                let name = match &registration_id {
                    Some(rid) => store::registrations::find(conn, rid)?.map(|r| r.entrant_name),
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
    .await
}
