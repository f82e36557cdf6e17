//! The states of what judges write: a mark, a spread flag, a section's sign-off; and who covers
//! the stations a whole panel stands aside from.

use std::collections::{HashMap, HashSet};

crate::string_enum! {
    /// A mark's state: entered, held by a spread flag, signed with its section by the judge,
    /// locked when the section is confirmed (re-opened only with the chief judge and a supervisor).
    pub enum MarkStatus {
        Submitted = "submitted",
        Flagged = "flagged",
        Signed = "signed",
        Locked = "locked",
    }
}

impl MarkStatus {
    /// Signed and locked marks are no longer the judge's to change.
    pub fn is_final(self) -> bool {
        matches!(self, MarkStatus::Signed | MarkStatus::Locked)
    }
}

crate::string_enum! {
    /// A judgement aspect's judges further apart than the spread limit: open until the chief
    /// judge reconciles it, or asks the judges to mark again.
    pub enum FlagStatus {
        Open = "open",
        RescoreRequested = "rescore_requested",
        Reconciled = "reconciled",
    }
}

crate::string_enum! {
    /// Who signed a section: each judge their own sheet, then the chief judge the section.
    pub enum SignoffKind {
        Judge = "judge",
        Chief = "chief",
    }
}

crate::string_enum! {
    /// A review sample's state (复核): waiting, checked, or a discrepancy found (with a note).
    pub enum SampleStatus {
        Pending = "pending",
        Checked = "checked",
        Discrepancy = "discrepancy",
    }
}

/// The judges assigned to one aspect (its panel), as coverage needs them.
#[derive(Debug, Clone)]
pub struct Panel {
    pub aspect_id: String,
    pub section_index: i32,
    pub judges: Vec<String>,
}

/// A judge who marks one aspect at one station in place of a panel whose every judge stands
/// aside from it (回避): a substitute (替补) for that cell only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cover {
    pub aspect_id: String,
    pub station: i32,
    pub judge: String,
}

/// Who marks what beyond the panels: the covers found, and the cells nobody may mark (for the
/// chief judge to appoint another judge).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    pub covers: Vec<Cover>,
    pub uncovered: Vec<(String, i32)>,
}

impl Coverage {
    pub fn covers_of<'a>(&'a self, judge: &'a str) -> impl Iterator<Item = &'a Cover> + 'a {
        self.covers.iter().filter(move |c| c.judge == judge)
    }

    pub fn is_cover(&self, aspect_id: &str, station: i32, judge: &str) -> bool {
        self.covers.iter().any(|c| c.aspect_id == aspect_id && c.station == station && c.judge == judge)
    }
}

/// Finds a substitute for every cell (aspect × station) whose panel stands aside from the station,
/// so that no station scores 0 for want of a judge. Derived afresh from the assignments, the
/// recusals and the marks, so it is the same answer wherever it is asked. A substitute is, in
/// order: the judge who has already marked the cell; a judge of the same section; any other
/// judge of the event; never one who stands aside from the station. Among equals, the one with
/// the fewest covers so far, then the first in `judges` (kept sorted by the caller).
pub fn plan_covers(
    panels: &[Panel],
    stations: &[i32],
    judges: &[String],
    recused: &HashMap<String, HashSet<i32>>,
    marked_by: &HashMap<(String, i32), Vec<String>>,
) -> Coverage {
    let stands_aside = |judge: &str, station: i32| recused.get(judge).is_some_and(|r| r.contains(&station));
    let mut coverage = Coverage::default();
    let mut load: HashMap<&str, usize> = HashMap::new();
    for panel in panels {
        let section_judges: HashSet<&str> = panels
            .iter()
            .filter(|p| p.section_index == panel.section_index)
            .flat_map(|p| p.judges.iter().map(String::as_str))
            .collect();
        for &station in stations {
            if panel.judges.is_empty() || panel.judges.iter().any(|j| !stands_aside(j, station)) {
                continue;
            }
            let marked: &[String] =
                marked_by.get(&(panel.aspect_id.clone(), station)).map(Vec::as_slice).unwrap_or(&[]);
            let substitute =
                judges.iter().filter(|j| !panel.judges.contains(j) && !stands_aside(j, station)).min_by_key(|j| {
                    (
                        !marked.contains(j),
                        !section_judges.contains(j.as_str()),
                        load.get(j.as_str()).copied().unwrap_or(0),
                    )
                });
            match substitute {
                Some(judge) => {
                    *load.entry(judge.as_str()).or_default() += 1;
                    coverage.covers.push(Cover { aspect_id: panel.aspect_id.clone(), station, judge: judge.clone() });
                }
                None => coverage.uncovered.push((panel.aspect_id.clone(), station)),
            }
        }
    }
    coverage
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel(aspect: &str, section: i32, judges: &[&str]) -> Panel {
        Panel {
            aspect_id: aspect.into(),
            section_index: section,
            judges: judges.iter().map(|j| j.to_string()).collect(),
        }
    }

    fn names(judges: &[&str]) -> Vec<String> {
        judges.iter().map(|j| j.to_string()).collect()
    }

    #[test]
    fn a_cell_whose_whole_panel_stands_aside_gets_a_substitute_from_the_section_first() {
        // Measurement 2.1.1 is marked by A alone; A works where station 3 comes from.
        let panels = vec![panel("m", 1, &["a"]), panel("j", 1, &["a", "b", "c"]), panel("t", 0, &["d"])];
        let recused = HashMap::from([("a".to_string(), HashSet::from([3]))]);
        let coverage = plan_covers(&panels, &[1, 2, 3], &names(&["a", "b", "c", "d"]), &recused, &HashMap::new());
        // The judgement aspect keeps two judges at station 3: no cover needed there.
        assert_eq!(coverage.covers, vec![Cover { aspect_id: "m".into(), station: 3, judge: "b".into() }]);
        assert!(coverage.uncovered.is_empty());
        assert!(coverage.is_cover("m", 3, "b") && !coverage.is_cover("m", 3, "c"));
    }

    #[test]
    fn the_judge_who_already_marked_the_cell_keeps_it_and_covers_are_shared_out() {
        let panels = vec![panel("m", 1, &["a"]), panel("n", 1, &["a"])];
        let recused = HashMap::from([("a".to_string(), HashSet::from([3]))]);
        let marked = HashMap::from([(("m".to_string(), 3), vec!["c".to_string()])]);
        let coverage = plan_covers(&panels, &[1, 2, 3], &names(&["a", "b", "c"]), &recused, &marked);
        assert_eq!(coverage.covers[0], Cover { aspect_id: "m".into(), station: 3, judge: "c".into() });
        // The next cover goes to the judge with fewer covers.
        assert_eq!(coverage.covers[1], Cover { aspect_id: "n".into(), station: 3, judge: "b".into() });
    }

    #[test]
    fn a_cell_nobody_may_mark_is_reported_and_unassigned_aspects_are_not_covered() {
        let panels = vec![panel("m", 1, &["a"]), panel("x", 1, &[])];
        let recused = HashMap::from([("a".to_string(), HashSet::from([2])), ("b".to_string(), HashSet::from([2]))]);
        let coverage = plan_covers(&panels, &[1, 2], &names(&["a", "b"]), &recused, &HashMap::new());
        assert!(coverage.covers.is_empty());
        assert_eq!(coverage.uncovered, vec![("m".to_string(), 2)]);
    }

    #[test]
    fn only_signed_and_locked_marks_are_final() {
        assert!(MarkStatus::Signed.is_final() && MarkStatus::Locked.is_final());
        assert!(!MarkStatus::Submitted.is_final() && !MarkStatus::Flagged.is_final());
        assert_eq!(MarkStatus::parse("rescore_requested"), None);
        assert_eq!(FlagStatus::parse("rescore_requested"), Some(FlagStatus::RescoreRequested));
    }
}
