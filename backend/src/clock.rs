//! The server's one clock. Every "now" the server uses — timestamps it writes, deadlines it checks,
//! tokens it signs, the day a rule counts from — comes from the `Clock` in the app state, so that a
//! test (or a rehearsal of next season) can run the whole server at another instant.
//!
//! The clock is the real time plus an offset. A debug build honours `SKILLCOMP_CLOCK=<RFC 3339
//! instant>`: the clock starts there and runs on in real time. A release build ignores it (and says
//! so in its log): production time is never a setting.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};

/// Cheap to clone; clones share the offset (so a test that moves its server's clock moves it for
/// every part of that server).
#[derive(Clone, Default)]
pub struct Clock {
    offset_micros: Arc<AtomicI64>,
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now_utc().to_rfc3339())
    }
}

impl Clock {
    /// The real time.
    pub fn real() -> Clock {
        Clock::default()
    }

    /// A clock that reads `instant` now and runs on from there.
    pub fn starting_at(instant: DateTime<Utc>) -> Clock {
        let clock = Clock::default();
        clock.set(instant);
        clock
    }

    /// Parses `SKILLCOMP_CLOCK`'s value (RFC 3339, any offset).
    pub fn parse_start(value: &str) -> Result<DateTime<Utc>, String> {
        DateTime::parse_from_rfc3339(value.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| format!("SKILLCOMP_CLOCK: '{value}' is not an RFC 3339 instant ({e})"))
    }

    /// Moves the clock so that it reads `instant` now.
    pub fn set(&self, instant: DateTime<Utc>) {
        let offset = (instant - Utc::now()).num_microseconds().unwrap_or(0);
        self.offset_micros.store(offset, Ordering::Relaxed);
    }

    /// Moves the clock on (or back) by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        self.offset_micros.fetch_add(by.num_microseconds().unwrap_or(0), Ordering::Relaxed);
    }

    pub fn is_real(&self) -> bool {
        self.offset_micros.load(Ordering::Relaxed) == 0
    }

    /// Now, as an instant.
    pub fn now_utc(&self) -> DateTime<Utc> {
        let offset = chrono::Duration::microseconds(self.offset_micros.load(Ordering::Relaxed));
        truncate_to_micros(Utc::now() + offset)
    }

    /// Now as the database keeps it: UTC, truncated to microseconds (PostgreSQL's precision), so
    /// what the app wrote and what it reads back compare equal on both backends.
    pub fn now(&self) -> NaiveDateTime {
        self.now_utc().naive_utc()
    }

    /// Now in whole seconds since the epoch (token claims, rate-limit windows).
    pub fn timestamp(&self) -> i64 {
        self.now_utc().timestamp()
    }
}

fn truncate_to_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::Timelike;
    let micros = t.nanosecond() / 1_000 * 1_000;
    t.with_nanosecond(micros).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_clock_reads_its_instant_and_runs_on() {
        let start = Clock::parse_start("2027-10-02T10:00:00+08:00").unwrap();
        let clock = Clock::starting_at(start);
        let read = clock.now_utc();
        assert!(read >= start && read - start < chrono::Duration::seconds(5), "{read}");
        assert_eq!(read.naive_utc().date().to_string(), "2027-10-02");
        let copy = clock.clone();
        copy.advance(chrono::Duration::days(1));
        assert!(clock.now_utc() - start >= chrono::Duration::days(1), "clones share the offset");
    }

    #[test]
    fn a_bad_start_is_named() {
        let e = Clock::parse_start("2027-10-02").unwrap_err();
        assert!(e.contains("SKILLCOMP_CLOCK"), "{e}");
    }

    #[test]
    fn the_real_clock_has_no_offset() {
        let clock = Clock::real();
        assert!(clock.is_real());
        assert!((clock.now_utc() - Utc::now()).num_seconds().abs() < 5);
    }
}
