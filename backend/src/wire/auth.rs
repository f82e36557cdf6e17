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

/// `PUT /me/password`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// At least 10 characters; not containing the username; not the current one.
    pub new_password: String,
}

/// `POST /auth/password-reset`: the token of a reset link and the new password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub token: String,
    pub new_password: String,
}

/// A one-time password-reset link, shown once to the admin or organiser who issued it.
#[derive(Serialize, ToSchema)]
pub struct ResetLink {
    pub token: String,
    /// The SPA page that takes it (`/reset-password#<token>`: after `#`, so it never reaches a
    /// server's request log).
    pub path: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenPair {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Seconds until the session's refresh token expires. The refresh token itself is never in a
    /// body: it is the `HttpOnly` cookie `skillcomp_refresh`, sent only to `/api/v1/auth/`. It is
    /// single use: each refresh sets a new one, and presenting a used one again ends the session.
    pub refresh_expires_in: u64,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub username: String,
    /// The name the caller is shown by (their profile's, else their account's).
    pub full_name: Option<String>,
    pub person_id: Option<String>,
    pub grants: Vec<GrantOut>,
    /// The caller's own profile, in full.
    pub person: Option<PersonOut>,
}
