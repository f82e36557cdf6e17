//! The draw (抽签) and what follows the final roster: tickets (准考证号) for the admitted.

use super::audit::record;
use crate::auth::actor::load_actor;
use crate::auth::policy::can_manage_competition;
use crate::auth::random_token;
use crate::auth::Actor;
use crate::db::Db;
use crate::db::DbConnection;
use crate::domain::competition::Status;
use crate::domain::draw::ticket_number;
use crate::domain::draw::{draw_seats, ALGORITHM};
use crate::domain::id_card::mask_id_number;
use crate::domain::ranking::TeamScoring;
use crate::domain::registration::RegistrationStatus;
use crate::domain::role::EventRole;
use crate::domain::time::Zone;
use crate::error::{ApiError, ApiResult};
use crate::service::load;
use crate::service::print;
use crate::service::registrations::save_status;
use crate::store;
use crate::store::draws::MemberStationRow;
use crate::store::draws::{AssignmentRow, DrawRow, EventRoleRow};
use crate::store::events::EventRow;
use crate::store::new_id;
use crate::wire::draw::{
    Appointment, DrawEntry, DrawMapping, DrawSummary, EventRoleOut, NoShowOut, Ticket, TicketSession,
};
use crate::wire::draw::{CheckInOut, CheckInRequest, MemberStation};
use crate::wire::utc;
use chrono::NaiveDateTime;
use std::collections::HashMap;

/// Gives every admitted contestant of a competition a 准考证号 (when its roster becomes final).
pub fn issue_tickets(
    conn: &mut DbConnection,
    actor: &Actor,
    competition_id: &str,
    year: i32,
    now: chrono::NaiveDateTime,
) -> ApiResult<usize> {
    let mut issued = 0;
    let series = store::competitions::ticket_series(conn, competition_id, year)?;
    for (ordinal, (event, _, _)) in store::events::of_competition(conn, competition_id)?.into_iter().enumerate() {
        let admitted: Vec<_> = store::registrations::of_event(conn, &event.id)?
            .into_iter()
            .filter(|r| r.status == RegistrationStatus::Admitted.as_str())
            .collect();
        for (serial, mut registration) in admitted.into_iter().enumerate() {
            if registration.ticket_number.is_some() {
                continue;
            }
            let expected = registration.version;
            registration.ticket_number = Some(ticket_number(year, series, ordinal + 1, serial + 1));
            registration.version += 1;
            registration.updated_at = now;
            if !store::registrations::update_if_version(conn, &registration, expected)? {
                return Err(ApiError::precondition_failed(
                    "a registration changed while tickets were issued; try again",
                ));
            }
            issued += 1;
        }
    }
    record(
        conn,
        actor,
        "competition.tickets",
        ("competition", competition_id),
        None,
        Some(serde_json::json!({ "issued": issued })),
    )?;
    Ok(issued)
}

pub fn load_ticket(conn: &mut DbConnection, actor: &Actor, id: &str) -> ApiResult<Ticket> {
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
        full_name: ctx.registration.entrant_name.clone(),
        gender: ctx.registration.entrant_gender.clone(),
        id_number: mask_id_number(&ctx.registration.entrant_id_number),
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

pub async fn list_event_roles(db: &Db, actor: Actor, id: String) -> ApiResult<Vec<EventRoleOut>> {
    db.read(move |conn| {
        let event = load::event_row(conn, &id)?;
        let roles = store::draws::roles_of_event(conn, &id)?;
        let (_, host_path, _) =
            store::competitions::find(conn, &event.competition_id)?.ok_or_else(|| ApiError::not_found("event"))?;
        if !can_manage_competition(&actor, &host_path) && !roles.iter().any(|(r, _)| r.user_id == actor.user_id) {
            return Err(ApiError::not_found("event"));
        }
        let ids: Vec<String> = roles.iter().map(|(r, _)| r.user_id.clone()).collect();
        let names = store::users::shown_names(conn, &ids)?;
        Ok(roles
            .into_iter()
            .map(|(r, username)| EventRoleOut {
                full_name: names.get(&r.user_id).cloned(),
                id: r.id,
                user_id: r.user_id,
                username,
                role: EventRole::parse(&r.role).unwrap_or(EventRole::Judge),
                created_at: utc(r.created_at),
            })
            .collect::<Vec<_>>())
    })
    .await
}

/// Separation of duties (DESIGN §9): the host's organisers hold no role on their own events, and
/// no one holds two roles that check each other (`EventRole::excludes`).
fn require_separate_duties(
    conn: &mut DbConnection,
    event: &EventRow,
    host_path: &str,
    user_id: &str,
    role: EventRole,
) -> ApiResult<()> {
    let appointee = load_actor(conn, user_id)?
        .ok_or_else(|| ApiError::field("user_id", "unknown_user", "no active account has this id"))?;
    if can_manage_competition(&appointee, host_path) {
        return Err(ApiError::conflict(
            "separation_of_duties",
            "the host's organisers (and admins) hold no role on their own competition's events",
        ));
    }
    let held: Vec<EventRole> =
        store::draws::roles_of_user(conn, &event.id, user_id)?.iter().filter_map(|r| EventRole::parse(r)).collect();
    if let Some(other) = held.iter().find(|h| h.excludes(role)) {
        return Err(ApiError::conflict(
            "separation_of_duties",
            format!("a {other} of this event cannot also be its {role}"),
        ));
    }
    Ok(())
}

pub async fn appoint(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    event_id: String,
    input: Appointment,
    user_id: String,
) -> ApiResult<EventRoleOut> {
    db.write(move |conn| {
        let event = load::event_row(conn, &event_id)?;
        let (_, host_path, _) = load::managed_competition(conn, &actor, &event.competition_id)?;
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
        require_separate_duties(conn, &event, &host_path, &user.id, input.role)?;
        let row = EventRoleRow {
            id: new_id(),
            event_id: event_id.clone(),
            user_id: user.id.clone(),
            role: input.role.as_str().into(),
            created_at: now,
        };
        store::draws::insert_role(conn, &row).map_err(|e| {
            e.duplicate_means(|| ApiError::conflict("already_appointed", "already appointed to this role"))
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
            full_name: store::users::shown_names(conn, std::slice::from_ref(&user.id))?.remove(&user.id),
            id: row.id,
            user_id: user.id,
            username: user.username,
            role: input.role,
            created_at: utc(row.created_at),
        })
    })
    .await
}

pub async fn perform_draw(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    zone: Zone,
    event_id: String,
) -> ApiResult<DrawSummary> {
    db.write(move |conn| {
        let event = load::event_row(conn, &event_id)?;
        if !load::event_roles(conn, &actor, &event_id)?.contains(&EventRole::EncryptionJudge) {
            return Err(ApiError::forbidden("only the event's encryption judge (加密裁判) performs the draw"));
        }
        let (competition, _, _) =
            store::competitions::find(conn, &event.competition_id)?.ok_or_else(|| ApiError::not_found("event"))?;
        // Each event draws on its own day, once the competition's roster is final.
        if !competition.status()?.reached(Status::RosterFinal) {
            return Err(ApiError::conflict("roster_not_final", "the draw takes place once the roster is final"));
        }
        if store::draws::draw_of(conn, &event_id)?.is_some() {
            return Err(ApiError::conflict("already_drawn", "this event's draw has already taken place"));
        }
        // Stations are drawn to be marked: without the scheme's aspects nobody could mark them, and
        // the scheme locks once the competition runs.
        if store::events::with_aspects(conn, std::slice::from_ref(&event_id))?.is_empty() {
            return Err(ApiError::conflict(
                "scheme_incomplete",
                "the event's marking scheme has no criteria and aspects yet: complete it before the draw",
            ));
        }
        let contestants: Vec<String> = store::registrations::of_event(conn, &event_id)?
            .into_iter()
            .filter(|r| r.status == RegistrationStatus::Admitted.as_str())
            .map(|r| r.id)
            .collect();
        if contestants.is_empty() {
            return Err(ApiError::conflict("nobody_to_draw", "the event has no admitted contestants"));
        }
        // Where a team's members each work their own station, the captain takes the first of the
        // team's stations and each team-mate one of the rest, in the order they were named.
        let own_stations =
            event.team_scoring.as_deref().and_then(TeamScoring::parse).is_some_and(TeamScoring::members_own_stations);
        let mut team_mates: HashMap<String, Vec<String>> = HashMap::new();
        if own_stations {
            for (registration_id, person) in store::registrations::competing_members(conn, &contestants)? {
                team_mates.entry(registration_id).or_default().push(person.id);
            }
        }
        let entries: Vec<(String, usize)> =
            contestants.iter().map(|id| (id.clone(), 1 + team_mates.get(id).map_or(0, Vec::len))).collect();
        let seed = random_token(32);
        let at = now;
        let mut assignments = Vec::new();
        let mut member_stations = Vec::new();
        for (registration_id, draw_number, stations) in draw_seats(seed.as_bytes(), &entries) {
            let mates = team_mates.get(&registration_id).map(Vec::as_slice).unwrap_or_default();
            for (person_id, station_number) in mates.iter().zip(&stations[1..]) {
                member_stations.push(MemberStationRow {
                    registration_id: registration_id.clone(),
                    person_id: person_id.clone(),
                    event_id: event_id.clone(),
                    station_number: *station_number,
                });
            }
            assignments.push(AssignmentRow {
                registration_id,
                event_id: event_id.clone(),
                draw_number,
                station_number: stations[0],
            });
        }
        let row = DrawRow {
            id: new_id(),
            event_id: event_id.clone(),
            seed,
            algorithm: ALGORITHM.into(),
            performed_by: actor.user_id.clone(),
            performed_at: at,
        };
        store::draws::insert_draw(conn, &row, &assignments, &member_stations)?;
        // The trail records that the draw happened, never its numbers.
        record(
            conn,
            &actor,
            "event.draw",
            ("event", &event_id),
            None,
            Some(serde_json::json!({ "contestants": assignments.len(), "algorithm": ALGORITHM })),
        )?;
        crate::service::stages::follow_event(conn, &actor, &event_id, now, zone)?;

        Ok(DrawSummary { event_id, contestants: assignments.len(), algorithm: ALGORITHM.into(), performed_at: utc(at) })
    })
    .await
}

pub async fn read_draw(db: &Db, actor: Actor, event_id: String) -> ApiResult<DrawMapping> {
    db.read(move |conn| {
        let event = load::event_row(conn, &event_id)?;
        let (_, host_path, _) =
            store::competitions::find(conn, &event.competition_id)?.ok_or_else(|| ApiError::not_found("event"))?;
        let encryption_judge = load::event_roles(conn, &actor, &event_id)?.contains(&EventRole::EncryptionJudge);
        let decrypted_for_organisers = store::judging::judging_of(conn, &event_id)?.decrypted_at.is_some()
            && can_manage_competition(&actor, &host_path);
        if !encryption_judge && !decrypted_for_organisers {
            return Err(ApiError::forbidden_because(
                "draw_sealed",
                "the draw mapping is sealed: only the encryption judge reads it before decryption",
            ));
        }
        let draw_row = store::draws::draw_of(conn, &event_id)?.ok_or_else(|| ApiError::not_found("draw"))?;
        let mut entries = Vec::new();
        let mut member_stations: HashMap<String, Vec<MemberStation>> = HashMap::new();
        for m in store::draws::member_stations_of(conn, &event_id)? {
            let full_name = store::persons::find(conn, &m.person_id)?.map(|(p, _)| p.full_name).unwrap_or_default();
            member_stations.entry(m.registration_id).or_default().push(MemberStation {
                person_id: m.person_id,
                full_name,
                station_number: m.station_number,
            });
        }
        for a in store::draws::assignments_of(conn, &event_id)? {
            let registration = store::registrations::find(conn, &a.registration_id)?
                .ok_or_else(|| ApiError::internal("draw without registration"))?;
            entries.push(DrawEntry {
                member_stations: member_stations.remove(&a.registration_id).unwrap_or_default(),
                registration_id: a.registration_id,
                full_name: registration.entrant_name.clone(),
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
    .await
}

pub async fn mark_no_shows(
    db: &Db,
    actor: Actor,
    zone: Zone,
    now: NaiveDateTime,
    event_id: String,
) -> ApiResult<NoShowOut> {
    db.write(move |conn| {
        let event = load::event_row(conn, &event_id)?;
        let (competition, _, _) = load::managed_competition(conn, &actor, &event.competition_id)?;
        crate::service::stages::require(
            crate::service::stages::stage_before_results(conn, &event_id, &competition)?.check_in_open(),
        )?;
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
    .await
}

pub async fn remove_appointment(db: &Db, actor: Actor, event_id: String, role_id: String) -> ApiResult<()> {
    db.write(move |conn| {
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
    .await
}

pub async fn check_in(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    zone: Zone,
    event_id: String,
    input: CheckInRequest,
    ticket_no: String,
) -> ApiResult<CheckInOut> {
    db.write(move |conn| {
        let event = load::event_row(conn, &event_id)?;
        let (competition, _, _) = load::managed_competition(conn, &actor, &event.competition_id)?;
        crate::service::stages::require(
            crate::service::stages::stage_before_results(conn, &event_id, &competition)?.check_in_open(),
        )?;
        let first_check_in = !store::registrations::of_event(conn, &event_id)?
            .iter()
            .any(|r| matches!(r.status.as_str(), "checked_in" | "competed"));
        let registration = store::registrations::find_by_ticket(conn, &event_id, &ticket_no)?
            .ok_or_else(|| ApiError::not_found("ticket"))?;
        // The card must be the one the ticket was issued for: the identity the entry recorded.
        let holder = registration.entrant_name.clone();
        if registration.entrant_id_number != input.id_number.trim().to_uppercase() {
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
            other => return Err(ApiError::conflict("not_admitted", format!("this ticket's registration is {other}"))),
        };
        if first_check_in {
            // The event is running: its marking scheme is fixed from now on.
            if let Some(mut scheme) = store::events::scheme_of(conn, &event_id)? {
                scheme.locked = true;
                store::events::save_scheme(conn, &scheme, true)?;
            }
            crate::service::stages::follow_event(conn, &actor, &event_id, now, zone)?;
        }
        Ok(CheckInOut {
            registration_id: row.id,
            ticket_number: ticket_no,
            full_name: holder,
            status: RegistrationStatus::CheckedIn,
            checked_in_at: row.checked_in_at.map(utc),
            repeated,
        })
    })
    .await
}

/// The admission ticket (准考证) of a registration, as data.
pub async fn ticket(db: &Db, actor: Actor, id: String) -> ApiResult<Ticket> {
    db.read(move |conn| load_ticket(conn, &actor, &id)).await
}

/// The admission ticket as a printable A4 page.
pub async fn ticket_html(db: &Db, actor: Actor, zone: Zone, id: String) -> ApiResult<String> {
    Ok(print::ticket_page(&ticket(db, actor, id).await?, zone))
}
