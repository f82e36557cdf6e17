//! Idempotency keys: a claim made first in the writing transaction, completed with the answer.

use diesel::prelude::*;

use super::StoreResult;
use crate::db::schema::idempotency_keys;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    pub id: String,
    pub user_id: String,
    pub idempotency_key: String,
    pub request_hash: String,
    pub response_status: i32,
    pub response_body: String,
    pub created_at: chrono::NaiveDateTime,
}

pub fn find(conn: &mut DbConnection, user_id: &str, key: &str) -> StoreResult<Option<IdempotencyRow>> {
    Ok(idempotency_keys::table
        .filter(idempotency_keys::user_id.eq(user_id))
        .filter(idempotency_keys::idempotency_key.eq(key))
        .select(IdempotencyRow::as_select())
        .first(conn)
        .optional()?)
}

/// Claims the key (status 0 until completed). A concurrent claim of the same key waits on the
/// unique index and then fails, so only one request does the work.
pub fn claim(conn: &mut DbConnection, row: &IdempotencyRow) -> StoreResult<()> {
    diesel::insert_into(idempotency_keys::table).values(row).execute(conn)?;
    Ok(())
}

pub fn complete(conn: &mut DbConnection, id: &str, status: i32, body: &str) -> StoreResult<()> {
    diesel::update(idempotency_keys::table.find(id))
        .set((idempotency_keys::response_status.eq(status), idempotency_keys::response_body.eq(body)))
        .execute(conn)?;
    Ok(())
}
