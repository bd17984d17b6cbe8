//! The magnet against Onsager's exact solution of the 2D Ising ferromagnet (J = 1,
//! k_B = 1, no field; L. Onsager, Phys. Rev. 65, 117 (1944); C. N. Yang, Phys. Rev.
//! 85, 808 (1952) for the magnetisation). The oracles are computed from the closed
//! formulas in `oracles/onsager.rs` (shared with the server's test), never from the
//! code under test.
//!
//! Runs: a 64 x 64 periodic lattice at constant T, 2,000 sweeps (8,192,000 single-flip
//! steps, random sites), starting with every spin up; the averages are sampled once per
//! sweep over the second half (1,000 samples) by `SweepAverages`.

use kiln_engine::problems::magnet::{Coupling, Magnet, Start, SweepAverages};
use kiln_engine::{AnnealConfig, Annealer, Batch, ScheduleKind};

#[path = "oracles/onsager.rs"]
mod onsager;
use onsager::{elliptic_k, onsager_energy, onsager_magnetization};

const SIDE: usize = 64;
const SWEEPS: u64 = 2_000;

fn equilibrium(t: f64) -> SweepAverages {
    let magnet = Magnet::lattice(SIDE, Coupling::Ferro, 0).unwrap().with_start(Start::Up);
    let steps = SWEEPS * magnet.len() as u64;
    let config = AnnealConfig {
        seed: 2026,
        schedule: ScheduleKind::Constant,
        initial_temp: t,
        steps_per_cycle: steps,
        cycles: 1,
        batch: Batch::Fixed(1),
        ..AnnealConfig::default()
    };
    let mut sa = Annealer::new(magnet, config).unwrap();
    let mut averages = SweepAverages::new(&sa);
    averages.advance(&mut sa, u64::MAX);
    assert!(sa.is_complete());
    assert_eq!(averages.samples(), SWEEPS / 2);
    averages
}

#[test]
fn the_oracles_match_their_published_values() {
    // Sanity of the formulas themselves: the 0.9113, and at T = 1 the
    // low-temperature series u = -2 + 8 e^(-8β) + 24 e^(-12β) + O(e^(-16β)).
    assert!((onsager_magnetization(2.0) - 0.9113).abs() < 5e-5);
    let series = -2.0 + 8.0 * (-8.0f64).exp() + 24.0 * (-12.0f64).exp();
    assert!((onsager_energy(1.0) - series).abs() < 2e-5, "{} vs {series}", onsager_energy(1.0));
    assert!((elliptic_k(0.0) - std::f64::consts::FRAC_PI_2).abs() < 1e-12);
}

#[test]
fn below_tc_the_64x64_ferromagnet_matches_onsager() {
    let averages = equilibrium(2.0);
    let m = averages.mean_abs_magnetization().unwrap();
    let e = averages.mean_energy_per_spin().unwrap();
    let (m_exact, e_exact) = (onsager_magnetization(2.0), onsager_energy(2.0));
    assert!((m - m_exact).abs() < 0.01, "mean |m| {m} vs Onsager {m_exact}");
    assert!((e - e_exact).abs() < 0.01, "mean E/N {e} vs Onsager {e_exact}");
}

#[test]
fn above_tc_the_64x64_ferromagnet_is_disordered() {
    let averages = equilibrium(3.5);
    let m = averages.mean_abs_magnetization().unwrap();
    assert!(m < 0.1, "mean |m| at T = 3.5 is {m}");
}
