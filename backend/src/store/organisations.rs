use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::lower;
use super::StoreResult;
use crate::db::schema::organisations;
use crate::db::{like_contains, DbConnection};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = organisations)]
pub struct OrganisationRow {
    pub id: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: String,
    pub tier: String,
    pub parent_id: Option<String>,
    pub path: String,
    pub region_code: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default)]
pub struct OrganisationFilter {
    pub parent_id: Option<String>,
    pub roots_only: bool,
    pub tier: Option<String>,
    pub kind: Option<String>,
    pub name_contains: Option<String>,
    /// Only the subtree under this path.
    pub within_path: Option<String>,
    pub region_code: Option<String>,
    pub after_id: Option<String>,
    pub limit: i64,
}

pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Option<OrganisationRow>> {
    Ok(organisations::table.find(id).select(OrganisationRow::as_select()).first(conn).optional()?)
}

pub fn insert(conn: &mut DbConnection, row: &OrganisationRow) -> StoreResult<()> {
    diesel::insert_into(organisations::table).values(row).execute(conn)?;
    Ok(())
}

/// Writes the row if its stored version is still `expected_version`; returns whether it did.
pub fn update_if_version(conn: &mut DbConnection, row: &OrganisationRow, expected_version: i32) -> StoreResult<bool> {
    let changed = diesel::update(
        organisations::table.filter(organisations::id.eq(&row.id)).filter(organisations::version.eq(expected_version)),
    )
    .set((
        organisations::name.eq(&row.name),
        organisations::short_name.eq(&row.short_name),
        organisations::kind.eq(&row.kind),
        organisations::tier.eq(&row.tier),
        organisations::parent_id.eq(&row.parent_id),
        organisations::path.eq(&row.path),
        organisations::region_code.eq(&row.region_code),
        organisations::version.eq(row.version),
        organisations::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Rewrites the paths of everything below a moved node.
pub fn move_descendants(conn: &mut DbConnection, old_path: &str, new_path: &str) -> StoreResult<()> {
    let descendants: Vec<(String, String)> = organisations::table
        .filter(organisations::path.like(format!("{}%", escape_like(old_path))).escape('\\'))
        .filter(organisations::path.ne(old_path))
        .select((organisations::id, organisations::path))
        .load(conn)?;
    for (id, path) in descendants {
        let moved = format!("{new_path}{}", &path[old_path.len()..]);
        diesel::update(organisations::table.find(id)).set(organisations::path.eq(moved)).execute(conn)?;
    }
    Ok(())
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

pub fn count_children(conn: &mut DbConnection, id: &str) -> StoreResult<i64> {
    Ok(organisations::table.filter(organisations::parent_id.eq(id)).count().get_result(conn)?)
}

pub fn delete(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    diesel::delete(organisations::table.find(id)).execute(conn)?;
    Ok(())
}

pub fn list(conn: &mut DbConnection, f: &OrganisationFilter) -> StoreResult<Vec<OrganisationRow>> {
    let mut query = organisations::table.select(OrganisationRow::as_select()).into_boxed();
    if let Some(parent) = &f.parent_id {
        query = query.filter(organisations::parent_id.eq(parent.clone()));
    }
    if f.roots_only {
        query = query.filter(organisations::parent_id.is_null());
    }
    if let Some(tier) = &f.tier {
        query = query.filter(organisations::tier.eq(tier.clone()));
    }
    if let Some(kind) = &f.kind {
        query = query.filter(organisations::kind.eq(kind.clone()));
    }
    if let Some(region) = &f.region_code {
        query = query.filter(organisations::region_code.eq(region.clone()));
    }
    if let Some(q) = &f.name_contains {
        query = query.filter(lower(organisations::name).like(like_contains(q)).escape('\\'));
    }
    if let Some(path) = &f.within_path {
        query = query.filter(organisations::path.like(format!("{}%", escape_like(path))).escape('\\'));
    }
    if let Some(after) = &f.after_id {
        query = query.filter(organisations::id.gt(after.clone()));
    }
    Ok(query.order(organisations::id.asc()).limit(f.limit).load(conn)?)
}

/// Paths of the given organisations, for subtree checks on many at once.
pub fn paths_of(conn: &mut DbConnection, ids: &[String]) -> StoreResult<Vec<(String, String)>> {
    Ok(organisations::table
        .filter(organisations::id.eq_any(ids))
        .select((organisations::id, organisations::path))
        .load(conn)?)
}
