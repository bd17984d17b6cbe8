//! The isomer step's kept data against a full recomputation, over long walks: the
//! running energy (the Wiener index carried in each move) equals the Wiener index
//! of the state computed by Floyd-Warshall, an algorithm the engine does not use,
//! and every atom's kept heavy degree equals its neighbour count, after every step.
//!
//! The walks are hot (every valid move is likely accepted) and cold, from the
//! built structure of alkanes, a ring-bearing formula and heteroatom formulas, so
//! bonds appear, vanish and change order many thousands of times.

use kiln_engine::problems::isomer::{Isomer, Molecule, Objective};
use kiln_engine::{AnnealConfig, Annealer, Batch, ScheduleKind};

/// The Wiener index by Floyd-Warshall on the bond list (all-pairs shortest paths
/// over a distance matrix), independent of the engine's bitmask searches.
fn wiener_by_floyd_warshall(m: &Molecule) -> f64 {
    let n = m.atom_count();
    let far = u32::MAX / 4;
    let mut d = vec![vec![far; n]; n];
    for (i, row) in d.iter_mut().enumerate() {
        row[i] = 0;
    }
    for (i, j, _) in m.bonds() {
        d[i][j] = 1;
        d[j][i] = 1;
    }
    for k in 0..n {
        for i in 0..n {
            for j in 0..n {
                let through = d[i][k] + d[k][j];
                if through < d[i][j] {
                    d[i][j] = through;
                }
            }
        }
    }
    let mut sum = 0u64;
    for (i, row) in d.iter().enumerate() {
        for (j, &distance) in row.iter().enumerate().skip(i + 1) {
            assert!(distance < far, "atoms {i} and {j} are disconnected: {m:?}");
            sum += u64::from(distance);
        }
    }
    sum as f64
}

fn assert_kept_degrees(m: &Molecule, context: &str) {
    for a in 0..m.atom_count() {
        assert_eq!(
            u32::from(m.heavy_degree(a)),
            m.neighbour_mask(a).count_ones(),
            "{context}: atom {a} of {m:?}"
        );
    }
}

/// Walk `formula` for `steps` steps at constant temperature `temperature`, checking
/// the running energy and the kept degrees after every step; returns the accepted moves.
fn walk(formula: &str, temperature: f64, steps: u64, seed: u64) -> u64 {
    let problem = Isomer::new(formula, Objective::default()).unwrap();
    let config = AnnealConfig {
        seed,
        schedule: ScheduleKind::Constant,
        initial_temp: temperature,
        steps_per_cycle: steps,
        cycles: 1,
        batch: Batch::Fixed(1),
        ..AnnealConfig::default()
    };
    let mut sa = Annealer::new(problem, config).unwrap();
    let mut accepted = 0;
    while let Some(outcome) = sa.step() {
        let context = format!("{formula} T={temperature} seed {seed} step {}", sa.steps_done());
        assert_eq!(sa.current_energy(), wiener_by_floyd_warshall(sa.state()), "{context} after {outcome:?}");
        assert_kept_degrees(sa.state(), &context);
        accepted += u64::from(matches!(outcome, kiln_engine::StepOutcome::Accepted { .. }));
    }
    accepted
}

#[test]
fn the_running_wiener_index_equals_floyd_warshall_after_every_step_of_long_walks() {
    for (formula, steps) in
        [("C10H22", 60_000), ("C30H62", 20_000), ("C8H10O2", 40_000), ("C7H12ClN", 40_000)]
    {
        for (seed, temperature) in [(1, 1_000.0), (2, 5.0)] {
            let accepted = walk(formula, temperature, steps, seed);
            // The walk must actually move, or it tests nothing.
            assert!(accepted > steps / 100, "{formula} T={temperature}: only {accepted} moves accepted");
        }
    }
}
