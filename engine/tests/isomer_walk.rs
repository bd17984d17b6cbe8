//! The isomer walk covers isomer space exactly: at a constant high temperature it
//! visits every constitutional isomer of a formula and never more than exist.

use std::collections::HashMap;

use kiln_engine::problems::isomer::{DistinctIsomers, Isomer, Objective};
use kiln_engine::{AnnealConfig, Annealer, Batch, ScheduleKind};

/// Steps each walk may take to find every isomer: 2,000,000. With seed 42 the
/// slowest formula, C10H22, has all 75 by step 650,000 (C9H20: 46,000, C8H18:
/// 9,000, the others within 1,000; `--nocapture` prints them). Highly symmetric
/// isomers are the rare ones: at infinite temperature Faulon's walk visits each
/// labelled graph equally often, so an isomer's share falls with its number of
/// symmetries (2,2,3,3-tetramethylbutane and its C10 kin).
const STEP_BUDGET: u64 = 2_000_000;

/// Known counts from `tests/data/isomers.tsv` (OEIS A000602 for alkanes).
fn known_counts() -> HashMap<String, u64> {
    let text = include_str!("data/isomers.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut cols = l.split('\t');
            Some((cols.next()?.to_string(), cols.next()?.parse().ok()?))
        })
        .collect()
}

fn hot_walk(formula: &str) -> Annealer<Isomer> {
    let config = AnnealConfig {
        schedule: ScheduleKind::Constant,
        initial_temp: 1_000.0,
        steps_per_cycle: STEP_BUDGET,
        cycles: 1,
        batch: Batch::Fixed(1),
        ..AnnealConfig::default()
    };
    Annealer::new(Isomer::new(formula, Objective::default()).unwrap(), config).unwrap()
}

/// Walk until `expected` distinct structures were seen or the budget is spent;
/// returns the set and the step at which the last new structure appeared.
fn visit(formula: &str, expected: u64) -> (DistinctIsomers, u64) {
    let mut sa = hot_walk(formula);
    let problem = sa.problem().clone();
    let mut seen = DistinctIsomers::new();
    seen.observe(&problem, sa.state());
    let mut last_new = 0;
    while !sa.is_complete() {
        let before = seen.count();
        let mut steps_done = sa.steps_done();
        sa.run_observed(1_000, &mut |m| seen.observe(&problem, m));
        if seen.count() > before {
            last_new = sa.steps_done();
        }
        steps_done += 1_000;
        // Keep walking a while past the expected count: a surplus would show a bug.
        if seen.count() >= expected && steps_done >= 2 * last_new.max(20_000) {
            break;
        }
    }
    (seen, last_new)
}

fn assert_visits_exactly_the_known_count(formula: &str, expected: u64) {
    let (seen, last_new) = visit(formula, expected);
    let mut names: Vec<String> = seen.names().collect();
    names.sort();
    assert_eq!(seen.count(), expected, "{formula}: saw {names:?}");
    println!("{formula}: all {expected} isomers by step {last_new}");
}

#[test]
fn hot_walks_visit_every_alkane_isomer_and_no_more() {
    let counts = known_counts();
    for n in 4..=10 {
        let formula = format!("C{n}H{}", 2 * n + 2);
        assert_visits_exactly_the_known_count(&formula, counts[&formula]);
    }
}

#[test]
fn hot_walks_visit_every_isomer_of_butene_and_ethanol() {
    let counts = known_counts();
    for formula in ["C4H8", "C2H6O"] {
        assert_visits_exactly_the_known_count(formula, counts[formula]);
    }
}

#[test]
fn hot_walk_of_c3h6o_visits_exactly_its_nine_isomers() {
    // Not in isomers.tsv; the nine, by hand: the two carbonyls, the three enols and
    // the vinyl ether (one C=C or C=O), and the three rings.
    let mut expected = vec![
        "CCC=O",   // propanal
        "CC(C)=O", // acetone
        "C=CCO",   // allyl alcohol
        "CC=CO",   // prop-1-en-1-ol
        "C=C(C)O", // prop-1-en-2-ol
        "C=COC",   // methyl vinyl ether
        "OC1CC1",  // cyclopropanol
        "C1COC1",  // oxetane
        "CC1CO1",  // methyloxirane
    ];
    expected.sort();
    let (seen, _) = visit("C3H6O", 9);
    let mut names: Vec<String> = seen.names().collect();
    names.sort();
    assert_eq!(names, expected);
}
