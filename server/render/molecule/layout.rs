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
use super::geometry::{Point, reads_as_crossing};
use super::graph::Graph;
use super::relief::{bounds, clear_atoms_off_bonds, orient_flattest, redraw_if_tangled, relieve_overlaps};
use super::ring_system::ring_system_layout;
use super::rings::{Ring, smallest_rings};

/// Atom positions and the rings found on the way.
pub(super) struct Layout {
    pub positions: Vec<Point>,
    pub rings: Vec<Ring>,
}

/// Gap between the connected pieces of a disconnected molecule, in bond lengths.
const PIECE_GAP: f64 = 1.5;

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
