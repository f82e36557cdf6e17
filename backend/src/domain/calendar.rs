//! Working days in China: Monday to Friday, less public holidays, plus the weekend days worked in
//! exchange (调休). Day boundaries are the competition's zone (Beijing time by default), where the
//! public reads them.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};

use super::time::Zone;
use crate::string_enum;

string_enum! {
    pub enum DayKind {
        /// A public holiday: no work, even on a weekday.
        Holiday = "holiday",
        /// A weekend day that is worked (调休).
        Workday = "workday",
    }
}

pub fn is_working_day(day: NaiveDate, adjustments: &HashMap<NaiveDate, DayKind>) -> bool {
    match adjustments.get(&day) {
        Some(DayKind::Holiday) => false,
        Some(DayKind::Workday) => true,
        None => !matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
    }
}

/// The end (UTC) of a window opened at `start` (UTC) that lasts `working_days` full working days,
/// counted from the day after it opens (in `zone`): it closes at midnight in `zone` after the
/// last of them. Zero days close it at once.
pub fn publicity_end(
    start: NaiveDateTime,
    working_days: i32,
    adjustments: &HashMap<NaiveDate, DayKind>,
    zone: Zone,
) -> NaiveDateTime {
    if working_days <= 0 {
        return start;
    }
    let mut day = zone.date_of(start);
    let mut counted = 0;
    while counted < working_days {
        day += Duration::days(1);
        if is_working_day(day, adjustments) {
            counted += 1;
        }
    }
    zone.start_of(day + Duration::days(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn five_working_days_skip_the_weekend() {
        // Published Thursday 2026-11-26 10:00 China time (02:00 UTC): Fri, Mon, Tue, Wed, Thu →
        // closes at midnight China time after Thursday 2026-12-03.
        let end = publicity_end(utc("2026-11-26 02:00"), 5, &HashMap::new(), Zone::BEIJING);
        assert_eq!(end, utc("2026-12-03 16:00"));
    }

    /// The statutory holidays the project ships (loaded by a migration from the same data).
    fn shipped() -> HashMap<NaiveDate, DayKind> {
        include_str!("../../data/holidays-cn.csv")
            .lines()
            .skip(1)
            .map(|line| {
                let mut cols = line.split(',');
                let day = NaiveDate::parse_from_str(cols.next().unwrap(), "%Y-%m-%d").unwrap();
                (day, DayKind::parse(cols.next().unwrap()).unwrap())
            })
            .collect()
    }

    #[test]
    fn the_shipped_calendar_makes_up_only_on_weekends_and_covers_every_year() {
        let days = shipped();
        for (day, kind) in &days {
            if *kind == DayKind::Workday {
                assert!(matches!(day.weekday(), Weekday::Sat | Weekday::Sun), "{day} is a weekday already");
            }
        }
        for year in 2021..=2026 {
            let off = days.iter().filter(|(d, k)| d.year() == year && **k == DayKind::Holiday).count();
            // Eleven statutory days a year (thirteen from 2025), spread into about 30 days off.
            assert!((25..=40).contains(&off), "{year}: {off} holidays");
        }
    }

    #[test]
    fn a_publicity_window_over_national_day_2025_waits_for_the_holiday() {
        // Published Tuesday 30 September 2025, 10:00 China time. 1–8 October are off; Saturday
        // 11 October is worked: 9, 10, 11, 13, 14 October → closes after Tuesday 14 October.
        let end = publicity_end(utc("2025-09-30 02:00"), 5, &shipped(), Zone::BEIJING);
        assert_eq!(end, utc("2025-10-14 16:00"));
    }

    #[test]
    fn holidays_are_skipped_and_worked_weekends_count() {
        let mut adjustments = HashMap::new();
        // National Day week 2026: 1–7 October off, Sunday 27 September and Saturday 10 October worked.
        for d in 1..=7 {
            adjustments.insert(NaiveDate::from_ymd_opt(2026, 10, d).unwrap(), DayKind::Holiday);
        }
        adjustments.insert(NaiveDate::from_ymd_opt(2026, 10, 10).unwrap(), DayKind::Workday);
        // Published Wednesday 30 September: 8 Oct (Thu), 9 (Fri), 10 (Sat, worked) → 3 days.
        let end = publicity_end(utc("2026-09-30 02:00"), 3, &adjustments, Zone::BEIJING);
        assert_eq!(end, utc("2026-10-10 16:00"));
    }

    #[test]
    fn a_late_evening_utc_start_counts_from_the_next_china_day() {
        // 2026-11-26 20:00 UTC is already Friday 27th in China: count from Monday.
        let end = publicity_end(utc("2026-11-26 20:00"), 1, &HashMap::new(), Zone::BEIJING);
        assert_eq!(end, utc("2026-11-30 16:00"));
        assert_eq!(publicity_end(utc("2026-11-26 20:00"), 0, &HashMap::new(), Zone::BEIJING), utc("2026-11-26 20:00"));
    }

    #[test]
    fn the_window_closes_at_midnight_in_the_competitions_own_zone() {
        // Friday 2026-11-27 02:00 UTC: one working day (Monday), closing at Monday's midnight.
        let start = utc("2026-11-27 02:00");
        assert_eq!(publicity_end(start, 1, &HashMap::new(), Zone::BEIJING), utc("2026-11-30 16:00"));
        let urumqi = Zone::parse("Asia/Urumqi").unwrap();
        assert_eq!(publicity_end(start, 1, &HashMap::new(), urumqi), utc("2026-11-30 18:00"));
    }
}
