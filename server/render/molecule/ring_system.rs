//! One ring system (rings sharing atoms) laid out on its own, in local coordinates.
//!
//! Candidates are drawn from ring templates ([`super::ring_templates`]) starting at
//! the most fused ring, at each longest cycle and at each ring; when those cross or
//! crowd, also as a Tutte (barycentric) embedding inside each longest cycle, and
//! each candidate spread by a stress pass ([`super::stress`]). The best by
//! [`system_quality`] is kept.

use std::collections::VecDeque;
use std::f64::consts::{FRAC_PI_2, TAU};

use super::congestion::Congestion;
use super::geometry::Point;
use super::graph::Graph;
use super::ring_templates::{circumradius, place_bridges, place_rings};
use super::stress;

/// Upper bound on the search for a ring system's longest cycle (steps of a depth-first search).
const CYCLE_SEARCH_BUDGET: usize = 20_000;
/// Most longest cycles tried as the starting polygon of a bridged ring system.
const MAX_START_CYCLES: usize = 6;
/// Gauss-Seidel sweeps of a Tutte embedding (ring systems have a few dozen atoms at most).
const TUTTE_SWEEPS: usize = 200;
/// Sweeps of the stress majorization that spreads a crowded ring system.
const STRESS_SWEEPS: usize = 60;
/// Cosine of the angle (about 165°) beyond which two bonds at an atom look like one straight bond.
const STRAIGHT_COSINE: f64 = 0.966;

/// Local coordinates of every atom of a ring system, in ascending atom order.
///
/// Fused and spiro systems are laid out from their most fused ring. When that drawing has crossing
/// bonds, crowded atoms or substituents pointing into the system (bridged bicyclics, cages), the
/// system is also laid out from each of its longest cycles and each of its rings, and as a Tutte
/// (barycentric) embedding inside each of those cycles; the best drawing is kept (see
/// [`system_quality`]). For camphene that is the hexagon with the one-carbon bridge across it, for
/// pinene the hexagon whose bridge is the unsubstituted carbon (the gem-dimethyl carbon keeps room
/// for its methyls outside), for prismane-like cages a polygon inside a polygon.
pub(super) fn ring_system_layout(graph: &Graph, system: usize) -> Vec<(usize, Point)> {
    let rings = &graph.systems[system];
    let shared = |ring: usize| {
        rings
            .iter()
            .filter(|&&other| {
                other != ring && graph.rings[other].iter().any(|a| graph.rings[ring].contains(a))
            })
            .count()
    };
    let mut starts: Vec<usize> = rings.clone();
    starts.sort_by_key(|&ring| (std::cmp::Reverse((shared(ring), graph.rings[ring].len())), ring));
    let atoms = graph.system_atoms(system);
    let (first, _) = place_rings(graph, rings, &graph.rings[starts[0]]);
    let first_quality = system_quality(graph, &atoms, &first);
    if first_quality == PERFECT_SYSTEM {
        return first;
    }
    let mut cycles = longest_cycles(graph, &atoms);
    cycles.extend(starts.iter().map(|&ring| graph.rings[ring].clone()));
    let templates = cycles.iter().map(|start| place_rings(graph, rings, start).0);
    let embeddings = cycles.iter().flat_map(|outer| tutte_embedding(graph, &atoms, outer));
    let mut best = (first_quality, first);
    for placement in templates.chain(embeddings) {
        let quality = system_quality(graph, &atoms, &placement);
        if quality > best.0 {
            best = (quality, placement);
        }
    }
    if best.0 != PERFECT_SYSTEM {
        // Cages drawn inside a polygon crowd their inner atoms: spread them, if that crosses nothing new.
        let spread = spread_by_stress(graph, &atoms, &best.1);
        let quality = system_quality(graph, &atoms, &spread);
        if quality > best.0 {
            best = (quality, spread);
        }
    }
    best.1
}

/// The placement moved towards distances that grow with the number of bonds between atoms (stress
/// majorization, Gansner, Koren and North 2004), which evens out a crowded drawing of a ring system.
fn spread_by_stress(graph: &Graph, atoms: &[usize], placement: &[(usize, Point)]) -> Vec<(usize, Point)> {
    let count = atoms.len();
    // The system's own bonds, by position in `atoms`.
    let adjacent: Vec<Vec<usize>> = atoms
        .iter()
        .map(|&atom| graph.neighbours[atom].iter().filter_map(|n| atoms.binary_search(n).ok()).collect())
        .collect();
    let hops = stress::hop_counts(&adjacent);
    let ideal = |hops: usize| match hops {
        1 => 1.0,
        h => 1.6 + 0.5 * (h.min(count) as f64 - 2.0),
    };
    let mut points: Vec<Point> = placement.iter().map(|&(_, p)| p).collect();
    for _ in 0..STRESS_SWEEPS {
        for i in 0..count {
            points[i] = stress::majorization_target(&points, &hops, i, ideal);
        }
    }
    atoms.iter().copied().zip(points).collect()
}

/// The Tutte embedding of a ring system: the `outer` cycle as a regular polygon, every other atom at
/// the average of its neighbours. For a planar system whose outer cycle bounds a face this draws no
/// crossing bonds (Tutte's theorem); bonds are then scaled to an average length of one. Returned as
/// is, and with its chains of two-bonded atoms bent into arcs (see below): the caller keeps the better.
fn tutte_embedding(graph: &Graph, atoms: &[usize], outer: &[usize]) -> [Vec<(usize, Point)>; 2] {
    let mut positions = vec![Point::default(); graph.atom_count()];
    let mut fixed = vec![false; graph.atom_count()];
    let radius = circumradius(outer.len());
    for (i, &atom) in outer.iter().enumerate() {
        positions[atom] = Point::from_angle(-FRAC_PI_2 + TAU * i as f64 / outer.len() as f64) * radius;
        fixed[atom] = true;
    }
    let inner: Vec<usize> = atoms.iter().copied().filter(|&a| !fixed[a]).collect();
    let system_neighbours =
        |atom: usize| graph.neighbours[atom].iter().copied().filter(|n| atoms.binary_search(n).is_ok());
    for _ in 0..TUTTE_SWEEPS {
        for &atom in &inner {
            let (sum, count) = system_neighbours(atom)
                .fold((Point::default(), 0.0), |(sum, count), n| (sum + positions[n], count + 1.0));
            if count > 0.0 {
                positions[atom] = sum * (1.0 / count);
            }
        }
    }
    let (total, bonds) = atoms
        .iter()
        .flat_map(|&a| system_neighbours(a).filter(move |&b| b > a).map(move |b| (a, b)))
        .fold((0.0, 0.0), |(total, count), (a, b)| {
            (total + positions[a].distance(positions[b]), count + 1.0)
        });
    let scale = if total > 1e-9 { bonds / total } else { 1.0 };
    // Barycentres put a chain of two-bonded atoms on one straight line, where it reads as a single bond:
    // redraw each such chain as an arc of unit bonds between its ends, like a bridge.
    let mut placed: Vec<Option<Point>> = vec![None; graph.atom_count()];
    atoms.iter().for_each(|&a| placed[a] = Some(positions[a] * scale));
    let in_chain = |atom: usize| !fixed[atom] && system_neighbours(atom).count() == 2;
    let mut chains: Vec<Vec<usize>> = Vec::new();
    let mut seen = vec![false; graph.atom_count()];
    for &atom in atoms.iter().filter(|&&a| in_chain(a)) {
        if seen[atom] {
            continue;
        }
        // Walk both ways to the chain's ends.
        let mut chain = VecDeque::from([atom]);
        seen[atom] = true;
        for direction in 0..2 {
            let mut previous = atom;
            let mut current = system_neighbours(atom).nth(direction).unwrap_or(atom);
            loop {
                if direction == 0 {
                    chain.push_front(current)
                } else {
                    chain.push_back(current)
                }
                if !in_chain(current) || seen[current] {
                    break;
                }
                seen[current] = true;
                let next = system_neighbours(current).find(|&n| n != previous).unwrap_or(previous);
                (previous, current) = (current, next);
            }
        }
        chains.push(chain.into_iter().collect());
    }
    for chain in &chains {
        chain[1..chain.len() - 1].iter().for_each(|&a| placed[a] = None);
    }
    for chain in &chains {
        place_bridges(graph, &mut placed, chain);
    }
    let straight = atoms.iter().map(|&a| (a, positions[a] * scale)).collect();
    let bent = atoms.iter().map(|&a| (a, placed[a].unwrap_or(positions[a] * scale))).collect();
    [straight, bent]
}

/// The longest simple cycles through the given atoms (a bounded depth-first search), each in ring
/// order, at most [`MAX_START_CYCLES`] of them.
fn longest_cycles(graph: &Graph, atoms: &[usize]) -> Vec<Vec<usize>> {
    let mut inside = vec![false; graph.atom_count()];
    atoms.iter().for_each(|&a| inside[a] = true);
    let mut found: Vec<Vec<usize>> = Vec::new();
    let mut budget = CYCLE_SEARCH_BUDGET;
    for &start in atoms {
        let mut path = vec![start];
        let mut on_path = vec![false; graph.atom_count()];
        on_path[start] = true;
        extend_cycle(graph, &inside, start, &mut path, &mut on_path, &mut found, &mut budget);
        if budget == 0 {
            break;
        }
    }
    found
}

fn extend_cycle(
    graph: &Graph,
    inside: &[bool],
    start: usize,
    path: &mut Vec<usize>,
    on_path: &mut [bool],
    found: &mut Vec<Vec<usize>>,
    budget: &mut usize,
) {
    if *budget == 0 {
        return;
    }
    *budget -= 1;
    let last = *path.last().unwrap_or(&start);
    for &next in &graph.neighbours[last] {
        if next == start && path.len() >= 3 {
            let longest = found.first().map_or(0, Vec::len);
            let mut atoms = path.clone();
            atoms.sort_unstable();
            if path.len() > longest {
                found.clear();
            }
            let known = found.iter().any(|cycle| cycle.iter().all(|a| atoms.binary_search(a).is_ok()));
            if path.len() >= longest && found.len() < MAX_START_CYCLES && !known {
                found.push(path.clone());
            }
        }
        // Only atoms above the start, so each cycle is found from its lowest atom.
        if inside[next] && !on_path[next] && next > start {
            on_path[next] = true;
            path.push(next);
            extend_cycle(graph, inside, start, path, on_path, found, budget);
            path.pop();
            on_path[next] = false;
        }
    }
}

/// How good a ring system's drawing is, best greatest: fewer crossing bonds, then fewer atoms whose
/// substituents would point into the system, then fewer atoms hidden in a straight line (two bonds
/// reading as one), then atoms (bonded or not) at least a comfortable distance apart.
type SystemQuality = (std::cmp::Reverse<usize>, std::cmp::Reverse<usize>, std::cmp::Reverse<usize>, i64);

/// No crossings, no hidden atoms, no blocked substituents, every pair of atoms comfortably apart.
const PERFECT_SYSTEM: SystemQuality =
    (std::cmp::Reverse(0), std::cmp::Reverse(0), std::cmp::Reverse(0), COMFORTABLE_MILLIS);
/// Distance between non-bonded atoms beyond which a drawing gains nothing, in thousandths of a bond.
const COMFORTABLE_MILLIS: i64 = 700;

fn system_quality(graph: &Graph, atoms: &[usize], placement: &[(usize, Point)]) -> SystemQuality {
    let mut positions = vec![Point::default(); graph.atom_count()];
    placement.iter().for_each(|&(a, p)| positions[a] = p);
    let congestion = Congestion::of(graph, atoms, &positions);
    let blocked_substituents = atoms
        .iter()
        .filter(|&&atom| graph.neighbours[atom].iter().any(|n| atoms.binary_search(n).is_err()))
        .filter(|&&atom| {
            let inward = graph.neighbours[atom]
                .iter()
                .filter(|n| atoms.binary_search(n).is_ok())
                .fold(Point::default(), |sum, &n| sum + (positions[n] - positions[atom]).unit());
            let room = positions[atom] - inward.unit();
            atoms.iter().any(|&other| other != atom && positions[other].distance(room) < 0.7)
        })
        .count();
    // Bonded atoms count too: a bond squeezed short is as hard to read as two atoms close together.
    let mut closest = f64::INFINITY;
    for (i, &a) in atoms.iter().enumerate() {
        for &b in &atoms[i + 1..] {
            closest = closest.min(positions[a].distance(positions[b]));
        }
    }
    let comfortable = ((closest * 1000.0).round() as i64).min(COMFORTABLE_MILLIS);
    // A ring atom between two bonds in one straight line is invisible: that bond reads as one.
    let hidden_atoms = atoms
        .iter()
        .filter(|&&atom| {
            let ring_bonds: Vec<Point> = graph.neighbours[atom]
                .iter()
                .filter(|n| atoms.binary_search(n).is_ok())
                .map(|&n| (positions[n] - positions[atom]).unit())
                .collect();
            ring_bonds.len() == 2 && ring_bonds[0].dot(ring_bonds[1]) < -STRAIGHT_COSINE
        })
        .count();
    (
        std::cmp::Reverse(congestion.crossings),
        std::cmp::Reverse(blocked_substituents),
        std::cmp::Reverse(hidden_atoms),
        comfortable,
    )
}
