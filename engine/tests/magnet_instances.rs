//! Magnet instances: building them, refusing bad input with a named field or line,
//! exact energies (deltas, incremental energy, cuts) checked by direct recomputation
//! and ground states checked by brute-force enumeration.

use kiln_engine::problems::magnet::{Coupling, Flip, Magnet, MagnetError, Spins, Start};
use kiln_engine::{AnnealConfig, Annealer, Batch, Generator, Problem, ScheduleKind};

/// `-sum J s s - h sum s` straight from the public edge list, for any spins.
fn energy_from_edges(magnet: &Magnet, spins: &[i8]) -> f64 {
    let bonds: i64 = magnet.couplings().map(|(i, j, c)| i64::from(c * i32::from(spins[i] * spins[j]))).sum();
    let m: i64 = spins.iter().map(|&s| i64::from(s)).sum();
    -(bonds as f64) - magnet.field() * m as f64
}

#[test]
fn a_lattice_has_four_neighbours_per_spin_and_2n_bonds() {
    let magnet = Magnet::lattice(5, Coupling::Ferro, 0).unwrap();
    assert_eq!((magnet.len(), magnet.edges()), (25, 50));
    let mut degree = [0; 25];
    for (i, j, c) in magnet.couplings() {
        assert_eq!(c, 1);
        degree[i] += 1;
        degree[j] += 1;
    }
    assert!(degree.iter().all(|&d| d == 4));
    let up = Magnet::lattice(5, Coupling::Ferro, 0).unwrap().with_start(Start::Up);
    assert_eq!(up.energy(&up.initial_state()), -50.0);
}

#[test]
fn a_glass_is_drawn_from_its_seed() {
    let bonds = |seed| Magnet::lattice(8, Coupling::Glass, seed).unwrap().couplings().collect::<Vec<_>>();
    assert_eq!(bonds(3), bonds(3));
    assert_ne!(bonds(3), bonds(4));
    let plus = bonds(3).iter().filter(|e| e.2 == 1).count();
    assert!((40..=88).contains(&plus), "{plus} of 128 bonds are +1");
}

#[test]
fn every_flip_delta_equals_the_recomputed_energy_change() {
    let magnet = Magnet::lattice(4, Coupling::Glass, 11).unwrap().with_field(0.3).unwrap();
    let mut state: Spins = magnet.initial_state();
    for round in 0..40 {
        for site in 0..magnet.len() {
            let before = energy_from_edges(&magnet, state.spins());
            let delta = magnet.delta(&state, &Flip::new(site));
            let mut after = state.clone();
            magnet.apply(&mut after, &Flip::new(site));
            assert_eq!(energy_from_edges(&magnet, after.spins()) - before, delta, "site {site}");
            if (site + round) % 3 == 0 {
                state = after;
            }
        }
    }
}

#[test]
fn incremental_energy_equals_recomputation_after_many_steps() {
    let instances = [
        Magnet::lattice(16, Coupling::Glass, 1).unwrap().with_field(-0.7).unwrap(),
        Magnet::gset("G14").unwrap(),
    ];
    for magnet in instances {
        for (batch, generator) in [
            (Batch::Fixed(1), Generator::ChaCha8),
            (Batch::Fixed(16), Generator::ChaCha8),
            (Batch::Fixed(1), Generator::Philox),
            (Batch::Fixed(16), Generator::Philox),
        ] {
            let config = AnnealConfig {
                generator,
                schedule: ScheduleKind::Geometric,
                initial_temp: 3.0,
                final_temp: Some(0.2),
                steps_per_cycle: 300_000,
                cycles: 1,
                batch,
                threads: 2,
                ..AnnealConfig::default()
            };
            let mut sa = Annealer::new(magnet.clone(), config).unwrap();
            while !sa.is_complete() {
                sa.run(37_777);
                let recomputed = energy_from_edges(&magnet, sa.state().spins());
                assert_eq!(sa.current_energy(), recomputed, "{} at step {}", magnet.name(), sa.steps_done());
            }
            assert_eq!(sa.best_energy(), energy_from_edges(&magnet, sa.best_state().spins()));
        }
    }
}

#[test]
fn the_cut_is_the_weight_of_the_edges_whose_ends_differ() {
    let magnet = Magnet::gset("G11").unwrap();
    let config = AnnealConfig { steps_per_cycle: 100_000, ..magnet.default_config(3) };
    let mut sa = Annealer::new(magnet, config).unwrap();
    sa.run(u64::MAX);
    let spins = sa.state().spins();
    // J = -w, so the weight of an edge is -J.
    let cut: i64 =
        sa.problem().couplings().filter(|e| spins[e.0] != spins[e.1]).map(|e| -i64::from(e.2)).sum();
    assert_eq!(sa.problem().cut(sa.current_energy()), Some(cut));
    assert_eq!(sa.problem().best_known_cut(), Some(564));
    assert_eq!(Magnet::lattice(4, Coupling::Ferro, 0).unwrap().cut(-32.0), None, "a lattice has no cut");
}

#[test]
fn annealing_finds_the_brute_force_ground_state_of_a_small_glass() {
    let magnet = Magnet::lattice(4, Coupling::Glass, 7).unwrap().with_field(0.25).unwrap();
    let ground = (0u32..1 << 16)
        .map(|bits| {
            let spins: Vec<i8> = (0..16).map(|i| if bits >> i & 1 == 1 { 1 } else { -1 }).collect();
            energy_from_edges(&magnet, &spins)
        })
        .fold(f64::INFINITY, f64::min);
    let config = magnet.default_config(1);
    let mut sa = Annealer::new(magnet, config).unwrap();
    sa.run(u64::MAX);
    assert_eq!(sa.best_energy(), ground);
}

#[test]
fn a_graph_text_reads_like_the_bundled_gset_file() {
    let text = "4 5\n1 2 1\n2 3 1\n3 4 1\n4 1 1\n1 3 -1\n";
    let magnet = Magnet::parse_graph(text).unwrap();
    assert_eq!((magnet.len(), magnet.edges(), magnet.name()), (4, 5, "graph-4-5"));
    // Spins + - + -: the 4-cycle is fully cut (4), the -1 chord 1-3 is not cut.
    let spins = [1, -1, 1, -1];
    let energy = energy_from_edges(&magnet, &spins);
    assert_eq!(magnet.cut(energy), Some(4));
    assert_eq!(magnet.best_known_cut(), None);
}

#[test]
fn graph_errors_name_the_line_and_value() {
    let err = Magnet::parse_graph("3 2\n1 2 1\n1 x 1\n").unwrap_err();
    assert_eq!(err.line(), Some(3));
    assert_eq!(
        err.to_string(),
        "line 3: expected a coupling 'i j w' (two spin numbers and a number) or a field 'h i value', found '1 x 1'"
    );
    let err = Magnet::parse_graph("3 1\n1 9 1\n").unwrap_err();
    assert_eq!(err.to_string(), "line 2: spin 9 is outside 1..=3 (the first line's n)");
}

#[test]
fn bad_parameters_name_their_field_and_value() {
    let cases: [(Result<Magnet, MagnetError>, &str); 6] = [
        (Magnet::lattice(2, Coupling::Ferro, 0), "lattice: must be 3 to 1000 spins on a side, not 2"),
        (Magnet::lattice(5000, Coupling::Ferro, 0), "lattice: must be 3 to 1000 spins on a side, not 5000"),
        (
            Magnet::lattice(8, Coupling::Ferro, 0).and_then(|m| m.with_field(f64::NAN)),
            "field: must be a finite number from -100 to 100, not NaN",
        ),
        (
            Magnet::lattice(8, Coupling::Ferro, 0).and_then(|m| m.with_field(1e3)),
            "field: must be a finite number from -100 to 100, not 1000",
        ),
        (Magnet::gset("G7"), "gset: unknown graph 'G7'; bundled graphs: G1, G2, G3, G11, G14, G22"),
        (
            "spin".parse::<Coupling>().map(|_| unreachable!()),
            "coupling: must be \"ferro\" or \"glass\", not \"spin\"",
        ),
    ];
    for (result, message) in cases {
        assert_eq!(result.unwrap_err().to_string(), message);
    }
}

#[test]
fn the_field_is_held_as_a_multiple_of_1_over_1024() {
    let magnet = Magnet::lattice(3, Coupling::Ferro, 0).unwrap().with_field(0.1).unwrap();
    assert_eq!(magnet.field(), 102.0 / 1024.0);
}

#[test]
fn the_replay_digest_is_fnv1a_over_the_documented_bytes() {
    let magnet = Magnet::lattice(3, Coupling::Glass, 2).unwrap();
    let state = magnet.initial_state();
    let mut bytes = (state.len() as u64).to_le_bytes().to_vec();
    bytes.extend(state.spins().iter().map(|&s| if s == 1 { 0x01u8 } else { 0xff }));
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    assert_eq!(kiln_engine::Digest::of(&state), hash);
}
