//! Properties of every isomer run: every state after every step keeps the formula
//! and the valences and stays connected, over random formulas; every satisfiable
//! formula gets a starting structure; bad formulas get their own errors.

use kiln_engine::problems::isomer::{Element, Formula, Isomer, IsomerError, Molecule, Objective};
use kiln_engine::{AnnealConfig, Annealer, Batch, ScheduleKind};

/// SplitMix64: the test's own seeded randomness (formulas, temperatures).
struct Seeded(u64);

impl Seeded {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }
}

/// A random molecule's formula: a random tree of random heavy atoms, random
/// extra bond-order units where valences allow, the rest hydrogens. Every formula
/// made this way has a connected structure.
fn random_satisfiable_formula(rng: &mut Seeded) -> String {
    let n = 1 + rng.below(14) as usize;
    let pool =
        [Element::C, Element::C, Element::C, Element::N, Element::O, Element::S, Element::P, Element::Cl];
    let mut atoms: Vec<Element> = Vec::new();
    let mut free: Vec<i32> = Vec::new();
    let mut bonds = std::collections::HashMap::new();
    for i in 0..n {
        // Only polyvalent atoms may hold a new branch; halogens are leaves.
        let holders: Vec<usize> = (0..i).filter(|&j| free[j] > 0).collect();
        let element =
            if i > 0 && holders.is_empty() { break } else { pool[rng.below(pool.len() as u64) as usize] };
        let element = if i == 0 && element.is_halogen() { Element::C } else { element };
        atoms.push(element);
        free.push(i32::from(element.valence()));
        if i > 0 {
            let j = holders[rng.below(holders.len() as u64) as usize];
            free[i] -= 1;
            free[j] -= 1;
            bonds.insert((j, i), 1u8);
        }
    }
    for _ in 0..rng.below(6) {
        let (a, b) = (rng.below(atoms.len() as u64) as usize, rng.below(atoms.len() as u64) as usize);
        let key = (a.min(b), a.max(b));
        let order = bonds.get(&key).copied().unwrap_or(0);
        if a != b && free[a] > 0 && free[b] > 0 && order < 3 {
            free[a] -= 1;
            free[b] -= 1;
            bonds.insert(key, order + 1);
        }
    }
    let hydrogens: i32 = free.iter().sum();
    let mut text: String = atoms.iter().map(|e| e.symbol()).collect();
    text.push_str(&format!("H{hydrogens}"));
    text
}

fn assert_keeps_formula(formula: &Formula, m: &Molecule, context: &str) {
    assert!(m.valences_hold(), "{context}: {m:?}");
    assert!(m.is_connected(), "{context}: {m:?}");
    assert_eq!(m.total_hydrogens(), formula.hydrogens(), "{context}: {m:?}");
    for element in Element::ALL {
        let count = (0..m.atom_count()).filter(|&i| m.element(i) == element).count();
        assert_eq!(count, formula.count(element), "{context}: {element}");
    }
    for (i, j, order) in m.bonds() {
        assert!(i < j && (1..=3).contains(&order), "{context}: bond {i}-{j} of order {order}");
    }
}

#[test]
fn every_state_after_every_step_keeps_the_formula_and_the_valences() {
    let mut rng = Seeded(2026);
    for case in 0..60 {
        let text = random_satisfiable_formula(&mut rng);
        let problem = Isomer::new(&text, Objective::default()).unwrap_or_else(|e| panic!("{text}: {e}"));
        let formula = problem.formula().clone();
        let config = AnnealConfig {
            seed: case,
            schedule: ScheduleKind::Constant,
            initial_temp: [0.5, 5.0, 1_000.0][case as usize % 3],
            steps_per_cycle: 3_000,
            cycles: 1,
            batch: Batch::Fixed(1),
            ..AnnealConfig::default()
        };
        let mut sa = Annealer::new(problem, config).unwrap();
        assert_keeps_formula(&formula, sa.state(), &text);
        while let Some(outcome) = sa.step() {
            assert_keeps_formula(&formula, sa.state(), &format!("{text} after {outcome:?}"));
        }
        assert_eq!(sa.current_energy(), sa.recomputed_energy(), "{text}");
    }
}

#[test]
fn every_satisfiable_formula_gets_a_connected_starting_structure() {
    let mut rng = Seeded(7);
    for _ in 0..2_000 {
        let text = random_satisfiable_formula(&mut rng);
        let problem = Isomer::new(&text, Objective::default()).unwrap_or_else(|e| panic!("{text}: {e}"));
        let start = Annealer::new(problem, AnnealConfig::default()).unwrap().state().clone();
        assert_keeps_formula(&text.parse().unwrap(), &start, &text);
    }
}

#[test]
fn each_bad_formula_gets_its_own_clear_error() {
    /// A formula, the error kind it must get, and words its message must contain.
    type Case = (&'static str, fn(&IsomerError) -> bool, &'static str);
    let cases: [Case; 7] = [
        ("C2H5Q", |e| matches!(e, IsomerError::UnknownElement { .. }), "unknown element 'Q'"),
        ("H4", |e| matches!(e, IsomerError::NoHeavyAtom { .. }), "no heavy atom"),
        ("C2H7", |e| matches!(e, IsomerError::TooManyHydrogens { .. }), "7 hydrogens exceed the 6"),
        ("C2H5", |e| matches!(e, IsomerError::OddValence { .. }), "odd number"),
        ("C70H142", |e| matches!(e, IsomerError::TooManyHeavyAtoms { .. }), "70 heavy atoms"),
        ("C2", |e| matches!(e, IsomerError::NoConnectedStructure { .. }), "no connected structure"),
        ("CH2", |e| matches!(e, IsomerError::NoConnectedStructure { .. }), "no connected structure"),
    ];
    for (text, is_kind, words) in cases {
        let e = Isomer::new(text, Objective::default()).expect_err(text);
        assert!(is_kind(&e), "{text}: {e:?}");
        assert!(e.to_string().contains(words), "{text}: {e}");
        assert!(e.to_string().contains(text), "{text}: the message names the formula: {e}");
        assert_eq!(e.field(), "formula");
    }
}
