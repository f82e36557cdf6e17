//! Each event on its own schedule (a provincial final runs 56 trades over weeks at different
//! venues): an event's stage is read from what has happened to it (`domain::event::event_stage`)
//! and gates its draw, check-in and marking; the competition follows its events as far as all of
//! them allow (`follow_events`), so nobody moves it `drawn → running → scoring …` by hand.

use chrono::NaiveDateTime;

use super::audit::record;
use super::competitions::{apply_transition_effects, transition_facts};
use crate::auth::Actor;
use crate::db::DbConnection;
use crate::domain::competition::{check_transition, Status};
use crate::domain::event::{event_stage, EventStage, StageFacts};
use crate::domain::registration::RegistrationStatus;
use crate::domain::time::Zone;
use crate::error::{ApiError, ApiResult};
use crate::store;
use crate::store::competitions::CompetitionRow;

/// Where the event stands now.
pub fn stage_of(
    conn: &mut DbConnection,
    event_id: &str,
    competition: &CompetitionRow,
    now: NaiveDateTime,
    zone: Zone,
) -> ApiResult<EventStage> {
    let mut facts = facts_of(conn, event_id, competition)?;
    facts.appeal_window_open = facts.published
        && crate::service::appeals::appeal_deadline(conn, event_id, zone)?.is_some_and(|deadline| now < deadline);
    Ok(event_stage(&facts))
}

/// Where the event stands as far as its draw, check-in and marking go (which come before any
/// appeal window).
pub fn stage_before_results(
    conn: &mut DbConnection,
    event_id: &str,
    competition: &CompetitionRow,
) -> ApiResult<EventStage> {
    Ok(event_stage(&facts_of(conn, event_id, competition)?))
}

fn facts_of(conn: &mut DbConnection, event_id: &str, competition: &CompetitionRow) -> ApiResult<StageFacts> {
    let status = competition.status()?;
    let drawn = store::draws::draw_of(conn, event_id)?.is_some();
    let checked_in = drawn && store::registrations::any_competing(conn, event_id)?;
    let judging = store::judging::judging_of(conn, event_id)?;
    let review_drawn = judging.review_drawn_at.is_some();
    // Locked sheets matter only between the first check-in and the review.
    let sections_locked = review_drawn
        || (checked_in
            && !store::judging::aspects_of(conn, event_id)?.is_empty()
            && crate::service::judging::unlocked_sections(conn, event_id)?.is_empty());
    let latest = store::results::latest(conn, event_id)?.map(|s| s.status);
    Ok(StageFacts {
        roster: status.reached(Status::RosterPublicity),
        drawn,
        checked_in,
        sections_locked,
        review_drawn,
        decrypted: judging.decrypted_at.is_some(),
        published: matches!(latest.as_deref(), Some("publicity" | "final")),
        appeal_window_open: false,
        results_final: latest.as_deref() == Some("final"),
    })
}

/// Judges mark (and sign, and record times) while the event's stage allows it: from its first
/// check-in until its review is drawn. Read from two facts only, since every mark sheet asks.
pub fn require_marking_open(conn: &mut DbConnection, event_id: &str) -> ApiResult<()> {
    let judging = store::judging::judging_of(conn, event_id)?;
    let stage = if judging.review_drawn_at.is_some() || judging.decrypted_at.is_some() {
        EventStage::Reviewing
    } else if store::registrations::any_competing(conn, event_id)? {
        EventStage::Running
    } else {
        EventStage::Drawn
    };
    require(stage.marking_open())
}

/// Refuses an act the event's stage does not allow yet (or any more), naming what is missing.
pub fn require(rule: Result<(), (&'static str, &'static str)>) -> ApiResult<()> {
    rule.map_err(|(code, message)| ApiError::conflict(code, message))
}

/// Moves the competition along its main line as far as its events allow: each step only when
/// its preconditions over all events hold (every event drawn, every event's marks locked, …), and
/// never past `results_final` (certifying awards stays an act of its own). Recorded as the acts'
/// consequence, in the name of whoever performed the act.
pub fn follow_events(
    conn: &mut DbConnection,
    actor: &Actor,
    competition_id: &str,
    now: NaiveDateTime,
    zone: Zone,
) -> ApiResult<()> {
    let Some((mut competition, _, _)) = store::competitions::find(conn, competition_id)? else { return Ok(()) };
    if !competition.status()?.reached(Status::RosterFinal) || competition.status()?.reached(Status::ResultsFinal) {
        return Ok(());
    }
    // As far as the least advanced event with contestants stands (an event nobody entered waits
    // for nothing).
    let mut bound: Option<Status> = None;
    for (event, _, _) in store::events::of_competition(conn, competition_id)? {
        let entered = store::registrations::of_event(conn, &event.id)?.iter().any(|r| {
            matches!(
                RegistrationStatus::parse(&r.status),
                Some(RegistrationStatus::Admitted | RegistrationStatus::CheckedIn | RegistrationStatus::Competed)
            )
        });
        if !entered {
            continue;
        }
        let Some(stage) = stage_of(conn, &event.id, &competition, now, zone)?.competition_bound() else {
            return Ok(());
        };
        bound = Some(match bound {
            Some(b) if b.reached(stage) => stage,
            Some(b) => b,
            None => stage,
        });
    }
    let Some(bound) = bound else { return Ok(()) };
    loop {
        let from = competition.status()?;
        let Some(to) = from.allowed_next().into_iter().find(|s| *s != Status::Cancelled) else { return Ok(()) };
        if !bound.reached(to) {
            return Ok(());
        }
        let facts = transition_facts(conn, &competition, None, now, zone)?;
        if check_transition(from, to, &facts).is_err() {
            return Ok(());
        }
        let mut next = competition.clone();
        next.status = to.as_str().into();
        next.status_reason = None;
        next.version = competition.version + 1;
        next.updated_at = now;
        if !store::competitions::update_if_version(conn, &next, competition.version)? {
            return Err(ApiError::precondition_failed("the competition changed at the same moment; try again"));
        }
        apply_transition_effects(conn, actor, &next, to, now, zone)?;
        record(
            conn,
            actor,
            "competition.transition",
            ("competition", &next.id),
            Some(serde_json::json!({ "status": from })),
            Some(serde_json::json!({ "status": to, "reason": "its events reached it" })),
        )?;
        competition = next;
    }
}

/// `follow_events` for the competition of the event an act just moved on.
pub fn follow_event(
    conn: &mut DbConnection,
    actor: &Actor,
    event_id: &str,
    now: NaiveDateTime,
    zone: Zone,
) -> ApiResult<()> {
    let Some((event, _, _)) = store::events::find(conn, event_id)? else { return Ok(()) };
    follow_events(conn, actor, &event.competition_id, now, zone)
}
