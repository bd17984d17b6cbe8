//! `Isomer`: simulated annealing over the constitutional isomers of a formula.
//!
//! The state is a [`Molecule`], the move Faulon's [`Displacement`], the energy a
//! weighted sum of components ([`Objective`]). `propose` draws the move, rejects a
//! disconnected result, and prices it: the components of the hypothetical result
//! travel in the move, and the molecule caches its own, so `delta` is one
//! subtraction and `apply` stores the new values. For the Wiener index (integers)
//! `current += delta` is exact; for logP the delta is `energy(new) - energy(old)`
//! of the same full computations, so the running sum drifts by rounding only.

use std::sync::Arc;

use crate::config::{AnnealConfig, Direction};
use crate::problem::{Problem, Proposal};
use crate::rng::StepRng;

use super::displacement::Displacement;
use super::error::IsomerError;
use super::formula::Formula;
use super::initial::initial_structure;
use super::logp::LogpMemo;
use super::molecule::{Components, MAX_HEAVY_ATOMS, Molecule, is_connected};
use super::objective::{Component, Objective};
use super::smiles::canonical_smiles;
use super::wiener::{wiener_index, wiener_index_if_connected};

/// Cycles (reheats) of a headless run.
pub const HEADLESS_CYCLES: u64 = 4;
/// Steps per cycle of a headless run, per squared heavy atom.
pub const HEADLESS_STEPS_PER_ATOM_SQUARED: u64 = 2_000;
/// Fewest steps per cycle of a headless run.
pub const HEADLESS_MIN_STEPS_PER_CYCLE: u64 = 10_000;

/// Known Wiener-index facts (minimum, maximum) of small formulas, from
/// `isomers.tsv` (alkane maxima also follow n(n^2-1)/6, the chain).
const WIENER_FACTS: [(&str, u32, Option<u32>); 14] = [
    ("CH4", 0, Some(0)),
    ("C2H6", 1, Some(1)),
    ("C3H8", 4, Some(4)),
    ("C4H10", 9, Some(10)),
    ("C5H12", 16, Some(20)),
    ("C6H14", 28, Some(35)),
    ("C7H16", 42, Some(56)),
    ("C8H18", 58, Some(84)),
    ("C9H20", 82, Some(120)),
    ("C10H22", 108, Some(165)),
    ("C4H8", 8, Some(10)),
    ("C6H12", 26, None),
    ("C3H6", 3, Some(4)),
    ("C2H4", 1, Some(1)),
];

/// The isomer problem of one formula and objective.
#[derive(Clone, Debug)]
pub struct Isomer {
    formula: Formula,
    objective: Objective,
    start: Molecule,
    logp: Arc<LogpMemo>,
}

impl Isomer {
    /// The problem for `formula` (e.g. "C8H18") optimising `objective`.
    pub fn new(formula: &str, objective: Objective) -> Result<Isomer, IsomerError> {
        let parsed: Formula = formula.parse()?;
        let mut start = initial_structure(&parsed).map_err(|reason| IsomerError::NoConnectedStructure {
            formula: formula.trim().to_string(),
            reason,
        })?;
        debug_assert!(start.atom_count() <= MAX_HEAVY_ATOMS);
        let problem = Isomer { formula: parsed, objective, start: start.clone(), logp: Arc::default() };
        start.components = problem.components_of(&start);
        Ok(Isomer { start, ..problem })
    }

    /// The same problem starting from `start` instead of the built structure (for
    /// example a quenched state, to measure a low-acceptance regime); `None` unless
    /// `start` is a connected molecule of this formula with standard valences.
    pub fn starting_at(&self, start: &Molecule) -> Option<Isomer> {
        let same_atoms = start.atom_count() == self.start.atom_count()
            && (0..start.atom_count()).all(|i| start.element(i) == self.start.element(i));
        let valid = same_atoms
            && start.total_hydrogens() == self.formula.hydrogens()
            && start.valences_hold()
            && start.is_connected();
        valid.then(|| {
            let mut start = start.clone();
            start.components = self.components_of(&start);
            Isomer { start, ..self.clone() }
        })
    }

    /// The formula.
    pub fn formula(&self) -> &Formula {
        &self.formula
    }

    /// The objective.
    pub fn objective(&self) -> &Objective {
        &self.objective
    }

    /// RDKit's canonical SMILES of `molecule`.
    pub fn canonical_smiles(&self, molecule: &Molecule) -> String {
        canonical_smiles(molecule)
    }

    /// Every component's value for `molecule`, computed from scratch.
    pub fn component_values(&self, molecule: &Molecule) -> Vec<(Component, f64)> {
        vec![
            (Component::WienerIndex, f64::from(wiener_index(molecule.adjacency()))),
            (Component::LogP, self.logp.logp(molecule)),
        ]
    }

    /// The best energy any isomer reaches in `direction`, when known: the Wiener
    /// index alone (any weight) for formulas in Kiln's table of facts, and the chain
    /// n(n^2-1)/6 as the maximum for every alkane.
    pub fn known_optimum(&self, direction: Direction) -> Option<f64> {
        let weights = self.objective.weights();
        let [(Component::WienerIndex, weight)] = weights[..] else { return None };
        let name = self.formula.to_string();
        let fact = WIENER_FACTS.iter().find(|f| f.0 == name);
        let wiener = match direction {
            Direction::Minimize => fact.map(|f| f.1),
            Direction::Maximize if self.formula.is_alkane() => {
                let n = self.formula.heavy_atoms() as u32;
                Some(n * (n * n - 1) / 6)
            }
            Direction::Maximize => fact.and_then(|f| f.2),
        }?;
        Some(weight * f64::from(wiener))
    }

    /// The settings a headless run (`kiln run`) uses for this formula and `seed`.
    ///
    /// The classroom page keeps the original app's defaults (4 cycles of 500 steps),
    /// sized for watching one step at a time; a headless run is there for the
    /// answer, so its budget grows with the search space: Faulon's schedule (T0 100,
    /// k 8) over [`HEADLESS_CYCLES`] cycles of [`HEADLESS_STEPS_PER_ATOM_SQUARED`]
    /// times the squared heavy-atom count, at least [`HEADLESS_MIN_STEPS_PER_CYCLE`].
    /// With these, seed 42 reaches the smallest Wiener index of every alkane through
    /// C16H34 (348) in well under a second per formula (tests/isomer_wiener_minimum.rs).
    pub fn headless_config(&self, seed: u64, direction: Direction) -> AnnealConfig {
        let n = self.formula.heavy_atoms() as u64;
        AnnealConfig {
            seed,
            direction,
            steps_per_cycle: (HEADLESS_STEPS_PER_ATOM_SQUARED * n * n).max(HEADLESS_MIN_STEPS_PER_CYCLE),
            cycles: HEADLESS_CYCLES,
            ..AnnealConfig::default()
        }
    }

    /// The components the objective needs, computed from scratch.
    fn components_of(&self, m: &Molecule) -> Components {
        Components {
            wiener: if self.objective.uses(Component::WienerIndex) { wiener_index(m.adjacency()) } else { 0 },
            logp: if self.objective.uses(Component::LogP) { self.logp.logp(m) } else { 0.0 },
        }
    }

    /// The components after `mv`, from the molecule's cached ones where unchanged;
    /// `None` when the move's result falls apart (then nothing is priced).
    ///
    /// Only a move that changes which heavy atoms are bonded can disconnect them or
    /// change the Wiener index; for the index, one walk of the new graph answers
    /// both (`wiener_index_if_connected`), otherwise a connectivity search, run only
    /// when some heavy bond disappears.
    #[inline]
    fn components_after(&self, m: &Molecule, mv: &Displacement) -> Option<Components> {
        let mut after = m.components;
        let wiener = self.objective.uses(Component::WienerIndex);
        if mv.changes_heavy_graph() && (wiener || mv.breaks_heavy_bond()) {
            let mut buffer = [0u64; MAX_HEAVY_ATOMS];
            let adjacency = mv.adjacency_after(m, &mut buffer);
            if wiener {
                after.wiener = wiener_index_if_connected(adjacency, mv.bond_count_after(m))?;
            } else if !is_connected(adjacency) {
                return None;
            }
        }
        if self.objective.uses(Component::LogP) {
            let mut next = m.clone();
            mv.apply_to(&mut next);
            after.logp = self.logp.logp(&next);
        }
        Some(after)
    }
}

impl Problem for Isomer {
    type State = Molecule;
    type Move = Displacement;

    fn initial_state(&self) -> Molecule {
        self.start.clone()
    }

    #[inline]
    fn propose(&self, state: &Molecule, rng: &mut StepRng) -> Proposal<Displacement> {
        match Displacement::draw(state, rng) {
            Err(kind) => Proposal::Invalid(kind),
            Ok(mut mv) => match self.components_after(state, &mv) {
                None => Proposal::Invalid(super::displacement::DISCONNECTED),
                Some(after) => {
                    mv.after = after;
                    Proposal::Move(mv)
                }
            },
        }
    }

    #[inline]
    fn delta(&self, state: &Molecule, mv: &Displacement) -> f64 {
        let before = state.components;
        self.objective.combine(mv.after.wiener, mv.after.logp)
            - self.objective.combine(before.wiener, before.logp)
    }

    #[inline]
    fn apply(&self, state: &mut Molecule, mv: &Displacement) {
        mv.apply_to(state);
        state.components = mv.after;
    }

    fn energy(&self, state: &Molecule) -> f64 {
        let c = self.components_of(state);
        self.objective.combine(c.wiener, c.logp)
    }

    fn invalid_kinds(&self) -> &'static [&'static str] {
        &["disconnected"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn optimum(formula: &str, weights: &[(&str, f64)], direction: Direction) -> Option<f64> {
        let weights: Vec<(String, f64)> = weights.iter().map(|(n, w)| (n.to_string(), *w)).collect();
        Isomer::new(formula, Objective::from_weights(&weights).unwrap()).unwrap().known_optimum(direction)
    }

    #[test]
    fn known_optima_come_from_the_table_and_the_chain() {
        let wiener = [("wiener_index", 1.0)];
        assert_eq!(optimum("C10H22", &wiener, Direction::Minimize), Some(108.0));
        assert_eq!(optimum("C10H22", &wiener, Direction::Maximize), Some(165.0));
        assert_eq!(optimum("C20H42", &wiener, Direction::Maximize), Some(1330.0));
        assert_eq!(optimum("C20H42", &wiener, Direction::Minimize), None);
        assert_eq!(optimum("C6H12", &wiener, Direction::Minimize), Some(26.0));
        assert_eq!(optimum("C8H18", &[("wiener_index", 2.0)], Direction::Minimize), Some(116.0));
    }

    #[test]
    fn objectives_other_than_the_wiener_index_have_no_known_optimum() {
        assert_eq!(optimum("C8H18", &[("logp", 1.0)], Direction::Minimize), None);
        assert_eq!(optimum("C8H18", &[("logp", 1.0), ("wiener_index", 1.0)], Direction::Maximize), None);
    }

    #[test]
    fn starting_at_refuses_a_molecule_of_another_formula() {
        let octane = Isomer::new("C8H18", Objective::default()).unwrap();
        let hexane = Isomer::new("C6H14", Objective::default()).unwrap();
        assert!(octane.starting_at(&hexane.initial_state()).is_none());
        let start = octane.starting_at(&octane.initial_state()).unwrap();
        assert_eq!(start.initial_state(), octane.initial_state());
    }
}
