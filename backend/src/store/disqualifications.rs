//! Disqualification proposals and their decisions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::StoreResult;
use crate::db::schema::disqualifications;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = disqualifications)]
#[diesel(treat_none_as_default_value = false)]
pub struct DisqualificationRow {
    pub id: String,
    pub event_id: String,
    pub registration_id: String,
    pub station_number: i32,
    pub ground: String,
    pub reason: String,
    pub status: String,
    pub requested_by: String,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
    pub created_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConnection, row: &DisqualificationRow) -> StoreResult<()> {
    diesel::insert_into(disqualifications::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Option<DisqualificationRow>> {
    Ok(disqualifications::table.find(id).select(DisqualificationRow::as_select()).first(conn).optional()?)
}

/// An event's proposals, newest first.
pub fn of_event(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<DisqualificationRow>> {
    Ok(disqualifications::table
        .filter(disqualifications::event_id.eq(event_id))
        .order((disqualifications::created_at.desc(), disqualifications::id))
        .select(DisqualificationRow::as_select())
        .load(conn)?)
}

/// Records the decision if the proposal is still pending; false when someone decided first.
pub fn decide(
    conn: &mut DbConnection,
    id: &str,
    status: &str,
    by: &str,
    note: Option<&str>,
    at: NaiveDateTime,
) -> StoreResult<bool> {
    let changed = diesel::update(
        disqualifications::table.filter(disqualifications::id.eq(id)).filter(disqualifications::status.eq("pending")),
    )
    .set((
        disqualifications::status.eq(status),
        disqualifications::decided_by.eq(by),
        disqualifications::decision_note.eq(note),
        disqualifications::decided_at.eq(at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}
