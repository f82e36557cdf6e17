//! Spread flags: judges of a judgement aspect too far apart, resolved by the chief judge.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::{aspects_by_id, flag_out, load_flag_as_chief};
use crate::auth::Actor;
use crate::db::Db;
use crate::domain::judging::{FlagStatus, MarkStatus};
use crate::domain::role::EventRole;
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::service::load;
use crate::store;
use crate::store::judging::AspectRow;
use crate::wire::judging::FlagOut;

/// An event's spread flags (the chief judge and supervisors).
pub async fn list(db: &Db, actor: Actor, event_id: String) -> ApiResult<Vec<FlagOut>> {
    db.read(move |conn| {
        load::roles_requiring(
            conn,
            &actor,
            &event_id,
            &[EventRole::ChiefJudge, EventRole::Supervisor],
            "the spread flags",
        )?;
        let aspects: HashMap<String, AspectRow> = aspects_by_id(conn, &event_id)?;
        store::judging::flags_of(conn, &event_id)?
            .into_iter()
            .map(|f| flag_out(conn, f, &aspects))
            .collect::<ApiResult<Vec<_>>>()
    })
    .await
}

/// The chief judge asks the judges of a flagged aspect to mark it again.
pub async fn request_rescore(db: &Db, actor: Actor, id: String, now: NaiveDateTime) -> ApiResult<FlagOut> {
    db.write(move |conn| {
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
        let aspects: HashMap<String, AspectRow> = aspects_by_id(conn, &flag.event_id)?;
        flag_out(conn, flag, &aspects)
    })
    .await
}

/// The chief judge accepts the marks of a flagged aspect as they stand, with a note.
pub async fn reconcile(db: &Db, actor: Actor, id: String, note: String, now: NaiveDateTime) -> ApiResult<FlagOut> {
    db.write(move |conn| {
        let mut flag = load_flag_as_chief(conn, &actor, &id)?;
        if flag.is(FlagStatus::Reconciled) {
            return Err(ApiError::conflict("flag_resolved", "this flag has already been reconciled"));
        }
        let marks = store::judging::marks_at(conn, &flag.aspect_id, flag.station_number)?;
        let reopened: Vec<String> = marks.iter().filter(|m| m.is(MarkStatus::Flagged)).map(|m| m.id.clone()).collect();
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
        let aspects: HashMap<String, AspectRow> = aspects_by_id(conn, &flag.event_id)?;
        flag_out(conn, flag, &aspects)
    })
    .await
}
