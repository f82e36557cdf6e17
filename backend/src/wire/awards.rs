//! The awards area on the wire.

use crate::domain::award::{AwardAction, AwardKind, AwardRules, AwardStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct AwardRulesOut {
    pub competition_id: String,
    /// True while the competition uses the defaults of its tier, category and class.
    pub is_default: bool,
    pub rules: AwardRules,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardRulesRequest {
    /// The rules; null goes back to the defaults.
    pub rules: Option<AwardRules>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AwardOut {
    pub id: String,
    pub competition_id: String,
    pub competition_name: String,
    pub event_id: String,
    pub event_name: String,
    pub trade_name: String,
    pub registration_id: String,
    pub person_id: String,
    pub full_name: String,
    /// Masked unless the caller may see the whole number.
    pub id_number: String,
    pub kind: AwardKind,
    /// The Chinese name printed on the certificate.
    pub label: String,
    pub rank: i32,
    /// A promotion's levels (5 初级工 … 1 高级技师).
    pub from_level: Option<i32>,
    pub to_level: Option<i32>,
    pub year: i32,
    pub status: AwardStatus,
    pub publicity_ends_at: Option<DateTime<Utc>>,
    pub certificate_number: Option<String>,
    /// Shown to the holder and the granting body only.
    pub check_code: Option<String>,
    pub granted_at: Option<DateTime<Utc>>,
    pub issued_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub version: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SkippedOut {
    pub registration_id: String,
    pub full_name: String,
    /// already_at_level or promoted_this_year.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalsOut {
    pub awards: Vec<AwardOut>,
    /// Promotions the rules would give that cannot be proposed, and why.
    pub skipped: Vec<SkippedOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardBatch {
    /// confirm, publicise, grant or issue_certificate.
    pub action: AwardAction,
    /// 1 to 500 awards; all move or none does.
    pub award_ids: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchOut {
    pub action: String,
    pub awards: Vec<AwardOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AwardObjectionOut {
    pub id: String,
    pub award_id: String,
    pub grounds: String,
    /// open, upheld or dismissed.
    pub status: String,
    pub ruling: Option<String>,
    pub filed_at: DateTime<Utc>,
    pub ruled_at: Option<DateTime<Utc>>,
}

/// An objection among all of a competition's, with the award it is raised against.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompetitionAwardObjectionOut {
    #[serde(flatten)]
    pub objection: AwardObjectionOut,
    pub holder_name: String,
    pub event_name: String,
    /// The award's Chinese name.
    pub award_label: String,
    pub award_status: AwardStatus,
}

/// An award in its publicity window (公示), as the public notice lists it: the name in full, no
/// ID number.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicisedAwardOut {
    pub id: String,
    pub event_name: String,
    pub full_name: String,
    /// The award's Chinese name.
    pub label: String,
    pub rank: i32,
    pub publicity_ends_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardObjectionRequest {
    pub grounds: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardObjectionRuling {
    pub uphold: bool,
    pub ruling: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateCheck {
    pub certificate_number: String,
    /// Masked as in public notices (李*娜).
    pub holder: String,
    pub competition_name: String,
    pub event_name: String,
    pub award: String,
    pub kind: String,
    pub issuer: String,
    pub granted_on: Option<chrono::NaiveDate>,
    /// valid or revoked.
    pub status: String,
    pub revoked_reason: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AwardQuery {
    pub event_id: Option<String>,
    pub status: Option<String>,
    pub kind: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VerifyQuery {
    pub number: String,
    pub code: String,
}
