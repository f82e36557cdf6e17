//! Results: ranking by the event's tie-break chain, team scores, the WorldSkills-style
//! standardised scale, and the appeal deadline.

use std::cmp::Ordering;
use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::calendar::{publicity_end, DayKind};
use super::event::TieBreakKey;
use super::time::Zone;
use crate::string_enum;

/// What ranking needs of one contestant (or team). Scores in hundredths, so that "equal" means
/// equal as published (two decimals).
#[derive(Debug, Clone)]
pub struct Standing {
    pub id: String,
    pub total: i64,
    pub practical: i64,
    pub theory: i64,
    /// Seconds used, where the event times contestants.
    pub elapsed_seconds: Option<i64>,
    /// Practical module scores in module order.
    pub modules: Vec<i64>,
}

/// Hundredths of a score (half away from zero).
pub fn centi(score: f64) -> i64 {
    (score * 100.0).round() as i64
}

string_enum! {
    /// How a place was settled when totals were equal.
    pub enum TieNote {
        /// Separated by a key of the chain (the key is named with it).
        Broken = "broken",
        /// Still equal at the end of the chain: the same rank.
        Shared = "shared",
        /// Still equal, and the rules want the organising committee to decide.
        DecisionRequired = "decision_required",
        /// Was `decision_required`; the chief judge recorded the committee's order.
        Decided = "decided",
    }
}

/// Orders ids that are station numbers as numbers ("9" before "10"), any others as text.
fn natural_order(a: &str, b: &str) -> Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// One row of a result set, as a tie decision sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranked {
    pub station: i32,
    pub rank: i32,
    pub total: i64,
    pub awaiting_decision: bool,
}

/// The ranks the committee's order gives a group tied for a decision: `order` must name exactly
/// the stations of one group (all awaiting a decision, with equal totals); they take the group's
/// places in that order. Err names what is wrong.
pub fn decide_tie(rows: &[Ranked], order: &[i32]) -> Result<Vec<(i32, i32)>, String> {
    let Some(first) = order.first().and_then(|s| rows.iter().find(|r| r.station == *s)) else {
        return Err("name the tied stations in the decided order".into());
    };
    if !first.awaiting_decision {
        return Err(format!("station {} is not tied for a decision", first.station));
    }
    let mut group: Vec<&Ranked> = rows.iter().filter(|r| r.awaiting_decision && r.total == first.total).collect();
    group.sort_by_key(|r| r.rank);
    let mut named: Vec<i32> = order.to_vec();
    named.sort_unstable();
    let mut expected: Vec<i32> = group.iter().map(|r| r.station).collect();
    expected.sort_unstable();
    if named != expected {
        return Err(format!(
            "the tie is between stations {}: name each of them once",
            expected.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
        ));
    }
    let top = group[0].rank;
    Ok(order.iter().enumerate().map(|(i, s)| (*s, top + i as i32)).collect())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placing {
    pub id: String,
    pub rank: i32,
    pub tie: Option<(TieNote, Option<TieBreakKey>)>,
}

fn compare_by(key: TieBreakKey, a: &Standing, b: &Standing) -> Ordering {
    match key {
        TieBreakKey::Practical => b.practical.cmp(&a.practical),
        TieBreakKey::Theory => b.theory.cmp(&a.theory),
        // Less time first; no time recorded counts as the most time.
        TieBreakKey::ElapsedTime => a.elapsed_seconds.unwrap_or(i64::MAX).cmp(&b.elapsed_seconds.unwrap_or(i64::MAX)),
        TieBreakKey::ModuleScores => b.modules.cmp(&a.modules),
        TieBreakKey::SharedRank | TieBreakKey::OrganiserDecision => Ordering::Equal,
    }
}

/// Ranks by total, then by the event's tie-break chain. Places still equal at the end share a rank
/// (standard competition ranking: 1, 2, 2, 4), or are marked for the organisers' decision when the
/// chain ends so, or when `top_three_never_shared` and a shared rank would fall in the top three.
pub fn rank_with_tie_breaks(
    standings: &[Standing],
    chain: &[TieBreakKey],
    top_three_never_shared: bool,
) -> Vec<Placing> {
    let mut order: Vec<&Standing> = standings.iter().collect();
    let deciding: Vec<TieBreakKey> = chain
        .iter()
        .copied()
        .filter(|k| !matches!(k, TieBreakKey::SharedRank | TieBreakKey::OrganiserDecision))
        .collect();
    let full = |a: &&Standing, b: &&Standing| {
        deciding
            .iter()
            .fold(b.total.cmp(&a.total), |acc, key| acc.then_with(|| compare_by(*key, a, b)))
            .then_with(|| natural_order(&a.id, &b.id))
    };
    order.sort_by(full);
    let ends_in_decision = chain.last() == Some(&TieBreakKey::OrganiserDecision);
    let mut placings: Vec<Placing> = Vec::with_capacity(order.len());
    let mut i = 0;
    while i < order.len() {
        // The group of equal totals starting here.
        let mut j = i + 1;
        while j < order.len() && order[j].total == order[i].total {
            j += 1;
        }
        let group = &order[i..j];
        let mut k = 0;
        while k < group.len() {
            // Those still equal on every deciding key.
            let mut m = k + 1;
            while m < group.len() && deciding.iter().all(|key| compare_by(*key, group[k], group[m]) == Ordering::Equal)
            {
                m += 1;
            }
            let rank = (i + k + 1) as i32;
            let still_tied = m - k > 1;
            let breaker = deciding
                .iter()
                .copied()
                .find(|key| group.iter().any(|g| compare_by(*key, group[k], g) != Ordering::Equal));
            for (offset, s) in group[k..m].iter().enumerate() {
                let tie = if still_tied {
                    let decision = ends_in_decision || (top_three_never_shared && rank <= 3);
                    if decision {
                        Some((TieNote::DecisionRequired, None))
                    } else {
                        Some((TieNote::Shared, None))
                    }
                } else if group.len() > 1 {
                    Some((TieNote::Broken, breaker))
                } else {
                    None
                };
                let shared = matches!(tie, Some((TieNote::Shared, _)));
                placings.push(Placing {
                    id: s.id.clone(),
                    rank: if shared { rank } else { rank + offset as i32 },
                    tie,
                });
            }
            k = m;
        }
        i = j;
    }
    placings
}

string_enum! {
    /// How a team event scores a team.
    pub enum TeamScoring {
        /// The team works one station together and is marked there (团体整体评分).
        AsOne = "as_one",
        /// Each member works a station of their own; the team scores the sum of their scores.
        Sum = "sum",
        /// Each member works a station of their own; the team scores their mean.
        Mean = "mean",
    }
}

impl TeamScoring {
    /// Whether each member works a station of their own (and is marked there).
    pub fn members_own_stations(self) -> bool {
        self != TeamScoring::AsOne
    }
}

/// A team's score from its members' scores (one score when the team is marked as one).
pub fn team_score(members: &[f64], scoring: TeamScoring) -> f64 {
    if members.is_empty() {
        return 0.0;
    }
    let sum: f64 = members.iter().sum();
    match scoring {
        TeamScoring::AsOne | TeamScoring::Sum => sum,
        TeamScoring::Mean => sum / members.len() as f64,
    }
}

/// The standard's centre and a Medallion for Excellence threshold (WorldSkills scale).
pub const STANDARD_MEDIAN: f64 = 700.0;
/// Points per robust standard deviation (1.4826 × median absolute deviation).
pub const STANDARD_SPREAD: f64 = 100.0;

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(Ordering::Equal));
    let n = values.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Standardised scores: the median maps to 700 and each robust standard deviation (1.4826 × MAD)
/// to 100 points; with no spread at all everyone scores 700. Rounded to whole points.
pub fn standardise(scores: &[f64]) -> Vec<i32> {
    let mut sorted = scores.to_vec();
    let mid = median(&mut sorted);
    let mut deviations: Vec<f64> = scores.iter().map(|s| (s - mid).abs()).collect();
    let mad = median(&mut deviations) * 1.4826;
    scores
        .iter()
        .map(|s| if mad == 0.0 { STANDARD_MEDIAN } else { STANDARD_MEDIAN + STANDARD_SPREAD * (s - mid) / mad })
        .map(|v| v.round() as i32)
        .collect()
}

/// Medallion for Excellence: 700 or more on the standardised scale.
pub fn medallion_for_excellence(standardised: i32) -> bool {
    standardised >= STANDARD_MEDIAN as i32
}

/// How long appeals stay open once scores are announced (DESIGN §6: 2 hours; 48 hours for online
/// rounds; some competitions count working days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppealWindow {
    Minutes(i64),
    WorkingDays(i32),
}

impl Default for AppealWindow {
    fn default() -> Self {
        AppealWindow::Minutes(120)
    }
}

/// The last moment (UTC) an appeal may be filed, counted from `opened_at`.
pub fn appeal_deadline(
    opened_at: NaiveDateTime,
    window: AppealWindow,
    adjustments: &HashMap<NaiveDate, DayKind>,
    zone: Zone,
) -> NaiveDateTime {
    match window {
        AppealWindow::Minutes(m) => opened_at + Duration::minutes(m),
        AppealWindow::WorkingDays(d) => publicity_end(opened_at, d, adjustments, zone),
    }
}

/// Why an appeal cannot be filed now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppealRefusal {
    /// The scores have not been published to the contestants: nothing to appeal against yet.
    NotAnnounced,
    /// The window closed at this moment (UTC).
    WindowClosed(NaiveDateTime),
    ResultsFinal,
}

/// An appeal is filed between the publication of the scores (which opens the window, giving
/// `deadline`) and the deadline, and never once the results are final. Ok gives the deadline.
pub fn may_appeal(
    deadline: Option<NaiveDateTime>,
    results_final: bool,
    now: NaiveDateTime,
) -> Result<NaiveDateTime, AppealRefusal> {
    let deadline = deadline.ok_or(AppealRefusal::NotAnnounced)?;
    if results_final {
        Err(AppealRefusal::ResultsFinal)
    } else if now > deadline {
        Err(AppealRefusal::WindowClosed(deadline))
    } else {
        Ok(deadline)
    }
}

/// Why publicised results cannot become final yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinaliseRefusal {
    /// Appeals filed or accepted and not yet ruled.
    AppealsPending(usize),
    /// A contestant may still appeal until this moment (UTC).
    AppealWindowOpen(NaiveDateTime),
    /// The publicity (公示) runs until this moment (UTC).
    PublicityNotOver(NaiveDateTime),
}

/// Results become final once every appeal is ruled, the appeal window has closed (a later appeal
/// would otherwise meet final results) and the publicity is over.
pub fn may_finalise(
    pending_appeals: usize,
    appeal_deadline: Option<NaiveDateTime>,
    publicity_ends_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<(), FinaliseRefusal> {
    if pending_appeals > 0 {
        return Err(FinaliseRefusal::AppealsPending(pending_appeals));
    }
    if let Some(deadline) = appeal_deadline.filter(|d| now <= *d) {
        return Err(FinaliseRefusal::AppealWindowOpen(deadline));
    }
    match publicity_ends_at.filter(|end| now < *end) {
        Some(end) => Err(FinaliseRefusal::PublicityNotOver(end)),
        None => Ok(()),
    }
}

/// Whether results in `status` may be computed again: provisional ones always; publicised ones only
/// after an appeal upheld or a contestant disqualified since they were computed; final ones never.
/// Err gives the code and why.
pub fn recompute_allowed(status: &str, changed_since: bool) -> Result<(), (&'static str, &'static str)> {
    match status {
        "provisional" | "superseded" => Ok(()),
        "publicity" if changed_since => Ok(()),
        "final" => Err(("results_final", "final results do not change")),
        _ => Err(("results_published", "published results change only through an upheld appeal or a disqualification")),
    }
}

crate::string_enum! {
    /// A result set's state: computed (provisional), in publicity (公示), final; a later
    /// computation supersedes one that was not yet final.
    pub enum ResultSetStatus {
        Provisional = "provisional",
        Publicity = "publicity",
        Final = "final",
        Superseded = "superseded",
    }
}

impl ResultSetStatus {
    /// Published results are visible to everyone.
    pub fn is_published(self) -> bool {
        matches!(self, ResultSetStatus::Publicity | ResultSetStatus::Final)
    }
}

crate::string_enum! {
    /// An appeal (申诉): filed, accepted for a ruling by the arbiter, then upheld or dismissed.
    pub enum AppealStatus {
        Filed = "filed",
        Accepted = "accepted",
        Upheld = "upheld",
        Dismissed = "dismissed",
    }
}

impl AppealStatus {
    /// Filed or accepted, but not yet ruled: final results wait for it.
    pub fn is_pending(self) -> bool {
        matches!(self, AppealStatus::Filed | AppealStatus::Accepted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TieBreakKey::*;

    fn s(id: &str, total: f64, practical: f64, theory: f64, elapsed: Option<i64>) -> Standing {
        Standing {
            id: id.into(),
            total: centi(total),
            practical: centi(practical),
            theory: centi(theory),
            elapsed_seconds: elapsed,
            modules: vec![],
        }
    }

    fn ranks(p: &[Placing]) -> Vec<(String, i32)> {
        p.iter().map(|p| (p.id.clone(), p.rank)).collect()
    }

    fn chain() -> Vec<TieBreakKey> {
        vec![Practical, Theory, ElapsedTime, SharedRank]
    }

    #[test]
    fn totals_rank_first_and_practical_breaks_a_tie() {
        let p = rank_with_tie_breaks(
            &[s("a", 85.0, 60.0, 25.0, None), s("b", 90.0, 62.0, 28.0, None), s("c", 85.0, 61.0, 24.0, None)],
            &chain(),
            false,
        );
        assert_eq!(ranks(&p), [("b".into(), 1), ("c".into(), 2), ("a".into(), 3)]);
        assert_eq!(p[1].tie, Some((TieNote::Broken, Some(Practical))));
        assert_eq!(p[0].tie, None);
    }

    #[test]
    fn each_key_of_the_chain_in_turn() {
        // Same total and practical: theory decides.
        let p =
            rank_with_tie_breaks(&[s("a", 80.0, 56.0, 24.0, None), s("b", 80.0, 56.0, 24.5, None)], &chain(), false);
        assert_eq!(ranks(&p), [("b".into(), 1), ("a".into(), 2)]);
        assert_eq!(p[0].tie, Some((TieNote::Broken, Some(Theory))));
        // Then time: less is better, no time is last.
        let p = rank_with_tie_breaks(
            &[
                s("a", 80.0, 56.0, 24.0, Some(3600)),
                s("b", 80.0, 56.0, 24.0, Some(3500)),
                s("c", 80.0, 56.0, 24.0, None),
            ],
            &chain(),
            false,
        );
        assert_eq!(ranks(&p), [("b".into(), 1), ("a".into(), 2), ("c".into(), 3)]);
        // Module scores in order.
        let mut a = s("a", 80.0, 56.0, 24.0, None);
        let mut b = s("b", 80.0, 56.0, 24.0, None);
        a.modules = vec![3000, 2600];
        b.modules = vec![3000, 2700];
        let p = rank_with_tie_breaks(&[a, b], &[ModuleScores, SharedRank], false);
        assert_eq!(ranks(&p), [("b".into(), 1), ("a".into(), 2)]);
    }

    #[test]
    fn equal_to_the_end_share_a_rank_and_the_next_rank_is_skipped() {
        let p = rank_with_tie_breaks(
            &[
                s("a", 90.0, 60.0, 30.0, None),
                s("b", 80.0, 56.0, 24.0, None),
                s("c", 80.0, 56.0, 24.0, None),
                s("d", 70.0, 50.0, 20.0, None),
            ],
            &chain(),
            false,
        );
        assert_eq!(ranks(&p), [("a".into(), 1), ("b".into(), 2), ("c".into(), 2), ("d".into(), 4)]);
        assert_eq!(p[1].tie, Some((TieNote::Shared, None)));
        // Two decimals as published: 80.004 and 80.001 are both 80.00.
        let p = rank_with_tie_breaks(
            &[s("a", 80.004, 56.0, 24.0, None), s("b", 80.001, 56.0, 24.0, None)],
            &[SharedRank],
            false,
        );
        assert_eq!(p[0].rank, p[1].rank);
    }

    #[test]
    fn the_top_three_are_never_shared_when_the_rules_say_so() {
        let tied = [
            s("a", 95.0, 65.0, 30.0, None),
            s("b", 90.0, 60.0, 30.0, None),
            s("c", 90.0, 60.0, 30.0, None),
            s("d", 70.0, 50.0, 20.0, None),
            s("e", 70.0, 50.0, 20.0, None),
        ];
        let p = rank_with_tie_breaks(&tied, &chain(), true);
        assert_eq!(p[1].tie, Some((TieNote::DecisionRequired, None)));
        assert_eq!((p[1].rank, p[2].rank), (2, 3), "provisionally apart, pending the decision");
        // Below the top three a shared rank is fine.
        assert_eq!((p[3].rank, p[4].rank), (4, 4));
        let p = rank_with_tie_breaks(&tied[3..], &[Practical, OrganiserDecision], false);
        assert_eq!(p[0].tie, Some((TieNote::DecisionRequired, None)));
    }

    #[test]
    fn teams_score_by_sum_or_mean() {
        assert_eq!(team_score(&[80.0, 90.0, 70.0], TeamScoring::Sum), 240.0);
        assert_eq!(team_score(&[80.0, 90.0, 70.0], TeamScoring::Mean), 80.0);
        assert_eq!(team_score(&[], TeamScoring::Mean), 0.0);
    }

    #[test]
    fn the_median_maps_to_700() {
        let scores = [60.0, 70.0, 75.0, 80.0, 95.0];
        let std = standardise(&scores);
        assert_eq!(std[2], 700);
        assert!(std[0] < 700 && std[4] > 700);
        // MAD = 5 → one robust SD = 7.413: 80 is +5 → 700 + 100 × 5/7.413 = 767.
        assert_eq!(std[3], 767);
        assert!(medallion_for_excellence(std[2]) && !medallion_for_excellence(std[1]));
        assert_eq!(standardise(&[80.0, 80.0, 80.0]), [700, 700, 700]);
    }

    #[test]
    fn appeals_are_filed_between_publication_and_the_deadline() {
        let at = |t: &str| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M").unwrap();
        let deadline = at("2026-12-04 11:00");
        assert_eq!(may_appeal(None, false, at("2026-12-04 09:00")), Err(AppealRefusal::NotAnnounced));
        assert_eq!(may_appeal(Some(deadline), false, at("2026-12-04 10:59")), Ok(deadline));
        assert_eq!(may_appeal(Some(deadline), false, deadline), Ok(deadline), "the deadline itself is in time");
        assert_eq!(
            may_appeal(Some(deadline), false, at("2026-12-04 11:01")),
            Err(AppealRefusal::WindowClosed(deadline))
        );
        assert_eq!(may_appeal(Some(deadline), true, at("2026-12-04 10:00")), Err(AppealRefusal::ResultsFinal));
    }

    #[test]
    fn results_become_final_only_after_every_appeal_the_window_and_the_publicity() {
        let at = |t: &str| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M").unwrap();
        let (deadline, end) = (at("2026-12-04 11:00"), at("2026-12-10 16:00"));
        let after = at("2026-12-11 09:00");
        assert_eq!(may_finalise(1, Some(deadline), Some(end), after), Err(FinaliseRefusal::AppealsPending(1)));
        // Two minutes before the window closes, a contestant may still appeal: not final yet.
        assert_eq!(
            may_finalise(0, Some(deadline), None, at("2026-12-04 10:58")),
            Err(FinaliseRefusal::AppealWindowOpen(deadline))
        );
        assert_eq!(
            may_finalise(0, Some(deadline), Some(end), at("2026-12-07 09:00")),
            Err(FinaliseRefusal::PublicityNotOver(end))
        );
        assert_eq!(may_finalise(0, Some(deadline), Some(end), after), Ok(()));
        assert_eq!(may_finalise(0, Some(deadline), Some(deadline), at("2026-12-04 11:01")), Ok(()));
    }

    #[test]
    fn published_results_change_only_after_an_upheld_appeal_and_final_ones_never() {
        assert!(recompute_allowed("provisional", false).is_ok());
        assert_eq!(recompute_allowed("publicity", false).unwrap_err().0, "results_published");
        assert!(recompute_allowed("publicity", true).is_ok());
        assert_eq!(recompute_allowed("final", true).unwrap_err().0, "results_final");
    }

    #[test]
    fn appeals_close_two_hours_after_the_event_or_after_working_days() {
        let end = NaiveDateTime::parse_from_str("2026-12-04 09:00", "%Y-%m-%d %H:%M").unwrap(); // Friday 17:00 China time
        assert_eq!(
            appeal_deadline(end, AppealWindow::default(), &HashMap::new(), Zone::BEIJING),
            end + Duration::hours(2)
        );
        assert_eq!(appeal_deadline(end, AppealWindow::Minutes(0), &HashMap::new(), Zone::BEIJING), end);
        // One working day: Monday, closing at midnight China time.
        let deadline = appeal_deadline(end, AppealWindow::WorkingDays(1), &HashMap::new(), Zone::BEIJING);
        assert_eq!(deadline, NaiveDateTime::parse_from_str("2026-12-07 16:00", "%Y-%m-%d %H:%M").unwrap());
    }

    #[test]
    fn stations_still_tied_are_listed_in_number_order_not_text_order() {
        let s = |id: &str| Standing {
            id: id.into(),
            total: 9000,
            practical: 0,
            theory: 0,
            elapsed_seconds: None,
            modules: vec![],
        };
        let p = rank_with_tie_breaks(&[s("10"), s("9")], &[TieBreakKey::OrganiserDecision], false);
        assert_eq!(p.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["9", "10"]);
    }

    #[test]
    fn a_tie_decision_names_exactly_one_group_and_gives_its_places_in_order() {
        let row = |station, rank, total, awaiting| Ranked { station, rank, total, awaiting_decision: awaiting };
        let rows = [row(3, 1, 9500, true), row(7, 2, 9500, true), row(1, 3, 9000, false)];
        assert_eq!(decide_tie(&rows, &[7, 3]), Ok(vec![(7, 1), (3, 2)]));
        assert!(decide_tie(&rows, &[7]).is_err(), "every tied station");
        assert!(decide_tie(&rows, &[7, 3, 1]).is_err(), "no one else");
        assert!(decide_tie(&rows, &[1, 3]).is_err(), "1 is not tied");
        assert!(decide_tie(&rows, &[]).is_err());
        assert!(decide_tie(&rows, &[3, 3]).is_err());
    }
}
