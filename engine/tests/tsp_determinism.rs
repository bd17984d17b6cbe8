//! A TSP run is a pure function of (instance, config, seed): the same replay
//! checkpoints on every run, batch size and thread count, with plain moves and with
//! large steps (whose descents run on per-thread copies of the tour).

use kiln_engine::problems::tsp::{LargeSteps, Layout, MoveSet, Tsp};
use kiln_engine::replay::{first_divergence, record_checkpoints};
use kiln_engine::{AnnealConfig, Annealer, Batch, Checkpoint, Problem};

fn checkpoints<P: Problem + Clone>(
    problem: &P,
    config: AnnealConfig,
    steps: u64,
    batch: Batch,
    threads: usize,
) -> Vec<Checkpoint> {
    let config = AnnealConfig { steps_per_cycle: steps, batch, threads, ..config };
    let mut sa = Annealer::new(problem.clone(), config).unwrap();
    record_checkpoints(&mut sa, steps / 20, |_| {})
}

fn assert_same_everywhere(tsp: &Tsp, steps: u64) {
    assert_problem_same_everywhere(tsp, tsp.default_config(11), tsp.name(), steps);
}

fn assert_problem_same_everywhere<P: Problem + Clone>(
    problem: &P,
    config: AnnealConfig,
    name: &str,
    steps: u64,
) {
    let checkpoints = |batch, threads| checkpoints(problem, config.clone(), steps, batch, threads);
    let reference = checkpoints(Batch::Fixed(1), 1);
    assert_eq!(reference.len(), 21);
    assert_ne!(reference[0].state_hash, reference[20].state_hash, "the tour changed");
    for (batch, threads) in
        [(Batch::Fixed(1), 1), (Batch::Fixed(8), 1), (Batch::Fixed(8), 2), (Batch::Auto, 1), (Batch::Auto, 2)]
    {
        let other = checkpoints(batch, threads);
        assert_eq!(first_divergence(&reference, &other), None, "{name}: {batch:?} on {threads} threads");
    }
}

#[test]
fn checkpoints_are_identical_across_runs_batches_and_threads() {
    assert_same_everywhere(&Tsp::bundled("kroA100").unwrap(), 100_000);
}

#[test]
fn instances_without_a_distance_table_are_just_as_deterministic() {
    // Above MATRIX_MAX_CITIES distances are computed from coordinates.
    assert_same_everywhere(&Tsp::random(2_000, Layout::Clustered, 5).unwrap(), 20_000);
}

#[test]
fn large_steps_are_identical_across_runs_batches_and_threads() {
    for tsp in [Tsp::bundled("ch150").unwrap(), Tsp::random(2_000, Layout::Clustered, 5).unwrap()] {
        // The first move set and the one with long kicks (the swap of the shorter pair).
        for version in [MoveSet::V1, MoveSet::V4] {
            let large = LargeSteps::with_moves(tsp.clone(), version).unwrap();
            let name = format!("{} {version:?}", tsp.name());
            assert_problem_same_everywhere(&large, large.default_config(11), &name, 4_000);
        }
    }
}

#[test]
fn different_seeds_give_different_runs() {
    let tsp = Tsp::bundled("berlin52").unwrap();
    let run = |seed| {
        let config =
            AnnealConfig { steps_per_cycle: 20_000, batch: Batch::Fixed(1), ..tsp.default_config(seed) };
        let mut sa = Annealer::new(tsp.clone(), config).unwrap();
        sa.run(u64::MAX);
        sa.checkpoint()
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1).state_hash, run(2).state_hash);
}
