//! `Spins`: the magnet's state, the spins plus what makes a flip cheap to price.
//!
//! Besides the spins `s_i` in {-1, +1} the state keeps every spin's local coupling
//! field `f_i = sum_j J_ij s_j` and the total magnetisation `M = sum_i s_i`. Pricing
//! a flip then reads two numbers (`delta = 2 s_i (f_i + h)`), and carrying it out
//! touches the flipped spin's row of the couplings only: O(degree). The fields are
//! derived data, so the state's identity (its replay digest, equality) is the spins alone.

use super::couplings::Couplings;
use crate::digest::{Digest, StateDigest};

/// Ising spins with their kept local fields.
#[derive(Debug)]
pub struct Spins {
    spins: Vec<i8>,
    fields: Vec<i32>,
    magnetization: i64,
}

impl Spins {
    /// The state with these spins (each -1 or +1), fields computed from `couplings`.
    pub(crate) fn new(spins: Vec<i8>, couplings: &Couplings) -> Self {
        let fields = (0..spins.len())
            .map(|i| {
                let (nbrs, js) = couplings.row(i);
                nbrs.iter().zip(js).map(|(&j, &c)| c * i32::from(spins[j as usize])).sum::<i32>()
            })
            .collect();
        let magnetization = spins.iter().map(|&s| i64::from(s)).sum();
        Self { spins, fields, magnetization }
    }

    /// The spins, each -1 or +1, in site order.
    pub fn spins(&self) -> &[i8] {
        &self.spins
    }

    /// Number of spins.
    pub fn len(&self) -> usize {
        self.spins.len()
    }

    /// Always false: an instance has at least two spins.
    pub fn is_empty(&self) -> bool {
        self.spins.is_empty()
    }

    /// Spin `i` (-1 or +1).
    #[inline(always)]
    pub fn spin(&self, i: usize) -> i8 {
        self.spins[i]
    }

    /// The coupling field on spin `i`: `sum_j J_ij s_j` (without the external field).
    #[inline(always)]
    pub fn local_field(&self, i: usize) -> i32 {
        self.fields[i]
    }

    /// The total magnetisation `sum_i s_i`.
    pub fn magnetization_sum(&self) -> i64 {
        self.magnetization
    }

    /// Energy change of flipping spin `i` under external field `h`: `2 s_i (f_i + h)`.
    /// Exact: `f_i` is an integer and `h` a multiple of 1/1024 (see `Magnet::field`).
    #[inline(always)]
    pub(crate) fn flip_delta(&self, i: usize, h: f64) -> f64 {
        let s = f64::from(self.spins[i]);
        2.0 * s * (f64::from(self.fields[i]) + h)
    }

    /// Flip spin `i` and update its neighbours' fields: O(degree(i)).
    #[inline(always)]
    pub(crate) fn flip(&mut self, i: usize, couplings: &Couplings) {
        let s = -self.spins[i];
        self.spins[i] = s;
        self.magnetization += 2 * i64::from(s);
        let twice = 2 * i32::from(s);
        let (nbrs, js) = couplings.row(i);
        for (&j, &c) in nbrs.iter().zip(js) {
            self.fields[j as usize] += twice * c;
        }
    }
}

impl Clone for Spins {
    fn clone(&self) -> Self {
        Self { spins: self.spins.clone(), fields: self.fields.clone(), magnetization: self.magnetization }
    }

    /// Reuses this state's buffers: the annealer copies the best state on every
    /// improvement, and that must not allocate.
    fn clone_from(&mut self, source: &Self) {
        self.spins.clone_from(&source.spins);
        self.fields.clone_from(&source.fields);
        self.magnetization = source.magnetization;
    }
}

impl PartialEq for Spins {
    /// Equal spins are equal states (the fields follow from them).
    fn eq(&self, other: &Self) -> bool {
        self.spins == other.spins
    }
}

impl Eq for Spins {}

/// Replay digest (see `crate::digest`): the number of spins as a `u64`, then each
/// spin as one byte (+1 as 0x01, -1 as 0xff) in site order, little-endian throughout.
impl StateDigest for Spins {
    fn digest(&self, into: &mut Digest) {
        self.spins.as_slice().digest(into);
    }
}
