//! Passwords: changing one's own (the current one required, every other session ended), and
//! one-time reset links that an admin or an organiser issues for an account in their scope
//! (`auth::policy::may_issue_reset`), used once within a day, ending every session of the account.

use chrono::NaiveDateTime;

use super::audit::{record, record_as};
use super::sessions::{Knock, Sessions};
use crate::auth::hashing::{hash_off_thread, verify_off_thread};
use crate::auth::password::check_password_policy;
use crate::auth::policy::{may_issue_reset, ResetRefusal, ResetTarget};
use crate::auth::rate_limit;
use crate::auth::{random_token, sha256_hex, Actor};
use crate::db::Db;
use crate::domain::role::Role;
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult};
use crate::store::tokens::PasswordResetRow;
use crate::store::{self, new_id};
use crate::wire::auth::ResetLink;
use crate::wire::utc;

/// How long a reset link works.
pub const RESET_LINK_HOURS: i64 = 24;

/// The policy's verdict on a new password, named after the field that carries it.
fn check_new_password(username: &str, password: &str) -> ApiResult<()> {
    check_password_policy(username, password)
        .map_err(|v| ApiError::validation(vec![Violation::new("new_password", &v.code, v.message)]))
}

impl Sessions<'_> {
    /// Changes the caller's password. The current password is required (a borrowed access token
    /// alone cannot take the account over) and wrong guesses count like failed logins; every
    /// other session of the account ends, this one stays.
    pub async fn change_password(&self, actor: Actor, current: String, new: String) -> ApiResult<()> {
        check_new_password(&actor.username, &new)?;
        if current == new {
            return Err(ApiError::field("new_password", "same_as_current", "choose a password you do not use now"));
        }
        let limit = self.settings.login_failures_per_account;
        let key = format!("password:account:{}", actor.user_id);
        let user_id = actor.user_id.clone();
        let now = actor.at;
        let stored = self
            .db
            .read({
                let key = key.clone();
                move |conn| {
                    rate_limit::check(conn, limit, &key, "wrong current passwords", now.and_utc().timestamp())?;
                    let user = store::users::find(conn, &user_id)?.ok_or_else(|| ApiError::not_found("user"))?;
                    Ok(user.password_hash)
                }
            })
            .await?;
        if !verify_off_thread(self.hashing, current, stored).await? {
            self.db
                .write(move |conn| {
                    match rate_limit::count(conn, limit, &key, "wrong current passwords", now.and_utc().timestamp()) {
                        Err(e) if e.status.as_u16() == 429 => Ok(()),
                        other => other,
                    }
                })
                .await?;
            return Err(ApiError::field("current_password", "incorrect", "the current password is not right"));
        }
        let hash = hash_off_thread(self.hashing, new).await?;
        self.db
            .write(move |conn| {
                store::users::set_password(conn, &actor.user_id, &hash, now)?;
                let ended = store::tokens::revoke_others_of_user(conn, &actor.user_id, &actor.session_id, now)?;
                store::rate_limits::clear(conn, &key)?;
                let after = serde_json::json!({ "other_sessions_ended": ended > 0 });
                record(conn, &actor, "user.password_change", ("user", &actor.user_id), None, Some(after))
            })
            .await
    }

    /// Sets a new password with a reset link's token, which is used up; every session of the
    /// account ends. An unknown, used or expired token gets one answer.
    pub async fn reset_password(&self, knock: Knock, token: &str, new: String) -> ApiResult<()> {
        let Knock { ip, request_id, now } = knock;
        let token_hash = sha256_hex(token.trim());
        let limit = self.settings.login_per_ip;
        let username = self
            .db
            .write({
                let token_hash = token_hash.clone();
                move |conn| {
                    let key = format!("reset:ip:{ip}");
                    rate_limit::count(
                        conn,
                        limit,
                        &key,
                        "password resets from this address",
                        now.and_utc().timestamp(),
                    )?;
                    let user = match store::tokens::find_reset(conn, &token_hash, now)? {
                        Some(reset) => store::users::find(conn, &reset.user_id)?.filter(|u| u.is_active),
                        None => None,
                    };
                    user.map(|u| u.username).ok_or_else(invalid_reset_link)
                }
            })
            .await?;
        check_new_password(&username, &new)?;
        let hash = hash_off_thread(self.hashing, new).await?;
        self.db
            .write(move |conn| {
                // Used up here, in the write that sets the password: two requests racing with one
                // link set at most one password.
                let reset = store::tokens::use_reset(conn, &token_hash, now)?.ok_or_else(invalid_reset_link)?;
                store::users::set_password(conn, &reset.user_id, &hash, now)?;
                store::tokens::revoke_all_of_user(conn, &reset.user_id, now)?;
                let after = serde_json::json!({ "issued_by": reset.issued_by });
                record_as(
                    conn,
                    Some(&reset.user_id),
                    request_id.as_deref(),
                    "user.password_reset",
                    ("user", &reset.user_id),
                    None,
                    Some(after),
                    now,
                )
            })
            .await
    }
}

fn invalid_reset_link() -> ApiError {
    ApiError::bad_request(
        "invalid_reset_link",
        "this reset link is not valid, was used already or has expired; ask for a new one",
    )
}

/// Issues a one-time reset link for account `user_id` (replacing any earlier one). The token is
/// shown once, in this answer, for the issuer to hand over; only its hash is kept.
pub async fn issue_reset_link(db: &Db, actor: Actor, now: NaiveDateTime, user_id: String) -> ApiResult<ResetLink> {
    db.write(move |conn| {
        let user = store::users::find(conn, &user_id)?.ok_or_else(|| ApiError::not_found("user"))?;
        let grants: Vec<(Role, Option<String>)> = store::users::grants_of(conn, &user.id)?
            .into_iter()
            .filter_map(|(g, path, _)| Role::parse(&g.role).map(|r| (r, path)))
            .collect();
        let employer_path = match &user.person_id {
            Some(pid) => store::persons::find(conn, pid)?.and_then(|(_, path)| path),
            None => None,
        };
        let target =
            ResetTarget { is_self: user.id == actor.user_id, grants: &grants, employer_path: employer_path.as_deref() };
        match may_issue_reset(&actor, &target) {
            Ok(()) => {}
            Err(ResetRefusal::NotInScope) => return Err(ApiError::not_found("user")),
            Err(ResetRefusal::OwnAccount) => {
                return Err(ApiError::forbidden("change your own password with your current one (PUT /me/password)"))
            }
            Err(ResetRefusal::StrongerAccount) => {
                return Err(ApiError::forbidden(
                    "this account holds roles beyond your organisation; an administrator resets its password",
                ))
            }
        }
        let token = random_token(32);
        let expires_at = now + chrono::Duration::hours(RESET_LINK_HOURS);
        store::tokens::replace_reset(
            conn,
            &PasswordResetRow {
                id: new_id(),
                user_id: user.id.clone(),
                token_hash: sha256_hex(&token),
                issued_by: actor.user_id.clone(),
                expires_at,
                used_at: None,
                created_at: now,
            },
        )?;
        let after = serde_json::json!({ "expires_at": utc(expires_at) });
        record(conn, &actor, "user.password_reset_issued", ("user", &user.id), None, Some(after))?;
        Ok(ResetLink { path: format!("/reset-password#{token}"), token, expires_at: utc(expires_at) })
    })
    .await
}
