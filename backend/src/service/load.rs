//! Loading what a use case acts on, as the caller may see it: a record the caller may not see is
//! "not found", never a different answer.

use crate::auth::policy::can_view_person;
use crate::auth::Actor;
use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult};
use crate::store;
use crate::store::persons::PersonRow;

/// A person with their employer's path, if the caller may see them (404 otherwise).
pub fn person(conn: &mut DbConnection, actor: &Actor, id: &str) -> ApiResult<(PersonRow, Option<String>)> {
    match store::persons::find(conn, id)? {
        Some((row, path)) if can_view_person(actor, &row.id, path.as_deref()) => Ok((row, path)),
        _ => Err(ApiError::not_found("person")),
    }
}
