//! Crippen logP (Wildman and Crippen 1999), as RDKit's `Crippen.MolLogP` computes it.
//!
//! The atom typing (117 SMARTS types after aromaticity perception) comes from the
//! `chematic` crate, whose port is documented as bit-identical to RDKit; the
//! oracle under `tests/oracles` checks it against RDKit itself. It works on a
//! parsed SMILES, so pricing a logP move allocates and costs tens of
//! microseconds: the Wiener objective is the fast path, logP the teaching one.

use super::molecule::Molecule;
use super::smiles::write_smiles;

/// Crippen logP of `m`.
pub fn crippen_logp(m: &Molecule) -> f64 {
    let smiles = write_smiles(m);
    match chematic::smiles::parse(&smiles) {
        Ok(mol) => chematic::chem::logp_crippen(&mol),
        Err(_) => 0.0,
    }
}
