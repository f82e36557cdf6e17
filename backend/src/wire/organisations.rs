//! The organisations area on the wire.

use crate::domain::organisation::{OrgKind, Tier};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::double_option;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationOut {
    pub id: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: OrgKind,
    pub tier: Tier,
    pub parent_id: Option<String>,
    /// GB/T 2260 region code (100000 for the national root).
    pub region_code: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationPage {
    pub items: Vec<OrganisationOut>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    #[schema(example = "昆明市总工会")]
    pub name: String,
    pub short_name: Option<String>,
    pub kind: OrgKind,
    pub tier: Tier,
    /// Required except for a national or provincial root (admins only).
    pub parent_id: Option<String>,
    #[schema(example = "530100")]
    pub region_code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub short_name: Option<Option<String>>,
    pub kind: Option<OrgKind>,
    pub tier: Option<Tier>,
    /// Moves the organisation (and its subtree) under another parent.
    pub parent_id: Option<String>,
    pub region_code: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganisationQuery {
    /// Only the children of this organisation.
    pub parent_id: Option<String>,
    /// Only roots (no parent).
    pub roots: Option<bool>,
    pub tier: Option<Tier>,
    pub kind: Option<OrgKind>,
    /// Name contains (case-insensitive).
    pub q: Option<String>,
    /// Only this organisation and everything below it.
    pub within: Option<String>,
    pub region_code: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
