//! Fixed-window counters for rate limits: one row per key, reset when its window has passed.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use super::StoreResult;
use crate::db::DbConnection;

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = Integer)]
    hits: i32,
    #[diesel(sql_type = BigInt)]
    window_start: i64,
}

/// One more hit on `key` in the window of `period_seconds` that holds `now` (Unix seconds);
/// returns the hits so far in the window and when it started. One statement, so that two nodes
/// counting at once both count.
pub fn hit(conn: &mut DbConnection, key: &str, now: i64, period_seconds: i64) -> StoreResult<(i32, i64)> {
    const SQL: &str = "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) \
        ON CONFLICT (key) DO UPDATE SET \
        hits = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.hits + 1 END, \
        window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2 ELSE rate_limits.window_start END \
        RETURNING hits, window_start";
    let expired_before = now - period_seconds;
    let row: Counted = match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(SQL.replace('$', "?"))
            .bind::<Text, _>(key)
            .bind::<BigInt, _>(now)
            .bind::<BigInt, _>(expired_before)
            .get_result(c)?,
        DbConnection::Pg(c) => diesel::sql_query(SQL)
            .bind::<Text, _>(key)
            .bind::<BigInt, _>(now)
            .bind::<BigInt, _>(expired_before)
            .get_result(c)?,
    };
    Ok((row.hits, row.window_start))
}

/// The hits on `key` in its current window, without adding one.
pub fn hits(conn: &mut DbConnection, key: &str, now: i64, period_seconds: i64) -> StoreResult<(i32, i64)> {
    use crate::db::schema::rate_limits;
    let row: Option<(i32, i64)> =
        rate_limits::table.find(key).select((rate_limits::hits, rate_limits::window_start)).first(conn).optional()?;
    Ok(row.filter(|(_, start)| *start > now - period_seconds).unwrap_or((0, now)))
}

/// Forgets a key (a successful login clears the account's failures).
pub fn clear(conn: &mut DbConnection, key: &str) -> StoreResult<()> {
    use crate::db::schema::rate_limits;
    diesel::delete(rate_limits::table.find(key)).execute(conn)?;
    Ok(())
}

/// Drops windows that ended before `before` (Unix seconds).
pub fn prune(conn: &mut DbConnection, before: i64) -> StoreResult<usize> {
    use crate::db::schema::rate_limits;
    Ok(diesel::delete(rate_limits::table.filter(rate_limits::window_start.lt(before))).execute(conn)?)
}
