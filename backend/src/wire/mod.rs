//! The request and response types of the API and their conversions from rows: the contract that
//! integrators generate their clients from (`openapi/openapi.json`).
//!
//! They sit below both `api/` (which answers with them) and `service/` (whose use cases take
//! and return them), so that a use case needs no second copy of its input: imports run
//! `api → service → wire → {domain, store, auth::policy}`; nothing here imports `api` or
//! `service`, or knows of HTTP.

pub mod appeals;
pub mod audit;
pub mod auth;
pub mod awards;
pub mod competitions;
pub mod draw;
pub mod events;
pub mod health;
pub mod judging;
pub mod organisations;
pub mod persons;
pub mod qualifiers;
pub mod registrations;
pub mod reopen;
pub mod results;
pub mod roster;
pub mod schemes;
pub mod settings;
pub mod statistics;
pub mod trades;
pub mod users;

use chrono::{DateTime, NaiveDateTime, Utc};

use serde::{Deserialize, Deserializer};
use utoipa::IntoParams;

use crate::error::{ApiError, ApiResult};

/// Stored times are UTC without an offset; on the wire they carry it.
pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// Parses an id from a path, query or body and says which parameter was wrong.
pub fn parse_id(name: &str, value: &str) -> ApiResult<String> {
    uuid::Uuid::parse_str(value)
        .map(|u| u.to_string())
        .map_err(|_| ApiError::bad_request("invalid_id", format!("{name} must be a UUID")))
}

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`) in a PATCH body.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// The entity tag of a record version.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// Cuts one extra row fetched to learn whether another page exists.
pub fn split_page<T>(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> String) -> (Vec<T>, Option<String>) {
    if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        let next = rows.last().map(key);
        (rows, next)
    } else {
        (rows, None)
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn limit(&self) -> ApiResult<i64> {
        match self.limit {
            None => Ok(50),
            Some(n) if (1..=200).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::field("limit", "out_of_range", "limit is 1 to 200")),
        }
    }

    /// The cursor as an id (ids are UUIDs).
    pub fn cursor_id(&self) -> ApiResult<Option<String>> {
        match &self.cursor {
            None => Ok(None),
            Some(c) => uuid::Uuid::parse_str(c)
                .map(|u| Some(u.to_string()))
                .map_err(|_| ApiError::field("cursor", "invalid_cursor", "use the next_cursor of a previous page")),
        }
    }
}
