//! Per-event roles, the draw and its two-layer mapping.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::StoreResult;
use crate::db::schema::{competitions, draw_assignments, draws, event_roles, events, member_stations, users};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = event_roles)]
pub struct EventRoleRow {
    pub id: String,
    pub event_id: String,
    pub user_id: String,
    pub role: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = draws)]
pub struct DrawRow {
    pub id: String,
    pub event_id: String,
    pub seed: String,
    pub algorithm: String,
    pub performed_by: String,
    pub performed_at: NaiveDateTime,
}

/// A team-mate's own station (the captain's is the registration's assignment).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = member_stations)]
pub struct MemberStationRow {
    pub registration_id: String,
    pub person_id: String,
    pub event_id: String,
    pub station_number: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = draw_assignments)]
pub struct AssignmentRow {
    pub registration_id: String,
    pub event_id: String,
    pub draw_number: i32,
    pub station_number: i32,
}

pub fn roles_of_event(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<(EventRoleRow, String)>> {
    Ok(event_roles::table
        .inner_join(users::table)
        .filter(event_roles::event_id.eq(event_id))
        .order(event_roles::id.asc())
        .select((EventRoleRow::as_select(), users::username))
        .load(conn)?)
}

/// Competition states after which an appointment no longer binds anyone.
const OVER: [&str; 4] = ["results_final", "awards_certified", "archived", "cancelled"];

/// The roles a user holds on events whose competition is not over.
pub fn live_roles_of_user(conn: &mut DbConnection, user_id: &str) -> StoreResult<Vec<EventRoleRow>> {
    Ok(event_roles::table
        .inner_join(events::table.inner_join(competitions::table))
        .filter(event_roles::user_id.eq(user_id))
        .filter(competitions::status.ne_all(OVER))
        .order(event_roles::id.asc())
        .select(EventRoleRow::as_select())
        .load(conn)?)
}

/// The roles a user holds on an event.
pub fn roles_of_user(conn: &mut DbConnection, event_id: &str, user_id: &str) -> StoreResult<Vec<String>> {
    Ok(event_roles::table
        .filter(event_roles::event_id.eq(event_id))
        .filter(event_roles::user_id.eq(user_id))
        .select(event_roles::role)
        .load(conn)?)
}

/// The events where a user holds any role.
pub fn events_of_user(conn: &mut DbConnection, user_id: &str) -> StoreResult<Vec<String>> {
    Ok(event_roles::table
        .filter(event_roles::user_id.eq(user_id))
        .select(event_roles::event_id)
        .distinct()
        .load(conn)?)
}

/// How many roles a user holds on events whose competition is not over.
pub fn live_appointments_of_user(conn: &mut DbConnection, user_id: &str) -> StoreResult<i64> {
    Ok(event_roles::table
        .inner_join(events::table.inner_join(competitions::table))
        .filter(event_roles::user_id.eq(user_id))
        .filter(competitions::status.ne_all(OVER))
        .count()
        .get_result(conn)?)
}

/// The same for the accounts of a person.
pub fn live_appointments_of_person(conn: &mut DbConnection, person_id: &str) -> StoreResult<i64> {
    Ok(event_roles::table
        .inner_join(users::table)
        .inner_join(events::table.inner_join(competitions::table))
        .filter(users::person_id.eq(person_id))
        .filter(competitions::status.ne_all(OVER))
        .count()
        .get_result(conn)?)
}

pub fn insert_role(conn: &mut DbConnection, row: &EventRoleRow) -> StoreResult<()> {
    diesel::insert_into(event_roles::table).values(row).execute(conn)?;
    Ok(())
}

pub fn delete_role(conn: &mut DbConnection, id: &str) -> StoreResult<usize> {
    Ok(diesel::delete(event_roles::table.find(id)).execute(conn)?)
}

pub fn draw_of(conn: &mut DbConnection, event_id: &str) -> StoreResult<Option<DrawRow>> {
    Ok(draws::table.filter(draws::event_id.eq(event_id)).select(DrawRow::as_select()).first(conn).optional()?)
}

pub fn drawn_events(conn: &mut DbConnection, event_ids: &[String]) -> StoreResult<Vec<String>> {
    Ok(draws::table.filter(draws::event_id.eq_any(event_ids)).select(draws::event_id).load(conn)?)
}

pub fn insert_draw(
    conn: &mut DbConnection,
    draw: &DrawRow,
    assignments: &[AssignmentRow],
    member_stations: &[MemberStationRow],
) -> StoreResult<()> {
    diesel::insert_into(draws::table).values(draw).execute(conn)?;
    for a in assignments {
        diesel::insert_into(draw_assignments::table).values(a).execute(conn)?;
    }
    for m in member_stations {
        diesel::insert_into(member_stations::table).values(m).execute(conn)?;
    }
    Ok(())
}

/// The team-mates' own stations, where a team's members each work one.
pub fn member_stations_of(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<MemberStationRow>> {
    Ok(member_stations::table
        .filter(member_stations::event_id.eq(event_id))
        .order(member_stations::station_number.asc())
        .select(MemberStationRow::as_select())
        .load(conn)?)
}

/// The station a registration drew (its captain's, for a team).
pub fn station_of(conn: &mut DbConnection, registration_id: &str) -> StoreResult<Option<i32>> {
    Ok(draw_assignments::table
        .filter(draw_assignments::registration_id.eq(registration_id))
        .select(draw_assignments::station_number)
        .first(conn)
        .optional()?)
}

/// A team-mate's own station, where each member works one.
pub fn member_station(conn: &mut DbConnection, registration_id: &str, person_id: &str) -> StoreResult<Option<i32>> {
    Ok(member_stations::table
        .filter(member_stations::registration_id.eq(registration_id))
        .filter(member_stations::person_id.eq(person_id))
        .select(member_stations::station_number)
        .first(conn)
        .optional()?)
}

pub fn assignments_of(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<AssignmentRow>> {
    Ok(draw_assignments::table
        .filter(draw_assignments::event_id.eq(event_id))
        .order(draw_assignments::draw_number.asc())
        .select(AssignmentRow::as_select())
        .load(conn)?)
}
