//! Qualifiers admitted by hand from a lower tier's ranking, on the wire.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::registrations::RegistrationOut;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QualifierEntry {
    pub person_id: String,
    /// Rank in the lower tier's published ranking.
    pub rank: i32,
    /// Default: the person's employer.
    pub nominating_org_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QualifierList {
    /// The lower-tier competition (it must feed into this one).
    pub origin_competition_id: String,
    /// Its event of the same trade.
    pub origin_event_id: String,
    /// The ranking, best first. The origin event's qualifier count take places; the rest wait in
    /// line as reserves.
    pub entries: Vec<QualifierEntry>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QualifierOutcome {
    pub admitted: Vec<RegistrationOut>,
    pub reserves: Vec<RegistrationOut>,
}
