//! The use cases (DESIGN §1, "Layers"): each opens its transaction, asks `auth::policy` and
//! `domain`, writes through `store`, records the audit entry. No actix here.
//!
//! `crate::layers` holds the rules of the layers.

pub mod appeals;
pub mod audit;
pub mod awards;
pub mod competitions;
pub mod corrections;
pub mod credentials;
pub mod disqualifications;
pub mod draw;
pub mod events;
pub mod idempotency;
pub mod judging;
pub mod load;
pub mod organisations;
pub mod passwords;
pub mod persons;
pub mod print;
pub mod qualifiers;
pub mod reference;
pub mod registrations;
pub mod reopen;
pub mod results;
pub mod roster;
pub mod schemes;
pub mod sessions;
pub mod settings;
pub mod spreadsheet;
pub mod stages;
pub mod statistics;
pub mod todo;
pub mod users;

use crate::error::{ApiError, ApiResult};
use crate::wire::etag;

/// Refuses a write based on a stale read.
pub fn check_version(current: i32, expected: i32) -> ApiResult<()> {
    if current == expected {
        Ok(())
    } else {
        Err(ApiError::precondition_failed(format!(
            "the record changed since you read it (you sent version {expected}, it is now {current}); reload and try again"
        ))
        .with_extra(serde_json::json!({ "current_etag": etag(current) })))
    }
}
