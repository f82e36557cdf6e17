//! Sessions: sign-up, login, token refresh with rotation and reuse detection, logout, and who
//! the caller is. Rate limits are counted in the database so that they hold across API nodes.

use chrono::NaiveDateTime;

use super::audit::record_as;
use crate::auth::hashing::{hash_off_thread, verify_off_thread, HashingPool};
use crate::auth::password::{check_password_policy, decoy_hash, normalise_username};
use crate::auth::rate_limit::{self, Limit};
use crate::auth::token::TokenService;
use crate::auth::{random_token, sha256_hex, Actor};
use crate::blocking::pause;
use crate::config::Settings;
use crate::db::{Db, DbConnection};
use crate::domain::role::Role;
use crate::error::{ApiError, ApiResult};
use crate::service::persons::person_view;
use crate::store::tokens::RefreshTokenRow;
use crate::store::users::{GrantRow, UserRow};
use crate::store::{self, new_id};
use crate::wire::auth::{Me, TokenPair};
use crate::wire::users::grant_outs;

/// What the session use cases need of the server.
pub struct Sessions<'a> {
    pub db: &'a Db,
    pub hashing: &'a HashingPool,
    pub tokens: &'a TokenService,
    pub settings: &'a Settings,
}

/// Who is knocking: the client's address (as the trusted proxies tell it), the request id for
/// the audit trail, and the server's time.
pub struct Knock {
    pub ip: String,
    pub request_id: Option<String>,
    pub now: NaiveDateTime,
}

/// A session's new tokens: the pair for the body, and the refresh token, which the API sets as
/// an `HttpOnly` cookie (so no script on the page can read it).
pub struct Issued {
    pub pair: TokenPair,
    pub refresh_token: String,
}

/// A refresh token just stored, and the session (family) it belongs to.
struct NewRefresh {
    token: String,
    family: String,
}

enum RefreshOutcome {
    Rotated { user_id: String, next: NewRefresh },
    Invalid,
    Expired,
    Reused,
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthorized("invalid_credentials", "the username or the password is wrong")
}

/// Stores a new refresh token (in `family`, or starting a new family) and returns it.
fn new_refresh_token(
    conn: &mut DbConnection,
    ttl: chrono::Duration,
    user_id: &str,
    family: Option<&str>,
    now: NaiveDateTime,
) -> ApiResult<NewRefresh> {
    let token = random_token(32);
    let family = family.map(String::from).unwrap_or_else(new_id);
    store::tokens::insert(
        conn,
        &RefreshTokenRow {
            id: new_id(),
            user_id: user_id.to_string(),
            family_id: family.clone(),
            token_hash: sha256_hex(&token),
            expires_at: now + ttl,
            used_at: None,
            revoked_at: None,
            created_at: now,
        },
    )?;
    Ok(NewRefresh { token, family })
}

impl Sessions<'_> {
    fn refresh_ttl(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.tokens.refresh_ttl).unwrap_or(chrono::Duration::days(14))
    }

    fn issued(&self, user_id: &str, refresh: NewRefresh) -> ApiResult<Issued> {
        Ok(Issued {
            pair: TokenPair {
                access_token: self.tokens.issue(user_id, &refresh.family)?,
                token_type: "Bearer",
                expires_in: self.tokens.access_ttl.as_secs(),
                refresh_expires_in: self.tokens.refresh_ttl.as_secs(),
            },
            refresh_token: refresh.token,
        })
    }

    /// Creates a contestant account and logs it in.
    pub async fn signup(&self, knock: Knock, username: String, password: String) -> ApiResult<Issued> {
        let Knock { ip, request_id, now } = knock;
        let username = normalise_username(&username)?;
        check_password_policy(&username, &password)?;
        let limit = self.settings.signup_per_ip;
        self.db
            .write(move |conn| {
                let key = format!("signup:ip:{ip}");
                rate_limit::count(conn, limit, &key, "sign-ups from this address", now.and_utc().timestamp())
            })
            .await?;
        let password_hash = hash_off_thread(self.hashing, password).await?;
        let ttl = self.refresh_ttl();
        let (user_id, refresh_token) = self
            .db
            .write(move |conn| {
                let user = UserRow::new_account(username, password_hash, now);
                store::users::insert(conn, &user)?;
                store::users::insert_grant(
                    conn,
                    &GrantRow {
                        id: new_id(),
                        user_id: user.id.clone(),
                        role: Role::Contestant.as_str().into(),
                        organisation_id: None,
                        granted_by: None,
                        created_at: now,
                    },
                )?;
                record_as(
                    conn,
                    Some(&user.id),
                    request_id.as_deref(),
                    "user.signup",
                    ("user", &user.id),
                    None,
                    Some(serde_json::json!({ "username": user.username, "role": Role::Contestant })),
                    now,
                )?;
                let first_token = new_refresh_token(conn, ttl, &user.id, None, now)?;
                Ok((user.id, first_token))
            })
            .await?;
        self.issued(&user_id, refresh_token)
    }

    /// Logs in with username and password. An unknown user and a wrong password get the same
    /// answer after the same work.
    pub async fn login(&self, knock: Knock, username: String, password: String) -> ApiResult<Issued> {
        let Knock { ip, request_id, now } = knock;
        let username = username.trim().to_lowercase();
        let (per_ip, per_account) = (self.settings.login_per_ip, self.settings.login_failures_per_account);
        // Failures count per account *and address*: five from one address make that address
        // wait, but cannot lock the owner out from theirs; failures from everywhere slow the
        // account down (`rate_limit::slowdown`). Every attempt counts against the address.
        let account_key = format!("login:account:{username}");
        let pair_key = format!("login:account:{username}:from:{ip}");
        let (user, failures) = self
            .db
            .write({
                let (account_key, pair_key) = (account_key.clone(), pair_key.clone());
                move |conn| {
                    let at = now.and_utc().timestamp();
                    let ip_key = format!("login:ip:{ip}");
                    rate_limit::count(conn, per_ip, &ip_key, "login attempts from this address", at)?;
                    rate_limit::check(conn, per_account, &pair_key, "failed logins for this account", at)?;
                    let failures = rate_limit::attempts(conn, per_account, &account_key, at)?;
                    Ok((store::users::find_by_username(conn, &username)?, failures))
                }
            })
            .await?;
        pause(rate_limit::slowdown(per_account, failures)).await;
        let user = user.filter(|u| u.is_active);
        let hash = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| decoy_hash().to_string());
        let password_ok = verify_off_thread(self.hashing, password, hash).await?;
        let Some(user) = user.filter(|_| password_ok) else {
            self.db
                .write(move |conn| {
                    let at = now.and_utc().timestamp();
                    if !per_account.is_off() {
                        // Counted, never refused: this count only slows the account down.
                        let unbounded = Limit { max: i32::MAX as u32, ..per_account };
                        rate_limit::count(conn, unbounded, &account_key, "failed logins", at)?;
                    }
                    match rate_limit::count(conn, per_account, &pair_key, "failed logins", at) {
                        // This failure spent the pair's last attempt: it still answers as a failure.
                        Err(e) if e.status.as_u16() == 429 => Ok(()),
                        other => other,
                    }
                })
                .await?;
            return Err(invalid_credentials());
        };
        let user_id = user.id.clone();
        let ttl = self.refresh_ttl();
        let refresh_token = self
            .db
            .write(move |conn| {
                if !per_account.is_off() {
                    store::rate_limits::clear(conn, &account_key)?;
                    store::rate_limits::clear(conn, &pair_key)?;
                }
                let token = new_refresh_token(conn, ttl, &user.id, None, now)?;
                record_as(
                    conn,
                    Some(&user.id),
                    request_id.as_deref(),
                    "auth.login",
                    ("user", &user.id),
                    None,
                    None,
                    now,
                )?;
                Ok(token)
            })
            .await?;
        self.issued(&user_id, refresh_token)
    }

    /// Trades a refresh token for a new pair. A refresh token that was already used revokes its
    /// whole session family: whoever holds a copy is locked out. (Routine rotations are not
    /// audited, to keep the trail about decisions; reuse is.)
    pub async fn refresh(&self, knock: Knock, refresh_token: &str) -> ApiResult<Issued> {
        let Knock { request_id, now, .. } = knock;
        let token_hash = sha256_hex(refresh_token.trim());
        let ttl = self.refresh_ttl();
        // The transaction commits even when the answer is a refusal: a revoked family must stay revoked.
        let outcome = self
            .db
            .write(move |conn| {
                let Some(token) = store::tokens::find_by_hash(conn, &token_hash)? else {
                    return Ok(RefreshOutcome::Invalid);
                };
                if token.revoked_at.is_some() {
                    return Ok(RefreshOutcome::Invalid);
                }
                if token.used_at.is_some()
                    || (token.expires_at > now && !store::tokens::use_once(conn, &token.id, now)?)
                {
                    store::tokens::revoke_family(conn, &token.family_id, now)?;
                    record_as(
                        conn,
                        Some(&token.user_id),
                        request_id.as_deref(),
                        "auth.refresh_reuse_detected",
                        ("session", &token.family_id),
                        None,
                        Some(serde_json::json!({ "revoked_family": token.family_id })),
                        now,
                    )?;
                    return Ok(RefreshOutcome::Reused);
                }
                if token.expires_at <= now {
                    return Ok(RefreshOutcome::Expired);
                }
                if store::users::find(conn, &token.user_id)?.filter(|u| u.is_active).is_none() {
                    return Ok(RefreshOutcome::Invalid);
                }
                let next = new_refresh_token(conn, ttl, &token.user_id, Some(&token.family_id), now)?;
                Ok(RefreshOutcome::Rotated { user_id: token.user_id, next })
            })
            .await?;
        match outcome {
            RefreshOutcome::Rotated { user_id, next } => self.issued(&user_id, next),
            RefreshOutcome::Invalid => {
                Err(ApiError::unauthorized("invalid_refresh_token", "the refresh token is not valid; log in again"))
            }
            RefreshOutcome::Expired => {
                Err(ApiError::unauthorized("refresh_token_expired", "the session has expired; log in again"))
            }
            RefreshOutcome::Reused => Err(ApiError::unauthorized(
                "refresh_token_reused",
                "this refresh token was already used; the session has been ended for safety, log in again",
            )),
        }
    }
}

/// Ends the session a refresh token belongs to, whether or not the token was valid (the answer
/// tells nothing about it).
pub async fn logout(db: &Db, knock: Knock, refresh_token: &str) -> ApiResult<()> {
    let Knock { request_id, now, .. } = knock;
    let token_hash = sha256_hex(refresh_token.trim());
    db.write(move |conn| {
        let Some(token) = store::tokens::find_by_hash(conn, &token_hash)? else {
            return Ok(());
        };
        if store::tokens::revoke_family(conn, &token.family_id, now)? > 0 {
            let session = ("session", token.family_id.as_str());
            record_as(conn, Some(&token.user_id), request_id.as_deref(), "auth.logout", session, None, None, now)?;
        }
        Ok(())
    })
    .await
}

/// The caller: account, role grants and own profile.
pub async fn me(db: &Db, actor: Actor) -> ApiResult<Me> {
    db.read(move |conn| {
        let grants = store::users::grants_of(conn, &actor.user_id)?;
        let person = match &actor.person_id {
            Some(pid) => match store::persons::find(conn, pid)? {
                Some((row, path)) => {
                    let credentials = store::persons::credentials_of(conn, pid)?;
                    Some(person_view(conn, row, path.as_deref(), &actor, credentials)?)
                }
                None => None,
            },
            None => None,
        };
        let full_name = store::users::shown_names(conn, std::slice::from_ref(&actor.user_id))?.remove(&actor.user_id);
        Ok(Me {
            full_name,
            id: actor.user_id,
            username: actor.username,
            person_id: actor.person_id,
            grants: grant_outs(grants),
            person,
        })
    })
    .await
}
