//! Crippen logP (Wildman and Crippen 1999), as RDKit's `Crippen.MolLogP` computes it.
//!
//! The atom typing (117 SMARTS types after aromaticity perception) comes from the
//! `chematic` crate, whose port is documented as bit-identical to RDKit; the
//! oracle under `tests/oracles` checks it against RDKit 2026.03.1 itself. It works
//! on a parsed SMILES, so pricing a logP move allocates and costs tens of
//! microseconds: the Wiener objective is the fast path, logP the teaching one.
//!
//! Values are rounded to six decimals, finer than Crippen's contribution table
//! (at most five): the raw sum's last bits depend on the order atoms are summed in, the
//! rounded value only on the structure. That makes a memo keyed by structure safe
//! ([`LogpMemo`]): a run returning to a known structure skips the typing, and
//! the trajectory stays the same whatever the memo holds.
//!
//! One divergence the oracle found is corrected here: chematic 1.2.1 types the
//! hydrogen of an ynol (H-O-C#C) as an alcohol hydrogen (H2, -0.2677) where
//! RDKit's H2 pattern needs an sp3 carbon and the hydrogen falls back to the
//! generic type (0.1125).

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use super::element::Element;
use super::molecule::{Molecule, bits};
use super::smiles::write_smiles;
use super::structure_key::structure_key;

/// Most bytes of structure keys a [`LogpMemo`] holds (about 200,000 C10 structures).
pub const LOGP_MEMO_BYTES: usize = 8 << 20;

/// RDKit's generic hydrogen contribution minus its alcohol-hydrogen one.
const YNOL_HYDROGEN_CORRECTION: f64 = 0.1125 - -0.2677;

/// Crippen logP of `m`.
pub fn crippen_logp(m: &Molecule) -> f64 {
    let smiles = write_smiles(m);
    // Kiln's SMILES always parse (standard valences, organic subset); a failure
    // would show in the oracle as a logP of 0.
    let typed = chematic::smiles::parse(&smiles).map_or(0.0, |mol| chematic::chem::logp_crippen(&mol));
    let raw = typed + YNOL_HYDROGEN_CORRECTION * ynol_hydrogens(m) as f64;
    (raw * 1e6).round() / 1e6
}

/// logP by structure, shared by the clones of one problem (and their threads).
#[derive(Default)]
pub struct LogpMemo {
    values: Mutex<Memo>,
}

#[derive(Default)]
struct Memo {
    by_key: HashMap<Box<[u8]>, f64>,
    key_bytes: usize,
}

impl LogpMemo {
    /// Crippen logP of `m`, from the memo when its structure was priced before.
    pub fn logp(&self, m: &Molecule) -> f64 {
        let key = structure_key(m);
        // A poisoned lock only means another thread panicked mid-insert; the map is still valid.
        if let Some(&v) = self.values.lock().unwrap_or_else(|e| e.into_inner()).by_key.get(&key) {
            return v;
        }
        let v = crippen_logp(m);
        let mut memo = self.values.lock().unwrap_or_else(|e| e.into_inner());
        if memo.key_bytes + key.len() <= LOGP_MEMO_BYTES {
            memo.key_bytes += key.len();
            memo.by_key.insert(key, v);
        }
        v
    }
}

impl fmt::Debug for LogpMemo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self.values.lock().map_or(0, |v| v.by_key.len());
        write!(f, "LogpMemo({len} structures)")
    }
}

/// Hydrogens on an oxygen whose only neighbour is a triple-bonded carbon.
fn ynol_hydrogens(m: &Molecule) -> usize {
    (0..m.atom_count())
        .filter(|&o| m.element(o) == Element::O && m.hydrogens(o) == 1)
        .filter(|&o| {
            bits(m.neighbour_mask(o)).any(|c| {
                m.element(c) == Element::C && bits(m.neighbour_mask(c)).any(|x| m.bond_order(c, x) == 3)
            })
        })
        .count()
}
