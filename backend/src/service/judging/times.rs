//! Finish times (用时): how long each station took over a module, recorded by station number
//! (judging stays blind) for the elapsed_time tie-break.

use chrono::NaiveDateTime;

use super::{aspects_of_judge, competing_stations, coverage, no_station, recused_stations, require_marking_open};
use crate::auth::Actor;
use crate::db::Db;
use crate::domain::role::EventRole;
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::service::load;
use crate::store::judging::FinishTimeRow;
use crate::store::{self, new_id};
use crate::wire::judging::{FinishTimeOut, FinishTimesRequest};
use crate::wire::utc;

/// The longest a module may take: a week.
const MAX_ELAPSED_SECONDS: i32 = 7 * 24 * 3600;

pub fn finish_time_out(row: &FinishTimeRow) -> FinishTimeOut {
    FinishTimeOut {
        section_index: row.section_index,
        station_number: row.station_number,
        elapsed_seconds: row.elapsed_seconds,
        recorded_at: utc(row.recorded_at),
    }
}

/// Records stations' times over a section while marking is open and before the section locks:
/// a scorer or the chief judge at any station, a judge at the stations they mark in it.
pub async fn record_finish_times(
    db: &Db,
    actor: Actor,
    event_id: String,
    section: i32,
    request: FinishTimesRequest,
    now: NaiveDateTime,
) -> ApiResult<Vec<FinishTimeOut>> {
    db.write(move |conn| {
        let (_, _, host_path) = load::event_for_roles(conn, &event_id)?;
        let allowed = [EventRole::Judge, EventRole::ChiefJudge, EventRole::Scorer];
        let roles = load::roles_requiring_at(conn, &actor, &event_id, &host_path, &allowed, "recording finish times")?;
        // Checked once the caller is known to record times here: others learn nothing from the answer.
        if request.times.is_empty() || request.times.len() > 2000 {
            return Err(ApiError::field("times", "out_of_range", "1 to 2,000 stations per request"));
        }
        for (i, t) in request.times.iter().enumerate() {
            if !(1..=MAX_ELAPSED_SECONDS).contains(&t.elapsed_seconds) {
                return Err(ApiError::field(
                    &format!("times[{i}].elapsed_seconds"),
                    "out_of_range",
                    "from 1 second to 7 days",
                ));
            }
        }
        require_marking_open(conn, &event_id)?;
        let in_section = super::section_aspect_ids(conn, &event_id, section)?;
        if in_section.is_empty() {
            return Err(ApiError::field("section", "unknown_section", "the scheme has no aspects in this section"));
        }
        if !super::unlocked_sections(conn, &event_id)?.contains(&section) {
            return Err(ApiError::conflict("section_locked", "the section is confirmed and locked"));
        }
        let stations = competing_stations(conn, &event_id)?;
        // A judge alone records only where they mark: their own aspects at stations they do not
        // stand aside from, or the cells they cover.
        let judge_only = !roles.iter().any(|r| matches!(r, EventRole::ChiefJudge | EventRole::Scorer));
        let (own, recused, covered) = if judge_only {
            let mine = aspects_of_judge(conn, &event_id, &actor.user_id)?;
            let own = in_section.iter().any(|a| mine.contains(a));
            let covered: Vec<i32> = coverage(conn, &event_id)?
                .covers_of(&actor.user_id)
                .filter(|c| in_section.contains(&c.aspect_id))
                .map(|c| c.station)
                .collect();
            (own, recused_stations(conn, &event_id, &actor.user_id)?, covered)
        } else {
            (true, Default::default(), Vec::new())
        };
        if judge_only && !own && covered.is_empty() {
            return Err(ApiError::forbidden("you mark no aspect in this section"));
        }
        let mut saved = Vec::new();
        for (i, t) in request.times.iter().enumerate() {
            let marks_here = stations.contains_key(&t.station_number)
                && !recused.contains(&t.station_number)
                && (own || covered.contains(&t.station_number));
            if !marks_here {
                return Err(no_station(&format!("times[{i}].station_number"), t.station_number));
            }
            let row = FinishTimeRow {
                id: new_id(),
                event_id: event_id.clone(),
                section_index: section,
                station_number: t.station_number,
                elapsed_seconds: t.elapsed_seconds,
                recorded_by: actor.user_id.clone(),
                recorded_at: now,
            };
            store::judging::save_finish_time(conn, &row)?;
            saved.push(row);
        }
        record(
            conn,
            &actor,
            "judging.finish_times",
            ("event", &event_id),
            None,
            Some(serde_json::json!({ "section": section, "stations": saved.iter().map(|r| (r.station_number, r.elapsed_seconds)).collect::<Vec<_>>() })),
        )?;
        Ok(saved.iter().map(finish_time_out).collect())
    })
    .await
}
