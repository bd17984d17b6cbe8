//! `TspMove`: 2-opt and or-opt, each drawn in a few words and priced in O(1).
//!
//! Both moves name ring positions of the current tour (see [`Tour`]). They are drawn
//! so that every proposal changes the edge set: a 2-opt never picks two adjacent
//! edges, an or-opt never puts a segment back where it was (unless reversed, which
//! is a real change) and never reverses a segment that is all the tour but two cities
//! (that only mirrors the tour). So there is nothing to redraw and no invalid
//! outcome, except on a 3-city tour, where every tour is the same and each step is
//! reported as [`InvalidKind::GENERIC`].
//!
//! **Where moves come from** ([`Candidates`]). `Uniform` draws the positions
//! uniformly, the textbook neighbourhood; on large instances nearly every such move
//! joins two far-apart cities and is rejected. `Nearest` (the default) draws a
//! city and one of its [`NEIGHBOURS`] nearest cities (see `neighbours`) and makes
//! the move that links the two:
//!
//! * 2-opt: city `a`, neighbour `c`; remove the edges leaving `a` and `c` on the
//!   same side (both successors or both predecessors, by a coin) and add `(a, c)`.
//! * or-opt: the segment of 1 to 3 cities starting at `s`, moved next to `s`'s
//!   neighbour `c`: after `c` as it is, or before `c` reversed (a coin), so that `s`
//!   and `c` end up adjacent either way.
//!
//! The neighbour's rank is uniform in `0..k`; a neighbour the move cannot use (the
//! city's tour neighbour for 2-opt, a city of the segment or beside it for or-opt,
//! at most 3 of the k) passes to the next rank, so a move always exists when
//! `k >= 4`. One step in [`UNIFORM_SHARE_INVERSE`] still draws a uniform move, so
//! every tour stays reachable (the k-nearest graph need not be connected; clustered
//! cities) and the hot start still mixes globally. Instances of fewer than
//! [`NEAREST_MIN_CITIES`] cities use uniform moves only.
//!
//! Words drawn from the step's generator: uniform 2-opt 3 (kind, i, offset), uniform
//! or-opt 5 (kind, start, length, gap, reversal); with `Nearest` one more word first
//! (the choice between near and uniform, the move kind and the side, from its bits),
//! then city and rank (2-opt) or city, rank and length (or-opt): never more than the
//! 6 cheap words of a step.

use crate::problem::{InvalidKind, Proposal};
use crate::rng::StepRng;

use super::distance::{Distances, euc_2d};
use super::neighbours::NeighbourLists;
use super::tour::{Tour, wrap};

/// Nearest neighbours per city that `Nearest` moves draw from.
pub const NEIGHBOURS: usize = 10;
/// With `Nearest` candidates, one step in this many draws a uniform move.
pub const UNIFORM_SHARE_INVERSE: u32 = 16;
/// Smallest instance that uses neighbour lists (below it every move is cheap to find).
pub const NEAREST_MIN_CITIES: usize = 10;

/// Longest segment an or-opt moves.
pub const OR_OPT_MAX_LEN: usize = 3;

/// A change to a tour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TspMove {
    /// Remove edges (i, i+1) and (j, j+1), reconnect as (i, j) and (i+1, j+1):
    /// the path from position i+1 to j is reversed. Positions are ring positions.
    TwoOpt {
        /// Position of the first removed edge's first city.
        i: u32,
        /// Position of the second removed edge's first city.
        j: u32,
    },
    /// Move the `len` cities at positions `start..start+len` to between positions
    /// `start+len-1+gap` and the one after it, optionally reversed.
    OrOpt {
        /// First position of the segment.
        start: u32,
        /// Cities in the segment, 1..=3.
        len: u8,
        /// How many cities past the segment it is inserted (1..=n-len-1).
        gap: u32,
        /// Insert the segment back to front.
        reversed: bool,
    },
}

/// Which moves a TSP run proposes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MoveMix {
    /// Half 2-opt, half or-opt (the default).
    #[default]
    Both,
    /// 2-opt only (the classic SA neighbourhood; used by the benchmark).
    TwoOptOnly,
    /// Or-opt only.
    OrOptOnly,
}

/// Where candidate moves come from (see the module documentation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Candidates {
    /// Positions drawn uniformly: the textbook neighbourhood.
    Uniform,
    /// A city and one of its [`NEIGHBOURS`] nearest cities (plus a few uniform moves).
    #[default]
    Nearest,
}

/// Draw a move from a city's neighbour list, or a uniform one (one step in
/// [`UNIFORM_SHARE_INVERSE`]).
#[inline(always)]
pub(crate) fn propose_near(
    tour: &Tour,
    near: &NeighbourLists,
    mix: MoveMix,
    rng: &mut StepRng,
) -> Proposal<TspMove> {
    let n = tour.len();
    let flags = rng.word();
    if (flags >> 8).is_multiple_of(UNIFORM_SHARE_INVERSE) {
        return propose(n, mix, rng);
    }
    let two_opt = match mix {
        MoveMix::Both => flags & 1 == 1,
        MoveMix::TwoOptOnly => true,
        MoveMix::OrOptOnly => false,
    };
    let other_side = flags & 2 == 2;
    let k = near.k();
    let city = rng.below(n as u32);
    let rank = rng.index(k);
    let from = tour.position_of(city);
    if two_opt {
        for r in 0..k {
            let c = near.get(city, wrap_rank(rank + r, k));
            let offset = wrap(tour.position_of(c) + n - from, n);
            // (a, succ a) and (c, succ c) share a city when c is a's tour neighbour.
            if (2..=n - 2).contains(&offset) {
                let (i, j) = if other_side {
                    (wrap(from + n - 1, n), wrap(tour.position_of(c) + n - 1, n))
                } else {
                    (from, tour.position_of(c))
                };
                return Proposal::Move(TspMove::TwoOpt { i: i as u32, j: j as u32 });
            }
        }
    } else {
        let len = 1 + rng.index(OR_OPT_MAX_LEN);
        for r in 0..k {
            let c = near.get(city, wrap_rank(rank + r, k));
            let offset = wrap(tour.position_of(c) + n - from, n);
            // After c: c outside the segment and not just before it. Before c,
            // reversed: c outside the segment and not just after it.
            let (gap, usable) = if other_side {
                (offset.wrapping_sub(len), offset > len)
            } else {
                (offset.wrapping_sub(len) + 1, offset >= len && offset <= n - 2)
            };
            if usable {
                return Proposal::Move(TspMove::OrOpt {
                    start: from as u32,
                    len: len as u8,
                    gap: gap as u32,
                    reversed: other_side,
                });
            }
        }
    }
    Proposal::Invalid(InvalidKind::GENERIC)
}

/// `rank mod k` for `rank < 2k`.
#[inline(always)]
fn wrap_rank(rank: usize, k: usize) -> usize {
    if rank >= k { rank - k } else { rank }
}

/// Draw a uniform move for a tour of `n` cities (n >= 3; a 3-city tour has no move).
#[inline(always)]
pub(crate) fn propose(n: usize, mix: MoveMix, rng: &mut StepRng) -> Proposal<TspMove> {
    if n < 4 {
        return Proposal::Invalid(InvalidKind::GENERIC);
    }
    let two_opt = match mix {
        MoveMix::Both => rng.coin(),
        MoveMix::TwoOptOnly => true,
        MoveMix::OrOptOnly => false,
    };
    if two_opt {
        // j is 2..=n-2 positions past i: the two edges share no city.
        let i = rng.index(n);
        let j = wrap(i + 2 + rng.index(n - 3), n);
        Proposal::Move(TspMove::TwoOpt { i: i as u32, j: j as u32 })
    } else {
        let start = rng.index(n);
        let len = 1 + rng.index(OR_OPT_MAX_LEN.min(n - 2));
        let gap = 1 + rng.index(n - len - 1);
        // With two cities left over, reversing the segment only mirrors the tour.
        let reversed = rng.coin() && n > len + 2;
        Proposal::Move(TspMove::OrOpt { start: start as u32, len: len as u8, gap: gap as u32, reversed })
    }
}

/// Tour length change the move would cause: O(1), four or six distance lookups.
#[inline(always)]
pub(crate) fn delta(distances: &Distances, tour: &Tour, mv: &TspMove) -> i64 {
    // One dispatch per move rather than one per lookup.
    match distances {
        Distances::Table { n, table } => {
            delta_by(tour, mv, |a, b| i64::from(table[a as usize * n + b as usize]))
        }
        Distances::Computed { coords } => {
            delta_by(tour, mv, |a, b| i64::from(euc_2d(coords[a as usize], coords[b as usize])))
        }
    }
}

#[inline(always)]
fn delta_by(tour: &Tour, mv: &TspMove, d: impl Fn(u32, u32) -> i64) -> i64 {
    match *mv {
        TspMove::TwoOpt { i, j } => {
            let ((a, b), (c, e)) = (tour.edge(i as usize), tour.edge(j as usize));
            d(a, c) + d(b, e) - d(a, b) - d(c, e)
        }
        TspMove::OrOpt { start, len, gap, reversed } => {
            let (start, len, gap, n) = (start as usize, len as usize, gap as usize, tour.len());
            // prev, segment first..last, next; insertion edge (c, e).
            let prev = tour.at(start + n - 1);
            let (first, last) = (tour.at(start), tour.at(start + len - 1));
            let next = tour.at(start + len);
            let (c, e) = (tour.at(start + len - 1 + gap), tour.at(start + len + gap));
            let (to_c, to_e) = if reversed { (last, first) } else { (first, last) };
            d(prev, next) - d(prev, first) - d(last, next) - d(c, e) + d(c, to_c) + d(to_e, e)
        }
    }
}

/// Carry the move out: O(n) at worst.
pub(crate) fn apply(tour: &mut Tour, mv: &TspMove) {
    match *mv {
        TspMove::TwoOpt { i, j } => tour.two_opt(i as usize, j as usize),
        TspMove::OrOpt { start, len, gap, reversed } => {
            tour.or_opt(start as usize, len as usize, gap as usize, reversed)
        }
    }
}
