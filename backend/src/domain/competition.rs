//! Competitions: what they are (category, tier, class), how they chain up the tiers (`feeds_into`),
//! and their lifecycle with the preconditions of each step.

use chrono::{NaiveDate, NaiveDateTime};

use super::organisation::Tier;
use super::time::Zone;
use super::Violation;
use crate::string_enum;

string_enum! {
    /// What kind of contest it is.
    pub enum Category {
        /// 职工职业技能大赛
        WorkersSkills = "workers_skills",
        /// 劳动竞赛 (often on a named major project)
        Labour = "labour",
        /// 职业院校技能大赛
        VocationalCollege = "vocational_college",
        /// 世界技能大赛选拔赛
        WorldskillsSelection = "worldskills_selection",
    }
}

impl Category {
    /// The category as printed for people.
    pub fn label(self) -> &'static str {
        match self {
            Category::WorkersSkills => "职工职业技能大赛",
            Category::Labour => "劳动竞赛",
            Category::VocationalCollege => "职业院校技能大赛",
            Category::WorldskillsSelection => "世界技能大赛选拔赛",
        }
    }
}

string_enum! {
    /// The class a competition is recognised as (国家级一类/二类, 省级一类/二类, 市/县级, 企业级).
    pub enum CompetitionClass {
        National1 = "national_1",
        National2 = "national_2",
        Provincial1 = "provincial_1",
        Provincial2 = "provincial_2",
        District = "district",
        Enterprise = "enterprise",
    }
}

string_enum! {
    /// Lifecycle states, in order (DESIGN §5).
    pub enum Status {
        Draft = "draft",
        Published = "published",
        RegistrationOpen = "registration_open",
        RegistrationClosed = "registration_closed",
        RosterPublicity = "roster_publicity",
        RosterFinal = "roster_final",
        Drawn = "drawn",
        Running = "running",
        Scoring = "scoring",
        Reviewing = "reviewing",
        Decrypted = "decrypted",
        AppealWindow = "appeal_window",
        ResultsPublicity = "results_publicity",
        ResultsFinal = "results_final",
        AwardsCertified = "awards_certified",
        Archived = "archived",
        Cancelled = "cancelled",
    }
}

/// Selection lists are publicised for 7 days (DESIGN §6), counted here as working days.
pub const DEFAULT_ROSTER_PUBLICITY_DAYS: i32 = 7;

/// Working days results are publicised (公示) before they are final (DESIGN §6).
pub const RESULTS_PUBLICITY_WORKING_DAYS: i32 = 5;

/// The main line of the lifecycle; `cancelled` branches off it.
const MAIN_LINE: [Status; 16] = [
    Status::Draft,
    Status::Published,
    Status::RegistrationOpen,
    Status::RegistrationClosed,
    Status::RosterPublicity,
    Status::RosterFinal,
    Status::Drawn,
    Status::Running,
    Status::Scoring,
    Status::Reviewing,
    Status::Decrypted,
    Status::AppealWindow,
    Status::ResultsPublicity,
    Status::ResultsFinal,
    Status::AwardsCertified,
    Status::Archived,
];

impl Status {
    fn position(self) -> Option<usize> {
        MAIN_LINE.iter().position(|s| *s == self)
    }

    /// Whether the competition is at `stage` of the main line or beyond (never when cancelled).
    pub fn reached(self, stage: Status) -> bool {
        matches!((self.position(), stage.position()), (Some(p), Some(q)) if p >= q)
    }

    /// Whether the competition has not started yet (it may still be cancelled).
    pub fn is_before_running(self) -> bool {
        self.position().is_some_and(|p| p < Status::Running.position().unwrap_or(usize::MAX))
    }

    /// Whether registration has opened at some point (technical documents are frozen from then on).
    pub fn registration_has_opened(self) -> bool {
        self != Status::Cancelled
            && self.position().is_some_and(|p| p >= Status::RegistrationOpen.position().unwrap_or(0))
    }

    /// Whether the public may see it.
    pub fn is_public(self) -> bool {
        self != Status::Draft
    }

    /// Whether events, quotas, eligibility and dates may still change (before registration opens).
    pub fn setup_editable(self) -> bool {
        matches!(self, Status::Draft | Status::Published)
    }

    /// Whether results are final (qualifiers have moved on; nothing about the chain changes).
    pub fn results_are_final(self) -> bool {
        self.position().is_some_and(|p| p >= Status::ResultsFinal.position().unwrap_or(usize::MAX))
    }

    /// Whether names have been put next to codes (the draw mapping is no longer secret).
    pub fn is_decrypted(self) -> bool {
        self.position().is_some_and(|p| p >= Status::Decrypted.position().unwrap_or(usize::MAX))
    }

    /// The states this one may move to.
    pub fn allowed_next(self) -> Vec<Status> {
        let mut next: Vec<Status> = self.position().and_then(|p| MAIN_LINE.get(p + 1)).copied().into_iter().collect();
        if self.is_before_running() {
            next.push(Status::Cancelled);
        }
        next
    }
}

string_enum! {
    /// The part a body other than the host plays (主办 is the host itself).
    pub enum BodyRole {
        /// 联合主办
        CoHost = "co_host",
        /// 承办
        Undertaker = "undertaker",
        /// 协办
        CoOrganiser = "co_organiser",
        /// 支持单位
        Supporter = "supporter",
    }
}

/// The tier above, where an upgrade application goes (county → prefecture → province →
/// national: 省级示范性 → 全国引领性); None for national and enterprise competitions.
pub fn upgrade_target(tier: Tier) -> Option<Tier> {
    match tier {
        Tier::County => Some(Tier::Prefecture),
        Tier::Prefecture => Some(Tier::Province),
        Tier::Province => Some(Tier::National),
        Tier::National | Tier::Enterprise => None,
    }
}

/// A competition's calendar facts that hold whatever its state: it ends on or after its first day,
/// its year is the year it starts, a Q4 season competition (竞赛季) starts in October to December,
/// and registration opens before it closes and closes by the first day.
pub fn check_calendar(
    year: i32,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    is_season: bool,
    registration: (Option<NaiveDateTime>, Option<NaiveDateTime>),
    zone: Zone,
) -> Vec<Violation> {
    use chrono::Datelike;
    let mut v = Vec::new();
    if !(2000..=2100).contains(&year) {
        v.push(Violation::new("year", "out_of_range", "a year between 2000 and 2100"));
    } else if starts_on.year() != year {
        v.push(Violation::new(
            "year",
            "year_mismatch",
            format!("the competition starts in {}, not {year}", starts_on.year()),
        ));
    }
    if ends_on < starts_on {
        v.push(Violation::new("ends_on", "dates_out_of_order", "the competition ends before it starts"));
    }
    if is_season && starts_on.month() < 10 {
        v.push(Violation::new(
            "is_season",
            "season_outside_q4",
            "the competition season (竞赛季) is the fourth quarter: start in October to December",
        ));
    }
    if let (Some(open), Some(close)) = registration {
        if open >= close {
            v.push(Violation::new(
                "registration_closes_at",
                "registration_window_invalid",
                "registration must open before it closes",
            ));
        }
    }
    if let Some(close) = registration.1 {
        if zone.date_of(close) > starts_on {
            v.push(Violation::new(
                "registration_closes_at",
                "registration_after_start",
                "registration must close no later than the competition's first day",
            ));
        }
    }
    v
}

/// Which classes fit which tier.
pub fn class_fits_tier(class: CompetitionClass, tier: Tier) -> bool {
    use CompetitionClass::*;
    match class {
        National1 | National2 => tier == Tier::National,
        Provincial1 | Provincial2 => tier == Tier::Province,
        District => matches!(tier, Tier::Prefecture | Tier::County),
        Enterprise => tier == Tier::Enterprise,
    }
}

/// The classes allowed at a tier, for messages.
pub fn classes_for(tier: Tier) -> Vec<CompetitionClass> {
    CompetitionClass::ALL.iter().copied().filter(|c| class_fits_tier(*c, tier)).collect()
}

/// A competition's tier, class and category against its host organisation's tier.
///
/// The host must sit at the competition's tier or above: a county union can run a county or an
/// enterprise contest but not a provincial one; a provincial body can run a provincial one.
pub fn check_competition_shape(
    tier: Tier,
    class: CompetitionClass,
    category: Category,
    host_tier: Tier,
) -> Vec<Violation> {
    let mut violations = Vec::new();
    if host_tier.rank() < tier.rank() {
        violations.push(Violation::new(
            "tier",
            "tier_above_host",
            format!("a {host_tier} body cannot host a {tier} competition; its host must be of that tier or above"),
        ));
    }
    if !class_fits_tier(class, tier) {
        let allowed: Vec<&str> = classes_for(tier).iter().map(|c| c.as_str()).collect();
        violations.push(Violation::new(
            "class",
            "class_tier_mismatch",
            format!("a {tier} competition is of class {}", allowed.join(" or ")),
        ));
    }
    if category == Category::WorldskillsSelection && !matches!(tier, Tier::National | Tier::Province) {
        violations.push(Violation::new(
            "category",
            "category_tier_mismatch",
            "WorldSkills selections are national or provincial",
        ));
    }
    violations
}

/// Where a competition's qualifiers go: a competition of the same category, one or more tiers up,
/// in the same year or a later one.
/// A competition feeds only a competition whose host's region contains its own host's: a county
/// contest of Kunming goes on to Kunming's or Yunnan's final, not to Guizhou's.
pub fn check_feeds_within_region(host_region: &str, target_host_region: &str) -> Result<(), Violation> {
    if crate::domain::organisation::region_within(host_region, target_host_region) {
        Ok(())
    } else {
        Err(Violation::new(
            "feeds_into_id",
            "outside_target_region",
            format!(
                "a competition hosted in {host_region} feeds one whose region contains it, not {target_host_region}"
            ),
        ))
    }
}

pub fn check_feeds_into(
    tier: Tier,
    category: Category,
    year: i32,
    target_tier: Tier,
    target_category: Category,
    target_year: i32,
) -> Result<(), Violation> {
    if target_tier.rank() <= tier.rank() {
        return Err(Violation::new(
            "feeds_into_id",
            "feeds_not_upward",
            format!("a {tier} competition feeds a higher tier, not a {target_tier} one"),
        ));
    }
    if target_category != category {
        return Err(Violation::new(
            "feeds_into_id",
            "feeds_other_category",
            format!("a {category} competition feeds a {category} competition, not a {target_category} one"),
        ));
    }
    if target_year < year {
        return Err(Violation::new(
            "feeds_into_id",
            "feeds_earlier_year",
            "qualifiers cannot go to a competition of an earlier year",
        ));
    }
    Ok(())
}

/// Follows `feeds_into` from `start` (whose new target is `first_target`) with `next` and tells
/// whether the chain comes back to `start`.
pub fn creates_cycle(start: &str, first_target: &str, mut next: impl FnMut(&str) -> Option<String>) -> bool {
    let mut current = first_target.to_string();
    for _ in 0..64 {
        if current == start {
            return true;
        }
        match next(&current) {
            Some(following) => current = following,
            None => return false,
        }
    }
    true
}

/// What a transition's preconditions look at, gathered by the caller.
#[derive(Debug, Clone)]
pub struct TransitionFacts {
    pub now: NaiveDateTime,
    /// The zone the competition's dates are read in.
    pub zone: Zone,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub registration_opens_at: Option<NaiveDateTime>,
    pub registration_closes_at: Option<NaiveDateTime>,
    pub events: i64,
    /// Events with a published technical document and a marking scheme.
    pub events_ready: i64,
    /// A reason given with the request (needed to cancel, or to close registration early).
    pub reason: Option<String>,
    /// Registrations still waiting for a review or a correction.
    pub pending_reviews: i64,
    /// When the roster's publicity window (公示) closes, once it is open.
    pub roster_publicity_ends_at: Option<NaiveDateTime>,
    /// Objections against the roster not yet ruled on.
    pub pending_objections: i64,
    /// Events with admitted contestants whose draw has not taken place.
    pub events_awaiting_draw: i64,
    /// Events whose marking sections are not all signed and locked.
    pub events_not_locked: i64,
    /// Events with contestants whose review (复核) has not been drawn.
    pub events_not_reviewed: i64,
    /// Events whose announced scores may still be appealed.
    pub appeal_windows_open: i64,
    /// Events with contestants not yet decrypted.
    pub events_not_decrypted: i64,
    /// Events with contestants whose results are not yet published (publicity or final).
    pub results_not_published: i64,
    /// Events with contestants whose results are not yet final.
    pub results_not_final: i64,
    /// Events with contestants and no awards proposed.
    pub events_without_awards: i64,
    /// Awards proposed, confirmed or in publicity: not yet granted (or revoked).
    pub awards_pending: i64,
}

/// One precondition that is not met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmet {
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionRefusal {
    /// The lifecycle does not go from here to there.
    NotAllowed { allowed: Vec<Status> },
    /// It does, but these conditions are not met yet.
    Unmet(Vec<Unmet>),
}

/// Whether a competition in `from` may move to `to` now, and if not, every reason why.
pub fn check_transition(from: Status, to: Status, f: &TransitionFacts) -> Result<(), TransitionRefusal> {
    if !from.allowed_next().contains(&to) {
        return Err(TransitionRefusal::NotAllowed { allowed: from.allowed_next() });
    }
    let mut unmet = Vec::new();
    let mut need = |ok: bool, code: &'static str, message: String| {
        if !ok {
            unmet.push(Unmet { code, message });
        }
    };
    match to {
        Status::Published => {
            need(f.events > 0, "no_events", "add at least one event (竞赛项目) first".into());
            need(f.starts_on <= f.ends_on, "dates_out_of_order", "the competition ends before it starts".into());
            match (f.registration_opens_at, f.registration_closes_at) {
                (Some(open), Some(close)) => {
                    need(open < close, "registration_window_invalid", "registration must open before it closes".into());
                    need(
                        f.zone.date_of(close) <= f.starts_on,
                        "registration_after_start",
                        "registration must close no later than the competition's first day".into(),
                    );
                }
                _ => need(false, "registration_window_missing", "set when registration opens and closes".into()),
            }
        }
        Status::RegistrationOpen => {
            need(
                f.events_ready > 0,
                "no_event_ready",
                "at least one event needs a published technical document (技术工作文件) and a marking scheme".into(),
            );
            if let Some(close) = f.registration_closes_at {
                need(
                    f.now < close,
                    "registration_deadline_passed",
                    format!("the registration deadline {} has already passed; move it first", f.zone.describe(close)),
                );
            }
        }
        Status::RegistrationClosed => {
            if let Some(open) = f.registration_opens_at {
                need(
                    f.now >= open,
                    "registration_not_started",
                    format!("registration has not started yet (it opens {})", f.zone.describe(open)),
                );
            }
            if let Some(close) = f.registration_closes_at {
                need(
                    f.now >= close || f.reason.is_some(),
                    "registration_deadline_not_reached",
                    format!(
                        "the deadline {} has not passed; give a reason to close registration early",
                        f.zone.describe(close)
                    ),
                );
            }
        }
        Status::RosterPublicity => {
            need(
                f.pending_reviews == 0,
                "reviews_pending",
                format!("{} registrations still wait for a review or a correction", f.pending_reviews),
            );
        }
        Status::RosterFinal => {
            if let Some(end) = f.roster_publicity_ends_at {
                need(
                    f.now >= end,
                    "publicity_not_over",
                    format!("the roster's publicity (公示) runs until {}", f.zone.describe(end)),
                );
            }
            need(
                f.pending_objections == 0,
                "objections_pending",
                format!("{} objections against the roster wait for a ruling", f.pending_objections),
            );
        }
        Status::Drawn => {
            need(
                f.events_awaiting_draw == 0,
                "draw_missing",
                format!("{} events still need their draw (抽签)", f.events_awaiting_draw),
            );
        }
        // The competition follows its events: scoring once every event's marks are locked, in
        // review once every event's review is drawn, and so on.
        Status::Scoring => {
            need(
                f.events_not_locked == 0,
                "sheets_not_locked",
                format!("{} events still have unlocked mark sheets", f.events_not_locked),
            );
        }
        Status::Reviewing => {
            need(
                f.events_not_locked == 0,
                "sheets_not_locked",
                format!("{} events still have unlocked mark sheets", f.events_not_locked),
            );
            need(
                f.events_not_reviewed == 0,
                "review_not_drawn",
                format!("{} events have not drawn their review (复核)", f.events_not_reviewed),
            );
        }
        Status::Decrypted => {
            need(
                f.events_not_decrypted == 0,
                "events_not_decrypted",
                format!(
                    "{} events are not decrypted yet (review, then the encryption judge and a supervisor)",
                    f.events_not_decrypted
                ),
            );
        }
        Status::AppealWindow => {
            need(
                f.results_not_published == 0,
                "results_not_published",
                format!("{} events have not announced their scores", f.results_not_published),
            );
        }
        Status::ResultsPublicity => {
            need(
                f.results_not_published == 0,
                "results_not_published",
                format!("{} events have not published their results", f.results_not_published),
            );
            need(
                f.appeal_windows_open == 0,
                "appeal_window_open",
                format!("{} events' appeal windows are still open", f.appeal_windows_open),
            );
        }
        Status::ResultsFinal => {
            need(
                f.results_not_final == 0,
                "results_not_final",
                format!("{} events' results are not final yet (publicity, appeals)", f.results_not_final),
            );
        }
        Status::AwardsCertified => {
            need(
                f.events_without_awards == 0,
                "awards_not_proposed",
                format!("{} events have no awards proposed", f.events_without_awards),
            );
            need(
                f.awards_pending == 0,
                "awards_pending",
                format!("{} awards wait for certification, publicity or grant", f.awards_pending),
            );
        }
        Status::Running => {
            need(
                f.zone.date_of(f.now) >= f.starts_on,
                "not_started",
                format!("the competition starts on {} ({})", f.starts_on, f.zone.name()),
            );
        }
        Status::Cancelled => {
            need(f.reason.is_some(), "reason_required", "say why the competition is cancelled".into());
        }
        _ => {}
    }
    if unmet.is_empty() {
        Ok(())
    } else {
        Err(TransitionRefusal::Unmet(unmet))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_competition_feeds_only_within_the_region_of_the_target_host() {
        assert!(check_feeds_within_region("530102", "530100").is_ok(), "五华区 → 昆明市");
        assert!(check_feeds_within_region("530102", "530000").is_ok(), "五华区 → 云南省");
        assert!(check_feeds_within_region("530000", "100000").is_ok(), "云南省 → 全国");
        let refused = check_feeds_within_region("530302", "530100").unwrap_err();
        assert_eq!(refused.code, "outside_target_region", "麒麟区 (曲靖) does not feed 昆明市");
        assert!(check_feeds_within_region("530100", "520000").is_err(), "昆明 does not feed 贵州");
    }

    fn at(date: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(&format!("{date} 00:00:00"), "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn facts() -> TransitionFacts {
        TransitionFacts {
            zone: Zone::BEIJING,
            now: at("2026-09-01"),
            starts_on: NaiveDate::from_ymd_opt(2026, 10, 20).unwrap(),
            ends_on: NaiveDate::from_ymd_opt(2026, 10, 22).unwrap(),
            registration_opens_at: Some(at("2026-08-15")),
            registration_closes_at: Some(at("2026-09-30")),
            events: 2,
            events_ready: 1,
            reason: None,
            pending_reviews: 0,
            roster_publicity_ends_at: None,
            pending_objections: 0,
            events_awaiting_draw: 0,
            events_not_locked: 0,
            events_not_reviewed: 0,
            appeal_windows_open: 0,
            events_not_decrypted: 0,
            results_not_published: 0,
            results_not_final: 0,
            events_without_awards: 0,
            awards_pending: 0,
        }
    }

    fn codes(r: Result<(), TransitionRefusal>) -> Vec<&'static str> {
        match r {
            Err(TransitionRefusal::Unmet(u)) => u.into_iter().map(|u| u.code).collect(),
            other => panic!("expected unmet conditions, got {other:?}"),
        }
    }

    #[test]
    fn the_lifecycle_moves_one_step_at_a_time_and_cancels_only_before_running() {
        assert_eq!(Status::Draft.allowed_next(), [Status::Published, Status::Cancelled]);
        assert_eq!(Status::Drawn.allowed_next(), [Status::Running, Status::Cancelled]);
        assert_eq!(Status::Running.allowed_next(), [Status::Scoring]);
        assert_eq!(Status::Archived.allowed_next(), []);
        assert_eq!(Status::Cancelled.allowed_next(), []);
        assert_eq!(
            check_transition(Status::Draft, Status::RegistrationOpen, &facts()),
            Err(TransitionRefusal::NotAllowed { allowed: vec![Status::Published, Status::Cancelled] })
        );
        assert!(matches!(
            check_transition(Status::Scoring, Status::Cancelled, &facts()),
            Err(TransitionRefusal::NotAllowed { .. })
        ));
        // Every step of the main line is allowed from the one before it.
        for pair in MAIN_LINE.windows(2) {
            assert!(pair[0].allowed_next().contains(&pair[1]));
        }
    }

    #[test]
    fn publishing_needs_events_ordered_dates_and_a_registration_window() {
        assert_eq!(check_transition(Status::Draft, Status::Published, &facts()), Ok(()));
        let mut f = facts();
        f.events = 0;
        f.ends_on = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        f.registration_closes_at = Some(at("2026-10-21"));
        assert_eq!(
            codes(check_transition(Status::Draft, Status::Published, &f)),
            ["no_events", "dates_out_of_order", "registration_after_start"]
        );
        f.registration_opens_at = None;
        assert!(codes(check_transition(Status::Draft, Status::Published, &f)).contains(&"registration_window_missing"));
    }

    #[test]
    fn registration_opens_only_with_a_ready_event_and_before_its_deadline() {
        assert_eq!(check_transition(Status::Published, Status::RegistrationOpen, &facts()), Ok(()));
        let mut f = facts();
        f.events_ready = 0;
        f.now = at("2026-10-01");
        assert_eq!(
            codes(check_transition(Status::Published, Status::RegistrationOpen, &f)),
            ["no_event_ready", "registration_deadline_passed"]
        );
    }

    #[test]
    fn registration_closes_at_the_deadline_or_early_with_a_reason_but_never_before_it_started() {
        let mut f = facts();
        assert_eq!(
            codes(check_transition(Status::RegistrationOpen, Status::RegistrationClosed, &f)),
            ["registration_deadline_not_reached"]
        );
        f.reason = Some("quota filled".into());
        assert_eq!(check_transition(Status::RegistrationOpen, Status::RegistrationClosed, &f), Ok(()));
        f.now = at("2026-08-01");
        assert_eq!(
            codes(check_transition(Status::RegistrationOpen, Status::RegistrationClosed, &f)),
            ["registration_not_started"]
        );
        f.now = at("2026-09-30");
        f.reason = None;
        assert_eq!(check_transition(Status::RegistrationOpen, Status::RegistrationClosed, &f), Ok(()));
    }

    #[test]
    fn the_roster_is_publicised_after_review_final_after_publicity_and_drawn_event_by_event() {
        let mut f = facts();
        f.pending_reviews = 3;
        assert_eq!(
            codes(check_transition(Status::RegistrationClosed, Status::RosterPublicity, &f)),
            ["reviews_pending"]
        );
        f.roster_publicity_ends_at = Some(at("2026-09-05"));
        f.pending_objections = 1;
        assert_eq!(
            codes(check_transition(Status::RosterPublicity, Status::RosterFinal, &f)),
            ["publicity_not_over", "objections_pending"]
        );
        f.now = at("2026-09-05");
        f.pending_objections = 0;
        assert_eq!(check_transition(Status::RosterPublicity, Status::RosterFinal, &f), Ok(()));
        f.events_awaiting_draw = 2;
        assert_eq!(codes(check_transition(Status::RosterFinal, Status::Drawn, &f)), ["draw_missing"]);
    }

    #[test]
    fn review_waits_for_locked_sheets_and_decryption_for_every_event() {
        let mut f = facts();
        f.events_not_locked = 1;
        assert_eq!(codes(check_transition(Status::Running, Status::Scoring, &f)), ["sheets_not_locked"]);
        f.events_not_reviewed = 1;
        assert_eq!(
            codes(check_transition(Status::Scoring, Status::Reviewing, &f)),
            ["sheets_not_locked", "review_not_drawn"]
        );
        f.events_not_decrypted = 2;
        assert_eq!(codes(check_transition(Status::Reviewing, Status::Decrypted, &f)), ["events_not_decrypted"]);
        f.results_not_published = 1;
        assert_eq!(codes(check_transition(Status::Decrypted, Status::AppealWindow, &f)), ["results_not_published"]);
        f.appeal_windows_open = 1;
        assert_eq!(
            codes(check_transition(Status::AppealWindow, Status::ResultsPublicity, &f)),
            ["results_not_published", "appeal_window_open"]
        );
        f.results_not_final = 3;
        assert_eq!(codes(check_transition(Status::ResultsPublicity, Status::ResultsFinal, &f)), ["results_not_final"]);
        f.events_without_awards = 1;
        f.awards_pending = 4;
        assert_eq!(
            codes(check_transition(Status::ResultsFinal, Status::AwardsCertified, &f)),
            ["awards_not_proposed", "awards_pending"]
        );
    }

    #[test]
    fn running_waits_for_the_first_day_and_cancelling_needs_a_reason() {
        assert_eq!(codes(check_transition(Status::Drawn, Status::Running, &facts())), ["not_started"]);
        let mut f = facts();
        f.now = at("2026-10-20");
        assert_eq!(check_transition(Status::Drawn, Status::Running, &f), Ok(()));
        // 07:00 on the first day in Beijing is 23:00 UTC the day before: it has started.
        f.now = at("2026-10-19") + chrono::Duration::hours(23);
        assert_eq!(check_transition(Status::Drawn, Status::Running, &f), Ok(()));
        f.now = at("2026-10-19") + chrono::Duration::hours(15) + chrono::Duration::minutes(59);
        assert_eq!(codes(check_transition(Status::Drawn, Status::Running, &f)), ["not_started"]);
        assert_eq!(codes(check_transition(Status::Published, Status::Cancelled, &facts())), ["reason_required"]);
    }

    #[test]
    fn calendars_keep_their_order_and_seasons_are_in_q4() {
        let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let codes = |v: Vec<Violation>| v.into_iter().map(|v| v.code).collect::<Vec<_>>();
        assert!(check_calendar(
            2026,
            d(10, 20),
            d(10, 22),
            true,
            (Some(at("2026-08-15")), Some(at("2026-09-30"))),
            Zone::BEIJING
        )
        .is_empty());
        assert_eq!(
            codes(check_calendar(2025, d(10, 20), d(10, 19), false, (None, None), Zone::BEIJING)),
            ["year_mismatch", "dates_out_of_order"]
        );
        assert_eq!(
            codes(check_calendar(2026, d(6, 1), d(6, 2), true, (None, None), Zone::BEIJING)),
            ["season_outside_q4"]
        );
        assert_eq!(
            codes(check_calendar(
                2026,
                d(10, 20),
                d(10, 22),
                false,
                (Some(at("2026-10-01")), Some(at("2026-10-25"))),
                Zone::BEIJING
            )),
            ["registration_after_start"]
        );
        assert_eq!(
            codes(check_calendar(
                2026,
                d(10, 20),
                d(10, 22),
                false,
                (Some(at("2026-09-01")), Some(at("2026-08-01"))),
                Zone::BEIJING
            )),
            ["registration_window_invalid"]
        );
        assert_eq!(upgrade_target(Tier::Province), Some(Tier::National));
        assert_eq!(upgrade_target(Tier::Enterprise), None);
    }

    #[test]
    fn hosts_run_competitions_of_their_tier_or_below_with_a_matching_class() {
        let codes = |v: Vec<Violation>| v.into_iter().map(|v| v.code).collect::<Vec<_>>();
        assert!(check_competition_shape(
            Tier::Province,
            CompetitionClass::Provincial1,
            Category::WorkersSkills,
            Tier::Province
        )
        .is_empty());
        assert!(check_competition_shape(
            Tier::County,
            CompetitionClass::District,
            Category::WorkersSkills,
            Tier::County
        )
        .is_empty());
        assert!(check_competition_shape(
            Tier::Enterprise,
            CompetitionClass::Enterprise,
            Category::Labour,
            Tier::County
        )
        .is_empty());
        assert_eq!(
            codes(check_competition_shape(
                Tier::Province,
                CompetitionClass::Provincial1,
                Category::WorkersSkills,
                Tier::County
            )),
            ["tier_above_host"]
        );
        assert_eq!(
            codes(check_competition_shape(
                Tier::Province,
                CompetitionClass::District,
                Category::WorkersSkills,
                Tier::Province
            )),
            ["class_tier_mismatch"]
        );
        assert_eq!(
            codes(check_competition_shape(
                Tier::County,
                CompetitionClass::District,
                Category::WorldskillsSelection,
                Tier::County
            )),
            ["category_tier_mismatch"]
        );
    }

    #[test]
    fn qualifiers_feed_upward_within_the_category_and_never_in_a_circle() {
        assert!(check_feeds_into(
            Tier::County,
            Category::WorkersSkills,
            2026,
            Tier::Prefecture,
            Category::WorkersSkills,
            2026
        )
        .is_ok());
        assert!(check_feeds_into(
            Tier::County,
            Category::WorkersSkills,
            2026,
            Tier::Province,
            Category::WorkersSkills,
            2027
        )
        .is_ok());
        assert_eq!(
            check_feeds_into(
                Tier::Prefecture,
                Category::WorkersSkills,
                2026,
                Tier::County,
                Category::WorkersSkills,
                2026
            )
            .unwrap_err()
            .code,
            "feeds_not_upward"
        );
        assert_eq!(
            check_feeds_into(
                Tier::Prefecture,
                Category::WorkersSkills,
                2026,
                Tier::Prefecture,
                Category::WorkersSkills,
                2026
            )
            .unwrap_err()
            .code,
            "feeds_not_upward"
        );
        assert_eq!(
            check_feeds_into(Tier::County, Category::WorkersSkills, 2026, Tier::Province, Category::Labour, 2026)
                .unwrap_err()
                .code,
            "feeds_other_category"
        );
        assert_eq!(
            check_feeds_into(
                Tier::County,
                Category::WorkersSkills,
                2026,
                Tier::Province,
                Category::WorkersSkills,
                2025
            )
            .unwrap_err()
            .code,
            "feeds_earlier_year"
        );
        let chain = |id: &str| match id {
            "b" => Some("c".to_string()),
            "c" => Some("a".to_string()),
            _ => None,
        };
        assert!(creates_cycle("a", "b", chain));
        assert!(!creates_cycle("x", "b", |id: &str| if id == "b" { Some("c".into()) } else { None }));
    }
}
