//! Sign-off: each judge signs their sheet, the chief judge the section, a second person confirms and the marks lock.

use std::collections::HashSet;

use chrono::NaiveDateTime;

use super::{
    aspects_of_judge, competing_stations, coverage, recused_stations, require_marking_open, section_aspect_ids,
    unresolved_flags_in,
};
use crate::auth::Actor;
use crate::db::Db;
use crate::domain::judging::{MarkStatus, SignoffKind};
use crate::domain::role::EventRole;
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::service::load;
use crate::store;
use crate::store::judging::{MarkRow, SignoffRow};
use crate::store::new_id;
use crate::wire::judging::SignoffOut;
use crate::wire::utc;

/// A judge signs their sheet of a section: complete, no flag open.
pub async fn sign_sheet(
    db: &Db,
    actor: Actor,
    event_id: String,
    section: i32,
    now: NaiveDateTime,
) -> ApiResult<SignoffOut> {
    db.write(move |conn| {
        let (_, _, host_path) = load::event_for_roles(conn, &event_id)?;
        let judges = [EventRole::Judge, EventRole::ChiefJudge];
        load::roles_requiring_at(conn, &actor, &event_id, &host_path, &judges, "signing a sheet")?;
        require_marking_open(conn, &event_id)?;
        let mine = aspects_of_judge(conn, &event_id, &actor.user_id)?;
        let in_section: HashSet<String> = section_aspect_ids(conn, &event_id, section)?;
        let own: HashSet<String> = in_section.iter().filter(|a| mine.contains(*a)).cloned().collect();
        let coverage = coverage(conn, &event_id)?;
        let covers: HashSet<(String, i32)> = coverage
            .covers_of(&actor.user_id)
            .filter(|c| in_section.contains(&c.aspect_id))
            .map(|c| (c.aspect_id.clone(), c.station))
            .collect();
        if own.is_empty() && covers.is_empty() {
            return Err(ApiError::conflict("nothing_to_sign", "you mark no aspect in this section"));
        }
        let section_aspects: HashSet<String> = own.iter().cloned().chain(covers.iter().map(|c| c.0.clone())).collect();
        let stations = competing_stations(conn, &event_id)?.len();
        let marks: Vec<MarkRow> = store::judging::marks_of_judge(conn, &event_id, &actor.user_id)?
            .into_iter()
            .filter(|m| own.contains(&m.aspect_id) || covers.contains(&(m.aspect_id.clone(), m.station_number)))
            .collect();
        // Stations the judge must stand aside from (回避) are not expected of them; the cells
        // they cover for another panel are.
        let recused = recused_stations(conn, &event_id, &actor.user_id)?.len();
        let expected = (stations - recused) * own.len() + covers.len();
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
        let row = signature(&event_id, section, SignoffKind::Judge, &actor, at);
        store::judging::insert_signoff(conn, &row)
            .map_err(|e| e.duplicate_means(|| ApiError::conflict("already_signed", "you have signed this section")))?;
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
        Ok(signoff_out(section, SignoffKind::Judge, at, false))
    })
    .await
}

/// The chief judge signs a section once every judge has.
pub async fn chief_sign(
    db: &Db,
    actor: Actor,
    event_id: String,
    section: i32,
    now: NaiveDateTime,
) -> ApiResult<SignoffOut> {
    db.write(move |conn| {
        load::roles_requiring(conn, &actor, &event_id, &[EventRole::ChiefJudge], "signing a section")?;
        let aspects: HashSet<String> = section_aspect_ids(conn, &event_id, section)?;
        if aspects.is_empty() {
            return Err(ApiError::conflict("nothing_to_sign", "the section has no aspects"));
        }
        let coverage = coverage(conn, &event_id)?;
        let assignments = store::judging::assignments_of(conn, &event_id)?;
        let codes = crate::service::judging::aspects_by_id(conn, &event_id)?;
        let code = |id: &str| codes.get(id).map(|a| a.code.clone()).unwrap_or_default();
        let mut unassigned: Vec<String> =
            aspects.iter().filter(|a| !assignments.iter().any(|j| &j.aspect_id == *a)).map(|a| code(a)).collect();
        unassigned.sort();
        if !unassigned.is_empty() {
            return Err(ApiError::conflict(
                "aspects_unassigned",
                format!("no judge is assigned aspects {}", unassigned.join(", ")),
            ));
        }
        let mut uncovered: Vec<String> = coverage
            .uncovered
            .iter()
            .filter(|(a, _)| aspects.contains(a))
            .map(|(a, station)| format!("{} at station {station}", code(a)))
            .collect();
        uncovered.sort();
        if !uncovered.is_empty() {
            return Err(ApiError::conflict(
                "stations_unmarked",
                format!(
                    "no judge may mark {}: every judge of the panel stands aside (回避); appoint another judge",
                    uncovered.join(", ")
                ),
            ));
        }
        let judges: HashSet<String> = assignments
            .into_iter()
            .filter(|a| aspects.contains(&a.aspect_id))
            .map(|a| a.user_id)
            .chain(coverage.covers.iter().filter(|c| aspects.contains(&c.aspect_id)).map(|c| c.judge.clone()))
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
        let row = signature(&event_id, section, SignoffKind::Chief, &actor, at);
        store::judging::insert_signoff(conn, &row)?;
        record(
            conn,
            &actor,
            "judging.chief_sign",
            ("event", &event_id),
            None,
            Some(serde_json::json!({ "section": section })),
        )?;
        Ok(signoff_out(section, SignoffKind::Chief, at, false))
    })
    .await
}

/// A second person (supervisor or scorer) confirms the chief judge's signature; the marks lock.
pub async fn confirm(
    db: &Db,
    actor: Actor,
    event_id: String,
    section: i32,
    now: NaiveDateTime,
    zone: crate::domain::time::Zone,
) -> ApiResult<SignoffOut> {
    db.write(move |conn| {
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
        crate::service::stages::follow_event(conn, &actor, &event_id, now, zone)?;
        Ok(signoff_out(section, SignoffKind::Chief, chief.signed_at, true))
    })
    .await
}

/// A signature of `kind` by the caller on a section, not yet confirmed.
fn signature(event_id: &str, section: i32, kind: SignoffKind, actor: &Actor, at: NaiveDateTime) -> SignoffRow {
    SignoffRow {
        id: new_id(),
        event_id: event_id.to_string(),
        section_index: section,
        kind: kind.as_str().into(),
        signed_by: actor.user_id.clone(),
        signed_at: at,
        confirmed_by: None,
        confirmed_at: None,
    }
}

fn signoff_out(section: i32, kind: SignoffKind, signed_at: NaiveDateTime, confirmed: bool) -> SignoffOut {
    SignoffOut { section_index: section, kind: kind.as_str().into(), signed_at: utc(signed_at), confirmed }
}
