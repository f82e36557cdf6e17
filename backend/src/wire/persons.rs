//! People and their skill credentials on the wire.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::double_option;

use super::utc;
use crate::auth::policy::can_see_full_id_number;
use crate::auth::Actor;
use crate::domain::id_card::mask_id_number;
use crate::domain::person::{CorrectionStatus, CredentialSource, CredentialStatus, Education, Gender};
use crate::store::persons::{CredentialRow, PersonRow};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CredentialOut {
    pub id: String,
    pub occupation: String,
    /// 5 初级工 … 1 高级技师.
    pub level: i32,
    pub certificate_no: Option<String>,
    pub issuer: Option<String>,
    pub issued_on: NaiveDate,
    pub source: CredentialSource,
    /// `declared` (entered by the person or their unit; not counted by rules until verified),
    /// `verified` (checked by a reviewer), `rejected` (with the reason).
    pub status: CredentialStatus,
    /// When a reviewer verified or rejected it.
    pub reviewed_at: Option<DateTime<Utc>>,
    pub rejection_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonOut {
    pub id: String,
    pub full_name: String,
    /// Whole for the person, admins and reviewers; otherwise masked (`5301**********1234`).
    pub id_number: String,
    pub id_number_masked: bool,
    pub gender: Gender,
    /// Only beside the whole ID number: beside a masked one (which hides exactly the birth date)
    /// it would narrow the number down to a handful of candidates.
    pub birth_date: Option<NaiveDate>,
    pub ethnicity: Option<String>,
    /// Masked like the ID number for those who see it masked.
    pub phone: Option<String>,
    pub education: Option<Education>,
    pub employer_org_id: Option<String>,
    pub occupation: Option<String>,
    pub is_migrant_worker: bool,
    /// Name, ID number and employer are locked: the person stands entered in a competition that
    /// is not over. They change by an identity correction an organiser approves.
    pub identity_locked: bool,
    pub credentials: Vec<CredentialOut>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    chars.iter().enumerate().map(|(i, c)| if i >= 3 && i < chars.len() - 4 { '*' } else { *c }).collect()
}

pub fn credential_out(row: CredentialRow) -> CredentialOut {
    CredentialOut {
        status: CredentialStatus::parse(&row.status).unwrap_or(CredentialStatus::Declared),
        reviewed_at: row.reviewed_at.map(utc),
        rejection_reason: row.rejection_reason,
        id: row.id,
        occupation: row.occupation,
        level: row.level,
        certificate_no: row.certificate_no,
        issuer: row.issuer,
        issued_on: row.issued_on,
        source: CredentialSource::parse(&row.source).unwrap_or(CredentialSource::Exam),
    }
}

/// The wire form of a person as `actor` may see it.
pub fn person_out(
    row: PersonRow,
    employer_path: Option<&str>,
    actor: &Actor,
    credentials: Vec<CredentialRow>,
    identity_locked: bool,
) -> PersonOut {
    let full = can_see_full_id_number(actor, &row.id, employer_path);
    PersonOut {
        id_number: if full { row.id_number } else { mask_id_number(&row.id_number) },
        id_number_masked: !full,
        phone: row.phone.map(|p| if full { p } else { mask_phone(&p) }),
        gender: Gender::parse(&row.gender).unwrap_or(Gender::Male),
        education: row.education.as_deref().and_then(Education::parse),
        credentials: credentials.into_iter().map(credential_out).collect(),
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        id: row.id,
        full_name: row.full_name,
        birth_date: full.then_some(row.birth_date),
        ethnicity: row.ethnicity,
        employer_org_id: row.employer_org_id,
        occupation: row.occupation,
        is_migrant_worker: row.is_migrant_worker,
        identity_locked,
        version: row.version,
    }
}

#[derive(Serialize, ToSchema)]
pub struct PersonPage {
    pub items: Vec<PersonOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    /// As on the ID card; minority names keep their `·` (阿卜杜拉·艾买提).
    #[schema(example = "李娜")]
    pub full_name: String,
    /// 18 characters, GB 11643 check character validated; birth date and gender come from it.
    #[schema(example = "11010519491231002X")]
    pub id_number: String,
    pub ethnicity: Option<String>,
    pub phone: Option<String>,
    pub education: Option<Education>,
    pub employer_org_id: Option<String>,
    pub occupation: Option<String>,
    #[serde(default)]
    pub is_migrant_worker: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    pub full_name: Option<String>,
    pub id_number: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub ethnicity: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Education>)]
    pub education: Option<Option<Education>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub employer_org_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub occupation: Option<Option<String>>,
    pub is_migrant_worker: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialInput {
    #[schema(example = "车工")]
    pub occupation: String,
    /// 5 初级工, 4 中级工, 3 高级工, 2 技师, 1 高级技师.
    pub level: i32,
    pub certificate_no: Option<String>,
    pub issuer: Option<String>,
    pub issued_on: NaiveDate,
    pub source: CredentialSource,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectCredentialInput {
    /// Why (shown to the person): e.g. 证书编号查无此证.
    pub reason: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    pub employer_org_id: Option<String>,
    /// Name contains.
    pub q: Option<String>,
    /// Exact ID card number (reviewers only).
    pub id_number: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// `POST /persons/{id}/identity-corrections`: the new values (only those that change) and why.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequest {
    pub full_name: Option<String>,
    pub id_number: Option<String>,
    pub employer_org_id: Option<String>,
    /// Why (e.g. 身份证号录入错误), up to 500 characters.
    pub reason: String,
}

/// `POST /identity-corrections/{id}/decision`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionDecision {
    pub approve: bool,
    /// Required when declining: what the person is told.
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CorrectionQuery {
    /// Default `pending`.
    pub status: Option<CorrectionStatus>,
}

#[derive(Serialize, ToSchema)]
pub struct CorrectionOut {
    pub id: String,
    pub person_id: String,
    /// The person's name now (before the correction, while it is pending).
    pub current_name: String,
    /// The asked new values; absent where nothing changes.
    pub full_name: Option<String>,
    /// Masked for those who see the person's number masked.
    pub id_number: Option<String>,
    pub employer_org_id: Option<String>,
    pub employer_org_name: Option<String>,
    pub reason: String,
    pub status: CorrectionStatus,
    /// Username of who asked.
    pub requested_by: String,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}
