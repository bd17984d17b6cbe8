//! `Tour`: the TSP state, a closed tour stored as the cities in visiting order.
//!
//! The array is read as a ring: position `n` is position `0` again. Moves name
//! positions, not cities, so proposing needs no city-to-position index and the state
//! is one `Vec<u32>`. The two rearrangements moves need are here: reversing a ring
//! range (2-opt) and carrying a short segment past a block (or-opt). Both pick the
//! cheaper of the two equivalent ways round the ring, so their cost is at most n/2
//! element moves (2-opt) and usually far less.

/// A closed tour through every city once.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Tour {
    order: Vec<u32>,
}

impl Clone for Tour {
    fn clone(&self) -> Self {
        Self { order: self.order.clone() }
    }

    /// Reuses this tour's buffer: the annealer copies the best tour on every
    /// improvement, and that must not allocate.
    fn clone_from(&mut self, source: &Self) {
        self.order.clone_from(&source.order);
    }
}

impl Tour {
    /// A tour visiting `order` (a permutation of `0..n`; the caller guarantees it).
    pub(crate) fn from_order(order: Vec<u32>) -> Self {
        Self { order }
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

    /// Reverse the ring range of `len` positions starting at `start`.
    fn reverse_range(&mut self, start: usize, len: usize) {
        let n = self.order.len();
        if start + len <= n {
            self.order[start..start + len].reverse();
        } else {
            for k in 0..len / 2 {
                self.order.swap(wrap(start + k, n), wrap(start + len - 1 - k, n));
            }
        }
    }

    /// 2-opt: replace edges (i, i+1) and (j, j+1) by (i, j) and (i+1, j+1), that is,
    /// reverse the path from position i+1 to j. Reversing the rest of the ring instead
    /// gives the same closed tour, so the shorter side is reversed.
    pub(crate) fn two_opt(&mut self, i: usize, j: usize) {
        let n = self.order.len();
        let inner = (j + n - i) % n; // positions i+1..=j
        if inner <= n - inner {
            self.reverse_range(wrap(i + 1, n), inner);
        } else {
            self.reverse_range(wrap(j + 1, n), n - inner);
        }
    }

    /// Or-opt: take the `len` cities at positions `start..start+len` and put them
    /// between the cities now at positions `after` and `after + 1`, which lie `gap`
    /// positions past the segment (`after = start + len - 1 + gap`, 1 <= gap <= n-len-1),
    /// reversed if asked. Either the `gap` cities between segment and insertion point
    /// move back by `len`, or the other `n - len - gap` cities move forward by `len`;
    /// the shorter is done.
    pub(crate) fn or_opt(&mut self, start: usize, len: usize, gap: usize, reversed: bool) {
        let n = self.order.len();
        let mut segment = [0u32; 3];
        for (k, city) in segment[..len].iter_mut().enumerate() {
            *city = self.at(start + k);
        }
        if reversed {
            segment[..len].reverse();
        }
        let rest = n - len - gap;
        let segment_at = if gap <= rest {
            // [segment][block of gap] -> [block][segment]
            for k in 0..gap {
                self.order[wrap(start + k, n)] = self.at(start + len + k);
            }
            start + gap
        } else {
            // [block of rest][segment], seen from the insertion point -> [segment][block]
            let block_start = start + len + gap; // = after + 1
            for k in (0..rest).rev() {
                self.order[wrap(block_start + len + k, n)] = self.at(block_start + k);
            }
            block_start
        };
        for (k, &city) in segment[..len].iter().enumerate() {
            self.order[wrap(segment_at + k, n)] = city;
        }
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
