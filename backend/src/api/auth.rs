//! Sign-up, login, token refresh with rotation and reuse detection, logout, `GET /me`, and
//! passwords (change, reset by link).
//!
//! The refresh token travels only as the cookie `skillcomp_refresh` — `HttpOnly` (no script on
//! the page can read it), `Secure`, `SameSite=Strict` (no other site's page can make the browser
//! send it), scoped to `/api/v1/auth` — and never in a body. The access token is in the body,
//! for the SPA to keep in memory.

use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{JsonBody, ProblemResponses};
use crate::auth::actor::request_id;
use crate::auth::rate_limit::client_ip;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::service::sessions::{self, Issued, Knock, Sessions};
use crate::wire::auth::{Credentials, Me, PasswordChange, PasswordReset, TokenPair};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(signup)
        .service(login)
        .service(refresh)
        .service(logout)
        .service(me)
        .service(todo)
        .service(change_password)
        .service(reset_password);
}

pub const REFRESH_COOKIE: &str = "skillcomp_refresh";
const REFRESH_COOKIE_PATH: &str = "/api/v1/auth";

fn refresh_cookie(value: String, max_age_seconds: i64) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, value)
        .path(REFRESH_COOKIE_PATH)
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .max_age(time::Duration::seconds(max_age_seconds))
        .finish()
}

/// The answer that opens (or continues) a session: the access token in the body, the refresh
/// token in its cookie.
fn session_opened(mut answer: actix_web::HttpResponseBuilder, issued: Issued) -> HttpResponse {
    let max_age = issued.pair.refresh_expires_in as i64;
    answer
        .cookie(refresh_cookie(issued.refresh_token, max_age))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(issued.pair)
}

fn refresh_token_of(req: &HttpRequest) -> ApiResult<String> {
    req.cookie(REFRESH_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::unauthorized("invalid_refresh_token", "no session cookie was sent; log in again"))
}

fn sessions(state: &AppState) -> Sessions<'_> {
    Sessions { db: &state.db, hashing: &state.hashing, tokens: &state.tokens, settings: &state.settings }
}

fn knock(state: &AppState, req: &HttpRequest) -> Knock {
    Knock {
        ip: client_ip(req, &state.settings.trusted_proxies).map(|ip| ip.to_string()).unwrap_or_default(),
        request_id: request_id(req),
        now: state.clock.now(),
    }
}

/// Creates a contestant account and logs it in.
#[utoipa::path(tag = "auth", request_body = Credentials, responses((status = 201, body = TokenPair), ProblemResponses))]
#[post("/auth/signup")]
pub async fn signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<Credentials>,
) -> ApiResult<HttpResponse> {
    let Credentials { username, password } = body.0;
    let issued = sessions(&state).signup(knock(&state, &req), username, password).await?;
    Ok(session_opened(HttpResponse::Created(), issued))
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
    let Credentials { username, password } = body.0;
    let issued = sessions(&state).login(knock(&state, &req), username, password).await?;
    Ok(session_opened(HttpResponse::Ok(), issued))
}

/// Trades the session cookie's refresh token for a new access token (and sets the next refresh
/// token in the cookie). A refresh token that was already used revokes its whole session family:
/// whoever holds a copy is locked out. (Routine rotations are not audited, to keep the trail
/// about decisions; reuse is.)
#[utoipa::path(tag = "auth", params(("skillcomp_refresh" = Option<String>, Cookie, description = "the session's refresh token, set by login; the browser sends it")), responses((status = 200, body = TokenPair), ProblemResponses))]
#[post("/auth/refresh")]
pub async fn refresh(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let token = refresh_token_of(&req)?;
    let issued = sessions(&state).refresh(knock(&state, &req), &token).await?;
    Ok(session_opened(HttpResponse::Ok(), issued))
}

/// Ends the session of the cookie's refresh token — its access tokens stop working at once —
/// and clears the cookie. Answers 204 whether or not there was a valid session.
#[utoipa::path(tag = "auth", params(("skillcomp_refresh" = Option<String>, Cookie, description = "the session's refresh token")), responses((status = 204), ProblemResponses))]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    if let Ok(token) = refresh_token_of(&req) {
        sessions::logout(&state.db, knock(&state, &req), &token).await?;
    }
    Ok(HttpResponse::NoContent().cookie(refresh_cookie(String::new(), 0)).finish())
}

/// Changes the caller's password: the current one is required; every other session of the
/// account ends (this one stays).
#[utoipa::path(tag = "auth", request_body = PasswordChange, responses((status = 204), ProblemResponses), security(("bearer" = [])))]
#[put("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody<PasswordChange>,
) -> ApiResult<HttpResponse> {
    let PasswordChange { current_password, new_password } = body.0;
    sessions(&state).change_password(actor, current_password, new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sets a new password with the token of a one-time reset link (issued by an admin or an
/// organiser); every session of the account ends. Then log in with the new password.
#[utoipa::path(tag = "auth", request_body = PasswordReset, responses((status = 204), ProblemResponses))]
#[post("/auth/password-reset")]
pub async fn reset_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<PasswordReset>,
) -> ApiResult<HttpResponse> {
    let PasswordReset { token, new_password } = body.0;
    sessions(&state).reset_password(knock(&state, &req), &token, new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// What waits for the caller, by the rules of each action: reviews at their level, identity
/// corrections, links from the tier below, sheets to sign, awards to certify, and their own
/// returned registrations and team invitations.
#[utoipa::path(tag = "auth", responses((status = 200, body = crate::wire::users::Todo), ProblemResponses), security(("bearer" = [])))]
#[get("/me/todo")]
pub async fn todo(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(crate::service::todo::todo(&state.db, actor).await?))
}

/// The caller: account, role grants and own profile.
#[utoipa::path(tag = "auth", responses((status = 200, body = Me), ProblemResponses), security(("bearer" = [])))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(sessions::me(&state.db, actor).await?))
}
