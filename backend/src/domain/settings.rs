//! System settings that are data: the defaults a new competition or event takes where its
//! organisers say nothing, changed by admins (and audited) rather than by a new release. Each
//! has the rules' default (DESIGN §6) and the range the rules allow; a competition's or event's
//! own value, once set, is its own and does not follow later changes here.

use std::collections::HashMap;

use super::Violation;
use crate::string_enum;

string_enum! {
    pub enum SettingKey {
        /// Working days the roster is publicised (名单公示).
        RosterPublicityDays = "roster_publicity_days",
        /// Working days results and awards are publicised (成绩公示).
        ResultsPublicityDays = "results_publicity_days",
        /// Minutes appeals stay open after scores are announced.
        AppealWindowMinutes = "appeal_window_minutes",
        /// Places per nominating unit in an event.
        QuotaPerOrganisation = "quota_per_organisation",
        /// Review levels a registration passes (1 host only … 4 unit, county, prefecture, host).
        ReviewLevels = "review_levels",
    }
}

impl SettingKey {
    /// The rules' default, used until an admin sets another.
    pub fn default_value(self) -> i32 {
        match self {
            SettingKey::RosterPublicityDays => super::competition::DEFAULT_ROSTER_PUBLICITY_DAYS,
            SettingKey::ResultsPublicityDays => super::competition::RESULTS_PUBLICITY_WORKING_DAYS,
            SettingKey::AppealWindowMinutes => super::event::DEFAULT_APPEAL_WINDOW_MINUTES,
            SettingKey::QuotaPerOrganisation => super::event::DEFAULT_QUOTA_PER_ORGANISATION,
            SettingKey::ReviewLevels => 2,
        }
    }

    /// The values the rules allow (the same bounds a competition's or event's own value has).
    pub fn range(self) -> (i32, i32) {
        match self {
            SettingKey::RosterPublicityDays | SettingKey::ResultsPublicityDays => (0, 30),
            SettingKey::AppealWindowMinutes => (0, super::event::MAX_APPEAL_WINDOW_MINUTES),
            SettingKey::QuotaPerOrganisation => (1, 1000),
            SettingKey::ReviewLevels => (1, 4),
        }
    }

    /// Whether `value` may be set, and why not.
    pub fn check(self, value: i32) -> Result<i32, Violation> {
        let (min, max) = self.range();
        if (min..=max).contains(&value) {
            Ok(value)
        } else {
            Err(Violation::new("value", "out_of_range", format!("{self} is {min} to {max} (got {value})")))
        }
    }
}

/// The settings in force: what admins set, else the rules' defaults.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    set: HashMap<SettingKey, i32>,
}

impl Settings {
    pub fn from_stored(rows: impl IntoIterator<Item = (String, i32)>) -> Settings {
        // A stored value out of range (the rules narrowed since) falls back to the default.
        let set = rows
            .into_iter()
            .filter_map(|(k, v)| SettingKey::parse(&k).filter(|key| key.check(v).is_ok()).map(|key| (key, v)))
            .collect();
        Settings { set }
    }

    pub fn get(&self, key: SettingKey) -> i32 {
        self.set.get(&key).copied().unwrap_or_else(|| key.default_value())
    }

    pub fn is_set(&self, key: SettingKey) -> bool {
        self.set.contains_key(&key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_settings_take_the_rules_defaults() {
        let s = Settings::default();
        assert_eq!(s.get(SettingKey::RosterPublicityDays), 7);
        assert_eq!(s.get(SettingKey::ResultsPublicityDays), 5);
        assert_eq!(s.get(SettingKey::AppealWindowMinutes), 120);
        assert_eq!(s.get(SettingKey::QuotaPerOrganisation), 5);
        assert_eq!(s.get(SettingKey::ReviewLevels), 2);
    }

    #[test]
    fn values_outside_the_rules_are_refused_and_never_used() {
        assert_eq!(SettingKey::ReviewLevels.check(5).unwrap_err().code, "out_of_range");
        assert_eq!(SettingKey::QuotaPerOrganisation.check(0).unwrap_err().code, "out_of_range");
        assert_eq!(SettingKey::AppealWindowMinutes.check(48 * 60), Ok(48 * 60));
        let s = Settings::from_stored([
            ("quota_per_organisation".to_string(), 8),
            ("review_levels".to_string(), 9),
            ("no_such_setting".to_string(), 1),
        ]);
        assert_eq!(s.get(SettingKey::QuotaPerOrganisation), 8);
        assert!(s.is_set(SettingKey::QuotaPerOrganisation));
        assert_eq!(s.get(SettingKey::ReviewLevels), 2, "a stored value the rules no longer allow is not used");
    }
}
