//! Whether two molecules are the same structure: an exact isomorphism test.
//!
//! `DistinctIsomers` buckets structures by a refinement invariant, which equal
//! structures always share but different ones may share too; this test decides.
//! It builds an atom-to-atom map by backtracking: atoms of `a` are taken in
//! breadth-first order, so each one after the first has an already-mapped
//! neighbour, and its image must be an unmapped neighbour of that neighbour's image
//! (at most 3 choices) with the same refined colour, element, hydrogens and degree,
//! and the same bond orders to every atom mapped so far. A complete map is an
//! isomorphism by construction; a failed search proves there is none, since every
//! isomorphism preserves colours. (Two Kekule forms of an aromatic ring are
//! different graphs here; `DistinctIsomers` names such molecules instead.) The search starts from the rarest colour and
//! colours already tell apart all but symmetric atoms, so it rarely backtracks; if
//! it ever needs more than [`SEARCH_BUDGET`] tries, the canonical SMILES decide.

use super::molecule::{MAX_HEAVY_ATOMS, Molecule, bits};
use super::smiles::canonical_smiles;
use super::structure_key::Colours;

/// Most partial maps tried before falling back to canonical SMILES.
pub const SEARCH_BUDGET: u32 = 100_000;

/// `parent` of an atom that starts a breadth-first search.
const ROOT: u8 = u8::MAX;

/// `a` and `b`, with their refined colours, are the same structure.
pub(crate) fn isomorphic(a: &Molecule, colours_a: &Colours, b: &Molecule, colours_b: &Colours) -> bool {
    let n = a.atom_count();
    if n != b.atom_count() {
        return false;
    }
    if n == 0 {
        return true;
    }
    let mut search = Search::new(a, colours_a, b, colours_b);
    match search.extend(0) {
        Some(found) => found,
        None => canonical_smiles(a) == canonical_smiles(b),
    }
}

struct Search<'m> {
    a: &'m Molecule,
    b: &'m Molecule,
    colours_a: &'m Colours,
    colours_b: &'m Colours,
    /// Atoms of `a` in breadth-first order from an atom of the rarest colour.
    order: [u8; MAX_HEAVY_ATOMS],
    /// The earlier atom (in `order`) each atom was reached from.
    parent: [u8; MAX_HEAVY_ATOMS],
    /// `image[atom of a]`, valid for the atoms mapped so far.
    image: [u8; MAX_HEAVY_ATOMS],
    mapped_b: u64,
    tries: u32,
}

impl<'m> Search<'m> {
    fn new(a: &'m Molecule, colours_a: &'m Colours, b: &'m Molecule, colours_b: &'m Colours) -> Self {
        let n = a.atom_count();
        let rarity = |atom: usize| colours_a[..n].iter().filter(|&&c| c == colours_a[atom]).count();
        let root = (0..n).min_by_key(|&atom| (rarity(atom), atom)).unwrap_or(0);
        let mut order = [0u8; MAX_HEAVY_ATOMS];
        let mut parent = [ROOT; MAX_HEAVY_ATOMS];
        let (mut seen, mut filled, mut head) = (0u64, 0, 0);
        // Breadth-first from the root; a new root for each further component
        // (states of the walk are connected, but the test does not rely on it).
        for start in std::iter::once(root).chain(0..n) {
            if seen & (1 << start) != 0 {
                continue;
            }
            seen |= 1 << start;
            order[filled] = start as u8;
            filled += 1;
            while head < filled {
                let u = usize::from(order[head]);
                for v in bits(a.neighbour_mask(u) & !seen) {
                    seen |= 1 << v;
                    order[filled] = v as u8;
                    parent[v] = u as u8;
                    filled += 1;
                }
                head += 1;
            }
        }
        Search {
            a,
            b,
            colours_a,
            colours_b,
            order,
            parent,
            image: [0; MAX_HEAVY_ATOMS],
            mapped_b: 0,
            tries: 0,
        }
    }

    /// Map `order[depth..]`: `Some(found)`, or `None` when the budget ran out.
    fn extend(&mut self, depth: usize) -> Option<bool> {
        let n = self.a.atom_count();
        if depth == n {
            return Some(true);
        }
        let v = usize::from(self.order[depth]);
        let candidates = match self.parent[v] {
            ROOT if n == 64 => u64::MAX,
            ROOT => (1u64 << n) - 1,
            parent => self.b.neighbour_mask(usize::from(self.image[usize::from(parent)])),
        } & !self.mapped_b;
        let mapped_a = self.order[..depth].iter().fold(0u64, |mask, &u| mask | 1 << u);
        for w in bits(candidates) {
            self.tries += 1;
            if self.tries > SEARCH_BUDGET {
                return None;
            }
            if !self.fits(mapped_a, v, w) {
                continue;
            }
            self.image[v] = w as u8;
            self.mapped_b |= 1 << w;
            let found = self.extend(depth + 1);
            self.mapped_b &= !(1 << w);
            if found != Some(false) {
                return found;
            }
        }
        Some(false)
    }

    /// Atom `w` of `b` can be the image of atom `v` of `a`, given the map of the
    /// atoms in `mapped_a`.
    fn fits(&self, mapped_a: u64, v: usize, w: usize) -> bool {
        let (a, b) = (self.a, self.b);
        if self.colours_a[v] != self.colours_b[w]
            || a.element(v) != b.element(w)
            || a.hydrogens(v) != b.hydrogens(w)
            || a.neighbour_mask(v).count_ones() != b.neighbour_mask(w).count_ones()
        {
            return false;
        }
        let mapped_around_v = a.neighbour_mask(v) & mapped_a;
        if mapped_around_v.count_ones() != (b.neighbour_mask(w) & self.mapped_b).count_ones() {
            return false;
        }
        bits(mapped_around_v).all(|u| a.bond_order(v, u) == b.bond_order(w, usize::from(self.image[u])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::isomer::structure_key::refine;
    use crate::problems::isomer::walk::hot_walk;

    /// The molecules of a hot walk, once per accepted move: many structures, each in
    /// many numberings.
    fn walk(formula: &str, seed: u64, steps: u64) -> Vec<Molecule> {
        let mut states = hot_walk(formula, seed, steps);
        states.dedup();
        states
    }

    #[test]
    fn isomorphic_exactly_when_the_canonical_smiles_agree() {
        for (formula, seed) in [("C7H16", 1), ("C6H12", 2), ("C5H8O", 3), ("C6H14", 4), ("C4H8N2", 5)] {
            let molecules = walk(formula, seed, 600);
            let named: Vec<(String, Colours)> =
                molecules.iter().map(|m| (canonical_smiles(m), refine(m))).collect();
            let mut same = 0;
            for i in 0..molecules.len() {
                for j in (i + 1..molecules.len()).step_by(7) {
                    let expected = named[i].0 == named[j].0;
                    same += usize::from(expected);
                    assert_eq!(
                        isomorphic(&molecules[i], &named[i].1, &molecules[j], &named[j].1),
                        expected,
                        "{formula}: {} vs {}",
                        named[i].0,
                        named[j].0
                    );
                }
            }
            assert!(same > 0, "{formula}: some pairs are the same structure");
        }
    }
}
