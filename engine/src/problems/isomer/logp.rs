//! Crippen logP (Wildman and Crippen 1999), as RDKit's `Crippen.MolLogP` computes it.
//!
//! The atom typing (117 SMARTS types after aromaticity perception) comes from the
//! `chematic` crate, whose port is documented as bit-identical to RDKit; the
//! oracle under `tests/oracles` checks it against RDKit 2026.03.1 itself. It works
//! on a parsed SMILES, so pricing a logP move allocates and costs tens of
//! microseconds: the Wiener objective is the fast path, logP the teaching one.
//!
//! One divergence the oracle found is corrected here: chematic 1.2.1 types the
//! hydrogen of an ynol (H-O-C#C) as an alcohol hydrogen (H2, -0.2677) where
//! RDKit's H2 pattern needs an sp3 carbon and the hydrogen falls back to the
//! generic type (0.1125).

use super::element::Element;
use super::molecule::{Molecule, bits};
use super::smiles::write_smiles;

/// RDKit's generic hydrogen contribution minus its alcohol-hydrogen one.
const YNOL_HYDROGEN_CORRECTION: f64 = 0.1125 - -0.2677;

/// Crippen logP of `m`.
pub fn crippen_logp(m: &Molecule) -> f64 {
    let smiles = write_smiles(m);
    // Kiln's SMILES always parse (standard valences, organic subset); a failure
    // would show in the oracle as a logP of 0.
    let typed = chematic::smiles::parse(&smiles).map_or(0.0, |mol| chematic::chem::logp_crippen(&mol));
    typed + YNOL_HYDROGEN_CORRECTION * ynol_hydrogens(m) as f64
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
