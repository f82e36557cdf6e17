//! Score review (复核) before decryption: every current top-10 score and a random ≥ 15 % of the
//! rest are re-checked; more than 5 % of checks finding a discrepancy requires a full review
//! (DESIGN §6).

use super::draw::seeded_permutation;
use crate::string_enum;

/// Always re-checked: the stations ranked 1 to 10.
pub const TOP_ALWAYS: usize = 10;
/// At least this share of the other stations, drawn at random.
pub const SAMPLE_SHARE: f64 = 0.15;
/// Above this share of discrepancies among the checks, everything is reviewed.
pub const MAX_ERROR_RATE: f64 = 0.05;

string_enum! {
    pub enum SampleReason {
        /// Among the current top 10.
        Top = "top",
        /// Drawn at random from the rest.
        Random = "random",
        /// Added when the error rate required a full review.
        Full = "full",
    }
}

/// The review sample for stations ranked best first: the top 10, and ⌈15 %⌉ of the rest chosen by
/// the seed (reproducible).
pub fn draw_review_sample(ranked: &[i32], seed: &[u8]) -> Vec<(i32, SampleReason)> {
    let top = ranked.len().min(TOP_ALWAYS);
    let mut sample: Vec<(i32, SampleReason)> = ranked[..top].iter().map(|s| (*s, SampleReason::Top)).collect();
    let rest = &ranked[top..];
    let wanted = (rest.len() as f64 * SAMPLE_SHARE).ceil() as usize;
    let order = seeded_permutation(seed, "review", rest.len());
    let mut chosen: Vec<i32> = order.iter().take(wanted).map(|i| rest[(*i - 1) as usize]).collect();
    chosen.sort_unstable();
    sample.extend(chosen.into_iter().map(|s| (s, SampleReason::Random)));
    sample
}

/// Whether the discrepancies found so far require reviewing every station.
pub fn full_review_required(checked: usize, discrepancies: usize) -> bool {
    checked > 0 && discrepancies as f64 / checked as f64 > MAX_ERROR_RATE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_ten_are_always_sampled_and_fifteen_percent_of_the_rest_at_random() {
        let ranked: Vec<i32> = (1..=60).collect();
        let sample = draw_review_sample(&ranked, b"seed-1");
        let top: Vec<i32> = sample.iter().filter(|(_, r)| *r == SampleReason::Top).map(|(s, _)| *s).collect();
        assert_eq!(top, (1..=10).collect::<Vec<_>>());
        let random: Vec<i32> = sample.iter().filter(|(_, r)| *r == SampleReason::Random).map(|(s, _)| *s).collect();
        assert_eq!(random.len(), 8, "⌈15 % of 50⌉ = 8");
        assert!(random.iter().all(|s| *s > 10));
        // The seed reproduces it; another seed draws others.
        assert_eq!(sample, draw_review_sample(&ranked, b"seed-1"));
        assert_ne!(sample, draw_review_sample(&ranked, b"seed-2"));
    }

    #[test]
    fn small_fields_are_reviewed_whole_at_the_top_and_at_least_one_more() {
        let sample = draw_review_sample(&[7, 3, 9], b"s");
        assert_eq!(sample.len(), 3);
        let eleven: Vec<i32> = (1..=11).collect();
        assert_eq!(draw_review_sample(&eleven, b"s").len(), 11, "⌈15 % of 1⌉ = 1");
        assert!(draw_review_sample(&[], b"s").is_empty());
    }

    #[test]
    fn more_than_five_percent_discrepancies_require_a_full_review() {
        assert!(!full_review_required(20, 1), "5 % exactly is tolerated");
        assert!(full_review_required(20, 2));
        assert!(!full_review_required(0, 0));
    }
}
