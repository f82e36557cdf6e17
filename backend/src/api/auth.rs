//! Sign-up, login, token refresh with rotation and reuse detection, logout, and `GET /me`.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{record_as, JsonBody, ProblemResponses};
use crate::auth::actor::request_id;
use crate::auth::hashing::{hash_off_thread, verify_off_thread};
use crate::auth::password::{check_password_policy, decoy_hash, normalise_username};
use crate::auth::rate_limit::{self, client_ip};
use crate::auth::{random_token, sha256_hex, Actor};
use crate::db::DbConnection;
use crate::domain::role::Role;
use crate::error::{ApiError, ApiResult};
use crate::store::tokens::RefreshTokenRow;
use crate::store::users::{GrantRow, UserRow};
use crate::store::{self, new_id};
use crate::wire::auth::{Credentials, Me, RefreshRequest, TokenPair};
use crate::wire::persons::person_out;
use crate::wire::users::grant_outs;
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(signup).service(login).service(refresh).service(logout).service(me);
}

/// Stores a new refresh token (in `family`, or starting a new family) and returns it.
fn new_refresh_token(
    conn: &mut DbConnection,
    state: &AppState,
    user_id: &str,
    family: Option<&str>,
) -> ApiResult<String> {
    let now = state.clock.now();
    let token = random_token(32);
    let at = now;
    store::tokens::insert(
        conn,
        &RefreshTokenRow {
            id: new_id(),
            user_id: user_id.to_string(),
            family_id: family.map(String::from).unwrap_or_else(new_id),
            token_hash: sha256_hex(&token),
            expires_at: at + chrono::Duration::from_std(state.tokens.refresh_ttl).unwrap_or(chrono::Duration::days(14)),
            used_at: None,
            revoked_at: None,
            created_at: at,
        },
    )?;
    Ok(token)
}

fn token_pair(state: &AppState, user_id: &str, refresh_token: String) -> ApiResult<TokenPair> {
    Ok(TokenPair {
        access_token: state.tokens.issue(user_id)?,
        token_type: "Bearer",
        expires_in: state.tokens.access_ttl.as_secs(),
        refresh_token,
        refresh_expires_in: state.tokens.refresh_ttl.as_secs(),
    })
}

/// Creates a contestant account and logs it in.
#[utoipa::path(tag = "auth", request_body = Credentials, responses((status = 201, body = TokenPair), ProblemResponses))]
#[post("/auth/signup")]
pub async fn signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<Credentials>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let Credentials { username, password } = body.0;
    let username = normalise_username(&username)?;
    check_password_policy(&username, &password)?;
    let ip = client_ip(&req, &state.settings.trusted_proxies).map(|ip| ip.to_string()).unwrap_or_default();
    let limit = state.settings.signup_per_ip;
    state
        .db
        .write(move |conn| {
            rate_limit::count(
                conn,
                limit,
                &format!("signup:ip:{ip}"),
                "sign-ups from this address",
                now.and_utc().timestamp(),
            )
        })
        .await?;
    let password_hash = hash_off_thread(&state.hashing, password).await?;
    let rid = request_id(&req);
    let st = state.clone();
    let (user_id, refresh_token) = state
        .db
        .write(move |conn| {
            let at = now;
            let user = UserRow {
                id: new_id(),
                username,
                password_hash,
                person_id: None,
                is_active: true,
                created_at: at,
                updated_at: at,
            };
            store::users::insert(conn, &user)?;
            store::users::insert_grant(
                conn,
                &GrantRow {
                    id: new_id(),
                    user_id: user.id.clone(),
                    role: Role::Contestant.as_str().into(),
                    organisation_id: None,
                    granted_by: None,
                    created_at: at,
                },
            )?;
            record_as(
                conn,
                Some(&user.id),
                rid.as_deref(),
                "user.signup",
                ("user", &user.id),
                None,
                Some(serde_json::json!({ "username": user.username, "role": Role::Contestant })),
                now,
            )?;
            let first_token = new_refresh_token(conn, &st, &user.id, None)?;
            Ok((user.id, first_token))
        })
        .await?;
    Ok(HttpResponse::Created().json(token_pair(&state, &user_id, refresh_token)?))
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthorized("invalid_credentials", "the username or the password is wrong")
}

/// Logs in with username and password. An unknown user and a wrong password get the same answer
/// after the same work.
#[utoipa::path(tag = "auth", request_body = Credentials, responses((status = 200, body = TokenPair), ProblemResponses))]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<Credentials>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let Credentials { username, password } = body.0;
    let username = username.trim().to_lowercase();
    let ip = client_ip(&req, &state.settings.trusted_proxies).map(|ip| ip.to_string()).unwrap_or_default();
    let (per_ip, per_account) = (state.settings.login_per_ip, state.settings.login_failures_per_account);
    let account_key = format!("login:account:{username}");
    // Every attempt counts against the address; an account waits after too many failures (a
    // success clears them), so guessing one password from many addresses is slowed too.
    let (user, account_key) = state
        .db
        .write(move |conn| {
            rate_limit::count(
                conn,
                per_ip,
                &format!("login:ip:{ip}"),
                "login attempts from this address",
                now.and_utc().timestamp(),
            )?;
            rate_limit::check(
                conn,
                per_account,
                &account_key,
                "failed logins for this account",
                now.and_utc().timestamp(),
            )?;
            Ok((store::users::find_by_username(conn, &username)?, account_key))
        })
        .await?;
    let user = user.filter(|u| u.is_active);
    let hash = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| decoy_hash().to_string());
    let password_ok = verify_off_thread(&state.hashing, password, hash).await?;
    let Some(user) = user.filter(|_| password_ok) else {
        state
            .db
            .write(move |conn| {
                match rate_limit::count(conn, per_account, &account_key, "failed logins", now.and_utc().timestamp()) {
                    // This failure spent the account's last attempt: it still answers as a failure.
                    Err(e) if e.status == actix_web::http::StatusCode::TOO_MANY_REQUESTS => Ok(()),
                    other => other,
                }
            })
            .await?;
        return Err(invalid_credentials());
    };
    let rid = request_id(&req);
    let st = state.clone();
    let user_id = user.id.clone();
    let refresh_token = state
        .db
        .write(move |conn| {
            if !per_account.is_off() {
                store::rate_limits::clear(conn, &account_key)?;
            }
            let token = new_refresh_token(conn, &st, &user.id, None)?;
            record_as(conn, Some(&user.id), rid.as_deref(), "auth.login", ("user", &user.id), None, None, now)?;
            Ok(token)
        })
        .await?;
    Ok(HttpResponse::Ok().json(token_pair(&state, &user_id, refresh_token)?))
}

enum RefreshOutcome {
    Rotated { user_id: String, token: String },
    Invalid,
    Expired,
    Reused,
}

/// Trades a refresh token for a new access token and a new refresh token. A refresh token that
/// was already used revokes its whole session family: whoever holds a copy is locked out.
/// (Routine rotations are not audited, to keep the trail about decisions; reuse is.)
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses((status = 200, body = TokenPair), ProblemResponses))]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let token_hash = sha256_hex(body.0.refresh_token.trim());
    let rid = request_id(&req);
    let st = state.clone();
    // The transaction commits even when the answer is a refusal: a revoked family must stay revoked.
    let outcome = state
        .db
        .write(move |conn| {
            let at = now;
            let Some(token) = store::tokens::find_by_hash(conn, &token_hash)? else {
                return Ok(RefreshOutcome::Invalid);
            };
            if token.revoked_at.is_some() {
                return Ok(RefreshOutcome::Invalid);
            }
            if token.used_at.is_some() || (token.expires_at > at && !store::tokens::use_once(conn, &token.id, at)?) {
                store::tokens::revoke_family(conn, &token.family_id, at)?;
                record_as(
                    conn,
                    Some(&token.user_id),
                    rid.as_deref(),
                    "auth.refresh_reuse_detected",
                    ("session", &token.family_id),
                    None,
                    Some(serde_json::json!({ "revoked_family": token.family_id })),
                    now,
                )?;
                return Ok(RefreshOutcome::Reused);
            }
            if token.expires_at <= at {
                return Ok(RefreshOutcome::Expired);
            }
            if store::users::find(conn, &token.user_id)?.filter(|u| u.is_active).is_none() {
                return Ok(RefreshOutcome::Invalid);
            }
            let next = new_refresh_token(conn, &st, &token.user_id, Some(&token.family_id))?;
            Ok(RefreshOutcome::Rotated { user_id: token.user_id, token: next })
        })
        .await?;
    match outcome {
        RefreshOutcome::Rotated { user_id, token } => Ok(HttpResponse::Ok().json(token_pair(&state, &user_id, token)?)),
        RefreshOutcome::Invalid => {
            Err(ApiError::unauthorized("invalid_refresh_token", "the refresh token is not valid; log in again"))
        }
        RefreshOutcome::Expired => {
            Err(ApiError::unauthorized("refresh_token_expired", "the session has expired; log in again"))
        }
        RefreshOutcome::Reused => Err(ApiError::unauthorized(
            "refresh_token_reused",
            "this refresh token was already used; the session has been ended for safety, log in again",
        )),
    }
}

/// Ends the session the refresh token belongs to. Answers 204 whether or not the token was valid.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses((status = 204), ProblemResponses))]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let token_hash = sha256_hex(body.0.refresh_token.trim());
    let rid = request_id(&req);
    state
        .db
        .write(move |conn| {
            if let Some(token) = store::tokens::find_by_hash(conn, &token_hash)? {
                if store::tokens::revoke_family(conn, &token.family_id, now)? > 0 {
                    record_as(
                        conn,
                        Some(&token.user_id),
                        rid.as_deref(),
                        "auth.logout",
                        ("session", &token.family_id),
                        None,
                        None,
                        now,
                    )?;
                }
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller: account, role grants and own profile.
#[utoipa::path(tag = "auth", responses((status = 200, body = Me), ProblemResponses), security(("bearer" = [])))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    let a = actor.clone();
    let (grants, person) = state
        .db
        .read(move |conn| {
            let grants = store::users::grants_of(conn, &a.user_id)?;
            let person = match &a.person_id {
                Some(pid) => match store::persons::find(conn, pid)? {
                    Some((row, path)) => {
                        let credentials = store::persons::credentials_of(conn, pid)?;
                        Some(person_out(row, path.as_deref(), &a, credentials))
                    }
                    None => None,
                },
                None => None,
            };
            Ok((grants, person))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Me {
        id: actor.user_id,
        username: actor.username,
        person_id: actor.person_id,
        grants: grant_outs(grants),
        person,
    }))
}
