//! The audit area on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRecordOut {
    pub seq: i64,
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<String>,
    /// The actor's username (absent for the system's own steps).
    pub actor_username: Option<String>,
    /// e.g. `organisation.update`, `auth.login`.
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
    pub hash: String,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    /// Newest first.
    pub items: Vec<AuditRecordOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditVerification {
    pub intact: bool,
    /// Records checked before the first break (all of them when intact).
    pub records_verified: i64,
    /// What is wrong, and where.
    pub first_break: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor_user_id: Option<String>,
    pub action: Option<String>,
    /// From this time (inclusive), RFC 3339.
    pub from: Option<DateTime<Utc>>,
    /// Until this time (exclusive), RFC 3339.
    pub to: Option<DateTime<Utc>>,
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
