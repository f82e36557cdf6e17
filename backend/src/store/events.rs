use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::StoreResult;
use crate::db::schema::{aspects, event_sessions, events, marking_schemes, technical_documents, trades};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = events)]
#[diesel(treat_none_as_default_value = false)]
pub struct EventRow {
    pub id: String,
    pub competition_id: String,
    pub trade_id: String,
    pub name: String,
    pub mode: String,
    pub team_size: Option<i32>,
    pub track: String,
    pub standard_level: Option<i32>,
    pub theory_weight: i32,
    pub practical_weight: i32,
    pub quota_total: Option<i32>,
    pub quota_per_org: Option<i32>,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub min_skill_level: Option<i32>,
    pub region_code: Option<String>,
    pub qualifiers_count: i32,
    pub tie_breaks: String,
    pub prize_bands: String,
    pub award_rules: Option<String>,
    pub review_levels: i32,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub appeal_window_minutes: i32,
    pub appeal_window_working_days: Option<i32>,
    pub team_scoring: Option<String>,
    /// 名额分配 as JSON {region code: places}.
    pub prefecture_quotas: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = event_sessions)]
pub struct SessionRow {
    pub id: String,
    pub event_id: String,
    pub kind: String,
    pub name: String,
    pub venue: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = technical_documents)]
pub struct DocumentRow {
    pub id: String,
    pub event_id: String,
    pub version: i32,
    pub title: String,
    pub body: String,
    pub attachments: String,
    pub status: String,
    pub change_reason: Option<String>,
    pub published_at: Option<NaiveDateTime>,
    pub published_by: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = marking_schemes)]
pub struct SchemeRow {
    pub id: String,
    pub event_id: String,
    pub title: String,
    pub sections: String,
    pub locked: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub spread_limit_centi: i32,
    pub drop_extremes: bool,
}

/// An event with its trade's code and name.
pub type EventWithTrade = (EventRow, String, String);

pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Option<EventWithTrade>> {
    Ok(events::table
        .inner_join(trades::table)
        .filter(events::id.eq(id))
        .select((EventRow::as_select(), trades::code, trades::name))
        .first(conn)
        .optional()?)
}

pub fn of_competition(conn: &mut DbConnection, competition_id: &str) -> StoreResult<Vec<EventWithTrade>> {
    Ok(events::table
        .inner_join(trades::table)
        .filter(events::competition_id.eq(competition_id))
        .order(events::id.asc())
        .select((EventRow::as_select(), trades::code, trades::name))
        .load(conn)?)
}

pub fn insert(conn: &mut DbConnection, row: &EventRow) -> StoreResult<()> {
    diesel::insert_into(events::table).values(row).execute(conn)?;
    Ok(())
}

pub fn update_if_version(conn: &mut DbConnection, row: &EventRow, expected_version: i32) -> StoreResult<bool> {
    let changed =
        diesel::update(events::table.filter(events::id.eq(&row.id)).filter(events::version.eq(expected_version)))
            .set((
                events::trade_id.eq(&row.trade_id),
                events::name.eq(&row.name),
                events::mode.eq(&row.mode),
                events::team_size.eq(row.team_size),
                events::track.eq(&row.track),
                events::standard_level.eq(row.standard_level),
                events::theory_weight.eq(row.theory_weight),
                events::practical_weight.eq(row.practical_weight),
                events::quota_total.eq(row.quota_total),
                events::quota_per_org.eq(row.quota_per_org),
                events::min_age.eq(row.min_age),
                events::max_age.eq(row.max_age),
                events::min_skill_level.eq(row.min_skill_level),
                events::region_code.eq(&row.region_code),
                events::qualifiers_count.eq(row.qualifiers_count),
                events::tie_breaks.eq(&row.tie_breaks),
                events::prize_bands.eq(&row.prize_bands),
                events::award_rules.eq(&row.award_rules),
                events::review_levels.eq(row.review_levels),
                events::appeal_window_minutes.eq(row.appeal_window_minutes),
                events::appeal_window_working_days.eq(row.appeal_window_working_days),
                events::team_scoring.eq(&row.team_scoring),
                events::prefecture_quotas.eq(&row.prefecture_quotas),
                events::version.eq(row.version),
                events::updated_at.eq(row.updated_at),
            ))
            .execute(conn)?;
    Ok(changed == 1)
}

pub fn delete(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    diesel::delete(events::table.find(id)).execute(conn)?;
    Ok(())
}

/// Sittings of many events at once, by event.
pub fn sessions_of_many(conn: &mut DbConnection, event_ids: &[String]) -> StoreResult<Vec<SessionRow>> {
    Ok(event_sessions::table
        .filter(event_sessions::event_id.eq_any(event_ids))
        .order((event_sessions::starts_at.asc(), event_sessions::id.asc()))
        .select(SessionRow::as_select())
        .load(conn)?)
}

/// (event id, version) of the published technical documents of many events.
pub fn published_versions(conn: &mut DbConnection, event_ids: &[String]) -> StoreResult<Vec<(String, i32)>> {
    Ok(technical_documents::table
        .filter(technical_documents::event_id.eq_any(event_ids))
        .filter(technical_documents::status.eq("published"))
        .select((technical_documents::event_id, technical_documents::version))
        .load(conn)?)
}

/// Which of the events have a marking scheme.
pub fn with_scheme(conn: &mut DbConnection, event_ids: &[String]) -> StoreResult<Vec<String>> {
    Ok(marking_schemes::table
        .filter(marking_schemes::event_id.eq_any(event_ids))
        .select(marking_schemes::event_id)
        .load(conn)?)
}

/// The events whose marking scheme is complete: criteria and aspects in every section (aspects
/// are only written for a detailed scheme).
pub fn with_aspects(conn: &mut DbConnection, event_ids: &[String]) -> StoreResult<Vec<String>> {
    Ok(aspects::table.filter(aspects::event_id.eq_any(event_ids)).select(aspects::event_id).distinct().load(conn)?)
}

pub fn sessions_of(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<SessionRow>> {
    Ok(event_sessions::table
        .filter(event_sessions::event_id.eq(event_id))
        .order((event_sessions::starts_at.asc(), event_sessions::id.asc()))
        .select(SessionRow::as_select())
        .load(conn)?)
}

pub fn insert_session(conn: &mut DbConnection, row: &SessionRow) -> StoreResult<()> {
    diesel::insert_into(event_sessions::table).values(row).execute(conn)?;
    Ok(())
}

pub fn delete_session(conn: &mut DbConnection, id: &str) -> StoreResult<usize> {
    Ok(diesel::delete(event_sessions::table.find(id)).execute(conn)?)
}

pub fn documents_of(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<DocumentRow>> {
    Ok(technical_documents::table
        .filter(technical_documents::event_id.eq(event_id))
        .order(technical_documents::version.asc())
        .select(DocumentRow::as_select())
        .load(conn)?)
}

pub fn insert_document(conn: &mut DbConnection, row: &DocumentRow) -> StoreResult<()> {
    diesel::insert_into(technical_documents::table).values(row).execute(conn)?;
    Ok(())
}

/// Saves a draft's text or its publication; never touches a published version.
pub fn save_document(conn: &mut DbConnection, row: &DocumentRow) -> StoreResult<bool> {
    let changed = diesel::update(
        technical_documents::table
            .filter(technical_documents::id.eq(&row.id))
            .filter(technical_documents::status.eq("draft")),
    )
    .set((
        technical_documents::title.eq(&row.title),
        technical_documents::body.eq(&row.body),
        technical_documents::attachments.eq(&row.attachments),
        technical_documents::status.eq(&row.status),
        technical_documents::change_reason.eq(&row.change_reason),
        technical_documents::published_at.eq(row.published_at),
        technical_documents::published_by.eq(&row.published_by),
        technical_documents::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Marks earlier published versions as superseded by a newly published one.
pub fn supersede_documents(conn: &mut DbConnection, event_id: &str, below_version: i32) -> StoreResult<()> {
    diesel::update(
        technical_documents::table
            .filter(technical_documents::event_id.eq(event_id))
            .filter(technical_documents::version.lt(below_version))
            .filter(technical_documents::status.eq("published")),
    )
    .set(technical_documents::status.eq("superseded"))
    .execute(conn)?;
    Ok(())
}

pub fn scheme_of(conn: &mut DbConnection, event_id: &str) -> StoreResult<Option<SchemeRow>> {
    Ok(marking_schemes::table
        .filter(marking_schemes::event_id.eq(event_id))
        .select(SchemeRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn save_scheme(conn: &mut DbConnection, row: &SchemeRow, exists: bool) -> StoreResult<()> {
    if exists {
        diesel::update(marking_schemes::table.filter(marking_schemes::id.eq(&row.id)))
            .set((
                marking_schemes::title.eq(&row.title),
                marking_schemes::sections.eq(&row.sections),
                marking_schemes::version.eq(row.version),
                marking_schemes::updated_at.eq(row.updated_at),
                marking_schemes::spread_limit_centi.eq(row.spread_limit_centi),
                marking_schemes::drop_extremes.eq(row.drop_extremes),
                marking_schemes::locked.eq(row.locked),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(marking_schemes::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// How many of a competition's events have a published technical document and a marking scheme.
pub fn count_ready(conn: &mut DbConnection, competition_id: &str) -> StoreResult<(i64, i64)> {
    let ids: Vec<String> =
        events::table.filter(events::competition_id.eq(competition_id)).select(events::id).load(conn)?;
    let with_document: Vec<String> = technical_documents::table
        .filter(technical_documents::event_id.eq_any(&ids))
        .filter(technical_documents::status.eq("published"))
        .select(technical_documents::event_id)
        .distinct()
        .load(conn)?;
    let with_scheme: Vec<String> = marking_schemes::table
        .filter(marking_schemes::event_id.eq_any(&ids))
        .select(marking_schemes::event_id)
        .load(conn)?;
    let ready = with_document.iter().filter(|id| with_scheme.contains(id)).count() as i64;
    Ok((ids.len() as i64, ready))
}
