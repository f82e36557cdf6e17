//! System settings that are data (admins): the defaults new competitions and events take.

use actix_web::{get, put, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{JsonBody, ProblemResponses};
use crate::auth::policy::require_admin;
use crate::auth::Actor;
use crate::domain::settings::SettingKey;
use crate::error::{ApiError, ApiResult};
use crate::service;
use crate::wire::settings::{SettingInput, SettingOut};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_settings).service(put_setting);
}

/// Every system setting with the value in force, the rules' default and the allowed range.
#[utoipa::path(tag = "settings", responses((status = 200, body = [SettingOut]), ProblemResponses), security(("bearer" = [])))]
#[get("/settings")]
pub async fn list_settings(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::settings::list(&state.db, actor).await?))
}

/// Sets one setting (null: back to the rules' default); audited. Competitions and events
/// created afterwards take it; those that exist keep their own values.
#[utoipa::path(tag = "settings", request_body = SettingInput, responses((status = 200, body = [SettingOut]), ProblemResponses), security(("bearer" = [])))]
#[put("/settings/{key}")]
pub async fn put_setting(
    state: web::Data<AppState>,
    actor: Actor,
    key: web::Path<String>,
    body: JsonBody<SettingInput>,
) -> ApiResult<HttpResponse> {
    require_admin(&actor)?;
    let key = SettingKey::parse(&key).ok_or_else(|| ApiError::not_found("setting"))?;
    let now = state.clock.now();
    Ok(HttpResponse::Ok().json(service::settings::set(&state.db, actor, now, key, body.0.value).await?))
}
