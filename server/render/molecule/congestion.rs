//! How crowded a drawing is: crossing bonds (and atoms lying on bonds), and how
//! far non-bonded atoms intrude on each other. The ring-system stage compares its
//! candidates by it, and the relief stage measures each branch it mirrors with it.

use super::DrawBond;
use super::geometry::{Point, distance_to_segment, segments_cross};
use super::graph::Graph;

/// Closest two atoms may come before the relief pass treats them as crowded, in bond lengths.
const CROWDED: f64 = 0.9;
/// Closer than this to a bond (in bond lengths), an atom seems to sit on it.
const ON_BOND: f64 = 0.2;

/// How crowded a drawing is: crossing bonds (and atoms lying on bonds), and how far non-bonded
/// atoms intrude on each other.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Congestion {
    pub(super) crossings: usize,
    pub(super) overlap: f64,
}

impl Congestion {
    pub(super) fn of(graph: &Graph, atoms: &[usize], positions: &[Point]) -> Congestion {
        Congestion::measure(graph, atoms, positions, None)
    }

    /// The part of the congestion that changes when the atoms flagged in `moved` move rigidly together:
    /// their pairs with unmoved atoms and the bonds that join or touch them. Subtracting it before a
    /// move and adding it after gives the new congestion in time proportional to the moved branch.
    pub(super) fn across(graph: &Graph, atoms: &[usize], positions: &[Point], moved: &[bool]) -> Congestion {
        Congestion::measure(graph, atoms, positions, Some(moved))
    }

    pub(super) fn measure(
        graph: &Graph,
        atoms: &[usize],
        positions: &[Point],
        moved: Option<&[bool]>,
    ) -> Congestion {
        let mut inside = vec![false; graph.atom_count()];
        atoms.iter().for_each(|&a| inside[a] = true);
        let bonds: Vec<&DrawBond> =
            graph.bonds.iter().filter(|bond| inside[bond.a] && inside[bond.b]).collect();
        let is_moved = |atom: usize| moved.is_some_and(|flags| flags[atom]);
        // 0: neither end moves, 1: the bond stretches, 2: the bond moves whole.
        let kind = |bond: &DrawBond| u8::from(is_moved(bond.a)) + u8::from(is_moved(bond.b));
        let changing_bonds: Vec<usize> = match moved {
            None => (0..bonds.len()).collect(),
            Some(_) => (0..bonds.len()).filter(|&i| kind(bonds[i]) > 0).collect(),
        };
        let mut crossings = 0;
        for &i in &changing_bonds {
            let first = bonds[i];
            for (j, second) in bonds.iter().enumerate() {
                // Each pair once; pairs that move together keep their geometry.
                let counted_elsewhere = if moved.is_none() { j <= i } else { kind(second) > 0 && j <= i };
                if counted_elsewhere || (kind(first) == 2 && kind(second) == 2) {
                    continue;
                }
                let shares_atom = [first.a, first.b].iter().any(|&x| x == second.a || x == second.b);
                if !shares_atom
                    && segments_cross(
                        positions[first.a],
                        positions[first.b],
                        positions[second.a],
                        positions[second.b],
                    )
                {
                    crossings += 1;
                }
            }
        }
        // An atom lying on a bond it is not part of reads as a wrong bond: as bad as a crossing.
        let on_bond = |atom: usize, bond: &DrawBond| {
            atom != bond.a
                && atom != bond.b
                && distance_to_segment(positions[atom], positions[bond.a], positions[bond.b]) < ON_BOND
        };
        for &i in &changing_bonds {
            let bond = bonds[i];
            crossings += atoms
                .iter()
                .filter(|&&atom| !(is_moved(atom) && kind(bond) == 2))
                .filter(|&&atom| on_bond(atom, bond))
                .count();
        }
        let moved_atoms: Vec<usize> = atoms.iter().copied().filter(|&atom| is_moved(atom)).collect();
        if moved.is_some() {
            for bond in bonds.iter().filter(|bond| kind(bond) == 0) {
                crossings += moved_atoms.iter().filter(|&&atom| on_bond(atom, bond)).count();
            }
        }
        let mut overlap = 0.0;
        let mut add_overlap = |a: usize, b: usize| {
            if !graph.neighbours[a].contains(&b) {
                let distance = positions[a].distance(positions[b]);
                if distance < CROWDED {
                    overlap += (CROWDED - distance).powi(2);
                }
            }
        };
        match moved {
            None => {
                for (i, &a) in atoms.iter().enumerate() {
                    for &b in &atoms[i + 1..] {
                        add_overlap(a, b);
                    }
                }
            }
            Some(_) => {
                for &a in &moved_atoms {
                    for &b in atoms.iter().filter(|&&b| !is_moved(b)) {
                        add_overlap(a, b);
                    }
                }
            }
        }
        Congestion { crossings, overlap }
    }

    /// `self` with the part `before` replaced by `after` (see [`Congestion::across`]).
    pub(super) fn replacing(self, before: Congestion, after: Congestion) -> Congestion {
        Congestion {
            crossings: (self.crossings + after.crossings).saturating_sub(before.crossings),
            overlap: (self.overlap - before.overlap + after.overlap).max(0.0),
        }
    }

    pub(super) fn is_better_than(self, other: Congestion) -> bool {
        self.crossings < other.crossings
            || (self.crossings == other.crossings && self.overlap < other.overlap - 1e-9)
    }
}
