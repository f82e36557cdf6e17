//! Events (竞赛项目 = competition × trade): format, weights, quotas, eligibility, ranking and prize
//! settings, and their sessions. Defaults and their sources sit in the `Default` impls.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Violation;
use crate::string_enum;

string_enum! {
    pub enum EventMode { Individual = "individual", Team = "team" }
}

string_enum! {
    /// Who competes: 职工组, 学生组, 教师组.
    pub enum Track { Worker = "worker", Student = "student", Teacher = "teacher" }
}

string_enum! {
    pub enum SessionKind { Theory = "theory", Practical = "practical" }
}

string_enum! {
    /// The keys a ranking breaks ties by, in the event's order.
    pub enum TieBreakKey {
        /// Higher practical (实操) score first.
        Practical = "practical",
        /// Higher theory (理论) score first.
        Theory = "theory",
        /// Less time used first.
        ElapsedTime = "elapsed_time",
        /// Practical module scores in module order.
        ModuleScores = "module_scores",
        /// Still tied: the same rank.
        SharedRank = "shared_rank",
        /// Still tied: the organising committee decides.
        OrganiserDecision = "organiser_decision",
    }
}

string_enum! {
    pub enum PrizeBandMode { Percent = "percent", Fixed = "fixed" }
}

/// Theory / practical weights. Default 30 / 70 (DESIGN §6; 20 / 80 is seen in some trades).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Weights {
    pub theory: i32,
    pub practical: i32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights { theory: 30, practical: 70 }
    }
}

/// The default tie-break chain: practical, then theory, then elapsed time, then a shared rank
/// (DESIGN §6).
pub fn default_tie_breaks() -> Vec<TieBreakKey> {
    vec![TieBreakKey::Practical, TieBreakKey::Theory, TieBreakKey::ElapsedTime, TieBreakKey::SharedRank]
}

/// Prize bands: 1st 10 %, 2nd 20 %, 3rd 30 % of those who competed (DESIGN §6); fixed counts
/// (1 / 2 / 5) are seen in practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrizeBands {
    pub mode: PrizeBandMode,
    pub first: i32,
    pub second: i32,
    pub third: i32,
}

impl Default for PrizeBands {
    fn default() -> Self {
        PrizeBands { mode: PrizeBandMode::Percent, first: 10, second: 20, third: 30 }
    }
}

/// Per nominating organisation, 5 contestants per event (DESIGN §6).
pub const DEFAULT_QUOTA_PER_ORGANISATION: i32 = 5;

/// The legal minimum working age in China (劳动法 §15), the floor of any age rule.
pub const MIN_WORKING_AGE: i32 = 16;

/// The settings of an event that have rules, as the organiser sends them.
#[derive(Debug, Clone)]
pub struct EventSettings {
    pub mode: EventMode,
    pub team_size: Option<i32>,
    /// How a team scores (team events only).
    pub team_scoring: Option<crate::domain::ranking::TeamScoring>,
    pub weights: Weights,
    pub quota_total: Option<i32>,
    pub quota_per_organisation: Option<i32>,
    /// 名额分配: places allotted per prefecture (region code → places); a prefecture not named
    /// has none.
    pub prefecture_quotas: Option<std::collections::BTreeMap<String, i32>>,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    /// The lowest current skill level admitted (5 初级工 … 1 高级技师): a person must hold this
    /// level or a better (smaller) one.
    pub min_skill_level: Option<i32>,
    pub standard_level: Option<i32>,
    pub qualifiers_count: i32,
    pub review_levels: i32,
    /// Minutes appeals stay open after scores are announced.
    pub appeal_window_minutes: i32,
    /// Working days appeals stay open instead, where the rules give days.
    pub appeal_window_working_days: Option<i32>,
    pub tie_breaks: Vec<TieBreakKey>,
    pub prize_bands: PrizeBands,
}

/// Appeals close 2 hours after the scores are announced (DESIGN §6); online rounds allow 48 hours.
pub const DEFAULT_APPEAL_WINDOW_MINUTES: i32 = 120;
pub const MAX_APPEAL_WINDOW_MINUTES: i32 = 48 * 60;
pub const MAX_APPEAL_WINDOW_WORKING_DAYS: i32 = 10;

/// Every rule an event's settings break.
pub fn check_event_settings(s: &EventSettings) -> Vec<Violation> {
    let mut v = Vec::new();
    let w = s.weights;
    if !(0..=100).contains(&w.theory) || !(0..=100).contains(&w.practical) || w.theory + w.practical != 100 {
        v.push(Violation::new(
            "weights",
            "weights_not_100",
            format!("theory and practical weights are 0–100 and add up to 100 (got {} + {})", w.theory, w.practical),
        ));
    }
    match (s.mode, s.team_size) {
        (EventMode::Team, Some(n)) if (2..=10).contains(&n) => {}
        (EventMode::Team, _) => {
            v.push(Violation::new("team_size", "team_size_invalid", "a team event has teams of 2 to 10"))
        }
        (EventMode::Individual, None | Some(1)) => {}
        (EventMode::Individual, Some(_)) => {
            v.push(Violation::new("team_size", "team_size_invalid", "an individual event has no team size"))
        }
    }
    if let Some(quotas) = &s.prefecture_quotas {
        let prefecture = |code: &str| {
            code.len() == 6
                && code.bytes().all(|b| b.is_ascii_digit())
                && code.ends_with("00")
                && !code.ends_with("0000")
        };
        if quotas.is_empty() {
            v.push(Violation::new("prefecture_quotas", "required", "allot places to at least one prefecture"));
        }
        for (code, places) in quotas {
            if !prefecture(code) {
                v.push(Violation::new(
                    &format!("prefecture_quotas.{code}"),
                    "not_a_prefecture",
                    "a prefecture's region code (e.g. 530100)",
                ));
            } else if *places < 1 {
                v.push(Violation::new(&format!("prefecture_quotas.{code}"), "out_of_range", "at least 1 place"));
            }
        }
        let allotted: i64 = quotas.values().map(|p| *p as i64).sum();
        if s.quota_total.is_some_and(|total| allotted > total as i64) {
            v.push(Violation::new(
                "prefecture_quotas",
                "quota_above_total",
                format!("{allotted} places allotted, more than the event's {}", s.quota_total.unwrap_or_default()),
            ));
        }
    }
    if s.mode == EventMode::Individual && s.team_scoring.is_some() {
        v.push(Violation::new("team_scoring", "not_a_team_event", "an individual event has no team scoring"))
    }
    if s.quota_total.is_some_and(|q| q < 1) {
        v.push(Violation::new("quota_total", "out_of_range", "the total quota is at least 1"));
    }
    match (s.quota_per_organisation, s.quota_total) {
        (Some(per), _) if per < 1 => {
            v.push(Violation::new("quota_per_organisation", "out_of_range", "the per-organisation quota is at least 1"))
        }
        (Some(per), Some(total)) if per > total => v.push(Violation::new(
            "quota_per_organisation",
            "quota_above_total",
            format!("the per-organisation quota ({per}) exceeds the total quota ({total})"),
        )),
        _ => {}
    }
    if s.min_age.is_some_and(|a| a < MIN_WORKING_AGE) {
        v.push(Violation::new("min_age", "below_working_age", format!("contestants are at least {MIN_WORKING_AGE}")));
    }
    if s.max_age.is_some_and(|a| a > 75) {
        v.push(Violation::new("max_age", "out_of_range", "the maximum age is at most 75"));
    }
    if let (Some(min), Some(max)) = (s.min_age, s.max_age) {
        if min > max {
            v.push(Violation::new(
                "max_age",
                "age_range_inverted",
                format!("the minimum age {min} is above the maximum {max}"),
            ));
        }
    }
    for (field, level) in [("min_skill_level", s.min_skill_level), ("standard_level", s.standard_level)] {
        if level.is_some_and(|l| !(1..=5).contains(&l)) {
            v.push(Violation::new(field, "out_of_range", "a skill level is 5 (初级工) to 1 (高级技师)"));
        }
    }
    if s.qualifiers_count < 0 {
        v.push(Violation::new("qualifiers_count", "out_of_range", "the number of qualifiers cannot be negative"));
    }
    if s.quota_total.is_some_and(|q| s.qualifiers_count > q) {
        v.push(Violation::new("qualifiers_count", "qualifiers_above_quota", "more qualifiers than contestants"));
    }
    if !(0..=MAX_APPEAL_WINDOW_MINUTES).contains(&s.appeal_window_minutes) {
        v.push(Violation::new(
            "appeal_window_minutes",
            "out_of_range",
            format!("0 to {MAX_APPEAL_WINDOW_MINUTES} minutes (48 hours)"),
        ));
    }
    if s.appeal_window_working_days.is_some_and(|d| !(1..=MAX_APPEAL_WINDOW_WORKING_DAYS).contains(&d)) {
        v.push(Violation::new(
            "appeal_window_working_days",
            "out_of_range",
            format!("1 to {MAX_APPEAL_WINDOW_WORKING_DAYS} working days"),
        ));
    }
    if !(1..=crate::domain::registration::MAX_REVIEW_LEVELS).contains(&s.review_levels) {
        v.push(Violation::new(
            "review_levels",
            "out_of_range",
            "1 (host organisers), 2 (nominating unit, then host organisers), 3 or 4 (with the unions between)",
        ));
    }
    v.extend(check_tie_breaks(&s.tie_breaks));
    v.extend(check_prize_bands(&s.prize_bands));
    v
}

/// A tie-break chain uses each key once and ends in a final word (a shared rank or the
/// organiser's decision), and nothing follows that final word.
pub fn check_tie_breaks(keys: &[TieBreakKey]) -> Vec<Violation> {
    let mut v = Vec::new();
    let is_final = |k: &TieBreakKey| matches!(k, TieBreakKey::SharedRank | TieBreakKey::OrganiserDecision);
    for (i, key) in keys.iter().enumerate() {
        if keys[..i].contains(key) {
            v.push(Violation::new("tie_breaks", "duplicate_key", format!("{key} appears twice")));
        }
    }
    match keys.iter().position(is_final) {
        None => {
            v.push(Violation::new("tie_breaks", "no_final_key", "end the chain with shared_rank or organiser_decision"))
        }
        Some(p) if p != keys.len() - 1 => v.push(Violation::new(
            "tie_breaks",
            "keys_after_final",
            "nothing can follow shared_rank or organiser_decision",
        )),
        _ => {}
    }
    v
}

pub fn check_prize_bands(b: &PrizeBands) -> Vec<Violation> {
    let mut v = Vec::new();
    if b.first < 0 || b.second < 0 || b.third < 0 {
        v.push(Violation::new("prize_bands", "out_of_range", "prize bands cannot be negative"));
    }
    if b.mode == PrizeBandMode::Percent && b.first + b.second + b.third > 100 {
        v.push(Violation::new(
            "prize_bands",
            "bands_above_100",
            "the prize bands add up to more than 100 % of contestants",
        ));
    }
    v
}

/// A scheduled sitting: theory paper or practical module, at a venue.
#[derive(Debug, Clone)]
pub struct Sitting {
    pub id: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
}

/// The first existing sitting that overlaps `new` (one event's sittings never overlap: its
/// contestants sit all of them).
pub fn overlapping<'a>(new: &Sitting, existing: &'a [Sitting]) -> Option<&'a Sitting> {
    existing.iter().find(|s| s.id != new.id && s.starts_at < new.ends_at && new.starts_at < s.ends_at)
}

string_enum! {
    /// Where an event stands on its own schedule (a provincial final runs its trades over weeks):
    /// read from what has happened to it, never set by hand.
    pub enum EventStage {
        /// Sign-up and review (the competition's registration phases).
        Registration = "registration",
        /// The roster is in publicity or final; the draw has not taken place.
        Roster = "roster",
        /// Drawn (抽签): contestants check in.
        Drawn = "drawn",
        /// Someone has checked in: the contest is on and judges mark.
        Running = "running",
        /// Every section's marks are signed and locked.
        Scoring = "scoring",
        /// The review (复核) is drawn.
        Reviewing = "reviewing",
        /// Names are next to station numbers.
        Decrypted = "decrypted",
        /// Scores are announced and appeals may still be filed.
        AppealWindow = "appeal_window",
        /// The results are in publicity (公示).
        ResultsPublicity = "results_publicity",
        /// The results are final.
        Final = "final",
    }
}

/// What an event's stage is read from.
#[derive(Debug, Clone, Copy, Default)]
pub struct StageFacts {
    /// The competition is at the roster's publicity or later.
    pub roster: bool,
    pub drawn: bool,
    pub checked_in: bool,
    pub sections_locked: bool,
    pub review_drawn: bool,
    pub decrypted: bool,
    pub published: bool,
    /// Appeals may still be filed against the published scores.
    pub appeal_window_open: bool,
    pub results_final: bool,
}

/// The furthest stage the facts show.
pub fn event_stage(f: &StageFacts) -> EventStage {
    use EventStage::*;
    if f.results_final {
        Final
    } else if f.published {
        if f.appeal_window_open {
            AppealWindow
        } else {
            ResultsPublicity
        }
    } else if f.decrypted {
        Decrypted
    } else if f.review_drawn {
        Reviewing
    } else if f.sections_locked && f.checked_in {
        Scoring
    } else if f.checked_in {
        Running
    } else if f.drawn {
        Drawn
    } else if f.roster {
        Roster
    } else {
        Registration
    }
}

impl EventStage {
    fn order(self) -> usize {
        EventStage::ALL.iter().position(|s| *s == self).unwrap_or_default()
    }

    /// Whether the event has reached `stage`.
    pub fn reached(self, stage: EventStage) -> bool {
        self.order() >= stage.order()
    }

    /// The furthest a competition may be while one of its events stands here.
    pub fn competition_bound(self) -> Option<crate::domain::competition::Status> {
        use crate::domain::competition::Status;
        match self {
            EventStage::Registration => None,
            EventStage::Roster => Some(Status::RosterFinal),
            EventStage::Drawn => Some(Status::Drawn),
            EventStage::Running => Some(Status::Running),
            EventStage::Scoring => Some(Status::Scoring),
            EventStage::Reviewing => Some(Status::Reviewing),
            EventStage::Decrypted => Some(Status::Decrypted),
            EventStage::AppealWindow => Some(Status::AppealWindow),
            EventStage::ResultsPublicity => Some(Status::ResultsPublicity),
            EventStage::Final => Some(Status::ResultsFinal),
        }
    }

    /// Contestants check in once the event is drawn, until its marking is locked.
    pub fn check_in_open(self) -> Result<(), (&'static str, &'static str)> {
        match self {
            EventStage::Drawn | EventStage::Running => Ok(()),
            s if !s.reached(EventStage::Drawn) => {
                Err(("event_not_drawn", "the event's draw (抽签) has not taken place: check-in opens with it"))
            }
            _ => Err(("check_in_closed", "the event's marks are locked: check-in is over")),
        }
    }

    /// Judges mark once someone has checked in, until the review is drawn.
    pub fn marking_open(self) -> Result<(), (&'static str, &'static str)> {
        match self {
            EventStage::Running | EventStage::Scoring => Ok(()),
            s if !s.reached(EventStage::Running) => Err((
                "event_not_running",
                "nobody has checked in to this event yet: marking opens with the first check-in",
            )),
            _ => Err(("marking_closed", "the event's marking is over: its review has been drawn")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_allotted_to_prefectures_within_the_total() {
        let mut s = settings();
        s.quota_total = Some(20);
        s.prefecture_quotas = Some([("530100".to_string(), 12), ("530300".to_string(), 8)].into_iter().collect());
        assert!(check_event_settings(&s).is_empty());
        s.prefecture_quotas = Some([("530100".to_string(), 15), ("530300".to_string(), 8)].into_iter().collect());
        assert_eq!(check_event_settings(&s)[0].code, "quota_above_total");
        s.prefecture_quotas = Some([("530102".to_string(), 1), ("530000".to_string(), 1)].into_iter().collect());
        let fields: Vec<String> = check_event_settings(&s).into_iter().map(|v| v.field).collect();
        assert_eq!(
            fields,
            ["prefecture_quotas.530000", "prefecture_quotas.530102"],
            "a county and a province are not prefectures"
        );
        s.prefecture_quotas = Some([("530100".to_string(), 0)].into_iter().collect());
        assert_eq!(check_event_settings(&s)[0].code, "out_of_range");
    }

    #[test]
    fn an_event_stands_where_its_own_acts_have_taken_it() {
        let mut f = StageFacts::default();
        assert_eq!(event_stage(&f), EventStage::Registration);
        f.roster = true;
        assert_eq!(event_stage(&f), EventStage::Roster);
        assert_eq!(event_stage(&f).check_in_open().unwrap_err().0, "event_not_drawn");
        f.drawn = true;
        assert_eq!(event_stage(&f), EventStage::Drawn);
        assert!(event_stage(&f).check_in_open().is_ok());
        assert_eq!(event_stage(&f).marking_open().unwrap_err().0, "event_not_running");
        f.checked_in = true;
        assert_eq!(event_stage(&f), EventStage::Running);
        assert!(event_stage(&f).marking_open().is_ok());
        f.sections_locked = true;
        assert_eq!(event_stage(&f), EventStage::Scoring);
        assert_eq!(event_stage(&f).check_in_open().unwrap_err().0, "check_in_closed");
        f.review_drawn = true;
        assert_eq!(event_stage(&f), EventStage::Reviewing);
        assert_eq!(event_stage(&f).marking_open().unwrap_err().0, "marking_closed");
        f.decrypted = true;
        assert_eq!(event_stage(&f), EventStage::Decrypted);
        f.published = true;
        f.appeal_window_open = true;
        assert_eq!(event_stage(&f), EventStage::AppealWindow);
        f.appeal_window_open = false;
        assert_eq!(event_stage(&f), EventStage::ResultsPublicity);
        f.results_final = true;
        assert_eq!(event_stage(&f), EventStage::Final);
        assert!(EventStage::Final.reached(EventStage::Drawn) && !EventStage::Drawn.reached(EventStage::Running));
        use crate::domain::competition::Status;
        assert_eq!(EventStage::Running.competition_bound(), Some(Status::Running));
        assert_eq!(EventStage::Final.competition_bound(), Some(Status::ResultsFinal));
    }

    fn settings() -> EventSettings {
        EventSettings {
            mode: EventMode::Individual,
            team_size: None,
            team_scoring: None,
            prefecture_quotas: None,
            weights: Weights::default(),
            quota_total: Some(60),
            quota_per_organisation: Some(DEFAULT_QUOTA_PER_ORGANISATION),
            min_age: Some(18),
            max_age: Some(55),
            min_skill_level: Some(3),
            standard_level: Some(2),
            qualifiers_count: 3,
            review_levels: 2,
            appeal_window_minutes: DEFAULT_APPEAL_WINDOW_MINUTES,
            appeal_window_working_days: None,
            tie_breaks: default_tie_breaks(),
            prize_bands: PrizeBands::default(),
        }
    }

    fn codes(s: &EventSettings) -> Vec<String> {
        check_event_settings(s).into_iter().map(|v| v.code).collect()
    }

    #[test]
    fn the_defaults_are_valid() {
        assert!(codes(&settings()).is_empty());
        assert_eq!(Weights::default(), Weights { theory: 30, practical: 70 });
        assert_eq!(PrizeBands::default().first, 10);
    }

    #[test]
    fn weights_must_add_up_to_100() {
        let mut s = settings();
        s.weights = Weights { theory: 20, practical: 80 };
        assert!(codes(&s).is_empty());
        s.weights = Weights { theory: 30, practical: 60 };
        assert_eq!(codes(&s), ["weights_not_100"]);
        s.weights = Weights { theory: -10, practical: 110 };
        assert_eq!(codes(&s), ["weights_not_100"]);
    }

    #[test]
    fn quotas_ages_levels_and_teams_are_checked() {
        let mut s = settings();
        s.quota_per_organisation = Some(80);
        s.min_age = Some(15);
        s.max_age = Some(14);
        s.min_skill_level = Some(6);
        s.mode = EventMode::Team;
        s.qualifiers_count = 61;
        assert_eq!(
            codes(&s),
            [
                "team_size_invalid",
                "quota_above_total",
                "below_working_age",
                "age_range_inverted",
                "out_of_range",
                "qualifiers_above_quota"
            ]
        );
        s = settings();
        s.mode = EventMode::Team;
        s.team_size = Some(3);
        s.team_scoring = Some(crate::domain::ranking::TeamScoring::Mean);
        assert!(codes(&s).is_empty());
    }

    #[test]
    fn appeal_windows_are_up_to_48_hours_or_1_to_10_working_days() {
        let mut s = settings();
        s.appeal_window_minutes = MAX_APPEAL_WINDOW_MINUTES;
        s.appeal_window_working_days = Some(MAX_APPEAL_WINDOW_WORKING_DAYS);
        assert!(codes(&s).is_empty());
        s.appeal_window_minutes = -1;
        s.appeal_window_working_days = Some(0);
        let fields: Vec<String> = check_event_settings(&s).into_iter().map(|v| v.field).collect();
        assert_eq!(fields, ["appeal_window_minutes", "appeal_window_working_days"]);
        s.appeal_window_minutes = 0;
        s.appeal_window_working_days = Some(11);
        assert_eq!(codes(&s), ["out_of_range"]);
    }

    #[test]
    fn tie_break_chains_end_in_a_final_word_and_repeat_nothing() {
        use TieBreakKey::*;
        assert!(check_tie_breaks(&[ModuleScores, Practical, OrganiserDecision]).is_empty());
        assert_eq!(check_tie_breaks(&[Practical, Theory])[0].code, "no_final_key");
        assert_eq!(check_tie_breaks(&[Practical, SharedRank, Theory])[0].code, "keys_after_final");
        assert_eq!(check_tie_breaks(&[Practical, Practical, SharedRank])[0].code, "duplicate_key");
    }

    #[test]
    fn percent_bands_stay_within_the_field() {
        assert_eq!(
            check_prize_bands(&PrizeBands { mode: PrizeBandMode::Percent, first: 40, second: 40, third: 30 })[0].code,
            "bands_above_100"
        );
        assert!(check_prize_bands(&PrizeBands { mode: PrizeBandMode::Fixed, first: 1, second: 2, third: 5 }).is_empty());
    }

    #[test]
    fn sittings_of_one_event_never_overlap() {
        let t = |h: u32| chrono::NaiveDate::from_ymd_opt(2026, 10, 20).unwrap().and_hms_opt(h, 0, 0).unwrap();
        let theory = Sitting { id: "a".into(), starts_at: t(8), ends_at: t(10) };
        let module = Sitting { id: "b".into(), starts_at: t(10), ends_at: t(12) };
        assert!(overlapping(&module, std::slice::from_ref(&theory)).is_none(), "back to back is fine");
        let clash = Sitting { id: "c".into(), starts_at: t(9), ends_at: t(11) };
        assert_eq!(overlapping(&clash, &[theory, module]).map(|s| s.id.as_str()), Some("a"));
    }
}
