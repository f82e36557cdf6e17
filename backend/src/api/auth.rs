//! Sign-up, login, token refresh with rotation and reuse detection, logout, and `GET /me`.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{JsonBody, ProblemResponses};
use crate::auth::actor::request_id;
use crate::auth::rate_limit::client_ip;
use crate::auth::Actor;
use crate::error::ApiResult;
use crate::service::sessions::{self, Knock, Sessions};
use crate::wire::auth::{Credentials, Me, RefreshRequest, TokenPair};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(signup).service(login).service(refresh).service(logout).service(me);
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
    let pair = sessions(&state).signup(knock(&state, &req), username, password).await?;
    Ok(HttpResponse::Created().json(pair))
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
    let pair = sessions(&state).login(knock(&state, &req), username, password).await?;
    Ok(HttpResponse::Ok().json(pair))
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
    let pair = sessions(&state).refresh(knock(&state, &req), &body.0.refresh_token).await?;
    Ok(HttpResponse::Ok().json(pair))
}

/// Ends the session the refresh token belongs to. Answers 204 whether or not the token was valid.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses((status = 204), ProblemResponses))]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    sessions::logout(&state.db, knock(&state, &req), &body.0.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller: account, role grants and own profile.
#[utoipa::path(tag = "auth", responses((status = 200, body = Me), ProblemResponses), security(("bearer" = [])))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(sessions::me(&state.db, actor).await?))
}
