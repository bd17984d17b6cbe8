//! The molecule as a graph for its layout: bonds, neighbour lists, and the rings
//! grouped into ring systems (rings sharing an atom), with the few questions every
//! stage of the layout asks of it (is this bond in a ring, what lies on one side of it).

use super::DrawBond;
use super::rings::{Ring, neighbour_lists, ring_has_bond};

/// The molecule as a graph, with its rings grouped into ring systems.
pub(super) struct Graph<'a> {
    pub(super) bonds: &'a [DrawBond],
    pub(super) rings: &'a [Ring],
    pub(super) neighbours: Vec<Vec<usize>>,
    /// The ring systems: each a list of ring indices.
    pub(super) systems: Vec<Vec<usize>>,
    /// The ring system each atom belongs to, if any.
    pub(super) system_of: Vec<Option<usize>>,
}

impl<'a> Graph<'a> {
    pub(super) fn new(atom_count: usize, bonds: &'a [DrawBond], rings: &'a [Ring]) -> Graph<'a> {
        let neighbours = neighbour_lists(atom_count, bonds);
        // Union rings that share an atom.
        let mut parent: Vec<usize> = (0..rings.len()).collect();
        fn root(parent: &mut [usize], mut ring: usize) -> usize {
            while parent[ring] != ring {
                parent[ring] = parent[parent[ring]];
                ring = parent[ring];
            }
            ring
        }
        let mut first_ring_of = vec![None; atom_count];
        for (index, ring) in rings.iter().enumerate() {
            for &atom in ring {
                match first_ring_of[atom] {
                    None => first_ring_of[atom] = Some(index),
                    Some(other) => {
                        let (a, b) = (root(&mut parent, index), root(&mut parent, other));
                        parent[a.max(b)] = a.min(b);
                    }
                }
            }
        }
        let mut systems: Vec<Vec<usize>> = Vec::new();
        let mut system_index = vec![None; rings.len()];
        for ring in 0..rings.len() {
            let top = root(&mut parent, ring);
            let system = *system_index[top].get_or_insert_with(|| {
                systems.push(Vec::new());
                systems.len() - 1
            });
            systems[system].push(ring);
        }
        let system_of = first_ring_of
            .iter()
            .map(|ring| ring.map(|ring| system_index[root(&mut parent, ring)].unwrap_or(0)))
            .collect();
        Graph { bonds, rings, neighbours, systems, system_of }
    }

    pub(super) fn atom_count(&self) -> usize {
        self.neighbours.len()
    }

    pub(super) fn bond_order(&self, a: usize, b: usize) -> u8 {
        self.bonds
            .iter()
            .find(|bond| (bond.a, bond.b) == (a, b) || (bond.a, bond.b) == (b, a))
            .map_or(1, |bond| bond.order)
    }

    /// Whether `atom` is linear: a triple bond, or two double bonds (an allene's centre).
    pub(super) fn is_linear(&self, atom: usize) -> bool {
        let orders = self.neighbours[atom].iter().map(|&n| self.bond_order(atom, n));
        let (triples, doubles) =
            orders.fold((0, 0), |(t, d), order| (t + (order == 3) as u8, d + (order == 2) as u8));
        self.neighbours[atom].len() == 2 && (triples > 0 || doubles == 2)
    }

    pub(super) fn in_ring(&self, a: usize, b: usize) -> bool {
        self.rings.iter().any(|ring| ring_has_bond(ring, a, b))
    }

    /// The atoms of a ring system, ascending.
    pub(super) fn system_atoms(&self, system: usize) -> Vec<usize> {
        let mut atoms: Vec<usize> =
            self.systems[system].iter().flat_map(|&ring| self.rings[ring].iter().copied()).collect();
        atoms.sort_unstable();
        atoms.dedup();
        atoms
    }

    /// The connected pieces, each a list of atoms in ascending order.
    pub(super) fn components(&self) -> Vec<Vec<usize>> {
        let mut seen = vec![false; self.atom_count()];
        let mut pieces = Vec::new();
        for start in 0..self.atom_count() {
            if seen[start] {
                continue;
            }
            seen[start] = true;
            let mut piece = vec![start];
            let mut next = 0;
            while next < piece.len() {
                for &neighbour in &self.neighbours[piece[next]] {
                    if !seen[neighbour] {
                        seen[neighbour] = true;
                        piece.push(neighbour);
                    }
                }
                next += 1;
            }
            piece.sort_unstable();
            pieces.push(piece);
        }
        pieces
    }

    /// Atoms reachable from `start` without passing through `blocked`, or `None` if `blocked` is reached
    /// another way (the bond between them lies on a cycle).
    pub(super) fn side_of_bond(&self, start: usize, blocked: usize) -> Option<Vec<usize>> {
        let mut seen = vec![false; self.atom_count()];
        seen[start] = true;
        seen[blocked] = true;
        let mut side = vec![start];
        let mut next = 0;
        while next < side.len() {
            let atom = side[next];
            for &neighbour in &self.neighbours[atom] {
                if neighbour == blocked && atom != start {
                    return None;
                }
                if !seen[neighbour] {
                    seen[neighbour] = true;
                    side.push(neighbour);
                }
            }
            next += 1;
        }
        Some(side)
    }
}
