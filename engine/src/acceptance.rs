//! The Metropolis test, decided without an `exp` for most uphill moves.
//!
//! The rule is: accept if `delta <= 0`, else if `u < exp(-delta / T)`, with `exp` the
//! platform's `f64::exp` ([`metropolis_plain`] spells it out). [`metropolis`] gives
//! the same verdict for every input, but for `x = delta / T > 0` it first tries two
//! bounds that hold for every `x >= 0` (truncated series of `e^x` and `e^-x`):
//!
//! * `exp(-x) <= 1 / (1 + x + x^2/2 + x^3/6)`: if `u` is above that, reject;
//! * `exp(-x) >= 1 - x + x^2/2 - x^3/6`: if `u` is below that, accept;
//!
//! and calls `exp` only when `u` falls between them. At the low temperatures where a
//! run spends most of its steps, most uphill moves are far uphill and rejected by the
//! first bound; at high temperatures most are accepted by the second.
//!
//! Rounding: the bounds are computed in floating point and `exp` itself may be off
//! by an ulp, so each shortcut keeps a margin (relative `1e-12` on the reject side,
//! absolute `1e-12` on the accept side, where the series cancels), thousands of
//! ulps wider than all those errors together. Inside the margins the plain formula
//! decides. NaN and infinite inputs fall through to it too. Tests compare the two on
//! millions of triples, including `u` at the neighbours of `exp(-x)` itself.
//!
//! **Few distinct deltas.** A problem whose deltas take few values (an Ising spin flip:
//! `2 s_i f_i` with integer fields) opts into a [`DeltaTable`]: for each delta met in a
//! block of steps whose temperatures lie in `[T_lo, T_hi]` it keeps
//! `exp(-delta / T_hi)` and `exp(-delta / T_lo)`, so a step's verdict is one load and
//! one or two comparisons with `u`; only a `u` between the two (a band as narrow as
//! the temperature's change over the block) goes to [`metropolis`]. Same margins,
//! same verdicts; tests compare it with the plain rule over a cooling schedule.

use crate::rng::UNIT;

/// Relative margin of the reject shortcut, absolute margin of the accept shortcut.
const MARGIN: f64 = 1e-12;

/// The Metropolis rule as printed: `delta <= 0 || u < exp(-delta / T)`.
#[inline]
pub fn metropolis_plain(delta: f64, temperature: f64, uniform: f64) -> bool {
    delta <= 0.0 || uniform < (-delta / temperature).exp()
}

/// The same verdict as [`metropolis_plain`], usually without calling `exp`.
///
/// The temperature and the uniform are asked for only when the move is uphill (or
/// the delta is NaN): a downhill or level move needs neither.
#[inline(always)]
pub fn metropolis(delta: f64, temperature: impl FnOnce() -> f64, uniform: impl FnOnce() -> f64) -> bool {
    if delta <= 0.0 {
        return true;
    }
    uphill(delta / temperature(), uniform())
}

/// Decide `u < exp(-x)` for `x = delta / T` (positive, or NaN/infinite).
#[inline(always)]
fn uphill(x: f64, u: f64) -> bool {
    const SIXTH: f64 = 1.0 / 6.0;
    // e^x >= 1 + x + x^2/2 + x^3/6 for x >= 0, so exp(-x) <= 1 / that.
    let series = 1.0 + x * (1.0 + x * (0.5 + x * SIXTH));
    if u * series >= 1.0 + MARGIN {
        return false;
    }
    // exp(-x) >= 1 - x + x^2/2 - x^3/6 for x >= 0 (an alternating series cut after a
    // negative term).
    let lower = 1.0 - x * (1.0 - x * (0.5 - x * SIXTH));
    if u < lower - MARGIN {
        return true;
    }
    u < (-x).exp()
}

/// Slots of a [`DeltaTable`] (a power of two): room for the few dozen distinct deltas
/// a Gset graph's flips have, with few collisions.
const TABLE_SLOTS: usize = 256;
/// Below this an `exp` may be subnormal, where a relative margin means nothing: a
/// threshold that small is not trusted for a shortcut.
const TINY: f64 = 1e-300;

/// Metropolis thresholds per delta for a block of temperatures (see the module docs).
#[derive(Clone, Debug)]
pub struct DeltaTable {
    /// A fixed-size array: the slot index needs no bounds check.
    slots: Box<[Slot; TABLE_SLOTS]>,
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    /// The block of steps the thresholds hold for.
    block: u64,
    /// The delta, NaN in an empty slot (equal to nothing).
    delta: f64,
    /// `u` below this accepts at every temperature of the block.
    accept_below: f64,
    /// `u` at or above this rejects at every temperature of the block.
    reject_from: f64,
    /// The same thresholds for a uniform given as its 53 bits `m` (`u = m 2^-53`):
    /// `u < accept_below` exactly when `m < accept_below_bits`, and so on.
    accept_below_bits: u64,
    reject_from_bits: u64,
}

impl Default for DeltaTable {
    fn default() -> Self {
        let empty = Slot {
            block: 0,
            delta: f64::NAN,
            accept_below: 0.0,
            reject_from: f64::INFINITY,
            accept_below_bits: 0,
            reject_from_bits: u64::MAX,
        };
        Self { slots: Box::new([empty; TABLE_SLOTS]) }
    }
}

impl DeltaTable {
    /// The verdict of [`metropolis_plain`] for an uphill (or NaN) `delta` at a step of
    /// temperature `temperature` in block `block`, whose temperatures `span` bounds
    /// (lowest, highest; asked for only when the delta is new to the block). The
    /// temperature is asked for only when the thresholds do not decide.
    #[inline(always)]
    pub fn uphill(
        &mut self,
        delta: f64,
        block: u64,
        span: impl FnOnce() -> (f64, f64),
        temperature: impl FnOnce() -> f64,
        u: f64,
    ) -> bool {
        // A NaN or infinite delta needs no test of its own: its slot's thresholds
        // decide only what the plain rule would (see `Slot::new`).
        let slot = self.slot(delta, block, span);
        if u >= slot.reject_from {
            return false;
        }
        if u < slot.accept_below {
            return true;
        }
        uphill(delta / temperature(), u)
    }

    /// [`DeltaTable::uphill`] for the uniform `u = (bits >> 11) 2^-53` (a step's
    /// uniform, [`crate::rng`]), compared as an integer: the same verdict.
    #[inline(always)]
    pub fn uphill_bits(
        &mut self,
        delta: f64,
        block: u64,
        span: impl FnOnce() -> (f64, f64),
        temperature: impl FnOnce() -> f64,
        bits: u64,
    ) -> bool {
        let m = bits >> 11;
        let slot = self.slot(delta, block, span);
        if m >= slot.reject_from_bits {
            return false;
        }
        if m < slot.accept_below_bits {
            return true;
        }
        uphill(delta / temperature(), m as f64 * UNIT)
    }

    /// The slot of `delta` for block `block`, filled if it held another.
    #[inline(always)]
    fn slot(&mut self, delta: f64, block: u64, span: impl FnOnce() -> (f64, f64)) -> &Slot {
        let slot = &mut self.slots[slot_index(delta)];
        if slot.block != block || slot.delta.to_bits() != delta.to_bits() {
            *slot = Slot::new(block, delta, span());
        }
        slot
    }
}

/// Fibonacci hashing of the delta's bits: small integers spread over the slots.
#[inline(always)]
fn slot_index(delta: f64) -> usize {
    (delta.to_bits().wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize % TABLE_SLOTS
}

impl Slot {
    /// Thresholds for a finite `delta > 0` over temperatures in `[lo, hi]` (positive).
    /// `exp(-delta / T)` grows with `T`, so over the block it lies between
    /// `exp(-delta / lo)` and `exp(-delta / hi)`; the margins absorb the rounding of
    /// the division, of `exp` and of the block's ends (as in [`metropolis`]).
    ///
    /// A NaN delta gets thresholds that decide nothing (`exp` is NaN: reject from
    /// infinity, accept below 0); an infinite one rejects every `u >= TINY`, as the
    /// plain rule (`u < exp(-inf) = 0`) does, and leaves smaller `u` to it.
    ///
    /// In bits: `u = m 2^-53 >= r` exactly when `m >= r 2^53`, and `m` is an integer,
    /// so when `m >= ceil(r 2^53)`; `r 2^53` is exact (a power-of-two scaling of a
    /// number between `TINY` and about 1, or infinite, which saturates to `u64::MAX`).
    #[cold]
    fn new(block: u64, delta: f64, (lo, hi): (f64, f64)) -> Self {
        let highest = (-(delta / hi)).exp();
        let lowest = (-(delta / lo)).exp();
        let reject_from = if highest.is_nan() { f64::INFINITY } else { (highest * (1.0 + MARGIN)).max(TINY) };
        let accept_below = if lowest.is_nan() || lowest < TINY { 0.0 } else { lowest * (1.0 - MARGIN) };
        let bits = |threshold: f64| (threshold / UNIT).ceil() as u64;
        Self {
            block,
            delta,
            accept_below,
            reject_from,
            accept_below_bits: bits(accept_below),
            reject_from_bits: bits(reject_from),
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    fn same(delta: f64, t: f64, u: f64) {
        assert_eq!(
            metropolis(delta, || t, || u),
            metropolis_plain(delta, t, u),
            "delta {delta:e} T {t:e} u {u:e}"
        );
    }

    #[test]
    fn agrees_with_the_plain_formula_on_random_triples() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut shortcuts = [0u64; 3];
        for _ in 0..2_000_000 {
            // x spread over 1e-9..1e3 on a log scale, T over 1e-6..1e6.
            let x = 10f64.powf(rng.random_range(-9.0..3.0));
            let t = 10f64.powf(rng.random_range(-6.0..6.0));
            let u = rng.random::<f64>();
            let delta = x * t;
            same(delta, t, u);
            let xx = delta / t;
            let series = 1.0 + xx * (1.0 + xx * (0.5 + xx / 6.0));
            let lower = 1.0 - xx * (1.0 - xx * (0.5 - xx / 6.0));
            shortcuts[if u * series >= 1.0 + MARGIN {
                0
            } else if u < lower - MARGIN {
                1
            } else {
                2
            }] += 1;
        }
        // Both shortcuts are really taken (else this test would prove nothing about them).
        assert!(shortcuts[0] > 100_000 && shortcuts[1] > 100_000, "{shortcuts:?}");
    }

    #[test]
    fn agrees_with_the_plain_formula_when_u_is_next_to_exp() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        for _ in 0..200_000 {
            let x = 10f64.powf(rng.random_range(-12.0..2.7));
            let t = rng.random_range(0.01..100.0);
            let delta = x * t;
            let e = (-(delta / t)).exp();
            for u in [e, e.next_down(), e.next_up(), e * (1.0 + 1e-13), e * (1.0 - 1e-13), e + 1e-12] {
                if (0.0..1.0).contains(&u) {
                    same(delta, t, u);
                }
            }
        }
    }

    #[test]
    fn agrees_with_the_plain_formula_on_edge_cases() {
        let specials = [
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            5e-324,
            1e-300,
            1e-16,
            1e-8,
            0.5,
            1.0,
            1.5,
            1.6,
            2.0,
            30.0,
            700.0,
            745.0,
            746.0,
            1e10,
            1e155,
            1e300,
            f64::MAX,
            f64::INFINITY,
            -1.0,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        let temps = [5e-324, 1e-300, 1e-9, 0.1, 1.0, 3.7, 1e9, 1e300, f64::MAX, f64::INFINITY];
        let uniforms = [
            0.0,
            5e-324,
            1e-300,
            1e-12,
            0.1,
            0.367_879_441_171_442_3,
            0.5,
            0.999_999_999_999,
            1.0 - f64::EPSILON / 2.0,
        ];
        for &delta in &specials {
            for &t in &temps {
                for &u in &uniforms {
                    same(delta, t, u);
                }
            }
        }
    }

    #[test]
    fn the_delta_table_agrees_with_the_plain_formula_over_cooling_blocks() {
        // Blocks of a cooling schedule (temperatures falling by 0.3% within a block),
        // small integer deltas as an Ising flip has, u from the generator and next to
        // exp(-delta / T) itself: every verdict is the plain formula's.
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut table = DeltaTable::default();
        let mut shortcut = 0u64;
        let mut calls = 0u64;
        for block in 0..2_000u64 {
            let hi = 5.0 * (-0.003 * block as f64).exp();
            let lo = hi * (-0.003f64).exp();
            for _ in 0..200 {
                let t = lo + (hi - lo) * rng.random::<f64>();
                let delta = f64::from(2 * rng.random_range(1..40));
                let e = (-delta / t).exp();
                let uniforms = [rng.random::<f64>(), e, e.next_down(), e.next_up(), 0.0];
                for (k, u) in uniforms.into_iter().enumerate().filter(|(_, u)| (0.0..1.0).contains(u)) {
                    let plain = metropolis_plain(delta, t, u);
                    assert_eq!(table.uphill(delta, block, || (lo, hi), || t, u), plain, "{delta} {t} {u}");
                    // The same uniform, and its neighbours, as a step's 64 bits.
                    let m = (u / UNIT) as u64;
                    for m in [m.saturating_sub(1), m, m + 1].into_iter().filter(|&m| m < 1 << 53) {
                        let (bits, u) = ((m << 11) | (rng.random::<u64>() & 0x7ff), m as f64 * UNIT);
                        let plain = metropolis_plain(delta, t, u);
                        assert_eq!(
                            table.uphill_bits(delta, block, || (lo, hi), || t, bits),
                            plain,
                            "{delta} {t} {m}"
                        );
                    }
                    if k == 0 {
                        let slot = table.slots[slot_index(delta)];
                        calls += 1;
                        shortcut += u64::from(u >= slot.reject_from || u < slot.accept_below);
                    }
                }
            }
        }
        // The table decides almost every random u by itself (else it would test nothing).
        assert!(shortcut * 10 > calls * 9, "{shortcut} of {calls}");
        // NaN and infinite deltas take the exact path.
        assert_eq!(
            table.uphill(f64::NAN, 0, || (1.0, 1.0), || 1.0, 0.5),
            metropolis_plain(f64::NAN, 1.0, 0.5)
        );
        assert!(!table.uphill(f64::INFINITY, 0, || (1.0, 1.0), || 1.0, 0.5));
        assert!(!table.uphill(f64::INFINITY, 0, || (1.0, 1.0), || 1.0, 0.0));
        assert!(!table.uphill_bits(f64::NAN, 0, || (1.0, 1.0), || 1.0, 1 << 62));
        assert!(!table.uphill_bits(f64::INFINITY, 0, || (1.0, 1.0), || 1.0, 0));
    }

    #[test]
    fn downhill_and_level_moves_need_neither_temperature_nor_uniform() {
        let never = || -> f64 { panic!("not needed") };
        assert!(metropolis(-3.0, never, never));
        assert!(metropolis(0.0, never, never));
        assert!(metropolis(-0.0, never, never));
    }
}
