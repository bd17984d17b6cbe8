//! SplitMix64 in counter form, the generator behind [`super::Generator::SplitMix64`].
//!
//! SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
//! generators", OOPSLA 2014; Vigna's `splitmix64.c`) keeps a 64-bit state, adds the
//! odd constant `GAMMA` to it per output and returns a mix of the new state (two
//! xor-shift-multiplies and a final xor-shift). The state after `i + 1` additions
//! is `seed + (i + 1) GAMMA`, so output `i` of the sequence seeded with `seed` is
//! `mix64(seed + (i + 1) GAMMA)`: the generator *is* counter-based, and any position
//! costs the same one mix (two multiplications), with nothing to skip over. It
//! passes BigCrush as a sequence; each output is a bijection of its position, so
//! positions never collide within one seed.
//!
//! How Kiln lays a run's words over the positions of the sequence seeded with the
//! run's seed (all arithmetic mod 2^64):
//!
//! * **uniforms**: step `t`'s Metropolis uniform is output `t`, its 64 bits (the
//!   uniforms of a run are exactly the plain SplitMix64 sequence of its seed);
//! * **proposal words**: a step owning `P = W - 2` proposal words reads the high 32
//!   bits of outputs `2^62 + tP + j`, `j < P`;
//! * **overflow**: a proposal's draw `k` past its `P` words is the high 32 bits of
//!   output `2^63 + 2^20 t + k`.
//!
//! The three spaces are 2^62 positions apart, further than any run reaches. Words are
//! made only when read, and nothing is kept between steps: a magnet sweeping its sites
//! in order reads no proposal word, and a downhill flip reads no uniform, so those
//! steps make no word at all.

use super::CounterWords;

/// The Weyl increment of SplitMix64 (2^64 over the golden ratio, made odd).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
/// First position of the proposal words.
const PROPOSE_BASE: u64 = 1 << 62;
/// First position of the overflow words.
const OVERFLOW_BASE: u64 = 1 << 63;
/// Overflow positions per step.
const OVERFLOW_PER_STEP: u64 = 1 << 20;

/// SplitMix64's output function (Stafford's "Mix13" variant, as in `splitmix64.c`).
#[inline(always)]
fn mix64(z: u64) -> u64 {
    let z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Output `i` (0-based) of the SplitMix64 sequence seeded with `seed`.
#[inline(always)]
pub(crate) fn output(seed: u64, i: u64) -> u64 {
    mix64(seed.wrapping_add(i.wrapping_add(1).wrapping_mul(GAMMA)))
}

/// A run's step words under SplitMix64, each made when read.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SplitMixSteps {
    seed: u64,
    /// Proposal words per step (`W - 2`).
    propose_per_step: u64,
}

impl SplitMixSteps {
    /// The words of a run keyed by `seed`, with `propose_per_step` proposal words a step.
    pub(crate) fn new(seed: u64, propose_per_step: usize) -> Self {
        Self { seed, propose_per_step: propose_per_step as u64 }
    }

    /// The same words with no proposal words (a problem that reads none).
    pub(crate) fn without_proposal_words(self) -> Self {
        Self { propose_per_step: 0, ..self }
    }
}

impl CounterWords for SplitMixSteps {
    /// Proposal words per step.
    #[inline(always)]
    fn propose_per_step(&self) -> usize {
        self.propose_per_step as usize
    }

    /// The 64 bits of step `t`'s Metropolis uniform: output `t`.
    #[inline(always)]
    fn uniform_bits(&mut self, t: u64) -> u64 {
        output(self.seed, t)
    }

    /// Proposal word `j` (below the step's `P`) of step `t`.
    #[inline(always)]
    fn propose_word(&mut self, t: u64, j: usize) -> u32 {
        let at = PROPOSE_BASE.wrapping_add(t.wrapping_mul(self.propose_per_step)).wrapping_add(j as u64);
        (output(self.seed, at) >> 32) as u32
    }
}

/// Overflow word `k` of step `t` of the run keyed by `seed` (a proposal's draw past
/// its own words).
#[cold]
pub(crate) fn overflow_word(seed: u64, t: u64, k: u64) -> u32 {
    let at = OVERFLOW_BASE.wrapping_add(t.wrapping_mul(OVERFLOW_PER_STEP)).wrapping_add(k);
    (output(seed, at) >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_are_the_published_splitmix64_sequences() {
        // Rosetta Code, "Pseudo-random numbers/Splitmix64": the first five outputs
        // of Vigna's splitmix64.c seeded with 1234567; and the first five seeded with 0
        // (as other SplitMix64 ports check them).
        let seeded_1234567 = [
            6457827717110365317,
            3203168211198807973,
            9817491932198370423,
            4593380528125082431,
            16408922859458223821,
        ];
        let seeded_0 = [
            0xe220a8397b1dcdaf,
            0x6e789e6aa1b965f4,
            0x06c45d188009454f,
            0xf88bb8a8724c81ec,
            0x1b39896a51a8749b,
        ];
        for (seed, expected) in [(1234567u64, seeded_1234567), (0, seeded_0)] {
            for (i, want) in expected.into_iter().enumerate() {
                assert_eq!(output(seed, i as u64), want, "seed {seed} output {i}");
            }
        }
    }

    #[test]
    fn the_spaces_are_positions_of_the_same_sequence() {
        // Output 2^62 + tP + j entered by position equals the sequence's state walked
        // there by additions of GAMMA (the defining recurrence, not the closed form).
        let mut steps = SplitMixSteps::new(99, 3);
        let state = 99u64.wrapping_add(PROPOSE_BASE.wrapping_mul(GAMMA));
        let walked: Vec<u32> =
            (1..=12u64).map(|n| (mix64(state.wrapping_add(n.wrapping_mul(GAMMA))) >> 32) as u32).collect();
        for t in 0..4u64 {
            for j in 0..3usize {
                assert_eq!(steps.propose_word(t, j), walked[t as usize * 3 + j], "step {t} word {j}");
            }
        }
        let first_overflow =
            99u64.wrapping_add((OVERFLOW_BASE + 5 * OVERFLOW_PER_STEP + 1).wrapping_mul(GAMMA));
        assert_eq!(overflow_word(99, 5, 0), (mix64(first_overflow) >> 32) as u32);
    }
}
