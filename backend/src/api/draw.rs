//! The event's officials (裁判组), the draw (抽签) and its sealed two-layer mapping, admission
//! tickets (准考证), check-in (检录) and no-shows.

use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{parse_id, record, utc, JsonBody, ProblemResponses};
use crate::auth::policy::can_manage_competition;
use crate::auth::{random_token, Actor};
use crate::db::DbConnection;
use crate::domain::competition::Status;
use crate::domain::draw::{draw, ALGORITHM};
use crate::domain::id_card::mask_id_number;
use crate::domain::registration::RegistrationStatus;
use crate::domain::role::EventRole;
use crate::error::{ApiError, ApiResult};
use crate::service::load;
use crate::service::registrations::save_status;
use crate::store::draws::{AssignmentRow, DrawRow, EventRoleRow};
use crate::store::{self, new_id};
use crate::wire::draw::{
    Appointment, CheckInOut, CheckInRequest, DrawEntry, DrawMapping, DrawSummary, EventRoleOut, NoShowOut, Ticket,
    TicketSession,
};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_event_roles)
        .service(appoint)
        .service(remove_appointment)
        .service(perform_draw)
        .service(read_draw)
        .service(ticket)
        .service(ticket_page)
        .service(check_in)
        .service(mark_no_shows);
}

/// The event's officials (its competition's organisers, and the officials themselves).
#[utoipa::path(tag = "registration", responses((status = 200, body = [EventRoleOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/roles")]
pub async fn list_event_roles(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let out = state
        .db
        .read(move |conn| {
            let event = load::event_row(conn, &id)?;
            let roles = store::draws::roles_of_event(conn, &id)?;
            let (_, host_path, _) =
                store::competitions::find(conn, &event.competition_id)?.ok_or_else(|| ApiError::not_found("event"))?;
            if !can_manage_competition(&actor, &host_path) && !roles.iter().any(|(r, _)| r.user_id == actor.user_id) {
                return Err(ApiError::not_found("event"));
            }
            Ok(roles
                .into_iter()
                .map(|(r, username)| EventRoleOut {
                    id: r.id,
                    user_id: r.user_id,
                    username,
                    role: EventRole::parse(&r.role).unwrap_or(EventRole::Judge),
                    created_at: utc(r.created_at),
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Appoints a qualified person to a role on the event (the host's organisers).
#[utoipa::path(tag = "registration", request_body = Appointment, responses((status = 201, body = EventRoleOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/roles")]
pub async fn appoint(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<Appointment>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let input = body.0;
    let user_id = parse_id("user_id", &input.user_id)?;
    let out = state
        .db
        .write(move |conn| {
            let event = load::event_row(conn, &event_id)?;
            load::managed_competition(conn, &actor, &event.competition_id)?;
            let user = store::users::find(conn, &user_id)?
                .filter(|u| u.is_active)
                .ok_or_else(|| ApiError::field("user_id", "unknown_user", "no active account has this id"))?;
            let grants = store::users::grants_of(conn, &user.id)?;
            let qualified =
                grants.iter().any(|(g, _, _)| input.role.qualifying_roles().iter().any(|r| r.as_str() == g.role));
            if !qualified {
                return Err(ApiError::field(
                    "user_id",
                    "not_qualified",
                    format!(
                        "a {} must hold a judge grant{}",
                        input.role,
                        if input.role == EventRole::Supervisor { " or an official grant" } else { "" }
                    ),
                ));
            }
            let row = EventRoleRow {
                id: new_id(),
                event_id: event_id.clone(),
                user_id: user.id.clone(),
                role: input.role.as_str().into(),
                created_at: now,
            };
            store::draws::insert_role(conn, &row).map_err(|e| {
                if e.is_duplicate() {
                    ApiError::conflict("already_appointed", "already appointed to this role")
                } else {
                    e.into()
                }
            })?;
            record(
                conn,
                &actor,
                "event.appoint",
                ("event", &event_id),
                None,
                Some(serde_json::json!({ "user_id": user.id, "role": input.role })),
            )?;
            Ok(EventRoleOut {
                id: row.id,
                user_id: user.id,
                username: user.username,
                role: input.role,
                created_at: utc(row.created_at),
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(out))
}

/// Ends an appointment.
#[utoipa::path(tag = "registration", responses((status = 204), ProblemResponses), security(("bearer" = [])))]
#[delete("/events/{id}/roles/{role_id}")]
pub async fn remove_appointment(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (event_id, role_id) = path.into_inner();
    let event_id = parse_id("id", &event_id)?;
    let role_id = parse_id("role_id", &role_id)?;
    state
        .db
        .write(move |conn| {
            let event = load::event_row(conn, &event_id)?;
            load::managed_competition(conn, &actor, &event.competition_id)?;
            let (role, _) = store::draws::roles_of_event(conn, &event_id)?
                .into_iter()
                .find(|(r, _)| r.id == role_id)
                .ok_or_else(|| ApiError::not_found("appointment"))?;
            store::draws::delete_role(conn, &role.id)?;
            record(
                conn,
                &actor,
                "event.unappoint",
                ("event", &event_id),
                Some(serde_json::json!({ "user_id": role.user_id, "role": role.role })),
                None,
            )
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Performs the event's draw (the encryption judge, once the roster is final): a random seed
/// gives every admitted contestant a draw number and every draw number a station. The answer says
/// only that it happened; the mapping stays sealed.
#[utoipa::path(tag = "registration", responses((status = 201, body = DrawSummary), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/draw")]
pub async fn perform_draw(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let out = state
        .db
        .write(move |conn| {
            let event = load::event_row(conn, &event_id)?;
            if !load::event_roles(conn, &actor, &event_id)?.contains(&EventRole::EncryptionJudge) {
                return Err(ApiError::forbidden("only the event's encryption judge (加密裁判) performs the draw"));
            }
            let (competition, _, _) =
                store::competitions::find(conn, &event.competition_id)?.ok_or_else(|| ApiError::not_found("event"))?;
            if competition.status()? != Status::RosterFinal {
                return Err(ApiError::conflict("roster_not_final", "the draw takes place once the roster is final"));
            }
            if store::draws::draw_of(conn, &event_id)?.is_some() {
                return Err(ApiError::conflict("already_drawn", "this event's draw has already taken place"));
            }
            let contestants: Vec<String> = store::registrations::of_event(conn, &event_id)?
                .into_iter()
                .filter(|r| r.status == RegistrationStatus::Admitted.as_str())
                .map(|r| r.id)
                .collect();
            if contestants.is_empty() {
                return Err(ApiError::conflict("nobody_to_draw", "the event has no admitted contestants"));
            }
            let seed = random_token(32);
            let at = now;
            let assignments: Vec<AssignmentRow> = draw(seed.as_bytes(), &contestants)
                .into_iter()
                .map(|(id, draw_number, station_number)| AssignmentRow {
                    registration_id: id.to_string(),
                    event_id: event_id.clone(),
                    draw_number,
                    station_number,
                })
                .collect();
            let row = DrawRow {
                id: new_id(),
                event_id: event_id.clone(),
                seed,
                algorithm: ALGORITHM.into(),
                performed_by: actor.user_id.clone(),
                performed_at: at,
            };
            store::draws::insert_draw(conn, &row, &assignments)?;
            // The trail records that the draw happened, never its numbers.
            record(
                conn,
                &actor,
                "event.draw",
                ("event", &event_id),
                None,
                Some(serde_json::json!({ "contestants": assignments.len(), "algorithm": ALGORITHM })),
            )?;
            Ok(DrawSummary {
                event_id,
                contestants: assignments.len(),
                algorithm: ALGORITHM.into(),
                performed_at: utc(at),
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(out))
}

/// The draw's mapping: for the event's encryption judge only, until the competition is decrypted;
/// then for its organisers too. Nobody else, organisers and judges included, can read it before.
#[utoipa::path(tag = "registration", responses((status = 200, body = DrawMapping), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/draw")]
pub async fn read_draw(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let out = state
        .db
        .read(move |conn| {
            let event = load::event_row(conn, &event_id)?;
            let (competition, host_path, _) =
                store::competitions::find(conn, &event.competition_id)?.ok_or_else(|| ApiError::not_found("event"))?;
            let encryption_judge = load::event_roles(conn, &actor, &event_id)?.contains(&EventRole::EncryptionJudge);
            let decrypted_for_organisers =
                competition.status()?.is_decrypted() && can_manage_competition(&actor, &host_path);
            if !encryption_judge && !decrypted_for_organisers {
                return Err(ApiError::new(
                    actix_web::http::StatusCode::FORBIDDEN,
                    "draw_sealed",
                    "the draw mapping is sealed: only the encryption judge reads it before decryption",
                ));
            }
            let draw_row = store::draws::draw_of(conn, &event_id)?.ok_or_else(|| ApiError::not_found("draw"))?;
            let mut entries = Vec::new();
            for a in store::draws::assignments_of(conn, &event_id)? {
                let registration = store::registrations::find(conn, &a.registration_id)?
                    .ok_or_else(|| ApiError::internal("draw without registration"))?;
                let name =
                    store::persons::find(conn, &registration.person_id)?.map(|(p, _)| p.full_name).unwrap_or_default();
                entries.push(DrawEntry {
                    registration_id: a.registration_id,
                    full_name: name,
                    ticket_number: registration.ticket_number,
                    draw_number: a.draw_number,
                    station_number: a.station_number,
                });
            }
            Ok(DrawMapping {
                event_id,
                seed: draw_row.seed,
                algorithm: draw_row.algorithm,
                performed_at: utc(draw_row.performed_at),
                entries,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(out))
}

fn load_ticket(conn: &mut DbConnection, actor: &Actor, id: &str) -> ApiResult<Ticket> {
    let (ctx, _) = load::registration(conn, actor, id)?;
    let number = ctx.registration.ticket_number.clone().ok_or_else(|| {
        ApiError::conflict("no_ticket_yet", "the admission ticket is issued when the roster is final")
    })?;
    let sessions = store::events::sessions_of(conn, &ctx.event.id)?
        .into_iter()
        .map(|s| TicketSession {
            kind: s.kind,
            name: s.name,
            venue: s.venue,
            starts_at: utc(s.starts_at),
            ends_at: utc(s.ends_at),
        })
        .collect();
    Ok(Ticket {
        ticket_number: number,
        full_name: ctx.person.full_name.clone(),
        gender: ctx.person.gender.clone(),
        id_number: mask_id_number(&ctx.person.id_number),
        photo_url: None,
        competition_name: ctx.competition.name.clone(),
        event_name: ctx.event.name.clone(),
        nominating_org_name: ctx.unit.name.clone(),
        sessions,
        instructions: vec![
            "凭准考证和居民身份证参加检录，开考前30分钟到达赛场。Bring this ticket and your ID card; arrive 30 minutes before each sitting.".into(),
            "迟到15分钟不得入场。Latecomers of more than 15 minutes are not admitted.".into(),
        ],
    })
}

/// The admission ticket (准考证) as data.
#[utoipa::path(tag = "registration", responses((status = 200, body = Ticket), ProblemResponses), security(("bearer" = [])))]
#[get("/registrations/{id}/ticket")]
pub async fn ticket(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let out = state.db.read(move |conn| load_ticket(conn, &actor, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The admission ticket as a printable A4 page.
#[utoipa::path(tag = "registration", responses((status = 200, content_type = "text/html", body = String), ProblemResponses), security(("bearer" = [])))]
#[get("/registrations/{id}/ticket.html")]
pub async fn ticket_page(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let t = state.db.read(move |conn| load_ticket(conn, &actor, &id)).await?;
    let zone = state.zone;
    let local = |at: DateTime<Utc>| zone.wall_clock(at.naive_utc());
    let sessions: String = t
        .sessions
        .iter()
        .map(|s| {
            format!(
                "<tr><td>{}</td><td>{} – {}</td><td>{}</td></tr>",
                escape(&s.name),
                local(s.starts_at),
                local(s.ends_at),
                escape(&s.venue)
            )
        })
        .collect();
    let instructions: String = t.instructions.iter().map(|i| format!("<li>{}</li>", escape(i))).collect();
    let html = format!(
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>准考证 {number}</title>
<style>
@page {{ size: A4; margin: 18mm; }}
body {{ font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; color: #111; }}
h1 {{ text-align: center; font-size: 22pt; margin: 0 0 4mm; }}
h2 {{ text-align: center; font-size: 13pt; font-weight: normal; margin: 0 0 8mm; }}
.head {{ display: flex; gap: 8mm; }}
.fields {{ flex: 1; border-collapse: collapse; }}
.fields th {{ text-align: left; width: 28mm; padding: 2mm; background: #f2f2f2; }}
.fields td, .fields th {{ border: 1px solid #999; padding: 2mm; }}
.photo {{ width: 30mm; height: 40mm; border: 1px dashed #666; display: flex; align-items: center; justify-content: center; color: #666; }}
table.sessions {{ width: 100%; border-collapse: collapse; margin-top: 8mm; }}
table.sessions td, table.sessions th {{ border: 1px solid #999; padding: 2mm; }}
.number {{ font-size: 16pt; letter-spacing: 1mm; font-weight: bold; }}
</style></head><body>
<h1>准考证</h1><h2>{competition}</h2>
<div class="head"><table class="fields">
<tr><th>准考证号</th><td class="number">{number}</td></tr>
<tr><th>姓名</th><td>{name}</td></tr>
<tr><th>性别</th><td>{gender}</td></tr>
<tr><th>身份证号</th><td>{id_number}</td></tr>
<tr><th>赛项</th><td>{event}</td></tr>
<tr><th>推荐单位</th><td>{unit}</td></tr>
</table><div class="photo">照片<br>Photo</div></div>
<table class="sessions"><tr><th>场次 Sitting</th><th>时间 (北京时间)</th><th>地点 Venue</th></tr>{sessions}</table>
<h3>考生须知</h3><ol>{instructions}</ol>
</body></html>"#,
        number = escape(&t.ticket_number),
        competition = escape(&t.competition_name),
        name = escape(&t.full_name),
        gender = if t.gender == "female" { "女" } else { "男" },
        id_number = escape(&t.id_number),
        event = escape(&t.event_name),
        unit = escape(&t.nominating_org_name),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(html))
}

/// Checks a contestant in (检录) by ticket number, confirmed against the ID card presented. A
/// repeated scan answers the same and changes nothing.
#[utoipa::path(tag = "registration", request_body = CheckInRequest, responses((status = 200, body = CheckInOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/check-in")]
pub async fn check_in(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<CheckInRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let input = body.0;
    let ticket_no = input.ticket_number.trim().to_string();
    if ticket_no.is_empty() || ticket_no.len() > 30 {
        return Err(ApiError::field("ticket_number", "invalid_ticket", "scan or type the ticket number"));
    }
    let out = state
        .db
        .write(move |conn| {
            let event = load::event_row(conn, &event_id)?;
            let (competition, _, _) = load::managed_competition(conn, &actor, &event.competition_id)?;
            if !matches!(competition.status()?, Status::Drawn | Status::Running) {
                return Err(ApiError::conflict(
                    "check_in_closed",
                    "check-in is open once the draw is done, while the competition runs",
                ));
            }
            let registration = store::registrations::find_by_ticket(conn, &event_id, &ticket_no)?
                .ok_or_else(|| ApiError::not_found("ticket"))?;
            let (person, _) = store::persons::find(conn, &registration.person_id)?
                .ok_or_else(|| ApiError::internal("registration without person"))?;
            if person.id_number != input.id_number.trim().to_uppercase() {
                return Err(ApiError::field(
                    "id_number",
                    "id_mismatch",
                    "the ID card presented does not belong to this ticket's holder",
                ));
            }
            let status = RegistrationStatus::parse(&registration.status).unwrap_or(RegistrationStatus::Admitted);
            let repeated = status == RegistrationStatus::CheckedIn;
            let row = match status {
                RegistrationStatus::CheckedIn => registration,
                RegistrationStatus::Admitted => {
                    let mut r = registration;
                    r.checked_in_at = Some(now);
                    save_status(conn, Some(&actor), r, RegistrationStatus::CheckedIn, "check_in", None, now)?
                }
                other => {
                    return Err(ApiError::conflict("not_admitted", format!("this ticket's registration is {other}")))
                }
            };
            Ok(CheckInOut {
                registration_id: row.id,
                ticket_number: ticket_no,
                full_name: person.full_name,
                status: RegistrationStatus::CheckedIn,
                checked_in_at: row.checked_in_at.map(utc),
                repeated,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Marks the admitted contestants who did not check in as no-shows, once the event's first sitting
/// has started.
#[utoipa::path(tag = "registration", responses((status = 200, body = NoShowOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/no-shows")]
pub async fn mark_no_shows(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let out = state
        .db
        .write(move |conn| {
            let event = load::event_row(conn, &event_id)?;
            let (competition, _, _) = load::managed_competition(conn, &actor, &event.competition_id)?;
            if !matches!(competition.status()?, Status::Drawn | Status::Running) {
                return Err(ApiError::conflict("check_in_closed", "no-shows are marked on the competition day"));
            }
            let first = store::events::sessions_of(conn, &event_id)?.into_iter().map(|s| s.starts_at).min();
            match first {
                Some(start) if now >= start => {}
                Some(start) => {
                    return Err(ApiError::conflict(
                        "session_not_started",
                        format!("the first sitting starts at {}", zone.describe(start)),
                    ))
                }
                None => return Err(ApiError::conflict("no_sessions", "the event has no scheduled sitting")),
            }
            let mut marked = 0;
            for r in store::registrations::of_event(conn, &event_id)?
                .into_iter()
                .filter(|r| r.status == RegistrationStatus::Admitted.as_str())
            {
                save_status(
                    conn,
                    Some(&actor),
                    r,
                    RegistrationStatus::NoShow,
                    "no_show",
                    Some("did not check in before the first sitting".into()),
                    now,
                )?;
                marked += 1;
            }
            Ok(NoShowOut { marked })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}
