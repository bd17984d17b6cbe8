//! `DistinctIsomers`: how many different structures a run has visited.
//!
//! Counting runs on every accepted step, so it never names a structure (a canonical
//! SMILES costs tens of microseconds). Each structure seen is a class, kept as one
//! representative's key (see `structure_key`). A state is placed in three steps:
//!
//! 1. its structure key, looked up in a cache of keys seen: a hit is a known class
//!    (equal keys are the same labelled graph after renumbering, hence the same
//!    structure). A hot walk mostly returns to known structures, so this is the
//!    common path: one colour refinement and one hash look-up.
//! 2. on a miss, an invariant of stronger colours (`class_colours`: refinement,
//!    plus one round of individualisation where refinement leaves ties) picks the
//!    classes that could be the same structure (equal structures always share it),
//!    so regular graphs such as P64's do not all fall in one bucket, and
//! 3. an exact isomorphism test (`isomorphism`) against each of their
//!    representatives decides; no match is a new class.
//!
//! Molecules with a ring and a multiple bond may be aromatic, and then two Kekule
//! forms of one structure are different graphs: on a key miss those are placed by
//! their canonical SMILES instead (RDKit's aromaticity model, as before), which
//! costs a name per new key for such formulas only; alkanes and other molecules
//! without a ring or without a multiple bond never need one.
//!
//! So the count is exact: hash collisions only add isomorphism tests. Names are
//! computed only where one is shown: [`DistinctIsomers::names`] writes the
//! canonical SMILES of every class on demand.
//!
//! Memory is bounded: at most [`DISTINCT_ISOMERS_CAP`] classes (a key of 1 + n +
//! n^2/8 bytes each: about 14 MB for C30 at the cap), after which the count is a
//! lower bound and [`DistinctIsomers::is_saturated`] says so; the key cache stops
//! growing at [`KEY_CACHE_BYTES`], after which new keys take steps 2 and 3.

use std::collections::HashMap;

use super::isomorphism::isomorphic;
use super::molecule::Molecule;
use super::problem::Isomer;
use super::smiles::canonical_smiles;
use super::structure_key::{class_colours, invariant, molecule_from_key, refine, write_structure_key};

/// Most distinct structures remembered per run.
pub const DISTINCT_ISOMERS_CAP: usize = 100_000;
/// Most bytes of structure keys cached per run.
pub const KEY_CACHE_BYTES: usize = 8 << 20;

/// Whether `m` has a ring and a multiple bond, so it may be aromatic: then two
/// Kekule forms (different bond orders, so not isomorphic as graphs) are one
/// structure, and only the canonical SMILES (RDKit's aromaticity model) can say so.
fn may_be_aromatic(m: &Molecule) -> bool {
    let bonds = m.bonds().count();
    bonds >= m.atom_count() && m.bonds().any(|(_, _, order)| order > 1)
}

/// The set of structures seen, as classes of isomorphic molecules.
#[derive(Clone, Debug, Default)]
pub struct DistinctIsomers {
    /// Structure key -> class.
    keys: HashMap<Box<[u8]>, u32>,
    key_bytes: usize,
    /// Refinement invariant -> classes that have it.
    by_invariant: HashMap<u64, Vec<u32>>,
    /// Canonical SMILES -> class, for molecules that may be aromatic.
    by_name: HashMap<Box<str>, u32>,
    /// One representative key per class.
    classes: Vec<Box<[u8]>>,
    saturated: bool,
    /// Scratch space for the key of the state being placed (no allocation per step).
    scratch: Vec<u8>,
}

impl DistinctIsomers {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Record `m` (call it with the initial state and every accepted one). The
    /// problem is not needed to count; the parameter keeps callers unchanged.
    pub fn observe(&mut self, _problem: &Isomer, m: &Molecule) {
        self.class_of(m);
    }

    /// Record `m` and return the index of its structure among those seen (0 for
    /// the first structure, and so on), or `None` once saturated and `m` is new.
    pub fn class_of(&mut self, m: &Molecule) -> Option<usize> {
        let colours = refine(m);
        write_structure_key(m, &colours, &mut self.scratch);
        if let Some(&class) = self.keys.get(&self.scratch[..]) {
            return Some(class as usize);
        }
        let key: Box<[u8]> = self.scratch[..].into();
        let n = m.atom_count();
        let next = self.classes.len() as u32;
        let full = self.classes.len() >= DISTINCT_ISOMERS_CAP;
        let known = if may_be_aromatic(m) {
            let name: Box<str> = canonical_smiles(m).into();
            let known = self.by_name.get(&name).copied();
            if known.is_none() && !full {
                self.by_name.insert(name, next);
            }
            known
        } else {
            let colours = class_colours(m);
            let candidates = self.by_invariant.entry(invariant(&colours[..n])).or_default();
            let known = candidates.iter().copied().find(|&class| {
                let representative = molecule_from_key(&self.classes[class as usize]);
                isomorphic(m, &colours, &representative, &class_colours(&representative))
            });
            if known.is_none() && !full {
                candidates.push(next);
            }
            known
        };
        let class = match known {
            Some(class) => class,
            None if full => {
                self.saturated = true;
                return None;
            }
            None => {
                self.classes.push(key.clone());
                next
            }
        };
        if self.key_bytes + key.len() <= KEY_CACHE_BYTES {
            self.key_bytes += key.len();
            self.keys.insert(key, class);
        }
        Some(class as usize)
    }

    /// Distinct structures seen (a lower bound once saturated).
    pub fn count(&self) -> u64 {
        self.classes.len() as u64
    }

    /// The cap was reached: later structures were not recorded.
    pub fn is_saturated(&self) -> bool {
        self.saturated
    }

    /// The canonical SMILES of every structure seen, in the order first seen.
    /// Each is computed here, on demand: tens of microseconds per structure.
    pub fn names(&self) -> impl Iterator<Item = String> + '_ {
        self.classes.iter().map(|key| canonical_smiles(&molecule_from_key(key)))
    }
}
