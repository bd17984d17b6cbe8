//! Colour refinement of a molecule, and an exact, nearly canonical key built on it.
//!
//! [`refine`] gives every atom a colour: first a hash of its element, hydrogens and
//! degree, then repeatedly a hash of its colour and the multiset of its neighbours'
//! colours and bond orders, until the number of colours stops growing. Colours are
//! computed from the structure alone, never from atom numbers, so an isomorphism
//! maps every atom to one of the same colour, and [`invariant`] (a hash of the
//! sorted colours) is the same for all numberings of one structure.
//!
//! [`structure_key`] renumbers the atoms by colour (ties broken by the original
//! number) and spells the whole renumbered graph: every atom's element and
//! hydrogens, every pair's bond order. Equal keys therefore mean isomorphic
//! molecules, always; hash collisions in the refinement only cost a worse numbering,
//! never a wrong answer. Isomorphic molecules usually get the same key, but not
//! always (atoms that refinement cannot tell apart are numbered as they come), so a
//! structure may have several keys: a cache key, not a name. A key holds the whole
//! graph, so [`molecule_from_key`] rebuilds the molecule from it.
//!
//! [`write_labelled_key`] spells the graph in the same layout with the atoms
//! numbered as they are, without refinement: the key of one labelled molecule,
//! cheap to write (a few hundred nanoseconds at 30 atoms), for recognising a
//! molecule a walk has already visited.

use super::element::Element;
use super::molecule::{MAX_HEAVY_ATOMS, Molecule, bits};

/// Elements by their discriminant, the code keys store.
const BY_CODE: [Element; 9] = [
    Element::C,
    Element::N,
    Element::O,
    Element::S,
    Element::P,
    Element::F,
    Element::Cl,
    Element::Br,
    Element::I,
];

/// Atom colours after refinement (index = atom; entries past the atom count are 0).
pub(crate) type Colours = [u64; MAX_HEAVY_ATOMS];

/// SplitMix64's finaliser: a well-mixed 64-bit hash of a 64-bit value.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Slots of the table [`ColourCount`] counts in: twice the most values, so probes
/// are short.
const DISTINCT_SLOTS: usize = 2 * MAX_HEAVY_ATOMS;

/// Counts the different values of a slice (at most [`MAX_HEAVY_ATOMS`] of them) in
/// an open-addressing table on the values' top bits (colours are well-mixed
/// hashes): one probe or two per value instead of a sort. Refinement counts after
/// every round, so the table is cleared by a stamp, not by zeroing it each time.
struct ColourCount {
    slots: [u64; DISTINCT_SLOTS],
    /// `stamp[i] == round`: slot i holds a value of this count.
    stamp: [u8; DISTINCT_SLOTS],
    round: u8,
}

impl ColourCount {
    fn new() -> Self {
        ColourCount { slots: [0; DISTINCT_SLOTS], stamp: [0; DISTINCT_SLOTS], round: 0 }
    }

    /// How many different values `values` holds.
    fn distinct(&mut self, values: &[u64]) -> usize {
        debug_assert!(values.len() <= MAX_HEAVY_ATOMS);
        if self.round == u8::MAX {
            self.stamp = [0; DISTINCT_SLOTS];
            self.round = 0;
        }
        self.round += 1;
        let mut count = 0;
        for &v in values {
            let mut at = (v >> 57) as usize;
            loop {
                if self.stamp[at] != self.round {
                    self.stamp[at] = self.round;
                    self.slots[at] = v;
                    count += 1;
                    break;
                }
                if self.slots[at] == v {
                    break;
                }
                at = (at + 1) % DISTINCT_SLOTS;
            }
        }
        count
    }
}

/// How many different values `values` holds (see [`ColourCount`]).
fn distinct(values: &[u64]) -> usize {
    ColourCount::new().distinct(values)
}

/// The refined colours of `m`'s atoms (see the module documentation).
pub(crate) fn refine(m: &Molecule) -> Colours {
    let n = m.atom_count();
    let mut colour = [0u64; MAX_HEAVY_ATOMS];
    for (i, c) in colour.iter_mut().enumerate().take(n) {
        let degree = u64::from(m.neighbour_mask(i).count_ones());
        *c = mix((m.element(i) as u64) | (u64::from(m.hydrogens(i)) << 8) | (degree << 16));
    }
    refine_from(m, colour)
}

/// What a bond of order `order` to an atom of colour `colour` adds to the sum of
/// its neighbour's surroundings.
#[inline]
fn bond_term(colour: u64, order: u8) -> u64 {
    mix(colour ^ u64::from(order).wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// Refine `colour` (a colouring computed from the structure alone) until the
/// number of colours stops growing, or every atom has a colour of its own (no
/// round can split further).
fn refine_from(m: &Molecule, colour: Colours) -> Colours {
    let n = m.atom_count();
    if n == 0 {
        return colour;
    }
    let mut counter = ColourCount::new();
    let mut classes = counter.distinct(&colour[..n]);
    // Two colourings, this round's and the next, written in turn: no array is
    // zeroed or copied per round (entries past n stay 0).
    let mut colourings = [colour, [0u64; MAX_HEAVY_ATOMS]];
    let mut now = 0;
    let mut single = [0u64; MAX_HEAVY_ATOMS];
    for _ in 0..n {
        if classes == n {
            break;
        }
        let (first, second) = colourings.split_at_mut(1);
        let (colour, next) = if now == 0 { (&first[0], &mut second[0]) } else { (&second[0], &mut first[0]) };
        // Most bonds are single: each atom's term as a single-bond neighbour, once.
        for (term, &c) in single[..n].iter_mut().zip(&colour[..n]) {
            *term = bond_term(c, 1);
        }
        for (i, slot) in next[..n].iter_mut().enumerate() {
            // A sum of hashes: independent of the neighbours' order.
            let around = bits(m.neighbour_mask(i)).fold(0u64, |acc, j| {
                let term = match m.bond_order(i, j) {
                    1 => single[j],
                    order => bond_term(colour[j], order),
                };
                acc.wrapping_add(term)
            });
            *slot = mix(colour[i] ^ around.rotate_left(23));
        }
        now = 1 - now;
        let refined = counter.distinct(&colourings[now][..n]);
        if refined == classes {
            break;
        }
        classes = refined;
    }
    colourings[now]
}

/// Colours that tell structures apart where plain refinement cannot, for the exact
/// test: [`refine`]'s colours when they already give every atom its own colour;
/// otherwise each tied atom is individualised in turn (given a colour of its own),
/// the colouring refined again, and the multiset of colours reached folded into the
/// atom's colour before a last refinement.
///
/// Plain refinement gives every atom of a regular graph one colour (64 phosphorus
/// atoms with three single bonds each are all alike to it), so every such structure
/// would share one invariant and each new one would be tested against all the
/// others, with a backtracking search that has nothing to prune by. One round of
/// individualisation separates almost all such graphs and gives the search colours
/// to follow; it costs one refinement per tied atom, and runs only on a key miss.
/// Like [`refine`], it depends on the structure alone, never on atom numbers.
pub(crate) fn class_colours(m: &Molecule) -> Colours {
    let n = m.atom_count();
    let colours = refine(m);
    if distinct(&colours[..n]) == n {
        return colours;
    }
    let mut strong = colours;
    for v in 0..n {
        if colours[..n].iter().filter(|&&c| c == colours[v]).count() == 1 {
            continue;
        }
        let mut start = colours;
        start[v] = mix(start[v] ^ 0x5851_f42d_4c95_7f2d);
        let reached = refine_from(m, start);
        strong[v] = mix(colours[v] ^ invariant(&reached[..n]).rotate_left(17));
    }
    refine_from(m, strong)
}

/// A hash of the multiset of colours: equal for isomorphic molecules.
pub(crate) fn invariant(colours: &[u64]) -> u64 {
    let mut sorted = [0u64; MAX_HEAVY_ATOMS];
    let sorted = &mut sorted[..colours.len()];
    sorted.copy_from_slice(colours);
    sorted.sort_unstable();
    sorted.iter().fold(mix(colours.len() as u64), |acc, &c| mix(acc ^ c))
}

/// The key of `m` (see the module documentation).
pub(crate) fn structure_key(m: &Molecule) -> Box<[u8]> {
    let mut key = Vec::new();
    write_structure_key(m, &refine(m), &mut key);
    key.into_boxed_slice()
}

/// Write the key of `m` into `key` (cleared first): no allocation once `key` has
/// grown to the size of one key.
pub(crate) fn write_structure_key(m: &Molecule, colour: &Colours, key: &mut Vec<u8>) {
    let n = m.atom_count();
    let mut order = [0u8; MAX_HEAVY_ATOMS];
    for (i, o) in order.iter_mut().enumerate().take(n) {
        *o = i as u8;
    }
    order[..n].sort_by_key(|&i| (colour[usize::from(i)], i));
    write_key(m, &order[..n], key);
}

/// Write the key of the labelled graph `m`, atoms numbered as they are (no
/// refinement): equal labelled keys mean identical molecules, atom for atom, and a
/// walk that returns to a molecule it has seen meets its labelled key again.
///
/// In this numbering the pairs of row `a` are `a`'s bond orders to atoms `a + 1`
/// to `n - 1`, which the molecule keeps two bits each in one word per atom, in the
/// key's order: each row is copied as a run of bits, not spelled bond by bond. This
/// runs on every accepted step.
pub(crate) fn write_labelled_key(m: &Molecule, key: &mut Vec<u8>) {
    let n = m.atom_count();
    let pairs = n * n.saturating_sub(1) / 2;
    key.clear();
    key.resize(1 + n + pairs.div_ceil(4), 0);
    key[0] = n as u8;
    let (codes, orders) = key[1..].split_at_mut(n);
    for (i, code) in codes.iter_mut().enumerate() {
        *code = atom_code(m, i);
    }
    // Bits not yet written to the key, lowest first: fewer than 64 between rows.
    let mut pending: u128 = 0;
    let mut filled = 0u32;
    let mut at = 0;
    for a in 0..n {
        let row = m.bond_orders(a).checked_shr(2 * (a as u32 + 1)).unwrap_or(0);
        let width = 2 * (n - a - 1) as u32;
        // At most 126 bits: in two halves, so `pending` never overflows.
        for (part, bits) in [(row as u64, width.min(64)), ((row >> 64) as u64, width.saturating_sub(64))] {
            if bits == 0 {
                break;
            }
            let mask = u64::MAX >> (64 - bits);
            pending |= u128::from(part & mask) << filled;
            filled += bits;
            if filled >= 64 {
                orders[at..at + 8].copy_from_slice(&(pending as u64).to_le_bytes());
                at += 8;
                pending >>= 64;
                filled -= 64;
            }
        }
    }
    let rest = filled.div_ceil(8) as usize;
    orders[at..at + rest].copy_from_slice(&(pending as u64).to_le_bytes()[..rest]);
}

/// The byte a key spells atom `i` with: its element's code, then its hydrogens.
#[inline]
pub(crate) fn atom_code(m: &Molecule, i: usize) -> u8 {
    ((m.element(i) as u8) << 4) | m.hydrogens(i)
}

/// Index of the pair (a, b), a < b, among all pairs of `n` atoms in row order
/// ((0,1), (0,2), ..., (1,2), ...).
#[inline]
fn pair_index(a: usize, b: usize, n: usize) -> usize {
    a * n - a * (a + 1) / 2 + (b - a - 1)
}

/// Write the key of `m` with its atoms renumbered: `order[k]` is the atom that
/// gets number k. The layout: the atom count; each new atom's element and
/// hydrogens (one byte); then the bond orders of all pairs in the new numbering, in
/// row order, four 2-bit orders per byte. Built from the bonds (about n of them in
/// a molecule), not by visiting all n(n-1)/2 pairs.
pub(crate) fn write_key(m: &Molecule, order: &[u8], key: &mut Vec<u8>) {
    let n = order.len();
    let mut position = [0u8; MAX_HEAVY_ATOMS];
    for (k, &i) in order.iter().enumerate() {
        position[usize::from(i)] = k as u8;
    }
    key.clear();
    key.push(n as u8);
    key.extend(order.iter().map(|&i| atom_code(m, usize::from(i))));
    let pairs = n * n.saturating_sub(1) / 2;
    key.resize(1 + n + pairs.div_ceil(4), 0);
    let orders = &mut key[1 + n..];
    for i in 0..n {
        let a = usize::from(position[i]);
        // Each bond once, from its lower-numbered atom (plain loops: `bonds()`'s
        // flattened iterator cost a third of this function).
        for j in bits(m.neighbour_mask(i) & (!1u64 << i)) {
            let b = usize::from(position[j]);
            let pair = pair_index(a.min(b), a.max(b), n);
            orders[pair / 4] |= m.bond_order(i, j) << (2 * (pair % 4));
        }
    }
}

/// The molecule a key spells (atoms in the key's numbering; objective cache empty).
pub(crate) fn molecule_from_key(key: &[u8]) -> Molecule {
    let n = usize::from(key[0]);
    let elements: Vec<Element> = key[1..=n].iter().map(|&b| BY_CODE[usize::from(b >> 4)]).collect();
    let mut m = Molecule::with_atoms(&elements);
    for (i, &b) in key[1..=n].iter().enumerate() {
        m.set_hydrogens(i, b & 15);
    }
    let mut pair = 0;
    for a in 0..n {
        for b in a + 1..n {
            let order = (key[1 + n + pair / 4] >> (2 * (pair % 4))) & 3;
            if order > 0 {
                m.set_bond(a, b, order);
            }
            pair += 1;
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::isomer::smiles::canonical_smiles;
    use crate::problems::isomer::walk::hot_walk;

    #[test]
    fn equal_keys_mean_equal_canonical_smiles_on_a_hot_walk() {
        let mut by_key = std::collections::HashMap::new();
        for m in hot_walk("C7H14O", 3, 3_000) {
            let name = canonical_smiles(&m);
            let known = by_key.entry(structure_key(&m)).or_insert_with(|| name.clone());
            assert_eq!(*known, name);
        }
        let names: std::collections::HashSet<&String> = by_key.values().collect();
        assert!(names.len() > 100, "the walk moved: {} structures", names.len());
    }

    /// The key as the layout describes it, pair by pair: n(n-1)/2 look-ups.
    fn key_by_pairs(m: &Molecule, order: &[u8]) -> Vec<u8> {
        let n = order.len();
        let mut key = vec![n as u8];
        key.extend(
            order.iter().map(|&i| ((m.element(usize::from(i)) as u8) << 4) | m.hydrogens(usize::from(i))),
        );
        let mut orders = Vec::new();
        for a in 0..n {
            for b in a + 1..n {
                orders.push(m.bond_order(usize::from(order[a]), usize::from(order[b])));
            }
        }
        key.extend(
            orders.chunks(4).map(|c| c.iter().enumerate().fold(0u8, |byte, (k, &o)| byte | (o << (2 * k)))),
        );
        key
    }

    #[test]
    fn keys_spell_every_pair_in_the_layout() {
        let mut key = Vec::new();
        // Rows of more than 64 bits too (C40: up to 78).
        for m in hot_walk("C9H12O2", 5, 1_000).into_iter().chain(hot_walk("C40H82", 5, 200)) {
            let n = m.atom_count();
            let identity: Vec<u8> = (0..n as u8).collect();
            write_labelled_key(&m, &mut key);
            assert_eq!(key, key_by_pairs(&m, &identity));
            let colours = refine(&m);
            let mut by_colour = identity.clone();
            by_colour.sort_by_key(|&i| (colours[usize::from(i)], i));
            write_structure_key(&m, &colours, &mut key);
            assert_eq!(key, key_by_pairs(&m, &by_colour));
        }
    }

    #[test]
    fn equal_labelled_keys_mean_equal_molecules() {
        let mut seen: std::collections::HashMap<Vec<u8>, Molecule> = std::collections::HashMap::new();
        let mut key = Vec::new();
        for m in hot_walk("C7H14", 11, 3_000) {
            write_labelled_key(&m, &mut key);
            assert_eq!(seen.entry(key.clone()).or_insert_with(|| m.clone()), &m);
        }
        let molecules: std::collections::HashSet<String> = seen.values().map(|m| format!("{m:?}")).collect();
        assert_eq!(molecules.len(), seen.len(), "different molecules have different labelled keys");
        assert!(seen.len() > 100, "the walk moved: {} labelled molecules", seen.len());
    }

    #[test]
    fn distinct_counts_different_values_as_a_sort_does() {
        let mut state = 7u64;
        // One counter over all cases: its stamps wrap around (more than 255 counts).
        let mut reused = ColourCount::new();
        for n in 0..=MAX_HEAVY_ATOMS {
            for spread in [1u64, 3, 17, u64::MAX] {
                let values: Vec<u64> = (0..n)
                    .map(|_| {
                        state = mix(state.wrapping_add(1));
                        // Few values (spread 1, 3, 17) with equal top bits, or any.
                        if spread == u64::MAX { state } else { (state % spread) << 3 }
                    })
                    .collect();
                let mut sorted = values.clone();
                sorted.sort_unstable();
                sorted.dedup();
                assert_eq!(distinct(&values), sorted.len(), "{values:?}");
                assert_eq!(reused.distinct(&values), sorted.len(), "a counter used {} times", reused.round);
            }
        }
    }

    #[test]
    fn element_codes_follow_the_discriminants() {
        for e in Element::ALL {
            assert_eq!(BY_CODE[e as usize], e);
        }
    }

    #[test]
    fn a_key_spells_its_whole_molecule() {
        for m in hot_walk("C6H7NO2", 9, 2_000) {
            let key = structure_key(&m);
            let rebuilt = molecule_from_key(&key);
            assert!(rebuilt.valences_hold() && rebuilt.is_connected());
            assert_eq!(structure_key(&rebuilt), key);
            assert_eq!(canonical_smiles(&rebuilt), canonical_smiles(&m));
        }
    }
}
