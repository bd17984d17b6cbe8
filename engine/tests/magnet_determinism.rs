//! Determinism of magnet runs: replay checkpoints are identical across batch sizes
//! (1, 8, auto) and thread counts (1, 2), for a lattice and for G1.

use kiln_engine::problems::magnet::{Coupling, Magnet};
use kiln_engine::replay::{first_divergence, record_checkpoints};
use kiln_engine::{AnnealConfig, Annealer, Batch, Checkpoint};

fn checkpoints(magnet: &Magnet, batch: Batch, threads: usize) -> Vec<Checkpoint> {
    let base = magnet.default_config(9);
    // A short run (200 sweeps) over the default temperatures.
    let config = AnnealConfig { steps_per_cycle: 200 * magnet.len() as u64, batch, threads, ..base };
    let mut sa = Annealer::new(magnet.clone(), config).unwrap();
    record_checkpoints(&mut sa, 10_000, |_| {})
}

fn assert_identical(magnet: Magnet) {
    let reference = checkpoints(&magnet, Batch::Fixed(1), 1);
    for (batch, threads) in [(Batch::Fixed(8), 1), (Batch::Fixed(8), 2), (Batch::Auto, 1), (Batch::Auto, 2)] {
        let other = checkpoints(&magnet, batch, threads);
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
