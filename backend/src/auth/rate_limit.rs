//! Rate limits on the doors that guessing and flooding go through: login (per client address, and
//! failures per account) and sign-up (per client address). Counters live in the database, so that
//! nodes behind one load balancer share them; an exhausted limit is a 429 with `Retry-After`.

use std::net::IpAddr;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::HttpRequest;

use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult};
use crate::store;

/// At most `max` in each `period`; `max == 0` turns the limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub period: Duration,
}

impl Limit {
    pub const OFF: Limit = Limit { max: 0, period: Duration::from_secs(1) };

    pub const fn new(max: u32, period_seconds: u64) -> Limit {
        Limit { max, period: Duration::from_secs(period_seconds) }
    }

    /// "N/SECONDS" (e.g. "10/900"), or "off".
    pub fn parse(text: &str) -> Result<Limit, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(Limit::OFF);
        }
        let (max, seconds) = text.split_once('/').ok_or_else(|| format!("'{text}' is not N/SECONDS or off"))?;
        let max = max.trim().parse().map_err(|_| format!("'{text}': N is not a number"))?;
        let seconds: u64 = seconds.trim().parse().map_err(|_| format!("'{text}': SECONDS is not a number"))?;
        if seconds == 0 {
            return Err(format!("'{text}': the period must be at least one second"));
        }
        Ok(Limit::new(max, seconds))
    }

    pub fn is_off(&self) -> bool {
        self.max == 0
    }
}

/// What a limit says about one more attempt.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Refused; the window reopens in this many seconds (at least 1).
    Wait(u64),
}

/// The verdict for the `hits`-th attempt of a window that started at `window_start` (Unix seconds).
pub fn verdict(limit: Limit, hits: i32, window_start: i64, now: i64) -> Verdict {
    if limit.is_off() || hits <= limit.max as i32 {
        return Verdict::Allowed;
    }
    let ends = window_start + limit.period.as_secs() as i64;
    Verdict::Wait((ends - now).max(1) as u64)
}

/// How long to hold an answer back after `failures` failed logins of one account from anywhere
/// in the current window: nothing up to the limit, then one second more for each, at most five.
/// An account under attack from many addresses is slowed, never locked: its owner, from their
/// own address, still gets in.
pub fn slowdown(limit: Limit, failures: i32) -> Duration {
    if limit.is_off() || failures < limit.max as i32 {
        return Duration::ZERO;
    }
    Duration::from_secs((failures - limit.max as i32 + 1).clamp(1, 5) as u64)
}

pub fn too_many(seconds: u64, what: &str) -> ApiError {
    let mut err = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("too many {what}; try again in {seconds} s"),
    );
    err.retry_after = Some(seconds);
    err
}

/// Counts one attempt on `key` at `now` (seconds since the epoch, from the server's clock) and
/// refuses it when the limit is spent.
pub fn count(conn: &mut DbConnection, limit: Limit, key: &str, what: &str, now: i64) -> ApiResult<()> {
    if limit.is_off() {
        return Ok(());
    }
    let (hits, start) = store::rate_limits::hit(conn, key, now, limit.period.as_secs() as i64)?;
    // Now and then, forget windows that ended long ago (a day of keys at most).
    if hits == 1 && now % 64 == 0 {
        store::rate_limits::prune(conn, now - 86_400)?;
    }
    match verdict(limit, hits, start, now) {
        Verdict::Allowed => Ok(()),
        Verdict::Wait(seconds) => Err(too_many(seconds, what)),
    }
}

/// Refuses when the limit on `key` is already spent, without counting (failures are counted
/// only once they happen).
pub fn check(conn: &mut DbConnection, limit: Limit, key: &str, what: &str, now: i64) -> ApiResult<()> {
    if limit.is_off() {
        return Ok(());
    }
    let (hits, start) = store::rate_limits::hits(conn, key, now, limit.period.as_secs() as i64)?;
    match verdict(limit, hits + 1, start, now) {
        Verdict::Allowed => Ok(()),
        Verdict::Wait(seconds) => Err(too_many(seconds, what)),
    }
}

/// The attempts counted on `key` in the current window (0 when the limit is off).
pub fn attempts(conn: &mut DbConnection, limit: Limit, key: &str, now: i64) -> ApiResult<i32> {
    if limit.is_off() {
        return Ok(0);
    }
    Ok(store::rate_limits::hits(conn, key, now, limit.period.as_secs() as i64)?.0)
}

/// The client's address: the peer, or — when the peer is a trusted reverse proxy — the last
/// address in `X-Forwarded-For` that is not itself a trusted proxy. An untrusted peer cannot
/// choose its own address by sending the header.
pub fn client_ip(req: &HttpRequest, trusted_proxies: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok()).unwrap_or("");
    let from_proxies = forwarded
        .rsplit(',')
        .filter_map(|part| part.trim().parse::<IpAddr>().ok())
        .find(|ip| !trusted_proxies.contains(ip));
    Some(from_proxies.unwrap_or(peer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_under_attack_is_slowed_a_second_more_per_failure_up_to_five() {
        let limit = Limit::new(5, 900);
        assert_eq!(slowdown(limit, 4), Duration::ZERO);
        assert_eq!(slowdown(limit, 5), Duration::from_secs(1));
        assert_eq!(slowdown(limit, 7), Duration::from_secs(3));
        assert_eq!(slowdown(limit, 500), Duration::from_secs(5));
        assert_eq!(slowdown(Limit::OFF, 500), Duration::ZERO);
    }

    #[test]
    fn limits_parse_from_settings_text() {
        assert_eq!(Limit::parse("10/900"), Ok(Limit::new(10, 900)));
        assert_eq!(Limit::parse(" off "), Ok(Limit::OFF));
        assert!(Limit::parse("10").is_err());
        assert!(Limit::parse("ten/60").is_err());
        assert!(Limit::parse("10/0").is_err());
    }

    #[test]
    fn the_attempt_past_the_limit_waits_for_the_window_to_end() {
        let limit = Limit::new(3, 60);
        assert_eq!(verdict(limit, 3, 1_000, 1_010), Verdict::Allowed);
        assert_eq!(verdict(limit, 4, 1_000, 1_010), Verdict::Wait(50));
        // At the very end of the window the wait is still at least a second.
        assert_eq!(verdict(limit, 4, 1_000, 1_060), Verdict::Wait(1));
        assert_eq!(verdict(Limit::OFF, 1_000, 1_000, 1_010), Verdict::Allowed);
    }
}
