//! `Molecule`: the annealed state, a hydrogen-suppressed graph with bond orders.
//!
//! At most [`MAX_HEAVY_ATOMS`] heavy atoms, so each atom's neighbours fit one `u64`
//! bitmask (connectivity and distances become bit operations) and its bond orders
//! one `u128` (two bits per partner). Everything lives in fixed arrays: cloning is a
//! copy of about 2.2 KB and never touches the heap. Hydrogens are implicit: each atom
//! carries its count, and valence = bond orders + hydrogens always holds.
//!
//! The molecule also remembers its objective components (Wiener index, logP) as
//! the problem last computed them, so pricing a move needs only the new values.
//! That cache is not part of the molecule's identity: `Hash` and `Eq` ignore it.
//! Neither are the derived counts kept for the move's sampler and the Wiener index
//! (each atom's heavy degree, the bond count and the `atom_totals`), which the two
//! mutators keep up to date (`edit` groups several changes under one recount).

use std::fmt;
use std::hash::{Hash, Hasher};

use super::atom_totals::{self, AtomTotals};
use super::element::Element;

/// Most heavy atoms a molecule may have (one bit each in a `u64`).
pub const MAX_HEAVY_ATOMS: usize = 64;
const _: () = assert!(atom_totals::SLOTS == MAX_HEAVY_ATOMS, "the atom totals have a slot per heavy atom");

/// Objective components the problem computed for this molecule.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Components {
    pub(crate) wiener: u32,
    pub(crate) logp: f64,
}

/// A molecule: heavy atoms, integer bond orders 1-3 between them, implicit hydrogens.
#[derive(Clone)]
pub struct Molecule {
    len: u8,
    elements: [Element; MAX_HEAVY_ATOMS],
    hydrogens: [u8; MAX_HEAVY_ATOMS],
    /// Bit `j` of `neighbours[i]`: atoms `i` and `j` are bonded.
    neighbours: [u64; MAX_HEAVY_ATOMS],
    /// Bits `2j..2j+2` of `orders[i]`: the bond order between `i` and `j` (0 = none).
    orders: [u128; MAX_HEAVY_ATOMS],
    /// `degrees[i]`: the set bits of `neighbours[i]`, kept by `set_bond` so the move's
    /// hot path never counts bits.
    degrees: [u8; MAX_HEAVY_ATOMS],
    /// Heavy-atom bonds (pairs with an order above 0), kept by `set_bond`: a connected
    /// graph with one bond fewer than atoms is a tree, which the Wiener index can use.
    bond_count: u8,
    /// Derived from `degrees` and `hydrogens`, recomputed whenever either changes.
    totals: AtomTotals,
    pub(crate) components: Components,
}

impl Molecule {
    /// Atoms without bonds or hydrogens; the builder adds them.
    pub(crate) fn with_atoms(elements: &[Element]) -> Molecule {
        assert!(elements.len() <= MAX_HEAVY_ATOMS, "at most {MAX_HEAVY_ATOMS} heavy atoms");
        let mut m = Molecule {
            len: elements.len() as u8,
            elements: [Element::C; MAX_HEAVY_ATOMS],
            hydrogens: [0; MAX_HEAVY_ATOMS],
            neighbours: [0; MAX_HEAVY_ATOMS],
            orders: [0; MAX_HEAVY_ATOMS],
            degrees: [0; MAX_HEAVY_ATOMS],
            bond_count: 0,
            totals: AtomTotals::of(0, &[], &[], &[]),
            components: Components::default(),
        };
        m.elements[..elements.len()].copy_from_slice(elements);
        m.retotal();
        m
    }

    /// Number of heavy atoms.
    #[inline]
    pub fn atom_count(&self) -> usize {
        usize::from(self.len)
    }

    /// Element of heavy atom `atom`.
    #[inline]
    pub fn element(&self, atom: usize) -> Element {
        self.elements[atom]
    }

    /// Implicit hydrogens on `atom`.
    #[inline]
    pub fn hydrogens(&self, atom: usize) -> u8 {
        self.hydrogens[atom]
    }

    /// All hydrogens of the molecule.
    pub fn total_hydrogens(&self) -> usize {
        self.hydrogens[..self.atom_count()].iter().map(|&h| usize::from(h)).sum()
    }

    /// Bond order between `i` and `j`, 0 when not bonded.
    #[inline]
    pub fn bond_order(&self, i: usize, j: usize) -> u8 {
        ((self.orders[i] >> (2 * j)) & 3) as u8
    }

    /// The bond orders of `atom` to every atom, two bits each (bits `2j..2j+2` for
    /// atom `j`), as [`Molecule::bond_order`] reads them.
    #[inline]
    pub(crate) fn bond_orders(&self, atom: usize) -> u128 {
        self.orders[atom]
    }

    /// Bitmask of the atoms bonded to `atom`.
    #[inline]
    pub fn neighbour_mask(&self, atom: usize) -> u64 {
        self.neighbours[atom]
    }

    /// Number of heavy atoms bonded to `atom`.
    #[inline]
    pub fn heavy_degree(&self, atom: usize) -> u8 {
        self.degrees[atom]
    }

    /// The neighbour bitmasks of all atoms (index = atom).
    #[inline]
    pub fn adjacency(&self) -> &[u64] {
        &self.neighbours[..self.atom_count()]
    }

    /// Number of heavy-atom bonds (a double bond counts once).
    #[inline]
    pub fn bond_count(&self) -> usize {
        usize::from(self.bond_count)
    }

    /// Sum of the bond orders at `atom`.
    pub fn bond_order_sum(&self, atom: usize) -> u8 {
        bits(self.neighbours[atom]).map(|j| self.bond_order(atom, j)).sum()
    }

    /// Every bond once, as `(i, j, order)` with `i < j`, in increasing `(i, j)`.
    pub fn bonds(&self) -> impl Iterator<Item = (usize, usize, u8)> + '_ {
        (0..self.atom_count()).flat_map(move |i| {
            // Neighbours above i: `u64::MAX << (i + 1)`, which is 0 for the 64th atom.
            let above = u64::MAX.checked_shl(i as u32 + 1).unwrap_or(0);
            bits(self.neighbours[i] & above).map(move |j| (i, j, self.bond_order(i, j)))
        })
    }

    /// Set the bond order between `i` and `j` (0 removes the bond).
    #[inline]
    pub(crate) fn set_bond(&mut self, i: usize, j: usize, order: u8) {
        if self.set_bond_only(i, j, order) {
            self.retotal();
        }
    }

    /// Set the implicit hydrogens of `atom`.
    #[inline]
    pub(crate) fn set_hydrogens(&mut self, atom: usize, count: u8) {
        if self.set_hydrogens_only(atom, count) {
            self.retotal();
        }
    }

    /// Several [`Molecule::set_bond`] and [`Molecule::set_hydrogens`] calls with the
    /// totals recomputed once, after the last, and only when a bond appeared or
    /// vanished or some atom's hydrogen count differs at the end. An applied move
    /// changes up to four pairs; most accepted isomer moves swap two hydrogens
    /// between two atoms and leave every count as it was (84% of those of
    /// `kiln run --formula C10H22`), and recomputing after each pair cost about 4%
    /// of an isomer step.
    #[inline]
    pub(crate) fn edit(&mut self, changes: impl FnOnce(&mut Edit<'_>)) {
        let mut edit = Edit { molecule: self, changed: false, touched: [(0, 0); EDIT_ATOMS], touched_len: 0 };
        changes(&mut edit);
        let changed = edit.changed
            || edit.touched[..edit.touched_len]
                .iter()
                .any(|&(atom, before)| edit.molecule.hydrogens[usize::from(atom)] != before);
        if changed {
            self.retotal();
        }
    }

    /// `set_bond` without the totals; whether the degrees changed.
    #[inline]
    fn set_bond_only(&mut self, i: usize, j: usize, order: u8) -> bool {
        debug_assert!(i != j && order <= 3);
        self.orders[i] = (self.orders[i] & !(3u128 << (2 * j))) | (u128::from(order) << (2 * j));
        self.orders[j] = (self.orders[j] & !(3u128 << (2 * i))) | (u128::from(order) << (2 * i));
        let was_bonded = self.neighbours[i] & (1u64 << j) != 0;
        if order == 0 {
            self.neighbours[i] &= !(1u64 << j);
            self.neighbours[j] &= !(1u64 << i);
            if was_bonded {
                self.degrees[i] -= 1;
                self.degrees[j] -= 1;
                self.bond_count -= 1;
            }
        } else {
            self.neighbours[i] |= 1u64 << j;
            self.neighbours[j] |= 1u64 << i;
            if !was_bonded {
                self.degrees[i] += 1;
                self.degrees[j] += 1;
                self.bond_count += 1;
            }
        }
        was_bonded != (order > 0)
    }

    /// `set_hydrogens` without the totals; whether the count changed.
    #[inline]
    fn set_hydrogens_only(&mut self, atom: usize, count: u8) -> bool {
        let changed = self.hydrogens[atom] != count;
        self.hydrogens[atom] = count;
        changed
    }

    /// The running totals over the atoms, hydrogens included (see `atom_totals`).
    #[inline]
    pub(crate) fn totals(&self) -> &AtomTotals {
        &self.totals
    }

    fn retotal(&mut self) {
        let n = self.atom_count();
        self.totals.recompute(n, &self.neighbours[..n], &self.degrees[..n], &self.hydrogens[..n]);
    }

    /// Every atom's bond orders plus hydrogens equal its standard valence.
    pub fn valences_hold(&self) -> bool {
        (0..self.atom_count())
            .all(|i| self.bond_order_sum(i) + self.hydrogens[i] == self.elements[i].valence())
    }

    /// All heavy atoms are reachable from atom 0.
    pub fn is_connected(&self) -> bool {
        is_connected(self.adjacency())
    }
}

/// A molecule being changed by [`Molecule::edit`]: its totals wait for the end.
pub(crate) struct Edit<'m> {
    molecule: &'m mut Molecule,
    /// A bond appeared or vanished, or more than [`EDIT_ATOMS`] atoms changed hydrogens.
    changed: bool,
    /// Atoms whose hydrogens were set, with their counts before the edit.
    touched: [(u8, u8); EDIT_ATOMS],
    touched_len: usize,
}

/// Atoms an [`Edit`] follows the hydrogens of (a move touches at most four).
const EDIT_ATOMS: usize = 4;

impl Edit<'_> {
    /// The molecule as it is so far.
    #[inline]
    pub(crate) fn molecule(&self) -> &Molecule {
        self.molecule
    }

    /// [`Molecule::set_bond`], totals deferred.
    #[inline]
    pub(crate) fn set_bond(&mut self, i: usize, j: usize, order: u8) {
        self.changed |= self.molecule.set_bond_only(i, j, order);
    }

    /// [`Molecule::set_hydrogens`], totals deferred.
    #[inline]
    pub(crate) fn set_hydrogens(&mut self, atom: usize, count: u8) {
        let before = self.molecule.hydrogens[atom];
        let known = self.touched[..self.touched_len].iter().any(|&(a, _)| usize::from(a) == atom);
        if !known {
            if self.touched_len == EDIT_ATOMS {
                self.changed = true;
            } else {
                self.touched[self.touched_len] = (atom as u8, before);
                self.touched_len += 1;
            }
        }
        self.molecule.set_hydrogens_only(atom, count);
    }
}

/// The set bits of a mask, lowest first.
#[inline]
pub(crate) fn bits(mut mask: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let i = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            i
        })
    })
}

/// Whether the graph with these neighbour masks is connected (an empty graph is).
#[inline]
pub(crate) fn is_connected(adjacency: &[u64]) -> bool {
    let n = adjacency.len();
    if n <= 1 {
        return true;
    }
    let all = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
    let mut reached = 1u64;
    let mut frontier = 1u64;
    while frontier != 0 {
        let mut next = 0u64;
        for v in bits(frontier) {
            next |= adjacency[v];
        }
        frontier = next & !reached;
        reached |= frontier;
    }
    reached == all
}

impl PartialEq for Molecule {
    fn eq(&self, other: &Self) -> bool {
        let n = self.atom_count();
        self.len == other.len
            && self.elements[..n] == other.elements[..n]
            && self.hydrogens[..n] == other.hydrogens[..n]
            && self.orders[..n] == other.orders[..n]
    }
}

impl Eq for Molecule {}

impl Hash for Molecule {
    /// The atoms, their hydrogens and bond orders: exactly what identifies the labelled graph.
    fn hash<H: Hasher>(&self, state: &mut H) {
        let n = self.atom_count();
        state.write_u8(self.len);
        for i in 0..n {
            state.write_u8(self.elements[i] as u8);
            state.write_u8(self.hydrogens[i]);
            state.write_u128(self.orders[i]);
        }
    }
}

impl fmt::Debug for Molecule {
    /// Atoms with their hydrogens, then bonds: `C3 C2 C3 | 0-1 1-2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Molecule[")?;
        for i in 0..self.atom_count() {
            if i > 0 {
                write!(f, " ")?;
            }
            write!(f, "{}{}", self.elements[i], self.hydrogens[i])?;
        }
        write!(f, " |")?;
        for (i, j, order) in self.bonds() {
            let symbol = ["", "-", "=", "#"][usize::from(order)];
            write!(f, " {i}{symbol}{j}")?;
        }
        write!(f, "]")
    }
}

/// Replay digest (see `crate::digest`), in this order: the heavy-atom count (`u8`);
/// for each atom by index, its element symbol as two ASCII bytes (a one-letter
/// symbol padded with a zero byte) and its hydrogen count (`u8`); the bond count
/// (`u32`, little-endian); for each bond with `i < j` in increasing `(i, j)`, `i`,
/// `j` and the bond order (`u8` each). The objective cache is not written.
impl crate::digest::StateDigest for Molecule {
    fn digest(&self, into: &mut crate::digest::Digest) {
        (self.atom_count() as u8).digest(into);
        for atom in 0..self.atom_count() {
            let mut symbol = [0u8; 2];
            let text = self.element(atom).symbol().as_bytes();
            symbol[..text.len()].copy_from_slice(text);
            into.bytes(&symbol);
            self.hydrogens(atom).digest(into);
        }
        (self.bonds().count() as u32).digest(into);
        for (i, j, order) in self.bonds() {
            into.bytes(&[i as u8, j as u8, order]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bonds_are_listed_once_with_their_orders() {
        let mut m = Molecule::with_atoms(&[Element::C, Element::C, Element::O]);
        m.set_bond(0, 1, 1);
        m.set_bond(1, 2, 2);
        assert_eq!(m.bonds().collect::<Vec<_>>(), vec![(0, 1, 1), (1, 2, 2)]);
        assert_eq!(m.bond_order(2, 1), 2);
        m.set_bond(1, 2, 0);
        assert_eq!(m.bonds().count(), 1);
        assert!(!m.is_connected());
    }

    #[test]
    fn a_chain_of_the_most_atoms_lists_each_bond_once() {
        // The last atom's mask of higher neighbours is empty: `(2 << 63) - 1` overflowed
        // in a debug build.
        let mut m = Molecule::with_atoms(&[Element::C; MAX_HEAVY_ATOMS]);
        for i in 1..MAX_HEAVY_ATOMS {
            m.set_bond(i - 1, i, 1);
        }
        let bonds: Vec<_> = m.bonds().collect();
        assert_eq!(bonds, (1..MAX_HEAVY_ATOMS).map(|i| (i - 1, i, 1)).collect::<Vec<_>>());
    }

    #[test]
    fn kept_degrees_count_the_neighbour_bits() {
        let mut m = Molecule::with_atoms(&[Element::C; 5]);
        for (i, j, order) in
            [(0, 1, 1), (1, 2, 2), (1, 2, 1), (0, 1, 0), (3, 4, 3), (2, 3, 1), (3, 4, 0), (0, 1, 0)]
        {
            m.set_bond(i, j, order);
            for a in 0..5 {
                assert_eq!(u32::from(m.heavy_degree(a)), m.neighbour_mask(a).count_ones(), "atom {a}");
            }
        }
    }

    #[test]
    fn the_objective_cache_is_not_part_of_identity() {
        let a = Molecule::with_atoms(&[Element::C]);
        let mut b = a.clone();
        b.components.wiener = 99;
        assert_eq!(a, b);
    }
}
