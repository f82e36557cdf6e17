//! Registrations: their lifecycle, the review levels, and who is eligible for an event.

use chrono::NaiveDate;

use super::id_card::age_on;
use super::organisation::region_within;
use super::Violation;
use crate::string_enum;

string_enum! {
    /// DESIGN §5, plus `reserve` (候补): a qualifier or nominee waiting for a place to fall free.
    pub enum RegistrationStatus {
        Submitted = "submitted",
        UnitApproved = "unit_approved",
        Admitted = "admitted",
        Returned = "returned",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
        Reserve = "reserve",
        CheckedIn = "checked_in",
        Competed = "competed",
        NoShow = "no_show",
        Disqualified = "disqualified",
        Replaced = "replaced",
    }
}

impl RegistrationStatus {
    /// The status as Chinese lists and workbooks print it (the SPA's labels).
    pub fn label(self) -> &'static str {
        use RegistrationStatus::*;
        match self {
            Submitted => "待审核",
            UnitApproved => "单位已审核",
            Admitted => "已录取",
            Returned => "退回修改",
            Rejected => "未通过",
            Withdrawn => "已撤回",
            Reserve => "候补",
            CheckedIn => "已检录",
            Competed => "已参赛",
            NoShow => "缺考",
            Disqualified => "取消资格",
            Replaced => "已替补",
        }
    }
}

string_enum! {
    pub enum ReviewAction {
        /// Pass to the next level (or admit, at the last one).
        Approve = "approve",
        /// Send back for changes; editable again.
        Return = "return",
        /// Refuse, with a reason.
        Reject = "reject",
    }
}

string_enum! {
    /// Who decides a registration now.
    pub enum ReviewStage {
        /// 推荐单位: the nominating organisation's organisers.
        Unit = "unit",
        /// A union between the unit and the host (县/市总工会) where the event reviews in more
        /// than two levels.
        Body = "body",
        /// The host organisation's organisers.
        Host = "host",
    }
}

impl RegistrationStatus {
    /// Whether it takes one of the event's places (counts toward quotas).
    pub fn holds_place(self) -> bool {
        use RegistrationStatus::*;
        matches!(self, Submitted | UnitApproved | Admitted | Returned | CheckedIn | Competed)
    }

    /// Whether someone still has to act before the roster can be publicised.
    pub fn awaits_review(self) -> bool {
        use RegistrationStatus::*;
        matches!(self, Submitted | UnitApproved | Returned)
    }

    /// The statuses that are still "live" (a person has one live registration per event).
    pub fn is_live(self) -> bool {
        !matches!(self, RegistrationStatus::Withdrawn | RegistrationStatus::Rejected | RegistrationStatus::Replaced)
    }
}

/// Most review levels an event asks for: enterprise → county → prefecture → province.
pub const MAX_REVIEW_LEVELS: i32 = 4;

/// One level of a registration's review chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainStep {
    /// The nominating unit's organisers.
    Unit,
    /// The organisers of an organisation between the unit and the host (its path).
    Body(String),
    /// The host's organisers.
    Host,
}

impl ChainStep {
    pub fn stage(&self) -> ReviewStage {
        match self {
            ChainStep::Unit => ReviewStage::Unit,
            ChainStep::Body(_) => ReviewStage::Body,
            ChainStep::Host => ReviewStage::Host,
        }
    }
}

/// Who reviews, in order, for an event with `review_levels`: 1 the host only; 2 the unit, then
/// the host; 3 or 4 the unit, the organisations nearest the host among those `between` the unit
/// and the host (given from the unit upward: county, prefecture), then the host. A chain asks for
/// no more levels than the tiers there are.
pub fn review_chain(review_levels: i32, between: &[String]) -> Vec<ChainStep> {
    if review_levels <= 1 {
        return vec![ChainStep::Host];
    }
    let bodies = (review_levels - 2).max(0) as usize;
    let from = between.len().saturating_sub(bodies);
    std::iter::once(ChainStep::Unit)
        .chain(between[from..].iter().cloned().map(ChainStep::Body))
        .chain(std::iter::once(ChainStep::Host))
        .collect()
}

/// The step a registration waits at: the approvals it has index the chain.
pub fn waiting_step(status: RegistrationStatus, approvals: i32, chain: &[ChainStep]) -> Option<&ChainStep> {
    match status {
        RegistrationStatus::Submitted | RegistrationStatus::UnitApproved => chain.get(approvals.max(0) as usize),
        _ => None,
    }
}

/// The status and approvals a review action leads to along the chain, or why it cannot be taken.
pub fn review_along(
    status: RegistrationStatus,
    approvals: i32,
    action: ReviewAction,
    chain: &[ChainStep],
) -> Result<(RegistrationStatus, i32), String> {
    if waiting_step(status, approvals, chain).is_none() {
        return Err(format!("a {status} registration is not waiting for review"));
    }
    Ok(match action {
        ReviewAction::Approve if approvals as usize + 1 >= chain.len() => (RegistrationStatus::Admitted, approvals + 1),
        ReviewAction::Approve => (RegistrationStatus::UnitApproved, approvals + 1),
        ReviewAction::Return => (RegistrationStatus::Returned, 0),
        ReviewAction::Reject => (RegistrationStatus::Rejected, approvals),
    })
}

/// The approvals a registration starts with in `status`: one (the unit's) once past the unit.
pub fn approvals_of(status: RegistrationStatus) -> i32 {
    (status == RegistrationStatus::UnitApproved) as i32
}

/// The status a new registration starts in: a nominating unit that enters its own nominee has
/// vouched for them already.
pub fn initial_status(entered_by_unit: bool, review_levels: i32) -> RegistrationStatus {
    if entered_by_unit && review_levels >= 2 {
        RegistrationStatus::UnitApproved
    } else {
        RegistrationStatus::Submitted
    }
}

/// The status a qualifier from a lower tier starts in (晋级): a reserve (候补) waits in line; one
/// with a place skips the unit's review, since the lower tier's result is the nomination.
pub fn qualifier_status(reserve: bool, review_levels: i32) -> RegistrationStatus {
    if reserve {
        RegistrationStatus::Reserve
    } else {
        initial_status(true, review_levels)
    }
}

/// Where the next finisher in line goes when qualifiers move up: a place while places are left, the
/// reserve list (候补) while it is not full, or nowhere. Places and reserve slots go to the best
/// finishers the next tier's rules admit: one refused (too old there, its unit's quota used, …)
/// is passed over with the reasons, and the next in line moves up. A reserve does not take a
/// place yet, so the quotas do not keep it off the list.
#[derive(Debug, Clone, PartialEq)]
pub enum Advancement {
    Place,
    Reserve,
    Refused(Vec<Violation>),
}

/// Whether a refusal is only that the places (the event's, the unit's, the prefecture's) are
/// taken: a reserve waits for exactly that.
pub fn is_quota(code: &str) -> bool {
    matches!(code, "quota_full" | "unit_quota_full" | "prefecture_quota_full")
}

pub fn next_advancement(places: usize, placed: usize, reserves: usize, reasons: Vec<Violation>) -> Option<Advancement> {
    let quota = |r: &Violation| is_quota(&r.code);
    if placed < places {
        Some(if reasons.is_empty() { Advancement::Place } else { Advancement::Refused(reasons) })
    } else if reserves < places {
        let reasons: Vec<Violation> = reasons.into_iter().filter(|r| !quota(r)).collect();
        Some(if reasons.is_empty() { Advancement::Reserve } else { Advancement::Refused(reasons) })
    } else {
        None
    }
}

/// Everything about a person that eligibility looks at.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub birth_date: NaiveDate,
    /// The best (smallest) verified skill level the person holds, if any.
    pub best_skill_level: Option<i32>,
    /// The best level the person has declared and no reviewer has verified yet.
    pub declared_skill_level: Option<i32>,
    /// Region of the nominating organisation (where the person works or studies).
    pub unit_region: String,
    /// Whether the nominating organisation is a school (students' and teachers' tracks).
    pub unit_is_school: bool,
}

/// An event's eligibility rules.
#[derive(Debug, Clone)]
pub struct EligibilityRules {
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub min_skill_level: Option<i32>,
    pub region_code: Option<String>,
    pub track: super::event::Track,
}

/// The state of the event and the person's other registrations.
#[derive(Debug, Clone, Default)]
pub struct Standing {
    pub places_taken: i64,
    pub quota_total: Option<i32>,
    pub unit_places_taken: i64,
    pub quota_per_unit: Option<i32>,
    /// Where places are allotted per prefecture (名额分配): the unit's prefecture, its places (0
    /// when it has none) and how many of them are taken.
    pub prefecture_quota: Option<(String, i32, i64)>,
    pub already_registered: bool,
    /// Another event of the same competition the person is registered for whose sittings overlap.
    pub overlapping_event: Option<String>,
}

/// The declared (unverified) level a registration relies on for the event's minimum level, when
/// the verified ones do not reach it: the reviewer sees "declared, not verified", and the
/// registration is admitted only once a reviewer has verified that credential.
pub fn level_awaits_verification(c: &Candidate, rules: &EligibilityRules) -> Option<i32> {
    let min_level = rules.min_skill_level?;
    let meets = |level: Option<i32>| level.is_some_and(|l| l <= min_level);
    (!meets(c.best_skill_level) && meets(c.declared_skill_level)).then_some(c.declared_skill_level).flatten()
}

/// Admission counts verified levels only: a level that is still a declaration waits for its
/// verification (`credential_not_verified`), and without a verified level high enough
/// (a declaration rejected, say) the registration is not admitted (`skill_level_too_low`).
pub fn check_level_for_admission(c: &Candidate, rules: &EligibilityRules) -> Result<(), Violation> {
    let Some(min_level) = rules.min_skill_level else { return Ok(()) };
    if let Some(level) = level_awaits_verification(c, rules) {
        return Err(Violation::new(
            "eligibility",
            "credential_not_verified",
            format!(
                "the event requires skill level {min_level} or higher and the person's level {level} is declared, \
                 not verified: verify the credential (or reject it) first"
            ),
        ));
    }
    if c.best_skill_level.is_none_or(|level| level > min_level) {
        return Err(Violation::new(
            "eligibility",
            "skill_level_too_low",
            format!(
                "the event requires skill level {min_level} or higher; the person holds no verified level that high"
            ),
        ));
    }
    Ok(())
}

/// Every reason the candidate may not take a place, checked on the competition's first day.
pub fn check_eligibility(
    c: &Candidate,
    rules: &EligibilityRules,
    competition_day: NaiveDate,
    s: &Standing,
) -> Vec<Violation> {
    let mut reasons = Vec::new();
    let mut refuse = |code: &str, message: String| reasons.push(Violation::new("eligibility", code, message));
    let age = age_on(c.birth_date, competition_day);
    if let Some(min) = rules.min_age {
        if age < min {
            refuse("too_young", format!("{age} on {competition_day}; the event admits contestants from {min}"));
        }
    }
    if let Some(max) = rules.max_age {
        if age > max {
            refuse("too_old", format!("{age} on {competition_day}; the event admits contestants up to {max}"));
        }
    }
    if let Some(min_level) = rules.min_skill_level {
        let meets = |level: Option<i32>| level.is_some_and(|l| l <= min_level);
        // A declared level lets the person sign up; admission waits for its verification
        // (`level_awaits_verification`).
        if !meets(c.best_skill_level) && !meets(c.declared_skill_level) {
            refuse(
                "skill_level_too_low",
                format!(
                    "the event requires skill level {min_level} or higher; {}",
                    match (c.best_skill_level, c.declared_skill_level) {
                        (Some(level), _) => format!("the person holds level {level}"),
                        (None, Some(level)) => format!("the person has declared level {level}"),
                        (None, None) => "the person holds no recorded skill level".to_string(),
                    }
                ),
            );
        }
    }
    if let Some(region) = &rules.region_code {
        if !region_within(&c.unit_region, region) {
            refuse(
                "outside_region",
                format!("the event is for units in region {region}; this unit is in {}", c.unit_region),
            );
        }
    }
    use super::event::Track;
    match (rules.track, c.unit_is_school) {
        (Track::Worker, true) => refuse(
            "wrong_track",
            "the workers' track is for employees nominated by their employer, not by a school".into(),
        ),
        (Track::Student | Track::Teacher, false) => {
            refuse("wrong_track", format!("the {} track is for nominees of a school", rules.track))
        }
        _ => {}
    }
    if s.already_registered {
        refuse("already_registered", "the person already has a registration for this event".into());
    }
    if let Some(other) = &s.overlapping_event {
        refuse(
            "sessions_overlap",
            format!("the person is registered for '{other}', whose sittings overlap this event's"),
        );
    }
    if s.quota_total.is_some_and(|q| s.places_taken >= q as i64) {
        refuse("quota_full", "all places of this event are taken".into());
    }
    if let Some((prefecture, places, taken)) = &s.prefecture_quota {
        if *places == 0 {
            refuse("no_prefecture_quota", format!("the event allots no places to prefecture {prefecture}"));
        } else if *taken >= *places as i64 {
            refuse(
                "prefecture_quota_full",
                format!("the {places} places allotted to prefecture {prefecture} are taken"),
            );
        }
    }
    if s.quota_per_unit.is_some_and(|q| s.unit_places_taken >= q as i64) {
        refuse(
            "unit_quota_full",
            format!("the nominating unit has used all of its {} places", s.quota_per_unit.unwrap_or_default()),
        );
    }
    reasons
}

crate::string_enum! {
    /// An objection raised in publicity (公示), to the roster or to proposed awards: filed, then
    /// upheld or dismissed by the organiser.
    pub enum ObjectionStatus {
        Filed = "filed",
        Upheld = "upheld",
        Dismissed = "dismissed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provincial_event_reviews_unit_county_prefecture_then_province_where_it_asks_to() {
        let between = ["/p/kunming/wuhua/".to_string(), "/p/kunming/".to_string()];
        let body = |p: &str| ChainStep::Body(p.to_string());
        assert_eq!(review_chain(1, &between), [ChainStep::Host]);
        assert_eq!(review_chain(2, &between), [ChainStep::Unit, ChainStep::Host]);
        assert_eq!(
            review_chain(3, &between),
            [ChainStep::Unit, body("/p/kunming/"), ChainStep::Host],
            "the prefecture first"
        );
        let four = review_chain(4, &between);
        assert_eq!(four, [ChainStep::Unit, body("/p/kunming/wuhua/"), body("/p/kunming/"), ChainStep::Host]);
        assert_eq!(review_chain(4, &between[1..]).len(), 3, "no more levels than there are tiers");
        // Along the chain: each approval passes it one level up; the last admits.
        use RegistrationStatus::*;
        let mut at = (Submitted, 0);
        for expected in [UnitApproved, UnitApproved, UnitApproved] {
            assert!(waiting_step(at.0, at.1, &four).is_some());
            at = review_along(at.0, at.1, ReviewAction::Approve, &four).unwrap();
            assert_eq!(at.0, expected);
        }
        assert_eq!(waiting_step(at.0, at.1, &four), Some(&ChainStep::Host));
        assert_eq!(review_along(at.0, at.1, ReviewAction::Approve, &four).unwrap(), (Admitted, 4));
        assert_eq!(
            review_along(UnitApproved, 2, ReviewAction::Return, &four).unwrap(),
            (Returned, 0),
            "back to the start"
        );
        assert!(review_along(Admitted, 4, ReviewAction::Approve, &four).is_err());
    }

    #[test]
    fn qualifiers_the_next_tier_refuses_are_passed_over_and_the_next_in_line_moves_up() {
        let old = || vec![Violation::new("eligibility", "too_old", "61")];
        let full = || vec![Violation::new("eligibility", "unit_quota_full", "used")];
        // Two places, two reserve slots.
        assert_eq!(next_advancement(2, 0, 0, vec![]), Some(Advancement::Place));
        assert_eq!(next_advancement(2, 1, 0, old()), Some(Advancement::Refused(old())));
        assert_eq!(next_advancement(2, 1, 0, vec![]), Some(Advancement::Place), "the next in line takes the place");
        assert_eq!(next_advancement(2, 2, 0, full()), Some(Advancement::Reserve), "a reserve takes no place yet");
        assert_eq!(next_advancement(2, 2, 1, old()), Some(Advancement::Refused(old())));
        assert_eq!(next_advancement(2, 2, 2, vec![]), None, "places and reserves filled");
        assert_eq!(next_advancement(0, 0, 0, vec![]), None);
    }
    use crate::domain::event::Track;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn candidate() -> Candidate {
        Candidate {
            birth_date: day(1990, 3, 15),
            best_skill_level: Some(3),
            declared_skill_level: None,
            unit_region: "530102".into(),
            unit_is_school: false,
        }
    }

    fn rules() -> EligibilityRules {
        EligibilityRules {
            min_age: Some(18),
            max_age: Some(45),
            min_skill_level: Some(3),
            region_code: Some("530100".into()),
            track: Track::Worker,
        }
    }

    fn codes(v: Vec<Violation>) -> Vec<String> {
        v.into_iter().map(|v| v.code).collect()
    }

    #[test]
    fn an_eligible_worker_passes() {
        assert!(check_eligibility(&candidate(), &rules(), day(2026, 12, 1), &Standing::default()).is_empty());
    }

    #[test]
    fn age_counts_on_the_competition_day() {
        let mut r = rules();
        r.max_age = Some(35);
        // 35 the day before the birthday, 36 on it.
        assert!(check_eligibility(&candidate(), &r, day(2026, 3, 14), &Standing::default()).is_empty());
        assert_eq!(codes(check_eligibility(&candidate(), &r, day(2026, 3, 15), &Standing::default())), ["too_old"]);
        let mut young = candidate();
        young.birth_date = day(2009, 1, 1);
        assert_eq!(codes(check_eligibility(&young, &rules(), day(2026, 12, 1), &Standing::default())), ["too_young"]);
    }

    #[test]
    fn skill_level_region_and_track_are_checked() {
        let mut c = candidate();
        c.best_skill_level = Some(4);
        c.unit_region = "530302".into();
        c.unit_is_school = true;
        assert_eq!(
            codes(check_eligibility(&c, &rules(), day(2026, 12, 1), &Standing::default())),
            ["skill_level_too_low", "outside_region", "wrong_track"]
        );
        c.best_skill_level = None;
        assert!(codes(check_eligibility(&c, &rules(), day(2026, 12, 1), &Standing::default()))
            .contains(&"skill_level_too_low".to_string()));
        let mut student_rules = rules();
        student_rules.track = Track::Student;
        student_rules.region_code = None;
        assert_eq!(
            codes(check_eligibility(&candidate(), &student_rules, day(2026, 12, 1), &Standing::default())),
            ["wrong_track"]
        );
    }

    #[test]
    fn a_declared_level_signs_up_but_waits_for_verification() {
        let mut c = candidate();
        c.best_skill_level = Some(4);
        c.declared_skill_level = Some(1);
        // Self-declared 高级技师: may sign up for a level-3 event, not be admitted on it yet.
        assert!(check_eligibility(&c, &rules(), day(2026, 12, 1), &Standing::default()).is_empty());
        assert_eq!(level_awaits_verification(&c, &rules()), Some(1));
        // Once verified, nothing waits.
        c.best_skill_level = Some(1);
        assert_eq!(level_awaits_verification(&c, &rules()), None);
        // A declaration below the minimum helps nothing.
        c.best_skill_level = None;
        c.declared_skill_level = Some(4);
        let reasons = check_eligibility(&c, &rules(), day(2026, 12, 1), &Standing::default());
        assert_eq!(codes(reasons.clone()), ["skill_level_too_low"]);
        assert!(reasons[0].message.contains("declared level 4"), "{}", reasons[0].message);
        assert_eq!(level_awaits_verification(&c, &rules()), None);
        // Events without a minimum level never wait.
        let mut open = rules();
        open.min_skill_level = None;
        c.declared_skill_level = Some(1);
        assert_eq!(level_awaits_verification(&c, &open), None);
    }

    #[test]
    fn admission_waits_for_a_verified_level() {
        let code = |c: &Candidate| check_level_for_admission(c, &rules()).map_err(|v| v.code);
        let mut c = candidate();
        assert_eq!(code(&c), Ok(()));
        c.best_skill_level = None;
        c.declared_skill_level = Some(2);
        assert_eq!(code(&c), Err("credential_not_verified".to_string()));
        c.declared_skill_level = None;
        assert_eq!(code(&c), Err("skill_level_too_low".to_string()));
        let mut open = rules();
        open.min_skill_level = None;
        assert_eq!(check_level_for_admission(&c, &open), Ok(()));
    }

    #[test]
    fn quotas_duplicates_and_overlaps_are_refused() {
        let s = Standing {
            places_taken: 40,
            quota_total: Some(40),
            unit_places_taken: 5,
            quota_per_unit: Some(5),
            prefecture_quota: None,
            already_registered: true,
            overlapping_event: Some("焊工".into()),
        };
        assert_eq!(
            codes(check_eligibility(&candidate(), &rules(), day(2026, 12, 1), &s)),
            ["already_registered", "sessions_overlap", "quota_full", "unit_quota_full"]
        );
    }

    #[test]
    fn two_review_levels_go_unit_then_host_and_one_level_goes_straight_to_the_host() {
        use RegistrationStatus::*;
        let (two, one) = (review_chain(2, &[]), review_chain(1, &[]));
        assert_eq!(review_along(Submitted, 0, ReviewAction::Approve, &two), Ok((UnitApproved, 1)));
        assert_eq!(review_along(UnitApproved, 1, ReviewAction::Approve, &two), Ok((Admitted, 2)));
        assert_eq!(review_along(Submitted, 0, ReviewAction::Approve, &one), Ok((Admitted, 1)));
        assert_eq!(review_along(UnitApproved, 1, ReviewAction::Return, &two), Ok((Returned, 0)));
        assert_eq!(review_along(Submitted, 0, ReviewAction::Reject, &two), Ok((Rejected, 0)));
        assert!(review_along(Admitted, 2, ReviewAction::Approve, &two).is_err());
        assert!(review_along(Returned, 0, ReviewAction::Approve, &two).is_err());
        assert_eq!(waiting_step(Submitted, 0, &two).map(ChainStep::stage), Some(ReviewStage::Unit));
        assert_eq!(waiting_step(Submitted, 0, &one).map(ChainStep::stage), Some(ReviewStage::Host));
        assert_eq!(initial_status(true, 2), UnitApproved);
        assert_eq!(qualifier_status(true, 2), Reserve);
        assert_eq!(qualifier_status(false, 2), UnitApproved);
        assert_eq!(qualifier_status(false, 1), Submitted);
        assert_eq!(initial_status(true, 1), Submitted);
        assert!(Returned.holds_place() && !Withdrawn.holds_place() && !Reserve.holds_place());
    }
}
