//! A tiny Kekulé SMILES reader for tests: organic-subset atoms, branches,
//! ring closures and explicit `=`/`#` bonds, with implicit hydrogens from the
//! default valences. Enough to write test molecules as chemists name them.

use super::{DrawAtom, DrawBond, MoleculeDrawing};

/// The molecule written as Kekulé SMILES `smiles`; panics on anything it does not understand (tests only).
pub(crate) fn molecule(smiles: &str) -> MoleculeDrawing {
    let mut atoms: Vec<DrawAtom> = Vec::new();
    let mut bonds: Vec<DrawBond> = Vec::new();
    let mut branch_points = Vec::new();
    let mut open_rings: Vec<Option<(usize, u8)>> = vec![None; 100];
    let mut previous: Option<usize> = None;
    let mut order = 1;
    let chars: Vec<char> = smiles.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '(' => branch_points.push(previous),
            ')' => previous = branch_points.pop().expect("unbalanced ')'"),
            '-' => order = 1,
            '=' => order = 2,
            '#' => order = 3,
            '0'..='9' | '%' => {
                let digit = if c == '%' {
                    i += 2;
                    (chars[i - 1].to_digit(10).unwrap() * 10 + chars[i].to_digit(10).unwrap()) as usize
                } else {
                    c.to_digit(10).unwrap() as usize
                };
                let atom = previous.expect("ring closure before any atom");
                match open_rings[digit].take() {
                    Some((other, opening_order)) => {
                        bonds.push(DrawBond { a: other, b: atom, order: order.max(opening_order) })
                    }
                    None => open_rings[digit] = Some((atom, order)),
                }
                order = 1;
            }
            _ => {
                let two = chars.get(i + 1).map(|&next| format!("{c}{next}"));
                let symbol: &'static str = match two.as_deref() {
                    Some("Cl") => "Cl",
                    Some("Br") => "Br",
                    _ => match c {
                        'C' => "C",
                        'N' => "N",
                        'O' => "O",
                        'S' => "S",
                        'P' => "P",
                        'F' => "F",
                        'I' => "I",
                        'B' => "B",
                        _ => panic!("unsupported SMILES character {c:?} in {smiles}"),
                    },
                };
                i += symbol.len() - 1;
                atoms.push(DrawAtom { symbol, hydrogens: 0 });
                let atom = atoms.len() - 1;
                if let Some(previous) = previous {
                    bonds.push(DrawBond { a: previous, b: atom, order });
                }
                previous = Some(atom);
                order = 1;
            }
        }
        i += 1;
    }
    for (index, atom) in atoms.iter_mut().enumerate() {
        let valence: u8 = match atom.symbol {
            "C" => 4,
            "N" | "B" | "P" => 3,
            "O" | "S" => 2,
            _ => 1,
        };
        let used: u8 = bonds.iter().filter(|b| b.a == index || b.b == index).map(|b| b.order).sum();
        atom.hydrogens = valence.saturating_sub(used);
    }
    MoleculeDrawing { atoms, bonds }
}

#[test]
fn reads_rings_branches_and_bond_orders() {
    let acetone = molecule("CC(C)=O");
    assert_eq!(acetone.atoms.iter().map(|a| a.hydrogens).collect::<Vec<_>>(), [3, 0, 3, 0]);
    assert_eq!(acetone.bonds[2], DrawBond { a: 1, b: 3, order: 2 });
    let benzene = molecule("C1=CC=CC=C1");
    assert_eq!(benzene.bonds.len(), 6);
    assert!(benzene.atoms.iter().all(|a| a.hydrogens == 1));
}
