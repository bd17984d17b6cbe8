//! Time to solution: how many steps it takes to reach a known optimum with 99 %
//! confidence, from an ensemble of independent runs (Ronnow et al., "Defining and
//! detecting quantum speedup", Science 345, 420 (2014)).
//!
//! For one parameter set, of `n` judged tasks (completed runs of an instance with a
//! known optimum), `p(s)` is the fraction that reached the optimum within `s` steps
//! (a task's first step at the optimum is at most `s`). Repeating a run of `s` steps
//! `R(s) = ln(0.01) / ln(1 - p(s))` times reaches the optimum at least once with
//! probability 0.99, so `TTS99(s) = s * R(s)` steps. Two conventions where the formula
//! breaks down: `R` is at least one run (`p(s) >= 0.99` gives `TTS99(s) = s`), and
//! `p(s) = 0` gives no finite TTS (null).
//!
//! `p(s)` is a step function that rises only at the steps where some task reached the
//! optimum; between two rises `TTS99` grows in proportion to `s`. So the minimum of
//! `TTS99` over every `s` is attained at one of those steps, and [`TimeToSolution::new`]
//! finds it exactly by trying each one.
//!
//! The curve is reported at those steps (at most [`MAX_CURVE_POINTS`] of them, spread
//! evenly in log steps, always with the minimum's step and the run's last step), each
//! with a 95 % percentile bootstrap interval of `p(s)`: [`BOOTSTRAP_SAMPLES`]
//! resamples of the `n` tasks with replacement, each task drawn as index
//! `(x * n) >> 64` of the next `u64` `x` of a ChaCha8 generator seeded with
//! [`BOOTSTRAP_SEED`] plus the group's index; the interval is the resampled values
//! sorted ascending at indices `floor(0.025 B)` and `ceil(0.975 B) - 1`. Fixed seeds
//! make every summary reproducible, byte for byte.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The confidence target of TTS99.
pub const TARGET: f64 = 0.99;
/// Bootstrap resamples per interval.
pub const BOOTSTRAP_SAMPLES: usize = 1_000;
/// Seed of the bootstrap generator (the group's index is added to it).
pub const BOOTSTRAP_SEED: u64 = 0x7715;
/// Most points of a reported curve.
pub const MAX_CURVE_POINTS: usize = 200;

/// `p(s)` and `TTS99(s)` at one step count `s`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TtsPoint {
    /// `s`, in steps.
    pub steps: u64,
    /// Fraction of the judged tasks that reached the optimum within `s` steps.
    pub p: f64,
    /// Lower end of the 95 % bootstrap interval of `p`.
    pub p_low: f64,
    /// Upper end of the 95 % bootstrap interval of `p`.
    pub p_high: f64,
    /// `TTS99(s)` in steps; null when `p` is 0.
    pub tts99: Option<f64>,
}

/// Time to solution of one parameter set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeToSolution {
    /// Tasks judged (completed, with a known optimum).
    pub judged: u64,
    /// Of which reached the optimum.
    pub reached: u64,
    /// `p(s)` and `TTS99(s)` at the steps where `p` rises, and at the run's last step.
    pub curve: Vec<TtsPoint>,
    /// The smallest `TTS99(s)` over every `s`, in steps; null when no task reached it.
    pub min_tts99: Option<f64>,
    /// The `s` where that minimum is reached.
    pub min_tts99_steps: Option<u64>,
    /// Bootstrap resamples behind `p_low` and `p_high`.
    pub bootstrap_samples: u64,
    /// The bootstrap generator's seed.
    pub bootstrap_seed: u64,
}

/// `TTS99(s)` for a success probability `p` within `s` steps (see the module doc).
pub fn tts99(steps: u64, p: f64) -> Option<f64> {
    if p <= 0.0 {
        return None;
    }
    let runs = if p >= TARGET { 1.0 } else { ((1.0 - TARGET).ln() / (1.0 - p).ln()).max(1.0) };
    Some(steps as f64 * runs)
}

impl TimeToSolution {
    /// From the judged tasks of group `group`: per task, the first step at the
    /// optimum (`None`: not reached); `run_steps` is the tasks' length (the last
    /// point of the curve). `None` when no task was judged.
    pub fn new(group: u64, reached_at: &[Option<u64>], run_steps: u64) -> Option<Self> {
        let n = reached_at.len();
        if n == 0 {
            return None;
        }
        let mut steps: Vec<u64> = reached_at.iter().flatten().copied().collect();
        steps.sort_unstable();
        let reached = steps.len();
        let p_within = |s: u64| steps.partition_point(|&x| x <= s) as f64 / n as f64;

        let mut rises: Vec<u64> = steps.clone();
        rises.dedup();
        let best = rises
            .iter()
            .filter_map(|&s| tts99(s, p_within(s)).map(|t| (s, t)))
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));

        let last = run_steps.max(rises.last().copied().unwrap_or(0));
        let mut at = thin(&rises, MAX_CURVE_POINTS.saturating_sub(2));
        at.extend(best.map(|b| b.0));
        at.push(last);
        at.sort_unstable();
        at.dedup();

        let seed = BOOTSTRAP_SEED.wrapping_add(group);
        let (low, high) = bootstrap(reached_at, &at, seed);
        let curve = at
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let p = p_within(s);
                TtsPoint { steps: s, p, p_low: low[i], p_high: high[i], tts99: tts99(s, p) }
            })
            .collect();
        Some(TimeToSolution {
            judged: n as u64,
            reached: reached as u64,
            curve,
            min_tts99: best.map(|b| b.1),
            min_tts99_steps: best.map(|b| b.0),
            bootstrap_samples: BOOTSTRAP_SAMPLES as u64,
            bootstrap_seed: seed,
        })
    }
}

/// At most `max` of the sorted `values`, spread evenly in log scale (all if few).
fn thin(values: &[u64], max: usize) -> Vec<u64> {
    if values.len() <= max {
        return values.to_vec();
    }
    let log = |v: u64| ((v as f64) + 1.0).ln();
    let (lo, hi) = (log(values[0]), log(values[values.len() - 1]));
    let mut out: Vec<u64> = (0..max)
        .map(|k| {
            let target = lo + (hi - lo) * k as f64 / (max - 1) as f64;
            values[values.partition_point(|&v| log(v) < target).min(values.len() - 1)]
        })
        .collect();
    out.dedup();
    out
}

/// The 95 % percentile bootstrap interval of `p(s)` at each of the sorted steps `at`.
fn bootstrap(reached_at: &[Option<u64>], at: &[u64], seed: u64) -> (Vec<f64>, Vec<f64>) {
    let n = reached_at.len();
    // Each task's first curve point at or after its step (at.len(): never).
    let slot: Vec<usize> =
        reached_at.iter().map(|r| r.map_or(at.len(), |s| at.partition_point(|&a| a < s))).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut samples: Vec<Vec<f64>> = vec![Vec::with_capacity(BOOTSTRAP_SAMPLES); at.len()];
    let mut counts = vec![0u32; at.len() + 1];
    for _ in 0..BOOTSTRAP_SAMPLES {
        counts.iter_mut().for_each(|c| *c = 0);
        for _ in 0..n {
            let i = ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize;
            counts[slot[i]] += 1;
        }
        let mut within = 0u32;
        for (k, sample) in samples.iter_mut().enumerate() {
            within += counts[k];
            sample.push(f64::from(within) / n as f64);
        }
    }
    let lo_index = (0.025 * BOOTSTRAP_SAMPLES as f64).floor() as usize;
    let hi_index = (0.975 * BOOTSTRAP_SAMPLES as f64).ceil() as usize - 1;
    samples
        .into_iter()
        .map(|mut s| {
            s.sort_by(f64::total_cmp);
            (s[lo_index], s[hi_index])
        })
        .unzip()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tts_is_one_run_at_certainty_and_none_at_zero() {
        assert_eq!(tts99(500, 1.0), Some(500.0));
        assert_eq!(tts99(500, 0.0), None);
        // p = 0.9: ln(0.01)/ln(0.1) = 2 runs exactly.
        assert!((tts99(500, 0.9).unwrap() - 1000.0).abs() < 1e-9);
    }

    #[test]
    fn thinning_keeps_both_ends_and_the_bound() {
        let values: Vec<u64> = (1..=10_000).collect();
        let thinned = thin(&values, 50);
        assert!(thinned.len() <= 50);
        assert_eq!(thinned.first(), Some(&1));
        assert_eq!(thinned.last(), Some(&10_000));
    }
}
