//! `DistinctIsomers`: how many different structures a run has visited.
//!
//! Each accepted state is named by its canonical SMILES (RDKit's form, so two
//! numberings or two Kekule forms of one structure count once) and kept in a set.
//! Computing that name costs tens of microseconds, so an exact structure key (see
//! `structure_key`) is looked up first: a state whose key was seen before is a
//! structure already counted, and needs no SMILES.
//!
//! Memory is bounded: the set of names stops growing at [`DISTINCT_ISOMERS_CAP`]
//! names (about 10 MB at most), after which the count is a lower bound and
//! [`DistinctIsomers::is_saturated`] says so; the key cache stops growing at
//! [`KEY_CACHE_BYTES`] of keys, after which new keys just go to the SMILES path.

use std::collections::HashSet;

use super::molecule::Molecule;
use super::problem::Isomer;
use super::structure_key::structure_key;

/// Most distinct structures remembered per run.
pub const DISTINCT_ISOMERS_CAP: usize = 100_000;
/// Most bytes of structure keys cached per run.
pub const KEY_CACHE_BYTES: usize = 8 << 20;

/// The set of canonical structures seen.
#[derive(Clone, Debug, Default)]
pub struct DistinctIsomers {
    names: HashSet<Box<str>>,
    keys: HashSet<Box<[u8]>>,
    key_bytes: usize,
    saturated: bool,
}

impl DistinctIsomers {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Record `m` (call it with the initial state and every accepted one).
    pub fn observe(&mut self, problem: &Isomer, m: &Molecule) {
        if self.saturated {
            return;
        }
        let key = structure_key(m);
        if self.keys.contains(&key) {
            return;
        }
        let name = problem.canonical_smiles(m);
        if !self.names.contains(name.as_str()) {
            if self.names.len() >= DISTINCT_ISOMERS_CAP {
                self.saturated = true;
                return;
            }
            self.names.insert(name.into_boxed_str());
        }
        if self.key_bytes + key.len() <= KEY_CACHE_BYTES {
            self.key_bytes += key.len();
            self.keys.insert(key);
        }
    }

    /// Distinct structures seen (a lower bound once saturated).
    pub fn count(&self) -> u64 {
        self.names.len() as u64
    }

    /// The cap was reached: later structures were not recorded.
    pub fn is_saturated(&self) -> bool {
        self.saturated
    }

    /// The canonical SMILES seen, in no particular order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|s| &**s)
    }
}
