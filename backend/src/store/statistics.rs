//! The plan dashboard's facts, grouped in the database, and the plan targets.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::StoreResult;
use crate::db::schema::{
    awards, competitions, events, organisations, plan_targets, registration_members, registrations,
};
use crate::db::DbConnection;
use crate::domain::plan::{prefecture_of, FactKey, Facts};

fn key(year: i32, region: &str, tier: String, category: String, trade_id: Option<String>) -> FactKey {
    FactKey { year, prefecture: prefecture_of(region), tier, category, trade_id }
}

/// Every fact the dashboard needs, in four grouped queries.
pub fn facts(conn: &mut DbConnection) -> StoreResult<Facts> {
    let held = competitions::status.ne_all(["draft", "cancelled"]);
    let competitions: Vec<(i32, String, String, String, i64)> = competitions::table
        .inner_join(organisations::table)
        .filter(held.clone())
        .group_by((competitions::year, organisations::region_code, competitions::tier, competitions::category))
        .select((
            competitions::year,
            organisations::region_code,
            competitions::tier,
            competitions::category,
            count_star(),
        ))
        .load(conn)?;
    let events: Vec<(i32, String, String, String, String, i64)> = events::table
        .inner_join(competitions::table.inner_join(organisations::table))
        .filter(held.clone())
        .group_by((
            competitions::year,
            organisations::region_code,
            competitions::tier,
            competitions::category,
            events::trade_id,
        ))
        .select((
            competitions::year,
            organisations::region_code,
            competitions::tier,
            competitions::category,
            events::trade_id,
            count_star(),
        ))
        .load(conn)?;
    // Contestants are people: a team's captain (the registration) and its competing team-mates.
    let group = (
        competitions::year,
        organisations::region_code,
        competitions::tier,
        competitions::category,
        events::trade_id,
        registrations::status,
    );
    let live = registrations::status.eq_any(["admitted", "checked_in", "competed"]);
    let mut contestants: Vec<(i32, String, String, String, String, String, i64)> = registrations::table
        .inner_join(events::table.inner_join(competitions::table.inner_join(organisations::table)))
        .filter(held.clone())
        .filter(live.clone())
        .group_by(group)
        .select((group.0, group.1, group.2, group.3, group.4, group.5, count_star()))
        .load(conn)?;
    contestants.extend(
        registration_members::table
            .inner_join(
                registrations::table
                    .inner_join(events::table.inner_join(competitions::table.inner_join(organisations::table))),
            )
            .filter(held.clone())
            .filter(live)
            .filter(registration_members::role.eq("member"))
            .filter(registration_members::accepted_at.is_not_null())
            .group_by(group)
            .select((group.0, group.1, group.2, group.3, group.4, group.5, count_star()))
            .load::<(i32, String, String, String, String, String, i64)>(conn)?,
    );
    let awards: Vec<(i32, String, String, String, String, String, i64)> = awards::table
        .inner_join(competitions::table.inner_join(organisations::table))
        .inner_join(events::table)
        .filter(awards::status.eq_any(["granted", "certificate_issued"]))
        .group_by((
            awards::year,
            organisations::region_code,
            competitions::tier,
            competitions::category,
            events::trade_id,
            awards::kind,
        ))
        .select((
            awards::year,
            organisations::region_code,
            competitions::tier,
            competitions::category,
            events::trade_id,
            awards::kind,
            count_star(),
        ))
        .load(conn)?;
    Ok(Facts {
        competitions: competitions.into_iter().map(|(y, r, t, c, n)| (key(y, &r, t, c, None), n)).collect(),
        events: events.into_iter().map(|(y, r, t, c, trade, n)| (key(y, &r, t, c, Some(trade)), n)).collect(),
        contestants: contestants
            .into_iter()
            .map(|(y, r, t, c, trade, status, n)| {
                let competed = if status == "competed" { n } else { 0 };
                (key(y, &r, t, c, Some(trade)), n, competed)
            })
            .collect(),
        awards: awards
            .into_iter()
            .map(|(y, r, t, c, trade, kind, n)| (key(y, &r, t, c, Some(trade)), kind, n))
            .collect(),
    }
    .merged())
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = plan_targets)]
pub struct TargetRow {
    pub id: String,
    pub plan: String,
    pub region_code: String,
    pub metric: String,
    pub period: String,
    pub from_year: i32,
    pub to_year: i32,
    pub target: i64,
    pub note: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn targets(conn: &mut DbConnection) -> StoreResult<Vec<TargetRow>> {
    Ok(plan_targets::table
        .order((plan_targets::region_code.asc(), plan_targets::plan.asc(), plan_targets::metric.asc()))
        .select(TargetRow::as_select())
        .load(conn)?)
}

pub fn find_target(conn: &mut DbConnection, id: &str) -> StoreResult<Option<TargetRow>> {
    Ok(plan_targets::table.find(id).select(TargetRow::as_select()).first(conn).optional()?)
}

pub fn insert_target(conn: &mut DbConnection, row: &TargetRow) -> StoreResult<()> {
    diesel::insert_into(plan_targets::table).values(row).execute(conn)?;
    Ok(())
}

pub fn update_target(conn: &mut DbConnection, row: &TargetRow) -> StoreResult<()> {
    diesel::update(plan_targets::table.find(&row.id))
        .set((
            plan_targets::period.eq(&row.period),
            plan_targets::from_year.eq(row.from_year),
            plan_targets::to_year.eq(row.to_year),
            plan_targets::target.eq(row.target),
            plan_targets::note.eq(&row.note),
            plan_targets::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}
