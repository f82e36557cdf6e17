//! Judging queries: aspects, assignments, relations, marks, flags, signatures, reviews.

use super::typed_column;
use crate::domain::judging::{FlagStatus, MarkStatus, SampleStatus, SignoffKind};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::StoreResult;
use crate::db::schema::{
    aspects, event_judging, finish_times, judge_aspects, judge_relations, marks, reopen_requests, review_samples,
    section_signoffs, spread_flags,
};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = aspects)]
pub struct AspectRow {
    pub id: String,
    pub event_id: String,
    pub section_index: i32,
    pub section_kind: String,
    pub code: String,
    pub criterion: String,
    pub description: String,
    pub kind: String,
    pub max_centi: i32,
    pub position: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = judge_aspects)]
pub struct JudgeAspectRow {
    pub id: String,
    pub event_id: String,
    pub user_id: String,
    pub aspect_id: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = judge_relations)]
pub struct RelationRow {
    pub id: String,
    pub user_id: String,
    pub person_id: String,
    pub relation: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = marks)]
pub struct MarkRow {
    pub id: String,
    pub event_id: String,
    pub aspect_id: String,
    pub station_number: i32,
    pub judge_user_id: String,
    pub value_centi: i32,
    pub status: String,
    pub submitted_by: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = spread_flags)]
pub struct FlagRow {
    pub id: String,
    pub event_id: String,
    pub aspect_id: String,
    pub station_number: i32,
    pub status: String,
    pub note: Option<String>,
    pub resolved_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = section_signoffs)]
pub struct SignoffRow {
    pub id: String,
    pub event_id: String,
    pub section_index: i32,
    pub kind: String,
    pub signed_by: String,
    pub signed_at: NaiveDateTime,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reopen_requests)]
pub struct ReopenRow {
    pub id: String,
    pub mark_id: String,
    pub new_value_centi: i32,
    pub reason: String,
    pub requested_by: String,
    pub status: String,
    pub approved_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
    pub old_value_centi: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = review_samples)]
pub struct SampleRow {
    pub id: String,
    pub event_id: String,
    pub station_number: i32,
    pub reason: String,
    pub status: String,
    pub note: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Default, Queryable, Selectable, Insertable)]
#[diesel(table_name = event_judging)]
pub struct EventJudgingRow {
    pub event_id: String,
    pub review_seed: Option<String>,
    pub review_drawn_at: Option<NaiveDateTime>,
    pub decryption_requested_by: Option<String>,
    pub decryption_requested_at: Option<NaiveDateTime>,
    pub decrypted_by: Option<String>,
    pub decrypted_at: Option<NaiveDateTime>,
}

pub fn aspects_of(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<AspectRow>> {
    Ok(aspects::table
        .filter(aspects::event_id.eq(event_id))
        .order(aspects::position.asc())
        .select(AspectRow::as_select())
        .load(conn)?)
}

/// Replaces an event's aspects (only while no mark refers to them).
pub fn replace_aspects(conn: &mut DbConnection, event_id: &str, rows: &[AspectRow]) -> StoreResult<()> {
    diesel::delete(aspects::table.filter(aspects::event_id.eq(event_id))).execute(conn)?;
    for row in rows {
        diesel::insert_into(aspects::table).values(row).execute(conn)?;
    }
    Ok(())
}

pub fn count_marks(conn: &mut DbConnection, event_id: &str) -> StoreResult<i64> {
    Ok(marks::table.filter(marks::event_id.eq(event_id)).count().get_result(conn)?)
}

/// The aspect ids a judge marks in an event.
pub fn aspects_of_judge(conn: &mut DbConnection, event_id: &str, user_id: &str) -> StoreResult<Vec<String>> {
    Ok(judge_aspects::table
        .filter(judge_aspects::event_id.eq(event_id))
        .filter(judge_aspects::user_id.eq(user_id))
        .select(judge_aspects::aspect_id)
        .load(conn)?)
}

/// (station, registration id) of the contestants who compete in an event: drawn and checked in.
pub fn competing_stations(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<(i32, String)>> {
    use crate::db::schema::{draw_assignments, member_stations, registrations};
    let mut stations: Vec<(i32, String)> = draw_assignments::table
        .inner_join(registrations::table)
        .filter(draw_assignments::event_id.eq(event_id))
        .filter(registrations::status.eq_any(["checked_in", "competed"]))
        .select((draw_assignments::station_number, draw_assignments::registration_id))
        .load(conn)?;
    // Team-mates who work stations of their own compete with their team.
    stations.extend(
        member_stations::table
            .inner_join(registrations::table)
            .filter(member_stations::event_id.eq(event_id))
            .filter(registrations::status.eq_any(["checked_in", "competed"]))
            .select((member_stations::station_number, member_stations::registration_id))
            .load::<(i32, String)>(conn)?,
    );
    Ok(stations)
}

pub fn assignments_of(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<JudgeAspectRow>> {
    Ok(judge_aspects::table
        .filter(judge_aspects::event_id.eq(event_id))
        .select(JudgeAspectRow::as_select())
        .load(conn)?)
}

/// Removes every aspect a judge was assigned in an event; how many there were.
pub fn unassign(conn: &mut DbConnection, event_id: &str, user_id: &str) -> StoreResult<usize> {
    Ok(diesel::delete(
        judge_aspects::table.filter(judge_aspects::event_id.eq(event_id)).filter(judge_aspects::user_id.eq(user_id)),
    )
    .execute(conn)?)
}

pub fn assign(conn: &mut DbConnection, row: &JudgeAspectRow) -> StoreResult<bool> {
    let exists: i64 = judge_aspects::table
        .filter(judge_aspects::user_id.eq(&row.user_id))
        .filter(judge_aspects::aspect_id.eq(&row.aspect_id))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    diesel::insert_into(judge_aspects::table).values(row).execute(conn)?;
    Ok(true)
}

pub fn relations_of(conn: &mut DbConnection, user_id: &str) -> StoreResult<Vec<RelationRow>> {
    Ok(judge_relations::table
        .filter(judge_relations::user_id.eq(user_id))
        .select(RelationRow::as_select())
        .load(conn)?)
}

pub fn insert_relation(conn: &mut DbConnection, row: &RelationRow) -> StoreResult<()> {
    diesel::insert_into(judge_relations::table).values(row).execute(conn)?;
    Ok(())
}

pub fn marks_of_event(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<MarkRow>> {
    Ok(marks::table
        .filter(marks::event_id.eq(event_id))
        .order(marks::id.asc())
        .select(MarkRow::as_select())
        .load(conn)?)
}

/// (aspect, station, judge, value) of every mark of an event, in no order: all that scores and
/// the marks digest read, without the rest of each row.
pub fn mark_values_of_event(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<(String, i32, String, i32)>> {
    Ok(marks::table
        .filter(marks::event_id.eq(event_id))
        .select((marks::aspect_id, marks::station_number, marks::judge_user_id, marks::value_centi))
        .load(conn)?)
}

pub fn marks_of_judge(conn: &mut DbConnection, event_id: &str, judge: &str) -> StoreResult<Vec<MarkRow>> {
    Ok(marks::table
        .filter(marks::event_id.eq(event_id))
        .filter(marks::judge_user_id.eq(judge))
        .select(MarkRow::as_select())
        .load(conn)?)
}

/// A judge's marks at some stations.
pub fn marks_of_judge_at(
    conn: &mut DbConnection,
    event_id: &str,
    judge: &str,
    stations: &[i32],
) -> StoreResult<Vec<MarkRow>> {
    Ok(marks::table
        .filter(marks::event_id.eq(event_id))
        .filter(marks::judge_user_id.eq(judge))
        .filter(marks::station_number.eq_any(stations))
        .select(MarkRow::as_select())
        .load(conn)?)
}

/// The marks of one aspect at one station, all judges.
pub fn marks_at(conn: &mut DbConnection, aspect_id: &str, station: i32) -> StoreResult<Vec<MarkRow>> {
    Ok(marks::table
        .filter(marks::aspect_id.eq(aspect_id))
        .filter(marks::station_number.eq(station))
        .order(marks::judge_user_id.asc())
        .select(MarkRow::as_select())
        .load(conn)?)
}

/// Every judge's marks at one station of an event (what the chief judge looks at before re-opening).
pub fn marks_at_station(conn: &mut DbConnection, event_id: &str, station: i32) -> StoreResult<Vec<MarkRow>> {
    Ok(marks::table
        .filter(marks::event_id.eq(event_id))
        .filter(marks::station_number.eq(station))
        .order((marks::aspect_id.asc(), marks::judge_user_id.asc()))
        .select(MarkRow::as_select())
        .load(conn)?)
}

pub fn find_mark(conn: &mut DbConnection, id: &str) -> StoreResult<Option<MarkRow>> {
    Ok(marks::table.find(id).select(MarkRow::as_select()).first(conn).optional()?)
}

pub fn insert_mark(conn: &mut DbConnection, row: &MarkRow) -> StoreResult<()> {
    diesel::insert_into(marks::table).values(row).execute(conn)?;
    Ok(())
}

/// Saves a mark's value and status if its version is still `expected`.
pub fn update_mark(conn: &mut DbConnection, row: &MarkRow, expected: i32) -> StoreResult<bool> {
    let changed = diesel::update(marks::table.filter(marks::id.eq(&row.id)).filter(marks::version.eq(expected)))
        .set((
            marks::value_centi.eq(row.value_centi),
            marks::status.eq(&row.status),
            marks::submitted_by.eq(&row.submitted_by),
            marks::version.eq(row.version),
            marks::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Sets the status of marks (e.g. all of a section on sign-off). In chunks: a 1,000-station
/// section has 50,000 marks per judge, more than one statement may bind on SQLite.
pub fn set_mark_status(
    conn: &mut DbConnection,
    ids: &[String],
    status: MarkStatus,
    at: NaiveDateTime,
) -> StoreResult<()> {
    for chunk in ids.chunks(super::MAX_BOUND_IDS) {
        diesel::update(marks::table.filter(marks::id.eq_any(chunk)))
            .set((marks::status.eq(status.as_str()), marks::version.eq(marks::version + 1), marks::updated_at.eq(at)))
            .execute(conn)?;
    }
    Ok(())
}

pub fn flags_of(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<FlagRow>> {
    Ok(spread_flags::table
        .filter(spread_flags::event_id.eq(event_id))
        .order(spread_flags::id.asc())
        .select(FlagRow::as_select())
        .load(conn)?)
}

pub fn find_flag(conn: &mut DbConnection, id: &str) -> StoreResult<Option<FlagRow>> {
    Ok(spread_flags::table.find(id).select(FlagRow::as_select()).first(conn).optional()?)
}

pub fn flag_at(conn: &mut DbConnection, aspect_id: &str, station: i32) -> StoreResult<Option<FlagRow>> {
    Ok(spread_flags::table
        .filter(spread_flags::aspect_id.eq(aspect_id))
        .filter(spread_flags::station_number.eq(station))
        .select(FlagRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn save_flag(conn: &mut DbConnection, row: &FlagRow, exists: bool) -> StoreResult<()> {
    if exists {
        diesel::update(spread_flags::table.find(&row.id))
            .set((
                spread_flags::status.eq(&row.status),
                spread_flags::note.eq(&row.note),
                spread_flags::resolved_by.eq(&row.resolved_by),
                spread_flags::updated_at.eq(row.updated_at),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(spread_flags::table).values(row).execute(conn)?;
    }
    Ok(())
}

pub fn signoffs_of(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<SignoffRow>> {
    Ok(section_signoffs::table
        .filter(section_signoffs::event_id.eq(event_id))
        .select(SignoffRow::as_select())
        .load(conn)?)
}

pub fn insert_signoff(conn: &mut DbConnection, row: &SignoffRow) -> StoreResult<()> {
    diesel::insert_into(section_signoffs::table).values(row).execute(conn)?;
    Ok(())
}

pub fn confirm_signoff(conn: &mut DbConnection, id: &str, by: &str, at: NaiveDateTime) -> StoreResult<bool> {
    let changed = diesel::update(
        section_signoffs::table.filter(section_signoffs::id.eq(id)).filter(section_signoffs::confirmed_by.is_null()),
    )
    .set((section_signoffs::confirmed_by.eq(by), section_signoffs::confirmed_at.eq(at)))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn insert_reopen(conn: &mut DbConnection, row: &ReopenRow) -> StoreResult<()> {
    diesel::insert_into(reopen_requests::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find_reopen(conn: &mut DbConnection, id: &str) -> StoreResult<Option<ReopenRow>> {
    Ok(reopen_requests::table.find(id).select(ReopenRow::as_select()).first(conn).optional()?)
}

/// An event's re-open requests with their marks, newest first.
pub fn reopens_of_event(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<(ReopenRow, MarkRow)>> {
    Ok(reopen_requests::table
        .inner_join(marks::table)
        .filter(marks::event_id.eq(event_id))
        .order(reopen_requests::created_at.desc())
        .select((ReopenRow::as_select(), MarkRow::as_select()))
        .load(conn)?)
}

/// Whether a mark already has a request waiting for a supervisor.
pub fn has_pending_reopen(conn: &mut DbConnection, mark_id: &str) -> StoreResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        reopen_requests::table
            .filter(reopen_requests::mark_id.eq(mark_id))
            .filter(reopen_requests::status.eq("pending")),
    ))
    .get_result(conn)?)
}

/// The marks of an event with a request waiting for a supervisor.
pub fn pending_reopen_marks(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<String>> {
    Ok(reopen_requests::table
        .inner_join(marks::table)
        .filter(marks::event_id.eq(event_id))
        .filter(reopen_requests::status.eq("pending"))
        .select(reopen_requests::mark_id)
        .load(conn)?)
}

/// Decides a pending request (approved or declined); false when it was no longer pending.
pub fn decide_reopen(
    conn: &mut DbConnection,
    id: &str,
    status: &str,
    by: &str,
    at: NaiveDateTime,
) -> StoreResult<bool> {
    let changed = diesel::update(
        reopen_requests::table.filter(reopen_requests::id.eq(id)).filter(reopen_requests::status.eq("pending")),
    )
    .set((reopen_requests::status.eq(status), reopen_requests::approved_by.eq(by), reopen_requests::decided_at.eq(at)))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn samples_of(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<SampleRow>> {
    Ok(review_samples::table
        .filter(review_samples::event_id.eq(event_id))
        .order(review_samples::station_number.asc())
        .select(SampleRow::as_select())
        .load(conn)?)
}

pub fn insert_sample(conn: &mut DbConnection, row: &SampleRow) -> StoreResult<()> {
    diesel::insert_into(review_samples::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find_sample(conn: &mut DbConnection, id: &str) -> StoreResult<Option<SampleRow>> {
    Ok(review_samples::table.find(id).select(SampleRow::as_select()).first(conn).optional()?)
}

pub fn record_sample(conn: &mut DbConnection, row: &SampleRow) -> StoreResult<bool> {
    let changed = diesel::update(
        review_samples::table
            .filter(review_samples::id.eq(&row.id))
            .filter(review_samples::status.eq(SampleStatus::Pending.as_str())),
    )
    .set((
        review_samples::status.eq(&row.status),
        review_samples::note.eq(&row.note),
        review_samples::reviewed_by.eq(&row.reviewed_by),
        review_samples::reviewed_at.eq(row.reviewed_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn judging_of(conn: &mut DbConnection, event_id: &str) -> StoreResult<EventJudgingRow> {
    Ok(event_judging::table
        .find(event_id)
        .select(EventJudgingRow::as_select())
        .first(conn)
        .optional()?
        .unwrap_or_else(|| EventJudgingRow { event_id: event_id.to_string(), ..Default::default() }))
}

pub fn save_judging(conn: &mut DbConnection, row: &EventJudgingRow) -> StoreResult<()> {
    diesel::delete(event_judging::table.find(&row.event_id)).execute(conn)?;
    diesel::insert_into(event_judging::table).values(row).execute(conn)?;
    Ok(())
}

/// Which of the events have been decrypted.
pub fn decrypted_events(conn: &mut DbConnection, event_ids: &[String]) -> StoreResult<Vec<String>> {
    Ok(event_judging::table
        .filter(event_judging::event_id.eq_any(event_ids))
        .filter(event_judging::decrypted_at.is_not_null())
        .select(event_judging::event_id)
        .load(conn)?)
}

typed_column!(MarkRow, status, MarkStatus);
typed_column!(FlagRow, status, FlagStatus);
typed_column!(SignoffRow, kind, SignoffKind);
typed_column!(SampleRow, status, SampleStatus);

/// A station's time over a module (用时), by station number.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = finish_times)]
pub struct FinishTimeRow {
    pub id: String,
    pub event_id: String,
    pub section_index: i32,
    pub station_number: i32,
    pub elapsed_seconds: i32,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

pub fn finish_times_of(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<FinishTimeRow>> {
    Ok(finish_times::table
        .filter(finish_times::event_id.eq(event_id))
        .order((finish_times::section_index.asc(), finish_times::station_number.asc()))
        .select(FinishTimeRow::as_select())
        .load(conn)?)
}

/// Records a station's time over a module, replacing the one recorded before.
pub fn save_finish_time(conn: &mut DbConnection, row: &FinishTimeRow) -> StoreResult<()> {
    diesel::delete(
        finish_times::table
            .filter(finish_times::event_id.eq(&row.event_id))
            .filter(finish_times::section_index.eq(row.section_index))
            .filter(finish_times::station_number.eq(row.station_number)),
    )
    .execute(conn)?;
    diesel::insert_into(finish_times::table).values(row).execute(conn)?;
    Ok(())
}
