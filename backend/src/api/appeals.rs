//! Appeals (申诉): a contestant (or team member) files within the event's window after the scores
//! are announced; a late appeal is refused at once with the deadline. The arbiter (仲裁) accepts,
//! investigates and upholds or dismisses; the ruling is final. An upheld appeal changes marks only
//! through the two-person re-opening, and results are then computed again.

use actix_web::{get, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{parse_id, record, utc, JsonBody, ProblemResponses};
use crate::auth::policy::can_manage_competition;
use crate::auth::policy::require_arbiter;
use crate::auth::Actor;
use crate::db::DbConnection;
use crate::domain::ranking::{AppealStatus, ResultSetStatus};
use crate::domain::text;
use crate::error::{ApiError, ApiResult};
use crate::service::load;
use crate::store::results::AppealRow;
use crate::store::{self, new_id};
use crate::wire::appeals::{AppealOut, AppealRequest, AppealRuling};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(file_appeal).service(list_appeals).service(accept_appeal).service(rule_appeal);
}

/// The event's appeal deadline: its window after the scores were first announced.
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
    Ok(store::results::first_computed_at(conn, event_id)?
        .map(|announced| appeal_deadline(announced, window, &adjustments, zone)))
}

fn appeal_out(row: AppealRow, deadline: Option<chrono::NaiveDateTime>) -> AppealOut {
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

/// Files an appeal against a registration's scores (its contestant or team members), within the
/// window after the scores were announced.
#[utoipa::path(tag = "results", request_body = AppealRequest, responses((status = 201, body = AppealOut), ProblemResponses), security(("bearer" = [])))]
#[post("/registrations/{id}/appeals")]
pub async fn file_appeal(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<AppealRequest>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let grounds = text::required("grounds", &body.0.grounds, 2000)?;
    let out = state
        .db
        .write(move |conn| {
            let (ctx, relation) = load::registration(conn, &actor, &id)?;
            if !relation.is_party {
                return Err(ApiError::forbidden("an appeal is filed by the contestant (or a team member)"));
            }
            let deadline = appeal_deadline(conn, &ctx.event.id, zone)?.ok_or_else(|| {
                ApiError::conflict("scores_not_announced", "appeals open when the scores are announced")
            })?;
            let at = now;
            if at > deadline {
                return Err(ApiError::conflict(
                    "appeal_window_closed",
                    format!("appeals closed at {}", zone.describe(deadline)),
                )
                .with_extra(serde_json::json!({ "deadline": utc(deadline) })));
            }
            if store::results::latest(conn, &ctx.event.id)?.is_some_and(|s| s.is(ResultSetStatus::Final)) {
                return Err(ApiError::conflict("results_final", "the results are final"));
            }
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
        .await?;
    Ok(HttpResponse::Created().json(out))
}

/// An event's appeals with the deadline (the arbiter and the host's organisers).
#[utoipa::path(tag = "results", responses((status = 200, body = [AppealOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/appeals")]
pub async fn list_appeals(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let event_id = parse_id("id", &id)?;
    let out = state
        .db
        .read(move |conn| {
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
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The arbiter accepts an appeal for investigation.
#[utoipa::path(tag = "results", responses((status = 200, body = AppealOut), ProblemResponses), security(("bearer" = [])))]
#[post("/appeals/{id}/accept")]
pub async fn accept_appeal(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let id = parse_id("id", &id)?;
    let out = state
        .db
        .write(move |conn| {
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
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The arbiter upholds or dismisses an accepted appeal; the ruling is final.
#[utoipa::path(tag = "results", request_body = AppealRuling, responses((status = 200, body = AppealOut), ProblemResponses), security(("bearer" = [])))]
#[post("/appeals/{id}/ruling")]
pub async fn rule_appeal(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<AppealRuling>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let request = body.0;
    let ruling = text::required("ruling", &request.ruling, 2000)?;
    let out = state
        .db
        .write(move |conn| {
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
        .await?;
    Ok(HttpResponse::Ok().json(out))
}
