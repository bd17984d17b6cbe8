//! `LargeSteps`: SA over the tours no 2-opt or or-opt move improves, one large step
//! at a time (Martin, Otto and Felten's large-step Markov chain).
//!
//! Each step of a plain run changes two or three edges, and a tour's macro route (the
//! way it crosses the map) is settled at middling temperatures by many such steps in
//! a row: runs of one instance end in a few different routes, and ch150's default run
//! reaches the optimum for 1 seed in 5. A large step instead *kicks* the tour and then
//! *descends*: it swaps two adjacent segments of up to [`KICK_MAX_SEGMENT`] cities (a
//! double bridge, the 3-edge change 2-opt and or-opt cannot undo in one move), then
//! applies improving 2-opt and or-opt moves around the changed edges until none is
//! left. The step's delta is the length of the new local optimum minus the current
//! one, and Metropolis accepts or rejects it at the schedule's temperature as usual.
//! O. Martin, S. W. Otto and E. W. Felten, "Large-step Markov chains for the
//! traveling salesman problem", Complex Systems 5(3):299-326, 1991.
//!
//! The descent is deterministic and looks only at the cities around changed edges
//! (each city's [`NEIGHBOURS`] nearest, with don't-look bits as a queue), so a step's
//! randomness is its three kick words and the whole run stays a pure function of
//! (instance, config, seed). The starting tour is the plain run's shuffle, descended
//! to a local optimum.
//!
//! What a step costs: `propose` works on a per-thread copy of the tour (a copy of the
//! order and its index, O(n), then the local descent), and records the descent as the
//! list of 2-opt reversals it made; `apply` replays that list on the real tour, where
//! the same reversals give the same result. Instances of up to
//! [`LARGE_STEP_MAX_CITIES`] cities may use large steps.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::Arc;

use crate::config::AnnealConfig;
use crate::problem::{Problem, Proposal};
use crate::rng::StepRng;

use super::distance::Distances;
use super::error::TspError;
use super::instance::{DEFAULT_MIN_STEPS, Tsp, one_auto_cycle};
use super::moves::NEIGHBOURS;
use super::neighbours::NeighbourLists;
use super::tour::Tour;
use super::{LARGE_STEP_MAX_CITIES, LARGE_STEP_MIN_CITIES};

/// Longest segment a kick moves.
pub const KICK_MAX_SEGMENT: usize = 30;
/// Longest segment an or-opt move of the descent carries.
const DESCENT_OR_OPT_MAX_LEN: usize = 3;

/// Expected large steps per second of one core: a fixed part (kick and descent) and
/// a part per city (the tour copy), measured on the reference machine (see
/// [`LargeSteps::expected_seconds`]).
const STEP_SECONDS: f64 = 2.7e-6;
/// See [`STEP_SECONDS`].
const STEP_SECONDS_PER_CITY: f64 = 0.65e-9;

/// A TSP instance annealed with large steps (see the module documentation).
#[derive(Clone, Debug)]
pub struct LargeSteps {
    tsp: Tsp,
    near: Arc<NeighbourLists>,
}

/// One large step: a kick, then the descent's reversals, and its length change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LargeStep {
    /// The kick: after ring position `at`, the next `first` cities trade places with
    /// the `second` after them.
    pub kick: Kick,
    /// The descent, as the ring positions `(i, j)` of each 2-opt reversal in order
    /// (an or-opt move is two or three of them): see [`Tour`]'s `two_opt`.
    reversals: Vec<(u32, u32)>,
    /// New local optimum's length minus the current tour's.
    delta: i64,
}

/// A double-bridge kick: two adjacent segments swapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kick {
    /// Ring position of the city before the first segment.
    pub at: u32,
    /// Cities in the first segment.
    pub first: u32,
    /// Cities in the second segment.
    pub second: u32,
}

impl LargeStep {
    /// Improving 2-opt reversals the descent made after the kick.
    pub fn descent_len(&self) -> usize {
        self.reversals.len()
    }

    /// Carry the step out on `tour`, the tour it was proposed for: the kick, then the
    /// descent's reversals (what [`Problem::apply`] does; it needs no instance data).
    pub fn apply_to(&self, tour: &mut Tour) {
        apply_kick(tour, self.kick);
        for &(i, j) in &self.reversals {
            tour.two_opt(i as usize, j as usize);
        }
    }
}

impl LargeSteps {
    /// Anneal `tsp` with large steps: from [`LARGE_STEP_MIN_CITIES`] to
    /// [`LARGE_STEP_MAX_CITIES`] cities.
    pub fn new(tsp: Tsp) -> Result<Self, TspError> {
        let n = tsp.len();
        if !(LARGE_STEP_MIN_CITIES..=LARGE_STEP_MAX_CITIES).contains(&n) {
            return Err(TspError::LargeStepCities { cities: n });
        }
        let near = match tsp.neighbour_lists() {
            Some(near) => near,
            None => Arc::new(NeighbourLists::build(tsp.coords(), NEIGHBOURS)),
        };
        Ok(Self { tsp, near })
    }

    /// The instance.
    pub fn tsp(&self) -> &Tsp {
        &self.tsp
    }

    /// The default total step budget: the plain run's seconds (about
    /// [`super::DEFAULT_SECONDS_PER_100_CITIES`] second of one core per 100 cities, at most
    /// [`super::DEFAULT_MAX_SECONDS`]) in large steps at this instance's expected speed, at
    /// least a thousand steps.
    pub fn default_steps(&self) -> u64 {
        ((self.tsp.default_seconds() / self.step_seconds()) as u64).max(DEFAULT_MIN_STEPS / 1_000)
    }

    /// The wall time `steps` large steps are expected to take on one core, in seconds
    /// (a planning figure: it never decides anything about the trajectory).
    pub fn expected_seconds(&self, steps: u64) -> f64 {
        steps as f64 * self.step_seconds()
    }

    fn step_seconds(&self) -> f64 {
        STEP_SECONDS + STEP_SECONDS_PER_CITY * self.tsp.len() as f64
    }

    /// The default settings: the `auto` schedule over [`LargeSteps::default_steps`]
    /// in one cycle.
    pub fn default_config(&self, seed: u64) -> AnnealConfig {
        one_auto_cycle(seed, self.default_steps())
    }
}

/// A tour being descended: a copy of the state's, the don't-look queue and the log.
struct Scratch {
    tour: Tour,
    queued: Vec<bool>,
    queue: VecDeque<u32>,
    reversals: Vec<(u32, u32)>,
}

thread_local! {
    /// Per-thread scratch, so a step allocates nothing but its move's log.
    static SCRATCH: RefCell<Option<Scratch>> = const { RefCell::new(None) };
}

/// The descent's view of an instance: distances and neighbour lists.
struct Descent<'a> {
    distances: &'a Distances,
    near: &'a NeighbourLists,
}

impl Descent<'_> {
    #[inline(always)]
    fn d(&self, a: u32, b: u32) -> i64 {
        self.distances.between(a, b)
    }

    /// Apply improving moves around the queued cities until none is left; the total
    /// length gained.
    fn run(&self, s: &mut Scratch) -> i64 {
        let mut gained = 0;
        while let Some(city) = s.queue.pop_front() {
            s.queued[city as usize] = false;
            if let Some(gain) = self.improve(s, city) {
                gained += gain;
            }
        }
        gained
    }

    /// The first improving 2-opt or or-opt move that links `a` to one of its
    /// neighbours, applied; its gain.
    fn improve(&self, s: &mut Scratch, a: u32) -> Option<i64> {
        self.improve_two_opt(s, a).or_else(|| self.improve_or_opt(s, a))
    }

    fn improve_two_opt(&self, s: &mut Scratch, a: u32) -> Option<i64> {
        for forward in [true, false] {
            let b = step(&s.tour, a, forward);
            let ab = self.d(a, b);
            for r in 0..self.near.k() {
                let c = self.near.get(a, r);
                let ac = self.d(a, c);
                if ac >= ab {
                    break;
                }
                let e = step(&s.tour, c, forward);
                if c == b || e == a {
                    continue;
                }
                let gain = ab + self.d(c, e) - ac - self.d(b, e);
                if gain > 0 {
                    two_opt(s, a, b, c, e);
                    for city in [a, b, c, e] {
                        push(s, city);
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
            for _ in 0..DESCENT_OR_OPT_MAX_LEN {
                let after = step(&s.tour, end, forward);
                if after == before {
                    break;
                }
                let removed = self.d(before, a) + self.d(end, after) - self.d(before, after);
                if removed > 0
                    && let Some(gain) = self.insert_near(s, a, end, forward, removed)
                {
                    for city in [a, end, before, after] {
                        push(s, city);
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
            if self.d(a, c) >= removed {
                break;
            }
            if in_segment(&s.tour, first, last, c) {
                continue;
            }
            for c_first in [true, false] {
                let e = step(&s.tour, c, c_first);
                let gain = removed + self.d(c, e) - self.d(c, a) - self.d(end, e);
                // The insertion edge (c0, e0) as it runs forward.
                let (c0, e0) = if c_first { (c, e) } else { (e, c) };
                let valid = c0 != before_first && c0 != last && e0 != before_first && e0 != first;
                if gain > 0 && valid {
                    move_segment(s, first, last, c0, e0, a == first, c_first);
                    for city in [c, e] {
                        push(s, city);
                    }
                    return Some(gain);
                }
            }
        }
        None
    }
}

/// The city after (`forward`) or before `city`.
#[inline(always)]
fn step(tour: &Tour, city: u32, forward: bool) -> u32 {
    let n = tour.len();
    let pos = tour.position_of(city);
    tour.at(if forward { pos + 1 } else { pos + n - 1 })
}

/// Whether `city` lies on the forward path `first..=last` (at most a few cities).
fn in_segment(tour: &Tour, first: u32, last: u32, city: u32) -> bool {
    let n = tour.len();
    let from = tour.position_of(first);
    let len = (tour.position_of(last) + n - from) % n;
    (tour.position_of(city) + n - from) % n <= len
}

fn push(s: &mut Scratch, city: u32) {
    if !s.queued[city as usize] {
        s.queued[city as usize] = true;
        s.queue.push_back(city);
    }
}

/// Remove edges {a, b} and {c, e} and add {a, c} and {b, e}, where b follows a and e
/// follows c in the same direction; logged as the reversal it is.
fn two_opt(s: &mut Scratch, a: u32, b: u32, c: u32, e: u32) {
    let (i, j) = if step(&s.tour, a, true) == b {
        (s.tour.position_of(a), s.tour.position_of(c))
    } else {
        (s.tour.position_of(b), s.tour.position_of(e))
    };
    s.tour.two_opt(i, j);
    s.reversals.push((i as u32, j as u32));
}

/// Or-opt as 2-opt moves: take the forward segment `first..=last` out and put it
/// between `c0` and `e0` (a forward edge outside it), with `a_first`'s end next to
/// `c` (`c_first`: `c` is `c0`, else `e0`).
fn move_segment(s: &mut Scratch, first: u32, last: u32, c0: u32, e0: u32, a_first: bool, c_first: bool) {
    let p = step(&s.tour, first, false);
    let next = step(&s.tour, last, true);
    // p first..last next .. c0 e0  ->  p c0 .. next last..first e0
    two_opt(s, p, first, c0, e0);
    // -> p next .. c0 last..first e0
    if c0 != next {
        two_opt(s, p, c0, next, last);
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
        two_opt(s, c0, last, first, e0);
    }
}

impl Problem for LargeSteps {
    type State = Tour;
    type Move = LargeStep;

    /// The shuffled starting tour of [`Tsp`], descended to a local optimum.
    fn initial_state(&self) -> Tour {
        let mut s = scratch_for(&self.tsp.initial_state());
        for city in 0..s.tour.len() as u32 {
            push(&mut s, city);
        }
        Descent { distances: &self.tsp.distances, near: &self.near }.run(&mut s);
        s.tour
    }

    fn propose(&self, tour: &Tour, rng: &mut StepRng) -> Proposal<LargeStep> {
        let n = tour.len();
        let longest = KICK_MAX_SEGMENT.min((n - 2) / 2);
        let kick = Kick {
            at: rng.below(n as u32),
            first: 1 + rng.index(longest) as u32,
            second: 1 + rng.index(longest) as u32,
        };
        SCRATCH.with_borrow_mut(|slot| {
            let s = match slot {
                Some(s) if s.tour.len() == n => {
                    s.tour.clone_from(tour);
                    s.reversals.clear();
                    s
                }
                _ => slot.insert(scratch_for(tour)),
            };
            let kicked = kick_delta(&self.tsp.distances, &s.tour, kick);
            apply_kick(&mut s.tour, kick);
            let (at, len) = (kick.at as usize, (kick.first + kick.second) as usize);
            for k in [0, 1, kick.first as usize, kick.first as usize + 1, len, len + 1] {
                let city = s.tour.at((at + k) % n);
                push(s, city);
            }
            let gained = Descent { distances: &self.tsp.distances, near: &self.near }.run(s);
            Proposal::Move(LargeStep { kick, reversals: s.reversals.clone(), delta: kicked - gained })
        })
    }

    #[inline]
    fn delta(&self, _tour: &Tour, mv: &LargeStep) -> f64 {
        mv.delta as f64
    }

    fn apply(&self, tour: &mut Tour, mv: &LargeStep) {
        mv.apply_to(tour);
    }

    fn energy(&self, tour: &Tour) -> f64 {
        self.tsp.energy(tour)
    }
}

fn scratch_for(tour: &Tour) -> Scratch {
    let n = tour.len();
    Scratch { tour: tour.clone(), queued: vec![false; n], queue: VecDeque::new(), reversals: Vec::new() }
}

/// Length change of swapping the kick's two segments.
fn kick_delta(distances: &Distances, tour: &Tour, kick: Kick) -> i64 {
    let d = |a: u32, b: u32| distances.between(a, b);
    let (at, first, second) = (kick.at as usize, kick.first as usize, kick.second as usize);
    let x = tour.at(at);
    let (b1, b2) = (tour.at(at + 1), tour.at(at + first));
    let (c1, c2) = (tour.at(at + first + 1), tour.at(at + first + second));
    let y = tour.at(at + first + second + 1);
    d(x, c1) + d(c2, b1) + d(b2, y) - d(x, b1) - d(b2, c1) - d(c2, y)
}

fn apply_kick(tour: &mut Tour, kick: Kick) {
    tour.swap_segments(kick.at as usize + 1, kick.first as usize, kick.second as usize);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{StepRng, StepStream};

    #[test]
    fn a_large_steps_delta_is_the_length_it_adds_and_its_end_is_a_local_optimum() {
        let problem = LargeSteps::new(Tsp::bundled("ch150").unwrap()).unwrap();
        let mut tour = problem.initial_state();
        let mut stream = StepStream::new(7, 0);
        for t in 0..2_000 {
            let words = stream.next_step();
            let mut rng = StepRng::new(7, t, &words);
            let Proposal::Move(mv) = problem.propose(&tour, &mut rng) else { panic!("step {t}: no move") };
            let before = problem.energy(&tour);
            let mut after = tour.clone();
            problem.apply(&mut after, &mv);
            assert_eq!(problem.energy(&after) - before, problem.delta(&tour, &mv), "step {t}");
            // Accept about half, so both the kept and the replaced tours are exercised.
            if t % 2 == 0 {
                tour = after;
            }
        }
        // No improving 2-opt move that links a city to one of its neighbours is left.
        let n = tour.len();
        let d = |a: u32, b: u32| problem.tsp.distances.between(a, b);
        for i in 0..n {
            for j in 0..n {
                let ((a, b), (c, e)) = (tour.edge(i), tour.edge(j));
                let linked = (0..problem.near.k()).any(|r| problem.near.get(a, r) == c);
                if linked && a != c && a != e && b != c {
                    assert!(d(a, c) + d(b, e) >= d(a, b) + d(c, e), "2-opt ({i}, {j}) improves");
                }
            }
        }
    }
}
