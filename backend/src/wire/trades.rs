//! Trades (职业/工种) on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::utc;
use crate::domain::trade::TradeCategory;
use crate::store::trades::TradeRow;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TradeOut {
    pub id: String,
    /// 职业分类大典 (2022) code, e.g. `6-18-01-01`; a work type carries its occupation's code.
    pub code: String,
    pub name: String,
    pub category: TradeCategory,
    /// Code and name checked against two sources of the classification.
    pub confirmed: bool,
    pub created_at: DateTime<Utc>,
}

pub fn trade_out(row: TradeRow) -> TradeOut {
    TradeOut {
        category: TradeCategory::parse(&row.category).unwrap_or(TradeCategory::Manufacturing),
        id: row.id,
        code: row.code,
        name: row.name,
        confirmed: row.confirmed,
        created_at: utc(row.created_at),
    }
}

#[derive(Serialize, ToSchema)]
pub struct TradePage {
    pub items: Vec<TradeOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTrade {
    #[schema(example = "6-02-06-13")]
    pub code: String,
    #[schema(example = "咖啡加工工")]
    pub name: String,
    pub category: TradeCategory,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TradeQuery {
    /// Name fragment or code prefix (e.g. `车工`, `6-18`).
    pub q: Option<String>,
    pub category: Option<TradeCategory>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
