//! `DistinctIsomers`: how many different structures a run has visited.
//!
//! Counting runs on every accepted step, so it never names a structure (a canonical
//! SMILES costs tens of microseconds). Each structure seen is a class, kept as one
//! representative's key (see `structure_key`). A state is placed by the first of
//! these steps that knows its class:
//!
//! 1. is it the molecule placed last, atom for atom (`Molecule`'s equality: a
//!    comparison of n rows of bond orders)? Most accepted moves give back the very
//!    molecule they started from (84% of the accepted steps of `kiln run --formula
//!    C10H22`, 83% of C30H62's), so this is the common path, and it writes no key.
//! 2. a tree (no ring: every alkane) is placed by its canonical key (`tree_key`:
//!    atoms numbered from the tree's centre, branches in an exact rank order),
//!    which names its structure: it is looked up among the trees' representatives
//!    by its hash, and a key not there is a new class, with no refinement and no
//!    isomorphism test. Trees skip the labelled cache of step 3: a walk seldom
//!    comes back to a tree in the same numbering (76% of the changed molecules of
//!    `kiln run --formula C10H22` missed it, nearly all of C30H62's), and a
//!    canonical key costs little more than a labelled key and its insertion.
//! 3. a molecule with a ring: its labelled key (the molecule spelled with its atoms
//!    numbered as they are, no refinement), looked up in a cache of labelled
//!    molecules seen: a hit is the very molecule met before, so its class is known.
//!    One key of about n^2/8 bytes and one hash look-up.
//! 4. on a miss, its structure key (atoms renumbered by colour refinement), looked
//!    up in a cache of structure keys seen: a hit is a known class (equal keys are
//!    the same labelled graph after renumbering, hence the same structure).
//! 5. on a miss there too, an invariant of stronger colours (`class_colours`:
//!    refinement, plus one round of individualisation where refinement leaves
//!    ties) picks the classes that could be the same structure (equal structures
//!    always share it), so regular graphs such as P64's do not all fall in one
//!    bucket, and an exact isomorphism test (`isomorphism`) against each of their
//!    representatives decides; no match is a new class.
//!
//! Molecules with a ring and a multiple bond may be aromatic, and then two Kekule
//! forms of one structure are different graphs: on a structure-key miss those are
//! placed by their canonical SMILES instead (RDKit's aromaticity model, as before),
//! which costs a name per new key for such formulas only; alkanes and other
//! molecules without a ring or without a multiple bond never need one.
//!
//! So the count is exact: both caches map a key to a class only after the class was
//! decided, equal keys mean the same molecule (labelled) or the same structure
//! (renumbered), isomorphic trees have equal canonical keys, and hash collisions
//! only cost comparisons. Names are computed only where one is shown:
//! [`DistinctIsomers::names`] writes the canonical SMILES of every class on demand.
//!
//! Memory is bounded: at most [`DISTINCT_ISOMERS_CAP`] classes (a key of 1 + n +
//! n^2/8 bytes each: about 14 MB for C30 at the cap), after which the count is a
//! lower bound and [`DistinctIsomers::is_saturated`] says so; trees need no cache
//! beyond the classes themselves; the structure-key cache stops growing at
//! [`KEY_CACHE_BYTES`], after which new keys take step 5; the labelled cache
//! is emptied when it reaches [`LABELLED_CACHE_BYTES`], so it keeps the molecules
//! around where the walk is now.

use std::collections::HashMap;
use std::hash::BuildHasher;

use rustc_hash::{FxBuildHasher, FxHashMap};

use super::isomorphism::isomorphic;
use super::molecule::Molecule;
use super::problem::Isomer;
use super::smiles::canonical_smiles;
use super::structure_key::{
    class_colours, invariant, molecule_from_key, refine, write_key, write_labelled_key, write_structure_key,
};
use super::tree_key::canonical_tree_order;

/// Most distinct structures remembered per run.
pub const DISTINCT_ISOMERS_CAP: usize = 100_000;
/// Most bytes of structure keys cached per run.
pub const KEY_CACHE_BYTES: usize = 8 << 20;
/// Most bytes of labelled keys cached per run (emptied when full). Small enough to
/// stay in a core's L2 cache beside the walk's own data: at 8 MB the cache's misses
/// slowed the proposals of `kiln run --formula C10H22` by about a fifth, when its
/// trees still went through this cache (`cargo bench --bench isomer_steps --
/// isomer_kiln_run`: kiln run / engine alone 74-78% at 8 MB, 79-83% at 256 KB; the
/// count is exact either way).
pub const LABELLED_CACHE_BYTES: usize = 256 << 10;

/// Whether `m` has a ring and a multiple bond, so it may be aromatic: then two
/// Kekule forms (different bond orders, so not isomorphic as graphs) are one
/// structure, and only the canonical SMILES (RDKit's aromaticity model) can say so.
fn may_be_aromatic(m: &Molecule) -> bool {
    let bonds = m.bonds().count();
    bonds >= m.atom_count() && m.bonds().any(|(_, _, order)| order > 1)
}

/// The set of structures seen, as classes of isomorphic molecules.
#[derive(Clone, Debug)]
pub struct DistinctIsomers {
    /// Labelled key -> class, for molecules with a ring (FxHash: keys are a walk's
    /// own molecules, not input an adversary picks, and hashing is on the hot path).
    labelled: FxHashMap<Box<[u8]>, u32>,
    labelled_bytes: usize,
    /// [`LABELLED_CACHE_BYTES`], smaller in tests.
    labelled_limit: usize,
    /// Structure key -> class.
    keys: FxHashMap<Box<[u8]>, u32>,
    key_bytes: usize,
    /// Refinement invariant -> classes that have it (molecules with a ring).
    by_invariant: HashMap<u64, Vec<u32>>,
    /// Hash of a tree's canonical key -> tree classes with that hash (their keys,
    /// in `classes`, are canonical).
    by_tree_key: FxHashMap<u64, Vec<u32>>,
    /// Canonical SMILES -> class, for molecules that may be aromatic.
    by_name: HashMap<Box<str>, u32>,
    /// One representative key per class.
    classes: Vec<Box<[u8]>>,
    saturated: bool,
    /// The molecule placed last and its class (step 1).
    last: Option<(Molecule, u32)>,
    /// Scratch space for the key of the state being placed (no allocation per step).
    scratch: Vec<u8>,
}

impl Default for DistinctIsomers {
    fn default() -> Self {
        DistinctIsomers {
            labelled: FxHashMap::default(),
            labelled_bytes: 0,
            labelled_limit: LABELLED_CACHE_BYTES,
            keys: FxHashMap::default(),
            key_bytes: 0,
            by_invariant: HashMap::new(),
            by_tree_key: FxHashMap::default(),
            by_name: HashMap::new(),
            classes: Vec::new(),
            saturated: false,
            last: None,
            scratch: Vec::new(),
        }
    }
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
        if let Some((last, class)) = &self.last
            && last == m
        {
            return Some(*class as usize);
        }
        let class = self.class_of_changed(m)?;
        match &mut self.last {
            Some((last, last_class)) => {
                last.clone_from(m);
                *last_class = class as u32;
            }
            None => self.last = Some((m.clone(), class as u32)),
        }
        Some(class)
    }

    /// Steps 2 to 5 of the module documentation: the class of a molecule that is
    /// not the one placed last.
    fn class_of_changed(&mut self, m: &Molecule) -> Option<usize> {
        if let Some(order) = canonical_tree_order(m) {
            write_key(m, &order[..m.atom_count()], &mut self.scratch);
            return self.class_of_tree();
        }
        write_labelled_key(m, &mut self.scratch);
        if let Some(&class) = self.labelled.get(&self.scratch[..]) {
            return Some(class as usize);
        }
        let labelled: Box<[u8]> = self.scratch[..].into();
        let class = self.class_of_structure(m)?;
        if self.labelled_bytes + labelled.len() > self.labelled_limit {
            self.labelled.clear();
            self.labelled_bytes = 0;
        }
        self.labelled_bytes += labelled.len();
        self.labelled.insert(labelled, class as u32);
        Some(class)
    }

    /// Steps 4 and 5 of the module documentation: the class of a molecule with a
    /// ring whose labelled key was not cached.
    fn class_of_structure(&mut self, m: &Molecule) -> Option<usize> {
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

    /// The class of the tree whose canonical key is in `scratch`: its key names its
    /// structure, so a key not among the trees' representatives is a new class.
    fn class_of_tree(&mut self) -> Option<usize> {
        let hash = FxBuildHasher.hash_one(&self.scratch[..]);
        let known = self.by_tree_key.get(&hash).and_then(|candidates| {
            candidates.iter().copied().find(|&c| self.classes[c as usize][..] == self.scratch[..])
        });
        if let Some(class) = known {
            return Some(class as usize);
        }
        if self.classes.len() >= DISTINCT_ISOMERS_CAP {
            self.saturated = true;
            return None;
        }
        let class = self.classes.len();
        self.by_tree_key.entry(hash).or_default().push(class as u32);
        self.classes.push(self.scratch[..].into());
        Some(class)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::isomer::walk::hot_walk;

    #[test]
    fn a_labelled_cache_emptied_over_and_over_gives_the_same_classes() {
        let states = hot_walk("C7H14O", 21, 4_000);
        let mut roomy = DistinctIsomers::new();
        let mut cramped = DistinctIsomers { labelled_limit: 200, ..DistinctIsomers::new() };
        for m in &states {
            assert_eq!(roomy.class_of(m), cramped.class_of(m), "{m:?}");
        }
        assert!(roomy.count() > 50, "the walk moved: {} structures", roomy.count());
        assert_eq!(roomy.count(), cramped.count());
    }

    #[test]
    fn tree_classes_agree_with_canonical_smiles() {
        let mut seen = DistinctIsomers::new();
        let mut class_of_name = HashMap::new();
        for m in hot_walk("C11H24", 6, 10_000) {
            let class = seen.class_of(&m).unwrap();
            assert_eq!(*class_of_name.entry(canonical_smiles(&m)).or_insert(class), class, "{m:?}");
        }
        assert_eq!(seen.count() as usize, class_of_name.len());
        assert!(seen.count() > 100, "the walk moved: {} structures", seen.count());
    }

    #[test]
    fn a_revisited_molecule_is_found_by_its_labelled_key() {
        // Rings and chains: molecules with a ring go through the labelled cache.
        let states = hot_walk("C9H16", 4, 2_000);
        let mut seen = DistinctIsomers::new();
        for m in &states {
            seen.class_of(m);
        }
        let labelled = seen.labelled.len();
        assert!(labelled > 100, "{labelled} labelled molecules cached");
        let classes: Vec<Option<usize>> = states.iter().map(|m| seen.class_of(m)).collect();
        assert_eq!(seen.labelled.len(), labelled, "every molecule of the walk was cached");
        assert!(classes.iter().all(Option::is_some));
    }
}
