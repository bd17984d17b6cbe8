//! `LargeSteps`: SA over the tours no 2-opt or or-opt move improves, one large step
//! at a time (Martin, Otto and Felten's large-step Markov chain).
//!
//! Each step of a plain run changes two or three edges, and a tour's macro route (the
//! way it crosses the map) is settled at middling temperatures by many such steps in
//! a row: runs of one instance end in a few different routes, and ch150's default run
//! reaches the optimum for 1 seed in 5. A large step instead *kicks* the tour and then
//! *descends*: it swaps two adjacent segments (a double bridge, the 3-edge change
//! 2-opt and or-opt cannot undo in one move; each segment of up to [`KICK_MAX_SEGMENT`]
//! cities, or in move set 3 up to half the tour), then
//! applies improving 2-opt and or-opt moves around the changed edges until none is
//! left. The step's delta is the length of the new local optimum minus the current
//! one, and Metropolis accepts or rejects it at the schedule's temperature as usual.
//! O. Martin, S. W. Otto and E. W. Felten, "Large-step Markov chains for the
//! traveling salesman problem", Complex Systems 5(3):299-326, 1991.
//!
//! The descent ([`super::descent`]) is deterministic and looks only at the cities
//! around changed edges, so a step's randomness is its three kick words and the whole
//! run stays a pure function of (instance, config, seed). The starting tour is the
//! plain run's shuffle, descended to a local optimum. Which moves the descent makes is
//! the [`MoveSet`], with how far a kick reaches: version 1 (2-opt and or-opt), what
//! records that name none were made with; version 2 (adding or-3opt), for runs that
//! ask; version 3 (version 1's descent, kicks over the whole tour), likewise; version
//! 4 (version 1's descent, kicks of up to [`KICK_V4_MAX_SEGMENT`] cities a segment
//! whose swap moves the two shorter of the three segments), likewise. Version 1 is
//! the default.
//!
//! What a step costs: `propose` works on a per-thread copy of the tour and records the
//! descent as the list of 2-opt reversals it made; `apply` replays that list on the
//! real tour, where the same reversals give the same result. The copy is kept in step
//! without an O(n) copy per step: every proposal names the tour it would make with a
//! fresh stamp ([`Tour`]'s), and leaves that tour on the copy. At the next proposal,
//! if the real tour carries that stamp (the step was accepted) the copy already holds
//! it; if it carries the stamp of the tour the proposal was made for (rejected), the
//! copy replays the reversals backwards and swaps the kick's segments back; only
//! otherwise (another thread's proposal won a speculative round, or the tour was
//! changed some other way) is it copied. Either way the copy holds exactly the tour
//! `propose` was given, so steps do not depend on the thread or the order of calls.
//! Instances of up to [`LARGE_STEP_MAX_CITIES`] cities may use large steps.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::config::AnnealConfig;
use crate::problem::{Problem, Proposal};
use crate::rng::StepRng;

use super::descent::{Descent, Moves, Scratch};
use super::distance::Distances;
use super::error::TspError;
use super::instance::{DEFAULT_MIN_STEPS, Tsp, one_auto_cycle};
use super::moves::NEIGHBOURS;
use super::neighbours::NeighbourLists;
use super::tour::Tour;
use super::{LARGE_STEP_MAX_CITIES, LARGE_STEP_MIN_CITIES};

/// Longest segment a kick of move sets 1 and 2 moves.
pub const KICK_MAX_SEGMENT: usize = 30;
/// Longest segment a kick of move set 4 moves (on tours of more than twice as many
/// cities; on smaller ones, half the tour as in move set 3).
pub const KICK_V4_MAX_SEGMENT: usize = 125;

/// Expected CPU time of one large step (move set 1) on one core: a fixed part (kick,
/// descent, replay) and a part per city (longer reversals on larger tours; before the
/// copy was kept in step it was the O(n) copy, 0.65 ns a city). From `tsp_pace` runs
/// on the 2-core machine, shared: 2.6, 2.9 and 3.2 us a step on pcb442, pr1002 and
/// pr2392 (see [`LargeSteps::expected_seconds`]).
const STEP_SECONDS: f64 = 2.5e-6;
/// See [`STEP_SECONDS`].
const STEP_SECONDS_PER_CITY: f64 = 0.3e-9;

/// A TSP instance annealed with large steps (see the module documentation).
#[derive(Clone, Debug)]
pub struct LargeSteps {
    tsp: Tsp,
    near: Arc<NeighbourLists>,
    version: MoveSet,
}

/// Which moves a large step's descent makes: part of a run's definition, so records
/// name it (a record that does not was made with [`MoveSet::V1`]).
///
/// The default is still V1. V2's deeper descent costs more per step than it gains at
/// equal CPU time (`benches/tsp_pace.rs`, pr2392 at 8 s, seeds 1-3: V1 0.06, 0.13,
/// 0.17% above the optimum, V2 0.39, 0.23, 0.21%). V3's wide kicks win on pr1002 but
/// lose on pr2392 (see [`MoveSet::V3`]); V4's capped ones are the candidate for the
/// next default (see [`MoveSet::V4`]). All three are there for runs that ask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MoveSet {
    /// 2-opt and or-opt after kicks of up to [`KICK_MAX_SEGMENT`] cities a segment
    /// (the first large steps; what a record that names no version was made with).
    #[default]
    V1,
    /// 2-opt, or-opt and or-3opt (segment insertion of any length): a kicked tour
    /// descends to a deeper local optimum, at about half the steps per second.
    V2,
    /// V1's descent after wide kicks: each segment of 1 to `(n - 2) / 2` cities, so a
    /// kick can carry a stretch of the route anywhere along the tour (Martin, Otto and
    /// Felten's double bridge over the whole tour). On pr1002 at 3 s of one core, seeds
    /// 1-8, the median gap to the optimum falls from 0.26% (V1) to 0.09%; but on pr2392
    /// at 55 s, seeds 1-3, it ends at 0.08, 0.42 and 0.32% (V1: 0.03%, one seed), the
    /// O(n) swap of a step outweighing what it gains (`benches/tsp/compare.py`).
    V3,
    /// V1's descent after kicks whose segments reach up to [`KICK_V4_MAX_SEGMENT`]
    /// cities (at most `(n - 2) / 2`), of which the swap moves the two shorter of the
    /// three segments the kick cuts the ring into (the same closed tour as swapping the
    /// first two): a kick reaches far along the route, yet moves at most twice the cap,
    /// never O(n) cities.
    ///
    /// The cap, from runs at LKH-3's time to the optimum (`benches/tsp/compare.py
    /// --moves 4`, one core each, seeds 1-5 on pr1002, 1-3 elsewhere), median gap to the
    /// optimum with a cap of 125 / a cap of 250 / V1: pcb442 at 3.6 s 0.000 / 0.034 /
    /// 0.000%, pr1002 at 4.5 s 0.189 / 0.000 / 0.292%, pr2392 at 55 s 0.040 / 0.211 /
    /// 0.136%; pcb3038 at 175 s 0.022% (cap 125, seeds 0.044, 0.022, 0.018) / 0.086%
    /// (one seed) / 0.148 and 0.129% (two seeds). No one cap is best everywhere; 125 is
    /// at least as good as V1 on each and within 0.1% on three of the four (V1: one). A
    /// step costs about 1.7x V1's (longer kicks, longer descents), so before V4 becomes
    /// the default the step-time model that sizes default runs needs a V4 figure.
    V4,
}

impl MoveSet {
    /// The version number records carry.
    pub fn number(self) -> u32 {
        match self {
            MoveSet::V1 => 1,
            MoveSet::V2 => 2,
            MoveSet::V3 => 3,
            MoveSet::V4 => 4,
        }
    }

    /// The move set a version number names, if any.
    pub fn from_number(number: u32) -> Option<MoveSet> {
        [MoveSet::V1, MoveSet::V2, MoveSet::V3, MoveSet::V4].into_iter().find(|m| m.number() == number)
    }

    fn moves(self) -> Moves {
        match self {
            MoveSet::V1 | MoveSet::V3 | MoveSet::V4 => Moves::TwoOptOrOpt,
            MoveSet::V2 => Moves::OrThreeOpt,
        }
    }

    /// Longest segment a kick of this move set moves on a tour of `n` cities.
    fn kick_max_segment(self, n: usize) -> usize {
        let half = (n - 2) / 2;
        match self {
            MoveSet::V1 | MoveSet::V2 => KICK_MAX_SEGMENT.min(half),
            MoveSet::V3 => half,
            MoveSet::V4 => KICK_V4_MAX_SEGMENT.min(half),
        }
    }
}

/// One large step: a kick, then the descent's reversals, and its length change.
#[derive(Clone, Debug)]
pub struct LargeStep {
    /// The kick: after ring position `at`, the next `first` cities trade places with
    /// the `second` after them.
    pub kick: Kick,
    /// The descent, as the ring positions `(i, j)` of each 2-opt reversal in order
    /// (an or-opt move is two or three of them): see [`Tour`]'s `two_opt`.
    reversals: Vec<(u32, u32)>,
    /// New local optimum's length minus the current tour's.
    delta: i64,
    /// The stamp naming the tour this step makes (see [`Tour`]): not part of the step's
    /// identity (two proposals of the same step from the same tour are equal).
    stamp: u64,
}

impl PartialEq for LargeStep {
    fn eq(&self, other: &Self) -> bool {
        (self.kick, &self.reversals, self.delta) == (other.kick, &other.reversals, other.delta)
    }
}

impl Eq for LargeStep {}

/// A double-bridge kick: two adjacent segments swapped.
///
/// Cutting the ring after `at`, after the first segment and after the second leaves
/// three segments A, B and the rest C; swapping any two of them gives the same closed
/// tour (B A C), at different ring positions. Move sets 1 to 3 swap A and B; move set
/// 4 the two shorter (`shorter`), so the swap's cost is bounded by the segments'
/// cap, not the tour's length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kick {
    /// Ring position of the city before the first segment.
    pub at: u32,
    /// Cities in the first segment.
    pub first: u32,
    /// Cities in the second segment.
    pub second: u32,
    /// Whether the swap moves the two shorter of the three segments (move set 4)
    /// rather than the first two.
    pub shorter: bool,
}

impl Kick {
    /// The swap on a tour of `n` cities, as [`Tour`]'s `swap_segments` takes it: the
    /// ring position of the earlier segment and the lengths of the two it trades.
    fn swap(self, n: usize) -> (usize, usize, usize) {
        let (at, first, second) = (self.at as usize, self.first as usize, self.second as usize);
        let rest = n - first - second;
        if !self.shorter || rest >= first.max(second) {
            (at + 1, first, second)
        } else if first >= second {
            (at + 1 + first, second, rest)
        } else {
            (at + 1 + first + second, rest, first)
        }
    }
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
        tour.set_stamp(self.stamp);
    }
}

impl LargeSteps {
    /// Anneal `tsp` with large steps of the default move set: from
    /// [`LARGE_STEP_MIN_CITIES`] to [`LARGE_STEP_MAX_CITIES`] cities.
    pub fn new(tsp: Tsp) -> Result<Self, TspError> {
        Self::with_moves(tsp, MoveSet::default())
    }

    /// Anneal `tsp` with large steps of move set `version` (a record's).
    pub fn with_moves(tsp: Tsp, version: MoveSet) -> Result<Self, TspError> {
        let n = tsp.len();
        if !(LARGE_STEP_MIN_CITIES..=LARGE_STEP_MAX_CITIES).contains(&n) {
            return Err(TspError::LargeStepCities { cities: n });
        }
        let near = match tsp.neighbour_lists() {
            Some(near) => near,
            None => Arc::new(NeighbourLists::build(tsp.coords(), NEIGHBOURS)),
        };
        Ok(Self { tsp, near, version })
    }

    /// The move set of the descent.
    pub fn moves(&self) -> MoveSet {
        self.version
    }

    fn descent(&self) -> Descent<'_> {
        Descent { distances: &self.tsp.distances, near: &self.near, moves: self.version.moves() }
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

thread_local! {
    /// Per-thread scratch, so a step allocates nothing but its move's log.
    static SCRATCH: RefCell<Option<Synced>> = const { RefCell::new(None) };
}

/// Source of tour stamps (see [`Tour`]): each proposal names the tour it would make.
static NEXT_STAMP: AtomicU64 = AtomicU64::new(1);

/// A thread's scratch tour and what it holds: after a proposal, the proposed tour,
/// with the log to take it back to the tour it was proposed for.
struct Synced {
    s: Scratch,
    /// Stamp of the tour the scratch holds (0: none known).
    holds: u64,
    /// The last proposal still on the scratch: the stamp of the tour it was made for,
    /// and its kick (its reversals are `s.reversals`).
    undo: Option<(u64, Kick)>,
}

impl Synced {
    /// Make the scratch hold `tour`: nothing to do if it already does (the last
    /// proposal here was accepted), the last proposal undone if it was made for
    /// `tour` (rejected), otherwise a copy (a proposal from another thread won).
    fn hold(&mut self, tour: &Tour) {
        let stamp = tour.stamp();
        if stamp != 0 && stamp == self.holds {
            self.undo = None;
            return;
        }
        match self.undo.take() {
            Some((base, kick)) if stamp != 0 && base == stamp => {
                for &(i, j) in self.s.reversals.iter().rev() {
                    self.s.tour.two_opt(i as usize, j as usize);
                }
                undo_kick(&mut self.s.tour, kick);
            }
            _ => self.s.tour.clone_from(tour),
        }
        self.holds = stamp;
    }
}

impl Problem for LargeSteps {
    type State = Tour;
    type Move = LargeStep;

    /// The shuffled starting tour of [`Tsp`], descended to a local optimum.
    fn initial_state(&self) -> Tour {
        let mut s = Scratch::new(&self.tsp.initial_state());
        for city in 0..s.tour.len() as u32 {
            s.push(city);
        }
        self.descent().run(&mut s);
        let mut tour = s.tour;
        tour.set_stamp(NEXT_STAMP.fetch_add(1, Ordering::Relaxed));
        tour
    }

    fn propose(&self, tour: &Tour, rng: &mut StepRng) -> Proposal<LargeStep> {
        let n = tour.len();
        let longest = self.version.kick_max_segment(n);
        let kick = Kick {
            at: rng.below(n as u32),
            first: 1 + rng.index(longest) as u32,
            second: 1 + rng.index(longest) as u32,
            shorter: self.version == MoveSet::V4,
        };
        SCRATCH.with_borrow_mut(|slot| {
            let synced = match slot {
                Some(synced) if synced.s.tour.len() == n => {
                    synced.hold(tour);
                    synced
                }
                _ => slot.insert(Synced { s: Scratch::new(tour), holds: tour.stamp(), undo: None }),
            };
            let base = synced.holds;
            let s = &mut synced.s;
            s.reversals.clear();
            let kicked = kick_delta(&self.tsp.distances, &s.tour, kick);
            let (at, first, len) =
                (kick.at as usize, kick.first as usize, (kick.first + kick.second) as usize);
            if kick.shorter {
                // The six cities at the ends of the cut edges, found before the swap
                // moves them.
                let ends = [0, 1, first, first + 1, len, len + 1].map(|k| s.tour.at((at + k) % n));
                apply_kick(&mut s.tour, kick);
                for city in ends {
                    s.push(city);
                }
            } else {
                // Move sets 1 to 3 queue the cities at these positions after the swap
                // (which are the cut edges' ends only when both segments are as long).
                apply_kick(&mut s.tour, kick);
                for k in [0, 1, first, first + 1, len, len + 1] {
                    let city = s.tour.at((at + k) % n);
                    s.push(city);
                }
            }
            let gained = self.descent().run(s);
            let stamp = NEXT_STAMP.fetch_add(1, Ordering::Relaxed);
            synced.holds = stamp;
            synced.undo = Some((base, kick));
            let reversals = synced.s.reversals.clone();
            Proposal::Move(LargeStep { kick, reversals, delta: kicked - gained, stamp })
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
    let (start, a, b) = kick.swap(tour.len());
    tour.swap_segments(start, a, b);
}

/// The inverse of [`apply_kick`]: the two segments, now in the other order, swapped back.
fn undo_kick(tour: &mut Tour, kick: Kick) {
    let (start, a, b) = kick.swap(tour.len());
    tour.swap_segments(start, b, a);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{StepRng, StepStream};

    #[test]
    fn a_large_steps_delta_is_the_length_it_adds_and_its_end_is_a_local_optimum() {
        for version in [MoveSet::V1, MoveSet::V2, MoveSet::V3, MoveSet::V4] {
            deltas_are_lengths_and_ends_are_local_optima(version);
        }
    }

    fn deltas_are_lengths_and_ends_are_local_optima(version: MoveSet) {
        let problem = LargeSteps::with_moves(Tsp::bundled("ch150").unwrap(), version).unwrap();
        let mut tour = problem.initial_state();
        let mut stream = StepStream::new(7, 0);
        for t in 0..2_000 {
            let words = stream.next_step();
            let mut rng = StepRng::new(7, t, &words);
            let Proposal::Move(mv) = problem.propose(&tour, &mut rng) else { panic!("step {t}: no move") };
            let before = problem.energy(&tour);
            let mut after = tour.clone();
            problem.apply(&mut after, &mv);
            assert_eq!(problem.energy(&after) - before, problem.delta(&tour, &mv), "{version:?} step {t}");
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
                    assert!(d(a, c) + d(b, e) >= d(a, b) + d(c, e), "{version:?}: 2-opt ({i}, {j}) improves");
                }
            }
        }
    }

    /// Move set 4's kick swaps the two shorter of the three segments: the same closed
    /// tour as swapping the first two (the ring B A C either way), at most the two
    /// shorter segments' cities moved, and undone exactly.
    #[test]
    fn a_kick_of_the_shorter_pair_makes_the_same_ring_and_undoes_exactly() {
        // The ring read from city 0 onwards in the direction of the city after it.
        let ring = |tour: &Tour| -> Vec<u32> {
            let n = tour.len();
            let zero = tour.position_of(0);
            (0..n).map(|k| tour.at(zero + k)).collect()
        };
        for n in [8, 9, 12, 31] {
            for at in 0..n {
                for first in 1..n - 2 {
                    for second in 1..=n - 2 - first {
                        let start = Tour::from_order((0..n as u32).collect());
                        let wide = Kick {
                            at: at as u32,
                            first: first as u32,
                            second: second as u32,
                            shorter: false,
                        };
                        let short = Kick { shorter: true, ..wide };
                        let (mut a, mut b) = (start.clone(), start.clone());
                        apply_kick(&mut a, wide);
                        apply_kick(&mut b, short);
                        assert_eq!(ring(&a), ring(&b), "n {n} at {at} {first}+{second}");
                        let moved = b.order().iter().zip(start.order()).filter(|(x, y)| x != y).count();
                        let longest = first.max(second).max(n - first - second);
                        assert!(moved <= n - longest, "n {n} at {at} {first}+{second}: {moved} moved");
                        undo_kick(&mut b, short);
                        assert_eq!(b.order(), start.order(), "n {n} at {at} {first}+{second}");
                    }
                }
            }
        }
    }

    /// The per-thread copy is kept in step by undoing rejected proposals and keeping
    /// accepted ones: whatever a thread proposed before, and for whichever tour, its
    /// proposal for a tour equals a fresh thread's, and its delta is the tour's change.
    #[test]
    fn a_proposal_is_the_same_whatever_the_thread_proposed_before() {
        for version in [MoveSet::V1, MoveSet::V2, MoveSet::V3, MoveSet::V4] {
            proposals_follow_the_tour_not_the_thread(version);
        }
    }

    fn proposals_follow_the_tour_not_the_thread(version: MoveSet) {
        let problem = LargeSteps::with_moves(Tsp::bundled("pcb442").unwrap(), version).unwrap();
        let mut tour = problem.initial_state();
        let mut older = tour.clone();
        let mut stream = StepStream::new(11, 0);
        let propose = |tour: &Tour, t: u64, words: &crate::rng::StepWords| {
            let Proposal::Move(mv) = problem.propose(tour, &mut StepRng::new(11, t, words)) else {
                panic!("step {t}: no move")
            };
            mv
        };
        for t in 0..3_000 {
            let words = stream.next_step();
            let mv = propose(&tour, t, &words);
            if t % 7 == 0 {
                let fresh =
                    std::thread::scope(|scope| scope.spawn(|| propose(&tour, t, &words)).join().unwrap());
                assert_eq!(mv, fresh, "{version:?} step {t}");
            }
            if t % 5 == 0 {
                // A proposal for an older tour in between (another replica's, say).
                propose(&older, t, &words);
                assert_eq!(propose(&tour, t, &words), mv, "step {t} after an older tour");
            }
            let before = problem.energy(&tour);
            let mut after = tour.clone();
            problem.apply(&mut after, &mv);
            assert_eq!(problem.energy(&after) - before, problem.delta(&tour, &mv), "step {t}");
            if t % 3 != 1 {
                older = std::mem::replace(&mut tour, after);
            }
        }
    }
}
