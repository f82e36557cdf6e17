//! Refresh tokens: random, stored as a SHA-256 hash, single use. Each login starts a family;
//! every refresh uses up one token and adds the next to the family. Presenting a used token
//! again means it was stolen or replayed, and the whole family is revoked.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::StoreResult;
use crate::db::schema::refresh_tokens;
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
