//! Summaries of an event's scores, for organisers and the plan dashboard.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ScoreSummary {
    pub count: usize,
    pub mean: f64,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    /// Counts per 10-point band, lowest first: [0,10), [10,20), … [90,100].
    pub bands: Vec<usize>,
}

/// Count, mean, median, extremes and 10-point bands of scores out of 100.
pub fn summarise(scores: &[f64]) -> ScoreSummary {
    let mut sorted = scores.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let n = sorted.len();
    let median = match n {
        0 => 0.0,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    };
    let mut bands = vec![0; 10];
    for s in &sorted {
        bands[((s / 10.0).floor().clamp(0.0, 9.0)) as usize] += 1;
    }
    ScoreSummary {
        count: n,
        mean: if n == 0 { 0.0 } else { sorted.iter().sum::<f64>() / n as f64 },
        median,
        min: sorted.first().copied().unwrap_or(0.0),
        max: sorted.last().copied().unwrap_or(0.0),
        bands,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_summarised_into_ten_point_bands() {
        let s = summarise(&[55.0, 72.5, 88.0, 100.0, 91.0]);
        assert_eq!((s.count, s.median, s.min, s.max), (5, 88.0, 55.0, 100.0));
        assert!((s.mean - 81.3).abs() < 1e-9);
        assert_eq!(s.bands, [0, 0, 0, 0, 0, 1, 0, 1, 1, 2], "100 falls in the top band");
        assert_eq!(summarise(&[]).count, 0);
        assert_eq!(summarise(&[60.0, 70.0]).median, 65.0);
    }
}
