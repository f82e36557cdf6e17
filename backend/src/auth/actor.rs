//! The authenticated caller, extracted from `Authorization: Bearer <access token>`. The user,
//! their grants and their session are loaded from the database on every request, so a disabled
//! account, a withdrawn grant or a logout takes effect at once — on every node, since they all
//! read the same rows — rather than when the token expires. (No cache: the session is one
//! indexed row read in the same transaction as the account.)

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use tracing_actix_web::RequestId;

use crate::db::DbConnection;
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::store::StoreError;
use crate::{store, AppState};

#[derive(Debug, Clone)]
pub struct Grant {
    pub id: String,
    pub role: Role,
    pub organisation_id: Option<String>,
    /// The granted organisation's path, for subtree checks.
    pub org_path: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: String,
    pub username: String,
    pub person_id: Option<String>,
    pub grants: Vec<Grant>,
    pub request_id: Option<String>,
    /// The session (refresh-token family) the caller's access token belongs to; empty for an
    /// actor loaded for another purpose (an appointee's grants).
    pub session_id: String,
    /// When the request arrived, by the server's clock: the time its audit records carry.
    pub at: chrono::NaiveDateTime,
}

/// The active account `user_id` with its grants, or none when it is gone or disabled.
pub fn load_actor(conn: &mut DbConnection, user_id: &str) -> Result<Option<Actor>, StoreError> {
    let Some(user) = store::users::find(conn, user_id)?.filter(|u| u.is_active) else {
        return Ok(None);
    };
    let grants = store::users::grants_of(conn, user_id)?
        .into_iter()
        .filter_map(|(g, path, _)| {
            Role::parse(&g.role).map(|role| Grant {
                id: g.id,
                role,
                organisation_id: g.organisation_id,
                org_path: path,
            })
        })
        .collect();
    Ok(Some(Actor {
        user_id: user.id,
        username: user.username,
        person_id: user.person_id,
        grants,
        request_id: None,
        session_id: String::new(),
        at: Default::default(),
    }))
}

pub fn request_id(req: &HttpRequest) -> Option<String> {
    req.extensions().get::<RequestId>().map(|id| id.to_string())
}

impl FromRequest for Actor {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header = req.headers().get(AUTHORIZATION).map(|v| v.to_str().unwrap_or_default().to_string());
        let request_id = request_id(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state is not configured"))?;
            let header = header.ok_or_else(|| {
                ApiError::unauthorized(
                    "authentication_required",
                    "log in first: send Authorization: Bearer <access token>",
                )
            })?;
            let token = header.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty()).ok_or_else(|| {
                ApiError::unauthorized("invalid_token", "the Authorization header must be 'Bearer <access token>'")
            })?;
            let claims = state.tokens.verify(token)?;
            let session_id = claims.sid.clone();
            let actor = state
                .db
                .read(move |conn| {
                    if !store::tokens::session_is_live(conn, &claims.sub, &claims.sid)? {
                        return Ok(None);
                    }
                    Ok(load_actor(conn, &claims.sub)?)
                })
                .await?;
            let mut actor = actor.ok_or_else(|| {
                ApiError::unauthorized(
                    "invalid_token",
                    "the session has ended or the account is disabled; log in again",
                )
            })?;
            actor.request_id = request_id;
            actor.session_id = session_id;
            actor.at = state.clock.now();
            Ok(actor)
        })
    }
}
