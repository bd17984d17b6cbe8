//! The last pass of a layout: atoms moved off bonds they are not part of, and
//! quaternary ring atoms opened out of a "+".
//!
//! Ring templates and the constrained stress refinement of [`super::embedding`]
//! avoid both, but a non-planar cage cannot be drawn without a crossing, and
//! its unavoidable crossing sometimes ends up hidden as a bond running through
//! (or grazing) an atom. That misleads a reader more than a crossing does: it
//! reads as two bonds to an atom that has neither. This pass repairs what is
//! left, one small move at a time, in the spirit of the overlap resolution that
//! CDK's structure diagram generator runs after placement (its `LayoutRefiner`):
//!
//! - the problems are the (atom, bond) pairs closer than [`CLEARANCE`] and the
//!   quaternary ring atoms whose bonds read as two straight lines through them;
//! - for the first problem, the candidates are nudges of the atom off the bond
//!   (to either side) and around it, of the bond's ends away from the atom, or,
//!   for a "+", of the centre and turns of its bonds; the candidate with the
//!   best [`Score`] is kept when it betters the drawing, otherwise the next
//!   problem is tried, and the pass ends when none can be bettered.
//!
//! A planar drawing never gains a crossing (crossings come first in its
//! score). A non-planar one may trade an atom on a bond for an honest crossing
//! in open space. The work is counted in geometric tests, never timed, so a
//! drawing stays a pure function of the molecule and a 64-atom cage stays
//! bounded.

use std::f64::consts::TAU;

use super::geometry::{Point, distance_to_segment, reads_as_crossing, segments_cross};
use super::planar;

/// Closest an atom may come to a bond it is not part of, in bond lengths: a margin over the quarter
/// bond at which a 2-unit stroke (1/15 of a bond) starts to look as if it touches the atom.
const CLEARANCE: f64 = 0.3;
/// Within this distance of a bond, an atom still strains the drawing a little (a tie-breaker).
const COMFORT: f64 = 0.45;
/// Closest two atoms not bonded to each other may come before they strain the drawing.
const APART: f64 = 0.6;
/// Geometric tests (segment crossings, atom-to-bond distances) the pass may spend on one piece,
/// counted as a full [`Drawing::score`] of every candidate would take them: the candidates tried
/// do not depend on the candidates being scored incrementally ([`Drawing::rescored`]), which
/// takes a small part of that.
const REPAIR_WORK: usize = 4_000_000;
/// Directions tried for moving an atom around its spot.
const DIRECTIONS: usize = 12;

/// Moves the atoms of `piece` (a connected piece, atoms ascending) until no atom lies within
/// [`CLEARANCE`] of a bond it is not part of and no quaternary atom with `in_ring` reads as a "+",
/// as far as small moves get within [`REPAIR_WORK`].
pub(super) fn clear_atoms_off_bonds(
    neighbours: &[Vec<usize>],
    in_ring: &[bool],
    piece: &[usize],
    positions: &mut [Point],
) -> Remaining {
    let drawing = Drawing::new(neighbours, in_ring, piece);
    let mut current = drawing.score(positions);
    if current.misleading == 0 {
        return drawing.remaining(&current);
    }
    let mut spent = 0;
    'rounds: loop {
        let problems = drawing.problems(positions);
        let mut improved = false;
        for problem in problems {
            let mut best: Option<(Score, Vec<(usize, Point)>)> = None;
            for moves in problem.candidates(&drawing, positions) {
                spent += drawing.cost();
                if spent > REPAIR_WORK {
                    break 'rounds;
                }
                let score = drawing.rescored(&current, positions, &moves);
                let to_beat = best.as_ref().map_or(&current, |(s, _)| s);
                if drawing.is_better(&score, to_beat) {
                    best = Some((score, moves));
                }
            }
            if let Some((score, moves)) = best {
                moves.iter().for_each(|&(atom, p)| positions[atom] = p);
                current = score;
                improved = true;
                break;
            }
        }
        if !improved || current.misleading == 0 {
            break;
        }
    }
    drawing.remaining(&current)
}

/// What makes a drawing mislead or strain, lower is better: atoms on bonds and "+" centres, bonds
/// crossing bonds, then how far atoms crowd bonds and each other and bonds stray from one length.
#[derive(Clone, Copy, Debug)]
struct Score {
    misleading: usize,
    crossings: usize,
    /// How far atoms reach inside [`CLEARANCE`] of bonds: lets the pass walk an atom out of a tight spot.
    depth: f64,
    strain: f64,
}

/// What a repair could not mend: atoms on bonds and "+" centres, and crossing bonds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Remaining {
    pub misleading: usize,
    pub crossings: usize,
    planar: bool,
}

impl Remaining {
    /// Ranks drawings as the pass does: crossings first for a planar piece (it never needs one),
    /// atoms on bonds and "+" centres first for a non-planar one.
    fn key(self) -> (usize, usize) {
        if self.planar { (self.crossings, self.misleading) } else { (self.misleading, self.crossings) }
    }

    pub(super) fn is_better_than(self, other: Remaining) -> bool {
        self.key() < other.key()
    }
}

/// One thing to repair.
#[derive(Clone, Copy, Debug)]
enum Problem {
    /// `atom` lies within [`CLEARANCE`] of the bond `a`-`b`.
    OnBond { atom: usize, a: usize, b: usize },
    /// The bonds of quaternary ring atom `atom` read as two straight lines through it.
    Plus { atom: usize },
}

impl Problem {
    /// The moves worth trying, each a list of (atom, new position).
    fn candidates(self, drawing: &Drawing, positions: &[Point]) -> Vec<Vec<(usize, Point)>> {
        let around = |atom: usize, steps: &[f64]| -> Vec<Vec<(usize, Point)>> {
            steps
                .iter()
                .flat_map(|&step| {
                    (0..DIRECTIONS).map(move |k| {
                        let direction = Point::from_angle(TAU * k as f64 / DIRECTIONS as f64);
                        vec![(atom, positions[atom] + direction * step)]
                    })
                })
                .collect()
        };
        match self {
            Problem::OnBond { atom, a, b } => {
                let (from, to, at) = (positions[a], positions[b], positions[atom]);
                let normal = (to - from).unit().perpendicular();
                let side = if normal.dot(at - from) >= 0.0 { normal } else { -normal };
                let distance = distance_to_segment(at, from, to);
                let need = CLEARANCE + 0.05 - distance;
                let mut moves = Vec::new();
                for extra in [0.0, 0.2, 0.4] {
                    let away = side * (need + extra);
                    moves.push(vec![(atom, at + away)]);
                    // Across the bond, to the far side.
                    moves.push(vec![(atom, at - side * (distance + CLEARANCE + 0.05 + extra))]);
                    moves.push(vec![(a, from - away)]);
                    moves.push(vec![(b, to - away)]);
                    moves.push(vec![(a, from - away), (b, to - away)]);
                }
                moves.extend(around(atom, &[0.25, 0.5, 0.8]));
                moves.extend(around(a, &[0.3]));
                moves.extend(around(b, &[0.3]));
                moves
            }
            Problem::Plus { atom } => {
                let centre = positions[atom];
                let mut moves = around(atom, &[0.25, 0.5]);
                for &n in &drawing.neighbours[atom] {
                    for turn in [0.35, -0.35, 0.6, -0.6] {
                        moves.push(vec![(n, centre + (positions[n] - centre).rotated(turn))]);
                    }
                }
                moves
            }
        }
    }
}

/// The piece being repaired: its atoms, bonds and which of them must not read as a "+".
struct Drawing<'a> {
    neighbours: &'a [Vec<usize>],
    atoms: &'a [usize],
    bonds: Vec<(usize, usize)>,
    /// The indices in `bonds` of each atom's bonds (indexed by atom, empty off the piece).
    bonds_at: Vec<Vec<usize>>,
    /// Quaternary atoms on a ring.
    quaternary: Vec<usize>,
    /// Whether the piece can be drawn without crossings: then no move may add one.
    planar: bool,
}

impl<'a> Drawing<'a> {
    fn new(neighbours: &'a [Vec<usize>], in_ring: &[bool], atoms: &'a [usize]) -> Drawing<'a> {
        let bonds: Vec<(usize, usize)> = atoms
            .iter()
            .flat_map(|&a| neighbours[a].iter().filter(move |&&b| b > a).map(move |&b| (a, b)))
            .collect();
        let quaternary =
            atoms.iter().copied().filter(|&atom| neighbours[atom].len() == 4 && in_ring[atom]).collect();
        let local = |atom: usize| atoms.binary_search(&atom).ok();
        let adjacent: Vec<Vec<usize>> =
            atoms.iter().map(|&a| neighbours[a].iter().filter_map(|&n| local(n)).collect()).collect();
        let planar = planar::embed(&adjacent).is_some();
        let mut bonds_at = vec![Vec::new(); neighbours.len()];
        for (index, &(a, b)) in bonds.iter().enumerate() {
            bonds_at[a].push(index);
            bonds_at[b].push(index);
        }
        Drawing { neighbours, atoms, bonds, bonds_at, quaternary, planar }
    }

    /// Geometric tests one [`Drawing::score`] takes.
    fn cost(&self) -> usize {
        self.bonds.len() * (self.bonds.len() / 2 + self.atoms.len()) + self.atoms.len().pow(2) / 2
    }

    fn remaining(&self, score: &Score) -> Remaining {
        Remaining { misleading: score.misleading, crossings: score.crossings, planar: self.planar }
    }

    fn is_better(&self, score: &Score, than: &Score) -> bool {
        let (key, other) = (self.remaining(score).key(), self.remaining(than).key());
        key < other
            || (key == other
                && (score.depth < than.depth - 1e-9
                    || (score.depth <= than.depth + 1e-12 && score.strain < than.strain - 1e-9)))
    }

    fn is_plus(&self, positions: &[Point], atom: usize) -> bool {
        let around: Vec<Point> =
            self.neighbours[atom].iter().map(|&n| positions[n] - positions[atom]).collect();
        reads_as_crossing(&around)
    }

    /// The atoms too close to a bond and the "+" centres, in atom and bond order.
    fn problems(&self, positions: &[Point]) -> Vec<Problem> {
        let mut problems: Vec<Problem> = self
            .quaternary
            .iter()
            .filter(|&&atom| self.is_plus(positions, atom))
            .map(|&atom| Problem::Plus { atom })
            .collect();
        for &atom in self.atoms {
            for &(a, b) in &self.bonds {
                if atom != a
                    && atom != b
                    && distance_to_segment(positions[atom], positions[a], positions[b]) < CLEARANCE
                {
                    problems.push(Problem::OnBond { atom, a, b });
                }
            }
        }
        problems
    }

    /// The score of `positions` with `moves` made, given `current`, the score of `positions`: only
    /// the terms an atom of `moves` takes part in are priced, before and after (the integer counts
    /// are exact; the sums agree with [`Drawing::score`]'s to rounding). `positions` is left as given.
    fn rescored(&self, current: &Score, positions: &mut [Point], moves: &[(usize, Point)]) -> Score {
        let mut moved: Vec<usize> = moves.iter().map(|&(atom, _)| atom).collect();
        moved.sort_unstable();
        moved.dedup();
        let mut touched: Vec<usize> =
            moved.iter().flat_map(|&atom| self.bonds_at[atom].iter().copied()).collect();
        touched.sort_unstable();
        touched.dedup();
        let before = self.part(positions, &moved, &touched);
        let saved: Vec<(usize, Point)> = moves.iter().map(|&(atom, _)| (atom, positions[atom])).collect();
        moves.iter().for_each(|&(atom, p)| positions[atom] = p);
        let after = self.part(positions, &moved, &touched);
        saved.iter().rev().for_each(|&(atom, p)| positions[atom] = p);
        Score {
            misleading: current.misleading + after.misleading - before.misleading,
            crossings: current.crossings + after.crossings - before.crossings,
            depth: current.depth - before.depth + after.depth,
            strain: current.strain - before.strain + after.strain,
        }
    }

    /// The terms of [`Drawing::score`] that atoms `moved` (sorted) take part in, `touched` (sorted)
    /// being their bonds' indices: each term once.
    fn part(&self, positions: &[Point], moved: &[usize], touched: &[usize]) -> Score {
        let mut score = Score::ZERO;
        for &e in touched {
            let bond = self.bonds[e];
            for (f, &other) in self.bonds.iter().enumerate() {
                // A pair of touched bonds is counted from the first of them.
                if f != e && !(f < e && touched.binary_search(&f).is_ok()) {
                    score.add_crossing(positions, bond, other);
                }
            }
            for &atom in self.atoms.iter().filter(|&&atom| atom != bond.0 && atom != bond.1) {
                score.add_near_bond(positions, atom, bond);
            }
            score.add_bond_length(positions, bond);
        }
        for &atom in moved {
            // A moved atom's own bonds are touched, so none of these has it at an end.
            for (f, &bond) in self.bonds.iter().enumerate() {
                if touched.binary_search(&f).is_err() {
                    score.add_near_bond(positions, atom, bond);
                }
            }
            for &other in self.atoms {
                let counted = other == atom || (other < atom && moved.binary_search(&other).is_ok());
                if !counted && !self.neighbours[atom].contains(&other) {
                    score.add_apart(positions, atom, other);
                }
            }
        }
        score.misleading += self
            .quaternary
            .iter()
            .filter(|&&q| {
                moved.binary_search(&q).is_ok()
                    || self.neighbours[q].iter().any(|n| moved.binary_search(n).is_ok())
            })
            .filter(|&&q| self.is_plus(positions, q))
            .count();
        score
    }

    fn score(&self, positions: &[Point]) -> Score {
        let mut score = Score::ZERO;
        for (i, &bond) in self.bonds.iter().enumerate() {
            for &other in &self.bonds[i + 1..] {
                score.add_crossing(positions, bond, other);
            }
            for &atom in self.atoms.iter().filter(|&&atom| atom != bond.0 && atom != bond.1) {
                score.add_near_bond(positions, atom, bond);
            }
            score.add_bond_length(positions, bond);
        }
        score.misleading += self.quaternary.iter().filter(|&&atom| self.is_plus(positions, atom)).count();
        for (i, &a) in self.atoms.iter().enumerate() {
            for &b in &self.atoms[i + 1..] {
                if !self.neighbours[a].contains(&b) {
                    score.add_apart(positions, a, b);
                }
            }
        }
        score
    }
}

/// The terms of a score, one pair of things at a time ([`Drawing::score`] adds them all,
/// [`Drawing::part`] those of moved atoms).
impl Score {
    const ZERO: Score = Score { misleading: 0, crossings: 0, depth: 0.0, strain: 0.0 };

    /// Bonds `(a, b)` and `(c, d)` crossing (bonds sharing an atom never do).
    fn add_crossing(&mut self, positions: &[Point], (a, b): (usize, usize), (c, d): (usize, usize)) {
        let shares_atom = a == c || a == d || b == c || b == d;
        if !shares_atom && segments_cross(positions[a], positions[b], positions[c], positions[d]) {
            self.crossings += 1;
        }
    }

    /// `atom` (not an end of the bond) near the bond `(a, b)`.
    fn add_near_bond(&mut self, positions: &[Point], atom: usize, (a, b): (usize, usize)) {
        let distance = distance_to_segment(positions[atom], positions[a], positions[b]);
        self.misleading += usize::from(distance < CLEARANCE);
        self.depth += (CLEARANCE - distance).max(0.0);
        self.strain += (COMFORT - distance).max(0.0);
    }

    /// The bond `(a, b)` straying from one bond length.
    fn add_bond_length(&mut self, positions: &[Point], (a, b): (usize, usize)) {
        self.strain += 0.5 * (positions[a].distance(positions[b]) - 1.0).powi(2);
    }

    /// Atoms `a` and `b`, not bonded, crowding each other.
    fn add_apart(&mut self, positions: &[Point], a: usize, b: usize) {
        self.strain += (APART - positions[a].distance(positions[b])).max(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A square with one diagonal; the fifth atom hangs off a corner and lies right on the diagonal.
    fn square_with_atom_on_diagonal() -> (Vec<Vec<usize>>, Vec<Point>) {
        let neighbours = vec![vec![1, 3, 2], vec![0, 2], vec![1, 3, 0], vec![2, 0, 4], vec![3]];
        let positions = vec![
            Point::new(0.0, 0.0),
            Point::new(1.0, 0.0),
            Point::new(1.0, 1.0),
            Point::new(0.0, 1.0),
            Point::new(0.5, 0.5),
        ];
        (neighbours, positions)
    }

    #[test]
    fn an_atom_on_a_bond_is_moved_clear_of_it_without_a_crossing() {
        let (neighbours, mut positions) = square_with_atom_on_diagonal();
        let remaining = clear_atoms_off_bonds(
            &neighbours,
            &[true, true, true, true, false],
            &[0, 1, 2, 3, 4],
            &mut positions,
        );
        assert_eq!((remaining.misleading, remaining.crossings), (0, 0));
        let clearance = distance_to_segment(positions[4], positions[0], positions[2]);
        assert!(clearance >= CLEARANCE, "atom 4 is {clearance:.2} from bond 0-2");
        assert!(!segments_cross(positions[3], positions[4], positions[0], positions[2]));
    }

    /// A scored candidate is the full score of the drawing it makes: over a walk of one- and
    /// two-atom moves on a tangled non-planar piece (K5 and K3,3 sharing an atom, plus a tail),
    /// each candidate's [`Drawing::rescored`] equals [`Drawing::score`] recomputed from scratch.
    #[test]
    fn a_rescored_candidate_is_the_full_score_of_its_drawing() {
        let pairs = [
            (0, 1),
            (0, 2),
            (0, 3),
            (0, 4),
            (1, 2),
            (1, 3),
            (1, 4),
            (2, 3),
            (2, 4),
            (3, 4),
            (4, 5),
            (4, 6),
            (4, 7),
            (8, 5),
            (8, 6),
            (8, 7),
            (9, 5),
            (9, 6),
            (9, 7),
            (9, 10),
            (10, 11),
        ];
        let n = 12;
        let mut neighbours = vec![Vec::new(); n];
        for &(a, b) in &pairs {
            neighbours[a].push(b);
            neighbours[b].push(a);
        }
        let in_ring: Vec<bool> = (0..n).map(|atom| atom < 10).collect();
        let piece: Vec<usize> = (0..n).collect();
        let drawing = Drawing::new(&neighbours, &in_ring, &piece);
        // Crowded on purpose: atoms on a small spiral, so bonds cross and graze atoms.
        let mut positions: Vec<Point> =
            (0..n).map(|i| Point::from_angle(i as f64 * 2.4) * (0.3 + 0.12 * i as f64)).collect();
        let mut current = drawing.score(&positions);
        assert!(current.crossings > 0 && current.misleading > 0, "{current:?}");
        let mut checked = 0;
        for step in 0..400usize {
            let nudge =
                |k: usize| Point::from_angle(k as f64 * 0.77) * (0.05 + 0.4 * ((k * 37 % 11) as f64 / 11.0));
            let first = (step * 7) % n;
            let mut moves = vec![(first, positions[first] + nudge(step))];
            if step % 3 == 0 {
                let second = (first + 1 + step % (n - 1)) % n;
                moves.push((second, positions[second] + nudge(step + 5)));
            }
            let before = positions.clone();
            let rescored = drawing.rescored(&current, &mut positions, &moves);
            assert_eq!(positions, before, "positions are left as given");
            moves.iter().for_each(|&(atom, p)| positions[atom] = p);
            let full = drawing.score(&positions);
            assert_eq!(
                (rescored.misleading, rescored.crossings),
                (full.misleading, full.crossings),
                "step {step}"
            );
            assert!((rescored.depth - full.depth).abs() < 1e-9, "step {step}: {rescored:?} {full:?}");
            assert!((rescored.strain - full.strain).abs() < 1e-9, "step {step}: {rescored:?} {full:?}");
            checked += usize::from(full.crossings > 0);
            // Keep every other move, so the walk goes on from rescored scores.
            if step % 2 == 0 {
                current = rescored;
            } else {
                positions = before;
            }
        }
        assert!(checked > 100, "the walk stays tangled: {checked}");
    }

    #[test]
    fn a_quaternary_ring_atom_drawn_as_a_plus_is_opened() {
        // Spiropentane drawn as two triangles meeting tip to tip: a bowtie, its centre a "+".
        let neighbours = vec![vec![1, 2, 3, 4], vec![0, 2], vec![0, 1], vec![0, 4], vec![0, 3]];
        let at = |degrees: f64| Point::from_angle(degrees.to_radians());
        let mut positions = vec![Point::default(), at(150.0), at(210.0), at(-30.0), at(30.0)];
        let remaining = clear_atoms_off_bonds(&neighbours, &[true; 5], &[0, 1, 2, 3, 4], &mut positions);
        assert_eq!(remaining.misleading, 0);
        let around: Vec<Point> = (1..5).map(|n| positions[n] - positions[0]).collect();
        assert!(!reads_as_crossing(&around), "{positions:?}");
    }
}
