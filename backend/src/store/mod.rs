//! Database queries by area. Functions take a connection (inside the caller's transaction where
//! it writes) and return rows; they decide nothing.

/// Restricts a boxed query that joins `organisations` to rows inside any of the subtrees rooted
/// at `paths`; with no paths, returns an empty list from the enclosing function. The OR group is
/// applied first so that later filters AND onto the whole group (diesel groups the OR).
macro_rules! filter_within_paths {
    ($query:ident, $paths:expr) => {
        if let Some(paths) = $paths {
            let Some((first, rest)) = paths.split_first() else {
                return Ok(Vec::new());
            };
            $query = $query.filter(crate::db::schema::organisations::path.like(format!("{first}%")));
            for path in rest {
                $query = $query.or_filter(crate::db::schema::organisations::path.like(format!("{path}%")));
            }
        }
    };
}
pub(crate) use filter_within_paths;

pub mod audit;
pub mod awards;
pub mod calendar;
pub mod competitions;
pub mod draws;
pub mod events;
pub mod idempotency;
pub mod judging;
pub mod organisations;
pub mod persons;
pub mod rate_limits;
pub mod registrations;
pub mod results;
pub mod statistics;
pub mod tokens;
pub mod trades;
pub mod users;

diesel::define_sql_function! {
    /// SQL `lower(text)`, the same on SQLite and PostgreSQL.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// A new time-ordered id (UUID v7), so ordering by id is ordering by creation.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The most ids one `IN (…)` binds: well under SQLite's 32,766 and PostgreSQL's 65,535 parameters.
pub const MAX_BOUND_IDS: usize = 10_000;
