//! `DistinctIsomers`: how many different structures a run has visited.
//!
//! Each accepted state is named by its canonical SMILES (RDKit's form, so two
//! numberings or two Kekule forms of one structure count once) and kept in a set.
//! The set stops growing at [`DISTINCT_ISOMERS_CAP`] names (about 8 MB of short
//! strings at most); from then on the count is a lower bound and
//! [`DistinctIsomers::is_saturated`] says so.

use std::collections::HashSet;

use super::molecule::Molecule;
use super::problem::Isomer;

/// Most distinct structures remembered per run.
pub const DISTINCT_ISOMERS_CAP: usize = 100_000;

/// The set of canonical structures seen.
#[derive(Clone, Debug, Default)]
pub struct DistinctIsomers {
    seen: HashSet<Box<str>>,
    saturated: bool,
}

impl DistinctIsomers {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Record `m` (call it with every accepted state, and the initial one).
    pub fn observe(&mut self, problem: &Isomer, m: &Molecule) {
        if self.saturated {
            return;
        }
        let name = problem.canonical_smiles(m);
        if !self.seen.contains(name.as_str()) {
            if self.seen.len() >= DISTINCT_ISOMERS_CAP {
                self.saturated = true;
                return;
            }
            self.seen.insert(name.into_boxed_str());
        }
    }

    /// Distinct structures seen (a lower bound once saturated).
    pub fn count(&self) -> u64 {
        self.seen.len() as u64
    }

    /// The cap was reached: later structures were not recorded.
    pub fn is_saturated(&self) -> bool {
        self.saturated
    }

    /// The canonical SMILES seen, in no particular order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.seen.iter().map(|s| &**s)
    }
}
