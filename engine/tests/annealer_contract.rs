//! The annealer's contract, on the synthetic `Ruggedness` problem: determinism across
//! batch sizes and thread counts, exact incremental energy, counting, reset.

use kiln_engine::problems::toy::Ruggedness;
use kiln_engine::replay::{first_divergence, record_checkpoints};
use kiln_engine::{AnnealConfig, Annealer, Batch, Checkpoint, Direction, Problem, ScheduleKind, StepOutcome};

fn config(batch: Batch, threads: usize) -> AnnealConfig {
    AnnealConfig {
        seed: 7,
        schedule: ScheduleKind::Geometric,
        initial_temp: 40.0,
        final_temp: Some(0.5),
        steps_per_cycle: 20_000,
        cycles: 2,
        batch,
        threads,
        ..AnnealConfig::default()
    }
}

fn checkpoints(work: u32, batch: Batch, threads: usize) -> Vec<Checkpoint> {
    checkpoints_and_rounds(work, batch, threads).0
}

fn checkpoints_and_rounds(work: u32, batch: Batch, threads: usize) -> (Vec<Checkpoint>, u64) {
    let mut sa = Annealer::new(Ruggedness::new(200, work), config(batch, threads)).unwrap();
    (record_checkpoints(&mut sa, 2_500, |_| {}), sa.parallel_rounds())
}

#[test]
fn checkpoints_are_identical_across_runs_batches_and_threads() {
    let reference = checkpoints(0, Batch::Fixed(1), 1);
    assert_eq!(reference.len(), 1 + 40_000 / 2_500);
    for (batch, threads) in [
        (Batch::Fixed(1), 1),
        (Batch::Fixed(8), 1),
        (Batch::Fixed(8), 2),
        (Batch::Fixed(64), 2),
        (Batch::Auto, 1),
        (Batch::Auto, 2),
    ] {
        let other = checkpoints(0, batch, threads);
        assert_eq!(first_divergence(&reference, &other), None, "{batch:?} on {threads} threads");
    }
}

#[test]
fn auto_batch_on_an_expensive_delta_still_matches_sequential() {
    // Expensive enough that the automatic choice goes parallel on 2 threads.
    let (reference, sequential_rounds) = checkpoints_and_rounds(3_000, Batch::Fixed(1), 1);
    let (auto, auto_rounds) = checkpoints_and_rounds(3_000, Batch::Auto, 2);
    assert_eq!(sequential_rounds, 0, "batch 1 never touches rayon");
    assert!(auto_rounds > 0, "the automatic batch should have gone parallel on an expensive delta");
    assert_eq!(first_divergence(&reference, &auto), None);
}

#[test]
fn incremental_energy_equals_recomputed_energy() {
    for batch in [Batch::Fixed(1), Batch::Fixed(16)] {
        let mut sa = Annealer::new(Ruggedness::new(300, 0), config(batch, 2)).unwrap();
        while !sa.is_complete() {
            sa.run(7_777);
            assert_eq!(sa.current_energy(), sa.recomputed_energy(), "{batch:?} at step {}", sa.steps_done());
        }
        let best = sa.best_energy();
        assert!(best <= sa.current_energy());
        assert_eq!(best, Problem::energy(sa.problem(), sa.best_state()));
    }
}

#[test]
fn stepping_one_at_a_time_equals_running_in_bulk() {
    let mut a = Annealer::new(Ruggedness::new(50, 0), config(Batch::Fixed(1), 1)).unwrap();
    let mut b = Annealer::new(Ruggedness::new(50, 0), config(Batch::Fixed(4), 2)).unwrap();
    let mut outcomes = [0u64; 3];
    for _ in 0..5_000 {
        match a.step().expect("not complete") {
            StepOutcome::Accepted { .. } => outcomes[0] += 1,
            StepOutcome::Rejected { .. } => outcomes[1] += 1,
            StepOutcome::Invalid(_) => outcomes[2] += 1,
        }
    }
    b.run(5_000);
    assert_eq!(a.checkpoint(), b.checkpoint());
    let s = b.snapshot();
    assert_eq!([s.accepted_moves, s.rejected_moves, s.invalid_moves], outcomes);
    assert_eq!(s.invalid_by_kind, vec![("frozen".to_string(), outcomes[2])]);
    assert!(outcomes.iter().all(|&n| n > 0), "{outcomes:?}");
}

#[test]
fn reset_returns_to_step_zero_and_replays_the_same_trajectory() {
    let mut sa = Annealer::new(Ruggedness::new(80, 0), config(Batch::Auto, 2)).unwrap();
    let start = sa.checkpoint();
    sa.run(3_000);
    let after = sa.checkpoint();
    sa.reset();
    assert_eq!(sa.checkpoint(), start);
    assert_eq!(sa.snapshot().accepted_moves, 0);
    sa.run(3_000);
    assert_eq!(sa.checkpoint(), after);
}

#[test]
fn a_run_stops_at_its_total_and_reports_complete() {
    let mut sa = Annealer::new(
        Ruggedness::new(20, 0),
        AnnealConfig { steps_per_cycle: 10, cycles: 3, ..config(Batch::Fixed(8), 2) },
    )
    .unwrap();
    assert_eq!(sa.run(1_000), 30);
    assert!(sa.is_complete());
    assert_eq!(sa.step(), None);
    let s = sa.snapshot();
    assert_eq!((s.step, s.cycle, s.is_complete), (30, 3, true));
}

#[test]
fn maximising_finds_higher_energy_than_the_start() {
    let cfg = AnnealConfig { direction: Direction::Maximize, ..config(Batch::Fixed(1), 1) };
    let mut sa = Annealer::new(Ruggedness::new(100, 0), cfg).unwrap();
    let start = sa.current_energy();
    sa.run(u64::MAX);
    assert!(sa.best_energy() > start);
    assert!(sa.best_energy() >= sa.current_energy());
}

#[test]
fn auto_schedule_is_deterministic_and_cools() {
    let cfg = AnnealConfig { schedule: ScheduleKind::Auto, ..config(Batch::Fixed(1), 1) };
    let a = Annealer::new(Ruggedness::new(100, 0), cfg.clone()).unwrap();
    let b = Annealer::new(Ruggedness::new(100, 0), cfg).unwrap();
    assert_eq!(a.schedule(), b.schedule());
    assert!(a.schedule().initial_temp() > a.schedule().final_temp());
    assert!(a.schedule().final_temp() > 0.0);
}
