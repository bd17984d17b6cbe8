//! Annealing quality of the magnet with its default budgets and schedules, fixed seeds.
//!
//! Oracles: the ferromagnet's ground state (all spins aligned: E = -2 N, every bond
//! satisfied) and the Gset best-known cuts (Benlic and Hao 2013, bundled
//! `best_known.tsv`); the thresholds are what D-Wave's neal reaches in its
//! default-sized run (1,000 sweeps x 10 reads, issue 13). Default budgets: three
//! cycles of 1,500 sweeps for a lattice (32 x 32: 4.6 million steps), four cycles of
//! 5,000 sweeps for a graph (G1, G11, G14: 16 million steps; G22: 40 million).

use kiln_engine::problems::magnet::{Coupling, Magnet};
use kiln_engine::{AnnealConfig, Annealer, Batch};

fn anneal(magnet: Magnet, seed: u64) -> Annealer<Magnet> {
    let config = AnnealConfig { batch: Batch::Fixed(1), ..magnet.default_config(seed) };
    let mut sa = Annealer::new(magnet, config).unwrap();
    sa.run(u64::MAX);
    assert!(sa.is_complete());
    assert_eq!(sa.best_energy(), kiln_engine::Problem::energy(sa.problem(), sa.best_state()));
    sa
}

#[test]
fn a_32x32_ferromagnet_anneals_into_its_ground_state() {
    for seed in [42, 1, 2] {
        let sa = anneal(Magnet::lattice(32, Coupling::Ferro, 0).unwrap(), seed);
        assert_eq!(sa.best_energy(), -2048.0, "seed {seed}");
        assert!(sa.best_state().spins().windows(2).all(|w| w[0] == w[1]), "all spins aligned");
    }
}

fn best_cut(name: &str, seed: u64) -> i64 {
    let sa = anneal(Magnet::gset(name).unwrap(), seed);
    sa.problem().cut(sa.best_energy()).unwrap()
}

#[test]
fn g1_cut_reaches_neals() {
    let cut = best_cut("G1", 42);
    assert!(cut >= 11620, "G1 cut {cut}, best known 11624");
}

#[test]
fn g22_cut_reaches_neals() {
    let cut = best_cut("G22", 42);
    assert!(cut >= 13350, "G22 cut {cut}, best known 13359");
}

#[test]
fn g11_cut_reaches_neals() {
    let cut = best_cut("G11", 42);
    assert!(cut >= 560, "G11 cut {cut}, best known 564");
}

#[test]
fn g14_cut_reaches_neals() {
    let cut = best_cut("G14", 42);
    assert!(cut >= 3050, "G14 cut {cut}, best known 3064");
}
