//! The trade catalogue (职业 / 工种 with their classification codes): public to read, extended by
//! admins when the classification adds occupations.

use actix_web::{get, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{JsonBody, PageParams, ProblemResponses};
use crate::auth::Actor;
use crate::domain::text;
use crate::error::ApiResult;
use crate::service;
use crate::store::trades::TradeFilter;
use crate::wire::trades::TradeOut;
use crate::wire::trades::TradeQuery;
use crate::wire::trades::{NewTrade, TradePage};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_trades).service(create_trade);
}

/// The trade catalogue, searchable by code or name.
#[utoipa::path(tag = "competitions", params(TradeQuery), responses((status = 200, body = TradePage), ProblemResponses))]
#[get("/trades")]
pub async fn list_trades(state: web::Data<AppState>, query: web::Query<TradeQuery>) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageParams { limit: q.limit, cursor: q.cursor.clone() };
    let filter = TradeFilter {
        q: text::optional("q", q.q.as_deref(), 50)?,
        category: q.category.map(|c| c.as_str().to_string()),
        after_id: page.cursor_id()?,
        limit: page.limit()?,
    };
    Ok(HttpResponse::Ok().json(service::reference::list_trades(&state.db, filter).await?))
}

/// Adds a trade (admins), e.g. an occupation from a newer MOHRSS list.
#[utoipa::path(tag = "competitions", request_body = NewTrade, responses((status = 201, body = TradeOut), ProblemResponses), security(("bearer" = [])))]
#[post("/trades")]
pub async fn create_trade(
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody<NewTrade>,
) -> ApiResult<HttpResponse> {
    let out = service::reference::create_trade(&state.db, actor, body.0, state.clock.now()).await?;
    Ok(HttpResponse::Created().json(out))
}
