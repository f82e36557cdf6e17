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
pub mod corrections;
pub mod disqualifications;
pub mod draws;
pub mod events;
pub mod idempotency;
pub mod judging;
pub mod organisations;
pub mod persons;
pub mod qualifiers;
pub mod rate_limits;
pub mod registrations;
pub mod results;
pub mod settings;
pub mod statistics;
pub mod tokens;
pub mod trades;
pub mod users;

/// What a store function can fail with: the database's own error, or a row that would repeat
/// one that exists. What either means to the caller is the service's to say (see
/// `crate::error`, which maps both).
#[derive(Debug)]
pub enum StoreError {
    Db(diesel::result::Error),
    Taken(Taken),
    /// A stored value that the code cannot read (an unknown status, say): a bug or a bad
    /// migration, never the caller's fault.
    Corrupt(String),
}

/// The unique things a write found already held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    /// A person with this ID card number exists.
    IdNumber,
    /// A user with this username exists.
    Username,
    /// The user already holds this role for this organisation.
    Grant,
}

impl From<diesel::result::Error> for StoreError {
    fn from(e: diesel::result::Error) -> Self {
        StoreError::Db(e)
    }
}

impl StoreError {
    /// The write would repeat a row a unique index holds.
    pub fn is_duplicate(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        matches!(self, StoreError::Db(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)))
    }

    /// The write would break a foreign key (deleting a referenced row, or referring to none).
    pub fn is_still_referenced(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        matches!(self, StoreError::Db(Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _)))
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Db(e) => write!(f, "database error: {e}"),
            StoreError::Taken(what) => write!(f, "already taken: {what:?}"),
            StoreError::Corrupt(what) => write!(f, "unreadable stored value: {what}"),
        }
    }
}

impl std::error::Error for StoreError {}

pub type StoreResult<T> = Result<T, StoreError>;

/// A row's text column as its domain enum: `status()` reads it (a value the code does not know
/// is `StoreError::Corrupt`), `is(..)` compares without reading.
macro_rules! typed_column {
    ($row:ty, $field:ident, $enum:ty) => {
        impl $row {
            pub fn $field(&self) -> $crate::store::StoreResult<$enum> {
                <$enum>::parse(&self.$field).ok_or_else(|| {
                    $crate::store::StoreError::Corrupt(format!(
                        "{} {} has an unknown {}: {}",
                        stringify!($row),
                        self.id,
                        stringify!($field),
                        self.$field
                    ))
                })
            }

            pub fn is(&self, value: $enum) -> bool {
                self.$field == value.as_str()
            }
        }
    };
}
pub(crate) use typed_column;

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
