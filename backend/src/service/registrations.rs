//! Registrations (报名): who may enter whom, the eligibility check, entering and its places,
//! status changes with their trail, and the registration as its readers see it.

use chrono::NaiveDateTime;

use super::audit::record;
use super::check_version;
use super::load::{self, Context, Relation};
use crate::auth::policy::{can_manage_competition, is_unit_reviewer};
use crate::auth::Actor;
use crate::db::{Db, DbConnection};
use crate::domain::competition::Status;
use crate::domain::event::{overlapping, EventMode, Sitting, Track};
use crate::domain::id_card::mask_id_number;
use crate::domain::organisation::OrgKind;
use crate::domain::person::{held_levels, CredentialStatus};
use crate::domain::role::Role;
use crate::domain::time::Zone;
use crate::domain::{text, Violation};
use crate::error::{ApiError, ApiResult};
use crate::service::idempotency::{run_once, Once, Retry};
use crate::store::competitions::CompetitionRow;
use crate::store::events::EventRow;
use crate::store::organisations::OrganisationRow;
use crate::store::persons::{CredentialRow, PersonRow};
use crate::store::registrations::{MemberRow, RegistrationFilter, RegistrationRow, ReviewRow};
use crate::store::{self, new_id};
use crate::wire::persons::credential_out;
use crate::wire::registrations::{
    BatchReviewOut, EligibilityOut, EligibilityQuery, MemberInput, OwnScore, RefusedReview, RegistrationPage,
    ReviewedOut, StatusCount,
};
use crate::wire::{parse_id, utc};

use crate::domain::registration::{
    approvals_of, check_eligibility, initial_status, level_awaits_verification, review_along, review_chain,
    waiting_step, Candidate, ChainStep, EligibilityRules, RegistrationStatus, ReviewAction, ReviewStage, Standing,
};
use crate::wire::registrations::{
    MemberOut, Origin, PersonBrief, RegistrationOut, RegistrationPatch, ReviewRequest, ReviewTrailEntry, SignUpRequest,
};

pub fn brief(person: &PersonRow, whole_number: bool) -> PersonBrief {
    PersonBrief {
        id: person.id.clone(),
        full_name: person.full_name.clone(),
        id_number: if whole_number { person.id_number.clone() } else { mask_id_number(&person.id_number) },
        gender: person.gender.clone(),
    }
}

/// The entrant as the registration recorded them when they entered.
fn entrant_brief(r: &RegistrationRow, whole_number: bool) -> PersonBrief {
    PersonBrief {
        id: r.person_id.clone(),
        full_name: r.entrant_name.clone(),
        id_number: if whole_number { r.entrant_id_number.clone() } else { mask_id_number(&r.entrant_id_number) },
        gender: r.entrant_gender.clone(),
    }
}

/// Whose whole ID numbers a reader of a registration sees: a reviewer everyone's; anyone else
/// (a team-mate) only their own.
pub struct Sight {
    pub reviewer: bool,
    pub person_id: Option<String>,
}

impl Sight {
    pub fn of(actor: &Actor, relation: &Relation) -> Sight {
        Sight { reviewer: relation.reviewer(), person_id: actor.person_id.clone() }
    }

    fn whole(&self, person_id: &str) -> bool {
        self.reviewer || self.person_id.as_deref() == Some(person_id)
    }
}

pub fn registration_out(conn: &mut DbConnection, ctx: Context, sight: Sight) -> ApiResult<RegistrationOut> {
    let status = RegistrationStatus::parse(&ctx.registration.status)
        .ok_or_else(|| ApiError::internal("unknown registration status"))?;
    let mut members = Vec::new();
    for m in &ctx.members {
        if let Some((p, _)) = store::persons::find(conn, &m.person_id)? {
            members.push(MemberOut {
                person: brief(&p, sight.whole(&p.id)),
                role: m.role.clone(),
                accepted: m.accepted_at.is_some(),
            });
        }
    }
    let reviews = store::registrations::reviews_of(conn, &ctx.registration.id)?
        .into_iter()
        .map(|r| ReviewTrailEntry {
            action: r.action,
            from_status: r.from_status,
            to_status: r.to_status,
            comment: r.comment,
            at: utc(r.at),
        })
        .collect();
    let lead_whole = sight.whole(&ctx.person.id);
    let (credentials, unverified_level) = if lead_whole {
        let credentials = store::persons::credentials_of(conn, &ctx.person.id)?;
        let candidate = candidate_with(&ctx.person, &ctx.unit, &credentials);
        let unverified = level_awaits_verification(&candidate, &eligibility_rules(&ctx.event));
        (credentials.into_iter().map(credential_out).collect(), unverified)
    } else {
        (Vec::new(), None)
    };
    let review_stage = waiting_step(status, ctx.registration.approvals, &chain_of(&ctx)).map(ChainStep::stage);
    let origin_name = match &ctx.registration.origin_competition_id {
        Some(id) => store::competitions::find(conn, id)?.map(|(c, _, _)| c.name),
        None => None,
    };
    let r = ctx.registration;
    Ok(RegistrationOut {
        credentials,
        unverified_level,
        review_stage,
        status,
        origin: r.origin_competition_id.is_some().then(|| Origin {
            competition_id: r.origin_competition_id.clone(),
            competition_name: origin_name,
            event_id: r.origin_event_id.clone(),
            rank: r.origin_rank,
        }),
        person: entrant_brief(&r, lead_whole),
        members,
        reviews,
        event_name: ctx.event.name,
        competition_name: ctx.competition.name,
        nominating_org_name: ctx.unit.name,
        id: r.id,
        event_id: r.event_id,
        competition_id: r.competition_id,
        team_name: r.team_name,
        nominating_org_id: r.nominating_org_id,
        reserve_rank: r.reserve_rank,
        ticket_number: r.ticket_number,
        status_reason: r.status_reason,
        score: None,
        own_station: None,
        version: r.version,
        created_at: utc(r.created_at),
        updated_at: utc(r.updated_at),
    })
}

/// Reads back a registration as the caller sees it.
pub fn view(conn: &mut DbConnection, actor: &Actor, id: &str) -> ApiResult<RegistrationOut> {
    let (ctx, s) = load::registration(conn, actor, id)?;
    let sight = Sight::of(actor, &s);
    registration_out(conn, ctx, sight)
}

/// Appends to the review trail.
pub fn trail(
    conn: &mut DbConnection,
    actor: Option<&Actor>,
    registration_id: &str,
    action: &str,
    from: &str,
    to: RegistrationStatus,
    comment: Option<String>,
    now: chrono::NaiveDateTime,
) -> ApiResult<()> {
    Ok(store::registrations::insert_review(
        conn,
        &ReviewRow {
            id: new_id(),
            registration_id: registration_id.to_string(),
            action: action.to_string(),
            from_status: from.to_string(),
            to_status: to.as_str().to_string(),
            comment,
            actor_user_id: actor.map(|a| a.user_id.clone()),
            at: now,
        },
    )?)
}

/// Who may enter whom: a contestant enters themselves; organisers of the nominating unit enter
/// their nominees; the host's organisers anyone; admins anyone.
pub struct EntryBy {
    pub unit: bool,
}

/// What eligibility knows of a person nominated by `unit`: birth date, levels (verified apart
/// from declared), the unit's region and kind.
pub fn candidate(conn: &mut DbConnection, person: &PersonRow, unit: &OrganisationRow) -> ApiResult<Candidate> {
    let credentials = store::persons::credentials_of(conn, &person.id)?;
    Ok(candidate_with(person, unit, &credentials))
}

pub fn candidate_with(person: &PersonRow, unit: &OrganisationRow, credentials: &[CredentialRow]) -> Candidate {
    let held = held_levels(credentials.iter().filter_map(|c| Some((c.level, CredentialStatus::parse(&c.status)?))));
    Candidate {
        birth_date: person.birth_date,
        best_skill_level: held.verified,
        declared_skill_level: held.declared,
        unit_region: unit.region_code.clone(),
        unit_is_school: unit.kind == OrgKind::School.as_str(),
    }
}

pub fn eligibility_rules(event: &EventRow) -> EligibilityRules {
    EligibilityRules {
        min_age: event.min_age,
        max_age: event.max_age,
        min_skill_level: event.min_skill_level,
        region_code: event.region_code.clone(),
        track: Track::parse(&event.track).unwrap_or(Track::Worker),
    }
}

/// Admission counts verified levels only (`domain::registration::check_level_for_admission`).
pub fn check_level_for_admission(conn: &mut DbConnection, ctx: &Context) -> ApiResult<()> {
    let candidate = candidate(conn, &ctx.person, &ctx.unit)?;
    crate::domain::registration::check_level_for_admission(&candidate, &eligibility_rules(&ctx.event)).map_err(|v| {
        ApiError::conflict(
            if v.code == "skill_level_too_low" { "skill_level_too_low" } else { "credential_not_verified" },
            v.message,
        )
    })
}

/// The eligibility of a person for an event through a unit, checked against the current state.
pub fn eligibility(
    conn: &mut DbConnection,
    event: &EventRow,
    competition: &CompetitionRow,
    person: &PersonRow,
    unit: &OrganisationRow,
    except_registration: Option<&str>,
) -> ApiResult<Vec<Violation>> {
    let candidate = candidate(conn, person, unit)?;
    let rules = eligibility_rules(event);
    let (places_taken, unit_places_taken) = store::registrations::places_taken(conn, &event.id, &unit.id)?;
    let mine = store::registrations::of_person(conn, &person.id)?;
    let live_other = |r: &&RegistrationRow| {
        Some(r.id.as_str()) != except_registration && RegistrationStatus::parse(&r.status).is_some_and(|s| s.is_live())
    };
    let already_registered = mine
        .iter()
        .filter(live_other)
        .any(|r| r.event_id == event.id && RegistrationStatus::parse(&r.status) != Some(RegistrationStatus::Reserve));
    let own_sittings: Vec<Sitting> = store::events::sessions_of(conn, &event.id)?
        .into_iter()
        .map(|s| Sitting { id: s.id, starts_at: s.starts_at, ends_at: s.ends_at })
        .collect();
    let mut overlapping_event = None;
    for other in mine.iter().filter(live_other).filter(|r| r.competition_id == competition.id && r.event_id != event.id)
    {
        let sittings: Vec<Sitting> = store::events::sessions_of(conn, &other.event_id)?
            .into_iter()
            .map(|s| Sitting { id: s.id, starts_at: s.starts_at, ends_at: s.ends_at })
            .collect();
        if own_sittings.iter().any(|mine| overlapping(mine, &sittings).is_some()) {
            overlapping_event = store::events::find(conn, &other.event_id)?.map(|(e, _, _)| e.name);
            break;
        }
    }
    let holds = except_registration.is_some_and(|id| {
        mine.iter().any(|r| r.id == id && RegistrationStatus::parse(&r.status).is_some_and(|s| s.holds_place()))
    });
    let prefecture_quota = match event.prefecture_quotas.as_deref() {
        Some(json) => {
            let quotas: std::collections::BTreeMap<String, i32> =
                serde_json::from_str(json).map_err(|e| ApiError::internal(e.to_string()))?;
            let prefecture = crate::domain::plan::prefecture_of(&unit.region_code);
            let prefix: String = prefecture.chars().take(4).collect();
            let taken = store::registrations::places_taken_in_prefecture(conn, &event.id, &prefix)? - holds as i64;
            Some((prefecture.clone(), quotas.get(&prefecture).copied().unwrap_or(0), taken))
        }
        None => None,
    };
    let standing = Standing {
        prefecture_quota,
        // A registration being re-checked does not compete with itself for its own place.
        places_taken: places_taken - holds as i64,
        quota_total: event.quota_total,
        unit_places_taken: unit_places_taken - holds as i64,
        quota_per_unit: event.quota_per_org,
        already_registered,
        overlapping_event,
    };
    Ok(check_eligibility(&candidate, &rules, competition.starts_on, &standing))
}

pub fn not_eligible(reasons: Vec<Violation>) -> ApiError {
    let detail = reasons.iter().map(|r| r.message.clone()).collect::<Vec<_>>().join("; ");
    ApiError::refused("not_eligible", format!("not eligible: {detail}"), reasons)
}

/// Refuses a sign-up outside the registration window.
pub fn require_registration_open(
    competition: &CompetitionRow,
    now: chrono::NaiveDateTime,
    zone: crate::domain::time::Zone,
) -> ApiResult<()> {
    let status = competition.status()?;
    if status != Status::RegistrationOpen {
        return Err(ApiError::conflict(
            "registration_not_open",
            format!("registration is not open (the competition is {status})"),
        ));
    }
    let at = now;
    if competition.registration_opens_at.is_some_and(|open| at < open) {
        return Err(ApiError::conflict("registration_not_open", "registration has not started yet"));
    }
    if let Some(close) = competition.registration_closes_at.filter(|close| at >= *close) {
        return Err(ApiError::conflict(
            "registration_deadline_passed",
            format!("registration closed at {}", zone.describe(close)),
        ));
    }
    Ok(())
}

/// What a sign-up resolves before it writes anything: the event, who is entered through which
/// unit, the team; refused with every reason when the person is not eligible.
pub struct Entry {
    event: EventRow,
    competition: CompetitionRow,
    person: PersonRow,
    unit: OrganisationRow,
    by: EntryBy,
    team_name: Option<String>,
    members: Vec<MemberRow>,
    registration_id: String,
}

/// Whether the entry will be written (the event's places are locked while it is checked) or only
/// checked (the eligibility preview, which writes and locks nothing).
#[derive(PartialEq, Eq)]
pub enum Purpose {
    Write,
    Check,
}

#[allow(clippy::too_many_arguments)]
pub fn prepare_entry(
    conn: &mut DbConnection,
    actor: &Actor,
    event_id: &str,
    request: &SignUpRequest,
    initial: Option<RegistrationStatus>,
    now: chrono::NaiveDateTime,
    zone: crate::domain::time::Zone,
    purpose: Purpose,
) -> ApiResult<Entry> {
    let (event, _, _) = store::events::find(conn, event_id)?.ok_or_else(|| ApiError::not_found("event"))?;
    let (competition, host_path, _) =
        store::competitions::find(conn, &event.competition_id)?.ok_or_else(|| ApiError::not_found("event"))?;
    if !competition.status()?.is_public() && !can_manage_competition(actor, &host_path) {
        return Err(ApiError::not_found("event"));
    }
    if initial.is_none() {
        require_registration_open(&competition, now, zone)?;
    }
    let person_id = match &request.person_id {
        Some(p) => parse_id("person_id", p)?,
        None => actor.person_id.clone().ok_or_else(|| {
            ApiError::conflict(
                "profile_required",
                "fill in your personal profile (PUT /api/v1/me/person) before signing up",
            )
        })?,
    };
    let (person, person_path) = store::persons::find(conn, &person_id)?
        .ok_or_else(|| ApiError::field("person_id", "unknown_person", "no person has this id"))?;
    let unit_id = match (&request.nominating_org_id, &person.employer_org_id) {
        (Some(u), _) => parse_id("nominating_org_id", u)?,
        (None, Some(employer)) => employer.clone(),
        (None, None) => {
            return Err(ApiError::field(
                "nominating_org_id",
                "required",
                "name the nominating unit (推荐单位): the person has no employer on record",
            ))
        }
    };
    let unit = store::organisations::find(conn, &unit_id)?
        .ok_or_else(|| ApiError::field("nominating_org_id", "unknown_organisation", "no organisation has this id"))?;
    let by = EntryBy { unit: is_unit_reviewer(actor, &unit.path, &host_path) };
    let by_host = can_manage_competition(actor, &host_path);
    if !actor.is_person(&person.id) && !by.unit && !by_host {
        return Err(ApiError::forbidden("you may enter yourself, or nominees of a unit you organise"));
    }
    // Someone else is entered only from within the caller's own subtree — answered like an
    // unknown id otherwise, so no one learns who exists elsewhere.
    if !actor.is_person(&person.id) && !employed_within_scope(actor, person_path.as_deref()) {
        return Err(ApiError::field("person_id", "unknown_person", "no person has this id"));
    }
    // Team events: members and advisors, each a known person, eligible in person.
    let mode = EventMode::parse(&event.mode).unwrap_or(EventMode::Individual);
    let team_name = text::optional("team_name", request.team_name.as_deref(), 50)?;
    let mut members = Vec::new();
    if mode == EventMode::Individual && !request.members.is_empty() {
        return Err(ApiError::field("members", "not_a_team_event", "an individual event has no team members"));
    }
    if purpose == Purpose::Write {
        store::registrations::lock_event(conn, &event.id)?;
    }
    let mut reasons = eligibility(conn, &event, &competition, &person, &unit, None)?;
    let registration_id = new_id();
    // The preview answers for the captain in person; the team is checked when it is entered.
    if mode == EventMode::Team && purpose == Purpose::Write {
        if team_name.is_none() {
            return Err(ApiError::field("team_name", "required", "a team event needs the team's name"));
        }
        let team = Team {
            event: &event,
            competition: &competition,
            unit: &unit,
            lead: &person,
            registration_id: &registration_id,
        };
        let (rows, member_reasons) = resolve_members(conn, actor, &team, &request.members, now)?;
        members = rows;
        reasons.extend(member_reasons);
    }
    if initial == Some(RegistrationStatus::Reserve) {
        // A reserve waits for a place to fall free: a full event is why it waits.
        reasons.retain(|r| !crate::domain::registration::is_quota(&r.code));
    }
    if !reasons.is_empty() {
        return Err(not_eligible(reasons));
    }
    Ok(Entry { event, competition, person, unit, by, team_name, members, registration_id })
}

/// Whether a person employed at `employer_path` is within the caller's organiser subtrees (admins:
/// everyone).
fn employed_within_scope(actor: &Actor, employer_path: Option<&str>) -> bool {
    actor.is_admin() || employer_path.is_some_and(|p| actor.has_role_over(&[Role::Organiser], p))
}

/// What a team's members are checked against.
pub struct Team<'a> {
    pub event: &'a EventRow,
    pub competition: &'a CompetitionRow,
    pub unit: &'a OrganisationRow,
    pub lead: &'a PersonRow,
    pub registration_id: &'a str,
}

/// A team's members and advisors from their ID numbers and names (both must match the person on
/// record; a mismatch answers like a stranger), each competing member eligible in person and in
/// no other team of the event, the team of the event's size. Named by the contestant, members are
/// invited (they accept); entered by an organiser, they must be employed within the organiser's
/// subtree and join at once. Used by sign-up and by editing a returned registration alike.
pub fn resolve_members(
    conn: &mut DbConnection,
    actor: &Actor,
    team: &Team,
    inputs: &[MemberInput],
    now: NaiveDateTime,
) -> ApiResult<(Vec<MemberRow>, Vec<Violation>)> {
    // Entering a team on someone's behalf is an organiser's act; a captain invites.
    let by_organiser = !actor.is_person(&team.lead.id);
    let mut reasons = Vec::new();
    let mut members = Vec::new();
    let mut seen = vec![team.lead.id.clone()];
    for (i, m) in inputs.iter().enumerate() {
        let field = format!("members[{i}]");
        let stranger = || {
            ApiError::field(&format!("{field}.id_number"), "unknown_member", "no person has this ID number and name")
        };
        let number = m.id_number.trim().to_uppercase();
        let found =
            store::persons::find_by_id_number(conn, &number)?.filter(|(p, _)| p.full_name == m.full_name.trim());
        let Some((member, member_path)) = found else { return Err(stranger()) };
        if by_organiser && !actor.is_person(&member.id) && !employed_within_scope(actor, member_path.as_deref()) {
            return Err(stranger());
        }
        if seen.contains(&member.id) {
            return Err(ApiError::field(
                &format!("{field}.id_number"),
                "duplicate_member",
                "each person is in the team once",
            ));
        }
        seen.push(member.id.clone());
        let role = m.role.clone().unwrap_or_else(|| "member".into());
        if !matches!(role.as_str(), "member" | "advisor") {
            return Err(ApiError::field(&format!("{field}.role"), "invalid_value", "member or advisor"));
        }
        if role == "member" {
            for r in eligibility(conn, team.event, team.competition, &member, team.unit, Some(team.registration_id))? {
                if !crate::domain::registration::is_quota(&r.code) {
                    reasons.push(Violation::new(&field, &r.code, format!("{}: {}", member.full_name, r.message)));
                }
            }
            if store::registrations::is_member_elsewhere(conn, &team.event.id, &member.id, team.registration_id)? {
                reasons.push(Violation::new(
                    &field,
                    "already_registered",
                    format!("{} is already in another team of this event", member.full_name),
                ));
            }
        }
        let accepted_at = (by_organiser || actor.is_person(&member.id)).then_some(now);
        members.push(MemberRow {
            id: new_id(),
            registration_id: team.registration_id.to_string(),
            person_id: member.id,
            role,
            accepted_at,
        });
    }
    let competing = 1 + members.iter().filter(|m| m.role == "member").count() as i32;
    if Some(competing) != team.event.team_size {
        return Err(ApiError::field(
            "members",
            "team_size_mismatch",
            format!("a team has {} contestants; this one has {competing}", team.event.team_size.unwrap_or(0)),
        ));
    }
    Ok((members, reasons))
}

/// Resolves who is entered, by whom, through which unit; checks eligibility; writes the
/// registration with its trail and audit record. Used by sign-up and by roster imports.
pub fn enter(
    conn: &mut DbConnection,
    actor: &Actor,
    event_id: &str,
    request: &SignUpRequest,
    initial: Option<RegistrationStatus>,
    now: chrono::NaiveDateTime,
    zone: crate::domain::time::Zone,
) -> ApiResult<RegistrationRow> {
    let Entry { event, competition, person, unit, by, team_name, members, registration_id } =
        prepare_entry(conn, actor, event_id, request, initial, now, zone, Purpose::Write)?;
    let status = initial.unwrap_or_else(|| initial_status(by.unit, event.review_levels));
    let at = now;
    let row = RegistrationRow {
        id: registration_id,
        event_id: event.id.clone(),
        competition_id: competition.id.clone(),
        person_id: person.id.clone(),
        team_name,
        nominating_org_id: unit.id.clone(),
        status: status.as_str().into(),
        origin_competition_id: None,
        origin_event_id: None,
        origin_rank: None,
        reserve_rank: None,
        ticket_number: None,
        status_reason: None,
        submitted_by: Some(actor.user_id.clone()),
        checked_in_at: None,
        version: 1,
        created_at: at,
        updated_at: at,
        entrant_name: person.full_name.clone(),
        entrant_id_number: person.id_number.clone(),
        entrant_gender: person.gender.clone(),
        entrant_birth_date: person.birth_date,
        approvals: approvals_of(status),
    };
    store::registrations::insert(conn, &row).map_err(|e| {
        e.duplicate_means(|| {
            not_eligible(vec![Violation::new(
                "eligibility",
                "already_registered",
                "the person already has a registration for this event",
            )])
        })
    })?;
    store::registrations::replace_members(conn, &row.id, &members)?;
    trail(conn, Some(actor), &row.id, "submit", "new", status, None, now)?;
    record(
        conn,
        actor,
        "registration.create",
        ("registration", &row.id),
        None,
        Some(
            serde_json::json!({ "event_id": row.event_id, "person_id": row.person_id, "nominating_org_id": row.nominating_org_id, "status": row.status }),
        ),
    )?;
    Ok(row)
}

/// Ids of the organisations in the caller's organiser subtrees.
pub fn units_organised(conn: &mut DbConnection, actor: &Actor) -> ApiResult<Vec<String>> {
    let mut ids = Vec::new();
    for path in actor.scope_paths(&[Role::Organiser]) {
        let rows = store::organisations::list(
            conn,
            &store::organisations::OrganisationFilter {
                within_path: Some(path),
                limit: i64::MAX,
                ..Default::default()
            },
        )?;
        ids.extend(rows.into_iter().map(|o| o.id));
    }
    Ok(ids)
}

/// Who reviews the registration, in order: its unit, the organisations between the unit and the
/// host where the event asks for more than two levels, the host.
/// Where a registration is reviewed: its unit, the host, and how many levels the event asks for.
pub struct ReviewPlace<'a> {
    pub unit_path: &'a str,
    pub host_path: &'a str,
    pub review_levels: i32,
}

impl Context {
    pub fn review_place(&self) -> ReviewPlace<'_> {
        ReviewPlace { unit_path: &self.unit.path, host_path: &self.host_path, review_levels: self.event.review_levels }
    }
}

pub fn chain_of(ctx: &Context) -> Vec<ChainStep> {
    chain_at(&ctx.review_place())
}

fn chain_at(place: &ReviewPlace) -> Vec<ChainStep> {
    // The unit's ancestors below the host, from the unit upward (paths are `/a/b/c/`).
    let segments: Vec<&str> = place.unit_path.trim_matches('/').split('/').collect();
    let between: Vec<String> = (1..segments.len())
        .rev()
        .map(|n| format!("/{}/", segments[..n].join("/")))
        .filter(|p| p.len() > place.host_path.len() && p.starts_with(place.host_path))
        .collect();
    review_chain(place.review_levels, &between)
}

/// Whether the caller decides at the chain's step `index`: the host's organisers at the last;
/// before it, organisers of that level's organisation who are not also over the next level.
fn decides_at(actor: &Actor, place: &ReviewPlace, chain: &[ChainStep], index: usize) -> bool {
    let path_of = |step: &ChainStep| match step {
        ChainStep::Unit => place.unit_path.to_string(),
        ChainStep::Body(path) => path.clone(),
        ChainStep::Host => place.host_path.to_string(),
    };
    match chain.get(index) {
        Some(ChainStep::Host) => can_manage_competition(actor, place.host_path),
        Some(step) => {
            let next = chain.get(index + 1).map(path_of).unwrap_or_else(|| place.host_path.to_string());
            is_unit_reviewer(actor, &path_of(step), &next)
        }
        None => false,
    }
}

/// Whether the registration waits for this caller's decision.
pub fn awaits(actor: &Actor, ctx: &Context) -> bool {
    awaits_at(actor, &ctx.review_place(), &ctx.registration)
}

/// Whether a registration reviewed at `place` waits for this caller's decision.
pub fn awaits_at(actor: &Actor, place: &ReviewPlace, registration: &RegistrationRow) -> bool {
    let chain = chain_at(place);
    RegistrationStatus::parse(&registration.status)
        .and_then(|st| waiting_step(st, registration.approvals, &chain))
        .is_some_and(|_| decides_at(actor, place, &chain, registration.approvals.max(0) as usize))
}

/// Saves a status change with its trail and audit record, refusing a stale version.
pub fn save_status(
    conn: &mut DbConnection,
    actor: Option<&Actor>,
    mut row: RegistrationRow,
    to: RegistrationStatus,
    action: &str,
    reason: Option<String>,
    now: chrono::NaiveDateTime,
) -> ApiResult<RegistrationRow> {
    let from = row.status.clone();
    let expected = row.version;
    row.status = to.as_str().into();
    row.status_reason = reason.clone().or(row.status_reason);
    row.version += 1;
    row.updated_at = now;
    if !store::registrations::update_if_version(conn, &row, expected)? {
        return Err(ApiError::precondition_failed("the registration changed at the same moment; reload and try again"));
    }
    trail(conn, actor, &row.id, action, &from, to, reason.clone(), now)?;
    let entry = crate::store::audit::AuditEntry {
        actor_user_id: actor.map(|a| a.user_id.as_str()),
        action: &format!("registration.{action}"),
        entity_type: "registration",
        entity_id: Some(&row.id),
        before: Some(serde_json::json!({ "status": from })),
        after: Some(serde_json::json!({ "status": to, "reason": reason })),
        request_id: actor.and_then(|a| a.request_id.as_deref()),
    };
    store::audit::append(conn, entry, now)?;
    Ok(row)
}

/// Edits a registration that was returned for changes (unit, team name, members), at the version read.
pub async fn edit(
    db: &Db,
    actor: Actor,
    id: String,
    expected: i32,
    patch: RegistrationPatch,
    now: NaiveDateTime,
) -> ApiResult<RegistrationOut> {
    db.write(move |conn| {
        let (ctx, s) = load::registration(conn, &actor, &id)?;
        if !(s.is_party || s.unit_reviewer) {
            return Err(ApiError::forbidden("the contestant or the nominating unit edits a registration"));
        }
        check_version(ctx.registration.version, expected)?;
        if ctx.registration.status != RegistrationStatus::Returned.as_str() {
            return Err(ApiError::conflict("not_editable", "only a registration returned for changes can be edited"));
        }
        let mut row = ctx.registration.clone();
        if let Some(unit) = &patch.nominating_org_id {
            let unit_id = parse_id("nominating_org_id", unit)?;
            store::organisations::find(conn, &unit_id)?.ok_or_else(|| {
                ApiError::field("nominating_org_id", "unknown_organisation", "no organisation has this id")
            })?;
            row.nominating_org_id = unit_id;
        }
        if let Some(name) = &patch.team_name {
            row.team_name = Some(text::required("team_name", name, 50)?);
        }
        if let Some(members) = &patch.members {
            // The same checks as at sign-up: who may be named, eligibility, one team per event.
            let unit = store::organisations::find(conn, &row.nominating_org_id)?
                .ok_or_else(|| ApiError::not_found("organisation"))?;
            let team = Team {
                event: &ctx.event,
                competition: &ctx.competition,
                unit: &unit,
                lead: &ctx.person,
                registration_id: &row.id,
            };
            let (rows, reasons) = resolve_members(conn, &actor, &team, members, now)?;
            if !reasons.is_empty() {
                return Err(not_eligible(reasons));
            }
            store::registrations::replace_members(conn, &row.id, &rows)?;
        }
        row.version += 1;
        row.updated_at = now;
        if !store::registrations::update_if_version(conn, &row, expected)? {
            return Err(ApiError::precondition_failed(
                "the registration changed while you were editing it; reload and try again",
            ));
        }
        record(
            conn,
            &actor,
            "registration.edit",
            ("registration", &row.id),
            None,
            Some(serde_json::json!({ "nominating_org_id": row.nominating_org_id, "team_name": row.team_name })),
        )?;
        view(conn, &actor, &row.id)
    })
    .await
}

/// Sends a returned registration back for review, checked again as at sign-up.
pub async fn resubmit(db: &Db, actor: Actor, id: String, now: NaiveDateTime, zone: Zone) -> ApiResult<RegistrationOut> {
    db.write(move |conn| {
        let (ctx, s) = load::registration(conn, &actor, &id)?;
        if !(s.is_party || s.unit_reviewer) {
            return Err(ApiError::forbidden("the contestant or the nominating unit resubmits a registration"));
        }
        if ctx.registration.status != RegistrationStatus::Returned.as_str() {
            return Err(ApiError::conflict("not_returned", "only a registration returned for changes is resubmitted"));
        }
        require_registration_open(&ctx.competition, now, zone)?;
        store::registrations::lock_event(conn, &ctx.event.id)?;
        let reasons =
            eligibility(conn, &ctx.event, &ctx.competition, &ctx.person, &ctx.unit, Some(&ctx.registration.id))?;
        if !reasons.is_empty() {
            return Err(not_eligible(reasons));
        }
        let to = initial_status(s.unit_reviewer, ctx.event.review_levels);
        let mut row = ctx.registration;
        row.approvals = approvals_of(to);
        let row = save_status(conn, Some(&actor), row, to, "resubmit", None, now)?;
        view(conn, &actor, &row.id)
    })
    .await
}

/// Decides a registration at its current review stage (the unit, then the host).
pub async fn decide(
    db: &Db,
    actor: Actor,
    id: String,
    expected: Option<i32>,
    request: ReviewRequest,
    comment: Option<String>,
    now: NaiveDateTime,
) -> ApiResult<RegistrationOut> {
    db.write(move |conn| {
        let row = decide_in(conn, &actor, &id, expected, request.action, comment, now)?;
        view(conn, &actor, &row.id)
    })
    .await
}

/// One review decision inside the caller's transaction: every check comes before the one write,
/// so a refusal leaves nothing behind.
fn decide_in(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    expected: Option<i32>,
    action: ReviewAction,
    comment: Option<String>,
    now: NaiveDateTime,
) -> ApiResult<RegistrationRow> {
    let (ctx, s) = load::registration(conn, actor, id)?;
    if let Some(expected) = expected {
        check_version(ctx.registration.version, expected)?;
    }
    let status =
        RegistrationStatus::parse(&ctx.registration.status).ok_or_else(|| ApiError::internal("unknown status"))?;
    let chain = chain_of(&ctx);
    let approvals = ctx.registration.approvals;
    let stage = waiting_step(status, approvals, &chain).map(ChainStep::stage);
    let allowed = match stage {
        Some(_) => decides_at(actor, &ctx.review_place(), &chain, approvals.max(0) as usize),
        None => s.reviewer(),
    };
    if !allowed {
        return Err(ApiError::forbidden(match stage {
            Some(ReviewStage::Unit) => "this registration waits for its nominating unit's review",
            Some(ReviewStage::Body) => "this registration waits for another level's review",
            _ => "this registration waits for the host organisers' review",
        }));
    }
    let (to, approvals) =
        review_along(status, approvals, action, &chain).map_err(|m| ApiError::conflict("not_awaiting_review", m))?;
    if action == ReviewAction::Approve && ctx.members.iter().any(|m| m.accepted_at.is_none()) {
        return Err(ApiError::conflict(
            "members_pending",
            "a team member has not accepted the invitation yet; it is approved once every member has",
        ));
    }
    if to == RegistrationStatus::Admitted {
        check_level_for_admission(conn, &ctx)?;
    }
    let comp_status = ctx.competition.status()?;
    if !matches!(comp_status, Status::RegistrationOpen | Status::RegistrationClosed) {
        return Err(ApiError::conflict(
            "review_closed",
            format!("reviews happen while registration is open or just closed (the competition is {comp_status})"),
        ));
    }
    let mut row = ctx.registration;
    row.approvals = approvals;
    save_status(conn, Some(actor), row, to, action.as_str(), comment, now)
}

/// The same decision for many registrations at once (a reviewer's selection, up to 500): each
/// decided or refused on its own, with the reason, in one transaction.
pub async fn decide_many(
    db: &Db,
    actor: Actor,
    ids: Vec<String>,
    action: ReviewAction,
    comment: Option<String>,
    now: NaiveDateTime,
) -> ApiResult<BatchReviewOut> {
    db.write(move |conn| {
        let mut out = BatchReviewOut { reviewed: Vec::new(), refused: Vec::new() };
        for id in ids {
            match decide_in(conn, &actor, &id, None, action, comment.clone(), now) {
                Ok(row) => out.reviewed.push(ReviewedOut {
                    registration_id: row.id,
                    status: RegistrationStatus::parse(&row.status).unwrap_or(RegistrationStatus::Submitted),
                }),
                Err(e) if e.status.is_client_error() => {
                    out.refused.push(RefusedReview {
                        registration_id: id,
                        code: e.code.to_string(),
                        message: e.detail,
                    });
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    })
    .await
}

/// Withdraws a registration (the contestant or their unit); a place that falls free passes to the next in line.
pub async fn withdraw(
    db: &Db,
    actor: Actor,
    id: String,
    reason: Option<String>,
    now: NaiveDateTime,
) -> ApiResult<RegistrationOut> {
    db.write(move |conn| {
        let (ctx, s) = load::registration(conn, &actor, &id)?;
        if !(s.is_party || s.unit_reviewer) {
            return Err(ApiError::forbidden("the contestant or the nominating unit withdraws a registration"));
        }
        let status =
            RegistrationStatus::parse(&ctx.registration.status).ok_or_else(|| ApiError::internal("unknown status"))?;
        if !(status.holds_place() || status == RegistrationStatus::Reserve)
            || matches!(status, RegistrationStatus::CheckedIn | RegistrationStatus::Competed)
        {
            return Err(ApiError::conflict("not_withdrawable", format!("a {status} registration cannot be withdrawn")));
        }
        let comp_status = ctx.competition.status()?;
        let qualifier = ctx.registration.origin_competition_id.is_some();
        let open = comp_status == Status::RegistrationOpen
            || (qualifier && matches!(comp_status, Status::RegistrationClosed | Status::RosterPublicity));
        if !open {
            return Err(ApiError::conflict(
                "registration_closed",
                format!("withdrawal is possible until registration closes (the competition is {comp_status})"),
            ));
        }
        let event_id = ctx.event.id.clone();
        let freed = status.holds_place();
        let row = save_status(
            conn,
            Some(&actor),
            ctx.registration,
            RegistrationStatus::Withdrawn,
            if qualifier { "decline" } else { "withdraw" },
            reason,
            now,
        )?;
        if freed && qualifier {
            crate::service::qualifiers::promote_next_in_line(conn, Some(&actor), &event_id, now)?;
        }
        view(conn, &actor, &row.id)
    })
    .await
}

/// A review queue: registrations of competitions the caller hosts, else of units they organise, with counts by status.
pub async fn review_queue(db: &Db, actor: Actor, filter: QueueFilter) -> ApiResult<RegistrationPage> {
    let QueueFilter { limit, after_id, competition_id, event_id, unit_filter, statuses, awaiting_me } = filter;
    db.read(move |conn| {
        // Which registrations the caller may see: those of competitions they host, else those
        // of units they organise.
        let mut units: Option<Vec<String>> = None;
        if let Some(cid) = &competition_id {
            let (competition, host_path, _) =
                store::competitions::find(conn, cid)?.ok_or_else(|| ApiError::not_found("competition"))?;
            if !can_manage_competition(&actor, &host_path) {
                units = Some(units_organised(conn, &actor)?);
            }
            let _ = competition;
        } else if let Some(eid) = &event_id {
            let (event, _, _) = store::events::find(conn, eid)?.ok_or_else(|| ApiError::not_found("event"))?;
            let (_, host_path, _) =
                store::competitions::find(conn, &event.competition_id)?.ok_or_else(|| ApiError::not_found("event"))?;
            if !can_manage_competition(&actor, &host_path) {
                units = Some(units_organised(conn, &actor)?);
            }
        } else if !actor.is_admin() {
            return Err(ApiError::field("competition_id", "required", "name a competition or an event"));
        }
        let nominating_org_ids = match (units, &unit_filter) {
            (Some(mine), Some(f)) => Some(mine.into_iter().filter(|u| u == f).collect()),
            (Some(mine), None) => Some(mine),
            (None, Some(f)) => Some(vec![f.clone()]),
            (None, None) => None,
        };
        let mut filter = RegistrationFilter {
            competition_id,
            event_id,
            statuses: None,
            nominating_org_ids,
            after_id: None,
            limit: i64::MAX,
        };
        let counts = store::registrations::count_by_status(conn, &filter)?
            .into_iter()
            .map(|(status, count)| StatusCount { status, count })
            .collect();
        filter.statuses = statuses;
        filter.after_id = after_id;
        filter.limit = limit + 1;
        let mut items = Vec::new();
        let mut next_cursor = None;
        // Fetch pages until `limit` items that pass the awaiting-me filter are found.
        loop {
            let rows = store::registrations::list(conn, &filter)?;
            let exhausted = rows.len() as i64 <= limit;
            for row in rows.into_iter().take(limit as usize) {
                filter.after_id = Some(row.id.clone());
                let ctx = load::registration_context(conn, row)?;
                let s = load::relation(&actor, &ctx);
                if !s.visible() {
                    continue;
                }
                if awaiting_me && !awaits(&actor, &ctx) {
                    continue;
                }
                let sight = Sight::of(&actor, &s);
                items.push(registration_out(conn, ctx, sight)?);
                if items.len() as i64 == limit {
                    break;
                }
            }
            if items.len() as i64 == limit && !exhausted {
                next_cursor = filter.after_id.clone();
                break;
            }
            if exhausted {
                break;
            }
        }
        Ok(RegistrationPage { items, next_cursor, counts })
    })
    .await
}

/// What a review queue is filtered by (ids checked, statuses known).
pub struct QueueFilter {
    pub limit: i64,
    pub after_id: Option<String>,
    pub competition_id: Option<String>,
    pub event_id: Option<String>,
    pub unit_filter: Option<String>,
    pub statuses: Option<Vec<String>>,
    pub awaiting_me: bool,
}

/// Every check of a sign-up, with every reason, nothing written: an answer, not a refusal, unless the event cannot be seen or the caller may not sign this person up.
pub async fn eligibility_preview(
    db: &Db,
    actor: Actor,
    event_id: String,
    q: EligibilityQuery,
    now: NaiveDateTime,
    zone: Zone,
) -> ApiResult<EligibilityOut> {
    db.read(move |conn| {
        let request = SignUpRequest {
            person_id: q.person_id,
            nominating_org_id: q.nominating_org_id,
            team_name: None,
            members: Vec::new(),
        };
        // Every check of a sign-up, nothing written.
        match prepare_entry(conn, &actor, &event_id, &request, None, now, zone, Purpose::Check).map(|_| ()) {
            Err(e) if e.code == "not_eligible" => Ok(EligibilityOut { eligible: false, reasons: e.errors }),
            // Not seeing the event or the person stays a refusal: a preview tells no more.
            Err(e) if e.status.is_client_error() && !matches!(e.status.as_u16(), 403 | 404) => {
                Ok(EligibilityOut { eligible: false, reasons: vec![Violation::new("registration", e.code, e.detail)] })
            }
            Err(e) => Err(e),
            Ok(()) => Ok(EligibilityOut { eligible: true, reasons: Vec::new() }),
        }
    })
    .await
}

/// The caller's own registrations (as contestant, team member or advisor).
pub async fn my_registrations(db: &Db, actor: Actor, zone: Zone) -> ApiResult<Vec<RegistrationOut>> {
    db.read(move |conn| {
        let Some(person_id) = actor.person_id.clone() else {
            return Ok(Vec::new());
        };
        let rows = store::registrations::of_person(conn, &person_id)?;
        rows.into_iter()
            .map(|r| {
                let mut out = view(conn, &actor, &r.id)?;
                out.score = own_score(conn, &r, zone)?;
                out.own_station = own_station(conn, &r, &person_id)?;
                Ok(out)
            })
            .collect::<ApiResult<Vec<_>>>()
    })
    .await
}

/// The station the person works at, once they are checked in: a team-mate's own where each
/// member works one, else the registration's.
fn own_station(conn: &mut DbConnection, registration: &RegistrationRow, person_id: &str) -> ApiResult<Option<i32>> {
    if !matches!(
        RegistrationStatus::parse(&registration.status),
        Some(RegistrationStatus::CheckedIn | RegistrationStatus::Competed)
    ) {
        return Ok(None);
    }
    if registration.person_id != person_id {
        if let Some(own) = store::draws::member_station(conn, &registration.id, person_id)? {
            return Ok(Some(own));
        }
    }
    Ok(store::draws::station_of(conn, &registration.id)?)
}

/// The registration's score as last announced (published) to the contestants, with the appeal
/// deadline; nothing while the results are only computed.
fn own_score(conn: &mut DbConnection, registration: &RegistrationRow, zone: Zone) -> ApiResult<Option<OwnScore>> {
    use crate::domain::scoring::from_centi;
    let Some(set) = store::results::latest_published(conn, &registration.event_id)? else { return Ok(None) };
    let Some(row) = store::results::row_of(conn, &set.id, &registration.id)? else { return Ok(None) };
    Ok(Some(OwnScore {
        rank: row.rank,
        theory: from_centi(row.theory_centi),
        practical: from_centi(row.practical_centi),
        total: from_centi(row.total_centi),
        result_status: set.status,
        published_at: utc(set.published_at.unwrap_or(set.computed_at)),
        appeal_deadline: crate::service::appeals::appeal_deadline(conn, &registration.event_id, zone)?.map(utc),
    }))
}

/// One registration with its review trail, as the caller may see it.
pub async fn get_registration(db: &Db, actor: Actor, id: String) -> ApiResult<RegistrationOut> {
    db.read(move |conn| view(conn, &actor, &id)).await
}

/// Signs up for an event while registration is open; a retry with the same key gets the first
/// answer and registers nothing twice.
pub async fn sign_up(
    db: &Db,
    actor: Actor,
    retry: Retry,
    event_id: String,
    request: SignUpRequest,
    now: NaiveDateTime,
    zone: Zone,
) -> ApiResult<Once> {
    run_once(db, &actor, retry, 201, now, move |conn, actor| {
        let row = enter(conn, actor, &event_id, &request, None, now, zone)?;
        view(conn, actor, &row.id)
    })
    .await
}

/// A team member answers the captain's invitation: accepting joins the team; declining takes
/// them off it (answered with nothing: they no longer see it) and returns the registration to
/// the captain to name someone else.
pub async fn answer_invitation(
    db: &Db,
    actor: Actor,
    id: String,
    accept: bool,
    now: NaiveDateTime,
) -> ApiResult<Option<RegistrationOut>> {
    db.write(move |conn| {
        let (ctx, _) = load::registration(conn, &actor, &id)?;
        let invited = actor
            .person_id
            .as_deref()
            .and_then(|p| ctx.members.iter().find(|m| m.person_id == p && m.accepted_at.is_none()));
        let Some(member) = invited.cloned() else {
            return Err(ApiError::conflict("no_invitation", "you have no open invitation to this team"));
        };
        if accept {
            store::registrations::accept_membership(conn, &ctx.registration.id, &member.person_id, now)?;
            record(conn, &actor, "registration.member_accept", ("registration", &ctx.registration.id), None, None)?;
        } else {
            store::registrations::remove_member(conn, &ctx.registration.id, &member.person_id)?;
            record(conn, &actor, "registration.member_decline", ("registration", &ctx.registration.id), None, None)?;
            let status = RegistrationStatus::parse(&ctx.registration.status);
            if status.is_some_and(|s| waiting_step(s, ctx.registration.approvals, &chain_of(&ctx)).is_some()) {
                let reason = Some("a team member declined the invitation: name another member".to_string());
                let mut row = ctx.registration.clone();
                row.approvals = 0;
                save_status(conn, Some(&actor), row, RegistrationStatus::Returned, "member_declined", reason, now)?;
            }
            return Ok(None);
        }
        Ok(Some(view(conn, &actor, &ctx.registration.id)?))
    })
    .await
}
