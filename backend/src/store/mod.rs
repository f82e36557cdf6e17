//! Database queries by area. Functions take a connection (inside the caller's transaction where
//! it writes) and return rows; they decide nothing.

pub mod audit;
pub mod organisations;
pub mod persons;
pub mod tokens;
pub mod users;

diesel::define_sql_function! {
    /// SQL `lower(text)`, the same on SQLite and PostgreSQL.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// A new time-ordered id (UUID v7), so ordering by id is ordering by creation.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
