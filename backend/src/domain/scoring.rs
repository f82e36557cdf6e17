//! Marking: the three kinds of aspect and their arithmetic (WorldSkills-style marking used by
//! Chinese workers' contests), how a section adds up, and when judges disagree too much.
//!
//! Marks are kept in hundredths (integers) so that sums are exact.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Violation;
use crate::string_enum;

string_enum! {
    pub enum AspectKind {
        /// 测量: objective, 0 to the aspect's maximum, against a tolerance.
        Measurement = "measurement",
        /// 评价: each judge scores 0–3 against written descriptors; the aspect gives weight × mean / 3.
        Judgement = "judgement",
        /// 扣分: a bounded deduction (0 to −maximum).
        Deduction = "deduction",
    }
}

/// Judges of a judgement aspect more than this many points apart are flagged for the chief judge
/// (DESIGN §6: 3 judges, mean, flag over 1 point).
pub const DEFAULT_SPREAD_LIMIT: f64 = 1.0;

/// One aspect as an organiser writes it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AspectSpec {
    /// What is marked, e.g. 外圆尺寸 Φ40±0.02.
    pub description: String,
    pub kind: AspectKind,
    /// Measurement: the marks available. Judgement: the weight (marks at score 3). Deduction: the
    /// largest deduction (a positive number).
    pub max: f64,
    /// Measurement: how the measurement is judged, e.g. `±0.02 mm: full marks; beyond: 0`.
    pub tolerance: Option<String>,
    /// Judgement: what 0, 1, 2 and 3 mean.
    #[serde(default)]
    pub descriptors: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionSpec {
    /// e.g. 尺寸精度, 表面质量, 安全文明生产.
    pub name: String,
    pub aspects: Vec<AspectSpec>,
}

/// Hundredths from a decimal mark, refusing more than two decimals.
pub fn to_centi(value: f64) -> Option<i32> {
    let centi = (value * 100.0).round();
    ((value * 100.0 - centi).abs() < 1e-6 && centi.abs() < 1e8).then_some(centi as i32)
}

pub fn from_centi(centi: i32) -> f64 {
    centi as f64 / 100.0
}

/// The marks a section's aspects make available: measurements and judgement weights (deductions
/// only take away).
pub fn section_total(criteria: &[CriterionSpec]) -> f64 {
    criteria.iter().flat_map(|c| &c.aspects).filter(|a| a.kind != AspectKind::Deduction).map(|a| a.max).sum()
}

/// Every rule a section's criteria break; `field` names the section (`sections[1]`).
pub fn check_section(field: &str, name: &str, criteria: &[CriterionSpec]) -> Vec<Violation> {
    let mut v = Vec::new();
    for (ci, c) in criteria.iter().enumerate() {
        if c.name.trim().is_empty() {
            v.push(Violation::new(&format!("{field}.criteria[{ci}].name"), "required", "a criterion has a name"));
        }
        if c.aspects.is_empty() {
            v.push(Violation::new(
                &format!("{field}.criteria[{ci}].aspects"),
                "required",
                "a criterion has at least one aspect",
            ));
        }
        for (ai, a) in c.aspects.iter().enumerate() {
            let at = format!("{field}.criteria[{ci}].aspects[{ai}]");
            if a.description.trim().is_empty() || a.description.chars().count() > 200 {
                v.push(Violation::new(&format!("{at}.description"), "invalid_text", "1 to 200 characters"));
            }
            if !(a.max > 0.0 && a.max <= 100.0) || to_centi(a.max).is_none() {
                v.push(Violation::new(&format!("{at}.max"), "out_of_range", "above 0 and at most 100, in hundredths"));
            }
            if a.kind == AspectKind::Judgement && a.descriptors.len() != 4 {
                v.push(Violation::new(
                    &format!("{at}.descriptors"),
                    "descriptors_required",
                    "a judgement aspect describes what 0, 1, 2 and 3 mean",
                ));
            }
        }
    }
    let total = section_total(criteria);
    if (total - 100.0).abs() > 1e-6 {
        v.push(Violation::new(field, "section_total_not_100", format!("section '{name}' totals {total}, not 100")));
    }
    v
}

/// Whether `value` is a mark the aspect can take.
pub fn check_mark(kind: AspectKind, max: f64, value: f64) -> Result<(), String> {
    if to_centi(value).is_none() {
        return Err("marks have at most two decimals".into());
    }
    match kind {
        AspectKind::Measurement if (0.0..=max).contains(&value) => Ok(()),
        AspectKind::Measurement => Err(format!("a measurement mark is 0 to {max}")),
        AspectKind::Judgement if [0.0, 1.0, 2.0, 3.0].contains(&value) => Ok(()),
        AspectKind::Judgement => Err("a judgement score is 0, 1, 2 or 3".into()),
        AspectKind::Deduction if (-max..=0.0).contains(&value) => Ok(()),
        AspectKind::Deduction => Err(format!("a deduction is 0 to -{max}")),
    }
}

/// An aspect's marks from its judges' values (hundredths): measurements and deductions are the
/// judges' mean; a judgement aspect gives weight × mean / 3. With `drop_extremes` and five or more
/// judges, the highest and lowest are dropped first.
pub fn aspect_mark(kind: AspectKind, max_centi: i32, values: &[i32], drop_extremes: bool) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let used: &[i32] = if drop_extremes && sorted.len() >= 5 { &sorted[1..sorted.len() - 1] } else { &sorted };
    let mean = used.iter().map(|v| *v as f64).sum::<f64>() / used.len() as f64 / 100.0;
    match kind {
        AspectKind::Judgement => from_centi(max_centi) * mean / 3.0,
        AspectKind::Measurement | AspectKind::Deduction => mean,
    }
}

/// Whether a judgement aspect's judges are further apart than the limit.
pub fn judgement_spread_exceeded(values: &[i32], limit: f64) -> bool {
    match (values.iter().min(), values.iter().max()) {
        (Some(lo), Some(hi)) => from_centi(hi - lo) > limit + 1e-9,
        _ => false,
    }
}

/// A section's score: its aspects' marks, never below 0 nor above 100.
pub fn section_score(aspect_marks: &[f64]) -> f64 {
    aspect_marks.iter().sum::<f64>().clamp(0.0, 100.0)
}

/// The weighted total of theory and practical section scores (weights add up to 100).
pub fn weighted_total(theory: f64, practical: f64, theory_weight: i32, practical_weight: i32) -> f64 {
    (theory * theory_weight as f64 + practical * practical_weight as f64) / 100.0
}

/// An aspect as scoring needs it.
#[derive(Debug, Clone)]
pub struct ScoredAspect {
    pub id: String,
    pub section_index: i32,
    /// Whether the section is the theory paper (otherwise a practical module).
    pub theory: bool,
    pub kind: AspectKind,
    pub max_centi: i32,
}

/// A station's section scores and weighted total.
#[derive(Debug, Clone, PartialEq)]
pub struct StationScore {
    pub station: i32,
    /// By section index.
    pub sections: Vec<(i32, f64)>,
    pub theory: f64,
    pub practical: f64,
    pub total: f64,
}

/// A team's score from its members' station scores (each member worked a station of their own),
/// filed under `station`, the captain's: every part (theory, practical, total, each module) by the
/// event's team rule.
pub fn team_station_score(
    station: i32,
    members: &[&StationScore],
    scoring: crate::domain::ranking::TeamScoring,
) -> StationScore {
    use crate::domain::ranking::team_score;
    let combine =
        |part: &dyn Fn(&StationScore) -> f64| team_score(&members.iter().map(|m| part(m)).collect::<Vec<_>>(), scoring);
    let mut indexes: Vec<i32> = members.iter().flat_map(|m| m.sections.iter().map(|(i, _)| *i)).collect();
    indexes.sort_unstable();
    indexes.dedup();
    let sections = indexes
        .into_iter()
        .map(|i| {
            let value = combine(&|m: &StationScore| m.sections.iter().find(|(j, _)| *j == i).map_or(0.0, |(_, v)| *v));
            (i, value)
        })
        .collect();
    StationScore {
        station,
        sections,
        theory: combine(&|m: &StationScore| m.theory),
        practical: combine(&|m: &StationScore| m.practical),
        total: combine(&|m: &StationScore| m.total),
    }
}

/// The mean of a kind's section scores (section index, score): weighted by the scheme's module
/// weights where it has them (a practical final of 模块A 60% and 模块B 40%), otherwise equal.
pub fn module_mean(scores: &[(i32, f64)], module_weights: &HashMap<i32, i32>) -> f64 {
    if scores.is_empty() {
        return 0.0;
    }
    let weighted: Option<Vec<(f64, f64)>> =
        scores.iter().map(|(section, score)| module_weights.get(section).map(|w| (*score, *w as f64))).collect();
    match weighted {
        Some(pairs) if pairs.iter().map(|(_, w)| w).sum::<f64>() > 0.0 => {
            pairs.iter().map(|(s, w)| s * w).sum::<f64>() / pairs.iter().map(|(_, w)| w).sum::<f64>()
        }
        _ => scores.iter().map(|(_, s)| s).sum::<f64>() / scores.len() as f64,
    }
}

/// Module weights are all or none within a kind (theory papers, practical modules): each from 1
/// to 100, and a kind's weights add up to 100. `sections` holds each section's kind and weight.
pub fn check_module_weights(sections: &[(bool, Option<i32>)]) -> Vec<Violation> {
    let mut violations = Vec::new();
    for theory in [true, false] {
        let of_kind: Vec<(usize, Option<i32>)> =
            sections.iter().enumerate().filter(|(_, (t, _))| *t == theory).map(|(i, (_, w))| (i, *w)).collect();
        if of_kind.iter().all(|(_, w)| w.is_none()) {
            continue;
        }
        let kind = if theory { "theory" } else { "practical" };
        for (i, weight) in &of_kind {
            match weight {
                None => violations.push(Violation::new(
                    &format!("sections[{i}].weight"),
                    "required",
                    format!("once one {kind} section has a weight, every {kind} section needs one"),
                )),
                Some(w) if !(1..=100).contains(w) => violations.push(Violation::new(
                    &format!("sections[{i}].weight"),
                    "out_of_range",
                    "a module weight is from 1 to 100 (per cent)",
                )),
                _ => {}
            }
        }
        let sum: i32 = of_kind.iter().filter_map(|(_, w)| *w).sum();
        if of_kind.iter().all(|(_, w)| w.is_some()) && sum != 100 {
            violations.push(Violation::new(
                "sections",
                "weights_not_100",
                format!("the {kind} module weights add up to {sum}, not 100"),
            ));
        }
    }
    violations
}

/// Scores every station from the judges' marks (aspect id, station, value in hundredths): each
/// section from its aspects, theory and practical as the (weighted) mean of their sections, and
/// the total by the event's weights.
pub fn station_scores(
    aspects: &[ScoredAspect],
    marks: &[(String, i32, i32)],
    stations: &[i32],
    weights: (i32, i32),
    module_weights: &HashMap<i32, i32>,
    drop_extremes: bool,
) -> Vec<StationScore> {
    use std::collections::BTreeMap;
    let mut values: HashMap<(&str, i32), Vec<i32>> = HashMap::new();
    for (aspect, station, value) in marks {
        values.entry((aspect.as_str(), *station)).or_default().push(*value);
    }
    let mut section_kinds: BTreeMap<i32, bool> = BTreeMap::new();
    for a in aspects {
        section_kinds.insert(a.section_index, a.theory);
    }
    stations
        .iter()
        .map(|&station| {
            let sections: Vec<(i32, f64)> = section_kinds
                .keys()
                .map(|&section| {
                    let marks: Vec<f64> = aspects
                        .iter()
                        .filter(|a| a.section_index == section)
                        .map(|a| {
                            aspect_mark(
                                a.kind,
                                a.max_centi,
                                values.get(&(a.id.as_str(), station)).map(Vec::as_slice).unwrap_or(&[]),
                                drop_extremes,
                            )
                        })
                        .collect();
                    (section, section_score(&marks))
                })
                .collect();
            let mean_of = |theory: bool| {
                let scores: Vec<(i32, f64)> =
                    sections.iter().filter(|(s, _)| section_kinds.get(s) == Some(&theory)).copied().collect();
                module_mean(&scores, module_weights)
            };
            let (theory, practical) = (mean_of(true), mean_of(false));
            StationScore {
                station,
                sections,
                theory,
                practical,
                total: weighted_total(theory, practical, weights.0, weights.1),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_of_members_at_their_own_stations_scores_by_its_rule() {
        use crate::domain::ranking::TeamScoring;
        let member = |station, theory: f64, practical: f64| StationScore {
            station,
            sections: vec![(0, theory), (1, practical)],
            theory,
            practical,
            total: 0.3 * theory + 0.7 * practical,
        };
        let (a, b, c) = (member(4, 80.0, 90.0), member(9, 70.0, 60.0), member(2, 90.0, 75.0));
        let mean = team_station_score(4, &[&a, &b, &c], TeamScoring::Mean);
        assert_eq!(mean.station, 4, "filed under the captain's station");
        assert!((mean.theory - 80.0).abs() < 1e-9 && (mean.practical - 75.0).abs() < 1e-9);
        assert!((mean.total - (a.total + b.total + c.total) / 3.0).abs() < 1e-9);
        assert_eq!(mean.sections, vec![(0, 80.0), (1, 75.0)]);
        let sum = team_station_score(4, &[&a, &b, &c], TeamScoring::Sum);
        assert!((sum.practical - 225.0).abs() < 1e-9);
    }

    fn aspect(kind: AspectKind, max: f64) -> AspectSpec {
        AspectSpec {
            description: "外圆尺寸".into(),
            kind,
            max,
            tolerance: None,
            descriptors: if kind == AspectKind::Judgement {
                vec!["差".into(), "合格".into(), "良好".into(), "优秀".into()]
            } else {
                vec![]
            },
        }
    }

    #[test]
    fn the_three_kinds_of_aspect_add_up() {
        assert_eq!(aspect_mark(AspectKind::Measurement, 500, &[425], false), 4.25);
        // Judgement: weight 6 × mean(2, 3, 2) / 3 = 4.666…
        assert!((aspect_mark(AspectKind::Judgement, 600, &[200, 300, 200], false) - 14.0 / 3.0).abs() < 1e-9);
        assert_eq!(aspect_mark(AspectKind::Deduction, 500, &[-200], false), -2.0);
        assert_eq!(aspect_mark(AspectKind::Judgement, 600, &[], false), 0.0);
        // Five judges, highest and lowest dropped: mean(1, 2, 2) = 5/3 → 6 × 5/9.
        assert!((aspect_mark(AspectKind::Judgement, 600, &[0, 100, 200, 200, 300], true) - 10.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn a_section_totals_100_and_the_message_names_it() {
        let good = vec![CriterionSpec {
            name: "尺寸".into(),
            aspects: vec![
                aspect(AspectKind::Measurement, 70.0),
                aspect(AspectKind::Judgement, 30.0),
                aspect(AspectKind::Deduction, 10.0),
            ],
        }];
        assert!(check_section("sections[0]", "实操模块A", &good).is_empty());
        let short = vec![CriterionSpec {
            name: "尺寸".into(),
            aspects: vec![aspect(AspectKind::Measurement, 70.0), aspect(AspectKind::Judgement, 25.0)],
        }];
        let v = check_section("sections[1]", "实操模块B", &short);
        assert_eq!(v[0].field, "sections[1]");
        assert_eq!(v[0].message, "section '实操模块B' totals 95, not 100");
        let mut no_descriptors = aspect(AspectKind::Judgement, 100.0);
        no_descriptors.descriptors.clear();
        let v = check_section("sections[0]", "x", &[CriterionSpec { name: "c".into(), aspects: vec![no_descriptors] }]);
        assert_eq!(v[0].code, "descriptors_required");
    }

    #[test]
    fn marks_stay_within_their_kind() {
        assert!(check_mark(AspectKind::Measurement, 5.0, 4.75).is_ok());
        assert!(check_mark(AspectKind::Measurement, 5.0, 5.01).is_err());
        assert!(check_mark(AspectKind::Measurement, 5.0, -0.5).is_err());
        assert!(check_mark(AspectKind::Measurement, 5.0, 1.234).is_err());
        assert!(check_mark(AspectKind::Judgement, 6.0, 2.0).is_ok());
        assert!(check_mark(AspectKind::Judgement, 6.0, 2.5).is_err());
        assert!(check_mark(AspectKind::Judgement, 6.0, 4.0).is_err());
        assert!(check_mark(AspectKind::Deduction, 5.0, -3.0).is_ok());
        assert!(check_mark(AspectKind::Deduction, 5.0, 1.0).is_err());
        assert!(check_mark(AspectKind::Deduction, 5.0, -5.5).is_err());
    }

    #[test]
    fn judges_more_than_a_point_apart_are_flagged() {
        assert!(!judgement_spread_exceeded(&[200, 300, 200], DEFAULT_SPREAD_LIMIT));
        assert!(judgement_spread_exceeded(&[100, 300, 200], DEFAULT_SPREAD_LIMIT));
        assert!(!judgement_spread_exceeded(&[300], DEFAULT_SPREAD_LIMIT));
        assert!(!judgement_spread_exceeded(&[], DEFAULT_SPREAD_LIMIT));
    }

    #[test]
    fn stations_are_scored_by_section_and_weighted() {
        let aspects = vec![
            ScoredAspect {
                id: "t".into(),
                section_index: 0,
                theory: true,
                kind: AspectKind::Measurement,
                max_centi: 10000,
            },
            ScoredAspect {
                id: "m".into(),
                section_index: 1,
                theory: false,
                kind: AspectKind::Measurement,
                max_centi: 7000,
            },
            ScoredAspect {
                id: "j".into(),
                section_index: 1,
                theory: false,
                kind: AspectKind::Judgement,
                max_centi: 3000,
            },
            ScoredAspect {
                id: "d".into(),
                section_index: 1,
                theory: false,
                kind: AspectKind::Deduction,
                max_centi: 500,
            },
        ];
        let marks = vec![
            ("t".to_string(), 1, 8000),
            ("m".to_string(), 1, 6000),
            ("j".to_string(), 1, 300),
            ("j".to_string(), 1, 200),
            ("j".to_string(), 1, 300),
            ("d".to_string(), 1, -200),
        ];
        let scores = station_scores(&aspects, &marks, &[1, 2], (30, 70), &HashMap::new(), false);
        // Practical: 60 + 30 × (8/3)/3 − 2 = 84.666…; total 0.3 × 80 + 0.7 × 84.666… = 83.266…
        assert!((scores[0].practical - (60.0 + 30.0 * 8.0 / 9.0 - 2.0)).abs() < 1e-9);
        assert!((scores[0].total - (24.0 + 0.7 * (60.0 + 30.0 * 8.0 / 9.0 - 2.0))).abs() < 1e-9);
        assert_eq!(scores[1].total, 0.0, "an unmarked station scores nothing");
    }

    #[test]
    fn practical_modules_count_by_their_weights() {
        let module = |id: &str, section_index: i32| ScoredAspect {
            id: id.into(),
            section_index,
            theory: false,
            kind: AspectKind::Measurement,
            max_centi: 10000,
        };
        let aspects = vec![module("a", 0), module("b", 1)];
        let marks = vec![("a".to_string(), 1, 9000), ("b".to_string(), 1, 6000)];
        let equal = station_scores(&aspects, &marks, &[1], (0, 100), &HashMap::new(), false);
        assert_eq!(equal[0].practical, 75.0, "without weights the modules count equally");
        let weights = HashMap::from([(0, 60), (1, 40)]);
        let weighted = station_scores(&aspects, &marks, &[1], (0, 100), &weights, false);
        assert!((weighted[0].practical - 78.0).abs() < 1e-9, "0.6 × 90 + 0.4 × 60 = 78");
        assert_eq!(module_mean(&[], &weights), 0.0);
    }

    #[test]
    fn module_weights_are_all_or_none_and_add_up_to_100() {
        assert!(check_module_weights(&[(true, None), (false, None), (false, None)]).is_empty());
        assert!(check_module_weights(&[(true, None), (false, Some(60)), (false, Some(40))]).is_empty());
        let short = check_module_weights(&[(true, None), (false, Some(60)), (false, Some(30))]);
        assert_eq!(short.len(), 1);
        assert_eq!((short[0].field.as_str(), short[0].code.as_str()), ("sections", "weights_not_100"));
        assert_eq!(short[0].message, "the practical module weights add up to 90, not 100");
        let missing = check_module_weights(&[(false, Some(100)), (false, None)]);
        assert_eq!((missing[0].field.as_str(), missing[0].code.as_str()), ("sections[1].weight", "required"));
        let zero = check_module_weights(&[(false, Some(0)), (false, Some(100))]);
        assert_eq!((zero[0].field.as_str(), zero[0].code.as_str()), ("sections[0].weight", "out_of_range"));
        // Theory papers are weighed among themselves, apart from the practical modules.
        assert!(check_module_weights(&[(true, Some(100)), (false, Some(50)), (false, Some(50))]).is_empty());
    }

    #[test]
    fn sections_are_bounded_and_weighted() {
        assert_eq!(section_score(&[60.0, 45.0, -2.0]), 100.0);
        assert_eq!(section_score(&[1.0, -5.0]), 0.0);
        assert_eq!(weighted_total(80.0, 90.0, 30, 70), 87.0);
        assert_eq!(to_centi(4.25), Some(425));
        assert_eq!(to_centi(4.255), None);
    }
}
