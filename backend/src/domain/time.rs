//! People's time. Instants are kept and sent in UTC; the dates that people read on a wall calendar
//! or that rules count (a competition's first day, a sitting's day, a certificate's date, a
//! publicity window's working days) are in the competition's zone, Beijing time by default.
//!
//! China has one civil time without daylight saving since 1991, so a zone here is a fixed offset
//! with its IANA name; the names accepted are those a Chinese deployment meets (and UTC).

use chrono::{Duration, NaiveDate, NaiveDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone {
    name: &'static str,
    offset_minutes: i32,
}

/// The zones a deployment may name in `SKILLCOMP_TIMEZONE`, with their offsets (all without
/// daylight saving for dates after 1991).
const ZONES: [(&str, i32); 10] = [
    ("Asia/Shanghai", 8 * 60),
    ("Asia/Chongqing", 8 * 60),
    ("Asia/Harbin", 8 * 60),
    ("PRC", 8 * 60),
    ("Asia/Hong_Kong", 8 * 60),
    ("Asia/Macau", 8 * 60),
    ("Asia/Taipei", 8 * 60),
    // 新疆时间, used locally beside Beijing time.
    ("Asia/Urumqi", 6 * 60),
    ("UTC", 0),
    ("Etc/UTC", 0),
];

impl Default for Zone {
    /// Beijing time (北京时间), where the competitions this system serves are held.
    fn default() -> Self {
        Zone::BEIJING
    }
}

impl Zone {
    pub const BEIJING: Zone = Zone { name: "Asia/Shanghai", offset_minutes: 8 * 60 };
    pub const UTC: Zone = Zone { name: "UTC", offset_minutes: 0 };

    pub fn parse(name: &str) -> Result<Zone, String> {
        let wanted = name.trim();
        ZONES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(wanted))
            .map(|&(name, offset_minutes)| Zone { name, offset_minutes })
            .ok_or_else(|| {
                let known: Vec<&str> = ZONES.iter().map(|(n, _)| *n).collect();
                format!("unknown time zone '{wanted}' (known: {})", known.join(", "))
            })
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    fn offset(&self) -> Duration {
        Duration::minutes(self.offset_minutes as i64)
    }

    /// The wall-clock time in this zone of a UTC instant.
    pub fn local(&self, utc: NaiveDateTime) -> NaiveDateTime {
        utc + self.offset()
    }

    /// The calendar day in this zone of a UTC instant.
    pub fn date_of(&self, utc: NaiveDateTime) -> NaiveDate {
        self.local(utc).date()
    }

    /// The UTC instant of a wall-clock time in this zone.
    pub fn to_utc(&self, local: NaiveDateTime) -> NaiveDateTime {
        local - self.offset()
    }

    /// The UTC instant at which `day` begins in this zone (its midnight).
    pub fn start_of(&self, day: NaiveDate) -> NaiveDateTime {
        self.to_utc(day.and_hms_opt(0, 0, 0).unwrap_or_default())
    }

    /// "+08:00"
    pub fn offset_label(&self) -> String {
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let m = self.offset_minutes.abs();
        format!("{sign}{:02}:{:02}", m / 60, m % 60)
    }

    /// A UTC instant as people read it, with the zone said: "2026-12-02 17:00 (Asia/Shanghai, UTC+08:00)".
    /// For messages that name a deadline.
    pub fn describe(&self, utc: NaiveDateTime) -> String {
        format!("{} ({}, UTC{})", self.local(utc).format("%Y-%m-%d %H:%M"), self.name, self.offset_label())
    }

    /// A UTC instant as a wall-clock time in this zone, without the zone (printed pages whose
    /// header says the zone once).
    pub fn wall_clock(&self, utc: NaiveDateTime) -> String {
        self.local(utc).format("%Y-%m-%d %H:%M").to_string()
    }

    /// The same instant as RFC 3339 with this zone's offset: "2026-12-02T17:00:00+08:00".
    pub fn rfc3339(&self, utc: NaiveDateTime) -> String {
        format!("{}{}", self.local(utc).format("%Y-%m-%dT%H:%M:%S"), self.offset_label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn half_past_seven_in_beijing_is_still_the_previous_day_in_utc() {
        // 07:30 on 20 October in Beijing is 23:30 UTC on the 19th: the sitting's day is the 20th.
        let at = utc("2026-10-19 23:30");
        assert_eq!(Zone::BEIJING.date_of(at).to_string(), "2026-10-20");
        assert_eq!(Zone::UTC.date_of(at).to_string(), "2026-10-19");
    }

    #[test]
    fn a_certificate_granted_before_dawn_carries_the_beijing_date() {
        // 05:52 on 2 December in Beijing.
        let granted = utc("2026-12-01 21:52");
        assert_eq!(Zone::BEIJING.date_of(granted).to_string(), "2026-12-02");
    }

    #[test]
    fn midnight_of_a_day_and_back() {
        let day = NaiveDate::from_ymd_opt(2027, 10, 2).unwrap();
        let start = Zone::BEIJING.start_of(day);
        assert_eq!(start, utc("2027-10-01 16:00"));
        assert_eq!(Zone::BEIJING.date_of(start), day);
        assert_eq!(Zone::BEIJING.date_of(start - Duration::seconds(1)), day.pred_opt().unwrap());
    }

    #[test]
    fn deadlines_are_described_with_their_zone() {
        let text = Zone::BEIJING.describe(utc("2026-12-02 09:00"));
        assert_eq!(text, "2026-12-02 17:00 (Asia/Shanghai, UTC+08:00)");
        assert_eq!(Zone::BEIJING.rfc3339(utc("2026-12-02 09:00")), "2026-12-02T17:00:00+08:00");
    }

    #[test]
    fn zones_are_named_or_refused() {
        assert_eq!(Zone::parse("asia/shanghai").unwrap(), Zone::BEIJING);
        assert_eq!(Zone::parse("Asia/Urumqi").unwrap().offset_label(), "+06:00");
        assert_eq!(Zone::parse("UTC").unwrap(), Zone::UTC);
        let e = Zone::parse("Mars/Olympus").unwrap_err();
        assert!(e.contains("Asia/Shanghai"), "{e}");
    }
}
