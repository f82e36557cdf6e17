//! The system settings admins changed from the rules' defaults.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::StoreResult;
use crate::db::schema::settings;
use crate::db::DbConnection;
use crate::domain::settings::Settings;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = settings)]
pub struct SettingRow {
    pub key: String,
    pub value: i32,
    pub updated_by: Option<String>,
    pub updated_at: NaiveDateTime,
}

pub fn all(conn: &mut DbConnection) -> StoreResult<Vec<SettingRow>> {
    Ok(settings::table.order(settings::key.asc()).select(SettingRow::as_select()).load(conn)?)
}

/// The settings in force.
pub fn current(conn: &mut DbConnection) -> StoreResult<Settings> {
    Ok(Settings::from_stored(all(conn)?.into_iter().map(|r| (r.key, r.value))))
}

/// Sets a value (inserting the key the first time; the caller holds the write transaction).
pub fn put(conn: &mut DbConnection, row: &SettingRow) -> StoreResult<()> {
    let updated = diesel::update(settings::table.filter(settings::key.eq(&row.key)))
        .set((
            settings::value.eq(row.value),
            settings::updated_by.eq(&row.updated_by),
            settings::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(settings::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// Back to the rules' default.
pub fn remove(conn: &mut DbConnection, key: &str) -> StoreResult<usize> {
    Ok(diesel::delete(settings::table.filter(settings::key.eq(key))).execute(conn)?)
}
