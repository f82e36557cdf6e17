//! Refresh tokens: random, stored as a SHA-256 hash, single use. Each login starts a family;
//! every refresh uses up one token and adds the next to the family. Presenting a used token
//! again means it was stolen or replayed, and the whole family is revoked.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::StoreResult;
use crate::db::schema::{password_resets, refresh_tokens};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    pub id: String,
    pub user_id: String,
    pub family_id: String,
    pub token_hash: String,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &RefreshTokenRow) -> StoreResult<()> {
    diesel::insert_into(refresh_tokens::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find_by_hash(conn: &mut DbConnection, token_hash: &str) -> StoreResult<Option<RefreshTokenRow>> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()?)
}

/// Marks the token used if nobody used it first; false means it was already used (a replay,
/// or two refreshes racing with one token).
pub fn use_once(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> StoreResult<bool> {
    let changed = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::id.eq(id))
            .filter(refresh_tokens::used_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(at))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn revoke_family(conn: &mut DbConnection, family_id: &str, at: NaiveDateTime) -> StoreResult<usize> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(at))
    .execute(conn)?)
}

pub fn revoke_all_of_user(conn: &mut DbConnection, user_id: &str, at: NaiveDateTime) -> StoreResult<usize> {
    Ok(diesel::update(
        refresh_tokens::table.filter(refresh_tokens::user_id.eq(user_id)).filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(at))
    .execute(conn)?)
}

/// Whether session `family_id` of `user_id` is still open: some token of it is not revoked.
/// (Logout, a reused refresh token, a password change or reset and disabling revoke them all.)
pub fn session_is_live(conn: &mut DbConnection, user_id: &str, family_id: &str) -> StoreResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    ))
    .get_result(conn)?)
}

/// Revokes every session of the user but `keep_family` (a password change keeps the session
/// it was made in).
pub fn revoke_others_of_user(
    conn: &mut DbConnection,
    user_id: &str,
    keep_family: &str,
    at: NaiveDateTime,
) -> StoreResult<usize> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::family_id.ne(keep_family))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(at))
    .execute(conn)?)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = password_resets)]
pub struct PasswordResetRow {
    pub id: String,
    pub user_id: String,
    pub token_hash: String,
    pub issued_by: String,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// Stores a reset link, ending the account's earlier unused ones (only the newest link works).
pub fn replace_reset(conn: &mut DbConnection, row: &PasswordResetRow) -> StoreResult<()> {
    diesel::update(
        password_resets::table
            .filter(password_resets::user_id.eq(&row.user_id))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(row.created_at))
    .execute(conn)?;
    diesel::insert_into(password_resets::table).values(row).execute(conn)?;
    Ok(())
}

/// The unused, unexpired reset link with this hash.
pub fn find_reset(
    conn: &mut DbConnection,
    token_hash: &str,
    at: NaiveDateTime,
) -> StoreResult<Option<PasswordResetRow>> {
    Ok(password_resets::table
        .filter(password_resets::token_hash.eq(token_hash))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(at))
        .select(PasswordResetRow::as_select())
        .first(conn)
        .optional()?)
}

/// Uses up the unused, unexpired reset link with this hash; none when there is no such link
/// (or another request used it first).
pub fn use_reset(
    conn: &mut DbConnection,
    token_hash: &str,
    at: NaiveDateTime,
) -> StoreResult<Option<PasswordResetRow>> {
    let Some(row) = find_reset(conn, token_hash, at)? else {
        return Ok(None);
    };
    let changed = diesel::update(
        password_resets::table.filter(password_resets::id.eq(&row.id)).filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(at))
    .execute(conn)?;
    Ok((changed == 1).then_some(row))
}
