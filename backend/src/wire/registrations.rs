//! Registrations (报名) on the wire: sign-up, the review trail, queues and their counts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::persons::CredentialOut;
use crate::domain::registration::{RegistrationStatus, ReviewAction, ReviewStage};
use crate::domain::Violation;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonBrief {
    pub id: String,
    pub full_name: String,
    /// Masked unless the caller is the person or a reviewer.
    pub id_number: String,
    pub gender: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberOut {
    /// The member's ID number is whole only for themselves and the reviewers: team-mates see it
    /// masked.
    pub person: PersonBrief,
    /// member or advisor (指导教师).
    pub role: String,
    /// false while the member has not accepted the captain's invitation; the registration is
    /// reviewed only when every member has.
    pub accepted: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewTrailEntry {
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Origin {
    /// The lower-tier competition the contestant qualified in.
    pub competition_id: Option<String>,
    pub competition_name: Option<String>,
    pub event_id: Option<String>,
    pub rank: Option<i32>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistrationOut {
    pub id: String,
    pub event_id: String,
    pub event_name: String,
    pub competition_id: String,
    pub competition_name: String,
    pub person: PersonBrief,
    pub team_name: Option<String>,
    pub members: Vec<MemberOut>,
    /// 推荐单位
    pub nominating_org_id: String,
    pub nominating_org_name: String,
    pub status: RegistrationStatus,
    /// Who decides next: the nominating unit or the host's organisers.
    pub review_stage: Option<ReviewStage>,
    pub origin: Option<Origin>,
    /// Place on the reserve list (候补).
    pub reserve_rank: Option<i32>,
    /// 准考证号, once the roster is final.
    pub ticket_number: Option<String>,
    /// The reason of the last return, rejection or withdrawal.
    pub status_reason: Option<String>,
    /// The review trail, oldest first.
    pub reviews: Vec<ReviewTrailEntry>,
    /// The person's skill credentials with their status, for the person and the reviewers
    /// (empty for others).
    pub credentials: Vec<CredentialOut>,
    /// Set when the event's minimum level is met only by a level the person declared and no
    /// reviewer has verified (已申报，未核验): admission waits for its verification.
    pub unverified_level: Option<i32>,
    /// In `/me/registrations`: the contestant's own score once the results are published
    /// (announced), with the appeal deadline. Absent before publication and elsewhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<OwnScore>,
    /// In `/me/registrations`: the station (工位号) the contestant works at, told to them once
    /// they are checked in. The contestant→station map stays hidden from everyone else, judges
    /// and organisers alike, until decryption (DESIGN §5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub own_station: Option<i32>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A contestant's own announced score.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OwnScore {
    pub rank: i32,
    pub theory: f64,
    pub practical: f64,
    pub total: f64,
    /// The status of the result set announced: publicity (公示) or final.
    pub result_status: String,
    pub published_at: DateTime<Utc>,
    /// The last moment an appeal (申诉) may be filed.
    pub appeal_deadline: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    /// The member's ID card number and name, which must both match the person on record: no one
    /// is found by a number alone. Named by a contestant, the member is invited and joins when they
    /// accept; entered by an organiser, they must be employed within the organiser's subtree.
    pub id_number: String,
    pub full_name: String,
    /// member (default) or advisor (指导教师).
    pub role: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignUpRequest {
    /// Who competes (a team's captain). Default: the caller's own profile.
    pub person_id: Option<String>,
    /// 推荐单位. Default: the person's employer.
    pub nominating_org_id: Option<String>,
    /// Team events: the team's name.
    pub team_name: Option<String>,
    /// Team events: the other members and advisors.
    #[serde(default)]
    pub members: Vec<MemberInput>,
}

/// `POST /registrations/{id}/invitation`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationAnswer {
    pub accept: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityOut {
    pub eligible: bool,
    /// Each reason the person may not sign up now.
    pub reasons: Vec<Violation>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusCount {
    pub status: String,
    pub count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct RegistrationPage {
    pub items: Vec<RegistrationOut>,
    pub next_cursor: Option<String>,
    /// Counts by status over the same filter (without paging and status filter).
    pub counts: Vec<StatusCount>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationPatch {
    pub nominating_org_id: Option<String>,
    pub team_name: Option<String>,
    pub members: Option<Vec<MemberInput>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub action: ReviewAction,
    /// Required to return or reject: what to change, or why.
    pub comment: Option<String>,
}

/// One decision for a reviewer's selection.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchReviewRequest {
    /// 1 to 500 registrations.
    pub registration_ids: Vec<String>,
    pub action: ReviewAction,
    /// Required to return or reject: what to change, or why.
    pub comment: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewedOut {
    pub registration_id: String,
    pub status: RegistrationStatus,
}

/// A registration of the selection the decision did not apply to, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefusedReview {
    pub registration_id: String,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchReviewOut {
    pub reviewed: Vec<ReviewedOut>,
    pub refused: Vec<RefusedReview>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawRequest {
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EligibilityQuery {
    /// Default: the caller's own profile.
    pub person_id: Option<String>,
    /// Default: the person's employer.
    pub nominating_org_id: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    pub competition_id: Option<String>,
    pub event_id: Option<String>,
    /// Comma-separated statuses, e.g. `submitted,unit_approved`.
    pub status: Option<String>,
    pub nominating_org_id: Option<String>,
    /// Only what waits for the caller's own decision.
    pub awaiting_me: Option<bool>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
