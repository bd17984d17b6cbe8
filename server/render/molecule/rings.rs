//! Ring perception: a smallest set of smallest rings (SSSR).
//!
//! For each bond the shortest cycle through it is found by a breadth-first
//! search that may not use the bond itself; the candidates, shortest first,
//! are then kept when they are independent of the rings kept so far (Gaussian
//! elimination over bond sets in GF(2)) until there are as many rings as the
//! graph's cycle rank. On the small molecules drawn here (at most a few dozen
//! atoms) this takes microseconds and yields the rings a chemist would name:
//! naphthalene's two hexagons, pinene's square and hexagon.

use std::collections::VecDeque;

use super::DrawBond;
use super::geometry::Point;

/// A ring: its atoms in order around the ring.
pub(super) type Ring = Vec<usize>;

/// The smallest set of smallest rings of the graph with `atom_count` atoms and `bonds`.
pub(super) fn smallest_rings(atom_count: usize, bonds: &[DrawBond]) -> Vec<Ring> {
    let neighbours = neighbour_lists(atom_count, bonds);
    let cycle_rank = bonds.len() + component_count(&neighbours) - atom_count;
    if cycle_rank == 0 {
        return Vec::new();
    }
    let mut candidates: Vec<Ring> =
        bonds.iter().filter_map(|bond| shortest_path_avoiding_bond(&neighbours, bond.a, bond.b)).collect();
    candidates.sort_by(|x, y| x.len().cmp(&y.len()).then_with(|| sorted(x).cmp(&sorted(y))));
    candidates.dedup_by(|x, y| sorted(x) == sorted(y));

    let bond_index = |a: usize, b: usize| {
        bonds.iter().position(|bond| (bond.a, bond.b) == (a, b) || (bond.a, bond.b) == (b, a))
    };
    let words = bonds.len().div_ceil(64);
    // Reduced bond sets of the rings kept so far, each with its pivot bit.
    let mut basis: Vec<(usize, Vec<u64>)> = Vec::new();
    let mut rings = Vec::new();
    for ring in candidates {
        let mut set = vec![0u64; words];
        for (i, &atom) in ring.iter().enumerate() {
            if let Some(bond) = bond_index(atom, ring[(i + 1) % ring.len()]) {
                set[bond / 64] ^= 1 << (bond % 64);
            }
        }
        for (pivot, row) in &basis {
            if set[pivot / 64] >> (pivot % 64) & 1 == 1 {
                set.iter_mut().zip(row).for_each(|(word, bit)| *word ^= bit);
            }
        }
        let Some(pivot) = (0..bonds.len()).find(|&bond| set[bond / 64] >> (bond % 64) & 1 == 1) else {
            continue;
        };
        basis.push((pivot, set));
        rings.push(ring);
        if rings.len() == cycle_rank {
            break;
        }
    }
    rings
}

/// For each bond, the centre of the smallest ring holding it (the side a ring double bond's second line goes).
pub(super) fn bond_ring_centres(
    rings: &[Ring],
    bonds: &[DrawBond],
    positions: &[Point],
) -> Vec<Option<Point>> {
    bonds
        .iter()
        .map(|bond| {
            rings.iter().filter(|ring| ring_has_bond(ring, bond.a, bond.b)).min_by_key(|ring| ring.len()).map(
                |ring| {
                    ring.iter().fold(Point::default(), |sum, &atom| sum + positions[atom])
                        * (1.0 / ring.len() as f64)
                },
            )
        })
        .collect()
}

/// Whether `a` and `b` are next to each other in `ring`.
pub(super) fn ring_has_bond(ring: &[usize], a: usize, b: usize) -> bool {
    (0..ring.len()).any(|i| {
        let (x, y) = (ring[i], ring[(i + 1) % ring.len()]);
        (x, y) == (a, b) || (x, y) == (b, a)
    })
}

/// Each atom's neighbours, in ascending order.
pub(super) fn neighbour_lists(atom_count: usize, bonds: &[DrawBond]) -> Vec<Vec<usize>> {
    let mut neighbours = vec![Vec::new(); atom_count];
    for bond in bonds {
        neighbours[bond.a].push(bond.b);
        neighbours[bond.b].push(bond.a);
    }
    neighbours.iter_mut().for_each(|list| list.sort_unstable());
    neighbours
}

fn component_count(neighbours: &[Vec<usize>]) -> usize {
    let mut seen = vec![false; neighbours.len()];
    let mut count = 0;
    for start in 0..neighbours.len() {
        if seen[start] {
            continue;
        }
        count += 1;
        seen[start] = true;
        let mut stack = vec![start];
        while let Some(atom) = stack.pop() {
            for &next in &neighbours[atom] {
                if !seen[next] {
                    seen[next] = true;
                    stack.push(next);
                }
            }
        }
    }
    count
}

/// The atoms of the shortest path from `a` to `b` that does not use the bond `a`-`b`, from `a` to `b`.
fn shortest_path_avoiding_bond(neighbours: &[Vec<usize>], a: usize, b: usize) -> Option<Vec<usize>> {
    let mut previous = vec![usize::MAX; neighbours.len()];
    previous[a] = a;
    let mut queue = VecDeque::from([a]);
    while let Some(atom) = queue.pop_front() {
        for &next in &neighbours[atom] {
            if previous[next] != usize::MAX || (atom == a && next == b) {
                continue;
            }
            previous[next] = atom;
            if next == b {
                let mut path = vec![b];
                let mut at = b;
                while at != a {
                    at = previous[at];
                    path.push(at);
                }
                path.reverse();
                return Some(path);
            }
            queue.push_back(next);
        }
    }
    None
}

fn sorted(ring: &[usize]) -> Vec<usize> {
    let mut atoms = ring.to_vec();
    atoms.sort_unstable();
    atoms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bonds(pairs: &[(usize, usize)]) -> Vec<DrawBond> {
        pairs.iter().map(|&(a, b)| DrawBond { a, b, order: 1 }).collect()
    }

    fn sizes(rings: &[Ring]) -> Vec<usize> {
        let mut sizes: Vec<usize> = rings.iter().map(Vec::len).collect();
        sizes.sort_unstable();
        sizes
    }

    #[test]
    fn naphthalene_has_two_six_rings() {
        let naphthalene =
            bonds(&[(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 0), (4, 6), (6, 7), (7, 8), (8, 9), (9, 5)]);
        assert_eq!(sizes(&smallest_rings(10, &naphthalene)), [6, 6]);
    }

    #[test]
    fn pinane_has_a_four_ring_and_a_six_ring() {
        // Bicyclo[3.1.1]heptane: bridgeheads 0 and 4, bridges 1-2-3, 5 and 6.
        let pinane = bonds(&[(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 0), (4, 6), (6, 0)]);
        assert_eq!(sizes(&smallest_rings(7, &pinane)), [4, 6]);
    }

    #[test]
    fn chains_have_no_rings() {
        assert!(smallest_rings(3, &bonds(&[(0, 1), (1, 2)])).is_empty());
    }
}
