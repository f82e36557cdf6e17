//! Awards from final results: prizes by band, titles (技术状元, 技术能手, 技术标兵, 青年岗位能手,
//! 巾帼建功标兵), honour recommendations (五一劳动奖章, 劳模 and 工匠 pools) and skill-level
//! promotions, with the rules each tier and category has by default (DESIGN §6) and the lifecycle
//! every award goes through (DESIGN §5).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::competition::{Category, CompetitionClass};
use super::event::{PrizeBandMode, PrizeBands};
use super::organisation::{OrgKind, Tier};
use super::Violation;
use crate::string_enum;

string_enum! {
    /// What an award is.
    pub enum AwardKind {
        /// 一等奖
        PrizeFirst = "prize_first",
        /// 二等奖
        PrizeSecond = "prize_second",
        /// 三等奖
        PrizeThird = "prize_third",
        /// 优胜奖: the rest of the top half
        PrizeExcellence = "prize_excellence",
        /// 技术状元
        TitleChampion = "title_champion",
        /// 技术能手
        TitleTechnicalExpert = "title_technical_expert",
        /// 全国技术能手
        TitleNationalTechnicalExpert = "title_national_technical_expert",
        /// 技术标兵
        TitlePacesetter = "title_pacesetter",
        /// 青年岗位能手 (aged 35 or under)
        TitleYouthExpert = "title_youth_expert",
        /// 巾帼建功标兵 (women)
        TitleWomenPacesetter = "title_women_pacesetter",
        /// 五一劳动奖章: only ever a recommendation
        HonourMayDayMedal = "honour_may_day_medal",
        /// 劳动模范 pool: a recommendation
        HonourModelWorker = "honour_model_worker",
        /// 工匠 pool: a recommendation
        HonourCraftsman = "honour_craftsman",
        /// 技能等级晋升
        Promotion = "promotion",
    }
}

impl AwardKind {
    /// The body that certifies it: HRSS for skill levels, the trade union for everything else.
    pub fn granting_body(self) -> OrgKind {
        match self {
            AwardKind::Promotion => OrgKind::Hrss,
            _ => OrgKind::Union,
        }
    }

    /// Honours are recommendations to the bodies that confer them; they carry no certificate.
    pub fn is_recommendation(self) -> bool {
        matches!(self, AwardKind::HonourMayDayMedal | AwardKind::HonourModelWorker | AwardKind::HonourCraftsman)
    }

    pub fn has_certificate(self) -> bool {
        !self.is_recommendation()
    }

    /// The Chinese name printed on certificates.
    pub fn label(self) -> &'static str {
        match self {
            AwardKind::PrizeFirst => "一等奖",
            AwardKind::PrizeSecond => "二等奖",
            AwardKind::PrizeThird => "三等奖",
            AwardKind::PrizeExcellence => "优胜奖",
            AwardKind::TitleChampion => "技术状元",
            AwardKind::TitleTechnicalExpert => "技术能手",
            AwardKind::TitleNationalTechnicalExpert => "全国技术能手",
            AwardKind::TitlePacesetter => "技术标兵",
            AwardKind::TitleYouthExpert => "青年岗位能手",
            AwardKind::TitleWomenPacesetter => "巾帼建功标兵",
            AwardKind::HonourMayDayMedal => "五一劳动奖章（推荐）",
            AwardKind::HonourModelWorker => "劳动模范（推荐）",
            AwardKind::HonourCraftsman => "工匠（推荐）",
            AwardKind::Promotion => "技能等级晋升",
        }
    }
}

string_enum! {
    /// An award's place in its lifecycle (DESIGN §5).
    pub enum AwardStatus {
        Proposed = "proposed",
        Confirmed = "confirmed",
        Publicity = "publicity",
        Granted = "granted",
        CertificateIssued = "certificate_issued",
        Revoked = "revoked",
    }
}

string_enum! {
    /// A step the granting body takes on a batch of awards.
    pub enum AwardAction {
        Confirm = "confirm",
        Publicise = "publicise",
        Grant = "grant",
        IssueCertificate = "issue_certificate",
    }
}

/// The status an action moves an award to, or why it cannot.
pub fn next_status(kind: AwardKind, status: AwardStatus, action: AwardAction) -> Result<AwardStatus, String> {
    use AwardAction::*;
    use AwardStatus::*;
    match (status, action) {
        (Proposed, Confirm) => Ok(Confirmed),
        (Confirmed, Publicise) => Ok(Publicity),
        (Publicity, Grant) => Ok(Granted),
        (Granted, IssueCertificate) if kind.has_certificate() => Ok(CertificateIssued),
        (Granted, IssueCertificate) => Err("a recommendation carries no certificate".into()),
        (Revoked, _) => Err("the award was revoked".into()),
        (from, action) => Err(format!("cannot {} an award that is {}", action.as_str(), from.as_str())),
    }
}

/// A title for places `from_rank` to `to_rank`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TitleRule {
    pub kind: AwardKind,
    pub from_rank: i32,
    pub to_rank: i32,
}

/// A title for a group among the top `within_rank` places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupTitleRule {
    pub within_rank: i32,
}

/// Which finishers are promoted, and to what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromotionRule {
    /// Places from_rank..=to_rank, or (when `top_percent` is set) the top share of those who competed.
    pub from_rank: i32,
    pub to_rank: Option<i32>,
    pub top_percent: Option<i32>,
    /// The level reached: 5 初级工 … 1 高级技师.
    pub to_level: i32,
    /// Someone who already holds `to_level` (or better) goes one level above their current one.
    pub one_above_current: bool,
}

/// What a competition awards, beyond the prize bands its events set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardRules {
    /// 优胜奖 for the rest of the top half after the prize bands.
    pub excellence_for_top_half: bool,
    pub titles: Vec<TitleRule>,
    /// 青年岗位能手: aged 35 or under on the competition's first day, within these places.
    pub youth_title: Option<GroupTitleRule>,
    /// 巾帼建功标兵: women within these places.
    pub women_title: Option<GroupTitleRule>,
    /// Recommend 1st place for the 五一劳动奖章.
    pub may_day_medal_for_first: bool,
    /// Places recommended to the 劳模 and 工匠 pools (0: none).
    pub model_worker_pool: i32,
    pub craftsman_pool: i32,
    pub promotions: Vec<PromotionRule>,
    /// Working days awards are publicised (公示) before they are granted.
    pub publicity_days: i32,
}

pub const YOUTH_MAX_AGE: i32 = 35;
pub const DEFAULT_AWARD_PUBLICITY_DAYS: i32 = 5;

const fn title(kind: AwardKind, from_rank: i32, to_rank: i32) -> TitleRule {
    TitleRule { kind, from_rank, to_rank }
}

fn promote(
    from_rank: i32,
    to_rank: Option<i32>,
    top_percent: Option<i32>,
    to_level: i32,
    one_above: bool,
) -> PromotionRule {
    PromotionRule { from_rank, to_rank, top_percent, to_level, one_above_current: one_above }
}

/// The rules a competition gets unless its organiser changes them (DESIGN §6).
pub fn default_rules(category: Category, tier: Tier, class: CompetitionClass) -> AwardRules {
    use AwardKind::*;
    let workers = matches!(category, Category::WorkersSkills | Category::WorldskillsSelection);
    let titles = match (workers, tier) {
        (true, Tier::National) => vec![title(TitleNationalTechnicalExpert, 1, 5)],
        // Yunnan: 1st → 技术状元, 2nd–10th → 技术能手.
        (true, Tier::Province) => vec![title(TitleChampion, 1, 1), title(TitleTechnicalExpert, 2, 10)],
        (true, Tier::Prefecture) => vec![title(TitleChampion, 1, 1), title(TitlePacesetter, 2, 6)],
        (true, Tier::County) => vec![title(TitlePacesetter, 1, 3)],
        _ => vec![],
    };
    let group = |within_rank| workers.then_some(GroupTitleRule { within_rank });
    let (youth, women) = match tier {
        Tier::National | Tier::Province => (group(10), group(10)),
        Tier::Prefecture => (group(6), group(6)),
        _ => (None, None),
    };
    let honours = matches!(tier, Tier::National | Tier::Province | Tier::Prefecture)
        && matches!(category, Category::WorkersSkills | Category::Labour);
    let promotions = match class {
        CompetitionClass::National1 | CompetitionClass::National2 => {
            vec![promote(1, Some(5), None, 2, true), promote(6, Some(20), None, 3, false)]
        }
        CompetitionClass::Provincial1 => vec![promote(1, Some(10), None, 2, false)],
        CompetitionClass::Provincial2 | CompetitionClass::District => vec![promote(1, Some(6), None, 3, false)],
        CompetitionClass::Enterprise => vec![promote(1, None, Some(30), 4, false)],
    };
    let promotions = match category {
        // College contests promote the top 30 % to 中级工 whatever their class.
        Category::VocationalCollege => vec![promote(1, None, Some(30), 4, false)],
        Category::Labour => vec![],
        _ => promotions,
    };
    AwardRules {
        excellence_for_top_half: true,
        titles,
        youth_title: youth,
        women_title: women,
        may_day_medal_for_first: honours,
        model_worker_pool: if honours && tier != Tier::Prefecture { 3 } else { 0 },
        craftsman_pool: if honours { 3 } else { 0 },
        promotions,
        publicity_days: DEFAULT_AWARD_PUBLICITY_DAYS,
    }
}

/// Every rule the award rules break, with the field named.
pub fn check_rules(rules: &AwardRules) -> Vec<Violation> {
    let mut v = Vec::new();
    for (i, t) in rules.titles.iter().enumerate() {
        if !matches!(
            t.kind,
            AwardKind::TitleChampion
                | AwardKind::TitleTechnicalExpert
                | AwardKind::TitleNationalTechnicalExpert
                | AwardKind::TitlePacesetter
        ) {
            v.push(Violation::new(&format!("titles[{i}].kind"), "not_a_title", "a title rule gives a title"));
        }
        if t.from_rank < 1 || t.to_rank < t.from_rank {
            v.push(Violation::new(
                &format!("titles[{i}].to_rank"),
                "ranks_out_of_order",
                "places run from 1, from ≤ to",
            ));
        }
    }
    for (field, rule) in [("youth_title", rules.youth_title), ("women_title", rules.women_title)] {
        if rule.is_some_and(|r| r.within_rank < 1) {
            v.push(Violation::new(&format!("{field}.within_rank"), "out_of_range", "at least place 1"));
        }
    }
    for (field, n) in [("model_worker_pool", rules.model_worker_pool), ("craftsman_pool", rules.craftsman_pool)] {
        if !(0..=100).contains(&n) {
            v.push(Violation::new(field, "out_of_range", "0 to 100 places"));
        }
    }
    for (i, p) in rules.promotions.iter().enumerate() {
        if !(1..=5).contains(&p.to_level) {
            v.push(Violation::new(
                &format!("promotions[{i}].to_level"),
                "out_of_range",
                "a skill level is 5 (初级工) to 1 (高级技师)",
            ));
        }
        match (p.to_rank, p.top_percent) {
            (Some(to), None) if to >= p.from_rank && p.from_rank >= 1 => {}
            (None, Some(pct)) if (1..=100).contains(&pct) && p.from_rank == 1 => {}
            _ => v.push(Violation::new(
                &format!("promotions[{i}]"),
                "places_or_percent",
                "give places (from_rank ≤ to_rank) or a top_percent of 1 to 100 from place 1",
            )),
        }
    }
    if !(0..=30).contains(&rules.publicity_days) {
        v.push(Violation::new("publicity_days", "out_of_range", "0 to 30 working days"));
    }
    v
}

/// `count` × `percent` / 100, rounded half up, in whole people.
fn share(count: usize, percent: i32) -> i32 {
    ((count as i64 * percent as i64 * 2 + 100) / 200) as i32
}

/// The last place of each prize band (1st, 2nd, 3rd), cumulative, for `competed` finishers.
/// Percent bands are rounded on the cumulative share, so that rounding never adds up to more
/// places than the bands allow; a field of any size has a first prize.
pub fn band_cuts(bands: &PrizeBands, competed: usize) -> [i32; 3] {
    let n = competed as i32;
    let cuts = match bands.mode {
        PrizeBandMode::Percent => [
            share(competed, bands.first).max(1),
            share(competed, bands.first + bands.second),
            share(competed, bands.first + bands.second + bands.third),
        ],
        PrizeBandMode::Fixed => [bands.first, bands.first + bands.second, bands.first + bands.second + bands.third],
    };
    let mut out = [0; 3];
    let mut floor = 0;
    for (i, c) in cuts.into_iter().enumerate() {
        floor = c.max(floor).min(n);
        out[i] = floor;
    }
    out
}

/// One person who finished, with what the rules look at.
#[derive(Debug, Clone)]
pub struct Finisher {
    pub registration_id: String,
    pub person_id: String,
    pub rank: i32,
    /// On the competition's first day.
    pub age: i32,
    pub female: bool,
    /// Their current skill level (5 初级工 … 1 高级技师), if they hold one.
    pub current_level: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub registration_id: String,
    pub person_id: String,
    pub kind: AwardKind,
    pub rank: i32,
    pub from_level: Option<i32>,
    pub to_level: Option<i32>,
}

/// A promotion the rules would give but that cannot be proposed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub registration_id: String,
    pub person_id: String,
    pub reason: &'static str,
}

/// The level a promotion reaches for someone at `current`, or None when it would not raise them.
pub fn promotion_target(rule: &PromotionRule, current: Option<i32>) -> Option<i32> {
    match current {
        Some(level) if level <= rule.to_level && rule.one_above_current => (level > 1).then_some(level - 1),
        Some(level) if level <= rule.to_level => None,
        _ => Some(rule.to_level),
    }
}

/// Everything the rules give the finishers of one event. Ties share a place, so a band's edge
/// takes everyone who shares its last place. `promoted_this_year` holds people who already have a
/// competition-based promotion this year (at most one a year). A team's members are finishers of
/// one registration at the team's place: each earns what the place earns, and the bands count
/// entries (teams), not people.
pub fn propose(
    rules: &AwardRules,
    bands: &PrizeBands,
    finishers: &[Finisher],
    promoted_this_year: &HashSet<String>,
) -> (Vec<Proposal>, Vec<Skipped>) {
    let competed = finishers.iter().map(|f| &f.registration_id).collect::<HashSet<_>>().len();
    let [first, second, third] = band_cuts(bands, competed);
    let top_half = competed.div_ceil(2) as i32;
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let mut promoted: HashSet<String> = promoted_this_year.clone();
    let mut by_rank: Vec<&Finisher> = finishers.iter().collect();
    by_rank.sort_by_key(|f| f.rank);
    for f in by_rank {
        let mut give = |kind: AwardKind, levels: (Option<i32>, Option<i32>)| {
            out.push(Proposal {
                registration_id: f.registration_id.clone(),
                person_id: f.person_id.clone(),
                kind,
                rank: f.rank,
                from_level: levels.0,
                to_level: levels.1,
            })
        };
        let prize = if f.rank <= first {
            Some(AwardKind::PrizeFirst)
        } else if f.rank <= second {
            Some(AwardKind::PrizeSecond)
        } else if f.rank <= third {
            Some(AwardKind::PrizeThird)
        } else if rules.excellence_for_top_half && f.rank <= top_half {
            Some(AwardKind::PrizeExcellence)
        } else {
            None
        };
        if let Some(kind) = prize {
            give(kind, (None, None));
        }
        for t in rules.titles.iter().filter(|t| (t.from_rank..=t.to_rank).contains(&f.rank)) {
            give(t.kind, (None, None));
        }
        if rules.youth_title.is_some_and(|g| f.rank <= g.within_rank) && f.age <= YOUTH_MAX_AGE {
            give(AwardKind::TitleYouthExpert, (None, None));
        }
        if rules.women_title.is_some_and(|g| f.rank <= g.within_rank) && f.female {
            give(AwardKind::TitleWomenPacesetter, (None, None));
        }
        if rules.may_day_medal_for_first && f.rank == 1 {
            give(AwardKind::HonourMayDayMedal, (None, None));
        }
        if f.rank <= rules.model_worker_pool {
            give(AwardKind::HonourModelWorker, (None, None));
        }
        if f.rank <= rules.craftsman_pool {
            give(AwardKind::HonourCraftsman, (None, None));
        }
        let rule = rules.promotions.iter().find(|p| match (p.to_rank, p.top_percent) {
            (Some(to), _) => (p.from_rank..=to).contains(&f.rank),
            (None, Some(pct)) => f.rank <= share(competed, pct).max(1),
            (None, None) => false,
        });
        if let Some(rule) = rule {
            match promotion_target(rule, f.current_level) {
                None => skipped.push(Skipped {
                    registration_id: f.registration_id.clone(),
                    person_id: f.person_id.clone(),
                    reason: "already_at_level",
                }),
                Some(_) if promoted.contains(&f.person_id) => skipped.push(Skipped {
                    registration_id: f.registration_id.clone(),
                    person_id: f.person_id.clone(),
                    reason: "promoted_this_year",
                }),
                Some(to) => {
                    promoted.insert(f.person_id.clone());
                    give(AwardKind::Promotion, (f.current_level, Some(to)));
                }
            }
        }
    }
    (out, skipped)
}

/// An organisation as the granting-body rule sees it.
#[derive(Debug, Clone, Copy)]
pub struct Body<'a> {
    pub kind: OrgKind,
    pub tier: Tier,
    pub region: &'a str,
    pub path: &'a str,
}

/// Whether an official's body certifies awards of `kind` for a competition of `competition_tier`
/// hosted by `host`: the union (or HRSS, for skill levels) of the competition's own tier and region.
/// An enterprise's own competition is certified within the enterprise (the host's subtree).
pub fn is_granting_body(kind: AwardKind, body: Body, competition_tier: Tier, host: Body) -> bool {
    if competition_tier == Tier::Enterprise {
        return super::organisation::in_subtree(host.path, body.path);
    }
    let (body_kind, body_tier, body_region, host_region) = (body.kind, body.tier, body.region, host.region);
    if body_kind != kind.granting_body() || body_tier != competition_tier {
        return false;
    }
    let digits = match competition_tier {
        Tier::National => 0,
        Tier::Province => 2,
        Tier::Prefecture => 4,
        Tier::County | Tier::Enterprise => 6,
    };
    body_region.get(..digits) == host_region.get(..digits)
}

/// The award's name as certificates and notices give it: the kind's label, or "晋升技师" for a
/// promotion to a level.
pub fn award_label(kind: AwardKind, to_level: Option<i32>) -> String {
    match (kind, to_level) {
        (AwardKind::Promotion, Some(level)) => format!("晋升{}", super::person::level_name(level)),
        (kind, _) => kind.label().to_string(),
    }
}

/// A one-promotion-a-year check for a person: true when none of their promotions in `year` stands.
pub fn may_be_promoted(promotion_years: &[(i32, AwardStatus)], year: i32) -> bool {
    !promotion_years.iter().any(|(y, status)| *y == year && *status != AwardStatus::Revoked)
}

crate::string_enum! {
    /// An objection to proposed awards in their publicity (公示): open, then upheld or dismissed.
    pub enum AwardObjectionStatus {
        Open = "open",
        Upheld = "upheld",
        Dismissed = "dismissed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AwardKind::*;

    fn finisher(i: usize, rank: i32) -> Finisher {
        Finisher {
            registration_id: format!("r{i}"),
            person_id: format!("p{i}"),
            rank,
            age: 40,
            female: false,
            current_level: Some(3),
        }
    }

    fn field(n: usize) -> Vec<Finisher> {
        (0..n).map(|i| finisher(i, i as i32 + 1)).collect()
    }

    fn kinds_of(proposals: &[Proposal], registration: &str) -> Vec<AwardKind> {
        proposals.iter().filter(|p| p.registration_id == registration).map(|p| p.kind).collect()
    }

    fn provincial() -> AwardRules {
        default_rules(Category::WorkersSkills, Tier::Province, CompetitionClass::Provincial1)
    }

    #[test]
    fn percent_bands_round_half_up_on_the_cumulative_share() {
        let bands = PrizeBands::default();
        assert_eq!(band_cuts(&bands, 100), [10, 30, 60]);
        assert_eq!(band_cuts(&bands, 25), [3, 8, 15], "2.5 → 3, 7.5 → 8");
        // Small fields: always a first prize, never more places than people.
        assert_eq!(band_cuts(&bands, 3), [1, 1, 2]);
        assert_eq!(band_cuts(&bands, 1), [1, 1, 1]);
        assert_eq!(band_cuts(&bands, 0), [0, 0, 0]);
        let fixed = PrizeBands { mode: PrizeBandMode::Fixed, first: 1, second: 2, third: 5 };
        assert_eq!(band_cuts(&fixed, 30), [1, 3, 8]);
        assert_eq!(band_cuts(&fixed, 4), [1, 3, 4]);
    }

    #[test]
    fn prizes_follow_the_bands_and_excellence_fills_the_top_half() {
        let rules = AwardRules {
            titles: vec![],
            youth_title: None,
            women_title: None,
            may_day_medal_for_first: false,
            model_worker_pool: 0,
            craftsman_pool: 0,
            promotions: vec![],
            ..provincial()
        };
        let (p, _) = propose(&rules, &PrizeBands::default(), &field(20), &HashSet::new());
        assert_eq!(kinds_of(&p, "r0")[0], PrizeFirst);
        assert_eq!(kinds_of(&p, "r1")[0], PrizeFirst, "10 % of 20 = 2");
        assert_eq!(kinds_of(&p, "r5")[0], PrizeSecond);
        assert_eq!(kinds_of(&p, "r11")[0], PrizeThird, "places 7–12");
        // 60 % have prizes, beyond the top half: no 优胜 left.
        assert!(p.iter().all(|x| x.kind != PrizeExcellence));
        let small = PrizeBands { mode: PrizeBandMode::Fixed, first: 1, second: 1, third: 1 };
        let (p, _) = propose(&rules, &small, &field(20), &HashSet::new());
        assert_eq!(kinds_of(&p, "r3"), [PrizeExcellence]);
        assert_eq!(kinds_of(&p, "r9"), [PrizeExcellence], "place 10 of 20 is in the top half");
        assert!(kinds_of(&p, "r10").is_empty());
    }

    #[test]
    fn every_member_of_a_team_earns_its_place_and_the_bands_count_teams() {
        // Ten teams of three: the first team's members all hold place 1.
        let f: Vec<Finisher> = (0..10)
            .flat_map(|team| {
                (0..3).map(move |member| Finisher {
                    person_id: format!("p{team}-{member}"),
                    ..finisher(team, team as i32 + 1)
                })
            })
            .collect();
        let (p, _) = propose(&provincial(), &PrizeBands::default(), &f, &HashSet::new());
        let of = |person: &str| p.iter().filter(|x| x.person_id == person).map(|x| x.kind).collect::<Vec<_>>();
        for member in ["p0-0", "p0-1", "p0-2"] {
            assert!(of(member).contains(&PrizeFirst), "{member}");
            assert!(of(member).contains(&Promotion), "{member}");
        }
        // 10 % of 10 teams is one first prize (not 3 of 30 people).
        assert!(!of("p1-0").contains(&PrizeFirst));
        assert!(of("p1-0").contains(&PrizeSecond));
    }

    #[test]
    fn a_tie_at_a_band_edge_gives_both_the_better_prize() {
        let mut f = field(20);
        f[2].rank = 2; // places: 1, 2, 2, 4, …
        let (p, _) = propose(&provincial(), &PrizeBands::default(), &f, &HashSet::new());
        assert_eq!(kinds_of(&p, "r1")[0], PrizeFirst);
        assert_eq!(kinds_of(&p, "r2")[0], PrizeFirst, "a shared 2nd place is inside the 2-place band");
        assert_eq!(kinds_of(&p, "r3")[0], PrizeSecond);
    }

    #[test]
    fn provincial_titles_champion_experts_and_honours() {
        let (p, _) = propose(&provincial(), &PrizeBands::default(), &field(30), &HashSet::new());
        let first = kinds_of(&p, "r0");
        for k in [TitleChampion, HonourMayDayMedal, HonourModelWorker, HonourCraftsman, Promotion] {
            assert!(first.contains(&k), "{k:?} in {first:?}");
        }
        assert!(kinds_of(&p, "r1").contains(&TitleTechnicalExpert));
        assert!(kinds_of(&p, "r9").contains(&TitleTechnicalExpert));
        assert!(!kinds_of(&p, "r10").contains(&TitleTechnicalExpert), "11th place");
        assert_eq!(p.iter().filter(|x| x.kind == TitleChampion).count(), 1);
        assert!(!kinds_of(&p, "r3").contains(&HonourModelWorker), "the pool takes three");
        let national = default_rules(Category::WorkersSkills, Tier::National, CompetitionClass::National1);
        let (p, _) = propose(&national, &PrizeBands::default(), &field(30), &HashSet::new());
        assert_eq!(p.iter().filter(|x| x.kind == TitleNationalTechnicalExpert).count(), 5);
    }

    #[test]
    fn youth_and_women_titles_go_to_their_groups_within_the_places() {
        let mut f = field(30);
        f[1].age = 35;
        f[2].age = 36;
        f[3].female = true;
        f[12].female = true;
        f[12].age = 25;
        let (p, _) = propose(&provincial(), &PrizeBands::default(), &f, &HashSet::new());
        assert!(kinds_of(&p, "r1").contains(&TitleYouthExpert), "35 is still young");
        assert!(!kinds_of(&p, "r2").contains(&TitleYouthExpert), "36 is not");
        assert!(kinds_of(&p, "r3").contains(&TitleWomenPacesetter));
        let thirteenth = kinds_of(&p, "r12");
        assert!(
            !thirteenth.contains(&TitleWomenPacesetter) && !thirteenth.contains(&TitleYouthExpert),
            "outside the top 10"
        );
    }

    #[test]
    fn promotions_by_class_one_level_above_and_once_a_year() {
        let national = default_rules(Category::WorkersSkills, Tier::National, CompetitionClass::National1);
        let mut f = field(30);
        f[0].current_level = Some(2); // a 技师 in the top 5 → 高级技师
        f[1].current_level = None;
        f[5].current_level = Some(4);
        f[6].current_level = Some(2); // 7th place: 高级工 would not raise a 技师
        let mut already = HashSet::new();
        already.insert("p3".to_string());
        let (p, skipped) = propose(&national, &PrizeBands::default(), &f, &already);
        let level = |r: &str| {
            p.iter().find(|x| x.registration_id == r && x.kind == Promotion).map(|x| (x.from_level, x.to_level))
        };
        assert_eq!(level("r0"), Some((Some(2), Some(1))));
        assert_eq!(level("r1"), Some((None, Some(2))));
        assert_eq!(level("r2"), Some((Some(3), Some(2))));
        assert_eq!(level("r5"), Some((Some(4), Some(3))), "6th place: 中级工 → 高级工");
        assert!(level("r19").is_none(), "20th place already holds 高级工");
        assert!(skipped.contains(&Skipped {
            registration_id: "r19".into(),
            person_id: "p19".into(),
            reason: "already_at_level"
        }));
        assert!(level("r20").is_none(), "21st place");
        assert!(skipped.contains(&Skipped {
            registration_id: "r6".into(),
            person_id: "p6".into(),
            reason: "already_at_level"
        }));
        assert!(skipped.contains(&Skipped {
            registration_id: "r3".into(),
            person_id: "p3".into(),
            reason: "promoted_this_year"
        }));
        assert!(level("r3").is_none());
        // Enterprise class: the top 30 % to 中级工.
        let enterprise = default_rules(Category::WorkersSkills, Tier::Enterprise, CompetitionClass::Enterprise);
        let mut f = field(10);
        for x in &mut f {
            x.current_level = Some(5);
        }
        let (p, _) = propose(&enterprise, &PrizeBands::default(), &f, &HashSet::new());
        assert_eq!(p.iter().filter(|x| x.kind == Promotion).count(), 3);
        assert!(p.iter().filter(|x| x.kind == Promotion).all(|x| x.to_level == Some(4)));
    }

    #[test]
    fn a_person_has_at_most_one_competition_promotion_a_year() {
        assert!(may_be_promoted(&[], 2026));
        assert!(!may_be_promoted(&[(2026, AwardStatus::Proposed)], 2026));
        assert!(may_be_promoted(&[(2026, AwardStatus::Revoked), (2025, AwardStatus::Granted)], 2026));
    }

    #[test]
    fn only_the_union_or_hrss_of_the_competitions_tier_and_region_certifies() {
        let body = |kind, tier, region| Body { kind, tier, region, path: "/x/" };
        let province_union = body(OrgKind::Union, Tier::Province, "530000");
        let county_union = body(OrgKind::Union, Tier::County, "530102");
        let hrss = body(OrgKind::Hrss, Tier::Province, "530000");
        let host = |region| Body { kind: OrgKind::Union, tier: Tier::Province, region, path: "/x/" };
        assert!(is_granting_body(TitleChampion, province_union, Tier::Province, host("530000")));
        assert!(!is_granting_body(TitleChampion, county_union, Tier::Province, host("530000")));
        assert!(!is_granting_body(TitleChampion, hrss, Tier::Province, host("530000")));
        assert!(is_granting_body(Promotion, hrss, Tier::Province, host("530000")));
        assert!(!is_granting_body(Promotion, province_union, Tier::Province, host("530000")));
        let kunming = body(OrgKind::Union, Tier::Prefecture, "530100");
        assert!(is_granting_body(PrizeFirst, kunming, Tier::Prefecture, host("530100")));
        assert!(!is_granting_body(PrizeFirst, kunming, Tier::Prefecture, host("530300")), "Qujing's competition");
        // An enterprise's own contest: whoever officiates over the enterprise, and nobody else.
        let factory = Body { kind: OrgKind::Enterprise, tier: Tier::Enterprise, region: "530102", path: "/a/b/f/" };
        let own = Body { kind: OrgKind::Union, tier: Tier::County, region: "530102", path: "/a/b/" };
        let other = Body { kind: OrgKind::Union, tier: Tier::County, region: "530102", path: "/a/c/" };
        assert!(is_granting_body(Promotion, own, Tier::Enterprise, factory));
        assert!(!is_granting_body(PrizeFirst, other, Tier::Enterprise, factory));
    }

    #[test]
    fn promotions_are_labelled_by_the_level_reached() {
        assert_eq!(award_label(Promotion, Some(2)), "晋升技师");
        assert_eq!(award_label(TitleChampion, None), "技术状元");
    }

    #[test]
    fn the_lifecycle_runs_in_order_and_recommendations_have_no_certificate() {
        use AwardAction::*;
        use AwardStatus::*;
        assert_eq!(next_status(PrizeFirst, Proposed, Confirm), Ok(Confirmed));
        assert_eq!(next_status(PrizeFirst, Confirmed, Publicise), Ok(Publicity));
        assert_eq!(next_status(PrizeFirst, Publicity, Grant), Ok(Granted));
        assert_eq!(next_status(PrizeFirst, Granted, IssueCertificate), Ok(CertificateIssued));
        assert!(next_status(PrizeFirst, Proposed, Grant).is_err());
        assert!(next_status(HonourMayDayMedal, Granted, IssueCertificate).is_err());
        assert!(next_status(PrizeFirst, Revoked, Confirm).is_err());
    }

    #[test]
    fn rules_are_checked_with_the_field_named() {
        assert!(check_rules(&provincial()).is_empty());
        let mut r = provincial();
        r.titles.push(TitleRule { kind: PrizeFirst, from_rank: 3, to_rank: 2 });
        r.promotions.push(promote(1, None, None, 6, false));
        r.publicity_days = 31;
        let fields: Vec<String> = check_rules(&r).into_iter().map(|v| v.field).collect();
        assert_eq!(
            fields,
            ["titles[2].kind", "titles[2].to_rank", "promotions[1].to_level", "promotions[1]", "publicity_days"]
        );
    }
}
