//! `Tour`: the TSP state, a closed tour stored as the cities in visiting order.
//!
//! The array is read as a ring: position `n` is position `0` again. Moves name
//! positions, and a city-to-position index (`position`) is kept beside the order,
//! because moves drawn from neighbour lists start from cities ("link city a to its
//! neighbour c") and must find where those cities are in O(1). The index is derived
//! data: equality and `Hash` look at the order only.
//!
//! The two rearrangements moves need are here: reversing a ring range (2-opt) and
//! carrying a short segment past a block (or-opt). Both pick the cheaper of the two
//! equivalent ways round the ring, so their cost is at most n/2 element moves (2-opt)
//! and usually far less, and both update the index of exactly the cities they move.
//!
//! A tour also carries a *stamp*, a name for its content that large steps use to keep
//! a per-thread copy in step with it without comparing or copying n cities (see
//! [`super::large_step`]): every rearrangement here clears it, and only a large step's
//! `apply` sets it. It is never part of equality, hashing or a digest.

use std::hash::{Hash, Hasher};

/// A closed tour through every city once.
#[derive(Debug)]
pub struct Tour {
    order: Vec<u32>,
    /// `position[city]`: where `city` is in `order`.
    position: Vec<u32>,
    /// A name for this exact content, or 0 for "unnamed" (see the module doc): two
    /// tours with the same nonzero stamp hold the same order.
    stamp: u64,
}

impl PartialEq for Tour {
    fn eq(&self, other: &Self) -> bool {
        self.order == other.order
    }
}

impl Eq for Tour {}

impl Hash for Tour {
    /// The visiting order only (the position index follows from it); the same bytes
    /// as hashing the order itself.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.order.hash(state);
    }
}

impl Clone for Tour {
    fn clone(&self) -> Self {
        Self { order: self.order.clone(), position: self.position.clone(), stamp: self.stamp }
    }

    /// Reuses this tour's buffers: the annealer copies the best tour on every
    /// improvement, and that must not allocate.
    fn clone_from(&mut self, source: &Self) {
        self.order.clone_from(&source.order);
        self.position.clone_from(&source.position);
        self.stamp = source.stamp;
    }
}

impl Tour {
    /// A tour visiting `order` (a permutation of `0..n`; the caller guarantees it).
    pub(crate) fn from_order(order: Vec<u32>) -> Self {
        let mut position = vec![0u32; order.len()];
        for (pos, &city) in order.iter().enumerate() {
            position[city as usize] = pos as u32;
        }
        Self { order, position, stamp: 0 }
    }

    /// The stamp naming this content, 0 if none (see the module doc).
    #[inline(always)]
    pub(crate) fn stamp(&self) -> u64 {
        self.stamp
    }

    /// Name this content `stamp`: the caller guarantees that every tour carrying the
    /// same nonzero stamp holds the same order.
    #[inline(always)]
    pub(crate) fn set_stamp(&mut self, stamp: u64) {
        self.stamp = stamp;
    }

    /// Ring position of `city`.
    #[inline(always)]
    pub(crate) fn position_of(&self, city: u32) -> usize {
        self.position[city as usize] as usize
    }

    /// Set the index of the `len` ring positions from `start` (`start < n`) after
    /// they changed: the one or two plain ranges they cover, so no position is
    /// wrapped on its own.
    fn reindex(&mut self, start: usize, len: usize) {
        let n = self.order.len();
        let end = start + len;
        if end <= n {
            self.reindex_plain(start, end);
        } else {
            self.reindex_plain(start, n);
            self.reindex_plain(0, end - n);
        }
    }

    /// Set the index of positions `from..to` (`to <= n`).
    #[inline(always)]
    fn reindex_plain(&mut self, from: usize, to: usize) {
        for (pos, &city) in (from..).zip(&self.order[from..to]) {
            self.position[city as usize] = pos as u32;
        }
    }

    /// City indices in visiting order.
    pub fn order(&self) -> &[u32] {
        &self.order
    }

    /// Number of cities.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }

    /// The city at ring position `pos` (any `pos < 2n`).
    #[inline(always)]
    pub(crate) fn at(&self, pos: usize) -> u32 {
        self.order[wrap(pos, self.order.len())]
    }

    /// The edge leaving ring position `pos` (`pos < n`): the cities at `pos` and `pos + 1`.
    #[inline(always)]
    pub(crate) fn edge(&self, pos: usize) -> (u32, u32) {
        let next = if pos + 1 == self.order.len() { 0 } else { pos + 1 };
        (self.order[pos], self.order[next])
    }

    /// Reverse the ring range of `len` positions starting at `start` (`start < n`,
    /// `len <= n`).
    ///
    /// A range that runs past the end of the array is two slices, `head =
    /// order[start..n]` and `tail = order[0..len - (n - start)]`, and reversing the
    /// ring range reverses their concatenation `head ++ tail`: the first
    /// `m = min(|head|, |tail|)` cities of `head` trade places with the last `m` of
    /// `tail` (in mirrored order), and what is left in the middle, all in the longer
    /// slice, is reversed in place. Same result as swapping ring positions `start + k`
    /// and `start + len - 1 - k` one wrapped pair at a time, without a wrap per city.
    fn reverse_range(&mut self, start: usize, len: usize) {
        self.stamp = 0;
        let n = self.order.len();
        if start + len <= n {
            self.order[start..start + len].reverse();
        } else {
            let (rest, head) = self.order.split_at_mut(start);
            let tail = &mut rest[..start + len - n];
            let m = head.len().min(tail.len());
            let tail_from = tail.len() - m;
            for (a, b) in head[..m].iter_mut().zip(tail[tail_from..].iter_mut().rev()) {
                std::mem::swap(a, b);
            }
            if head.len() > tail.len() {
                head[m..].reverse();
            } else {
                tail[..tail_from].reverse();
            }
        }
        self.reindex(start, len);
    }

    /// 2-opt: replace edges (i, i+1) and (j, j+1) by (i, j) and (i+1, j+1), that is,
    /// reverse the path from position i+1 to j. Reversing the rest of the ring instead
    /// gives the same closed tour, so the shorter side is reversed.
    pub(crate) fn two_opt(&mut self, i: usize, j: usize) {
        let n = self.order.len();
        let inner = wrap(j + n - i, n); // positions i+1..=j
        if inner <= n - inner {
            self.reverse_range(wrap(i + 1, n), inner);
        } else {
            self.reverse_range(wrap(j + 1, n), n - inner);
        }
    }

    /// Swap the `first` cities from ring position `start` with the `second` after
    /// them (`first + second <= n`): a rotation of that ring range, done as three
    /// reversals.
    pub(crate) fn swap_segments(&mut self, start: usize, first: usize, second: usize) {
        let n = self.order.len();
        let start = wrap(start, n);
        self.reverse_range(start, first);
        self.reverse_range(wrap(start + first, n), second);
        self.reverse_range(start, first + second);
    }

    /// Or-opt: take the `len` cities at positions `start..start+len` and put them
    /// between the cities now at positions `after` and `after + 1`, which lie `gap`
    /// positions past the segment (`after = start + len - 1 + gap`, 1 <= gap <= n-len-1),
    /// reversed if asked. Either the `gap` cities between segment and insertion point
    /// move back by `len`, or the other `n - len - gap` cities move forward by `len`;
    /// the shorter is done.
    pub(crate) fn or_opt(&mut self, start: usize, len: usize, gap: usize, reversed: bool) {
        self.stamp = 0;
        let n = self.order.len();
        let mut segment = [0u32; 3];
        for (k, city) in segment[..len].iter_mut().enumerate() {
            *city = self.at(start + k);
        }
        if reversed {
            segment[..len].reverse();
        }
        let rest = n - len - gap;
        let (touched, segment_at) = if gap <= rest {
            // [segment][block of gap] -> [block][segment]
            for k in 0..gap {
                self.order[wrap(start + k, n)] = self.at(start + len + k);
            }
            (start, start + gap)
        } else {
            // [block of rest][segment], seen from the insertion point -> [segment][block]
            let block_start = start + len + gap; // = after + 1
            for k in (0..rest).rev() {
                self.order[wrap(block_start + len + k, n)] = self.at(block_start + k);
            }
            (block_start, block_start)
        };
        for (k, &city) in segment[..len].iter().enumerate() {
            self.order[wrap(segment_at + k, n)] = city;
        }
        self.reindex(wrap(touched, n), len + gap.min(rest));
    }
}

/// `pos mod n` for `pos < 3n`, without a division.
#[inline(always)]
pub(crate) fn wrap(pos: usize, n: usize) -> usize {
    if pos >= 2 * n {
        pos - 2 * n
    } else if pos >= n {
        pos - n
    } else {
        pos
    }
}

/// Replay digest (see `crate::digest`): the number of cities as a `u64`, then each
/// city index in visiting order as a `u32`, all little-endian.
impl crate::digest::StateDigest for Tour {
    fn digest(&self, into: &mut crate::digest::Digest) {
        crate::digest::StateDigest::digest(self.order.as_slice(), into);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_is_consistent(tour: &Tour) -> bool {
        tour.order.iter().enumerate().all(|(pos, &city)| tour.position_of(city) == pos)
    }

    #[test]
    fn reversing_a_ring_range_swaps_its_wrapped_pairs() {
        for n in [4, 5, 11, 12] {
            for start in 0..n {
                for len in 0..=n {
                    let mut tour = Tour::from_order((0..n as u32).collect());
                    let mut expected = tour.order.clone();
                    for k in 0..len / 2 {
                        expected.swap((start + k) % n, (start + len - 1 - k) % n);
                    }
                    tour.reverse_range(start, len);
                    assert_eq!(tour.order, expected, "n {n} start {start} len {len}");
                    assert!(index_is_consistent(&tour), "n {n} start {start} len {len}");
                }
            }
        }
    }

    #[test]
    fn swapping_segments_rotates_their_ring_range() {
        for n in [8, 9, 12] {
            for start in 0..n {
                for first in 1..n - 1 {
                    for second in 1..=n - first {
                        let mut tour = Tour::from_order((0..n as u32).collect());
                        let range: Vec<u32> = (0..first + second).map(|k| ((start + k) % n) as u32).collect();
                        let mut expected = tour.order.clone();
                        for (k, &city) in range[first..].iter().chain(&range[..first]).enumerate() {
                            expected[(start + k) % n] = city;
                        }
                        tour.swap_segments(start, first, second);
                        assert_eq!(tour.order, expected, "n {n} start {start} {first}+{second}");
                        assert!(index_is_consistent(&tour), "n {n} start {start} {first}+{second}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_position_index_follows_every_rearrangement() {
        let n = 11;
        let mut tour = Tour::from_order((0..n as u32).rev().collect());
        assert!(index_is_consistent(&tour));
        for i in 0..n {
            for offset in 2..=n - 2 {
                tour.two_opt(i, wrap(i + offset, n));
                assert!(index_is_consistent(&tour), "2-opt {i} +{offset}");
            }
            for len in 1..=3 {
                for gap in 1..=n - len - 1 {
                    tour.or_opt(i, len, gap, gap % 2 == 0);
                    assert!(index_is_consistent(&tour), "or-opt {i} {len} {gap}");
                }
            }
        }
    }
}
