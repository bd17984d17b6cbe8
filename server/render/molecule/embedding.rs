//! Drawings of polycycles and cages from a planar embedding, for the molecules
//! that ring templates cannot draw without crossing bonds.
//!
//! The method is the classic one for planar graphs, as in graph-drawing texts
//! and depiction toolkits' fallbacks for cages:
//!
//! 1. A combinatorial embedding ([`super::planar`]); for a non-planar graph, of
//!    a maximal planar subgraph (bonds added greedily while the graph stays
//!    planar) and, for small pieces, of each planar graph one bond short of
//!    it, the rest drawn as straight lines over it.
//! 2. For each candidate outer face (the longest faces first), Tutte's
//!    barycentric drawing: every face gets a ring of helper vertices inside it
//!    (and a hub at the centre of each inner face), which makes the graph an
//!    internally triangulated disk whose boundary is the outer face's ring;
//!    with that ring pinned on a circle and every other vertex at a weighted
//!    average of its neighbours (one exact linear solve), no two edges cross
//!    (Tutte 1963; Floater 2003 for triangulated disks). Chains, cut atoms and
//!    two-bonded atoms need no special case: the helpers keep them apart.
//! 3. A constrained stress refinement (Kamada-Kawai distances from bond
//!    counts, moved by stress majorization one atom at a time) in which a move
//!    is kept only if it crosses no more bonds, brings no atom nearer a bond it
//!    is not part of than [`CLEARANCE`] (nor nearer than it already was), and
//!    lowers the stress: the drawing relaxes towards unit bonds and open
//!    angles without ever gaining a crossing.
//!
//! Of the Tutte drawings (subgraphs times outer faces), the three with the
//! fewest crossings and atoms on bonds are refined; the drawing with the fewest crossings, then
//! the fewest atoms crowding a bond, then the lowest stress wins.

use std::f64::consts::TAU;

use super::geometry::{Point, distance_to_segment, segments_cross};
use super::planar::{Embedding, embed};
use super::stress;

/// How close (in bond lengths) an atom may come to a bond it is not part of.
pub(super) const CLEARANCE: f64 = 0.35;
/// How close (in bond lengths) two atoms not bonded to each other may come.
const APART: f64 = 0.6;
/// Cosine (about 157°) past which two bonds at a quaternary ring atom count as one straight line.
const PLUS_COSINE: f64 = 0.92;
/// Most outer faces tried, longest first, for each planar subgraph; and most Tutte drawings refined.
const MAX_OUTER_FACES: usize = 3;
/// Largest non-planar piece drawn from every planar subgraph one bond short of it, not only the greedy one.
const MAX_VARIANT_ATOMS: usize = 16;
/// Sweeps of the constrained stress refinement over all atoms.
const REFINE_SWEEPS: usize = 60;
/// Work allowed for the refinement of one drawing, in geometric tests (a segment
/// crossing or an atom-to-bond distance), shared by the outer faces tried. Molecules
/// up to about 20 atoms never reach it; a 64-atom cage stops after a few sweeps
/// instead of running for seconds on the thread that renders a live frame. It counts
/// work, not time, so a drawing stays a pure function of the molecule.
const REFINE_WORK: usize = 6_000_000;

/// Local coordinates of the atoms of one connected piece, in the order of `atoms`.
///
/// `neighbours` lists every atom's neighbours in the whole molecule; only bonds within `atoms` count.
pub(super) fn draw(neighbours: &[Vec<usize>], atoms: &[usize]) -> Vec<Point> {
    let local = |atom: usize| atoms.binary_search(&atom).ok();
    let adjacent: Vec<Vec<usize>> =
        atoms.iter().map(|&a| neighbours[a].iter().filter_map(|&n| local(n)).collect()).collect();
    let edges: Vec<(usize, usize)> = (0..atoms.len())
        .flat_map(|a| adjacent[a].iter().copied().filter(move |&b| b > a).map(move |b| (a, b)))
        .collect();
    let subgraphs = match embed(&adjacent) {
        Some(embedding) => vec![(embedding, adjacent.clone())],
        None => planar_subgraphs(atoms.len(), &adjacent, &edges),
    };
    let shape = Shape::new(adjacent, edges);
    // Tutte drawings for each subgraph's longest faces outside; the fewest crossings go on to refinement.
    let mut drafts: Vec<(usize, Vec<Point>)> = Vec::new();
    for (embedding, planar_adjacent) in &subgraphs {
        let mut faces = embedding.faces();
        let mut order: Vec<usize> = (0..faces.len()).collect();
        order.sort_by_key(|&f| (std::cmp::Reverse(distinct(&faces[f])), f));
        order.truncate(MAX_OUTER_FACES);
        for outer in order {
            faces.swap(0, outer);
            let mut points = tutte(planar_adjacent, &faces);
            faces.swap(0, outer);
            normalise(&mut points, &shape.edges);
            let tangles = if subgraphs.len() > 1 { tangles(&shape, &points) } else { 0 };
            drafts.push((tangles, points));
        }
    }
    drafts.sort_by_key(|(tangles, _)| *tangles);
    drafts.truncate(MAX_OUTER_FACES);
    let work_per_face = REFINE_WORK / drafts.len().max(1);
    let mut best: Option<(Quality, Vec<Point>)> = None;
    for (_, mut points) in drafts {
        refine(&mut points, &shape, work_per_face);
        let quality = Quality::of(&shape, &points);
        if best.as_ref().is_none_or(|(q, _)| quality.is_better_than(q)) {
            best = Some((quality, points));
        }
    }
    best.map_or_else(|| vec![Point::default(); atoms.len()], |(_, points)| points)
}

fn distinct(walk: &[usize]) -> usize {
    let mut vertices = walk.to_vec();
    vertices.sort_unstable();
    vertices.dedup();
    vertices.len()
}

/// An embedding of a maximal planar subgraph (bonds added in order while the graph stays planar) and
/// that subgraph's neighbour lists.
fn maximal_planar_subgraph(count: usize, edges: &[(usize, usize)]) -> (Embedding, Vec<Vec<usize>>) {
    let mut adjacent = vec![Vec::new(); count];
    let mut embedding = Embedding::without_edges(count);
    for &(a, b) in edges {
        adjacent[a].push(b);
        adjacent[b].push(a);
        match embed(&adjacent) {
            Some(bigger) => embedding = bigger,
            None => {
                adjacent[a].pop();
                adjacent[b].pop();
            }
        }
    }
    (embedding, adjacent)
}

/// Crossing bond pairs plus atoms within [`CLEARANCE`] of a bond they are not part of: an atom on a
/// bond is a crossing in hiding, and moving it off shows one.
fn tangles(shape: &Shape, points: &[Point]) -> usize {
    let mut count = 0;
    for (i, &(a, b)) in shape.edges.iter().enumerate() {
        for &(c, d) in &shape.edges[i + 1..] {
            let shares_atom = a == c || a == d || b == c || b == d;
            count += usize::from(!shares_atom && segments_cross(points[a], points[b], points[c], points[d]));
        }
        count += (0..points.len())
            .filter(|&x| x != a && x != b && distance_to_segment(points[x], points[a], points[b]) < CLEARANCE)
            .count();
    }
    count
}

/// Planar subgraphs of a non-planar piece to draw it from: the greedy maximal one, then (for a piece
/// of at most [`MAX_VARIANT_ATOMS`] atoms) each planar graph left by taking out one bond. Which bonds
/// are left out decides how many crossings the drawing has, and the greedy choice is often not the best.
fn planar_subgraphs(
    count: usize,
    adjacent: &[Vec<usize>],
    edges: &[(usize, usize)],
) -> Vec<(Embedding, Vec<Vec<usize>>)> {
    let mut found = vec![maximal_planar_subgraph(count, edges)];
    if count > MAX_VARIANT_ATOMS {
        return found;
    }
    let sorted = |lists: &[Vec<usize>]| -> Vec<Vec<usize>> {
        lists
            .iter()
            .map(|list| {
                let mut list = list.clone();
                list.sort_unstable();
                list
            })
            .collect()
    };
    let mut seen = vec![sorted(&found[0].1)];
    for &(a, b) in edges {
        let without: Vec<Vec<usize>> = (0..count)
            .map(|v| adjacent[v].iter().copied().filter(|&n| (v, n) != (a, b) && (v, n) != (b, a)).collect())
            .collect();
        if seen.contains(&sorted(&without)) {
            continue;
        }
        if let Some(embedding) = embed(&without) {
            seen.push(sorted(&without));
            found.push((embedding, without));
        }
    }
    found
}

/// Tutte's barycentric drawing of the embedded graph with `faces[0]` outside (see the module doc).
fn tutte(adjacent: &[Vec<usize>], faces: &[Vec<usize>]) -> Vec<Point> {
    let real = adjacent.len();
    let mut links: Vec<Vec<(usize, f64)>> =
        adjacent.iter().map(|n| n.iter().map(|&b| (b, 1.0)).collect()).collect();
    let link = |links: &mut Vec<Vec<(usize, f64)>>, a: usize, b: usize, weight: f64| {
        links[a].push((b, weight));
        links[b].push((a, weight));
    };
    let mut pinned: Vec<(usize, Point)> = Vec::new();
    for (index, walk) in faces.iter().enumerate() {
        let length = walk.len();
        let ring = links.len();
        links.extend((0..length).map(|_| Vec::new()));
        for i in 0..length {
            link(&mut links, ring + i, ring + (i + 1) % length, 1.0);
            link(&mut links, ring + i, walk[i], 1.0);
            link(&mut links, ring + i, walk[(i + 1) % length], 1.0);
        }
        if index == 0 {
            for i in 0..length {
                // Corners in the walk's order around a circle: a convex boundary, as Tutte's theorem asks.
                pinned.push((ring + i, Point::from_angle(-TAU * (i as f64 + 0.5) / length as f64) * 4.0));
            }
        } else {
            let hub = links.len();
            links.push(Vec::new());
            for i in 0..length {
                link(&mut links, hub, ring + i, 1.0);
            }
        }
    }
    let total = links.len();
    let mut fixed: Vec<Option<Point>> = vec![None; total];
    pinned.iter().for_each(|&(v, p)| fixed[v] = Some(p));
    let free: Vec<usize> = (0..total).filter(|&v| fixed[v].is_none()).collect();
    let mut column = vec![usize::MAX; total];
    free.iter().enumerate().for_each(|(i, &v)| column[v] = i);
    // Each free vertex: (sum of weights) x_v - sum over free neighbours w x_u = sum over pinned neighbours w p_u.
    let n = free.len();
    let mut matrix = vec![vec![0.0; n + 2]; n];
    for (row, &v) in free.iter().enumerate() {
        for &(u, weight) in &links[v] {
            matrix[row][row] += weight;
            match fixed[u] {
                Some(p) => {
                    matrix[row][n] += weight * p.x;
                    matrix[row][n + 1] += weight * p.y;
                }
                None => matrix[row][column[u]] -= weight,
            }
        }
    }
    let solution = solve(matrix);
    (0..real).map(|v| solution.get(column[v]).copied().unwrap_or_default()).collect()
}

/// Solves the square system whose last two columns are the right-hand sides (x and y), by Gaussian
/// elimination with partial pivoting; a Laplacian with pinned vertices is never singular.
fn solve(mut matrix: Vec<Vec<f64>>) -> Vec<Point> {
    let n = matrix.len();
    for pivot in 0..n {
        let best = (pivot..n).max_by(|&a, &b| matrix[a][pivot].abs().total_cmp(&matrix[b][pivot].abs()));
        matrix.swap(pivot, best.unwrap_or(pivot));
        let head = matrix[pivot][pivot];
        if head.abs() < 1e-12 {
            continue;
        }
        for row in pivot + 1..n {
            let factor = matrix[row][pivot] / head;
            if factor != 0.0 {
                let (upper, lower) = matrix.split_at_mut(row);
                for (target, source) in lower[0][pivot..n + 2].iter_mut().zip(&upper[pivot][pivot..n + 2]) {
                    *target -= factor * source;
                }
            }
        }
    }
    let mut solution = vec![Point::default(); n];
    for row in (0..n).rev() {
        let (mut x, mut y) = (matrix[row][n], matrix[row][n + 1]);
        for col in row + 1..n {
            x -= matrix[row][col] * solution[col].x;
            y -= matrix[row][col] * solution[col].y;
        }
        let head = matrix[row][row];
        solution[row] = if head.abs() < 1e-12 { Point::default() } else { Point::new(x / head, y / head) };
    }
    solution
}

/// Scales the drawing so that its bonds average one bond length.
fn normalise(points: &mut [Point], edges: &[(usize, usize)]) {
    let total: f64 = edges.iter().map(|&(a, b)| points[a].distance(points[b])).sum();
    if total > 1e-12 && !edges.is_empty() {
        let scale = edges.len() as f64 / total;
        points.iter_mut().for_each(|p| *p = *p * scale);
    }
}

/// The distance a drawing aims at between atoms `hops` bonds apart: one bond, then a zig-zag's spans.
fn ideal(hops: usize) -> f64 {
    match hops {
        0 => 0.0,
        1 => 1.0,
        h => 1.7 + 0.8 * (h as f64 - 2.0),
    }
}

/// What changes when atom `atom` moves: crossings of its bonds, how far it and its bonds intrude on
/// other atoms and bonds, and its stress.
#[derive(Clone, Copy, Debug)]
struct Local {
    crossings: usize,
    intrusion: f64,
    stress: f64,
}

fn local(shape: &Shape, points: &[Point], atom: usize) -> Local {
    let (edges, hops) = (&shape.edges[..], &shape.hops[..]);
    let p = points[atom];
    let mut crossings = 0;
    let mut intrusion = 0.0;
    for &(a, b) in edges {
        let incident = a == atom || b == atom;
        if incident {
            let other = if a == atom { b } else { a };
            for &(c, d) in edges {
                if c != atom && d != atom && c != other && d != other {
                    crossings += usize::from(segments_cross(p, points[other], points[c], points[d]));
                }
            }
            for (x, &q) in points.iter().enumerate() {
                if x != a && x != b {
                    intrusion += (CLEARANCE - distance_to_segment(q, points[a], points[b])).max(0.0);
                }
            }
        } else {
            intrusion += (CLEARANCE - distance_to_segment(p, points[a], points[b])).max(0.0);
        }
    }
    let mut stress = 0.0;
    for (other, &q) in points.iter().enumerate() {
        let h = hops[atom][other];
        if other == atom || h == usize::MAX {
            continue;
        }
        let distance = p.distance(q);
        if h > 1 {
            intrusion += (APART - distance).max(0.0);
        }
        let target = ideal(h);
        stress += (distance - target).powi(2) / (target * target);
    }
    // A quaternary ring atom whose bonds make two straight lines reads as a crossing: push it open.
    for &centre in std::iter::once(&atom).chain(&shape.adjacent[atom]) {
        if shape.quaternary_in_ring[centre] {
            let around: Vec<Point> =
                shape.adjacent[centre].iter().map(|&n| (points[n] - points[centre]).unit()).collect();
            let excess = |x: usize, y: usize| (-around[x].dot(around[y]) - PLUS_COSINE).max(0.0);
            intrusion += [((0, 1), (2, 3)), ((0, 2), (1, 3)), ((0, 3), (1, 2))]
                .iter()
                .map(|&((a, b), (c, d))| excess(a, b).min(excess(c, d)))
                .sum::<f64>();
        }
    }
    Local { crossings, intrusion, stress }
}

/// The graph a drawing is refined on: its bonds, neighbour lists, bond counts between atoms, and
/// which atoms have four bonds and lie on a ring (those must not read as a "+").
struct Shape {
    edges: Vec<(usize, usize)>,
    adjacent: Vec<Vec<usize>>,
    hops: Vec<Vec<usize>>,
    quaternary_in_ring: Vec<bool>,
}

impl Shape {
    fn new(adjacent: Vec<Vec<usize>>, edges: Vec<(usize, usize)>) -> Shape {
        let hops = stress::hop_counts(&adjacent);
        // An atom lies on a ring when one of its bonds is on a cycle: its ends stay joined without it.
        let on_cycle = |a: usize, b: usize| {
            let mut seen = vec![false; adjacent.len()];
            seen[a] = true;
            let mut stack = vec![a];
            while let Some(v) = stack.pop() {
                for &n in &adjacent[v] {
                    if (v, n) != (a, b) && !seen[n] {
                        seen[n] = true;
                        stack.push(n);
                    }
                }
            }
            seen[b]
        };
        let quaternary_in_ring = (0..adjacent.len())
            .map(|a| adjacent[a].len() == 4 && adjacent[a].iter().any(|&b| on_cycle(a, b)))
            .collect();
        Shape { edges, adjacent, hops, quaternary_in_ring }
    }
}

/// Moves atoms one at a time towards their stress-majorization targets (then, for atoms crowding a
/// bond, straight away from it), keeping only moves that cross no more bonds, crowd no more and
/// lower the stress (see the module doc), within `work` geometric tests.
fn refine(points: &mut [Point], shape: &Shape, work: usize) {
    const ESCAPES: usize = 8;
    let mut spent = 0;
    for _ in 0..REFINE_SWEEPS {
        let mut moved = 0.0;
        for atom in 0..points.len() {
            // What one `local` of this atom costs, and the most this atom's turn can take.
            let cost = (shape.adjacent[atom].len() + 1) * (shape.edges.len() + points.len());
            spent += cost * (6 + ESCAPES);
            if spent > work {
                return;
            }
            let before = local(shape, points, atom);
            let start = points[atom];
            let target = stress::majorization_target(points, &shape.hops, atom, ideal);
            let mut candidates: Vec<Point> =
                [1.0, 0.5, 0.25, 0.1].iter().map(|&s| start + (target - start) * s).collect();
            if before.intrusion > 1e-9 {
                let step = 0.2;
                candidates.extend(
                    (0..ESCAPES).map(|k| start + Point::from_angle(TAU * k as f64 / ESCAPES as f64) * step),
                );
            }
            for candidate in candidates {
                points[atom] = candidate;
                let after = local(shape, points, atom);
                let keeps = after.crossings < before.crossings
                    || (after.crossings == before.crossings
                        && (after.intrusion < before.intrusion - 1e-9
                            || (after.intrusion <= before.intrusion + 1e-12
                                && after.stress < before.stress - 1e-9)));
                if keeps {
                    moved += candidate.distance(start);
                    break;
                }
                points[atom] = start;
            }
        }
        if moved < 1e-4 {
            break;
        }
    }
}

/// How good a drawing is: crossings, then atom-bond intrusions, then stress; lower is better.
#[derive(Clone, Copy, Debug)]
struct Quality {
    crossings: usize,
    intrusion: f64,
    stress: f64,
}

impl Quality {
    fn of(shape: &Shape, points: &[Point]) -> Quality {
        let (mut crossings, mut intrusion, mut stress) = (0, 0.0, 0.0);
        for atom in 0..points.len() {
            let part = local(shape, points, atom);
            crossings += part.crossings;
            intrusion += part.intrusion;
            stress += part.stress;
        }
        Quality { crossings, intrusion, stress }
    }

    fn is_better_than(&self, other: &Quality) -> bool {
        (self.crossings, self.intrusion > 1e-9) < (other.crossings, other.intrusion > 1e-9)
            || ((self.crossings, self.intrusion > 1e-9) == (other.crossings, other.intrusion > 1e-9)
                && self.intrusion + self.stress < other.intrusion + other.stress - 1e-9)
    }
}
