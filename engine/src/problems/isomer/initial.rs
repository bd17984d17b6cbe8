//! The deterministic starting structure of a formula, or the reason there is none.
//!
//! Built in three passes: a spanning tree of the polyvalent atoms (C N P O S), the
//! halogens hung on the atoms with the most free valence, then the formula's rings
//! and multiple bonds (its unsaturation) added one bond-order unit at a time
//! between the two atoms with the most free valence. What valence is left over
//! becomes hydrogens. Two tree shapes are tried: a chain in layout order (so
//! C6H6 comes out as a Kekule benzene ring) and a caterpillar whose divalent atoms
//! hang off a backbone of tri- and tetravalent atoms (so CO4 gets its rings). The
//! property tests check every formula of a random valid molecule gets a structure.

use super::element::Element;
use super::formula::Formula;
use super::molecule::Molecule;

/// A connected molecule of `formula`, or why none was found.
pub(crate) fn initial_structure(formula: &Formula) -> Result<Molecule, String> {
    let atoms = formula.heavy_atom_list();
    let polyvalent: Vec<usize> = (0..atoms.len()).filter(|&i| !atoms[i].is_halogen()).collect();
    let halogens: Vec<usize> = (0..atoms.len()).filter(|&i| atoms[i].is_halogen()).collect();
    if polyvalent.is_empty() {
        return halogens_alone(&atoms, formula.hydrogens());
    }
    let backbone: Vec<usize> = polyvalent.iter().copied().filter(|&i| atoms[i].valence() >= 3).collect();
    let hanging: Vec<usize> = polyvalent.iter().copied().filter(|&i| atoms[i].valence() < 3).collect();
    let shapes: [(Vec<usize>, Vec<usize>); 2] = [(polyvalent.clone(), Vec::new()), (backbone, hanging)];
    let mut reason = String::new();
    for (chain, leaves) in shapes {
        if chain.is_empty() {
            continue;
        }
        match build(&atoms, &chain, &leaves, &halogens, formula.unsaturation()) {
            Ok(m) => return Ok(m),
            Err(r) => reason = r,
        }
    }
    Err(reason)
}

/// HF, F2 and the like: one or two halogens.
fn halogens_alone(atoms: &[Element], hydrogens: usize) -> Result<Molecule, String> {
    let mut m = Molecule::with_atoms(atoms);
    match (atoms.len(), hydrogens) {
        (1, 1) => m.set_hydrogens(0, 1),
        (2, 0) => m.set_bond(0, 1, 1),
        _ => return Err("halogens bond only once".into()),
    }
    Ok(m)
}

fn build(
    atoms: &[Element],
    chain: &[usize],
    leaves: &[usize],
    halogens: &[usize],
    unsaturation: usize,
) -> Result<Molecule, String> {
    let mut m = Molecule::with_atoms(atoms);
    let mut free: Vec<i32> = atoms.iter().map(|e| i32::from(e.valence())).collect();
    let bond = |m: &mut Molecule, free: &mut Vec<i32>, i: usize, j: usize| {
        m.set_bond(i, j, m.bond_order(i, j) + 1);
        free[i] -= 1;
        free[j] -= 1;
    };
    for pair in chain.windows(2) {
        bond(&mut m, &mut free, pair[0], pair[1]);
    }
    for &leaf in leaves.iter().chain(halogens) {
        let host = roomiest(chain, &free, |_| true).ok_or("too few free valences for the side atoms")?;
        bond(&mut m, &mut free, host, leaf);
    }
    let joinable: Vec<usize> = chain.iter().chain(leaves).copied().collect();
    for _ in 0..unsaturation {
        let (i, j) =
            best_pair(&m, &joinable, &free).ok_or("too many rings and multiple bonds for its atoms")?;
        bond(&mut m, &mut free, i, j);
    }
    for (i, &f) in free.iter().enumerate() {
        if f < 0 {
            return Err("an atom would exceed its valence".into());
        }
        m.set_hydrogens(i, f as u8);
    }
    Ok(m)
}

/// The atom of `candidates` with the most free valence (first on ties), if any has some.
fn roomiest(candidates: &[usize], free: &[i32], allowed: impl Fn(usize) -> bool) -> Option<usize> {
    let mut best: Option<usize> = None;
    for &i in candidates {
        if free[i] > 0 && allowed(i) && best.is_none_or(|b| free[i] > free[b]) {
            best = Some(i);
        }
    }
    best
}

/// The next bond-order unit: from the roomiest atom to the roomiest partner that
/// can still take one (order below 3).
fn best_pair(m: &Molecule, candidates: &[usize], free: &[i32]) -> Option<(usize, usize)> {
    let mut order: Vec<usize> = candidates.iter().copied().filter(|&i| free[i] > 0).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(free[i]));
    order
        .iter()
        .find_map(|&i| roomiest(candidates, free, |j| j != i && m.bond_order(i, j) < 3).map(|j| (i, j)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smiles_shape(text: &str) -> Molecule {
        let f: Formula = text.parse().unwrap();
        let m = initial_structure(&f).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert!(m.valences_hold(), "{text}: {m:?}");
        assert!(m.is_connected(), "{text}: {m:?}");
        assert_eq!(m.total_hydrogens(), f.hydrogens(), "{text}");
        m
    }

    #[test]
    fn presets_and_odd_formulas_get_connected_structures() {
        for text in [
            "CH4", "C2H2", "C6H6", "C10H8", "C10H16", "C8H10", "C3H6O", "C2H6O", "C2H5Cl", "CF4", "CO4",
            "HF", "F2", "O3", "C3", "C64H130", "CO2", "HCN", "C2H7N", "P4", "S8", "CH2Cl2", "C6H12",
        ] {
            smiles_shape(text);
        }
    }

    #[test]
    fn benzene_starts_as_a_kekule_ring() {
        let m = smiles_shape("C6H6");
        let orders: Vec<u8> = m.bonds().map(|b| b.2).collect();
        assert_eq!(orders.iter().filter(|&&o| o == 2).count(), 3, "{m:?}");
        assert_eq!(m.bonds().count(), 6);
    }

    #[test]
    fn impossible_formulas_have_no_structure() {
        for text in ["C2", "CH2", "F4", "CH2F4"] {
            if let Ok(f) = text.parse::<Formula>() {
                assert!(initial_structure(&f).is_err(), "{text}");
            }
        }
    }
}
