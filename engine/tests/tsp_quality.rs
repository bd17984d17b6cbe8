//! Tour quality at the default budgets. Optimal lengths: TSPLIB's table (G. Reinelt,
//! ORSA J. Computing 3(4):376-384, 1991), as bundled.
//!
//! Two ways of annealing a tour, each with its own defaults:
//! * large steps ([`LargeSteps::default_config`] over [`LargeSteps::default_steps`]),
//!   what a headless run (`kiln run`) uses up to 10,000 cities: the optimum of
//!   berlin52, kroA100 and ch150 for most seeds, close to it on larger instances;
//! * plain 2-opt and or-opt moves ([`Tsp::default_config`] over
//!   [`Tsp::default_steps`]), what a live session shows: the optimum of berlin52 and
//!   kroA100 for most seeds, within 2% of pcb442's and 3% of pr1002's.
//!
//! Each run is deterministic, so these are exact statements about fixed seeds; the
//! seeds of one instance run on parallel threads.

use kiln_engine::problems::tsp::{
    DEFAULT_MAX_SECONDS, DEFAULT_MIN_STEPS, LargeSteps, Layout, MAX_CITIES, Tsp,
};
use kiln_engine::{AnnealConfig, Annealer, Batch, Problem};

/// How a tour is annealed.
#[derive(Clone, Copy, Debug)]
enum Moves {
    /// One 2-opt or or-opt move per step.
    Plain,
    /// A kick and a descent per step.
    Large,
}

/// Best length of a default run per seed.
fn best_lengths(tsp: &Tsp, moves: Moves, seeds: &[u64]) -> Vec<u64> {
    std::thread::scope(|scope| {
        let runs: Vec<_> = seeds
            .iter()
            .map(|&seed| {
                scope.spawn(move || match moves {
                    Moves::Plain => best_length(tsp.clone(), tsp.default_config(seed), tsp.default_steps()),
                    Moves::Large => {
                        let large = LargeSteps::new(tsp.clone()).unwrap();
                        let (config, steps) = (large.default_config(seed), large.default_steps());
                        best_length(large, config, steps)
                    }
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    })
}

fn best_length<P: Problem>(problem: P, config: AnnealConfig, steps: u64) -> u64 {
    // Batch size never changes the trajectory (tsp_determinism), and one candidate
    // per step avoids speculative work on threads the other seeds already keep busy.
    let config = AnnealConfig { batch: Batch::Fixed(1), ..config };
    let mut sa = Annealer::new(problem, config).unwrap();
    sa.run(u64::MAX);
    assert_eq!(sa.steps_done(), steps);
    assert_eq!(sa.recomputed_energy(), sa.current_energy(), "running length drifted");
    sa.best_energy() as u64
}

fn assert_optimal_for_most_seeds(name: &str, moves: Moves) {
    let tsp = Tsp::bundled(name).unwrap();
    let optimum = tsp.optimal_length().unwrap();
    let lengths = best_lengths(&tsp, moves, &[1, 2, 3, 4, 5]);
    assert!(lengths.iter().all(|&l| l >= optimum), "{name}: {lengths:?} below the optimum {optimum}");
    let optimal = lengths.iter().filter(|&&l| l == optimum).count();
    assert!(
        optimal >= 3,
        "{name} ({moves:?}): optimum {optimum} reached by {optimal} of 5 seeds: {lengths:?}"
    );
}

fn assert_within(name: &str, moves: Moves, seed: u64, gap: f64) {
    let tsp = Tsp::bundled(name).unwrap();
    let optimum = tsp.optimal_length().unwrap();
    let best = best_lengths(&tsp, moves, &[seed])[0];
    let actual = best as f64 / optimum as f64 - 1.0;
    assert!(
        best >= optimum && actual <= gap,
        "{name} ({moves:?}): {best} is {:.2}% above {optimum}",
        actual * 100.0
    );
}

#[test]
fn berlin52_large_step_run_is_optimal_for_at_least_3_of_5_seeds() {
    assert_optimal_for_most_seeds("berlin52", Moves::Large);
}

#[test]
fn kroa100_large_step_run_is_optimal_for_at_least_3_of_5_seeds() {
    assert_optimal_for_most_seeds("kroA100", Moves::Large);
}

#[test]
fn ch150_large_step_run_is_optimal_for_at_least_3_of_5_seeds() {
    assert_optimal_for_most_seeds("ch150", Moves::Large);
}

#[test]
fn pcb442_large_step_run_is_within_2_percent_of_optimal() {
    assert_within("pcb442", Moves::Large, 1, 0.02);
}

#[test]
fn pr1002_large_step_run_is_within_3_percent_of_optimal() {
    assert_within("pr1002", Moves::Large, 1, 0.03);
}

/// Issue #25's mark: within 0.1% of TSPLIB's optimum, here at the default budget
/// (about 4.4 s of one core), for the median of seeds 1-3.
#[test]
fn pcb442_large_step_runs_are_within_a_tenth_of_a_percent_for_the_median_of_3_seeds() {
    let tsp = Tsp::bundled("pcb442").unwrap();
    let optimum = tsp.optimal_length().unwrap();
    let mut lengths = best_lengths(&tsp, Moves::Large, &[1, 2, 3]);
    lengths.sort_unstable();
    let median = lengths[1] as f64 / optimum as f64 - 1.0;
    assert!(lengths[0] >= optimum && median <= 0.001, "pcb442: {lengths:?} against {optimum}");
}

#[test]
fn berlin52_plain_run_is_optimal_for_at_least_3_of_5_seeds() {
    assert_optimal_for_most_seeds("berlin52", Moves::Plain);
}

#[test]
fn kroa100_plain_run_is_optimal_for_at_least_3_of_5_seeds() {
    assert_optimal_for_most_seeds("kroA100", Moves::Plain);
}

#[test]
// Plain moves settle ch150 in a few tours of 6546-6559 (one of 6554, 19 edges off the
// optimum, for many seeds): the macro route is chosen near T = 5-10 by many small
// steps. Over 30 seeds (11-40), geometric between 33 and 3.2: 1 of 30 optimal at the
// default budget, 9 of 30 at 4x; windows [20, 3], [12, 4], [10, 5]: 6, 4, 6 of 30.
// Large steps (above) reach it for 5 of 5.
#[ignore = "not met with plain moves: 1 of 5 seeds (6553 6559 6555 6528 6549); large steps meet it"]
fn ch150_plain_run_is_optimal_for_at_least_3_of_5_seeds() {
    assert_optimal_for_most_seeds("ch150", Moves::Plain);
}

#[test]
fn pcb442_plain_run_is_within_2_percent_of_optimal() {
    assert_within("pcb442", Moves::Plain, 1, 0.02);
}

#[test]
fn pr1002_plain_run_is_within_3_percent_of_optimal() {
    assert_within("pr1002", Moves::Plain, 1, 0.03);
}

#[test]
fn the_default_budget_grows_with_size_up_to_a_bound() {
    let tsp = |n| Tsp::random(n, Layout::Uniform, 1).unwrap();
    let seconds = |t: &Tsp| t.expected_seconds(t.default_steps());
    // About a second per 100 cities...
    for n in [200, 500, 1_000] {
        assert!((seconds(&tsp(n)) - n as f64 / 100.0).abs() < 0.01, "{n} cities: {} s", seconds(&tsp(n)));
    }
    assert!(tsp(1_000).default_steps() > tsp(500).default_steps());
    // ...at least a million steps, and at most the bound, however large.
    assert_eq!(tsp(5).default_steps(), DEFAULT_MIN_STEPS);
    assert!((seconds(&tsp(MAX_CITIES)) - DEFAULT_MAX_SECONDS).abs() < 0.01);
    assert!((seconds(&tsp(20_000)) - DEFAULT_MAX_SECONDS).abs() < 0.01);
}
