//! Result sets and their rows.

use super::typed_column;
use crate::domain::ranking::{AppealStatus, ResultSetStatus};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::StoreResult;
use crate::db::schema::{appeals, organisations, registrations, result_sets, results};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = result_sets)]
#[diesel(treat_none_as_default_value = false)]
pub struct ResultSetRow {
    pub id: String,
    pub event_id: String,
    pub version: i32,
    pub status: String,
    pub marks_digest: String,
    pub computed_by: String,
    pub computed_at: NaiveDateTime,
    pub publicity_ends_at: Option<NaiveDateTime>,
    pub finalised_at: Option<NaiveDateTime>,
    /// When it was announced to the contestants (moved into publicity).
    pub published_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = results)]
#[diesel(treat_none_as_default_value = false)]
pub struct ResultRow {
    pub id: String,
    pub result_set_id: String,
    pub registration_id: String,
    pub station_number: i32,
    pub theory_centi: i32,
    pub practical_centi: i32,
    pub total_centi: i32,
    pub standardised: Option<i32>,
    pub rank: i32,
    pub tie_note: Option<String>,
    pub tie_key: Option<String>,
}

/// The latest result set of an event (any status but superseded).
pub fn latest(conn: &mut DbConnection, event_id: &str) -> StoreResult<Option<ResultSetRow>> {
    Ok(result_sets::table
        .filter(result_sets::event_id.eq(event_id))
        .filter(result_sets::status.ne(ResultSetStatus::Superseded.as_str()))
        .order(result_sets::version.desc())
        .select(ResultSetRow::as_select())
        .first(conn)
        .optional()?)
}

/// The event's result set last announced to the contestants (possibly since superseded by a
/// computation not yet published).
pub fn latest_published(conn: &mut DbConnection, event_id: &str) -> StoreResult<Option<ResultSetRow>> {
    Ok(result_sets::table
        .filter(result_sets::event_id.eq(event_id))
        .filter(result_sets::published_at.is_not_null())
        .order(result_sets::version.desc())
        .select(ResultSetRow::as_select())
        .first(conn)
        .optional()?)
}

/// One registration's row of a result set.
pub fn row_of(conn: &mut DbConnection, set_id: &str, registration_id: &str) -> StoreResult<Option<ResultRow>> {
    Ok(results::table
        .filter(results::result_set_id.eq(set_id))
        .filter(results::registration_id.eq(registration_id))
        .select(ResultRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn next_version(conn: &mut DbConnection, event_id: &str) -> StoreResult<i32> {
    let max: Option<i32> = result_sets::table
        .filter(result_sets::event_id.eq(event_id))
        .select(diesel::dsl::max(result_sets::version))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

pub fn insert(conn: &mut DbConnection, set: &ResultSetRow, rows: &[ResultRow]) -> StoreResult<()> {
    diesel::update(result_sets::table.filter(result_sets::event_id.eq(&set.event_id)).filter(
        result_sets::status.eq_any([ResultSetStatus::Provisional.as_str(), ResultSetStatus::Publicity.as_str()]),
    ))
    .set(result_sets::status.eq(ResultSetStatus::Superseded.as_str()))
    .execute(conn)?;
    diesel::insert_into(result_sets::table).values(set).execute(conn)?;
    for chunk in rows.chunks(1000) {
        crate::insert_rows!(conn, results::table, chunk)?;
    }
    Ok(())
}

pub fn rows_of(conn: &mut DbConnection, set_id: &str) -> StoreResult<Vec<ResultRow>> {
    Ok(results::table
        .filter(results::result_set_id.eq(set_id))
        .order((results::rank.asc(), results::station_number.asc()))
        .select(ResultRow::as_select())
        .load(conn)?)
}

/// A result row with who it is: full name, ID number and nominating unit's name.
/// A result with the entrant's name, ID number, unit and team name.
pub type NamedResult = (ResultRow, String, String, String, Option<String>);

/// The rows of a set with the contestant's name and ID number as they entered, and unit, in rank
/// order, in one query.
pub fn named_rows_of(conn: &mut DbConnection, set_id: &str) -> StoreResult<Vec<NamedResult>> {
    Ok(results::table
        .inner_join(registrations::table.inner_join(organisations::table))
        .filter(results::result_set_id.eq(set_id))
        .order((results::rank.asc(), results::station_number.asc()))
        .select((
            ResultRow::as_select(),
            registrations::entrant_name,
            registrations::entrant_id_number,
            organisations::name,
            registrations::team_name,
        ))
        .load(conn)?)
}

/// Moves a set from one status to the next if it is still in `from`.
pub fn advance(conn: &mut DbConnection, set: &ResultSetRow, from: ResultSetStatus) -> StoreResult<bool> {
    let changed = diesel::update(
        result_sets::table.filter(result_sets::id.eq(&set.id)).filter(result_sets::status.eq(from.as_str())),
    )
    .set((
        result_sets::status.eq(&set.status),
        result_sets::publicity_ends_at.eq(set.publicity_ends_at),
        result_sets::finalised_at.eq(set.finalised_at),
        result_sets::published_at.eq(set.published_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = appeals)]
pub struct AppealRow {
    pub id: String,
    pub registration_id: String,
    pub event_id: String,
    pub filed_by: String,
    pub grounds: String,
    pub status: String,
    pub ruling: Option<String>,
    pub arbiter_user_id: Option<String>,
    pub filed_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
}

/// When the event's scores were first announced to the contestants (its first publication).
pub fn first_published_at(conn: &mut DbConnection, event_id: &str) -> StoreResult<Option<NaiveDateTime>> {
    Ok(result_sets::table
        .filter(result_sets::event_id.eq(event_id))
        .select(diesel::dsl::min(result_sets::published_at))
        .first(conn)?)
}

pub fn insert_appeal(conn: &mut DbConnection, row: &AppealRow) -> StoreResult<()> {
    diesel::insert_into(appeals::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find_appeal(conn: &mut DbConnection, id: &str) -> StoreResult<Option<AppealRow>> {
    Ok(appeals::table.find(id).select(AppealRow::as_select()).first(conn).optional()?)
}

pub fn appeals_of_event(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<AppealRow>> {
    Ok(appeals::table
        .filter(appeals::event_id.eq(event_id))
        .order(appeals::id.asc())
        .select(AppealRow::as_select())
        .load(conn)?)
}

/// Moves an appeal on if it is still in `from`.
pub fn advance_appeal(conn: &mut DbConnection, row: &AppealRow, from: AppealStatus) -> StoreResult<bool> {
    let changed =
        diesel::update(appeals::table.filter(appeals::id.eq(&row.id)).filter(appeals::status.eq(from.as_str())))
            .set((
                appeals::status.eq(&row.status),
                appeals::ruling.eq(&row.ruling),
                appeals::arbiter_user_id.eq(&row.arbiter_user_id),
                appeals::decided_at.eq(row.decided_at),
            ))
            .execute(conn)?;
    Ok(changed == 1)
}

typed_column!(ResultSetRow, status, ResultSetStatus);
typed_column!(AppealRow, status, AppealStatus);

/// Sets one result row's place and tie note (a tie decision).
pub fn set_place(conn: &mut DbConnection, row_id: &str, rank: i32, tie_note: &str) -> StoreResult<()> {
    diesel::update(results::table.find(row_id))
        .set((results::rank.eq(rank), results::tie_note.eq(tie_note)))
        .execute(conn)?;
    Ok(())
}
