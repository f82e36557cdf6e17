//! Identity corrections: requests to change a locked name, ID number or employer, and their
//! decisions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::StoreResult;
use crate::db::schema::{identity_corrections, organisations, persons};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = identity_corrections)]
#[diesel(treat_none_as_default_value = false)]
pub struct CorrectionRow {
    pub id: String,
    pub person_id: String,
    pub requested_by: String,
    pub full_name: Option<String>,
    pub id_number: Option<String>,
    pub employer_org_id: Option<String>,
    pub reason: String,
    pub status: String,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
    pub created_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConnection, row: &CorrectionRow) -> StoreResult<()> {
    diesel::insert_into(identity_corrections::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Option<CorrectionRow>> {
    Ok(identity_corrections::table.find(id).select(CorrectionRow::as_select()).first(conn).optional()?)
}

pub fn of_person(conn: &mut DbConnection, person_id: &str) -> StoreResult<Vec<CorrectionRow>> {
    Ok(identity_corrections::table
        .filter(identity_corrections::person_id.eq(person_id))
        .order(identity_corrections::created_at.desc())
        .select(CorrectionRow::as_select())
        .load(conn)?)
}

/// Corrections in `status` of people employed within one of `paths` (all when `None`), newest
/// first, at most `limit`.
pub fn queue(
    conn: &mut DbConnection,
    status: &str,
    paths: Option<&[String]>,
    limit: i64,
) -> StoreResult<Vec<CorrectionRow>> {
    let mut query = identity_corrections::table
        .inner_join(persons::table.left_join(organisations::table))
        .select(CorrectionRow::as_select())
        .into_boxed();
    // Paths first: the macro ORs them, and the status must hold for every one.
    super::filter_within_paths!(query, paths);
    query = query.filter(identity_corrections::status.eq(status.to_string()));
    Ok(query.order(identity_corrections::created_at.desc()).limit(limit).load(conn)?)
}

/// Records the decision if the request is still pending; false when someone decided first.
pub fn decide(
    conn: &mut DbConnection,
    id: &str,
    status: &str,
    by: &str,
    note: Option<&str>,
    at: NaiveDateTime,
) -> StoreResult<bool> {
    let changed = diesel::update(
        identity_corrections::table
            .filter(identity_corrections::id.eq(id))
            .filter(identity_corrections::status.eq("pending")),
    )
    .set((
        identity_corrections::status.eq(status),
        identity_corrections::decided_by.eq(by),
        identity_corrections::decision_note.eq(note),
        identity_corrections::decided_at.eq(at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}
