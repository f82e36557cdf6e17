//! The roster area on the wire.

use crate::domain::calendar::DayKind;
use crate::domain::registration::RegistrationStatus;
use crate::domain::Violation;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRow {
    /// The row's number in the sheet (the header is row 1).
    pub row: usize,
    pub full_name: String,
    pub id_number: String,
    /// registered, refused, or valid (all_or_nothing with refusals: would have been registered).
    pub outcome: String,
    pub registration_id: Option<String>,
    pub reasons: Vec<Violation>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    pub mode: String,
    pub registered: usize,
    pub refused: usize,
    /// Whether anything was written.
    pub committed: bool,
    pub rows: Vec<ImportRow>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RosterEntry {
    pub registration_id: String,
    pub event_id: String,
    pub event_name: String,
    pub full_name: String,
    pub gender: String,
    /// Always masked on the public roster.
    pub id_number: String,
    pub nominating_org_name: String,
    pub team_name: Option<String>,
    pub status: RegistrationStatus,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicRoster {
    pub competition_id: String,
    pub competition_name: String,
    /// When the publicity window (公示) opened and closes.
    pub publicity_starts_at: Option<DateTime<Utc>>,
    pub publicity_ends_at: Option<DateTime<Utc>>,
    pub entries: Vec<RosterEntry>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionRequest {
    /// What is wrong with this entry (e.g. does not meet the age rule, not employed by the unit).
    pub grounds: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectionOut {
    pub id: String,
    pub registration_id: String,
    /// Whom the objection names (in the organisers' list).
    pub full_name: Option<String>,
    pub event_name: Option<String>,
    pub grounds: String,
    /// filed, upheld or dismissed.
    pub status: String,
    pub ruling: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionRuling {
    pub uphold: bool,
    pub ruling: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarDayOut {
    pub day: NaiveDate,
    pub kind: DayKind,
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarDayInput {
    pub kind: DayKind,
    #[schema(example = "国庆节")]
    pub name: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The nominating unit (推荐单位) whose nominees the file lists.
    pub nominating_org_id: String,
    /// `all_or_nothing` (default): if any row is refused, nothing is written. `valid_rows`: the
    /// valid rows are registered and the refused ones reported.
    pub mode: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Whole ID numbers (reviewers only); masked otherwise.
    pub full_ids: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    pub year: i32,
}
