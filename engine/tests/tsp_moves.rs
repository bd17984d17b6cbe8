//! TSP moves keep the tour a tour and price themselves exactly: every delta equals
//! the recomputed change, and the annealer's running length never drifts.

use std::collections::HashSet;

use kiln_engine::problems::tsp::{
    Candidates, Layout, MoveMix, NEAREST_MIN_CITIES, NEIGHBOURS, Tour, Tsp, TspMove, euc_2d,
};
use kiln_engine::rng::{StepRng, StepStream};
use kiln_engine::{AnnealConfig, Annealer, Batch, Problem, Proposal, ScheduleKind};

fn is_permutation(order: &[u32]) -> bool {
    let mut seen = vec![false; order.len()];
    order.iter().all(|&c| (c as usize) < seen.len() && !std::mem::replace(&mut seen[c as usize], true))
}

/// The undirected edges of a closed tour.
fn edges(order: &[u32]) -> HashSet<(u32, u32)> {
    let n = order.len();
    (0..n).map(|k| (order[k], order[(k + 1) % n])).map(|(a, b)| (a.min(b), a.max(b))).collect()
}

/// Propose and apply `steps` moves from `seed`'s stream, checking each.
fn walk(tsp: &Tsp, steps: u64, seed: u64, mut check: impl FnMut(&Tour, &TspMove, f64, &Tour)) {
    let mut tour = tsp.initial_state();
    let mut stream = StepStream::new(seed, 0);
    for t in 0..steps {
        let words = stream.next_step();
        let mut rng = StepRng::new(seed, t, &words);
        if let Proposal::Move(mv) = tsp.propose(&tour, &mut rng) {
            let delta = tsp.delta(&tour, &mv);
            let before = tour.clone();
            tsp.apply(&mut tour, &mv);
            check(&before, &mv, delta, &tour);
        }
    }
}

#[test]
fn every_delta_equals_the_recomputed_change_in_length() {
    for n in 4..=12 {
        let tsp = Tsp::random(n, Layout::Uniform, n as u64).unwrap();
        walk(&tsp, 20_000, 1, |before, mv, delta, after| {
            let change = tsp.energy(after) - tsp.energy(before);
            assert_eq!(delta, change, "n = {n}, {mv:?} on {:?}", before.order());
        });
    }
    let kro = Tsp::bundled("kroA100").unwrap();
    let mut counts = [0u32; 2];
    walk(&kro, 50_000, 2, |before, mv, delta, after| {
        counts[matches!(mv, TspMove::OrOpt { .. }) as usize] += 1;
        assert_eq!(delta, kro.energy(after) - kro.energy(before), "{mv:?}");
    });
    assert!(counts.iter().all(|&c| c > 20_000), "both kinds proposed about equally: {counts:?}");
}

#[test]
fn moves_from_neighbour_lists_price_exactly_and_change_the_edges() {
    // Neighbour lists start at NEAREST_MIN_CITIES; small instances are where a
    // city's list is crowded with its own segment and tour neighbours.
    for n in NEAREST_MIN_CITIES..=NEAREST_MIN_CITIES + 6 {
        for mix in [MoveMix::Both, MoveMix::TwoOptOnly, MoveMix::OrOptOnly] {
            let tsp = Tsp::random(n, Layout::Clustered, n as u64).unwrap().with_moves(mix);
            assert_eq!(tsp.candidates(), Candidates::Nearest);
            walk(&tsp, 5_000, 7, |before, mv, delta, after| {
                assert!(is_permutation(after.order()), "{mv:?} made {:?}", after.order());
                assert_eq!(delta, tsp.energy(after) - tsp.energy(before), "n = {n}, {mv:?}");
                assert_ne!(edges(before.order()), edges(after.order()), "{mv:?} is a no-op");
            });
        }
    }
}

#[test]
fn most_neighbour_list_moves_add_an_edge_to_a_near_city() {
    // Brute force: each city's 10 nearest (TSPLIB distance), and how often an added
    // edge joins two such cities, for uniform and for neighbour-list candidates.
    let tsp = Tsp::bundled("pr1002").unwrap();
    let coords = tsp.coords();
    let near: Vec<Vec<u32>> = (0..coords.len())
        .map(|a| {
            let mut others: Vec<u32> = (0..coords.len() as u32).filter(|&b| b as usize != a).collect();
            others.sort_by_key(|&b| (euc_2d(coords[a], coords[b as usize]), b));
            others.truncate(NEIGHBOURS);
            others
        })
        .collect();
    let near_share = |tsp: &Tsp| {
        let (mut close, mut all) = (0, 0);
        walk(tsp, 3_000, 3, |before, _, _, after| {
            for (a, b) in edges(after.order()).difference(&edges(before.order())) {
                all += 1;
                close += usize::from(near[*a as usize].contains(b) || near[*b as usize].contains(a));
            }
        });
        close as f64 / all as f64
    };
    assert!(near_share(&tsp) > 0.3, "nearest: {}", near_share(&tsp));
    let uniform = tsp.clone().with_candidates(Candidates::Uniform);
    assert!(near_share(&uniform) < 0.05, "uniform: {}", near_share(&uniform));
}

#[test]
fn every_move_keeps_a_permutation_and_changes_the_edges() {
    for (n, mix) in [
        (4, MoveMix::Both),
        (5, MoveMix::Both),
        (6, MoveMix::TwoOptOnly),
        (7, MoveMix::OrOptOnly),
        (60, MoveMix::Both),
    ] {
        let tsp = Tsp::random(n, Layout::Clustered, 3).unwrap().with_moves(mix);
        walk(&tsp, 20_000, 4, |before, mv, _, after| {
            assert!(is_permutation(after.order()), "{mv:?} made {:?}", after.order());
            assert_ne!(
                edges(before.order()),
                edges(after.order()),
                "{mv:?} on {:?} is a no-op",
                before.order()
            );
        });
    }
}

#[test]
fn or_opt_moves_segments_of_one_to_three_cities_both_ways_round() {
    let tsp = Tsp::random(40, Layout::Uniform, 5).unwrap().with_moves(MoveMix::OrOptOnly);
    let mut seen = HashSet::new();
    walk(&tsp, 5_000, 6, |_, mv, _, _| {
        if let TspMove::OrOpt { len, reversed, .. } = *mv {
            seen.insert((len, reversed));
        }
    });
    assert_eq!(seen.len(), 6, "{seen:?}");
}

#[test]
fn a_three_city_tour_has_no_move_and_says_so() {
    let tsp = Tsp::random(3, Layout::Uniform, 1).unwrap();
    let mut sa =
        Annealer::new(tsp, AnnealConfig { steps_per_cycle: 100, cycles: 1, ..AnnealConfig::default() })
            .unwrap();
    sa.run(100);
    assert_eq!(sa.snapshot().invalid_moves, 100);
}

#[test]
fn the_tour_is_a_permutation_after_every_step() {
    let tsp = Tsp::bundled("berlin52").unwrap();
    let config = AnnealConfig {
        schedule: ScheduleKind::Geometric,
        initial_temp: 300.0,
        final_temp: Some(1.0),
        steps_per_cycle: 200_000,
        cycles: 1,
        batch: Batch::Fixed(1),
        ..AnnealConfig::default()
    };
    let mut sa = Annealer::new(tsp, config).unwrap();
    // The tour only changes on an accepted move, so checking after each one checks
    // after every step.
    let mut checked = 0u64;
    sa.run_observed(u64::MAX, &mut |tour: &Tour| {
        assert!(is_permutation(tour.order()));
        checked += 1;
    });
    assert_eq!(checked, sa.snapshot().accepted_moves);
    assert!(checked > 10_000, "{checked}");
    assert!(is_permutation(sa.best_state().order()));
}

#[test]
fn incremental_length_equals_recomputed_length_after_a_million_steps() {
    let tsp = Tsp::bundled("kroA100").unwrap();
    let config = AnnealConfig {
        schedule: ScheduleKind::Auto,
        steps_per_cycle: 1_000_000,
        cycles: 1,
        batch: Batch::Fixed(1),
        ..AnnealConfig::default()
    };
    let mut sa = Annealer::new(tsp, config).unwrap();
    assert_eq!(sa.run(u64::MAX), 1_000_000);
    let s = sa.snapshot();
    assert!(s.accepted_moves > 50_000, "the tour changed often: {s:?}");
    assert_eq!(sa.current_energy(), sa.recomputed_energy());
    assert_eq!(sa.best_energy(), sa.problem().tour_length(sa.best_state().order()) as f64);
}
