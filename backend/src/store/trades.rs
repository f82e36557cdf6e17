use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::lower;
use super::StoreResult;
use crate::db::schema::trades;
use crate::db::{like_contains, DbConnection};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = trades)]
pub struct TradeRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub category: String,
    pub confirmed: bool,
    pub created_at: NaiveDateTime,
}

/// The catalogue shipped with the binary: 职业分类大典 (2022) codes of common contest trades.
const CATALOGUE_CSV: &str = include_str!("../../data/trades.csv");

/// (code, name, category, confirmed) of each shipped trade.
pub fn shipped_catalogue() -> Vec<(String, String, String, bool)> {
    CATALOGUE_CSV
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.splitn(5, ',').collect();
            (cols.len() >= 4).then(|| (cols[0].to_string(), cols[1].to_string(), cols[2].to_string(), cols[3] == "yes"))
        })
        .collect()
}

/// Adds the shipped trades that are missing; returns how many it added.
pub fn ensure_catalogue(conn: &mut DbConnection, at: NaiveDateTime) -> StoreResult<usize> {
    let existing: Vec<(String, String)> = trades::table.select((trades::code, trades::name)).load(conn)?;
    let mut added = 0;
    for (code, name, category, confirmed) in shipped_catalogue() {
        if existing.iter().any(|(c, n)| *c == code && *n == name) {
            continue;
        }
        insert(conn, &TradeRow { id: super::new_id(), code, name, category, confirmed, created_at: at })?;
        added += 1;
    }
    Ok(added)
}

pub fn insert(conn: &mut DbConnection, row: &TradeRow) -> StoreResult<()> {
    diesel::insert_into(trades::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Option<TradeRow>> {
    Ok(trades::table.find(id).select(TradeRow::as_select()).first(conn).optional()?)
}

pub fn find_many(conn: &mut DbConnection, ids: &[String]) -> StoreResult<Vec<TradeRow>> {
    Ok(trades::table.filter(trades::id.eq_any(ids)).select(TradeRow::as_select()).load(conn)?)
}

#[derive(Debug, Default)]
pub struct TradeFilter {
    /// Code prefix or name fragment.
    pub q: Option<String>,
    pub category: Option<String>,
    pub after_id: Option<String>,
    pub limit: i64,
}

pub fn list(conn: &mut DbConnection, f: &TradeFilter) -> StoreResult<Vec<TradeRow>> {
    let mut query = trades::table.select(TradeRow::as_select()).into_boxed();
    if let Some(q) = &f.q {
        let pattern = like_contains(q);
        query = query
            .filter(lower(trades::name).like(pattern.clone()).escape('\\').or(trades::code.like(pattern).escape('\\')));
    }
    if let Some(c) = &f.category {
        query = query.filter(trades::category.eq(c.clone()));
    }
    if let Some(after) = &f.after_id {
        query = query.filter(trades::id.gt(after.clone()));
    }
    Ok(query.order(trades::id.asc()).limit(f.limit).load(conn)?)
}
