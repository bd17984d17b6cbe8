//! Time to solution from a synthetic experiment whose answer is worked out here by
//! hand: 20 tasks of 1,000 steps, 10 of which reach the optimum at steps chosen below.
//!
//! p(s) is counted from the list, TTS99(s) = s ln(0.01) / ln(1 - p(s)) is written out
//! per step, the minimum is read off the hand table, and the bootstrap interval is
//! recomputed directly from its documented recipe (ChaCha8 seeded with
//! `BOOTSTRAP_SEED + group`, index `(x * n) >> 64`, percentiles at sorted positions
//! 25 and 974 of 1,000).

use kiln::sweep::summary::Timing;
use kiln::sweep::tts::{BOOTSTRAP_SAMPLES, BOOTSTRAP_SEED, TimeToSolution, tts99};
use kiln::sweep::{Plan, PlanLimits, Summary, TaskRecord, TaskRef, TaskResult};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

/// Steps of every task.
const RUN: u64 = 1_000;
/// First step at the optimum of the 10 tasks that reach it (two at 100).
const REACHED: [u64; 10] = [50, 100, 100, 200, 300, 400, 500, 600, 800, 900];

/// The 20 tasks: the 10 above, then 10 that never reach the optimum.
fn reached_at() -> Vec<Option<u64>> {
    REACHED.iter().map(|&s| Some(s)).chain(std::iter::repeat_n(None, 10)).collect()
}

/// (s, p(s), TTS99(s)) by hand: p rises by 1/20 per task reached by step s.
fn hand_table() -> Vec<(u64, f64, f64)> {
    let ln01 = 0.01f64.ln();
    vec![
        (50, 0.05, 50.0 * ln01 / 0.95f64.ln()),
        (100, 0.15, 100.0 * ln01 / 0.85f64.ln()),
        (200, 0.20, 200.0 * ln01 / 0.80f64.ln()),
        (300, 0.25, 300.0 * ln01 / 0.75f64.ln()),
        (400, 0.30, 400.0 * ln01 / 0.70f64.ln()),
        (500, 0.35, 500.0 * ln01 / 0.65f64.ln()),
        (600, 0.40, 600.0 * ln01 / 0.60f64.ln()),
        (800, 0.45, 800.0 * ln01 / 0.55f64.ln()),
        (900, 0.50, 900.0 * ln01 / 0.50f64.ln()),
        (1000, 0.50, 1000.0 * ln01 / 0.50f64.ln()),
    ]
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn p_and_tts99_equal_the_hand_computed_table() {
    let tts = TimeToSolution::new(0, &reached_at(), RUN).expect("judged tasks");
    assert_eq!((tts.judged, tts.reached), (20, 10));
    let table = hand_table();
    assert_eq!(tts.curve.len(), table.len(), "{:?}", tts.curve);
    for (point, (s, p, t)) in tts.curve.iter().zip(&table) {
        assert_eq!(point.steps, *s);
        assert!(close(point.p, *p), "p({s}) = {} not {p}", point.p);
        assert!(close(point.tts99.unwrap(), *t), "TTS99({s}) = {:?} not {t}", point.tts99);
    }
}

#[test]
fn the_minimum_tts99_is_at_100_steps() {
    // From the hand table: about 4489, 2834, 4128, 4802, ... the smallest is at s = 100.
    let tts = TimeToSolution::new(0, &reached_at(), RUN).unwrap();
    assert_eq!(tts.min_tts99_steps, Some(100));
    let expected = 100.0 * 0.01f64.ln() / 0.85f64.ln();
    assert!(close(tts.min_tts99.unwrap(), expected), "{:?} vs {expected}", tts.min_tts99);
    assert!((expected - 2833.6).abs() < 0.1);
}

#[test]
fn the_bootstrap_interval_equals_a_direct_resampling() {
    let group = 3;
    let tasks = reached_at();
    let n = tasks.len();
    let tts = TimeToSolution::new(group, &tasks, RUN).unwrap();
    assert_eq!(tts.bootstrap_seed, BOOTSTRAP_SEED + group);
    let mut rng = ChaCha8Rng::seed_from_u64(BOOTSTRAP_SEED + group);
    let mut per_point: Vec<Vec<f64>> = vec![Vec::new(); tts.curve.len()];
    for _ in 0..BOOTSTRAP_SAMPLES {
        let sample: Vec<Option<u64>> =
            (0..n).map(|_| tasks[((u128::from(rng.next_u64()) * n as u128) >> 64) as usize]).collect();
        for (k, point) in tts.curve.iter().enumerate() {
            let within = sample.iter().filter(|r| r.is_some_and(|s| s <= point.steps)).count();
            per_point[k].push(within as f64 / n as f64);
        }
    }
    for (k, point) in tts.curve.iter().enumerate() {
        per_point[k].sort_by(f64::total_cmp);
        assert_eq!((point.p_low, point.p_high), (per_point[k][25], per_point[k][974]), "s = {}", point.steps);
        assert!(point.p_low <= point.p && point.p <= point.p_high, "{point:?}");
    }
    // A sanity bound by hand: with 10 of 20 reached, the final interval is about 0.5 +- 0.22.
    let last = tts.curve.last().unwrap();
    assert!(last.p_low >= 0.2 && last.p_high <= 0.8, "{last:?}");
}

#[test]
fn certain_success_is_one_run_and_no_success_has_no_tts() {
    assert_eq!(tts99(700, 1.0), Some(700.0));
    assert_eq!(tts99(700, 0.995), Some(700.0), "p >= 0.99: one run is enough");
    assert_eq!(tts99(700, 0.0), None);
    let none = TimeToSolution::new(0, &[None, None, None], RUN).unwrap();
    assert_eq!((none.min_tts99, none.min_tts99_steps), (None, None));
    assert!(none.curve.iter().all(|p| p.p == 0.0 && p.tts99.is_none() && p.p_high == 0.0));
    assert_eq!(TimeToSolution::new(0, &[], RUN), None);
}

/// The same ensemble as task records of a two-set plan: the second set's tasks know
/// no optimum, so it reports the best-energy distribution and no time to solution.
#[test]
fn a_summary_reports_tts_per_set_with_an_optimum_and_the_distribution_otherwise() {
    let plan = Plan::parse(&json!({"vary": {"x": [1, 2]}, "seeds": 20}), &PlanLimits::default()).unwrap();
    let mut records = Vec::new();
    for (seed, reached) in reached_at().into_iter().enumerate() {
        let seed = seed as u64;
        let judged = TaskResult::new(10.0, 0, RUN);
        let judged = match reached {
            Some(s) => TaskResult { best_energy: 7.0, best_step: s, ..judged }.against_optimum(7.0, true),
            None => TaskResult { best_energy: 8.0 + (seed % 2) as f64, ..judged }.against_optimum(7.0, true),
        };
        records.push(TaskRecord::new(TaskRef { id: seed * 2, group: 0, seed }, Ok(judged), 1.0, 0));
        let unjudged = TaskResult::new(5.0 + (seed % 3) as f64, 9, RUN);
        records.push(TaskRecord::new(TaskRef { id: seed * 2 + 1, group: 1, seed }, Ok(unjudged), 1.0, 0));
    }
    let timing = Timing { wall_ms: 1.0, started_at: 0, finished_at: 1 };
    let summary = Summary::new(&plan, None, &records, 40.0, timing);
    let (with, without) = (&summary.groups[0], &summary.groups[1]);
    let tts = with.time_to_solution.as_ref().expect("set 0 knows its optimum");
    assert_eq!(tts, &TimeToSolution::new(0, &reached_at(), RUN).unwrap());
    assert_eq!((with.reached_count, with.judged_count, with.success_rate), (10, 20, Some(0.5)));
    assert_eq!(with.best_energy_counts, vec![(7.0, 10), (8.0, 5), (9.0, 5)]);
    assert_eq!(without.time_to_solution, None);
    assert_eq!(without.success_rate, None);
    assert_eq!(without.best_energy_counts, vec![(5.0, 7), (6.0, 7), (7.0, 6)]);
    assert!(records.iter().filter(|r| r.group == 1).all(|r| r.reached_optimum.is_none()));
}
