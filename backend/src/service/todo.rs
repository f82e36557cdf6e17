//! What waits for the caller, counted for their start page: reviews at their level, identity
//! corrections, links from the tier below, sheets to sign, awards to certify, and a contestant's
//! returned registrations and open team invitations. Each count follows the rule the action
//! itself checks (`registrations::awaits`, `awards::granting_body`), so a count never promises
//! work the caller may not do.

use std::collections::{HashMap, HashSet};

use crate::auth::Actor;
use crate::db::{Db, DbConnection};
use crate::domain::award::AwardKind;
use crate::domain::judging::SignoffKind;
use crate::domain::role::{EventRole, Role};
use crate::error::ApiResult;
use crate::service::registrations::{awaits_at, ReviewPlace};
use crate::store;
use crate::wire::users::{ReviewsWaiting, Todo};

pub async fn todo(db: &Db, actor: Actor) -> ApiResult<Todo> {
    db.read(move |conn| {
        let reviews = reviews_waiting(conn, &actor)?;
        Ok(Todo {
            reviews_waiting: reviews.iter().map(|r| r.count).sum(),
            reviews_by_competition: reviews,
            corrections_waiting: corrections_waiting(conn, &actor)?,
            feeder_requests: feeder_requests(conn, &actor)?,
            sheets_to_sign: sheets_to_sign(conn, &actor)?,
            awards_to_certify: awards_to_certify(conn, &actor)?,
            returned_registrations: mine(conn, &actor, |r| r.status == "returned")?,
            invitations: match &actor.person_id {
                Some(person) => store::registrations::open_invitations(conn, person)?,
                None => 0,
            },
        })
    })
    .await
}

/// The organiser paths the caller acts within (None: an admin, everywhere); `Some([])` for a
/// caller who organises nothing.
fn organiser_paths(actor: &Actor) -> Option<Vec<String>> {
    (!actor.is_admin()).then(|| actor.scope_paths(&[Role::Organiser]))
}

/// Registrations waiting at the caller's level, counted by competition, most first.
fn reviews_waiting(conn: &mut DbConnection, actor: &Actor) -> ApiResult<Vec<ReviewsWaiting>> {
    let paths = organiser_paths(actor);
    if paths.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Vec::new());
    }
    let mut rows = store::registrations::awaiting_review_nominated_within(conn, paths.as_deref())?;
    rows.extend(store::registrations::awaiting_review_hosted_within(conn, paths.as_deref())?);
    let mut seen = HashSet::new();
    rows.retain(|r| seen.insert(r.id.clone()));
    // Each event, competition and unit is read once, however many registrations share it.
    let mut levels: HashMap<String, i32> = HashMap::new();
    let mut hosts: HashMap<String, (String, String)> = HashMap::new();
    let mut units: HashMap<String, String> = HashMap::new();
    let mut counts: HashMap<String, i64> = HashMap::new();
    for r in rows {
        if !levels.contains_key(&r.event_id) {
            let level = store::events::find(conn, &r.event_id)?.map(|(e, _, _)| e.review_levels).unwrap_or(1);
            levels.insert(r.event_id.clone(), level);
        }
        if !hosts.contains_key(&r.competition_id) {
            let found = store::competitions::find(conn, &r.competition_id)?;
            hosts.insert(r.competition_id.clone(), found.map(|(c, p, _)| (p, c.name)).unwrap_or_default());
        }
        if !units.contains_key(&r.nominating_org_id) {
            let path = store::organisations::find(conn, &r.nominating_org_id)?.map(|o| o.path).unwrap_or_default();
            units.insert(r.nominating_org_id.clone(), path);
        }
        let place = ReviewPlace {
            unit_path: &units[&r.nominating_org_id],
            host_path: &hosts[&r.competition_id].0,
            review_levels: levels[&r.event_id],
        };
        if awaits_at(actor, &place, &r) {
            *counts.entry(r.competition_id.clone()).or_default() += 1;
        }
    }
    let mut out: Vec<ReviewsWaiting> = counts
        .into_iter()
        .map(|(id, count)| ReviewsWaiting { competition_name: hosts[&id].1.clone(), competition_id: id, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.competition_name.cmp(&b.competition_name)));
    Ok(out)
}

fn corrections_waiting(conn: &mut DbConnection, actor: &Actor) -> ApiResult<i64> {
    if !actor.is_admin() && !actor.has_role(Role::Organiser) {
        return Ok(0);
    }
    let paths = organiser_paths(actor);
    let rows = store::corrections::queue(conn, "pending", paths.as_deref(), 1000)?;
    // Nobody decides their own request.
    Ok(rows.iter().filter(|c| c.requested_by != actor.user_id).count() as i64)
}

fn feeder_requests(conn: &mut DbConnection, actor: &Actor) -> ApiResult<i64> {
    let paths = organiser_paths(actor);
    if paths.as_ref().is_some_and(Vec::is_empty) {
        return Ok(0);
    }
    Ok(store::competitions::feeder_requests_within(conn, paths.as_deref())?)
}

/// Sections of drawn events where the caller marks aspects and has not signed their sheet.
fn sheets_to_sign(conn: &mut DbConnection, actor: &Actor) -> ApiResult<i64> {
    let mut events: Vec<String> = store::draws::live_roles_of_user(conn, &actor.user_id)?
        .into_iter()
        .filter(|r| r.role == EventRole::Judge.as_str() || r.role == EventRole::ChiefJudge.as_str())
        .map(|r| r.event_id)
        .collect();
    // A chief judge may also be a judge of the event: one event, counted once.
    events.sort_unstable();
    events.dedup();
    let mut count = 0;
    for event in events {
        if store::draws::draw_of(conn, &event)?.is_none() {
            continue;
        }
        let mine: HashSet<String> =
            store::judging::aspects_of_judge(conn, &event, &actor.user_id)?.into_iter().collect();
        let sections: HashSet<i32> = store::judging::aspects_of(conn, &event)?
            .into_iter()
            .filter(|a| mine.contains(&a.id))
            .map(|a| a.section_index)
            .collect();
        let signed: HashSet<i32> = store::judging::signoffs_of(conn, &event)?
            .into_iter()
            .filter(|s| s.kind == SignoffKind::Judge.as_str() && s.signed_by == actor.user_id)
            .map(|s| s.section_index)
            .collect();
        count += sections.difference(&signed).count() as i64;
    }
    Ok(count)
}

/// Awards not yet granted whose granting body the caller acts for.
fn awards_to_certify(conn: &mut DbConnection, actor: &Actor) -> ApiResult<i64> {
    if !actor.has_role(Role::Official) {
        return Ok(0);
    }
    let mut competitions = HashMap::new();
    let mut count = 0;
    for (competition_id, kind, n) in store::awards::pending_by_competition(conn)? {
        if !competitions.contains_key(&competition_id) {
            competitions.insert(competition_id.clone(), store::competitions::find(conn, &competition_id)?);
        }
        let (Some((competition, host_path, _)), Some(kind)) = (&competitions[&competition_id], AwardKind::parse(&kind))
        else {
            continue;
        };
        if crate::service::awards::granting_body(conn, actor, kind, competition, host_path)?.is_some() {
            count += n;
        }
    }
    Ok(count)
}

fn mine(
    conn: &mut DbConnection,
    actor: &Actor,
    keep: impl Fn(&store::registrations::RegistrationRow) -> bool,
) -> ApiResult<i64> {
    let Some(person) = &actor.person_id else { return Ok(0) };
    Ok(store::registrations::of_person(conn, person)?.iter().filter(|r| keep(r)).count() as i64)
}
