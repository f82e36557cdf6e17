//! What became of each qualifier when an event's results became final.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::StoreResult;
use crate::db::schema::qualifier_outcomes;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = qualifier_outcomes)]
#[diesel(treat_none_as_default_value = false)]
pub struct OutcomeRow {
    pub id: String,
    pub origin_event_id: String,
    pub origin_registration_id: String,
    pub origin_rank: i32,
    pub target_competition_id: Option<String>,
    pub target_event_id: Option<String>,
    /// place, reserve or refused.
    pub outcome: String,
    /// The reasons a refused qualifier was not entered, as JSON violations.
    pub reasons: String,
    /// The registration entered in the next tier.
    pub registration_id: Option<String>,
    pub decided_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, rows: &[OutcomeRow]) -> StoreResult<()> {
    for row in rows {
        diesel::insert_into(qualifier_outcomes::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// The outcomes of an event's qualifiers, or of those who qualified for it, best rank first.
pub fn of_event(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<OutcomeRow>> {
    Ok(qualifier_outcomes::table
        .filter(qualifier_outcomes::origin_event_id.eq(event_id).or(qualifier_outcomes::target_event_id.eq(event_id)))
        .order((qualifier_outcomes::decided_at.asc(), qualifier_outcomes::origin_rank.asc()))
        .select(OutcomeRow::as_select())
        .load(conn)?)
}
