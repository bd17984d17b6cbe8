//! An exact, nearly canonical key of a molecule: a cheap first look-up before the
//! canonical SMILES.
//!
//! The atoms are renumbered by colour refinement (each atom's colour is repeatedly
//! hashed with the multiset of its neighbours' colours and bond orders, until the
//! number of colours stops growing; ties are broken by the original number), and
//! the key spells the whole renumbered graph: every atom's element and hydrogens,
//! every pair's bond order. Equal keys therefore mean isomorphic molecules, always;
//! hash collisions in the refinement only cost a worse numbering, never a wrong
//! answer. Isomorphic molecules usually get the same key, but not always (atoms that
//! refinement cannot tell apart are numbered as they come), so a structure may have
//! several keys. That is what makes it a cache key and not a name: `DistinctIsomers`
//! remembers the keys it has seen and computes the canonical SMILES only for new
//! keys, so a walk returning to known structures skips the SMILES work.

use super::molecule::{MAX_HEAVY_ATOMS, Molecule, bits};

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

/// The key of `m` (see the module documentation).
pub(crate) fn structure_key(m: &Molecule) -> Box<[u8]> {
    let n = m.atom_count();
    let mut colour = [0u64; MAX_HEAVY_ATOMS];
    for (i, c) in colour.iter_mut().enumerate().take(n) {
        let degree = u64::from(m.neighbour_mask(i).count_ones());
        *c = mix((m.element(i) as u64) | (u64::from(m.hydrogens(i)) << 8) | (degree << 16));
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
    let mut order = [0u8; MAX_HEAVY_ATOMS];
    for (i, o) in order.iter_mut().enumerate().take(n) {
        *o = i as u8;
    }
    order[..n].sort_by_key(|&i| (colour[usize::from(i)], i));

    let mut key = Vec::with_capacity(1 + n + (n * n).div_ceil(8));
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
    key.into_boxed_slice()
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
}
