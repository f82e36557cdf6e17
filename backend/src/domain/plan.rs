//! The plan dashboard: counts of competitions, trades, contestants, awards and promotions per
//! year, prefecture, tier, category and trade, and progress against plan targets kept as data
//! (DESIGN §7). Everything here works on a compact table of facts grouped by those keys, which
//! the database produces in a few grouped queries.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use utoipa::ToSchema;

use super::organisation::region_within;
use crate::string_enum;

string_enum! {
    /// What a plan target counts.
    pub enum PlanMetric {
        /// Trades (职业/工种) with a workers' skills contest event in the year.
        WorkersTrades = "workers_trades",
        /// Workers' skills competitions held in the year (all tiers).
        WorkersCompetitions = "workers_competitions",
        /// Contestants of workers' skills competitions in the year.
        WorkersContestants = "workers_contestants",
        /// 技术状元 granted.
        Champions = "champions",
        /// 技术能手 granted (provincial and national).
        TechnicalExperts = "technical_experts",
        /// Provincial labour competitions (劳动竞赛) held in the year.
        ProvincialLabourCompetitions = "provincial_labour_competitions",
        /// Participants of labour competitions in the year.
        LabourParticipants = "labour_participants",
        /// Finalists of the provincial vocational-college contest.
        CollegeFinalists = "college_finalists",
        /// 1st/2nd/3rd prizes of the provincial vocational-college contest.
        CollegePrizes = "college_prizes",
        /// Competition-based skill-level promotions granted.
        Promotions = "promotions",
    }
}

string_enum! {
    /// Whether a target is met each year or summed over the plan's years.
    pub enum PlanPeriod { Annual = "annual", Cumulative = "cumulative" }
}

impl PlanMetric {
    /// The metric as the plan names it.
    pub fn label(self) -> &'static str {
        match self {
            PlanMetric::WorkersTrades => "职工职业技能大赛职业（工种）数",
            PlanMetric::WorkersCompetitions => "职工职业技能竞赛场次",
            PlanMetric::WorkersContestants => "参赛职工人次",
            PlanMetric::Champions => "技术状元",
            PlanMetric::TechnicalExperts => "技术能手",
            PlanMetric::ProvincialLabourCompetitions => "省级劳动竞赛场次",
            PlanMetric::LabourParticipants => "劳动竞赛参与人次",
            PlanMetric::CollegeFinalists => "职业院校技能大赛省赛决赛人数",
            PlanMetric::CollegePrizes => "职业院校技能大赛获奖人数",
            PlanMetric::Promotions => "以赛晋级人数",
        }
    }
}

impl PlanPeriod {
    pub fn label(self) -> &'static str {
        match self {
            PlanPeriod::Annual => "年度",
            PlanPeriod::Cumulative => "累计",
        }
    }
}

/// Where a fact belongs: year, the host's prefecture (`530100`; a provincial host is `530000`),
/// tier, category and (for events, registrations and awards) trade.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FactKey {
    pub year: i32,
    pub prefecture: String,
    pub tier: String,
    pub category: String,
    pub trade_id: Option<String>,
}

/// The facts the dashboard is computed from, each with its key.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Competitions held (published or later, not cancelled).
    pub competitions: Vec<(FactKey, i64)>,
    /// Events, by trade.
    pub events: Vec<(FactKey, i64)>,
    /// Contestants (admitted, checked in or competed) and of them those who competed.
    pub contestants: Vec<(FactKey, i64, i64)>,
    /// Awards granted (or with the certificate issued), by kind.
    pub awards: Vec<(FactKey, String, i64)>,
}

impl Facts {
    /// The same facts with equal keys summed (regions fold into prefectures, so many rows meet).
    pub fn merged(self) -> Facts {
        fn sum<K: Ord, V: Copy + std::ops::AddAssign>(rows: Vec<(K, V)>) -> Vec<(K, V)> {
            let mut map: BTreeMap<K, V> = BTreeMap::new();
            for (k, v) in rows {
                match map.get_mut(&k) {
                    Some(total) => *total += v,
                    None => {
                        map.insert(k, v);
                    }
                }
            }
            map.into_iter().collect()
        }
        let mut contestants: BTreeMap<FactKey, (i64, i64)> = BTreeMap::new();
        for (k, all, competed) in self.contestants {
            let e = contestants.entry(k).or_default();
            e.0 += all;
            e.1 += competed;
        }
        Facts {
            competitions: sum(self.competitions),
            events: sum(self.events),
            contestants: contestants.into_iter().map(|(k, (a, c))| (k, a, c)).collect(),
            awards: sum(self.awards.into_iter().map(|(k, kind, n)| ((k, kind), n)).collect())
                .into_iter()
                .map(|((k, kind), n)| (k, kind, n))
                .collect(),
        }
    }
}

/// The prefecture a region code belongs to: `530102` → `530100`; `530000` stays.
pub fn prefecture_of(region: &str) -> String {
    match region.get(..4) {
        Some(p) if !region.ends_with("0000") => format!("{p}00"),
        _ => region.to_string(),
    }
}

/// What a dashboard request narrows to.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Region the caller may see (their own), or narrower.
    pub region: String,
    pub year: Option<i32>,
    pub tier: Option<String>,
    pub category: Option<String>,
    pub trade_id: Option<String>,
}

impl Filter {
    /// The fact counts for this filter (the year only where `with_year`).
    fn matches(&self, k: &FactKey, with_year: bool) -> bool {
        region_within(&k.prefecture, &self.region)
            && (!with_year || self.year.is_none_or(|y| y == k.year))
            && self.tier.as_ref().is_none_or(|t| *t == k.tier)
            && self.category.as_ref().is_none_or(|c| *c == k.category)
            && self.trade_id.as_ref().is_none_or(|t| k.trade_id.as_ref() == Some(t))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Counts {
    pub competitions: i64,
    /// Distinct trades with an event.
    pub trades: i64,
    pub contestants: i64,
    pub competed: i64,
    /// Granted awards by kind (prize_first, title_champion, …, promotion).
    pub awards: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Breakdown {
    /// A year, a prefecture code, a tier, a category or a trade id.
    pub key: String,
    pub counts: Counts,
}

/// Counts for every value of `group` among the facts the filter keeps.
fn grouped(
    facts: &Facts,
    filter: &Filter,
    with_year: bool,
    group: impl Fn(&FactKey) -> String,
) -> BTreeMap<String, Counts> {
    let mut out: BTreeMap<String, Counts> = BTreeMap::new();
    let mut trades: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (k, n) in facts.competitions.iter().filter(|(k, _)| filter.matches(k, with_year) && filter.trade_id.is_none()) {
        out.entry(group(k)).or_default().competitions += n;
    }
    for (k, _) in facts.events.iter().filter(|(k, _)| filter.matches(k, with_year)) {
        if let Some(t) = &k.trade_id {
            trades.entry(group(k)).or_default().insert(t.clone());
        }
    }
    for (k, contestants, competed) in facts.contestants.iter().filter(|(k, _, _)| filter.matches(k, with_year)) {
        let c = out.entry(group(k)).or_default();
        c.contestants += contestants;
        c.competed += competed;
    }
    for (k, kind, n) in facts.awards.iter().filter(|(k, _, _)| filter.matches(k, with_year)) {
        *out.entry(group(k)).or_default().awards.entry(kind.clone()).or_default() += n;
    }
    for (g, set) in trades {
        out.entry(g).or_default().trades = set.len() as i64;
    }
    out
}

/// The totals the filter keeps.
pub fn totals(facts: &Facts, filter: &Filter) -> Counts {
    grouped(facts, filter, true, |_| String::new()).remove("").unwrap_or_default()
}

/// Breakdowns by year (every year, the year filter aside), prefecture, tier, category and trade.
pub fn breakdown(facts: &Facts, filter: &Filter, by: &str) -> Vec<Breakdown> {
    let map = match by {
        "year" => grouped(facts, filter, false, |k| k.year.to_string()),
        "prefecture" => grouped(facts, filter, true, |k| k.prefecture.clone()),
        "tier" => grouped(facts, filter, true, |k| k.tier.clone()),
        "category" => grouped(facts, filter, true, |k| k.category.clone()),
        _ => grouped(facts, filter, true, |k| k.trade_id.clone().unwrap_or_default()),
    };
    map.into_iter().filter(|(key, _)| !key.is_empty()).map(|(key, counts)| Breakdown { key, counts }).collect()
}

/// A plan target as stored.
#[derive(Debug, Clone)]
pub struct Target {
    pub id: String,
    pub plan: String,
    pub region: String,
    pub metric: PlanMetric,
    pub period: PlanPeriod,
    pub from_year: i32,
    pub to_year: i32,
    pub target: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Progress {
    pub target_id: String,
    pub plan: String,
    pub metric: String,
    pub period: String,
    pub from_year: i32,
    pub to_year: i32,
    pub target: i64,
    /// The year's figure (annual) or the plan's years up to the year (cumulative).
    pub actual: i64,
    /// actual / target (may exceed 1).
    pub progress: f64,
}

/// A metric's figure for one year within a region.
pub fn metric_value(facts: &Facts, region: &str, metric: PlanMetric, year: i32) -> i64 {
    let f = |tier: Option<&str>, category: &str| Filter {
        region: region.to_string(),
        year: Some(year),
        tier: tier.map(str::to_string),
        category: Some(category.to_string()),
        trade_id: None,
    };
    let awards = |filter: &Filter, kinds: &[&str]| -> i64 {
        let c = totals(facts, filter);
        kinds.iter().map(|k| c.awards.get(*k).copied().unwrap_or(0)).sum()
    };
    let any = Filter { region: region.to_string(), year: Some(year), ..Default::default() };
    match metric {
        PlanMetric::WorkersTrades => totals(facts, &f(None, "workers_skills")).trades,
        PlanMetric::WorkersCompetitions => totals(facts, &f(None, "workers_skills")).competitions,
        PlanMetric::WorkersContestants => totals(facts, &f(None, "workers_skills")).contestants,
        PlanMetric::Champions => awards(&any, &["title_champion"]),
        PlanMetric::TechnicalExperts => awards(&any, &["title_technical_expert", "title_national_technical_expert"]),
        PlanMetric::ProvincialLabourCompetitions => totals(facts, &f(Some("province"), "labour")).competitions,
        PlanMetric::LabourParticipants => totals(facts, &f(None, "labour")).contestants,
        PlanMetric::CollegeFinalists => totals(facts, &f(Some("province"), "vocational_college")).contestants,
        PlanMetric::CollegePrizes => {
            awards(&f(Some("province"), "vocational_college"), &["prize_first", "prize_second", "prize_third"])
        }
        PlanMetric::Promotions => awards(&any, &["promotion"]),
    }
}

/// Progress of each target of `region` in `year`: an annual target counts the year, a cumulative
/// one the plan's years up to it.
pub fn progress(facts: &Facts, targets: &[Target], region: &str, year: i32) -> Vec<Progress> {
    targets
        .iter()
        .filter(|t| t.region == region)
        .map(|t| {
            let actual = match t.period {
                PlanPeriod::Annual => metric_value(facts, region, t.metric, year),
                PlanPeriod::Cumulative => {
                    (t.from_year..=year.min(t.to_year)).map(|y| metric_value(facts, region, t.metric, y)).sum()
                }
            };
            Progress {
                target_id: t.id.clone(),
                plan: t.plan.clone(),
                metric: t.metric.as_str().to_string(),
                period: t.period.as_str().to_string(),
                from_year: t.from_year,
                to_year: t.to_year,
                target: t.target,
                actual,
                progress: if t.target > 0 { actual as f64 / t.target as f64 } else { 0.0 },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(year: i32, prefecture: &str, tier: &str, category: &str, trade: Option<&str>) -> FactKey {
        FactKey {
            year,
            prefecture: prefecture.into(),
            tier: tier.into(),
            category: category.into(),
            trade_id: trade.map(str::to_string),
        }
    }

    fn facts() -> Facts {
        Facts {
            competitions: vec![
                (key(2025, "530000", "province", "workers_skills", None), 1),
                (key(2025, "530100", "prefecture", "workers_skills", None), 3),
                (key(2025, "530300", "prefecture", "workers_skills", None), 2),
                (key(2025, "530000", "province", "labour", None), 4),
                (key(2024, "530100", "prefecture", "workers_skills", None), 5),
            ],
            events: vec![
                (key(2025, "530000", "province", "workers_skills", Some("t1")), 1),
                (key(2025, "530100", "prefecture", "workers_skills", Some("t1")), 2),
                (key(2025, "530300", "prefecture", "workers_skills", Some("t2")), 1),
            ],
            contestants: vec![
                (key(2025, "530000", "province", "workers_skills", Some("t1")), 60, 58),
                (key(2025, "530100", "prefecture", "workers_skills", Some("t1")), 300, 290),
                (key(2025, "530300", "prefecture", "workers_skills", Some("t2")), 200, 190),
                (key(2024, "530100", "prefecture", "workers_skills", Some("t1")), 100, 100),
            ],
            awards: vec![
                (key(2025, "530000", "province", "workers_skills", Some("t1")), "title_champion".into(), 1),
                (key(2025, "530000", "province", "workers_skills", Some("t1")), "title_technical_expert".into(), 9),
                (key(2024, "530100", "prefecture", "workers_skills", Some("t1")), "title_champion".into(), 1),
            ],
        }
    }

    fn province(year: Option<i32>) -> Filter {
        Filter { region: "530000".into(), year, ..Default::default() }
    }

    #[test]
    fn merging_sums_rows_of_one_key_and_changes_no_total() {
        let mut f = facts();
        f.contestants.push((key(2025, "530100", "prefecture", "workers_skills", Some("t1")), 5, 4));
        f.competitions.push((key(2025, "530100", "prefecture", "workers_skills", None), 1));
        let before = totals(&f, &province(Some(2025)));
        let merged = f.clone().merged();
        assert_eq!(merged.contestants.len(), f.contestants.len() - 1);
        assert_eq!(merged.competitions.len(), f.competitions.len() - 1);
        assert_eq!(totals(&merged, &province(Some(2025))), before);
    }

    #[test]
    fn regions_roll_up_to_prefectures() {
        assert_eq!(prefecture_of("530102"), "530100");
        assert_eq!(prefecture_of("530100"), "530100");
        assert_eq!(prefecture_of("530000"), "530000");
    }

    #[test]
    fn totals_count_distinct_trades_and_respect_the_region() {
        let all = totals(&facts(), &province(Some(2025)));
        assert_eq!((all.competitions, all.trades, all.contestants, all.competed), (10, 2, 560, 538));
        assert_eq!(all.awards.get("title_champion"), Some(&1));
        // Kunming sees Kunming only: not the provincial final, not Qujing.
        let kunming = totals(&facts(), &Filter { region: "530100".into(), year: Some(2025), ..Default::default() });
        assert_eq!((kunming.competitions, kunming.trades, kunming.contestants), (3, 1, 300));
        let trade = totals(&facts(), &Filter { trade_id: Some("t2".into()), ..province(Some(2025)) });
        assert_eq!((trade.contestants, trade.trades), (200, 1));
    }

    #[test]
    fn breakdowns_by_year_ignore_the_year_filter_and_others_keep_it() {
        let years = breakdown(&facts(), &province(Some(2025)), "year");
        assert_eq!(years.iter().map(|b| b.key.as_str()).collect::<Vec<_>>(), ["2024", "2025"]);
        let prefectures = breakdown(&facts(), &province(Some(2025)), "prefecture");
        assert_eq!(
            prefectures.iter().map(|b| (b.key.as_str(), b.counts.contestants)).collect::<Vec<_>>(),
            [("530000", 60), ("530100", 300), ("530300", 200)]
        );
    }

    #[test]
    fn annual_targets_count_the_year_and_cumulative_ones_the_plan_so_far() {
        let t = |metric, period, target| Target {
            id: "x".into(),
            plan: "p".into(),
            region: "530000".into(),
            metric,
            period,
            from_year: 2021,
            to_year: 2025,
            target,
        };
        let targets = [
            t(PlanMetric::WorkersContestants, PlanPeriod::Annual, 100_000),
            t(PlanMetric::Champions, PlanPeriod::Cumulative, 700),
            t(PlanMetric::ProvincialLabourCompetitions, PlanPeriod::Annual, 10),
            t(PlanMetric::WorkersTrades, PlanPeriod::Annual, 50),
        ];
        let p = progress(&facts(), &targets, "530000", 2025);
        assert_eq!(p.iter().map(|x| x.actual).collect::<Vec<_>>(), [560, 2, 4, 2]);
        assert!((p[0].progress - 0.0056).abs() < 1e-9);
        assert!(progress(&facts(), &targets, "530100", 2025).is_empty(), "the province's targets are not Kunming's");
    }
}
