//! A tempering run is a pure function of (problem, config, seed): the same
//! checkpoints on 1 and 2 threads, with every batch setting, however its steps are
//! split into calls, and after a reset; and a record of it replays.

use kiln_engine::problems::magnet::{Coupling, Magnet};
use kiln_engine::problems::tsp::Tsp;
use kiln_engine::replay::first_divergence;
use kiln_engine::{
    AnnealConfig, Batch, Checkpoint, Ladder, Problem, ReplayRecord, ScheduleKind, Tempering, TemperingConfig,
};

fn config(seed: u64, threads: usize, batch: Batch) -> AnnealConfig {
    AnnealConfig {
        seed,
        schedule: ScheduleKind::Geometric,
        initial_temp: 3.0,
        final_temp: Some(0.4),
        steps_per_cycle: 40_000,
        cycles: 1,
        threads,
        batch,
        tempering: Some(TemperingConfig {
            replicas: 6,
            exchange_interval: 250,
            ..TemperingConfig::default()
        }),
        ..AnnealConfig::default()
    }
}

/// Checkpoints every 2,000 steps, advancing in calls of `chunk` steps.
fn checkpoints<P: Problem + Clone>(problem: P, config: AnnealConfig, chunk: u64) -> Vec<Checkpoint> {
    let mut pt = Tempering::new(problem, config).unwrap();
    let mut out = vec![pt.checkpoint()];
    while !pt.is_complete() {
        let next = (pt.steps_done() / 2_000 + 1) * 2_000;
        while pt.steps_done() < next {
            pt.run(chunk.min(next - pt.steps_done()));
        }
        out.push(pt.checkpoint());
    }
    out
}

fn glass() -> Magnet {
    Magnet::lattice(12, Coupling::Glass, 5).unwrap()
}

#[test]
fn checkpoints_are_identical_on_one_and_two_threads_and_every_batch_setting() {
    let reference = checkpoints(glass(), config(7, 1, Batch::Fixed(1)), 2_000);
    assert!(reference.iter().any(|c| c.best_energy < reference[0].best_energy), "the run improves");
    for (threads, batch) in
        [(2, Batch::Fixed(1)), (2, Batch::Auto), (2, Batch::Fixed(8)), (1, Batch::Fixed(4))]
    {
        let other = checkpoints(glass(), config(7, threads, batch), 2_000);
        assert_eq!(first_divergence(&reference, &other), None, "threads {threads}, batch {batch:?}");
    }
}

#[test]
fn checkpoints_do_not_depend_on_how_steps_are_split_into_calls() {
    let whole = checkpoints(glass(), config(11, 2, Batch::Auto), 2_000);
    let odd = checkpoints(glass(), config(11, 2, Batch::Auto), 777);
    assert_eq!(first_divergence(&whole, &odd), None);
    let mut stepped = Tempering::new(glass(), config(11, 2, Batch::Auto)).unwrap();
    for _ in 0..2_000 {
        stepped.step().expect("not complete");
    }
    assert_eq!(stepped.checkpoint(), whole[1]);
}

#[test]
fn a_reset_run_repeats_itself_and_another_seed_does_not() {
    let mut pt = Tempering::new(glass(), config(3, 2, Batch::Auto)).unwrap();
    pt.run(10_000);
    let (first, report) = (pt.checkpoint(), pt.report());
    pt.reset();
    pt.run(10_000);
    assert_eq!(pt.checkpoint(), first);
    assert_eq!(pt.report(), report);
    let other = checkpoints(glass(), config(4, 2, Batch::Auto), 2_000);
    assert_ne!(other[5], checkpoints(glass(), config(3, 2, Batch::Auto), 2_000)[5]);
}

#[test]
fn a_tempering_record_of_a_tour_replays_through_json() {
    let tsp = Tsp::bundled("berlin52").unwrap();
    let config = AnnealConfig {
        schedule: ScheduleKind::Auto,
        initial_temp: 1.0,
        tempering: Some(TemperingConfig {
            replicas: 4,
            exchange_interval: 500,
            ..TemperingConfig::default()
        }),
        steps_per_cycle: 20_000,
        cycles: 1,
        ..AnnealConfig::default()
    };
    let record = ReplayRecord::new(
        "berlin52".to_string(),
        config.clone(),
        2_000,
        checkpoints(tsp.clone(), config, 2_000),
    );
    let text = serde_json::to_string(&record).unwrap();
    assert!(
        text.contains(r#""tempering":{"replicas":4,"exchange_interval":500,"ladder":"tuned"}"#),
        "{text}"
    );
    let read = ReplayRecord::<String>::from_json(&text).unwrap();
    let again = checkpoints(tsp, AnnealConfig { threads: 1, ..read.config.clone() }, 1_234);
    assert_eq!(first_divergence(&read.checkpoints, &again), None);
}

/// A tuned ladder moves during its warm-up (1,600 rounds: four stages of 40) and
/// stays put after it, with its ends fixed; the moved ladder and every checkpoint are
/// the same on 1 and 2 threads and across batch settings, and after a reset.
#[test]
fn a_tuned_ladder_moves_in_its_warm_up_the_same_on_any_thread_count() {
    let tuned = |threads, batch| AnnealConfig {
        tempering: Some(TemperingConfig { replicas: 6, exchange_interval: 25, ladder: Ladder::Tuned }),
        ..config(5, threads, batch)
    };
    let geometric = Tempering::new(glass(), tuned(1, Batch::Fixed(1))).unwrap().temperatures().to_vec();
    let mut ladders = Vec::new();
    for (threads, batch) in [(1, Batch::Fixed(1)), (2, Batch::Auto), (2, Batch::Fixed(4))] {
        let mut pt = Tempering::new(glass(), tuned(threads, batch)).unwrap();
        pt.run(4_000); // the warm-up's 160 rounds
        let after_warm_up = pt.temperatures().to_vec();
        pt.run(u64::MAX);
        assert_eq!(pt.temperatures(), after_warm_up, "fixed after the warm-up");
        ladders.push((after_warm_up, checkpoints(glass(), tuned(threads, batch), 2_000)));
        pt.reset();
        assert_eq!(pt.temperatures(), geometric, "a reset goes back to the geometric start");
    }
    let (ladder, _) = &ladders[0];
    assert_eq!((ladder[0], ladder[5]), (geometric[0], geometric[5]), "the ends stay");
    assert_ne!(ladder, &geometric, "the warm-up moved the inner temperatures");
    for other in &ladders[1..] {
        assert_eq!(other, &ladders[0]);
    }
}

#[test]
fn every_round_is_counted_and_swaps_only_pairs_of_its_parity() {
    let mut pt = Tempering::new(glass(), config(9, 2, Batch::Auto)).unwrap();
    for round in 0..40u64 {
        pt.run(250);
        let report = pt.report();
        assert_eq!(report.rounds, round + 1);
        for &pair in &report.last_swaps {
            assert_eq!(u64::from(pair) % 2, round % 2, "round {round} swapped pair {pair}");
        }
        let walkers: std::collections::BTreeSet<u32> = report.replicas.iter().map(|r| r.walker).collect();
        assert_eq!(walkers.len(), 6, "every configuration is held by exactly one replica");
        let temps: Vec<f64> = report.replicas.iter().map(|r| r.temperature).collect();
        assert!(temps.windows(2).all(|w| w[0] < w[1]), "{temps:?}");
    }
    // Each replica's energy is its state's, recomputed.
    for replica in pt.replicas() {
        assert_eq!(replica.current_energy(), replica.recomputed_energy());
    }
}
