//! The use cases (DESIGN §1, "Layers"): each opens its transaction, asks `auth::policy` and
//! `domain`, writes through `store`, records the audit entry. No actix here.
//!
//! The move of the workflows out of `api/` goes area by area (issue 16); `crate::layers` holds the
//! rules and the list of what is still to move.

pub mod audit;
pub mod credentials;
pub mod draw;
pub mod events;
pub mod idempotency;
pub mod judging;
pub mod load;
pub mod qualifiers;
pub mod registrations;
pub mod schemes;
pub mod spreadsheet;
