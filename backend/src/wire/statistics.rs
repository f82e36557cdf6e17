//! The statistics area on the wire.

use crate::domain::plan::{Breakdown, Counts, PlanMetric, PlanPeriod, Progress};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct NamedBreakdown {
    pub key: String,
    /// The prefecture's or trade's name, where the key is a code or id.
    pub name: Option<String>,
    pub counts: Counts,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Dashboard {
    pub region_code: String,
    pub year: i32,
    /// When the figures were counted (they may be up to the configured age).
    pub counted_at: DateTime<Utc>,
    pub totals: Counts,
    /// Every year (the year filter aside).
    pub by_year: Vec<Breakdown>,
    pub by_prefecture: Vec<NamedBreakdown>,
    pub by_tier: Vec<Breakdown>,
    pub by_category: Vec<Breakdown>,
    /// The 20 trades with the most contestants.
    pub by_trade: Vec<NamedBreakdown>,
    /// The region's plan targets and progress in the year.
    pub targets: Vec<Progress>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetOut {
    pub id: String,
    pub plan: String,
    pub region_code: String,
    pub metric: String,
    pub period: String,
    pub from_year: i32,
    pub to_year: i32,
    pub target: i64,
    pub note: Option<String>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetRequest {
    pub plan: String,
    pub region_code: String,
    pub metric: PlanMetric,
    pub period: PlanPeriod,
    pub from_year: i32,
    pub to_year: i32,
    pub target: i64,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DashboardQuery {
    /// Default: the current year.
    pub year: Option<i32>,
    /// A region within the caller's (default: the caller's own).
    pub region_code: Option<String>,
    pub tier: Option<String>,
    pub category: Option<String>,
    pub trade_id: Option<String>,
}
