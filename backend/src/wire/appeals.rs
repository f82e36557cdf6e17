//! The appeals area on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct AppealOut {
    pub id: String,
    pub registration_id: String,
    pub event_id: String,
    pub grounds: String,
    /// filed, accepted, upheld or dismissed.
    pub status: String,
    pub ruling: Option<String>,
    pub filed_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The last moment appeals could be filed.
    pub deadline: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealRequest {
    /// What is contested and why (the aspect, the station's work, a rule of the technical document).
    pub grounds: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealRuling {
    pub uphold: bool,
    /// The arbiter's ruling, which is final.
    pub ruling: String,
}
