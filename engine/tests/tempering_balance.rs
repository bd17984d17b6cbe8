//! Detailed balance of replica exchange on a problem small enough to enumerate.
//!
//! A 4 x 4 +-J glass on a torus has 2^16 = 65,536 states. Their exact Boltzmann
//! probabilities `exp(-E/T) / Z` come from enumerating every state with the energy
//! computed straight from the edge list (`-sum J s_i s_j`), independent of the
//! engine's incremental energy. The states a replica holds, sampled every few sweeps,
//! must match those probabilities at the replica's temperature: a chi-squared test,
//! fixed seed, with states of expected count below 5 merged into one bin, at the 0.1%
//! level. Checked for the coldest replica and a middle one: exchanges move states
//! between temperatures, so a wrong exchange rule shows up as a wrong distribution.
//! Checked on the geometric ladder and on the tuned one, sampled once its warm-up
//! (the first tenth of the rounds) has fixed it: at each replica's final temperature.

use kiln_engine::problems::magnet::{Coupling, Magnet};
use kiln_engine::{AnnealConfig, Batch, Ladder, ScheduleKind, Tempering, TemperingConfig};

const SPINS: usize = 16;
/// Steps between samples: 8 sweeps, so samples are nearly independent.
const THIN: u64 = 8 * SPINS as u64;
const SAMPLES: u64 = 60_000;

fn energy(magnet: &Magnet, bits: usize) -> f64 {
    let spin = |i: usize| if bits >> i & 1 == 1 { 1i32 } else { -1 };
    -magnet.couplings().map(|(i, j, c)| f64::from(c * spin(i) * spin(j))).sum::<f64>()
}

fn index(spins: &[i8]) -> usize {
    spins.iter().enumerate().filter(|(_, s)| **s == 1).map(|(i, _)| 1 << i).sum()
}

/// The chi-squared statistic and degrees of freedom of `counts` against the
/// Boltzmann distribution of `energies` at `t`.
fn chi_squared(energies: &[f64], counts: &[u64], t: f64) -> (f64, usize) {
    let e0 = energies.iter().copied().fold(f64::INFINITY, f64::min);
    let weights: Vec<f64> = energies.iter().map(|e| (-(e - e0) / t).exp()).collect();
    let z: f64 = weights.iter().sum();
    let n: u64 = counts.iter().sum();
    let (mut chi, mut bins) = (0.0, 0);
    let (mut rest_expected, mut rest_observed) = (0.0, 0.0);
    for (w, &c) in weights.iter().zip(counts) {
        let expected = n as f64 * w / z;
        if expected < 5.0 {
            rest_expected += expected;
            rest_observed += c as f64;
        } else {
            chi += (c as f64 - expected).powi(2) / expected;
            bins += 1;
        }
    }
    if rest_expected > 0.0 {
        chi += (rest_observed - rest_expected).powi(2) / rest_expected;
        bins += 1;
    }
    (chi, bins - 1)
}

/// The chi-squared value exceeded with probability 0.001 (Wilson/// The chi-squared value exceeded with probability 0.001 (Wilson-Hilferty).
fn critical_value(df: usize) -> f64 {
    let k = df as f64;
    let z = 3.090_232;
    k * (1.0 - 2.0 / (9.0 * k) + z * (2.0 / (9.0 * k)).sqrt()).powi(3)
}

/// Runs a 5-replica ladder from 1 to 4 with `ladder` and checks the coldest and the
/// middle replica against Boltzmann at their temperatures; returns the ladder sampled.
fn replicas_sample_their_boltzmann_distributions(ladder: Ladder) -> Vec<f64> {
    let magnet = Magnet::lattice(4, Coupling::Glass, 2).unwrap();
    let energies: Vec<f64> = (0..1usize << SPINS).map(|b| energy(&magnet, b)).collect();
    let config = AnnealConfig {
        seed: 2026,
        schedule: ScheduleKind::Geometric,
        initial_temp: 4.0,
        final_temp: Some(1.0),
        steps_per_cycle: THIN * SAMPLES,
        cycles: 1,
        batch: Batch::Fixed(1),
        tempering: Some(TemperingConfig { replicas: 5, exchange_interval: 2 * SPINS as u64, ladder }),
        ..AnnealConfig::default()
    };
    let mut pt = Tempering::new(magnet, config).unwrap();
    let watched = [0usize, 2];
    let mut counts = vec![vec![0u64; 1 << SPINS]; watched.len()];
    // Burn-in: past a tuned ladder's warm-up (the first tenth of the run), then 100
    // samples' worth more at the ladder it left.
    pt.run(pt.total_steps() / 10 + 100 * THIN);
    let sampled = pt.temperatures().to_vec();
    while pt.steps_done() + THIN <= pt.total_steps() {
        pt.run(THIN);
        for (k, &r) in watched.iter().enumerate() {
            counts[k][index(pt.replicas()[r].state().spins())] += 1;
        }
    }
    assert_eq!(pt.temperatures(), sampled, "the ladder stays fixed while sampled");
    let report = pt.report();
    assert!(report.exchange_rates.iter().all(|&x| x > 0.1), "the ladder mixes: {:?}", report.exchange_rates);
    for (k, &r) in watched.iter().enumerate() {
        let t = pt.temperatures()[r];
        let (chi, df) = chi_squared(&energies, &counts[k], t);
        assert!(df >= 20, "replica {r}: enough bins to test ({df})");
        assert!(
            chi < critical_value(df),
            "{ladder:?} replica {r} at T = {t}: chi-squared {chi:.1} on {df} degrees of freedom"
        );
        // The test can fail: the same samples against a neighbouring temperature do.
        let (wrong, _) = chi_squared(&energies, &counts[k], t * 1.15);
        assert!(
            wrong > critical_value(df),
            "{ladder:?} replica {r}: T x 1.15 should be refused, chi-squared {wrong:.1}"
        );
    }
    sampled
}

#[test]
fn the_coldest_and_a_middle_replica_sample_their_boltzmann_distributions() {
    replicas_sample_their_boltzmann_distributions(Ladder::Geometric);
}

#[test]
fn on_the_tuned_ladder_after_its_warm_up_they_sample_theirs_too() {
    let sampled = replicas_sample_their_boltzmann_distributions(Ladder::Tuned);
    let geometric = kiln_engine::tempering::ladder(1.0, 4.0, 5);
    // The middle replica sampled at a tuned temperature, not the geometric start.
    assert!((sampled[2] / geometric[2] - 1.0).abs() > 0.01, "the warm-up moved the ladder: {sampled:?}");
}
