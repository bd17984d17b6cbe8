//! The descent of a large step: improving moves around a few queued cities until none
//! is left, on a tour the caller owns, logged as the 2-opt reversals it made.
//!
//! A queued city `a` is looked at with, in order, the first improving move found:
//! * **2-opt**: link `a` to a neighbour `c` and reconnect the two broken edges.
//! * **or-opt**: carry the segment of 1 to [`OR_OPT_MAX_LEN`] cities that starts at
//!   `a` next to one of `a`'s neighbours, either way round.
//! * **or-3opt** (move set 2 only, [`Moves::OrThreeOpt`]): the sequential 3-opt moves
//!   that 2-opt and or-opt cannot make in one step: break `(t1, t2)`, link `t2` to a
//!   neighbour `t3`, break `(t3, t4)` with `t4` beyond `t3`, which closes the segment
//!   `t2..t3` into a ring, link `t4` to a neighbour `t5` inside that ring and break it
//!   next to `t5`. Breaking it after `t5` swaps the two segments `t2..t5` and `t6..t3`
//!   (segment insertion of any length, no reversal); breaking it before reverses both
//!   in place. Both orientations of `t1`'s edge are searched.
//!
//! Each move is carried out as up to three 2-opt reversals (each reversing the
//! shorter side of the ring), and the cities at the ends of changed edges are queued
//! again: a queue with a "queued" bit per city is the don't-look bits. The descent is
//! deterministic: the same tour and queue give the same moves.

use std::collections::VecDeque;

use super::distance::Distances;
use super::neighbours::NeighbourLists;
use super::tour::Tour;

/// Longest segment an or-opt move of the descent carries.
const OR_OPT_MAX_LEN: usize = 3;
/// Nearest neighbours an or-3opt move tries at each of its two links (LKH's 5).
const OR_THREE_OPT_BREADTH: usize = 5;

/// Which moves a descent makes: the move set of a large step's version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Moves {
    /// 2-opt and or-opt.
    TwoOptOrOpt,
    /// 2-opt, or-opt and or-3opt.
    OrThreeOpt,
}

/// A tour being descended, the don't-look queue and the log of reversals.
pub(crate) struct Scratch {
    pub(crate) tour: Tour,
    queued: Vec<bool>,
    queue: VecDeque<u32>,
    pub(crate) reversals: Vec<(u32, u32)>,
}

impl Scratch {
    /// A scratch holding a copy of `tour`, nothing queued.
    pub(crate) fn new(tour: &Tour) -> Self {
        let n = tour.len();
        Self { tour: tour.clone(), queued: vec![false; n], queue: VecDeque::new(), reversals: Vec::new() }
    }

    /// Queue `city` to be looked at (once).
    pub(crate) fn push(&mut self, city: u32) {
        if !self.queued[city as usize] {
            self.queued[city as usize] = true;
            self.queue.push_back(city);
        }
    }

    /// Remove edges {a, b} and {c, e} and add {a, c} and {b, e}, where b follows a
    /// and e follows c in the same direction; logged as the reversal it is.
    fn two_opt(&mut self, a: u32, b: u32, c: u32, e: u32) {
        let (i, j) = if step(&self.tour, a, true) == b {
            (self.tour.position_of(a), self.tour.position_of(c))
        } else {
            (self.tour.position_of(b), self.tour.position_of(e))
        };
        self.tour.two_opt(i, j);
        self.reversals.push((i as u32, j as u32));
    }
}

/// The descent's view of an instance: distances, neighbour lists and its moves.
pub(crate) struct Descent<'a> {
    pub(crate) distances: &'a Distances,
    pub(crate) near: &'a NeighbourLists,
    pub(crate) moves: Moves,
}

impl Descent<'_> {
    #[inline(always)]
    fn d(&self, a: u32, b: u32) -> i64 {
        self.distances.between(a, b)
    }

    /// Apply improving moves around the queued cities until none is left; the total
    /// length gained.
    pub(crate) fn run(&self, s: &mut Scratch) -> i64 {
        let mut gained = 0;
        while let Some(city) = s.queue.pop_front() {
            s.queued[city as usize] = false;
            if let Some(gain) = self.improve(s, city) {
                gained += gain;
            }
        }
        gained
    }

    /// The first improving move around `a`, applied; its gain.
    fn improve(&self, s: &mut Scratch, a: u32) -> Option<i64> {
        let found = self.improve_two_opt(s, a).or_else(|| self.improve_or_opt(s, a));
        match self.moves {
            Moves::TwoOptOrOpt => found,
            Moves::OrThreeOpt => found.or_else(|| self.improve_or_three_opt(s, a)),
        }
    }

    fn improve_two_opt(&self, s: &mut Scratch, a: u32) -> Option<i64> {
        for forward in [true, false] {
            let b = step(&s.tour, a, forward);
            let ab = self.d(a, b);
            for r in 0..self.near.k() {
                let c = self.near.get(a, r);
                let ac = self.near.distance(a, r);
                if ac >= ab {
                    break;
                }
                let e = step(&s.tour, c, forward);
                if c == b || e == a {
                    continue;
                }
                let gain = ab + self.d(c, e) - ac - self.d(b, e);
                if gain > 0 {
                    s.two_opt(a, b, c, e);
                    for city in [a, b, c, e] {
                        s.push(city);
                    }
                    return Some(gain);
                }
            }
        }
        None
    }

    /// Move the segment of 1 to 3 cities that starts at `a` (either way along the
    /// tour) next to one of `a`'s neighbours.
    fn improve_or_opt(&self, s: &mut Scratch, a: u32) -> Option<i64> {
        for forward in [true, false] {
            let before = step(&s.tour, a, !forward);
            let mut end = a;
            for _ in 0..OR_OPT_MAX_LEN {
                let after = step(&s.tour, end, forward);
                if after == before {
                    break;
                }
                let removed = self.d(before, a) + self.d(end, after) - self.d(before, after);
                if removed > 0
                    && let Some(gain) = self.insert_near(s, a, end, forward, removed)
                {
                    for city in [a, end, before, after] {
                        s.push(city);
                    }
                    return Some(gain);
                }
                end = after;
            }
        }
        None
    }

    /// Insert the segment `a..end` (running `forward` from `a`) so that `a` sits
    /// next to a neighbour `c`, if that gains; `removed` is what taking it out saves.
    fn insert_near(&self, s: &mut Scratch, a: u32, end: u32, forward: bool, removed: i64) -> Option<i64> {
        let (first, last) = if forward { (a, end) } else { (end, a) };
        let before_first = s.tour.at(s.tour.position_of(first) + s.tour.len() - 1);
        for r in 0..self.near.k() {
            let c = self.near.get(a, r);
            let ac = self.near.distance(a, r);
            if ac >= removed {
                break;
            }
            if in_segment(&s.tour, first, last, c) {
                continue;
            }
            for c_first in [true, false] {
                let e = step(&s.tour, c, c_first);
                let gain = removed + self.d(c, e) - ac - self.d(end, e);
                // The insertion edge (c0, e0) as it runs forward.
                let (c0, e0) = if c_first { (c, e) } else { (e, c) };
                let valid = c0 != before_first && c0 != last && e0 != before_first && e0 != first;
                if gain > 0 && valid {
                    move_segment(s, first, last, c0, e0, a == first, c_first);
                    for city in [c, e] {
                        s.push(city);
                    }
                    return Some(gain);
                }
            }
        }
        None
    }

    /// The first improving or-3opt move from `t1` (see the module doc), applied.
    fn improve_or_three_opt(&self, s: &mut Scratch, t1: u32) -> Option<i64> {
        for forward in [true, false] {
            let t2 = step(&s.tour, t1, forward);
            let removed_12 = self.d(t1, t2);
            for r3 in 0..self.near.k().min(OR_THREE_OPT_BREADTH) {
                let t3 = self.near.get(t2, r3);
                let g1 = removed_12 - self.near.distance(t2, r3);
                if g1 <= 0 {
                    break;
                }
                let t4 = step(&s.tour, t3, forward);
                if t3 == t1 || t4 == t1 {
                    continue;
                }
                // The ring t2..t3 (running `forward`) that breaking (t3, t4) closes.
                let open = g1 + self.d(t3, t4);
                for r5 in 0..self.near.k().min(OR_THREE_OPT_BREADTH) {
                    let t5 = self.near.get(t4, r5);
                    let g2 = open - self.near.distance(t4, r5);
                    if g2 <= 0 {
                        break;
                    }
                    if !on_path(&s.tour, t2, t3, t5, forward) {
                        continue;
                    }
                    for after in [true, false] {
                        // Break the ring next to t5: (t5, t6) after it, or (t6, t5) before.
                        if (after && t5 == t3) || (!after && t5 == t2) {
                            continue;
                        }
                        let t6 = step(&s.tour, t5, after == forward);
                        let gain = g2 + self.d(t5, t6) - self.d(t6, t1);
                        if gain > 0 {
                            if after {
                                swap_segments(s, [t1, t2, t3, t4, t5, t6]);
                            } else {
                                reverse_both(s, [t1, t2, t3, t4, t5, t6]);
                            }
                            for city in [t1, t2, t3, t4, t5, t6] {
                                s.push(city);
                            }
                            return Some(gain);
                        }
                    }
                }
            }
        }
        None
    }
}

/// The city after (`forward`) or before `city`.
#[inline(always)]
pub(crate) fn step(tour: &Tour, city: u32, forward: bool) -> u32 {
    let n = tour.len();
    let pos = tour.position_of(city);
    tour.at(if forward { pos + 1 } else { pos + n - 1 })
}

/// Whether `city` lies on the forward path `first..=last` (at most a few cities).
fn in_segment(tour: &Tour, first: u32, last: u32, city: u32) -> bool {
    on_path(tour, first, last, city, true)
}

/// Whether `city` lies on the path `from..=to` running `forward` (or backward).
#[inline(always)]
fn on_path(tour: &Tour, from: u32, to: u32, city: u32, forward: bool) -> bool {
    let n = tour.len();
    let (p, q, c) = (tour.position_of(from), tour.position_of(to), tour.position_of(city));
    if forward { (c + n - p) % n <= (q + n - p) % n } else { (p + n - c) % n <= (p + n - q) % n }
}

/// Or-opt as 2-opt moves: take the forward segment `first..=last` out and put it
/// between `c0` and `e0` (a forward edge outside it), with `a_first`'s end next to
/// `c` (`c_first`: `c` is `c0`, else `e0`).
fn move_segment(s: &mut Scratch, first: u32, last: u32, c0: u32, e0: u32, a_first: bool, c_first: bool) {
    let p = step(&s.tour, first, false);
    let next = step(&s.tour, last, true);
    // p first..last next .. c0 e0  ->  p c0 .. next last..first e0
    s.two_opt(p, first, c0, e0);
    // -> p next .. c0 last..first e0
    if c0 != next {
        s.two_opt(p, c0, next, last);
    }
    // The end that should touch c0: `a` if c is c0, the other end otherwise.
    let a = if a_first { first } else { last };
    let at_c0 = if c_first {
        a
    } else if a == first {
        last
    } else {
        first
    };
    if at_c0 != last {
        s.two_opt(c0, last, first, e0);
    }
}

/// `t1 [t2..t5] [t6..t3] t4` (all running one way) becomes `t1 [t6..t3] [t2..t5] t4`,
/// as three 2-opt moves: reverse the whole block, then each segment back.
fn swap_segments(s: &mut Scratch, [t1, t2, t3, t4, t5, t6]: [u32; 6]) {
    // -> t1 [t3..t6] [t5..t2] t4
    s.two_opt(t1, t2, t3, t4);
    // -> t1 [t6..t3] [t5..t2] t4
    if t3 != t6 {
        s.two_opt(t1, t3, t6, t5);
    }
    // -> t1 [t6..t3] [t2..t5] t4
    if t5 != t2 {
        s.two_opt(t3, t5, t2, t4);
    }
}

/// `t1 [t2..t6] [t5..t3] t4` (all running one way) becomes `t1 [t6..t2] [t3..t5] t4`:
/// two 2-opt moves, one per segment.
fn reverse_both(s: &mut Scratch, [t1, t2, t3, t4, t5, t6]: [u32; 6]) {
    // -> t1 [t6..t2] [t5..t3] t4
    if t2 != t6 {
        s.two_opt(t1, t2, t6, t5);
    }
    // -> t1 [t6..t2] [t3..t5] t4
    if t5 != t3 {
        s.two_opt(t2, t5, t3, t4);
    }
}
