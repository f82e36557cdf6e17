//! Accounts' role grants on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::utc;
use crate::domain::role::Role;
use crate::store::users::GrantWithOrg;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantOut {
    pub id: String,
    pub role: Role,
    /// The subtree the grant covers; absent for admin and contestant.
    pub organisation_id: Option<String>,
    pub organisation_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub fn grant_outs(grants: Vec<GrantWithOrg>) -> Vec<GrantOut> {
    grants
        .into_iter()
        .filter_map(|(g, _, name)| {
            Role::parse(&g.role).map(|role| GrantOut {
                id: g.id,
                role,
                organisation_id: g.organisation_id,
                organisation_name: name,
                created_at: utc(g.created_at),
            })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserOut {
    pub id: String,
    pub username: String,
    /// The name the person is shown by: their profile's, else the one the account was opened with.
    pub full_name: Option<String>,
    pub person_id: Option<String>,
    pub is_active: bool,
    pub grants: Vec<GrantOut>,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<UserOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantInput {
    pub role: Role,
    /// Required for organiser, judge and official grants.
    pub organisation_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    /// The staff member's name, as panels and lists show them.
    pub full_name: Option<String>,
    /// The initial password, handed to the person out of band.
    pub password: String,
    /// Required for organisers (the account must land in their subtree).
    pub grant: Option<GrantInput>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// false disables the account and ends its sessions.
    pub is_active: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Username contains.
    pub q: Option<String>,
    pub role: Option<Role>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// What waits for the caller (their start page): each count follows the rule of the action.
#[derive(Debug, Serialize, ToSchema)]
pub struct Todo {
    /// Registrations waiting for the caller's review, at their level of the review chain.
    pub reviews_waiting: i64,
    /// The same, by competition (most waiting first), to open each queue.
    pub reviews_by_competition: Vec<ReviewsWaiting>,
    /// Identity corrections the caller may decide (not their own requests).
    pub corrections_waiting: i64,
    /// Lower tiers asking to send their qualifiers to a competition the caller runs.
    pub feeder_requests: i64,
    /// Sections of drawn events where the caller marks and has not signed their sheet.
    pub sheets_to_sign: i64,
    /// Awards not yet granted whose granting body the caller acts for.
    pub awards_to_certify: i64,
    /// The caller's own registrations returned for changes.
    pub returned_registrations: i64,
    /// Team invitations the caller has not answered.
    pub invitations: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewsWaiting {
    pub competition_id: String,
    pub competition_name: String,
    pub count: i64,
}
