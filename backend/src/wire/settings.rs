//! System settings on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::settings::SettingKey;

#[derive(Debug, Serialize, ToSchema)]
pub struct SettingOut {
    pub key: SettingKey,
    /// The value in force.
    pub value: i32,
    /// The rules' default, in force while no admin has set another.
    pub default_value: i32,
    pub min: i32,
    pub max: i32,
    /// When an admin last set it (absent: the default).
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingInput {
    /// The new value; null goes back to the rules' default.
    pub value: Option<i32>,
}
