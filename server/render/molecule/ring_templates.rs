//! Ring templates: a ring as a regular polygon, further rings fused on a shared
//! edge, joined at a shared atom (spiro), or, when they share a longer path
//! (bridged bicyclics), their remaining atoms drawn as an arc across.

use std::f64::consts::{FRAC_PI_2, PI, TAU};

use super::geometry::{Point, reads_as_crossing, segments_cross};
use super::graph::Graph;

/// How far a bridge stretched straight across a ring bends aside, in bond lengths, so its atom shows.
const BRIDGE_BEND: f64 = 0.3;
/// How much of its bulge a bridge's arc may keep when flattened to stay clear of the ring it spans.
const BRIDGE_FLATTENING: [f64; 4] = [1.0, 0.7, 0.45, 0.2];
/// Lays out `rings` starting with `first` as a regular polygon; also says whether a bridged ring was met.
pub(super) fn place_rings(graph: &Graph, rings: &[usize], first: &[usize]) -> (Vec<(usize, Point)>, bool) {
    let mut positions: Vec<Option<Point>> = vec![None; graph.atom_count()];
    let radius = circumradius(first.len());
    for (i, &atom) in first.iter().enumerate() {
        positions[atom] = Some(Point::from_angle(-FRAC_PI_2 + TAU * i as f64 / first.len() as f64) * radius);
    }
    let mut bridged = false;
    let mut pending: Vec<usize> = rings.to_vec();
    loop {
        pending.retain(|&ring| graph.rings[ring].iter().any(|&a| positions[a].is_none()));
        let placed_count =
            |ring: usize| graph.rings[ring].iter().filter(|&&a| positions[a].is_some()).count();
        // Fused and bridged rings (two or more atoms placed) before spiro ones; the most placed first.
        let Some(next) = pending
            .iter()
            .copied()
            .filter(|&ring| placed_count(ring) > 0)
            .max_by_key(|&ring| (placed_count(ring), std::cmp::Reverse(ring)))
        else {
            break;
        };
        let ring = &graph.rings[next];
        let placed: Vec<usize> = (0..ring.len()).filter(|&i| positions[ring[i]].is_some()).collect();
        match *placed.as_slice() {
            [only] => place_spiro_ring(graph, &mut positions, ring, only),
            [i, j] if (i + 1) % ring.len() == j || (j + 1) % ring.len() == i => {
                place_fused_ring(graph, &mut positions, ring, i, j)
            }
            _ => {
                bridged = true;
                place_bridges(graph, &mut positions, ring);
            }
        }
    }
    // Atoms of the system that no ring reached (never expected) go next to the origin rather than nowhere.
    let mut atoms: Vec<usize> = rings.iter().flat_map(|&r| graph.rings[r].iter().copied()).collect();
    atoms.sort_unstable();
    atoms.dedup();
    (atoms.into_iter().map(|a| (a, positions[a].unwrap_or_default())).collect(), bridged)
}

pub(super) fn circumradius(size: usize) -> f64 {
    1.0 / (2.0 * (PI / size.max(3) as f64).sin())
}

/// Places a regular polygon for `ring` whose atom at `anchor_index` is already placed at `centre + radius * angle`,
/// walking the ring in `step` (±1) index order with the angle growing in `turn` (±1) direction.
fn place_polygon(
    positions: &mut [Option<Point>],
    ring: &[usize],
    centre: Point,
    anchor_index: usize,
    step: isize,
    turn: f64,
) {
    let size = ring.len();
    let radius = circumradius(size);
    let start = (positions[ring[anchor_index]].unwrap_or_default() - centre).angle();
    for j in 1..size {
        let index = (anchor_index as isize + step * j as isize).rem_euclid(size as isize) as usize;
        if positions[ring[index]].is_none() {
            positions[ring[index]] =
                Some(centre + Point::from_angle(start + turn * TAU * j as f64 / size as f64) * radius);
        }
    }
}

/// A ring sharing the edge between its atoms at indices `i` and `j` with the rings placed so far:
/// a regular polygon on the far side of that edge.
fn place_fused_ring(graph: &Graph, positions: &mut [Option<Point>], ring: &[usize], i: usize, j: usize) {
    let (a, b) = (ring[i], ring[j]);
    let (pa, pb) = (positions[a].unwrap_or_default(), positions[b].unwrap_or_default());
    let middle = (pa + pb) * 0.5;
    let normal = (pb - pa).unit().perpendicular();
    let apothem = circumradius(ring.len()) * (PI / ring.len() as f64).cos();
    // The side away from the atoms already bonded to the shared edge.
    let placed_neighbours: Vec<Point> = [a, b]
        .iter()
        .flat_map(|&x| graph.neighbours[x].iter().copied())
        .filter(|&n| n != a && n != b)
        .filter_map(|n| positions[n])
        .collect();
    let pull = placed_neighbours.iter().fold(Point::default(), |sum, &p| sum + (p - middle));
    let side = if normal.dot(pull) > 0.0 { -1.0 } else { 1.0 };
    let centre = middle + normal * (apothem * side);
    let step: isize = if (i + 1) % ring.len() == j { 1 } else { -1 };
    let turn = (pa - centre).cross(pb - centre).signum();
    place_polygon(positions, ring, centre, i, step, turn);
}

/// A ring sharing one atom (index `i`) with the rings placed so far: a polygon pointing away from its bonds.
fn place_spiro_ring(graph: &Graph, positions: &mut [Option<Point>], ring: &[usize], i: usize) {
    let at = positions[ring[i]].unwrap_or_default();
    let pull = graph.neighbours[ring[i]]
        .iter()
        .filter_map(|&n| positions[n])
        .fold(Point::default(), |sum, p| sum + (p - at).unit());
    let away = if pull.length() > 1e-6 { -pull.unit() } else { Point::new(1.0, 0.0) };
    // Pointing straight away, the new ring's bonds continue the old ones through the spiro atom (two
    // triangles make a bowtie, two squares a "+"): turn it by the smallest angle that avoids that.
    let bonds_at = |positions: &[Option<Point>]| -> Vec<Point> {
        graph.neighbours[ring[i]].iter().filter_map(|&n| positions[n]).map(|p| p - at).collect()
    };
    let turns = (0..=20).flat_map(|k| [k as f64 * PI / 90.0, -(k as f64) * PI / 90.0]);
    let mut chosen = None;
    for turn in turns {
        let mut trial = positions.to_vec();
        place_polygon(&mut trial, ring, at + away.rotated(turn) * circumradius(ring.len()), i, 1, 1.0);
        if !reads_as_crossing(&bonds_at(&trial)) {
            chosen = Some(trial);
            break;
        }
    }
    match chosen {
        Some(trial) => positions.copy_from_slice(&trial),
        None => place_polygon(positions, ring, at + away * circumradius(ring.len()), i, 1, 1.0),
    }
}

/// A ring sharing a longer path with the rings placed so far: each run of its unplaced atoms becomes
/// an arc of unit bonds between the placed atoms at its ends, on whichever side crosses fewer bonds
/// and keeps clearer of the placed atoms.
pub(super) fn place_bridges(graph: &Graph, positions: &mut [Option<Point>], ring: &[usize]) {
    let size = ring.len();
    let Some(first_placed) = (0..size).find(|&i| positions[ring[i]].is_some()) else {
        return;
    };
    let mut index = 0;
    while index < size {
        let at = (first_placed + index) % size;
        if positions[ring[at]].is_some() {
            index += 1;
            continue;
        }
        // A run of unplaced atoms from `at`, between the placed atoms before and after it.
        let mut run = Vec::new();
        while positions[ring[(first_placed + index) % size]].is_none() {
            run.push(ring[(first_placed + index) % size]);
            index += 1;
        }
        let start = positions[ring[(at + size - 1) % size]].unwrap_or_default();
        let end = positions[ring[(first_placed + index) % size]].unwrap_or_default();
        // Candidate arcs: either side, bulging fully (unit bonds) or flattened towards the straight line.
        let chord_point = |p: Point| start + (end - start).unit() * (p - start).dot((end - start).unit());
        let sides: Vec<(f64, Vec<Point>)> = [1.0, -1.0]
            .iter()
            .flat_map(|&side| {
                let full = arc(start, end, run.len(), side);
                BRIDGE_FLATTENING.iter().map(move |&keep| {
                    let points = full.iter().map(|&p| chord_point(p) + (p - chord_point(p)) * keep).collect();
                    (keep, points)
                })
            })
            .collect();
        let new_bonds = |points: &[Point]| {
            let mut chain = vec![start];
            chain.extend_from_slice(points);
            chain.push(end);
            chain
        };
        let quality = |(keep, points): &(f64, Vec<Point>)| {
            let chain = new_bonds(points);
            let crossings = chain
                .windows(2)
                .map(|pair| {
                    graph
                        .bonds
                        .iter()
                        .filter(|bond| match (positions[bond.a], positions[bond.b]) {
                            (Some(p), Some(q)) => segments_cross(pair[0], pair[1], p, q),
                            _ => false,
                        })
                        .count()
                })
                .sum::<usize>();
            let clearance = points
                .iter()
                .flat_map(|&point| positions.iter().flatten().map(move |&p| p.distance(point)))
                .fold(f64::INFINITY, f64::min);
            // Flattening distorts bond lengths: worth it only for a clearly clearer drawing.
            let score = clearance.min(0.9) - 0.3 * (1.0 - keep);
            (std::cmp::Reverse(crossings), (score * 1000.0).round() as i64)
        };
        // Each side priced once; the first of the best wins.
        let qualities: Vec<_> = sides.iter().map(quality).collect();
        let best = (0..sides.len()).fold(0, |best, i| if qualities[i] > qualities[best] { i } else { best });
        for (&atom, &point) in run.iter().zip(&sides[best].1) {
            positions[atom] = Some(point);
        }
    }
}

/// `count` points on an arc from `start` to `end` (exclusive) with unit chords, bulging to `side` (±1)
/// of the line from `start` to `end`; a straight line when the ends are too far apart for unit bonds.
fn arc(start: Point, end: Point, count: usize, side: f64) -> Vec<Point> {
    let segments = (count + 1) as f64;
    let chord = start.distance(end);
    let normal = (end - start).unit().perpendicular() * side;
    if chord >= segments - 1e-9 {
        // Too far apart to bend: a straight line, bent a little so its atoms are corners, not mid-line.
        return (1..=count)
            .map(|j| {
                let t = j as f64 / segments;
                start + (end - start) * t + normal * (BRIDGE_BEND * (PI * t).sin())
            })
            .collect();
    }
    if chord < 1e-6 {
        // Both ends in one place: a polygon through it.
        let centre = start + normal * circumradius(count + 1);
        let begin = (start - centre).angle();
        return (1..=count)
            .map(|j| centre + Point::from_angle(begin + TAU * j as f64 / segments) * circumradius(count + 1))
            .collect();
    }
    // Total angle `total` subtended by the arc: chord(total) = sin(total/2) / sin(total/(2 segments)) decreases
    // from `segments` at 0 to 0 at a full turn.
    let chord_for = |total: f64| (total / 2.0).sin() / (total / (2.0 * segments)).sin();
    let (mut low, mut high) = (1e-9, TAU - 1e-9);
    for _ in 0..60 {
        let middle = (low + high) / 2.0;
        if chord_for(middle) > chord { low = middle } else { high = middle }
    }
    let total = (low + high) / 2.0;
    let radius = 1.0 / (2.0 * (total / (2.0 * segments)).sin());
    let middle = (start + end) * 0.5;
    let centre = middle - normal * (radius * (total / 2.0).cos());
    let begin = (start - centre).angle();
    // Turn the way that passes through the bulge.
    let halfway = centre + Point::from_angle(begin + total / 2.0) * radius;
    let turn = if (halfway - middle).dot(normal) > 0.0 { 1.0 } else { -1.0 };
    (1..=count)
        .map(|j| centre + Point::from_angle(begin + turn * total * j as f64 / segments) * radius)
        .collect()
}
