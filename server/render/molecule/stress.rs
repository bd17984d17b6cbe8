//! Stress majorization (Gansner, Koren and North 2004), the one stress pass both
//! layouts use: atoms move towards distances that grow with the number of bonds
//! between them. The ring-system stage spreads a crowded system with whole sweeps
//! of it; the planar-embedding stage ([`super::embedding`]) moves one atom at a
//! time and keeps a move only when it adds no crossing. Each brings its own ideal
//! distance for a number of bonds.

use std::collections::VecDeque;

use super::geometry::Point;

/// Bonds between every pair of atoms (breadth-first), `usize::MAX` between separate pieces.
pub(super) fn hop_counts(adjacent: &[Vec<usize>]) -> Vec<Vec<usize>> {
    (0..adjacent.len())
        .map(|start| {
            let mut hops = vec![usize::MAX; adjacent.len()];
            hops[start] = 0;
            let mut queue = VecDeque::from([start]);
            while let Some(at) = queue.pop_front() {
                for &next in &adjacent[at] {
                    if hops[next] == usize::MAX {
                        hops[next] = hops[at] + 1;
                        queue.push_back(next);
                    }
                }
            }
            hops
        })
        .collect()
}

/// Where stress majorization would put `atom` with the other atoms held still, aiming at
/// `ideal(h)` between atoms `h` bonds apart (pairs in separate pieces are ignored).
pub(super) fn majorization_target(
    points: &[Point],
    hops: &[Vec<usize>],
    atom: usize,
    ideal: impl Fn(usize) -> f64,
) -> Point {
    let (mut sum, mut weights) = (Point::default(), 0.0);
    for (other, &q) in points.iter().enumerate() {
        let h = hops[atom][other];
        if other == atom || h == usize::MAX {
            continue;
        }
        let target = ideal(h);
        let weight = 1.0 / (target * target);
        let difference = points[atom] - q;
        let distance = difference.length().max(1e-6);
        sum += (q + difference * (target / distance)) * weight;
        weights += weight;
    }
    if weights > 0.0 { sum * (1.0 / weights) } else { points[atom] }
}
