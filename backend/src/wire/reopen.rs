//! The reopen area on the wire.

use crate::domain::scoring::AspectKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct StationMark {
    pub id: String,
    pub aspect_id: String,
    pub aspect_code: String,
    pub criterion: String,
    pub description: String,
    /// Judgements are 0–3; deductions 0 to −max; measurements 0 to max.
    pub kind: AspectKind,
    pub judge: String,
    pub value: f64,
    pub max: f64,
    /// submitted, flagged, signed, locked.
    pub status: String,
    pub version: i32,
    /// A re-open request for this mark is waiting for a supervisor.
    pub reopen_pending: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StationMarksOut {
    pub event_id: String,
    pub station_number: i32,
    pub marks: Vec<StationMark>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenRequest {
    pub new_value: f64,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineReopen {
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReopenOut {
    pub id: String,
    pub mark_id: String,
    pub station_number: i32,
    pub aspect_code: String,
    pub judge: String,
    /// pending until a supervisor approves or declines; approved; declined.
    pub status: String,
    /// The mark's value when the change was asked.
    pub old_value: f64,
    pub new_value: f64,
    pub reason: String,
    pub requested_by: String,
    pub decided_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}
