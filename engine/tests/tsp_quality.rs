//! With its default settings ([`Tsp::default_config`] over [`Tsp::default_steps`])
//! SA reaches TSPLIB's optimal tours of the small instances for most seeds and ends
//! close to them on the larger ones. Optimal lengths: TSPLIB's table (G. Reinelt,
//! ORSA J. Computing 3(4):376-384, 1991), as bundled.
//!
//! Each run is deterministic, so these are exact statements about fixed seeds; the
//! seeds of one instance run on parallel threads.

use kiln_engine::problems::tsp::{DEFAULT_MAX_SECONDS, DEFAULT_MIN_STEPS, Layout, MAX_CITIES, Tsp};
use kiln_engine::{AnnealConfig, Annealer, Batch};

/// Best length of a default run per seed.
fn best_lengths(tsp: &Tsp, seeds: &[u64]) -> Vec<u64> {
    std::thread::scope(|scope| {
        let runs: Vec<_> = seeds
            .iter()
            .map(|&seed| {
                scope.spawn(move || {
                    // Batch size never changes the trajectory (tsp_determinism), and
                    // one candidate per step avoids speculative work on threads the
                    // other seeds already keep busy.
                    let config = AnnealConfig { batch: Batch::Fixed(1), ..tsp.default_config(seed) };
                    let mut sa = Annealer::new(tsp.clone(), config).unwrap();
                    sa.run(u64::MAX);
                    assert_eq!(sa.steps_done(), tsp.default_steps());
                    assert_eq!(sa.recomputed_energy(), sa.current_energy(), "running length drifted");
                    sa.best_energy() as u64
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    })
}

fn assert_optimal_for_most_seeds(name: &str) {
    let tsp = Tsp::bundled(name).unwrap();
    let optimum = tsp.optimal_length().unwrap();
    let lengths = best_lengths(&tsp, &[1, 2, 3, 4, 5]);
    assert!(lengths.iter().all(|&l| l >= optimum), "{name}: {lengths:?} below the optimum {optimum}");
    let optimal = lengths.iter().filter(|&&l| l == optimum).count();
    assert!(optimal >= 3, "{name}: optimum {optimum} reached by {optimal} of 5 seeds: {lengths:?}");
}

fn assert_within(name: &str, seed: u64, gap: f64) {
    let tsp = Tsp::bundled(name).unwrap();
    let optimum = tsp.optimal_length().unwrap();
    let best = best_lengths(&tsp, &[seed])[0];
    let actual = best as f64 / optimum as f64 - 1.0;
    assert!(best >= optimum && actual <= gap, "{name}: {best} is {:.2}% above {optimum}", actual * 100.0);
}

#[test]
fn berlin52_default_run_is_optimal_for_at_least_3_of_5_seeds() {
    assert_optimal_for_most_seeds("berlin52");
}

#[test]
fn kroa100_default_run_is_optimal_for_at_least_3_of_5_seeds() {
    assert_optimal_for_most_seeds("kroA100");
}

#[test]
// Not met yet. What was tried (tsp_survey, seeds 1-5), none reaching 3 of 5: auto's
// range narrowed (T0 x 0.015-0.05, T1 x 3-8), 4-10 reheated cycles, 4x the steps,
// k = 5 or 6 neighbours, uniform moves, and or-opt segments of any length whose far
// end is also drawn from a neighbour list (3-opt segment insertion). The runs settle
// in the same few tours of 6546-6559, which differ from the optimum in 12-22 edges
// spread over the tour, so the structure is chosen near T = 5-10, not at the end.
// Many seeds end in one and the same tour of 6554 (19 edges off the optimum: another
// route through the lower half of the map). Over 30 seeds (11-40), geometric between
// 33 and 3.2: 1 of 30 optimal at the default budget, 9 of 30 at 4x; windows [20, 3],
// [12, 4], [10, 5] at the default budget: 6, 4, 6 of 30. A parallel-tempering
// prototype with the same moves and steps (8 replicas, 20 to 2) reached 6 of 10.
#[ignore = "not met yet: 1 of 5 seeds (6553 6559 6555 6528 6549); runs settle at 6546-6559 (see above)"]
fn ch150_default_run_is_optimal_for_at_least_3_of_5_seeds() {
    assert_optimal_for_most_seeds("ch150");
}

#[test]
fn pcb442_default_run_is_within_2_percent_of_optimal() {
    assert_within("pcb442", 1, 0.02);
}

#[test]
fn pr1002_default_run_is_within_3_percent_of_optimal() {
    assert_within("pr1002", 1, 0.03);
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
