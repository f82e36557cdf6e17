//! Holidays and adjusted working days, and publicity windows.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::StoreResult;
use crate::db::schema::{calendar_days, publicity_windows};
use crate::db::DbConnection;
use crate::domain::calendar::DayKind;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = publicity_windows)]
pub struct WindowRow {
    pub id: String,
    pub competition_id: String,
    pub kind: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = calendar_days)]
pub struct CalendarDayRow {
    pub day: NaiveDate,
    pub kind: String,
    pub name: String,
}

pub fn adjustments(conn: &mut DbConnection) -> StoreResult<HashMap<NaiveDate, DayKind>> {
    let rows: Vec<CalendarDayRow> = calendar_days::table.select(CalendarDayRow::as_select()).load(conn)?;
    Ok(rows.into_iter().filter_map(|r| DayKind::parse(&r.kind).map(|k| (r.day, k))).collect())
}

pub fn list_days(conn: &mut DbConnection, year: i32) -> StoreResult<Vec<CalendarDayRow>> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(year + 1, 1, 1).unwrap_or_default();
    Ok(calendar_days::table
        .filter(calendar_days::day.ge(from))
        .filter(calendar_days::day.lt(to))
        .order(calendar_days::day.asc())
        .select(CalendarDayRow::as_select())
        .load(conn)?)
}

pub fn put_day(conn: &mut DbConnection, row: &CalendarDayRow) -> StoreResult<()> {
    diesel::delete(calendar_days::table.find(row.day)).execute(conn)?;
    diesel::insert_into(calendar_days::table).values(row).execute(conn)?;
    Ok(())
}

pub fn delete_day(conn: &mut DbConnection, day: NaiveDate) -> StoreResult<usize> {
    Ok(diesel::delete(calendar_days::table.find(day)).execute(conn)?)
}

pub fn insert_window(conn: &mut DbConnection, row: &WindowRow) -> StoreResult<()> {
    diesel::insert_into(publicity_windows::table).values(row).execute(conn)?;
    Ok(())
}

/// The latest window of a kind for a competition.
pub fn window_of(conn: &mut DbConnection, competition_id: &str, kind: &str) -> StoreResult<Option<WindowRow>> {
    Ok(publicity_windows::table
        .filter(publicity_windows::competition_id.eq(competition_id))
        .filter(publicity_windows::kind.eq(kind))
        .order(publicity_windows::id.desc())
        .select(WindowRow::as_select())
        .first(conn)
        .optional()?)
}
