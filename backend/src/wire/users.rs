//! Accounts' role grants on the wire.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

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
