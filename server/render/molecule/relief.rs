//! The stages after placement: overlap relief (branches mirrored and turned
//! across single bonds while that removes crossings or crowding, atoms pushed
//! apart), a redraw from the planar embedding ([`super::embedding`]) when ring
//! templates left a tangle, the clearance pass ([`super::clearance`]), and the
//! flattest orientation of each piece.

use std::f64::consts::PI;

use super::DrawBond;
use super::clearance;
use super::congestion::Congestion;
use super::embedding;
use super::geometry::{Point, distance_to_segment, reads_as_crossing, segments_cross};
use super::graph::Graph;

/// Closest two atoms may ever come, in bond lengths.
const MIN_SEPARATION: f64 = 0.35;

/// Mirrors (then turns) branches across their chain bonds while that reduces crossings and crowding,
/// then pushes apart atoms that still nearly coincide.
pub(super) fn relieve_overlaps(graph: &Graph, piece: &[usize], positions: &mut [Point]) {
    let mut current = Congestion::of(graph, piece, positions);
    let mut moved = vec![false; graph.atom_count()];
    let chain_bonds: Vec<(usize, usize)> = graph
        .bonds
        .iter()
        .filter(|bond| piece.binary_search(&bond.a).is_ok() && !graph.in_ring(bond.a, bond.b))
        .map(|bond| (bond.a, bond.b))
        .collect();
    // Small turns first (they keep the drawing closest to the ideal angles), then any multiple of 30°.
    const TURNS: [f64; 14] = [
        PI / 9.0,
        -PI / 9.0,
        PI / 6.0,
        -PI / 6.0,
        PI / 3.0,
        -PI / 3.0,
        PI / 2.0,
        -PI / 2.0,
        2.0 * PI / 3.0,
        -2.0 * PI / 3.0,
        5.0 * PI / 6.0,
        -5.0 * PI / 6.0,
        PI,
        2.0 * PI / 9.0,
    ];
    for _ in 0..4 {
        if current.crossings == 0 && current.overlap == 0.0 {
            break;
        }
        let mut improved = false;
        for &(a, b) in &chain_bonds {
            let (pivot, side) = match (graph.side_of_bond(b, a), graph.side_of_bond(a, b)) {
                (Some(b_side), Some(a_side)) if b_side.len() <= a_side.len() => (a, b_side),
                (_, Some(a_side)) => (b, a_side),
                (Some(b_side), None) => (a, b_side),
                (None, None) => continue,
            };
            let other = if pivot == a { b } else { a };
            let saved: Vec<Point> = side.iter().map(|&x| positions[x]).collect();
            side.iter().for_each(|&x| moved[x] = true);
            let before = Congestion::across(graph, piece, positions, &moved);
            if before.crossings == 0 && before.overlap == 0.0 {
                // The branch is in nobody's way: moving it cannot help.
                side.iter().for_each(|&x| moved[x] = false);
                continue;
            }
            let origin = positions[pivot];
            let axis = (positions[other] - origin).unit();
            let moves: Vec<Box<dyn Fn(Point) -> Point>> = std::iter::once(Box::new(move |p: Point| {
                let relative = p - origin;
                let along = axis * relative.dot(axis);
                origin + along * 2.0 - relative
            })
                as Box<dyn Fn(Point) -> Point>)
            .chain(TURNS.iter().map(|&turn| {
                Box::new(move |p: Point| origin + (p - origin).rotated(turn)) as Box<dyn Fn(Point) -> Point>
            }))
            .collect();
            for transform in &moves {
                for (&x, &p) in side.iter().zip(&saved) {
                    positions[x] = transform(p);
                }
                let after = Congestion::across(graph, piece, positions, &moved);
                let candidate = current.replacing(before, after);
                if candidate.is_better_than(current) {
                    current = candidate;
                    improved = true;
                    break;
                }
                for (&x, &p) in side.iter().zip(&saved) {
                    positions[x] = p;
                }
            }
            side.iter().for_each(|&x| moved[x] = false);
        }
        if !improved {
            break;
        }
    }
    push_apart(piece, positions);
}

/// Crossing bond pairs, (atom, bond) pairs where the atom comes within [`embedding::CLEARANCE`] of a
/// bond it is not part of, and quaternary ring atoms drawn as a "+": what makes a drawing misleading.
fn tangles(graph: &Graph, piece: &[usize], positions: &[Point]) -> (usize, usize, usize) {
    let bonds: Vec<&DrawBond> =
        graph.bonds.iter().filter(|bond| piece.binary_search(&bond.a).is_ok()).collect();
    let mut crossings = 0;
    for (i, x) in bonds.iter().enumerate() {
        for y in &bonds[i + 1..] {
            let shares_atom = [x.a, x.b].iter().any(|&v| v == y.a || v == y.b);
            if !shares_atom && segments_cross(positions[x.a], positions[x.b], positions[y.a], positions[y.b])
            {
                crossings += 1;
            }
        }
    }
    let intrusions = bonds
        .iter()
        .map(|bond| {
            piece
                .iter()
                .filter(|&&atom| atom != bond.a && atom != bond.b)
                .filter(|&&atom| {
                    distance_to_segment(positions[atom], positions[bond.a], positions[bond.b])
                        < embedding::CLEARANCE
                })
                .count()
        })
        .sum();
    let pluses = piece
        .iter()
        .filter(|&&atom| graph.system_of[atom].is_some() && graph.neighbours[atom].len() == 4)
        .filter(|&&atom| {
            let around: Vec<Point> =
                graph.neighbours[atom].iter().map(|&n| positions[n] - positions[atom]).collect();
            reads_as_crossing(&around)
        })
        .count();
    (crossings, intrusions, pluses)
}

/// Replaces the drawing of a piece with rings by one from its planar embedding ([`embedding`]) when
/// the templates left crossing bonds or atoms on bonds and the embedding's drawing has fewer.
/// Returns the drawing it did not keep, when it made one (the embedding is the costly part of
/// drawing a large cage, so [`clear_atoms_off_bonds`] reuses it rather than drawing it again).
pub(super) fn redraw_if_tangled(
    graph: &Graph,
    piece: &[usize],
    positions: &mut [Point],
) -> Option<Vec<Point>> {
    let has_ring = piece.iter().any(|&atom| graph.system_of[atom].is_some());
    let before = tangles(graph, piece, positions);
    if !has_ring || before == (0, 0, 0) {
        return None;
    }
    let mut redrawn = positions.to_vec();
    for (&atom, point) in piece.iter().zip(embedding::draw(&graph.neighbours, piece)) {
        redrawn[atom] = point;
    }
    if tangles(graph, piece, &redrawn) < before {
        positions.swap_with_slice(&mut redrawn);
    }
    Some(redrawn)
}

/// Repairs atoms left on bonds and "+" centres ([`clearance`]); when some remain and
/// [`redraw_if_tangled`] left an `alternative` drawing (templates or planar embedding, whichever it
/// did not keep), repairs that one too and keeps whichever is left better.
pub(super) fn clear_atoms_off_bonds(
    graph: &Graph,
    piece: &[usize],
    positions: &mut [Point],
    alternative: Option<Vec<Point>>,
) {
    let in_ring: Vec<bool> = graph.system_of.iter().map(Option::is_some).collect();
    let remaining = clearance::clear_atoms_off_bonds(&graph.neighbours, &in_ring, piece, positions);
    let Some(mut other) = alternative else {
        return;
    };
    if remaining.misleading == 0 {
        return;
    }
    if clearance::clear_atoms_off_bonds(&graph.neighbours, &in_ring, piece, &mut other)
        .is_better_than(remaining)
    {
        positions.copy_from_slice(&other);
    }
}

/// Moves atoms closer than [`MIN_SEPARATION`] apart, deterministically, so none share a point.
fn push_apart(piece: &[usize], positions: &mut [Point]) {
    for _ in 0..20 {
        let mut moved = false;
        for (i, &a) in piece.iter().enumerate() {
            for &b in &piece[i + 1..] {
                let difference = positions[b] - positions[a];
                let distance = difference.length();
                if distance >= MIN_SEPARATION {
                    continue;
                }
                let direction =
                    if distance > 1e-6 { difference.unit() } else { Point::from_angle(b as f64 * 2.4) };
                let push = direction * ((MIN_SEPARATION - distance) / 2.0 + 0.01);
                positions[a] = positions[a] - push;
                positions[b] += push;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
}

/// Turns the piece, in steps of 30°, to the orientation with the smallest height (the widest, flattest drawing).
pub(super) fn orient_flattest(piece: &[usize], positions: &mut [Point]) {
    let height = |turn: f64| {
        let (min, max) = bounds(piece.iter().map(|&a| positions[a].rotated(turn)));
        max.y - min.y
    };
    let best = (0..6).map(|k| k as f64 * PI / 6.0).fold((0.0, f64::INFINITY), |best, turn| {
        let h = height(turn);
        if h < best.1 - 1e-6 { (turn, h) } else { best }
    });
    for &atom in piece {
        positions[atom] = positions[atom].rotated(best.0);
    }
}

pub(super) fn bounds(points: impl Iterator<Item = Point>) -> (Point, Point) {
    points.fold(
        (Point::new(f64::INFINITY, f64::INFINITY), Point::new(f64::NEG_INFINITY, f64::NEG_INFINITY)),
        |(min, max), p| {
            (Point::new(min.x.min(p.x), min.y.min(p.y)), Point::new(max.x.max(p.x), max.y.max(p.y)))
        },
    )
}
