//! The draw area on the wire.

use crate::domain::registration::RegistrationStatus;
use crate::domain::role::EventRole;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct EventRoleOut {
    pub id: String,
    pub user_id: String,
    pub username: String,
    pub full_name: Option<String>,
    pub role: EventRole,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Appointment {
    pub user_id: String,
    pub role: EventRole,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DrawSummary {
    pub event_id: String,
    pub contestants: usize,
    pub algorithm: String,
    pub performed_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DrawEntry {
    pub registration_id: String,
    pub full_name: String,
    pub ticket_number: Option<String>,
    /// Layer one: contestant → draw number (一次加密).
    pub draw_number: i32,
    /// Layer two: draw number → station (二次加密); a team's captain's where its members work
    /// stations of their own.
    pub station_number: i32,
    /// The team-mates' own stations, where a team's members each work one.
    pub member_stations: Vec<MemberStation>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberStation {
    pub person_id: String,
    pub full_name: String,
    pub station_number: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DrawMapping {
    pub event_id: String,
    /// Reproduces every number with the algorithm.
    pub seed: String,
    pub algorithm: String,
    pub performed_at: DateTime<Utc>,
    pub entries: Vec<DrawEntry>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketSession {
    pub kind: String,
    pub name: String,
    pub venue: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Ticket {
    /// 准考证号
    pub ticket_number: String,
    pub full_name: String,
    pub gender: String,
    /// Masked: the ticket is shown at the door.
    pub id_number: String,
    /// The photo is pasted (or printed) into the box on the printed ticket.
    pub photo_url: Option<String>,
    pub competition_name: String,
    pub event_name: String,
    pub nominating_org_name: String,
    pub sessions: Vec<TicketSession>,
    /// What to bring and when to arrive.
    pub instructions: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInRequest {
    /// As scanned from the ticket.
    pub ticket_number: String,
    /// As read from the ID card presented.
    pub id_number: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckInOut {
    pub registration_id: String,
    pub ticket_number: String,
    pub full_name: String,
    pub status: RegistrationStatus,
    pub checked_in_at: Option<DateTime<Utc>>,
    /// True when this contestant had already been checked in (a repeated scan).
    pub repeated: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoShowOut {
    /// Admitted contestants not checked in, now marked no-show.
    pub marked: usize,
}
