//! The auth area on the wire.

use crate::wire::persons::PersonOut;
use crate::wire::users::GrantOut;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// 3–64 characters: letters, digits, `. _ - @` (a phone number or e-mail address works).
    #[schema(example = "13812345678")]
    pub username: String,
    /// At least 10 characters; not containing the username.
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenPair {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Single use: each refresh returns a new one. Presenting a used one again revokes the session.
    pub refresh_token: String,
    pub refresh_expires_in: u64,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub username: String,
    pub person_id: Option<String>,
    pub grants: Vec<GrantOut>,
    /// The caller's own profile, in full.
    pub person: Option<PersonOut>,
}
