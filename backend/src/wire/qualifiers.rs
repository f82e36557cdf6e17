//! Qualifiers admitted by hand from a lower tier's ranking, on the wire.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::registrations::RegistrationOut;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QualifierEntry {
    /// The qualifier's registration in the origin event (as its published results list it); or
    /// else `person_id`, for a lower tier that did not run in this system.
    pub origin_registration_id: Option<String>,
    pub person_id: Option<String>,
    /// Rank in the lower tier's ranking: where the origin event published results in this
    /// system, the rank they give (anything else is refused).
    pub rank: i32,
    /// Default: the unit that nominated them in the origin event, else the person's employer.
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

/// What became of one qualifier when the lower tier's results became final: a place in the next
/// tier, the reserve list (候补), or refused with the reasons (the next tier's rules, its quotas, a
/// link its organisers have not accepted, no matching event).
#[derive(Debug, Serialize, ToSchema)]
pub struct QualifierOutcomeOut {
    pub origin_event_id: String,
    pub origin_event_name: String,
    pub origin_rank: i32,
    /// The entrant as they entered the lower tier (a team's captain).
    pub full_name: String,
    pub team_name: Option<String>,
    pub nominating_org_name: String,
    pub target_event_id: Option<String>,
    pub target_event_name: Option<String>,
    /// place, reserve or refused.
    pub outcome: String,
    pub reasons: Vec<crate::domain::Violation>,
    /// The registration entered in the next tier.
    pub registration_id: Option<String>,
    pub decided_at: chrono::DateTime<chrono::Utc>,
}
