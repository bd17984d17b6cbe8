//! SMILES: Kiln's own writer, and the RDKit-compatible canonical form.
//!
//! [`write_smiles`] spells a molecule as a depth-first walk from atom 0 in Kekule
//! form (`=`, `#`, ring-closure digits). Every atom has its standard valence, so
//! the organic-subset symbols imply exactly the molecule's hydrogens and no
//! brackets are needed. [`canonical_smiles`] hands that string to the `chematic`
//! crate's port of RDKit's `MolToSmiles(MolFromSmiles(s))`: the same string RDKit
//! writes (aromatic rings in lower case), so one structure gets one name however
//! its atoms are numbered and whichever Kekule form it is in. The oracle under
//! `tests/oracles` checks the two agree.

use std::fmt::Write;

use super::molecule::{Molecule, bits};

/// A (non-canonical) SMILES of `m`: a depth-first walk from atom 0.
pub fn write_smiles(m: &Molecule) -> String {
    let n = m.atom_count();
    let mut out = String::with_capacity(4 * n);
    if n == 0 {
        return out;
    }
    let walk = Walk::new(m);
    let mut in_use = [false; 100];
    // closure_of[u][v]: the ring-closure number of the ring bond u-v opened at v.
    let mut closure_of = vec![[0u8; 64]; n];
    write_atom(m, &walk, 0, &mut out, &mut in_use, &mut closure_of);
    out
}

/// The canonical SMILES RDKit writes for `m`, or Kiln's own SMILES if the
/// canonicaliser refuses the molecule (never seen for Kekule molecules with
/// standard valences; the oracle would report it as a mismatch).
pub fn canonical_smiles(m: &Molecule) -> String {
    let written = write_smiles(m);
    chematic::smiles::parse(&written)
        .ok()
        .and_then(|mol| chematic::smiles::rdkit_canonical_smiles(&mol).ok())
        .unwrap_or(written)
}

/// The depth-first spanning tree the writer follows.
struct Walk {
    /// Preorder index of each atom.
    preorder: [u8; 64],
    /// Tree children of each atom, as a mask.
    children: [u64; 64],
    /// Non-tree (ring-closure) partners of each atom, as a mask.
    closures: [u64; 64],
}

impl Walk {
    fn new(m: &Molecule) -> Walk {
        let mut walk = Walk { preorder: [0; 64], children: [0; 64], closures: [0; 64] };
        let mut visited = 0u64;
        let mut next_index = 0u8;
        walk.visit(m, 0, usize::MAX, &mut visited, &mut next_index);
        walk
    }

    fn visit(&mut self, m: &Molecule, u: usize, parent: usize, visited: &mut u64, next_index: &mut u8) {
        *visited |= 1 << u;
        self.preorder[u] = *next_index;
        *next_index += 1;
        for v in bits(m.neighbour_mask(u)) {
            if v == parent {
                continue;
            }
            if *visited & (1 << v) == 0 {
                self.children[u] |= 1 << v;
                self.visit(m, v, u, visited, next_index);
            } else if self.children[u] & (1 << v) == 0 {
                self.closures[u] |= 1 << v;
                self.closures[v] |= 1 << u;
            }
        }
    }
}

fn bond_symbol(order: u8) -> &'static str {
    match order {
        2 => "=",
        3 => "#",
        _ => "",
    }
}

fn write_atom(
    m: &Molecule,
    walk: &Walk,
    u: usize,
    out: &mut String,
    in_use: &mut [bool; 100],
    closure_of: &mut [[u8; 64]],
) {
    out.push_str(m.element(u).symbol());
    // Numbers closed here are freed only after this atom, so it never reuses one
    // of them itself ("C11" is legal SMILES but easy to misread).
    let mut closed = [0u8; 64];
    let mut closed_count = 0;
    for v in bits(walk.closures[u]) {
        let number = if walk.preorder[v] > walk.preorder[u] {
            let number = (1..100).find(|&k| !in_use[k]).expect("fewer than 100 open rings") as u8;
            in_use[usize::from(number)] = true;
            closure_of[v][u] = number;
            out.push_str(bond_symbol(m.bond_order(u, v)));
            number
        } else {
            let number = closure_of[u][v];
            closed[closed_count] = number;
            closed_count += 1;
            number
        };
        if number < 10 {
            let _ = write!(out, "{number}");
        } else {
            let _ = write!(out, "%{number}");
        }
    }
    for &number in &closed[..closed_count] {
        in_use[usize::from(number)] = false;
    }
    let children: Vec<usize> = bits(walk.children[u]).collect();
    for (k, &v) in children.iter().enumerate() {
        let last = k + 1 == children.len();
        if !last {
            out.push('(');
        }
        out.push_str(bond_symbol(m.bond_order(u, v)));
        write_atom(m, walk, v, out, in_use, closure_of);
        if !last {
            out.push(')');
        }
    }
}
