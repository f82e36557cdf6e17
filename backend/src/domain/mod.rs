//! The rules of the domain as plain functions over plain values: no database, no HTTP.
//! Each rule is named after what it decides and carries its unit tests.

pub mod audit_chain;
pub mod award;
pub mod calendar;
pub mod competition;
pub mod disqualification;
pub mod draw;
pub mod event;
pub mod id_card;
pub mod judging;
pub mod organisation;
pub mod person;
pub mod plan;
pub mod ranking;
pub mod region;
pub mod registration;
pub mod reopen;
pub mod review;
pub mod role;
pub mod scoring;
pub mod settings;
pub mod statistics;
pub mod text;
pub mod time;
pub mod trade;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One reason a field is unacceptable: which field, a stable code and a human message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Violation {
    /// The field's path in the request, e.g. `id_number` or `credentials[2].level`.
    pub field: String,
    pub code: String,
    pub message: String,
}

impl Violation {
    pub fn new(field: &str, code: &str, message: impl Into<String>) -> Self {
        Violation { field: field.to_string(), code: code.to_string(), message: message.into() }
    }
}

/// Keeps a checked value, or records why it failed: lets a validator report every bad field at
/// once instead of stopping at the first.
pub fn keep<T>(violations: &mut Vec<Violation>, checked: Result<T, Violation>) -> Option<T> {
    checked.map_err(|v| violations.push(v)).ok()
}

/// A closed set of values stored and sent as English snake_case text.
#[macro_export]
macro_rules! string_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
