//! Replica exchange reaches exact ground states and best-known cuts.
//!
//! Spin glasses: 2D +-J lattices with open boundaries (planar), from
//! ../shared/data/ising (copied to tests/data/ising), whose exact ground energies an
//! exact planar solver computed (dwave-samplers' PlanarGraphSolver, minimum-weight
//! perfect matching): an oracle independent of Kiln. Gset: the bundled graphs'
//! best-known cuts (published tables, carried by the bundle).
//!
//! Budget, for every instance: the magnet's defaults with `method: tempering` and
//! nothing else ([`Magnet::default_tempering_config`]): 24 replicas on the tuned
//! ladder between the annealing defaults' temperatures (glasses: 3 to 0.2; Gset: the
//! root-mean-square local field, at least 3, to a fifth of the smallest coupling),
//! 60,000 sweeps per replica, an exchange round every 1,000 steps. G14 and G22 (no
//! bar, the aim) run in `benches/tempering.rs`.
//!
//! Quality is asserted (at least 4 of 5 seeds, 3 of 5 for Gset), never speed.

use kiln_engine::problems::magnet::Magnet;
use kiln_engine::{AnnealConfig, Tempering};

fn glass(file: &str) -> (Magnet, f64) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/ising/");
    let text = std::fs::read_to_string(format!("{dir}{file}")).unwrap();
    let table = std::fs::read_to_string(format!("{dir}ground_states.tsv")).unwrap();
    let ground = table
        .lines()
        .find_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            (cols[0] == file).then(|| cols[3].parse::<f64>().unwrap())
        })
        .expect("the file's ground energy is in ground_states.tsv");
    // Read as max-cut, the graph format's energy is sum w s_i s_j: the table's.
    (Magnet::parse_graph(&text).unwrap(), ground)
}

/// The default budget of every instance: the magnet's default tempering config
/// (`method: tempering` and nothing else; see the module doc).
fn default_budget(magnet: &Magnet, seed: u64) -> AnnealConfig {
    magnet.default_tempering_config(seed)
}

/// Best energies of seeds 1..=5.
fn best_energies(magnet: &Magnet, config: impl Fn(u64) -> AnnealConfig) -> Vec<f64> {
    (1..=5)
        .map(|seed| {
            let mut pt = Tempering::new(magnet.clone(), config(seed)).unwrap();
            pt.run(u64::MAX);
            let report = pt.report();
            eprintln!(
                "seed {seed}: best {}, ladder {:.2?}, exchange rates {:.2?}, round trips {}",
                pt.best_energy(),
                pt.temperatures(),
                report.exchange_rates,
                report.round_trips
            );
            assert_eq!(pt.best_energy(), pt.replicas()[0].best_energy(), "the coldest carries the best");
            pt.best_energy()
        })
        .collect()
}

fn reaches_ground_state(file: &str) {
    let (magnet, ground) = glass(file);
    let best = best_energies(&magnet, |seed| default_budget(&magnet, seed));
    assert!(best.iter().all(|&e| e >= ground), "{file}: {best:?} below the exact ground state {ground}");
    let hits = best.iter().filter(|&&e| e == ground).count();
    assert!(hits >= 4, "{file}: the ground state {ground} in {hits} of 5 seeds: {best:?}");
}

fn reaches_best_known_cut(name: &str) {
    let magnet = Magnet::gset(name).unwrap();
    let known = magnet.best_known_cut().unwrap() as i64;
    let best = best_energies(&magnet, |seed| default_budget(&magnet, seed));
    let cuts: Vec<i64> = best.iter().map(|&e| magnet.cut(e).unwrap()).collect();
    assert!(cuts.iter().all(|&c| c <= known), "{name}: {cuts:?} above the best known {known}");
    let hits = cuts.iter().filter(|&&c| c == known).count();
    assert!(hits >= 3, "{name}: the best-known cut {known} in {hits} of 5 seeds: {cuts:?}");
}

#[test]
fn tempering_finds_the_exact_ground_state_of_the_16x16_glass() {
    reaches_ground_state("glass_open_L16_s1.txt");
}

#[test]
fn tempering_finds_the_exact_ground_state_of_the_24x24_glass() {
    reaches_ground_state("glass_open_L24_s2.txt");
}

#[test]
fn tempering_finds_the_exact_ground_state_of_the_32x32_glass() {
    reaches_ground_state("glass_open_L32_s3.txt");
}

#[test]
fn tempering_reaches_the_best_known_cut_of_g1() {
    reaches_best_known_cut("G1");
}

#[test]
fn tempering_reaches_the_best_known_cut_of_g11() {
    reaches_best_known_cut("G11");
}

#[test]
fn tempering_reaches_the_best_known_cut_of_g2() {
    reaches_best_known_cut("G2");
}

#[test]
fn tempering_reaches_the_best_known_cut_of_g3() {
    reaches_best_known_cut("G3");
}
