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

fn distinct(values: &[u64]) -> usize {
    let mut sorted = [0u64; MAX_HEAVY_ATOMS];
    let sorted = &mut sorted[..values.len()];
    sorted.copy_from_slice(values);
    sorted.sort_unstable();
    1 + sorted.windows(2).filter(|w| w[0] != w[1]).count()
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

/// Refine `colour` (a colouring computed from the structure alone) until the
/// number of colours stops growing.
fn refine_from(m: &Molecule, mut colour: Colours) -> Colours {
    let n = m.atom_count();
    if n == 0 {
        return colour;
    }
    let mut classes = distinct(&colour[..n]);
    for _ in 0..n {
        let mut next = [0u64; MAX_HEAVY_ATOMS];
        for i in 0..n {
            // A sum of hashes: independent of the neighbours' order.
            let around = bits(m.neighbour_mask(i)).fold(0u64, |acc, j| {
                acc.wrapping_add(mix(
                    colour[j] ^ u64::from(m.bond_order(i, j)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
                ))
            });
            next[i] = mix(colour[i] ^ around.rotate_left(23));
        }
        colour = next;
        let refined = distinct(&colour[..n]);
        if refined == classes {
            break;
        }
        classes = refined;
    }
    colour
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
    key.clear();
    let n = m.atom_count();
    let mut order = [0u8; MAX_HEAVY_ATOMS];
    for (i, o) in order.iter_mut().enumerate().take(n) {
        *o = i as u8;
    }
    order[..n].sort_by_key(|&i| (colour[usize::from(i)], i));
    key.push(n as u8);
    for &i in &order[..n] {
        let i = usize::from(i);
        key.push(((m.element(i) as u8) << 4) | m.hydrogens(i));
    }
    // Bond orders of all pairs in the new numbering, four 2-bit orders per byte.
    let (mut byte, mut filled) = (0u8, 0);
    for a in 0..n {
        for b in a + 1..n {
            byte |= m.bond_order(usize::from(order[a]), usize::from(order[b])) << (2 * filled);
            filled += 1;
            if filled == 4 {
                key.push(byte);
                (byte, filled) = (0, 0);
            }
        }
    }
    if filled > 0 {
        key.push(byte);
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
    use crate::Problem;
    use crate::problems::isomer::{Isomer, Objective};
    use crate::rng::{StepRng, StepStream};

    #[test]
    fn equal_keys_mean_equal_canonical_smiles_on_a_hot_walk() {
        let problem = Isomer::new("C7H14O", Objective::default()).unwrap();
        let mut m = problem.initial_state();
        let mut by_key = std::collections::HashMap::new();
        let mut stream = StepStream::new(3, 0);
        for t in 0..3_000 {
            let words = stream.next_step();
            if let crate::Proposal::Move(mv) = problem.propose(&m, &mut StepRng::new(3, t, &words)) {
                problem.apply(&mut m, &mv);
            }
            let name = problem.canonical_smiles(&m);
            let known = by_key.entry(structure_key(&m)).or_insert_with(|| name.clone());
            assert_eq!(*known, name);
        }
        let names: std::collections::HashSet<&String> = by_key.values().collect();
        assert!(names.len() > 100, "the walk moved: {} structures", names.len());
    }

    #[test]
    fn element_codes_follow_the_discriminants() {
        for e in Element::ALL {
            assert_eq!(BY_CODE[e as usize], e);
        }
    }

    #[test]
    fn a_key_spells_its_whole_molecule() {
        let problem = Isomer::new("C6H7NO2", Objective::default()).unwrap();
        let mut m = problem.initial_state();
        let mut stream = StepStream::new(9, 0);
        for t in 0..2_000 {
            let words = stream.next_step();
            if let crate::Proposal::Move(mv) = problem.propose(&m, &mut StepRng::new(9, t, &words)) {
                problem.apply(&mut m, &mv);
            }
            let key = structure_key(&m);
            let rebuilt = molecule_from_key(&key);
            assert!(rebuilt.valences_hold() && rebuilt.is_connected());
            assert_eq!(structure_key(&rebuilt), key);
            assert_eq!(problem.canonical_smiles(&rebuilt), problem.canonical_smiles(&m));
        }
    }
}
