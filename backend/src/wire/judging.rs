//! The judging area on the wire.

use crate::domain::role::EventRole;
use crate::domain::scoring::AspectKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentRequest {
    pub user_id: String,
    /// The section (0-based, in scheme order) whose aspects the judge marks.
    pub section_index: i32,
    /// Only these aspects (codes such as `2.1.3`); default: every aspect of the section.
    pub aspect_codes: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentOut {
    pub user_id: String,
    pub username: String,
    pub assigned: Vec<String>,
    /// Stations the judge stands aside from (回避: their own organisation's contestants, declared
    /// relations), which another judge must mark; empty before the draw.
    pub recused_stations: Vec<i32>,
    /// Who marks the judge's aspects at those stations when nobody else of the panel may.
    pub covers: Vec<CellOut>,
    /// Cells of the judge's aspects nobody may mark: another judge must be appointed.
    pub uncovered: Vec<CellOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationForJudge {
    /// The judge (an account appointed to the event).
    pub user_id: String,
    /// The related person's ID card number.
    pub id_number: String,
    /// e.g. 亲属, 师徒, 同事.
    pub relation: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationRequest {
    /// The related person's ID card number.
    pub id_number: String,
    /// e.g. 亲属, 师徒, 同事.
    pub relation: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RelationOut {
    pub id: String,
    pub relation: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyEvent {
    pub event_id: String,
    pub event_name: String,
    pub competition_name: String,
    pub roles: Vec<EventRole>,
    /// Codes of the aspects the caller marks.
    pub aspects: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AspectOut {
    pub id: String,
    pub code: String,
    pub criterion: String,
    pub description: String,
    pub kind: AspectKind,
    pub max: f64,
    /// Judgement: what 0, 1, 2 and 3 mean.
    pub descriptors: Vec<String>,
    pub tolerance: Option<String>,
    /// On a mark sheet: set when the judge marks this aspect only at these stations, covering
    /// (替补) for a panel that stands aside from them; absent when they mark every station.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stations: Option<Vec<i32>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MarkOut {
    pub id: String,
    pub aspect_id: String,
    pub station_number: i32,
    pub value: f64,
    /// submitted, flagged (re-score asked), signed, locked.
    pub status: String,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SheetOut {
    pub event_id: String,
    pub section_index: i32,
    pub section_name: String,
    /// The stations to mark: numbers only, never names.
    pub stations: Vec<i32>,
    pub aspects: Vec<AspectOut>,
    pub marks: Vec<MarkOut>,
    /// The times (用时) recorded at these stations for this section.
    pub finish_times: Vec<FinishTimeOut>,
    /// Whether the caller has signed this section.
    pub signed: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkInput {
    pub aspect_id: String,
    pub station_number: i32,
    pub value: f64,
    /// To change a mark already entered: the version it was read at (a stale one is refused).
    pub version: Option<i32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SheetSubmission {
    /// One mark or a whole sheet.
    pub marks: Vec<MarkInput>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionOut {
    /// Marks written (new or changed).
    pub saved: usize,
    /// Marks sent again with the value already stored.
    pub unchanged: usize,
    pub marks: Vec<MarkOut>,
    /// Judgement aspects now flagged for the chief judge: (aspect code, station).
    pub flagged: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkEdit {
    pub value: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JudgeValue {
    pub judge: String,
    pub value: f64,
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FlagOut {
    pub id: String,
    pub aspect_code: String,
    pub aspect_description: String,
    pub station_number: i32,
    /// open, rescore_requested or reconciled.
    pub status: String,
    pub note: Option<String>,
    /// The judges' scores side by side.
    pub values: Vec<JudgeValue>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReconcileRequest {
    /// What was decided: re-scored, or the spread accepted and why.
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignoffOut {
    pub section_index: i32,
    /// judge or chief.
    pub kind: String,
    pub signed_at: DateTime<Utc>,
    pub confirmed: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JudgeProgress {
    pub judge: String,
    pub section_index: i32,
    /// Marks expected: each assigned aspect at the competing stations the judge does not stand
    /// aside from, and the cells they cover for another panel.
    pub expected: usize,
    pub entered: usize,
    pub signed: usize,
    pub locked: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressOut {
    pub event_id: String,
    pub stations: usize,
    pub judges: Vec<JudgeProgress>,
    pub open_flags: usize,
    /// Sections signed by the chief judge and confirmed (locked).
    pub sections_locked: Vec<i32>,
    /// Cells (aspect × station) another judge marks because the whole panel stands aside.
    pub covers: Vec<CellOut>,
    /// Cells nobody may mark: the chief judge appoints another judge before the section is signed.
    pub uncovered: Vec<CellOut>,
}

/// One aspect at one station; `judge` is who covers it (absent when nobody may).
#[derive(Debug, Serialize, ToSchema)]
pub struct CellOut {
    pub aspect_code: String,
    pub station_number: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub judge: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SampleOut {
    pub id: String,
    pub station_number: i32,
    /// top, random or full.
    pub reason: String,
    /// pending, checked or discrepancy.
    pub status: String,
    pub note: Option<String>,
    /// The station's current total, to re-check against the sheets.
    pub total: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewOut {
    pub event_id: String,
    /// Reproduces the random part of the sample.
    pub seed: Option<String>,
    pub samples: Vec<SampleOut>,
    pub checked: usize,
    pub discrepancies: usize,
    pub error_rate: f64,
    /// More than 5 % discrepancies: every station is reviewed.
    pub full_review: bool,
    /// Every sampled station has been reviewed.
    pub complete: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SampleResult {
    /// checked (the score stands) or discrepancy (an error was found and is corrected through re-opening).
    pub outcome: String,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecryptionOut {
    pub event_id: String,
    pub requested_at: Option<DateTime<Utc>>,
    pub decrypted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreRow {
    pub station_number: i32,
    /// After decryption only.
    pub full_name: Option<String>,
    pub registration_id: Option<String>,
    pub theory: f64,
    pub practical: f64,
    pub total: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoresOut {
    pub event_id: String,
    pub decrypted: bool,
    /// Best first, from the marks as they stand (provisional until results are computed).
    pub rows: Vec<ScoreRow>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SheetQuery {
    /// The section (0-based).
    pub section: i32,
}

/// `POST /events/{id}/disqualifications`: the chief judge proposes disqualifying the contestant
/// at a station (judging stays blind: a station, never a name).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisqualificationProposal {
    pub station_number: i32,
    pub ground: crate::domain::disqualification::Ground,
    /// What happened, for the record and the contestant (1 to 500 characters).
    pub reason: String,
}

/// `POST /disqualifications/{id}/decision`: a supervisor, never the proposer, decides.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisqualificationDecision {
    pub approve: bool,
    /// Required when declining: why.
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisqualificationOut {
    pub id: String,
    pub event_id: String,
    pub station_number: i32,
    pub ground: crate::domain::disqualification::Ground,
    pub reason: String,
    pub status: crate::domain::disqualification::DisqualificationStatus,
    /// Username of the chief judge who proposed it.
    pub requested_by: String,
    /// Username of the supervisor who decided it.
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// A station's time over a module (用时), by station number.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FinishTimeInput {
    pub station_number: i32,
    /// Seconds from the start of the module to the station's finish (at most 7 days).
    #[schema(minimum = 1, maximum = 604800)]
    pub elapsed_seconds: i32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FinishTimesRequest {
    /// 1 to 2,000 stations; a station's earlier time is replaced.
    pub times: Vec<FinishTimeInput>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FinishTimeOut {
    pub section_index: i32,
    pub station_number: i32,
    pub elapsed_seconds: i32,
    pub recorded_at: DateTime<Utc>,
}
