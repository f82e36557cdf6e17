//! The draw (抽签): draw numbers and station numbers from a random seed. The seed is kept, so
//! anyone allowed to see it can reproduce the draw exactly; without it the numbers are
//! unpredictable.

use sha2::{Digest, Sha256};

pub const ALGORITHM: &str = "sha256-ctr-fisher-yates-v1";

/// A deterministic stream of 64-bit numbers: SHA-256 of (seed, label, counter).
struct Stream<'a> {
    seed: &'a [u8],
    label: &'a str,
    counter: u64,
    buffer: Vec<u64>,
}

impl Stream<'_> {
    fn next_u64(&mut self) -> u64 {
        if self.buffer.is_empty() {
            let mut hasher = Sha256::new();
            hasher.update(self.seed);
            hasher.update(self.label.as_bytes());
            hasher.update(self.counter.to_be_bytes());
            self.counter += 1;
            let digest = hasher.finalize();
            self.buffer = digest.chunks(8).map(|c| u64::from_be_bytes(c.try_into().unwrap_or([0; 8]))).rev().collect();
        }
        self.buffer.pop().unwrap_or_default()
    }

    /// Uniform in 0..bound, without modulo bias.
    fn below(&mut self, bound: u64) -> u64 {
        let zone = u64::MAX - (u64::MAX % bound);
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % bound;
            }
        }
    }
}

/// A permutation of 1..=n, determined by the seed and a label.
pub fn seeded_permutation(seed: &[u8], label: &str, n: usize) -> Vec<i32> {
    let mut numbers: Vec<i32> = (1..=n as i32).collect();
    let mut stream = Stream { seed, label, counter: 0, buffer: Vec::new() };
    for i in (1..n).rev() {
        let j = stream.below(i as u64 + 1) as usize;
        numbers.swap(i, j);
    }
    numbers
}

/// The two layers of a draw for the given contestants (in a stable order, e.g. by id):
/// (contestant, draw number, station number).
pub fn draw<'a>(seed: &[u8], contestants: &'a [String]) -> Vec<(&'a str, i32, i32)> {
    let entries: Vec<(String, usize)> = contestants.iter().map(|c| (c.clone(), 1)).collect();
    draw_seats(seed, &entries)
        .into_iter()
        .zip(contestants)
        .map(|((_, draw_number, stations), id)| (id.as_str(), draw_number, stations[0]))
        .collect()
}

/// The draw where an entry may work several stations (a team whose members each work their
/// own): (entry, draw number, its stations). Entries take blocks of the station permutation in
/// draw-number order, so with one station each it is exactly `draw`.
pub fn draw_seats(seed: &[u8], entries: &[(String, usize)]) -> Vec<(String, i32, Vec<i32>)> {
    let draw_numbers = seeded_permutation(seed, "draw", entries.len());
    let seats: usize = entries.iter().map(|(_, n)| n).sum();
    let stations = seeded_permutation(seed, "station", seats);
    // Where each draw number's block starts.
    let mut by_draw: Vec<usize> = vec![0; entries.len()];
    for ((_, n), d) in entries.iter().zip(&draw_numbers) {
        by_draw[(*d - 1) as usize] = *n;
    }
    let mut start = vec![0; entries.len()];
    for d in 1..entries.len() {
        start[d] = start[d - 1] + by_draw[d - 1];
    }
    entries
        .iter()
        .zip(draw_numbers)
        .map(|((id, n), draw_number)| {
            let from = start[(draw_number - 1) as usize];
            (id.clone(), draw_number, stations[from..from + n].to_vec())
        })
        .collect()
}

/// 准考证号: year, the competition's series in that year, the event's position in the competition,
/// and a serial: `2026` `0003` `007` `0012`.
pub fn ticket_number(year: i32, series: i32, event_ordinal: usize, serial: usize) -> String {
    format!("{year}{series:04}{event_ordinal:03}{serial:04}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_permutation_uses_every_number_once_and_the_seed_reproduces_it() {
        let seed = b"0123456789abcdef0123456789abcdef";
        let p = seeded_permutation(seed, "draw", 60);
        let mut sorted = p.clone();
        sorted.sort();
        assert_eq!(sorted, (1..=60).collect::<Vec<_>>());
        assert_eq!(p, seeded_permutation(seed, "draw", 60));
        assert_ne!(p, seeded_permutation(b"another seed another seed 012345", "draw", 60));
        assert_ne!(p, seeded_permutation(seed, "station", 60));
        assert!(seeded_permutation(seed, "draw", 0).is_empty());
    }

    #[test]
    fn the_draw_maps_each_contestant_to_one_draw_number_and_one_station() {
        let ids: Vec<String> = (0..30).map(|i| format!("r{i}")).collect();
        let result = draw(b"seed", &ids);
        let mut draws: Vec<i32> = result.iter().map(|r| r.1).collect();
        let mut stations: Vec<i32> = result.iter().map(|r| r.2).collect();
        draws.sort();
        stations.sort();
        assert_eq!(draws, (1..=30).collect::<Vec<_>>());
        assert_eq!(stations, (1..=30).collect::<Vec<_>>());
        assert_eq!(result, draw(b"seed", &ids));
    }

    #[test]
    fn teams_whose_members_work_their_own_stations_get_one_block_each() {
        let entries: Vec<(String, usize)> = (0..8).map(|i| (format!("t{i}"), 3)).collect();
        let result = draw_seats(b"seed", &entries);
        let mut stations: Vec<i32> = result.iter().flat_map(|r| r.2.clone()).collect();
        stations.sort();
        assert_eq!(stations, (1..=24).collect::<Vec<_>>(), "every station once");
        assert!(result.iter().all(|r| r.2.len() == 3));
        // With one station each it is the individual draw as it always was (draws already held
        // reproduce from their seeds): the station permutation read at the draw number.
        let single: Vec<(String, usize)> = (0..30).map(|i| (format!("r{i}"), 1)).collect();
        let draws = seeded_permutation(b"seed", "draw", 30);
        let stations = seeded_permutation(b"seed", "station", 30);
        for (i, (_, d, s)) in draw_seats(b"seed", &single).into_iter().enumerate() {
            assert_eq!((d, s), (draws[i], vec![stations[(draws[i] - 1) as usize]]));
        }
    }

    #[test]
    fn every_position_is_about_equally_likely() {
        // 3,000 draws of 3: each number lands first about a third of the time.
        let mut first = [0; 3];
        for i in 0..3000u32 {
            first[(seeded_permutation(&i.to_be_bytes(), "draw", 3)[0] - 1) as usize] += 1;
        }
        assert!(first.iter().all(|&n| (850..=1150).contains(&n)), "{first:?}");
    }

    #[test]
    fn ticket_numbers_have_a_fixed_shape() {
        assert_eq!(ticket_number(2026, 3, 7, 12), "202600030070012");
    }
}
