//! 2D coordinates for a molecule's skeletal formula, in units of one bond length.
//!
//! The approach is the one structure-diagram generators such as CDK's use,
//! cut down to what small molecules need:
//!
//! 1. Ring systems (rings sharing atoms) are laid out on their own first:
//!    the first ring as a regular polygon, each further ring fused on a shared
//!    edge, joined at a shared atom (spiro), or, when it shares a longer path
//!    (bridged bicyclics such as pinene or camphene), its remaining atoms
//!    drawn as an arc across. When that drawing crosses or crowds, the system
//!    is also laid out from each longest cycle and each ring, as a Tutte
//!    (barycentric) embedding inside each of them, and spread by stress
//!    majorization; the best drawing wins (cages such as adamantane or cubane
//!    come out as polygons inside polygons, without crossings).
//! 2. From a starting ring system, or from one end of the longest chain, atoms
//!    are placed breadth-first: a chain continues as a 120° zig-zag (the
//!    heaviest branch straight on), an sp atom (a triple bond or two double
//!    bonds) continues in a straight line, and substituents spread evenly in
//!    the widest gap between the bonds already drawn. A ring system met on the
//!    way is placed whole, pointing away from the atom it hangs on.
//! 3. An overlap-relief pass mirrors branches across their single bonds (and
//!    then turns them a little) while that removes crossings or crowding;
//!    atoms still on top of each other are pushed apart, so no two atoms ever
//!    share a point and no coordinate is NaN.
//! 4. A last pass ([`clearance`]) nudges atoms off bonds they are not part of
//!    and opens quaternary ring atoms drawn as a "+", without ever adding a
//!    crossing to a planar drawing (a non-planar cage may show an honest
//!    crossing instead of a bond through an atom).
//! 5. Each connected piece is turned, in steps of 30°, to its flattest
//!    orientation, and the pieces are set side by side.

use std::collections::VecDeque;
use std::f64::consts::{FRAC_PI_2, PI, TAU};

use super::DrawBond;
use super::clearance;
use super::embedding;
use super::geometry::{Point, distance_to_segment, reads_as_crossing, segments_cross};
use super::rings::{Ring, neighbour_lists, ring_has_bond, smallest_rings};

/// Atom positions and the rings found on the way.
pub(super) struct Layout {
    pub positions: Vec<Point>,
    pub rings: Vec<Ring>,
}

/// Closest two atoms may come before the relief pass treats them as crowded, in bond lengths.
const CROWDED: f64 = 0.9;
/// Cosine of the angle (about 165°) beyond which two bonds at an atom look like one straight bond.
const STRAIGHT_COSINE: f64 = 0.966;
/// Closer than this to a bond (in bond lengths), an atom seems to sit on it.
const ON_BOND: f64 = 0.2;
/// Closest two atoms may ever come, in bond lengths.
const MIN_SEPARATION: f64 = 0.35;
/// Gap between the connected pieces of a disconnected molecule, in bond lengths.
const PIECE_GAP: f64 = 1.5;
/// Upper bound on the search for a ring system's longest cycle (steps of a depth-first search).
const CYCLE_SEARCH_BUDGET: usize = 20_000;
/// Most longest cycles tried as the starting polygon of a bridged ring system.
const MAX_START_CYCLES: usize = 6;
/// Gauss-Seidel sweeps of a Tutte embedding (ring systems have a few dozen atoms at most).
const TUTTE_SWEEPS: usize = 200;
/// Sweeps of the stress majorization that spreads a crowded ring system.
const STRESS_SWEEPS: usize = 60;
/// How far a bridge stretched straight across a ring bends aside, in bond lengths, so its atom shows.
const BRIDGE_BEND: f64 = 0.3;
/// How much of its bulge a bridge's arc may keep when flattened to stay clear of the ring it spans.
const BRIDGE_FLATTENING: [f64; 4] = [1.0, 0.7, 0.45, 0.2];

/// Lays out the molecule with `atom_count` atoms and `bonds` (valid: both ends exist, distinct, each pair once).
pub(super) fn layout(atom_count: usize, bonds: &[DrawBond]) -> Layout {
    let rings = smallest_rings(atom_count, bonds);
    let graph = Graph::new(atom_count, bonds, &rings);
    let mut positions = vec![Point::default(); atom_count];
    let mut right_edge = 0.0;
    for (index, piece) in graph.components().iter().enumerate() {
        let mut placer = Placer::new(&graph);
        placer.place_piece(piece);
        let mut piece_positions: Vec<Point> =
            placer.positions.iter().map(|p| p.unwrap_or_default()).collect();
        relieve_overlaps(&graph, piece, &mut piece_positions);
        let alternative = redraw_if_tangled(&graph, piece, &mut piece_positions);
        clear_atoms_off_bonds(&graph, piece, &mut piece_positions, alternative);
        orient_flattest(piece, &mut piece_positions);
        let (min, max) = bounds(piece.iter().map(|&atom| piece_positions[atom]));
        let shift = Point::new(
            if index == 0 { -min.x } else { right_edge + PIECE_GAP - min.x },
            -(min.y + max.y) / 2.0,
        );
        for &atom in piece {
            positions[atom] = piece_positions[atom] + shift;
        }
        right_edge = max.x + shift.x;
    }
    Layout { positions, rings }
}

/// The molecule as a graph, with its rings grouped into ring systems.
struct Graph<'a> {
    bonds: &'a [DrawBond],
    rings: &'a [Ring],
    neighbours: Vec<Vec<usize>>,
    /// The ring systems: each a list of ring indices.
    systems: Vec<Vec<usize>>,
    /// The ring system each atom belongs to, if any.
    system_of: Vec<Option<usize>>,
}

impl<'a> Graph<'a> {
    fn new(atom_count: usize, bonds: &'a [DrawBond], rings: &'a [Ring]) -> Graph<'a> {
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

    fn atom_count(&self) -> usize {
        self.neighbours.len()
    }

    fn bond_order(&self, a: usize, b: usize) -> u8 {
        self.bonds
            .iter()
            .find(|bond| (bond.a, bond.b) == (a, b) || (bond.a, bond.b) == (b, a))
            .map_or(1, |bond| bond.order)
    }

    /// Whether `atom` is linear: a triple bond, or two double bonds (an allene's centre).
    fn is_linear(&self, atom: usize) -> bool {
        let orders = self.neighbours[atom].iter().map(|&n| self.bond_order(atom, n));
        let (triples, doubles) =
            orders.fold((0, 0), |(t, d), order| (t + (order == 3) as u8, d + (order == 2) as u8));
        self.neighbours[atom].len() == 2 && (triples > 0 || doubles == 2)
    }

    fn in_ring(&self, a: usize, b: usize) -> bool {
        self.rings.iter().any(|ring| ring_has_bond(ring, a, b))
    }

    /// The atoms of a ring system, ascending.
    fn system_atoms(&self, system: usize) -> Vec<usize> {
        let mut atoms: Vec<usize> =
            self.systems[system].iter().flat_map(|&ring| self.rings[ring].iter().copied()).collect();
        atoms.sort_unstable();
        atoms.dedup();
        atoms
    }

    /// The connected pieces, each a list of atoms in ascending order.
    fn components(&self) -> Vec<Vec<usize>> {
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
    fn side_of_bond(&self, start: usize, blocked: usize) -> Option<Vec<usize>> {
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

/// Places the atoms of one connected piece.
struct Placer<'g, 'a> {
    graph: &'g Graph<'a>,
    positions: Vec<Option<Point>>,
    queue: VecDeque<usize>,
}

impl<'g, 'a> Placer<'g, 'a> {
    fn new(graph: &'g Graph<'a>) -> Self {
        Placer { graph, positions: vec![None; graph.atom_count()], queue: VecDeque::new() }
    }

    fn place_piece(&mut self, piece: &[usize]) {
        let largest_system = piece
            .iter()
            .filter_map(|&atom| self.graph.system_of[atom])
            .max_by_key(|&system| (self.graph.system_atoms(system).len(), std::cmp::Reverse(system)));
        match largest_system {
            Some(system) => {
                let local = ring_system_layout(self.graph, system);
                for (atom, point) in local {
                    self.positions[atom] = Some(point);
                    self.queue.push_back(atom);
                }
            }
            None => {
                let end = farthest_atom(self.graph, piece[0]);
                self.positions[end] = Some(Point::default());
                self.queue.push_back(end);
            }
        }
        while let Some(atom) = self.queue.pop_front() {
            self.place_neighbours(atom);
        }
    }

    /// Places the unplaced neighbours of the placed atom `atom`.
    fn place_neighbours(&mut self, atom: usize) {
        let mut new: Vec<usize> =
            self.graph.neighbours[atom].iter().copied().filter(|&n| self.positions[n].is_none()).collect();
        if new.is_empty() {
            return;
        }
        let weights: Vec<(usize, usize)> = new.iter().map(|&n| self.branch_weight(n, atom)).collect();
        let mut order: Vec<usize> = (0..new.len()).collect();
        order.sort_by(|&x, &y| weights[y].cmp(&weights[x]).then(new[x].cmp(&new[y])));
        new = order.iter().map(|&i| new[i]).collect();
        let directions = self.directions(atom, new.len());
        let at = self.positions[atom].unwrap_or_default();
        for (neighbour, direction) in new.into_iter().zip(directions) {
            match self.graph.system_of[neighbour] {
                Some(system) => self.place_ring_system_at(system, neighbour, at, direction),
                None => {
                    self.positions[neighbour] = Some(at + direction);
                    self.queue.push_back(neighbour);
                }
            }
        }
    }

    /// (depth, size) of the unplaced branch starting at `start`, not going back through `from`.
    fn branch_weight(&self, start: usize, from: usize) -> (usize, usize) {
        let mut depth = vec![usize::MAX; self.graph.atom_count()];
        depth[start] = 0;
        depth[from] = 0;
        let mut queue = VecDeque::from([start]);
        let (mut deepest, mut size) = (0, 0);
        while let Some(atom) = queue.pop_front() {
            size += 1;
            deepest = deepest.max(depth[atom]);
            for &next in &self.graph.neighbours[atom] {
                if depth[next] == usize::MAX && self.positions[next].is_none() {
                    depth[next] = depth[atom] + 1;
                    queue.push_back(next);
                }
            }
        }
        (deepest, size)
    }

    /// Unit vectors from `atom` for its `count` new bonds, heaviest branch first.
    fn directions(&self, atom: usize, count: usize) -> Vec<Point> {
        let at = self.positions[atom].unwrap_or_default();
        let placed: Vec<usize> =
            self.graph.neighbours[atom].iter().copied().filter(|&n| self.positions[n].is_some()).collect();
        let placed_directions: Vec<f64> =
            placed.iter().map(|&n| (self.positions[n].unwrap_or_default() - at).angle()).collect();
        let angles: Vec<f64> = match placed_directions.as_slice() {
            [] => (0..count).map(|i| -PI / 6.0 + TAU * i as f64 / count as f64).collect(),
            &[back] => match count {
                1 if self.graph.is_linear(atom) => vec![back + PI],
                1 | 2 => {
                    let (trans, cis) = self.zig_zag(atom, placed[0], back);
                    if count == 2 {
                        vec![trans, cis]
                    } else if self.clearance(at + Point::from_angle(trans), atom) < 0.6
                        && self.clearance(at + Point::from_angle(cis), atom)
                            > self.clearance(at + Point::from_angle(trans), atom)
                    {
                        vec![cis]
                    } else {
                        vec![trans]
                    }
                }
                3 => vec![back + PI, back + FRAC_PI_2, back - FRAC_PI_2],
                _ => (1..=count).map(|i| back + TAU * i as f64 / (count + 1) as f64).collect(),
            },
            _ => {
                let mut sorted = placed_directions.clone();
                sorted.sort_by(f64::total_cmp);
                let (start, gap) = (0..sorted.len())
                    .map(|i| {
                        let next = if i + 1 < sorted.len() { sorted[i + 1] } else { sorted[0] + TAU };
                        (sorted[i], next - sorted[i])
                    })
                    .fold((0.0, f64::NEG_INFINITY), |best, candidate| {
                        if candidate.1 > best.1 + 1e-9 { candidate } else { best }
                    });
                // Centred in the gap; on a ring atom at most 60° apart (a gem-dimethyl's two bonds),
                // or, where that would continue both ring bonds straight through the atom (a "+" on a
                // three- or four-membered ring), the nearest spacing that does not.
                let spread = |spacing: f64| {
                    let first = start + gap / 2.0 - spacing * (count - 1) as f64 / 2.0;
                    (0..count).map(|i| first + spacing * i as f64).collect::<Vec<f64>>()
                };
                let mut spacing = gap / (count + 1) as f64;
                if self.graph.system_of[atom].is_some() {
                    spacing = spacing.min(PI / 3.0);
                    let crosses = |spacing: f64| {
                        let all: Vec<Point> = placed_directions
                            .iter()
                            .chain(&spread(spacing))
                            .map(|&a| Point::from_angle(a))
                            .collect();
                        reads_as_crossing(&all)
                    };
                    let widest = gap / count as f64 - PI / 18.0;
                    let nearest = (1..=36)
                        .flat_map(|k| [spacing + PI / 72.0 * k as f64, spacing - PI / 72.0 * k as f64])
                        .filter(|&s| (PI / 6.0..=widest).contains(&s))
                        .find(|&s| !crosses(s));
                    if crosses(spacing)
                        && let Some(better) = nearest
                    {
                        spacing = better;
                    }
                }
                spread(spacing)
            }
        };
        angles.into_iter().map(Point::from_angle).collect()
    }

    /// The two 120° continuations of a chain at `atom`, reached from `previous` (bond angle `back`):
    /// first the one that zig-zags (away from the bond before `previous`), then the other.
    fn zig_zag(&self, atom: usize, previous: usize, back: f64) -> (f64, f64) {
        let (left, right) = (back + 2.0 * PI / 3.0, back - 2.0 * PI / 3.0);
        let at = self.positions[atom].unwrap_or_default();
        let from = self.positions[previous].unwrap_or_default();
        let before =
            self.graph.neighbours[previous].iter().find(|&&n| n != atom && self.positions[n].is_some());
        let Some(&before) = before else {
            return (right, left);
        };
        let axis = at - from;
        let before_side = axis.cross(self.positions[before].unwrap_or_default() - from);
        let left_side = axis.cross(at + Point::from_angle(left) - from);
        if before_side * left_side < 0.0 { (left, right) } else { (right, left) }
    }

    /// Distance from `point` to the nearest placed atom other than `except`.
    fn clearance(&self, point: Point, except: usize) -> f64 {
        self.positions
            .iter()
            .enumerate()
            .filter(|&(atom, _)| atom != except)
            .filter_map(|(_, p)| p.map(|p| p.distance(point)))
            .fold(f64::INFINITY, f64::min)
    }

    /// Places a whole ring system so that `atom` sits at `from + direction` and points back at `from`.
    fn place_ring_system_at(&mut self, system: usize, atom: usize, from: Point, direction: Point) {
        let local = ring_system_layout(self.graph, system);
        let anchor = local.iter().find(|(a, _)| *a == atom).map_or(Point::default(), |(_, p)| *p);
        let ring_neighbours: Vec<Point> = local
            .iter()
            .filter(|(other, _)| self.graph.neighbours[atom].contains(other))
            .map(|(_, p)| (*p - anchor).unit())
            .collect();
        let inward = ring_neighbours.iter().fold(Point::default(), |sum, &d| sum + d);
        let outward = if inward.length() > 1e-6 {
            -inward
        } else {
            ring_neighbours.first().map_or(Point::new(1.0, 0.0), |d| d.perpendicular())
        };
        let target = from + direction;
        let candidates = [false, true].map(|mirrored| {
            let flip = |p: Point| if mirrored { Point::new(p.x, -p.y) } else { p };
            let turn = (-direction).angle() - flip(outward).angle();
            local
                .iter()
                .map(|&(a, p)| (a, target + (flip(p) - flip(anchor)).rotated(turn)))
                .collect::<Vec<_>>()
        });
        let score = |placement: &Vec<(usize, Point)>| {
            placement.iter().map(|&(_, p)| self.clearance(p, usize::MAX)).fold(f64::INFINITY, f64::min)
        };
        let best = if score(&candidates[1]) > score(&candidates[0]) + 1e-6 { 1 } else { 0 };
        for &(a, p) in &candidates[best] {
            self.positions[a] = Some(p);
            self.queue.push_back(a);
        }
    }
}

/// The atom farthest (in bonds) from `start`; on a chain, one end of its longest path.
fn farthest_atom(graph: &Graph, start: usize) -> usize {
    let mut distance = vec![usize::MAX; graph.atom_count()];
    distance[start] = 0;
    let mut queue = VecDeque::from([start]);
    let mut farthest = start;
    while let Some(atom) = queue.pop_front() {
        if (distance[atom], std::cmp::Reverse(atom)) > (distance[farthest], std::cmp::Reverse(farthest)) {
            farthest = atom;
        }
        for &next in &graph.neighbours[atom] {
            if distance[next] == usize::MAX {
                distance[next] = distance[atom] + 1;
                queue.push_back(next);
            }
        }
    }
    farthest
}

/// Local coordinates of every atom of a ring system, in ascending atom order.
///
/// Fused and spiro systems are laid out from their most fused ring. When that drawing has crossing
/// bonds, crowded atoms or substituents pointing into the system (bridged bicyclics, cages), the
/// system is also laid out from each of its longest cycles and each of its rings, and as a Tutte
/// (barycentric) embedding inside each of those cycles; the best drawing is kept (see
/// [`system_quality`]). For camphene that is the hexagon with the one-carbon bridge across it, for
/// pinene the hexagon whose bridge is the unsubstituted carbon (the gem-dimethyl carbon keeps room
/// for its methyls outside), for prismane-like cages a polygon inside a polygon.
fn ring_system_layout(graph: &Graph, system: usize) -> Vec<(usize, Point)> {
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
    let index_of = |atom: usize| atoms.binary_search(&atom).ok();
    // Bonds between atoms i and j (by position in `atoms`), by breadth-first search within the system.
    let mut hops = vec![vec![usize::MAX; count]; count];
    for (i, row) in hops.iter_mut().enumerate() {
        row[i] = 0;
        let mut queue = VecDeque::from([i]);
        while let Some(k) = queue.pop_front() {
            for &neighbour in &graph.neighbours[atoms[k]] {
                if let Some(n) = index_of(neighbour)
                    && row[n] == usize::MAX
                {
                    row[n] = row[k] + 1;
                    queue.push_back(n);
                }
            }
        }
    }
    let ideal = |hops: usize| match hops {
        1 => 1.0,
        h => 1.6 + 0.5 * (h.min(count) as f64 - 2.0),
    };
    let mut points: Vec<Point> = placement.iter().map(|&(_, p)| p).collect();
    for _ in 0..STRESS_SWEEPS {
        for i in 0..count {
            let (mut sum, mut weights) = (Point::default(), 0.0);
            for j in (0..count).filter(|&j| j != i && hops[i][j] != usize::MAX) {
                let target = ideal(hops[i][j]);
                let weight = 1.0 / (target * target);
                let difference = points[i] - points[j];
                let distance = difference.length().max(1e-6);
                sum += (points[j] + difference * (target / distance)) * weight;
                weights += weight;
            }
            if weights > 0.0 {
                points[i] = sum * (1.0 / weights);
            }
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

/// Lays out `rings` starting with `first` as a regular polygon; also says whether a bridged ring was met.
fn place_rings(graph: &Graph, rings: &[usize], first: &[usize]) -> (Vec<(usize, Point)>, bool) {
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

fn circumradius(size: usize) -> f64 {
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
fn place_bridges(graph: &Graph, positions: &mut [Option<Point>], ring: &[usize]) {
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
        let best = (0..sides.len())
            .fold(0, |best, i| if quality(&sides[i]) > quality(&sides[best]) { i } else { best });
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

/// How crowded a drawing is: crossing bonds (and atoms lying on bonds), and how far non-bonded
/// atoms intrude on each other.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Congestion {
    crossings: usize,
    overlap: f64,
}

impl Congestion {
    fn of(graph: &Graph, atoms: &[usize], positions: &[Point]) -> Congestion {
        Congestion::measure(graph, atoms, positions, None)
    }

    /// The part of the congestion that changes when the atoms flagged in `moved` move rigidly together:
    /// their pairs with unmoved atoms and the bonds that join or touch them. Subtracting it before a
    /// move and adding it after gives the new congestion in time proportional to the moved branch.
    fn across(graph: &Graph, atoms: &[usize], positions: &[Point], moved: &[bool]) -> Congestion {
        Congestion::measure(graph, atoms, positions, Some(moved))
    }

    fn measure(graph: &Graph, atoms: &[usize], positions: &[Point], moved: Option<&[bool]>) -> Congestion {
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
    fn replacing(self, before: Congestion, after: Congestion) -> Congestion {
        Congestion {
            crossings: (self.crossings + after.crossings).saturating_sub(before.crossings),
            overlap: (self.overlap - before.overlap + after.overlap).max(0.0),
        }
    }

    fn is_better_than(self, other: Congestion) -> bool {
        self.crossings < other.crossings
            || (self.crossings == other.crossings && self.overlap < other.overlap - 1e-9)
    }
}

/// Mirrors (then turns) branches across their chain bonds while that reduces crossings and crowding,
/// then pushes apart atoms that still nearly coincide.
fn relieve_overlaps(graph: &Graph, piece: &[usize], positions: &mut [Point]) {
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
fn redraw_if_tangled(graph: &Graph, piece: &[usize], positions: &mut [Point]) -> Option<Vec<Point>> {
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
fn clear_atoms_off_bonds(
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
fn orient_flattest(piece: &[usize], positions: &mut [Point]) {
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

fn bounds(points: impl Iterator<Item = Point>) -> (Point, Point) {
    points.fold(
        (Point::new(f64::INFINITY, f64::INFINITY), Point::new(f64::NEG_INFINITY, f64::NEG_INFINITY)),
        |(min, max), p| {
            (Point::new(min.x.min(p.x), min.y.min(p.y)), Point::new(max.x.max(p.x), max.y.max(p.y)))
        },
    )
}
