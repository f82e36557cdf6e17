//! Loading what a use case acts on, as the caller may see it: a record the caller may not see is
//! "not found", never a different answer. One home for every loader, so that "may this caller see
//! it" is answered the same way in every area.

use crate::auth::policy::require_event_role;
use crate::auth::policy::{can_manage_competition, can_view_competition, can_view_person, is_unit_reviewer};
use crate::auth::Actor;
use crate::db::DbConnection;
use crate::domain::organisation::{OrgKind, Tier};
use crate::domain::role::{EventRole, Role};
use crate::error::{ApiError, ApiResult};
use crate::store;
use crate::store::competitions::{CompetitionRow, CompetitionWithHost};
use crate::store::events::{EventRow, EventWithTrade};
use crate::store::organisations::OrganisationRow;
use crate::store::persons::PersonRow;
use crate::store::registrations::{MemberRow, RegistrationRow};

/// A person with their employer's path, if the caller may see them (404 otherwise).
pub fn person(conn: &mut DbConnection, actor: &Actor, id: &str) -> ApiResult<(PersonRow, Option<String>)> {
    match store::persons::find(conn, id)? {
        Some((row, path)) if can_view_person(actor, &row.id, path.as_deref()) => Ok((row, path)),
        _ => Err(ApiError::not_found("person")),
    }
}

/// A competition the caller may see (404 otherwise: drafts are private).
pub fn competition(conn: &mut DbConnection, actor: Option<&Actor>, id: &str) -> ApiResult<CompetitionWithHost> {
    match store::competitions::find(conn, id)? {
        Some(found) if can_view_competition(actor, found.0.status()?.is_public(), &found.1) => Ok(found),
        _ => Err(ApiError::not_found("competition")),
    }
}

/// A competition the caller runs (404 if they may not see it, 403 if they only may see it).
pub fn managed_competition(conn: &mut DbConnection, actor: &Actor, id: &str) -> ApiResult<CompetitionWithHost> {
    let found = competition(conn, Some(actor), id)?;
    if !can_manage_competition(actor, &found.1) {
        return Err(ApiError::forbidden("only the organisers of the host organisation may change this competition"));
    }
    Ok(found)
}

/// An event with its competition, as the caller may see it.
pub fn event(
    conn: &mut DbConnection,
    actor: Option<&Actor>,
    id: &str,
) -> ApiResult<(EventWithTrade, CompetitionWithHost)> {
    let event = store::events::find(conn, id)?.ok_or_else(|| ApiError::not_found("event"))?;
    let competition = competition(conn, actor, &event.0.competition_id).map_err(|_| ApiError::not_found("event"))?;
    Ok((event, competition))
}

/// An event whose competition the caller runs.
pub fn managed_event(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
) -> ApiResult<(EventWithTrade, CompetitionWithHost)> {
    let event = store::events::find(conn, id)?.ok_or_else(|| ApiError::not_found("event"))?;
    let competition = managed_competition(conn, actor, &event.0.competition_id)?;
    Ok((event, competition))
}

/// An event with its competition and the host's path, whoever asks: for the steps whose access
/// is by event role (judging, the draw), which the caller checks next.
pub fn event_for_roles(conn: &mut DbConnection, id: &str) -> ApiResult<(EventRow, CompetitionRow, String)> {
    let (event, _, _) = store::events::find(conn, id)?.ok_or_else(|| ApiError::not_found("event"))?;
    let (competition, host_path, _) =
        store::competitions::find(conn, &event.competition_id)?.ok_or_else(|| ApiError::not_found("event"))?;
    Ok((event, competition, host_path))
}

/// The event row alone (404 when there is none).
pub fn event_row(conn: &mut DbConnection, id: &str) -> ApiResult<EventRow> {
    store::events::find(conn, id)?.map(|(e, _, _)| e).ok_or_else(|| ApiError::not_found("event"))
}

/// What a registration is read with.
pub struct Context {
    pub registration: RegistrationRow,
    pub event: EventRow,
    pub competition: CompetitionRow,
    pub host_path: String,
    pub unit: OrganisationRow,
    pub person: PersonRow,
    pub members: Vec<MemberRow>,
}

/// How the caller stands to a registration.
pub struct Relation {
    pub is_party: bool,
    pub unit_reviewer: bool,
    pub host_reviewer: bool,
}

impl Relation {
    pub fn visible(&self) -> bool {
        self.is_party || self.unit_reviewer || self.host_reviewer
    }

    pub fn reviewer(&self) -> bool {
        self.unit_reviewer || self.host_reviewer
    }
}

pub fn relation(actor: &Actor, ctx: &Context) -> Relation {
    let is_party =
        actor.person_id.as_deref().is_some_and(|p| p == ctx.person.id || ctx.members.iter().any(|m| m.person_id == p));
    Relation {
        is_party,
        unit_reviewer: is_unit_reviewer(actor, &ctx.unit.path, &ctx.host_path),
        host_reviewer: can_manage_competition(actor, &ctx.host_path),
    }
}

/// A registration with everything it is read with, whoever asks (for steps the system takes).
pub fn registration_context(conn: &mut DbConnection, registration: RegistrationRow) -> ApiResult<Context> {
    let missing = |what: &str| ApiError::internal(format!("registration {} lost its {what}", registration.id));
    let (event, _, _) = store::events::find(conn, &registration.event_id)?.ok_or_else(|| missing("event"))?;
    let (competition, host_path, _) =
        store::competitions::find(conn, &registration.competition_id)?.ok_or_else(|| missing("competition"))?;
    let unit = store::organisations::find(conn, &registration.nominating_org_id)?.ok_or_else(|| missing("unit"))?;
    let (person, _) = store::persons::find(conn, &registration.person_id)?.ok_or_else(|| missing("person"))?;
    let members = store::registrations::members_of(conn, &registration.id)?;
    Ok(Context { registration, event, competition, host_path, unit, person, members })
}

/// A registration the caller may see (404 otherwise).
pub fn registration(conn: &mut DbConnection, actor: &Actor, id: &str) -> ApiResult<(Context, Relation)> {
    let row = store::registrations::find(conn, id)?.ok_or_else(|| ApiError::not_found("registration"))?;
    let ctx = registration_context(conn, row)?;
    let s = relation(actor, &ctx);
    if !s.visible() {
        return Err(ApiError::not_found("registration"));
    }
    Ok((ctx, s))
}

/// The official bodies the caller acts for: (name, kind, tier, region, path) of each organisation
/// they hold an official grant on.
pub fn official_bodies(
    conn: &mut DbConnection,
    actor: &Actor,
) -> ApiResult<Vec<(String, OrgKind, Tier, String, String)>> {
    let ids: Vec<String> =
        actor.grants.iter().filter(|g| g.role == Role::Official).filter_map(|g| g.organisation_id.clone()).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(store::awards::organisations_by_ids(conn, &ids)?
        .into_iter()
        .filter_map(|(_, name, kind, tier, region, path)| {
            Some((name, OrgKind::parse(&kind)?, Tier::parse(&tier)?, region, path))
        })
        .collect())
}

/// The roles the caller holds on an event.
pub fn event_roles(conn: &mut DbConnection, actor: &Actor, event_id: &str) -> ApiResult<Vec<EventRole>> {
    Ok(store::draws::roles_of_user(conn, event_id, &actor.user_id)?
        .iter()
        .filter_map(|r| EventRole::parse(r))
        .collect())
}

/// The caller's roles on an event, when one of them allows `what` (403 otherwise).
pub fn roles_requiring(
    conn: &mut DbConnection,
    actor: &Actor,
    event_id: &str,
    allowed: &[EventRole],
    what: &str,
) -> ApiResult<Vec<EventRole>> {
    let (_, _, host_path) = event_for_roles(conn, event_id)?;
    roles_requiring_at(conn, actor, event_id, &host_path, allowed, what)
}

/// The same, for a caller that has loaded the event's host path already.
pub fn roles_requiring_at(
    conn: &mut DbConnection,
    actor: &Actor,
    event_id: &str,
    host_path: &str,
    allowed: &[EventRole],
    what: &str,
) -> ApiResult<Vec<EventRole>> {
    // The appointment counts only while its grant does, and never for the host's own organisers
    // (a grant given after the appointment must not join the keys in one hand).
    let roles: Vec<EventRole> = if can_manage_competition(actor, host_path) {
        Vec::new()
    } else {
        event_roles(conn, actor, event_id)?
            .into_iter()
            .filter(|r| r.qualifying_roles().iter().any(|q| actor.has_role(*q)))
            .collect()
    };
    require_event_role(&roles, allowed, what)?;
    Ok(roles)
}

/// An event that the caller oversees, for the views of judging as a whole (progress, review,
/// scores): the host's organisers, or the event's chief judge or supervisor (403 otherwise).
pub fn overseen_event(
    conn: &mut DbConnection,
    actor: &Actor,
    event_id: &str,
    what: &str,
) -> ApiResult<(EventRow, CompetitionRow, String)> {
    let found = event_for_roles(conn, event_id)?;
    if !can_manage_competition(actor, &found.2) {
        roles_requiring(conn, actor, event_id, &[EventRole::ChiefJudge, EventRole::Supervisor], what)?;
    }
    Ok(found)
}
