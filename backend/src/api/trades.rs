//! The trade catalogue (职业 / 工种 with their classification codes): public to read, extended by
//! admins when the classification adds occupations.

use actix_web::{get, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{record, split_page, JsonBody, PageParams, ProblemResponses};
use crate::auth::policy::require_admin;
use crate::auth::Actor;
use crate::domain::trade::check_trade_code;
use crate::domain::{keep, text};
use crate::error::{ApiError, ApiResult};
use crate::store::trades::{TradeFilter, TradeRow};
use crate::store::{self, audit::snapshot, new_id};
use crate::wire::trades::TradeQuery;
use crate::wire::trades::{trade_out, TradeOut};
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
    let limit = page.limit()?;
    let filter = TradeFilter {
        q: text::optional("q", q.q.as_deref(), 50)?,
        category: q.category.map(|c| c.as_str().to_string()),
        after_id: page.cursor_id()?,
        limit: limit + 1,
    };
    let rows = state.db.read(move |conn| Ok(store::trades::list(conn, &filter)?)).await?;
    let (rows, next_cursor) = split_page(rows, limit, |r| r.id.clone());
    Ok(HttpResponse::Ok().json(TradePage { items: rows.into_iter().map(trade_out).collect(), next_cursor }))
}

/// Adds a trade (admins), e.g. an occupation from a newer MOHRSS list.
#[utoipa::path(tag = "competitions", request_body = NewTrade, responses((status = 201, body = TradeOut), ProblemResponses), security(("bearer" = [])))]
#[post("/trades")]
pub async fn create_trade(
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody<NewTrade>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    require_admin(&actor)?;
    let input = body.0;
    let mut violations = Vec::new();
    let code = keep(&mut violations, check_trade_code(&input.code));
    let name = keep(&mut violations, text::required("name", &input.name, 50));
    if !violations.is_empty() {
        return Err(ApiError::validation(violations));
    }
    let row = TradeRow {
        id: new_id(),
        code: code.unwrap_or_default(),
        name: name.unwrap_or_default(),
        category: input.category.as_str().into(),
        confirmed: false,
        created_at: now,
    };
    let out = state
        .db
        .write(move |conn| {
            store::trades::insert(conn, &row).map_err(|e| {
                if e.is_duplicate() {
                    ApiError::field("name", "trade_exists", "this trade (code and name) is already in the catalogue")
                } else {
                    e.into()
                }
            })?;
            let out = trade_out(row);
            record(conn, &actor, "trade.create", ("trade", &out.id), None, snapshot(&out))?;
            Ok(out)
        })
        .await?;
    Ok(HttpResponse::Created().json(out))
}
