//! Determinism of magnet runs: replay checkpoints are identical across batch sizes
//! (1, 8, auto) and thread counts (1, 2), for a lattice and for G1, with random
//! sites and with sequential sweeps, cooling and at a constant temperature, under both
//! step-word generators.
//!
//! Batch 1 decides the Metropolis test from the annealer's per-delta table
//! (`Problem::FEW_DELTAS`); speculative batches (8) never use it, so equal checkpoints
//! also show the table changes no verdict.

use kiln_engine::problems::magnet::{Coupling, Magnet, Sites};
use kiln_engine::replay::{first_divergence, record_checkpoints};
use kiln_engine::{AnnealConfig, Annealer, Batch, Checkpoint, Direction, Generator, Proposal, ScheduleKind};

fn checkpoints(magnet: &Magnet, base: &AnnealConfig, batch: Batch, threads: usize) -> Vec<Checkpoint> {
    // A short run (200 sweeps).
    let config = AnnealConfig { steps_per_cycle: 200 * magnet.len() as u64, batch, threads, ..base.clone() };
    let mut sa = Annealer::new(magnet.clone(), config).unwrap();
    record_checkpoints(&mut sa, 10_000, |_| {})
}

fn assert_identical(magnet: Magnet) {
    // Over the default temperatures, with every generator (the counter-based ones make
    // a uniform in the batch-1 loop only for an uphill step).
    for generator in Generator::ALL {
        assert_identical_with(&magnet, &AnnealConfig { generator, ..magnet.default_config(9) });
    }
}

fn assert_identical_with(magnet: &Magnet, base: &AnnealConfig) {
    let reference = checkpoints(magnet, base, Batch::Fixed(1), 1);
    for (batch, threads) in [(Batch::Fixed(8), 1), (Batch::Fixed(8), 2), (Batch::Auto, 1), (Batch::Auto, 2)] {
        let other = checkpoints(magnet, base, batch, threads);
        assert_eq!(
            first_divergence(&reference, &other),
            None,
            "{} {batch:?} on {threads} threads",
            magnet.name()
        );
    }
}

#[test]
fn lattice_checkpoints_are_identical_across_batches_and_threads() {
    assert_identical(Magnet::lattice(32, Coupling::Glass, 5).unwrap());
}

#[test]
fn g1_checkpoints_are_identical_across_batches_and_threads() {
    assert_identical(Magnet::gset("G1").unwrap());
}

#[test]
fn sequential_sweeps_are_identical_across_batches_and_threads() {
    assert_identical(Magnet::lattice(32, Coupling::Glass, 5).unwrap().with_sites(Sites::Sequential));
    assert_identical(Magnet::gset("G1").unwrap().with_sites(Sites::Sequential));
}

#[test]
fn constant_temperature_runs_are_identical_across_batches_and_threads() {
    let magnet = Magnet::lattice(32, Coupling::Ferro, 1).unwrap();
    for t in [2.0, 2.27, 3.5] {
        let base =
            AnnealConfig { schedule: ScheduleKind::Constant, initial_temp: t, ..magnet.default_config(4) };
        assert_identical_with(&magnet, &base);
    }
}

#[test]
fn sequential_sweeps_visit_the_spins_in_site_order() {
    let magnet = Magnet::gset("G11").unwrap().with_sites(Sites::Sequential);
    let n = magnet.len();
    let mut sa =
        Annealer::new(magnet, AnnealConfig { steps_per_cycle: 3 * n as u64, ..Default::default() }).unwrap();
    for t in 0..3 * n {
        sa.step_observed(|view| match view.proposal {
            Proposal::Move(flip) => assert_eq!(flip.site(), t % n, "step {t}"),
            Proposal::Invalid(kind) => panic!("step {t}: invalid {kind:?}"),
        });
    }
}

/// Checkpoints every `every` steps, taking one step at a time with `Annealer::step`.
fn stepped_checkpoints(
    magnet: &Magnet,
    config: &AnnealConfig,
    every: u64,
) -> (Vec<Checkpoint>, Annealer<Magnet>) {
    let mut sa = Annealer::new(magnet.clone(), config.clone()).unwrap();
    let mut checkpoints = vec![sa.checkpoint()];
    while !sa.is_complete() {
        for _ in 0..every {
            sa.step();
        }
        checkpoints.push(sa.checkpoint());
    }
    (checkpoints, sa)
}

#[test]
fn runs_equal_single_steps_on_every_schedule_and_direction() {
    // `run` on batch 1 takes the block-by-block loop (the magnet has few deltas);
    // `step` takes the general one-step path. Both must give the same trajectory,
    // counters, best state and progress numbers, cooling or not, minimising or
    // maximising, with a field, random sites or sequential sweeps.
    let magnets = [
        Magnet::lattice(16, Coupling::Glass, 3).unwrap(),
        Magnet::lattice(12, Coupling::Ferro, 1)
            .unwrap()
            .with_field(0.375)
            .unwrap()
            .with_sites(Sites::Sequential),
        Magnet::gset("G11").unwrap().with_sites(Sites::Sequential),
    ];
    let every = 777;
    for magnet in &magnets {
        for schedule in
            [ScheduleKind::Geometric, ScheduleKind::Constant, ScheduleKind::Linear, ScheduleKind::Faulon]
        {
            for (direction, generator) in [
                (Direction::Minimize, Generator::ChaCha8),
                (Direction::Maximize, Generator::ChaCha8),
                (Direction::Minimize, Generator::SplitMix64),
                (Direction::Maximize, Generator::Philox),
            ] {
                let config = AnnealConfig {
                    schedule,
                    direction,
                    generator,
                    steps_per_cycle: 40 * magnet.len() as u64 + 13,
                    cycles: 2,
                    ..magnet.default_config(7)
                };
                let mut run = Annealer::new(magnet.clone(), config.clone()).unwrap();
                let by_run = record_checkpoints(&mut run, every, |_| {});
                let (by_step, stepped) = stepped_checkpoints(magnet, &config, every);
                let what = format!("{} {schedule:?} {direction:?} {generator:?}", magnet.name());
                assert_eq!(first_divergence(&by_step, &by_run), None, "{what}");
                assert_eq!(run.snapshot(), stepped.snapshot(), "{what}");
                assert!(run.best_state() == stepped.best_state(), "{what}: best states differ");
                assert_eq!(run.recomputed_energy(), run.current_energy(), "{what}");
            }
        }
    }
}

#[test]
fn trajectories_match_the_ones_recorded_before_the_block_loop() {
    // Checkpoints (step, current energy, best energy, state hash) recorded with main at
    // a898c98, before batch-1 magnet runs went block by block: records made then must
    // replay now. G1 runs 4 cycles of 200,000 steps, the glass 3 cycles of 100,000, on
    // their default temperatures; the middle and the last checkpoint are pinned.
    type Pin = (u64, f64, f64, u64);
    let g1 = |sites| Magnet::gset("G1").unwrap().with_sites(sites);
    let glass = |sites| Magnet::lattice(32, Coupling::Glass, 5).unwrap().with_sites(sites);
    let runs: [(Magnet, u64, u64, u64, [Pin; 2]); 4] = [
        (
            g1(Sites::Sequential),
            5,
            200_000,
            100_000,
            [
                (400_000, -4054.0, -4054.0, 3786280084869759680),
                (800_000, -4072.0, -4072.0, 3300290908391380096),
            ],
        ),
        (
            g1(Sites::Random),
            5,
            200_000,
            100_000,
            [
                (400_000, -4000.0, -4064.0, 7212580286641013010),
                (800_000, -3950.0, -4064.0, 420272932879983100),
            ],
        ),
        (
            glass(Sites::Sequential),
            2,
            100_000,
            50_000,
            [
                (150_000, -1236.0, -1408.0, 7259029283470594463),
                (300_000, -1424.0, -1424.0, 13844256625399379357),
            ],
        ),
        (
            glass(Sites::Random),
            2,
            100_000,
            50_000,
            [
                (150_000, -1224.0, -1384.0, 6210245600475586737),
                (300_000, -1392.0, -1404.0, 6634492031319962299),
            ],
        ),
    ];
    for (magnet, seed, steps_per_cycle, every, pins) in runs {
        // Recorded before the magnet's default generator became Philox: these are ChaCha8 runs.
        let config =
            AnnealConfig { steps_per_cycle, generator: Generator::ChaCha8, ..magnet.default_config(seed) };
        let mut sa = Annealer::new(magnet.clone(), config).unwrap();
        let checkpoints = record_checkpoints(&mut sa, every, |_| {});
        for pin in pins {
            let got = checkpoints.iter().find(|c| c.step == pin.0).expect("a checkpoint at the pinned step");
            assert_eq!(
                (got.step, got.current_energy, got.best_energy, got.state_hash),
                pin,
                "{} {}",
                magnet.name(),
                magnet.sites().name()
            );
        }
    }
}
