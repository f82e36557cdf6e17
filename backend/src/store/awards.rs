//! Awards, their objections and the certificate register.

use super::typed_column;
use crate::domain::award::AwardObjectionStatus;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::StoreResult;
use crate::db::schema::{award_objections, awards, competitions, events, organisations, trades};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = awards)]
#[diesel(treat_none_as_default_value = false)]
pub struct AwardRow {
    pub id: String,
    pub competition_id: String,
    pub event_id: String,
    pub registration_id: String,
    pub person_id: String,
    pub result_set_id: String,
    pub kind: String,
    pub rank: i32,
    pub from_level: Option<i32>,
    pub to_level: Option<i32>,
    pub year: i32,
    pub status: String,
    pub publicity_ends_at: Option<NaiveDateTime>,
    pub certificate_number: Option<String>,
    pub check_code: Option<String>,
    pub granted_by: Option<String>,
    pub granted_at: Option<NaiveDateTime>,
    pub issued_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
    pub revoked_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The holder as they were when the award was proposed: certificates, lists and the HR
    /// list show this, whatever the profile says later.
    pub holder_name: String,
    pub holder_id_number: String,
    pub holder_gender: String,
    pub holder_birth_date: chrono::NaiveDate,
}

/// An award with what a list or a certificate shows about it.
#[derive(Debug, Clone, Queryable)]
pub struct AwardView {
    pub award: AwardRow,
    pub full_name: String,
    pub id_number: String,
    pub gender: String,
    pub competition_name: String,
    pub competition_tier: String,
    pub event_name: String,
    pub trade_name: String,
    pub host_name: String,
}

macro_rules! award_view {
    () => {
        awards::table
            .inner_join(competitions::table.inner_join(organisations::table))
            .inner_join(events::table.inner_join(trades::table))
            .select((
                AwardRow::as_select(),
                awards::holder_name,
                awards::holder_id_number,
                awards::holder_gender,
                competitions::name,
                competitions::tier,
                events::name,
                trades::name,
                organisations::name,
            ))
    };
}

pub fn insert(conn: &mut DbConnection, rows: &[AwardRow]) -> StoreResult<()> {
    for row in rows {
        diesel::insert_into(awards::table).values(row).execute(conn)?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Option<AwardRow>> {
    Ok(awards::table.find(id).select(AwardRow::as_select()).first(conn).optional()?)
}

pub fn find_view(conn: &mut DbConnection, id: &str) -> StoreResult<Option<AwardView>> {
    Ok(award_view!().filter(awards::id.eq(id)).first(conn).optional()?)
}

pub fn find_by_certificate(conn: &mut DbConnection, number: &str) -> StoreResult<Option<AwardView>> {
    Ok(award_view!().filter(awards::certificate_number.eq(number)).first(conn).optional()?)
}

/// What to list: by competition, event, person and status.
#[derive(Debug, Default)]
pub struct AwardFilter {
    pub competition_id: Option<String>,
    pub event_id: Option<String>,
    pub person_id: Option<String>,
    pub status: Option<String>,
    pub kind: Option<String>,
}

pub fn list(conn: &mut DbConnection, f: &AwardFilter) -> StoreResult<Vec<AwardView>> {
    let mut query = award_view!().into_boxed();
    if let Some(v) = &f.competition_id {
        query = query.filter(awards::competition_id.eq(v.clone()));
    }
    if let Some(v) = &f.event_id {
        query = query.filter(awards::event_id.eq(v.clone()));
    }
    if let Some(v) = &f.person_id {
        query = query.filter(awards::person_id.eq(v.clone()));
    }
    if let Some(v) = &f.status {
        query = query.filter(awards::status.eq(v.clone()));
    }
    if let Some(v) = &f.kind {
        query = query.filter(awards::kind.eq(v.clone()));
    }
    Ok(query.order((awards::year.desc(), awards::event_id.asc(), awards::rank.asc(), awards::kind.asc())).load(conn)?)
}

pub fn of_event(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<AwardRow>> {
    Ok(awards::table.filter(awards::event_id.eq(event_id)).select(AwardRow::as_select()).load(conn)?)
}

pub fn delete_proposed_of_event(conn: &mut DbConnection, event_id: &str) -> StoreResult<usize> {
    Ok(diesel::delete(awards::table.filter(awards::event_id.eq(event_id)).filter(awards::status.eq("proposed")))
        .execute(conn)?)
}

/// (year, status) of a person's promotions, for the one-a-year rule.
pub fn promotions_of(conn: &mut DbConnection, person_id: &str) -> StoreResult<Vec<(i32, String)>> {
    Ok(awards::table
        .filter(awards::person_id.eq(person_id))
        .filter(awards::kind.eq("promotion"))
        .select((awards::year, awards::status))
        .load(conn)?)
}

/// Saves an award if it is still at `expected` version.
pub fn update_if_version(conn: &mut DbConnection, row: &AwardRow, expected: i32) -> StoreResult<bool> {
    let changed = diesel::update(awards::table.filter(awards::id.eq(&row.id)).filter(awards::version.eq(expected)))
        .set((
            awards::status.eq(&row.status),
            awards::publicity_ends_at.eq(row.publicity_ends_at),
            awards::certificate_number.eq(&row.certificate_number),
            awards::check_code.eq(&row.check_code),
            awards::granted_by.eq(&row.granted_by),
            awards::granted_at.eq(row.granted_at),
            awards::issued_at.eq(row.issued_at),
            awards::revoked_reason.eq(&row.revoked_reason),
            awards::revoked_at.eq(row.revoked_at),
            awards::version.eq(row.version),
            awards::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// How many certificate numbers start with `prefix` (the next serial is one more).
pub fn certificates_with_prefix(conn: &mut DbConnection, prefix: &str) -> StoreResult<i64> {
    Ok(awards::table.filter(awards::certificate_number.like(format!("{prefix}%"))).count().get_result(conn)?)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = award_objections)]
pub struct ObjectionRow {
    pub id: String,
    pub award_id: String,
    pub filed_by: String,
    pub grounds: String,
    pub status: String,
    pub ruling: Option<String>,
    pub ruled_by: Option<String>,
    pub filed_at: NaiveDateTime,
    pub ruled_at: Option<NaiveDateTime>,
}

pub fn insert_objection(conn: &mut DbConnection, row: &ObjectionRow) -> StoreResult<()> {
    diesel::insert_into(award_objections::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find_objection(conn: &mut DbConnection, id: &str) -> StoreResult<Option<ObjectionRow>> {
    Ok(award_objections::table.find(id).select(ObjectionRow::as_select()).first(conn).optional()?)
}

pub fn objections_of(conn: &mut DbConnection, award_id: &str) -> StoreResult<Vec<ObjectionRow>> {
    Ok(award_objections::table
        .filter(award_objections::award_id.eq(award_id))
        .order(award_objections::filed_at.asc())
        .select(ObjectionRow::as_select())
        .load(conn)?)
}

/// Every objection to a competition's awards, oldest first.
pub fn objections_of_competition(conn: &mut DbConnection, competition_id: &str) -> StoreResult<Vec<ObjectionRow>> {
    Ok(award_objections::table
        .filter(
            award_objections::award_id
                .eq_any(awards::table.filter(awards::competition_id.eq(competition_id)).select(awards::id)),
        )
        .order(award_objections::filed_at.asc())
        .select(ObjectionRow::as_select())
        .load(conn)?)
}

/// Rules on an objection if it is still open.
pub fn rule_objection(conn: &mut DbConnection, row: &ObjectionRow) -> StoreResult<bool> {
    let changed = diesel::update(
        award_objections::table
            .filter(award_objections::id.eq(&row.id))
            .filter(award_objections::status.eq(AwardObjectionStatus::Open.as_str())),
    )
    .set((
        award_objections::status.eq(&row.status),
        award_objections::ruling.eq(&row.ruling),
        award_objections::ruled_by.eq(&row.ruled_by),
        award_objections::ruled_at.eq(row.ruled_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// The competition's award rules as stored (JSON), None for the defaults.
pub fn rules_of(conn: &mut DbConnection, competition_id: &str) -> StoreResult<Option<String>> {
    Ok(competitions::table.find(competition_id).select(competitions::award_rules).first(conn)?)
}

pub fn save_rules(conn: &mut DbConnection, competition_id: &str, rules: Option<&str>) -> StoreResult<()> {
    diesel::update(competitions::table.find(competition_id)).set(competitions::award_rules.eq(rules)).execute(conn)?;
    Ok(())
}

/// Whether any event of the competition has final results.
pub fn any_final_results(conn: &mut DbConnection, competition_id: &str) -> StoreResult<bool> {
    use crate::db::schema::result_sets;
    let event_ids: Vec<String> =
        events::table.filter(events::competition_id.eq(competition_id)).select(events::id).load(conn)?;
    let n: i64 = result_sets::table
        .filter(result_sets::event_id.eq_any(&event_ids))
        .filter(result_sets::status.eq(crate::domain::ranking::ResultSetStatus::Final.as_str()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Organisations by id with what a granting-body check looks at: (id, kind, tier, region, path).
pub fn organisations_by_ids(
    conn: &mut DbConnection,
    ids: &[String],
) -> StoreResult<Vec<(String, String, String, String, String, String)>> {
    Ok(organisations::table
        .filter(organisations::id.eq_any(ids))
        .select((
            organisations::id,
            organisations::name,
            organisations::kind,
            organisations::tier,
            organisations::region_code,
            organisations::path,
        ))
        .load(conn)?)
}

typed_column!(ObjectionRow, status, AwardObjectionStatus);

/// (competition, kind, how many) of the awards not yet granted: proposed, confirmed or publicised.
pub fn pending_by_competition(conn: &mut DbConnection) -> StoreResult<Vec<(String, String, i64)>> {
    Ok(awards::table
        .filter(awards::status.eq_any(["proposed", "confirmed", "publicity"]))
        .group_by((awards::competition_id, awards::kind))
        .select((awards::competition_id, awards::kind, diesel::dsl::count_star()))
        .load(conn)?)
}
