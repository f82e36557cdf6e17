//! Registration: sign-up (by contestants, or by their nominating unit on their behalf), the
//! automatic eligibility check, review at the unit and the host, return / resubmit, withdrawal,
//! review queues with counts, and a person's own registrations.

use actix_web::http::{header, StatusCode};
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::wire::persons::{credential_out, CredentialOut};
use super::{
    check_version, etag, if_match_version, parse_id, record, utc, JsonBody, JsonWithBytes, PageParams, ProblemResponses,
};
use crate::service::load::{self, Context, Relation};
use crate::auth::policy::{can_manage_competition, is_unit_reviewer};
use crate::auth::{sha256_hex, Actor};
use crate::db::DbConnection;
use crate::domain::competition::Status;
use crate::domain::event::{overlapping, EventMode, Sitting, Track};
use crate::domain::id_card::mask_id_number;
use crate::domain::organisation::OrgKind;
use crate::domain::person::{held_levels, CredentialStatus};
use crate::domain::registration::{
    check_eligibility, initial_status, level_awaits_verification, review, review_stage, Candidate, EligibilityRules,
    RegistrationStatus, ReviewAction, ReviewStage, Standing,
};
use crate::domain::role::Role;
use crate::domain::{text, Violation};
use crate::error::{ApiError, ApiResult};
use crate::store::competitions::CompetitionRow;
use crate::store::events::EventRow;
use crate::store::organisations::OrganisationRow;
use crate::store::persons::{CredentialRow, PersonRow};
use crate::store::registrations::{MemberRow, RegistrationFilter, RegistrationRow, ReviewRow};
use crate::store::{self, new_id};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(sign_up)
        .service(check_my_eligibility)
        .service(my_registrations)
        .service(list_registrations)
        .service(get_registration)
        .service(edit_registration)
        .service(resubmit_registration)
        .service(review_registration)
        .service(withdraw_registration);
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonBrief {
    pub id: String,
    pub full_name: String,
    /// Masked unless the caller is the person or a reviewer.
    pub id_number: String,
    pub gender: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberOut {
    pub person: PersonBrief,
    /// member or advisor (指导教师).
    pub role: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewTrailEntry {
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Origin {
    /// The lower-tier competition the contestant qualified in.
    pub competition_id: Option<String>,
    pub event_id: Option<String>,
    pub rank: Option<i32>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistrationOut {
    pub id: String,
    pub event_id: String,
    pub event_name: String,
    pub competition_id: String,
    pub competition_name: String,
    pub person: PersonBrief,
    pub team_name: Option<String>,
    pub members: Vec<MemberOut>,
    /// 推荐单位
    pub nominating_org_id: String,
    pub nominating_org_name: String,
    pub status: RegistrationStatus,
    /// Who decides next: the nominating unit or the host's organisers.
    pub review_stage: Option<ReviewStage>,
    pub origin: Option<Origin>,
    /// Place on the reserve list (候补).
    pub reserve_rank: Option<i32>,
    /// 准考证号, once the roster is final.
    pub ticket_number: Option<String>,
    /// The reason of the last return, rejection or withdrawal.
    pub status_reason: Option<String>,
    /// The review trail, oldest first.
    pub reviews: Vec<ReviewTrailEntry>,
    /// The person's skill credentials with their status, for the person and the reviewers
    /// (empty for others).
    pub credentials: Vec<CredentialOut>,
    /// Set when the event's minimum level is met only by a level the person declared and no
    /// reviewer has verified (已申报，未核验): admission waits for its verification.
    pub unverified_level: Option<i32>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn brief(person: &PersonRow, whole_number: bool) -> PersonBrief {
    PersonBrief {
        id: person.id.clone(),
        full_name: person.full_name.clone(),
        id_number: if whole_number { person.id_number.clone() } else { mask_id_number(&person.id_number) },
        gender: person.gender.clone(),
    }
}

pub fn registration_out(conn: &mut DbConnection, ctx: Context, whole_numbers: bool) -> ApiResult<RegistrationOut> {
    let status = RegistrationStatus::parse(&ctx.registration.status)
        .ok_or_else(|| ApiError::internal("unknown registration status"))?;
    let mut members = Vec::new();
    for m in &ctx.members {
        if let Some((p, _)) = store::persons::find(conn, &m.person_id)? {
            members.push(MemberOut { person: brief(&p, whole_numbers), role: m.role.clone() });
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
    let (credentials, unverified_level) = if whole_numbers {
        let credentials = store::persons::credentials_of(conn, &ctx.person.id)?;
        let candidate = candidate_with(&ctx.person, &ctx.unit, &credentials);
        let unverified = level_awaits_verification(&candidate, &eligibility_rules(&ctx.event));
        (credentials.into_iter().map(credential_out).collect(), unverified)
    } else {
        (Vec::new(), None)
    };
    let r = ctx.registration;
    Ok(RegistrationOut {
        credentials,
        unverified_level,
        review_stage: review_stage(status, ctx.event.review_levels),
        status,
        origin: r.origin_competition_id.is_some().then(|| Origin {
            competition_id: r.origin_competition_id.clone(),
            event_id: r.origin_event_id.clone(),
            rank: r.origin_rank,
        }),
        person: brief(&ctx.person, whole_numbers),
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
        version: r.version,
        created_at: utc(r.created_at),
        updated_at: utc(r.updated_at),
    })
}

/// Reads back a registration as the caller sees it.
pub fn view(conn: &mut DbConnection, actor: &Actor, id: &str) -> ApiResult<RegistrationOut> {
    let (ctx, s) = load::registration(conn, actor, id)?;
    let whole = s.is_party || s.reviewer();
    registration_out(conn, ctx, whole)
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

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub person_id: String,
    /// member (default) or advisor (指导教师).
    pub role: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignUpRequest {
    /// Who competes (a team's captain). Default: the caller's own profile.
    pub person_id: Option<String>,
    /// 推荐单位. Default: the person's employer.
    pub nominating_org_id: Option<String>,
    /// Team events: the team's name.
    pub team_name: Option<String>,
    /// Team events: the other members and advisors.
    #[serde(default)]
    pub members: Vec<MemberInput>,
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

fn candidate_with(person: &PersonRow, unit: &OrganisationRow, credentials: &[CredentialRow]) -> Candidate {
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
fn check_level_for_admission(conn: &mut DbConnection, ctx: &Context) -> ApiResult<()> {
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
    let standing = Standing {
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

fn not_eligible(reasons: Vec<Violation>) -> ApiError {
    let detail = reasons.iter().map(|r| r.message.clone()).collect::<Vec<_>>().join("; ");
    ApiError {
        errors: reasons,
        ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "not_eligible", format!("not eligible: {detail}"))
    }
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
    let (person, _) = store::persons::find(conn, &person_id)?
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
    if mode == EventMode::Team {
        if team_name.is_none() {
            return Err(ApiError::field("team_name", "required", "a team event needs the team's name"));
        }
        let mut seen = vec![person.id.clone()];
        for (i, m) in request.members.iter().enumerate() {
            let field = format!("members[{i}].person_id");
            let member_id = parse_id(&field, &m.person_id)?;
            if seen.contains(&member_id) {
                return Err(ApiError::field(&field, "duplicate_member", "each person is in the team once"));
            }
            seen.push(member_id.clone());
            let role = m.role.clone().unwrap_or_else(|| "member".into());
            if !matches!(role.as_str(), "member" | "advisor") {
                return Err(ApiError::field(&format!("members[{i}].role"), "invalid_value", "member or advisor"));
            }
            let (member, _) = store::persons::find(conn, &member_id)?
                .ok_or_else(|| ApiError::field(&field, "unknown_person", "no person has this id"))?;
            if role == "member" {
                for r in eligibility(conn, &event, &competition, &member, &unit, None)? {
                    if !matches!(r.code.as_str(), "quota_full" | "unit_quota_full") {
                        reasons.push(Violation::new(&field, &r.code, format!("{}: {}", member.full_name, r.message)));
                    }
                }
                if store::registrations::is_member_elsewhere(conn, &event.id, &member.id, &registration_id)? {
                    reasons.push(Violation::new(
                        &field,
                        "already_registered",
                        format!("{} is already in another team of this event", member.full_name),
                    ));
                }
            }
            members.push(MemberRow {
                id: new_id(),
                registration_id: registration_id.clone(),
                person_id: member.id,
                role,
            });
        }
        let competing = 1 + members.iter().filter(|m| m.role == "member").count() as i32;
        if Some(competing) != event.team_size {
            return Err(ApiError::field(
                "members",
                "team_size_mismatch",
                format!("a team has {} contestants; this one has {competing}", event.team_size.unwrap_or(0)),
            ));
        }
    }
    if initial == Some(RegistrationStatus::Reserve) {
        // A reserve waits for a place to fall free: a full event is why it waits.
        reasons.retain(|r| !matches!(r.code.as_str(), "quota_full" | "unit_quota_full"));
    }
    if !reasons.is_empty() {
        return Err(not_eligible(reasons));
    }
    Ok(Entry { event, competition, person, unit, by, team_name, members, registration_id })
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
    };
    store::registrations::insert(conn, &row).map_err(|e| {
        if e.is_duplicate() {
            not_eligible(vec![Violation::new(
                "eligibility",
                "already_registered",
                "the person already has a registration for this event",
            )])
        } else {
            e.into()
        }
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

/// Signs up for an event while registration is open. Send `Idempotency-Key`: a retried request
/// with the same key returns the first answer and registers nothing twice.
#[utoipa::path(tag = "registration", request_body = SignUpRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    responses((status = 201, body = RegistrationOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/registrations")]
pub async fn sign_up(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonWithBytes<SignUpRequest>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let request = body.value;
    let key = idempotency_key(&req)?;
    let request_hash =
        sha256_hex(&format!("POST /events/{event_id}/registrations\n{}", String::from_utf8_lossy(&body.bytes)));
    idempotent(&state, &actor, key, request_hash, StatusCode::CREATED, move |conn, actor| {
        let row = enter(conn, actor, &event_id, &request, None, now, zone)?;
        view(conn, actor, &row.id)
    })
    .await
}

/// The `Idempotency-Key` header: 1 to 200 visible characters.
pub fn idempotency_key(req: &HttpRequest) -> ApiResult<Option<String>> {
    match req.headers().get("Idempotency-Key") {
        None => Ok(None),
        Some(v) => {
            let key = v.to_str().unwrap_or_default().trim();
            if key.is_empty() || key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(ApiError::bad_request(
                    "invalid_idempotency_key",
                    "Idempotency-Key is 1 to 200 visible ASCII characters",
                ));
            }
            Ok(Some(key.to_string()))
        }
    }
}

/// Runs a write once per (user, key): the key is claimed first in the same transaction, so a
/// retry — even one racing the first request — gets the stored answer and writes nothing.
pub async fn idempotent<T, F>(
    state: &AppState,
    actor: &Actor,
    key: Option<String>,
    request_hash: String,
    status: StatusCode,
    work: F,
) -> ApiResult<HttpResponse>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&mut DbConnection, &Actor) -> ApiResult<T> + Send + 'static,
{
    let now = state.clock.now();
    use store::idempotency::IdempotencyRow;
    let Some(key) = key else {
        let a = actor.clone();
        let out = state.db.write(move |conn| work(conn, &a)).await?;
        return Ok(HttpResponse::build(status).json(out));
    };
    let replay = |row: IdempotencyRow, hash: &str| -> ApiResult<HttpResponse> {
        if row.request_hash != hash {
            return Err(ApiError::field(
                "Idempotency-Key",
                "idempotency_key_reused",
                "this key was used for a different request",
            ));
        }
        Ok(HttpResponse::build(StatusCode::from_u16(row.response_status as u16).unwrap_or(status))
            .content_type("application/json")
            .insert_header(("Idempotent-Replayed", "true"))
            .body(row.response_body))
    };
    let (a, k, h) = (actor.clone(), key.clone(), request_hash.clone());
    let result = state
        .db
        .write(move |conn| {
            if let Some(existing) = store::idempotency::find(conn, &a.user_id, &k)? {
                return Ok(Err(existing));
            }
            let claim = IdempotencyRow {
                id: new_id(),
                user_id: a.user_id.clone(),
                idempotency_key: k,
                request_hash: h,
                response_status: 0,
                response_body: String::new(),
                created_at: now,
            };
            store::idempotency::claim(conn, &claim)?;
            let out = work(conn, &a)?;
            let body = serde_json::to_string(&out).map_err(|e| ApiError::internal(e.to_string()))?;
            store::idempotency::complete(conn, &claim.id, status.as_u16() as i32, &body)?;
            Ok(Ok(body))
        })
        .await;
    match result {
        Ok(Ok(body)) => Ok(HttpResponse::build(status).content_type("application/json").body(body)),
        Ok(Err(existing)) => replay(existing, &request_hash),
        Err(e) => {
            // A concurrent request with the same key got in first: answer as it did.
            let (user, k) = (actor.user_id.clone(), key.clone());
            match state.db.read(move |conn| Ok(store::idempotency::find(conn, &user, &k)?)).await? {
                Some(existing) if existing.response_status > 0 => replay(existing, &request_hash),
                _ => Err(e),
            }
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EligibilityQuery {
    /// Default: the caller's own profile.
    pub person_id: Option<String>,
    /// Default: the person's employer.
    pub nominating_org_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityOut {
    pub eligible: bool,
    /// Each reason the person may not sign up now.
    pub reasons: Vec<Violation>,
}

/// Checks eligibility before signing up, with every reason (nothing is written).
#[utoipa::path(tag = "registration", params(EligibilityQuery), responses((status = 200, body = EligibilityOut), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/eligibility")]
pub async fn check_my_eligibility(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    query: web::Query<EligibilityQuery>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let q = query.into_inner();
    let out = state
        .db
        .read(move |conn| {
            let request = SignUpRequest {
                person_id: q.person_id,
                nominating_org_id: q.nominating_org_id,
                team_name: None,
                members: Vec::new(),
            };
            // Every check of a sign-up, nothing written.
            match prepare_entry(conn, &actor, &event_id, &request, None, now, zone, Purpose::Check).map(|_| ()) {
                Err(e) if e.code == "not_eligible" => Ok(EligibilityOut { eligible: false, reasons: e.errors }),
                Err(e)
                    if e.status.is_client_error()
                        && e.status != StatusCode::NOT_FOUND
                        && e.status != StatusCode::FORBIDDEN =>
                {
                    Ok(EligibilityOut {
                        eligible: false,
                        reasons: vec![Violation::new("registration", e.code, e.detail)],
                    })
                }
                Err(e) => Err(e),
                Ok(()) => Ok(EligibilityOut { eligible: true, reasons: Vec::new() }),
            }
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The caller's own registrations (as contestant, team member or advisor).
#[utoipa::path(tag = "registration", responses((status = 200, body = [RegistrationOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/me/registrations")]
pub async fn my_registrations(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    let out = state
        .db
        .read(move |conn| {
            let Some(person_id) = actor.person_id.clone() else {
                return Ok(Vec::new());
            };
            let rows = store::registrations::of_person(conn, &person_id)?;
            rows.into_iter().map(|r| view(conn, &actor, &r.id)).collect::<ApiResult<Vec<_>>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    pub competition_id: Option<String>,
    pub event_id: Option<String>,
    /// Comma-separated statuses, e.g. `submitted,unit_approved`.
    pub status: Option<String>,
    pub nominating_org_id: Option<String>,
    /// Only what waits for the caller's own decision.
    pub awaiting_me: Option<bool>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusCount {
    pub status: String,
    pub count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct RegistrationPage {
    pub items: Vec<RegistrationOut>,
    pub next_cursor: Option<String>,
    /// Counts by status over the same filter (without paging and status filter).
    pub counts: Vec<StatusCount>,
}

/// Review queues: registrations of competitions the caller runs, or of units they organise.
#[utoipa::path(tag = "registration", params(QueueQuery), responses((status = 200, body = RegistrationPage), ProblemResponses), security(("bearer" = [])))]
#[get("/registrations")]
pub async fn list_registrations(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<QueueQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageParams { limit: q.limit, cursor: q.cursor.clone() };
    let limit = page.limit()?;
    let after_id = page.cursor_id()?;
    let competition_id = q.competition_id.as_deref().map(|v| parse_id("competition_id", v)).transpose()?;
    let event_id = q.event_id.as_deref().map(|v| parse_id("event_id", v)).transpose()?;
    let unit_filter = q.nominating_org_id.as_deref().map(|v| parse_id("nominating_org_id", v)).transpose()?;
    let statuses = match &q.status {
        Some(list) => Some(
            list.split(',')
                .map(|s| {
                    RegistrationStatus::parse(s.trim())
                        .map(|s| s.as_str().to_string())
                        .ok_or_else(|| ApiError::field("status", "invalid_value", format!("unknown status '{s}'")))
                })
                .collect::<ApiResult<Vec<_>>>()?,
        ),
        None => None,
    };
    if !actor.is_admin() && !actor.has_role(Role::Organiser) {
        return Err(ApiError::forbidden("review queues are for organisers; contestants see /me/registrations"));
    }
    let awaiting_me = q.awaiting_me.unwrap_or(false);
    let out = state
        .db
        .read(move |conn| {
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
                let (_, host_path, _) = store::competitions::find(conn, &event.competition_id)?
                    .ok_or_else(|| ApiError::not_found("event"))?;
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
                    if awaiting_me && !awaits(&ctx, &s) {
                        continue;
                    }
                    items.push(registration_out(conn, ctx, s.reviewer())?);
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
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Ids of the organisations in the caller's organiser subtrees.
fn units_organised(conn: &mut DbConnection, actor: &Actor) -> ApiResult<Vec<String>> {
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

/// Whether the registration waits for this caller's decision.
fn awaits(ctx: &Context, s: &Relation) -> bool {
    match RegistrationStatus::parse(&ctx.registration.status).and_then(|st| review_stage(st, ctx.event.review_levels)) {
        Some(ReviewStage::Unit) => s.unit_reviewer,
        Some(ReviewStage::Host) => s.host_reviewer,
        None => false,
    }
}

/// One registration with its review trail.
#[utoipa::path(tag = "registration", responses((status = 200, body = RegistrationOut), ProblemResponses), security(("bearer" = [])))]
#[get("/registrations/{id}")]
pub async fn get_registration(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let out = state.db.read(move |conn| view(conn, &actor, &id)).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(out.version))).json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationPatch {
    pub nominating_org_id: Option<String>,
    pub team_name: Option<String>,
    pub members: Option<Vec<MemberInput>>,
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

/// Edits a registration that was returned for changes. Needs `If-Match`.
#[utoipa::path(tag = "registration", request_body = RegistrationPatch, params(("If-Match" = String, Header, description = "ETag of the version read")), responses((status = 200, body = RegistrationOut), ProblemResponses), security(("bearer" = [])))]
#[patch("/registrations/{id}")]
pub async fn edit_registration(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<RegistrationPatch>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let expected = if_match_version(&req)?;
    let patch = body.0;
    let out = state
        .db
        .write(move |conn| {
            let (ctx, s) = load::registration(conn, &actor, &id)?;
            if !(s.is_party || s.unit_reviewer) {
                return Err(ApiError::forbidden("the contestant or the nominating unit edits a registration"));
            }
            check_version(ctx.registration.version, expected)?;
            if ctx.registration.status != RegistrationStatus::Returned.as_str() {
                return Err(ApiError::conflict(
                    "not_editable",
                    "only a registration returned for changes can be edited",
                ));
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
                let rows = members
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        Ok(MemberRow {
                            id: new_id(),
                            registration_id: row.id.clone(),
                            person_id: parse_id(&format!("members[{i}].person_id"), &m.person_id)?,
                            role: m.role.clone().unwrap_or_else(|| "member".into()),
                        })
                    })
                    .collect::<ApiResult<Vec<_>>>()?;
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
        .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(out.version))).json(out))
}

/// Submits a returned registration again; eligibility is checked anew.
#[utoipa::path(tag = "registration", responses((status = 200, body = RegistrationOut), ProblemResponses), security(("bearer" = [])))]
#[post("/registrations/{id}/resubmit")]
pub async fn resubmit_registration(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let out = state
        .db
        .write(move |conn| {
            let (ctx, s) = load::registration(conn, &actor, &id)?;
            if !(s.is_party || s.unit_reviewer) {
                return Err(ApiError::forbidden("the contestant or the nominating unit resubmits a registration"));
            }
            if ctx.registration.status != RegistrationStatus::Returned.as_str() {
                return Err(ApiError::conflict(
                    "not_returned",
                    "only a registration returned for changes is resubmitted",
                ));
            }
            require_registration_open(&ctx.competition, now, zone)?;
            store::registrations::lock_event(conn, &ctx.event.id)?;
            let reasons =
                eligibility(conn, &ctx.event, &ctx.competition, &ctx.person, &ctx.unit, Some(&ctx.registration.id))?;
            if !reasons.is_empty() {
                return Err(not_eligible(reasons));
            }
            let to = initial_status(s.unit_reviewer, ctx.event.review_levels);
            let row = save_status(conn, Some(&actor), ctx.registration, to, "resubmit", None, now)?;
            view(conn, &actor, &row.id)
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(out.version))).json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub action: ReviewAction,
    /// Required to return or reject: what to change, or why.
    pub comment: Option<String>,
}

/// Decides a registration at its current review stage: the nominating unit's organisers first
/// (where the event has two levels), then the host's organisers.
#[utoipa::path(tag = "registration", request_body = ReviewRequest, params(("If-Match" = Option<String>, Header, description = "optional: refuse if it changed")), responses((status = 200, body = RegistrationOut), ProblemResponses), security(("bearer" = [])))]
#[post("/registrations/{id}/review")]
pub async fn review_registration(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<ReviewRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let expected = super::optional_if_match(&req)?;
    let request = body.0;
    let comment = text::optional("comment", request.comment.as_deref(), 500)?;
    if request.action != ReviewAction::Approve && comment.is_none() {
        return Err(ApiError::field("comment", "required", "say what to change, or why the registration is refused"));
    }
    let out = state
        .db
        .write(move |conn| {
            let (ctx, s) = load::registration(conn, &actor, &id)?;
            if let Some(expected) = expected {
                check_version(ctx.registration.version, expected)?;
            }
            let status = RegistrationStatus::parse(&ctx.registration.status)
                .ok_or_else(|| ApiError::internal("unknown status"))?;
            let stage = review_stage(status, ctx.event.review_levels);
            let allowed = match stage {
                Some(ReviewStage::Unit) => s.unit_reviewer,
                Some(ReviewStage::Host) => s.host_reviewer,
                None => s.reviewer(),
            };
            if !allowed {
                return Err(ApiError::forbidden(match stage {
                    Some(ReviewStage::Unit) => "this registration waits for its nominating unit's review",
                    _ => "this registration waits for the host organisers' review",
                }));
            }
            let to = review(status, request.action, ctx.event.review_levels)
                .map_err(|m| ApiError::conflict("not_awaiting_review", m))?;
            if to == RegistrationStatus::Admitted {
                check_level_for_admission(conn, &ctx)?;
            }
            let comp_status = ctx.competition.status()?;
            if !matches!(comp_status, Status::RegistrationOpen | Status::RegistrationClosed) {
                return Err(ApiError::conflict(
                    "review_closed",
                    format!(
                        "reviews happen while registration is open or just closed (the competition is {comp_status})"
                    ),
                ));
            }
            let row = save_status(conn, Some(&actor), ctx.registration, to, request.action.as_str(), comment, now)?;
            view(conn, &actor, &row.id)
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(out.version))).json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawRequest {
    pub reason: Option<String>,
}

/// Withdraws a registration: the contestant or their unit, before registration closes. A
/// qualifier may decline a place until the roster is final; the place passes to the next in line.
#[utoipa::path(tag = "registration", request_body = WithdrawRequest, responses((status = 200, body = RegistrationOut), ProblemResponses), security(("bearer" = [])))]
#[post("/registrations/{id}/withdraw")]
pub async fn withdraw_registration(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<WithdrawRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let reason = text::optional("reason", body.0.reason.as_deref(), 500)?;
    let out = state
        .db
        .write(move |conn| {
            let (ctx, s) = load::registration(conn, &actor, &id)?;
            if !(s.is_party || s.unit_reviewer) {
                return Err(ApiError::forbidden("the contestant or the nominating unit withdraws a registration"));
            }
            let status = RegistrationStatus::parse(&ctx.registration.status)
                .ok_or_else(|| ApiError::internal("unknown status"))?;
            if !(status.holds_place() || status == RegistrationStatus::Reserve)
                || matches!(status, RegistrationStatus::CheckedIn | RegistrationStatus::Competed)
            {
                return Err(ApiError::conflict(
                    "not_withdrawable",
                    format!("a {status} registration cannot be withdrawn"),
                ));
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
                super::roster::promote_next_in_line(conn, Some(&actor), &event_id, now)?;
            }
            view(conn, &actor, &row.id)
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(out.version))).json(out))
}
