//! Appeals (申诉): filed by a contestant within the window, accepted and ruled by the event's arbiter.

use chrono::NaiveDateTime;

use crate::auth::policy::can_manage_competition;
use crate::auth::policy::require_arbiter;
use crate::auth::Actor;
use crate::db::Db;
use crate::db::DbConnection;
use crate::domain::ranking::{may_appeal, AppealRefusal, AppealStatus, ResultSetStatus};
use crate::domain::time::Zone;
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::service::load;
use crate::store::results::AppealRow;
use crate::store::{self, new_id};
use crate::wire::appeals::{AppealOut, AppealRuling};
use crate::wire::utc;

/// The event's appeal deadline: its window after the scores were first published (announced to
/// the contestants); None before.
pub fn appeal_deadline(
    conn: &mut DbConnection,
    event_id: &str,
    zone: crate::domain::time::Zone,
) -> ApiResult<Option<chrono::NaiveDateTime>> {
    use crate::domain::ranking::{appeal_deadline, AppealWindow};
    let Some((event, _, _)) = store::events::find(conn, event_id)? else { return Ok(None) };
    let window = match event.appeal_window_working_days {
        Some(days) => AppealWindow::WorkingDays(days),
        None => AppealWindow::Minutes(event.appeal_window_minutes as i64),
    };
    let adjustments = store::calendar::adjustments(conn)?;
    Ok(store::results::first_published_at(conn, event_id)?
        .map(|announced| appeal_deadline(announced, window, &adjustments, zone)))
}

pub fn appeal_out(row: AppealRow, deadline: Option<chrono::NaiveDateTime>) -> AppealOut {
    AppealOut {
        id: row.id,
        registration_id: row.registration_id,
        event_id: row.event_id,
        grounds: row.grounds,
        status: row.status,
        ruling: row.ruling,
        filed_at: utc(row.filed_at),
        decided_at: row.decided_at.map(utc),
        deadline: deadline.map(utc),
    }
}

pub async fn file_appeal(
    db: &Db,
    actor: Actor,
    zone: Zone,
    now: NaiveDateTime,
    id: String,
    grounds: String,
) -> ApiResult<AppealOut> {
    db.write(move |conn| {
        let (ctx, relation) = load::registration(conn, &actor, &id)?;
        if !relation.is_party {
            return Err(ApiError::forbidden("an appeal is filed by the contestant (or a team member)"));
        }
        let results_final = store::results::latest(conn, &ctx.event.id)?.is_some_and(|s| s.is(ResultSetStatus::Final));
        let deadline = may_appeal(appeal_deadline(conn, &ctx.event.id, zone)?, results_final, now).map_err(
            |refusal| match refusal {
                AppealRefusal::NotAnnounced => ApiError::conflict(
                    "scores_not_announced",
                    "appeals open when the scores are published to the contestants",
                ),
                AppealRefusal::ResultsFinal => ApiError::conflict("results_final", "the results are final"),
                AppealRefusal::WindowClosed(deadline) => {
                    ApiError::conflict("appeal_window_closed", format!("appeals closed at {}", zone.describe(deadline)))
                        .with_extra(serde_json::json!({ "deadline": utc(deadline) }))
                }
            },
        )?;
        let at = now;
        let row = AppealRow {
            id: new_id(),
            registration_id: id.clone(),
            event_id: ctx.event.id.clone(),
            filed_by: actor.user_id.clone(),
            grounds,
            status: AppealStatus::Filed.as_str().into(),
            ruling: None,
            arbiter_user_id: None,
            filed_at: at,
            decided_at: None,
        };
        store::results::insert_appeal(conn, &row)?;
        record(
            conn,
            &actor,
            "appeal.file",
            ("registration", &id),
            None,
            Some(serde_json::json!({ "appeal_id": row.id })),
        )?;
        Ok(appeal_out(row, Some(deadline)))
    })
    .await
}

pub async fn list_appeals(db: &Db, actor: Actor, zone: Zone, event_id: String) -> ApiResult<Vec<AppealOut>> {
    db.read(move |conn| {
        let (event, _, _) = store::events::find(conn, &event_id)?.ok_or_else(|| ApiError::not_found("event"))?;
        let (_, host_path, _) =
            store::competitions::find(conn, &event.competition_id)?.ok_or_else(|| ApiError::not_found("event"))?;
        if !can_manage_competition(&actor, &host_path) {
            require_arbiter(&load::event_roles(conn, &actor, &event_id)?)?;
        }
        let deadline = appeal_deadline(conn, &event_id, zone)?;
        Ok(store::results::appeals_of_event(conn, &event_id)?
            .into_iter()
            .map(|a| appeal_out(a, deadline))
            .collect::<Vec<_>>())
    })
    .await
}

pub async fn accept_appeal(db: &Db, actor: Actor, zone: Zone, id: String) -> ApiResult<AppealOut> {
    db.write(move |conn| {
        let mut appeal = store::results::find_appeal(conn, &id)?.ok_or_else(|| ApiError::not_found("appeal"))?;
        require_arbiter(&load::event_roles(conn, &actor, &appeal.event_id)?)?;
        appeal.status = AppealStatus::Accepted.as_str().into();
        appeal.arbiter_user_id = Some(actor.user_id.clone());
        if !store::results::advance_appeal(conn, &appeal, AppealStatus::Filed)? {
            return Err(ApiError::conflict("not_filed", "only a filed appeal is accepted"));
        }
        record(
            conn,
            &actor,
            "appeal.accept",
            ("registration", &appeal.registration_id),
            None,
            Some(serde_json::json!({ "appeal_id": appeal.id })),
        )?;
        let deadline = appeal_deadline(conn, &appeal.event_id, zone)?;
        Ok(appeal_out(appeal, deadline))
    })
    .await
}

pub async fn rule_appeal(
    db: &Db,
    actor: Actor,
    zone: Zone,
    now: NaiveDateTime,
    id: String,
    request: AppealRuling,
    ruling: String,
) -> ApiResult<AppealOut> {
    db.write(move |conn| {
        let mut appeal = store::results::find_appeal(conn, &id)?.ok_or_else(|| ApiError::not_found("appeal"))?;
        require_arbiter(&load::event_roles(conn, &actor, &appeal.event_id)?)?;
        appeal.status = if request.uphold { AppealStatus::Upheld } else { AppealStatus::Dismissed }.as_str().into();
        appeal.ruling = Some(ruling);
        appeal.arbiter_user_id = Some(actor.user_id.clone());
        appeal.decided_at = Some(now);
        if !store::results::advance_appeal(conn, &appeal, AppealStatus::Accepted)? {
            return Err(ApiError::conflict("not_accepted", "an appeal is ruled once accepted, and only once"));
        }
        record(
            conn,
            &actor,
            "appeal.rule",
            ("registration", &appeal.registration_id),
            None,
            Some(serde_json::json!({ "appeal_id": appeal.id, "status": appeal.status, "ruling": appeal.ruling })),
        )?;
        let deadline = appeal_deadline(conn, &appeal.event_id, zone)?;
        Ok(appeal_out(appeal, deadline))
    })
    .await
}
