//! Staff accounts (organisers, judges, officials) and their role grants. Admins manage everyone;
//! organisers create accounts and grant organiser and judge roles within their own subtree.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{parse_id, JsonBody, PageParams, ProblemResponses};
use crate::auth::hashing::hash_off_thread;
use crate::auth::password::{check_password_policy, normalise_username};
use crate::auth::policy::{can_create_accounts, require_admin};
use crate::auth::Actor;
use crate::domain::role::Role;
use crate::error::{ApiError, ApiResult};
use crate::service;
use crate::store::users::UserFilter;
use crate::wire::auth::ResetLink;
use crate::wire::users::GrantOut;
use crate::wire::users::UserQuery;
use crate::wire::users::{GrantInput, NewUser, UserOut, UserPage, UserPatch};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user)
        .service(add_grant)
        .service(issue_reset_link)
        .service(remove_grant);
}

/// Accounts the caller manages.
#[utoipa::path(tag = "users", params(UserQuery), responses((status = 200, body = UserPage), ProblemResponses), security(("bearer" = [])))]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<UserQuery>,
) -> ApiResult<HttpResponse> {
    if !can_create_accounts(&actor) {
        return Err(ApiError::forbidden("only admins and organisers manage accounts"));
    }
    let q = query.into_inner();
    let page = PageParams { limit: q.limit, cursor: q.cursor.clone() };
    let limit = page.limit()?;
    let filter = UserFilter {
        username_contains: q.q.map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty() && s.len() <= 64),
        within_paths: (!actor.is_admin()).then(|| actor.scope_paths(&[Role::Organiser])),
        role: q.role.map(|r| r.as_str().to_string()),
        after_id: page.cursor_id()?,
        limit: limit + 1,
    };
    let out = service::users::list_users(&state.db, limit, filter).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Creates a staff account, with its first grant.
#[utoipa::path(tag = "users", request_body = NewUser, responses((status = 201, body = UserOut), ProblemResponses), security(("bearer" = [])))]
#[post("/users")]
pub async fn create_user(state: web::Data<AppState>, actor: Actor, body: JsonBody<NewUser>) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    if !can_create_accounts(&actor) {
        return Err(ApiError::forbidden("only admins and organisers create accounts"));
    }
    let NewUser { username, full_name, password, grant } = body.0;
    let username = normalise_username(&username)?;
    let full_name = full_name
        .filter(|n| !n.trim().is_empty())
        .map(|n| crate::domain::text::person_name("full_name", &n))
        .transpose()?;
    check_password_policy(&username, &password)?;
    if grant.is_none() && !actor.is_admin() {
        return Err(ApiError::field("grant", "required", "name the role and organisation the account is for"));
    }
    let password_hash = hash_off_thread(&state.hashing, password).await?;
    let out = service::users::create_user(&state.db, actor, now, username, full_name, password_hash, grant).await?;
    Ok(HttpResponse::Created().json(out))
}

/// Issues a one-time password-reset link (valid 24 hours, replacing earlier ones) for an account
/// in the caller's scope: admins any other account; organisers accounts in their subtree that
/// hold nothing beyond it. The token is shown only in this answer; hand the link over in person.
#[utoipa::path(tag = "users", responses((status = 201, body = ResetLink), ProblemResponses), security(("bearer" = [])))]
#[post("/users/{id}/password-reset")]
pub async fn issue_reset_link(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    if !can_create_accounts(&actor) {
        return Err(ApiError::forbidden("only admins and organisers issue password-reset links"));
    }
    let id = parse_id("id", &id)?;
    let out = service::passwords::issue_reset_link(&state.db, actor, state.clock.now(), id).await?;
    Ok(HttpResponse::Created().insert_header((actix_web::http::header::CACHE_CONTROL, "no-store")).json(out))
}

/// One account the caller manages.
#[utoipa::path(tag = "users", responses((status = 200, body = UserOut), ProblemResponses), security(("bearer" = [])))]
#[get("/users/{id}")]
pub async fn get_user(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let out = service::users::get_user(&state.db, actor, id).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Enables or disables an account (admins only). Disabling ends every session at once.
#[utoipa::path(tag = "users", request_body = UserPatch, responses((status = 200, body = UserOut), ProblemResponses), security(("bearer" = [])))]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<UserPatch>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    require_admin(&actor)?;
    let id = parse_id("id", &id)?;
    let out = service::users::set_active(&state.db, actor, now, id, body.0.is_active).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Grants a role, scoped to an organisation subtree where the role needs one.
#[utoipa::path(tag = "users", request_body = GrantInput, responses((status = 201, body = GrantOut), ProblemResponses), security(("bearer" = [])))]
#[post("/users/{id}/grants")]
pub async fn add_grant(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<GrantInput>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let input = body.0;
    let out = service::users::add_grant(&state.db, actor, now, id, input).await?;
    Ok(HttpResponse::Created().json(out))
}

/// Withdraws a grant. The last active admin grant cannot be withdrawn.
#[utoipa::path(tag = "users", responses((status = 204), ProblemResponses), security(("bearer" = [])))]
#[delete("/users/{id}/grants/{grant_id}")]
pub async fn remove_grant(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (user_id, grant_id) = path.into_inner();
    let user_id = parse_id("id", &user_id)?;
    let grant_id = parse_id("grant_id", &grant_id)?;
    service::users::remove_grant(&state.db, actor, user_id, grant_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
