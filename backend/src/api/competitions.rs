//! Competitions across the five tiers: their shape (category, tier, class, host and co-organisers),
//! calendar, the chain of `feeds_into`, the lifecycle with its preconditions, and upgrade
//! applications to the tier above.

use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{etag, if_match_version, parse_id, record, split_page, JsonBody, PageParams, ProblemResponses};
use crate::auth::policy::can_manage_competition;
use crate::auth::Actor;
use crate::domain::competition::{Status, DEFAULT_ROSTER_PUBLICITY_DAYS};
use crate::domain::{keep, text, Violation};
use crate::error::{ApiError, ApiResult};
use crate::service;
use crate::service::competitions::{
    check_bodies, check_shape, check_target, competition_cursor, competition_out, competition_outs, optional_text,
    region_prefix, upgrade_out,
};
use crate::store::competitions::{CompetitionFilter, CompetitionRow};
use crate::store::{self, audit::snapshot, new_id};
use crate::wire::competitions::{
    CompetitionDetail, CompetitionOut, CompetitionPage, CompetitionPatch, NewCompetition, TransitionRequest,
    UpgradeDecision, UpgradeOut, UpgradeRequest,
};
use crate::wire::competitions::{CompetitionQuery, UpgradeQuery};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_competitions)
        .service(create_competition)
        .service(get_competition)
        .service(update_competition)
        .service(transition_competition)
        .service(apply_for_upgrade)
        .service(list_upgrade_applications)
        .service(decide_upgrade);
}

/// Competitions, filtered, newest first. Everyone sees published ones; organisers also see their
/// drafts.
#[utoipa::path(tag = "competitions", params(CompetitionQuery), responses((status = 200, body = CompetitionPage), ProblemResponses))]
#[get("/competitions")]
pub async fn list_competitions(
    state: web::Data<AppState>,
    actor: Option<Actor>,
    query: web::Query<CompetitionQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageParams { limit: q.limit, cursor: q.cursor.clone() };
    let limit = page.limit()?;
    if let Some(region) = &q.region {
        if !crate::domain::organisation::is_region_code(region) {
            return Err(ApiError::field("region", "invalid_region_code", "a region code is six digits (GB/T 2260)"));
        }
    }
    let trade_id = q.trade_id.as_deref().map(|v| parse_id("trade_id", v)).transpose()?;
    let drafts_within = match &actor {
        Some(a) if a.is_admin() => None,
        Some(a) => Some(a.scope_paths(&[crate::domain::role::Role::Organiser])),
        None => Some(Vec::new()),
    };
    let mut filter = CompetitionFilter {
        year: q.year,
        tier: q.tier.map(|t| t.as_str().to_string()),
        category: q.category.map(|c| c.as_str().to_string()),
        status: q.status.map(|s| s.as_str().to_string()),
        is_season: q.season,
        region_prefix: q.region.as_deref().map(region_prefix),
        ids: None,
        name_contains: text::optional("q", q.q.as_deref(), 100)?,
        drafts_within,
        after: competition_cursor(q.cursor.as_deref())?,
        limit: limit + 1,
    };
    let out = state
        .db
        .read(move |conn| {
            if let Some(trade) = &trade_id {
                filter.ids = Some(store::competitions::with_trade(conn, trade)?);
            }
            let rows = store::competitions::list(conn, &filter)?;
            let (rows, next_cursor) = split_page(rows, limit, |r| format!("{}_{}", r.0.starts_on, r.0.id));
            let items = competition_outs(conn, rows)?;
            Ok(CompetitionPage { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-cache")).json(out))
}

/// Creates a competition (as a draft) hosted by an organisation within the caller's subtree.
#[utoipa::path(tag = "competitions", request_body = NewCompetition, responses((status = 201, body = CompetitionOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[post("/competitions")]
pub async fn create_competition(
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody<NewCompetition>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let input = body.0;
    let mut violations = Vec::new();
    let name = keep(&mut violations, text::required("name", &input.name, 100));
    let major_project = optional_text(&mut violations, "major_project", input.major_project.as_deref(), 100);
    let description = optional_text(&mut violations, "description", input.description.as_deref(), 2000);
    if input.edition.is_some_and(|e| !(1..=200).contains(&e)) {
        violations.push(Violation::new("edition", "out_of_range", "an edition number is 1 to 200"));
    }
    let host_org_id = keep(
        &mut violations,
        uuid::Uuid::parse_str(&input.host_org_id)
            .map(|u| u.to_string())
            .map_err(|_| Violation::new("host_org_id", "invalid_id", "must be an organisation id")),
    );
    let feeds_into_id = input.feeds_into_id.as_deref().map(|v| parse_id("feeds_into_id", v)).transpose()?;
    if !violations.is_empty() {
        return Err(ApiError::validation(violations));
    }
    let at = now;
    let row = CompetitionRow {
        id: new_id(),
        name: name.unwrap_or_default(),
        edition: input.edition,
        year: input.year,
        category: input.category.as_str().into(),
        tier: input.tier.as_str().into(),
        class: input.class.as_str().into(),
        host_org_id: host_org_id.unwrap_or_default(),
        is_season: input.is_season,
        major_project,
        description,
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        registration_opens_at: input.registration_opens_at.map(|t| crate::db::truncate_to_micros(t.naive_utc())),
        registration_closes_at: input.registration_closes_at.map(|t| crate::db::truncate_to_micros(t.naive_utc())),
        feeds_into_id,
        recognised_tier: None,
        status: Status::Draft.as_str().into(),
        status_reason: None,
        roster_publicity_days: input.roster_publicity_days.unwrap_or(DEFAULT_ROSTER_PUBLICITY_DAYS),
        results_publicity_days: input
            .results_publicity_days
            .unwrap_or(crate::domain::competition::RESULTS_PUBLICITY_WORKING_DAYS),
        version: 1,
        created_by: Some(actor.user_id.clone()),
        created_at: at,
        updated_at: at,
    };
    let out = state
        .db
        .write(move |conn| {
            let host = check_shape(conn, &row, zone)?;
            if !can_manage_competition(&actor, &host.path) {
                return Err(ApiError::forbidden("you can only create competitions hosted within your own subtree"));
            }
            check_target(conn, &row)?;
            let bodies = check_bodies(conn, &row.id, &row.host_org_id, &input.bodies)?;
            store::competitions::insert(conn, &row)?;
            store::competitions::replace_bodies(conn, &row.id, &bodies)?;
            let out = competition_out(conn, (row, host.path, host.name))?;
            record(conn, &actor, "competition.create", ("competition", &out.id), None, snapshot(&out))?;
            Ok(out)
        })
        .await?;
    let version = out.version;
    Ok(respond(actix_web::http::StatusCode::CREATED, out, version))
}

/// One competition with its events and its place in the tier chain.
#[utoipa::path(tag = "competitions", responses((status = 200, body = CompetitionDetail, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses))]
#[get("/competitions/{id}")]
pub async fn get_competition(
    state: web::Data<AppState>,
    actor: Option<Actor>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let detail = service::competitions::get_competition(&state.db, actor, id).await?;
    let version = detail.competition.version;
    Ok(respond(actix_web::http::StatusCode::OK, detail, version))
}

/// Changes a competition. Needs `If-Match`. Its shape and calendar change only before registration
/// opens; while registration is open the deadline may still move; the description and where it
/// feeds may change until results are final.
#[utoipa::path(tag = "competitions", request_body = CompetitionPatch, params(("If-Match" = String, Header, description = "ETag of the version read")), responses((status = 200, body = CompetitionOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[patch("/competitions/{id}")]
pub async fn update_competition(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<CompetitionPatch>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let expected = if_match_version(&req)?;
    let patch = body.0;
    let out = service::competitions::update_competition(&state.db, actor, zone, now, id, expected, patch).await?;
    let version = out.version;
    Ok(respond(actix_web::http::StatusCode::OK, out, version))
}

/// Moves a competition along its lifecycle. An impossible step is a 409 `transition_not_allowed`
/// naming the allowed ones; a possible step whose conditions are unmet is a 409
/// `preconditions_unmet` listing each.
#[utoipa::path(tag = "competitions", request_body = TransitionRequest, params(("If-Match" = Option<String>, Header, description = "optional: refuse if the competition changed")), responses((status = 200, body = CompetitionOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[post("/competitions/{id}/transitions")]
pub async fn transition_competition(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<TransitionRequest>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let expected = super::optional_if_match(&req)?;
    let request = body.0;
    let reason = text::optional("reason", request.reason.as_deref(), 500)?;
    let out = service::competitions::transition_competition(&state.db, actor, zone, now, id, expected, request, reason)
        .await?;
    let version = out.version;
    Ok(respond(actix_web::http::StatusCode::OK, out, version))
}

/// Puts a competition forward for recognition one tier up: a county or prefecture competition to
/// the tier above, a provincial one (省级示范性) for national leading status (全国引领性). The
/// organisers of the host's ancestor at that tier decide.
#[utoipa::path(tag = "competitions", request_body = UpgradeRequest, responses((status = 201, body = UpgradeOut), ProblemResponses), security(("bearer" = [])))]
#[post("/competitions/{id}/upgrade-applications")]
pub async fn apply_for_upgrade(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<UpgradeRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let statement = text::required("statement", &body.0.statement, 2000)?;
    let out = service::competitions::apply_for_upgrade(&state.db, actor, now, id, statement).await?;
    Ok(HttpResponse::Created().json(out))
}

/// The upgrade applications the caller reviews.
#[utoipa::path(tag = "competitions", params(UpgradeQuery), responses((status = 200, body = [UpgradeOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/upgrade-applications")]
pub async fn list_upgrade_applications(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<UpgradeQuery>,
) -> ApiResult<HttpResponse> {
    let status = query.into_inner().status.unwrap_or_else(|| "pending".into());
    if !matches!(status.as_str(), "pending" | "approved" | "refused") {
        return Err(ApiError::field("status", "invalid_value", "pending, approved or refused"));
    }
    let paths = (!actor.is_admin()).then(|| actor.scope_paths(&[crate::domain::role::Role::Organiser]));
    let rows = state
        .db
        .read(move |conn| Ok(store::competitions::upgrades_for_reviewers(conn, paths.as_deref(), Some(&status), 500)?))
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(upgrade_out).collect::<Vec<_>>()))
}

/// Approves or refuses an upgrade application (the higher tier's organisers).
#[utoipa::path(tag = "competitions", request_body = UpgradeDecision, responses((status = 200, body = UpgradeOut), ProblemResponses), security(("bearer" = [])))]
#[post("/upgrade-applications/{id}/decision")]
pub async fn decide_upgrade(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<UpgradeDecision>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let decision = body.0;
    let reason = text::optional("reason", decision.reason.as_deref(), 1000)?;
    if !decision.approve && reason.is_none() {
        return Err(ApiError::field("reason", "required", "say why the application is refused"));
    }
    let out = service::competitions::decide_upgrade(&state.db, actor, now, id, decision, reason).await?;
    Ok(HttpResponse::Ok().json(out))
}

fn respond(status: actix_web::http::StatusCode, out: impl Serialize, version: i32) -> HttpResponse {
    HttpResponse::build(status).insert_header((header::ETAG, etag(version))).json(out)
}
