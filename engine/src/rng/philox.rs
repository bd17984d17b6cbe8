//! Philox4x32-10, the counter-based generator behind [`super::Generator::Philox`].
//!
//! Philox (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2,
//! 3", SC'11) turns a 128-bit counter and a 64-bit key into 128 random bits with ten
//! rounds of two 32 x 32 -> 64 bit multiplications and a few xors. It passes
//! TestU01's BigCrush for every key, and any counter costs the same as any other: a
//! step's words are a function of (seed, step) with nothing to skip over, so words
//! nobody reads are never made. The tests hold it to Random123's published
//! known-answer vectors.
//!
//! How Kiln lays a run's words over the counters (key = the seed, low word first;
//! counter words `[c0, c1, c2, c3]`, `i` a 64-bit index as `c0` low, `c1` high):
//!
//! * **uniforms**, space 0: block `[i, 0, 0]` holds the Metropolis uniforms of steps
//!   `2i` (its words 0 and 1, high word first) and `2i + 1` (words 2 and 3);
//! * **proposal words**, space 1: a step owning `P = W - 2` proposal words reads the
//!   words `tP .. tP + P` of the flat sequence whose block `[j, 0, 1]` holds words
//!   `4j .. 4j + 4` (a magnet's random site is one word: one block serves four steps);
//! * **overflow**, space 2: a proposal's draws past its `P` words, the `k`-th of them
//!   word `k mod 4` of block `[k / 4, t_lo, t_hi, 2]`.

use super::CounterWords;

/// Rounds (Random123's default and recommendation for Philox4x32).
const ROUNDS: usize = 10;
/// The round multipliers.
const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
/// The Weyl increments of the key between rounds.
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;

/// Counter spaces (the counter's last word) of a run's three kinds of words.
const UNIFORM_SPACE: u32 = 0;
const PROPOSE_SPACE: u32 = 1;
const OVERFLOW_SPACE: u32 = 2;

/// Philox4x32-10 of `counter` under `key`.
#[inline(always)]
pub(crate) fn philox4x32_10(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let [mut x0, mut x1, mut x2, mut x3] = counter;
    let [mut k0, mut k1] = key;
    for round in 0..ROUNDS {
        if round > 0 {
            k0 = k0.wrapping_add(W0);
            k1 = k1.wrapping_add(W1);
        }
        let p0 = u64::from(M0) * u64::from(x0);
        let p1 = u64::from(M1) * u64::from(x2);
        (x0, x1, x2, x3) = ((p1 >> 32) as u32 ^ x1 ^ k0, p1 as u32, (p0 >> 32) as u32 ^ x3 ^ k1, p0 as u32);
    }
    [x0, x1, x2, x3]
}

/// The key of `seed`: its low word, then its high word.
#[inline]
fn key_of(seed: u64) -> [u32; 2] {
    [seed as u32, (seed >> 32) as u32]
}

/// The counter of index `i` in `space`.
#[inline(always)]
fn counter(i: u64, space: u32) -> [u32; 4] {
    [i as u32, (i >> 32) as u32, 0, space]
}

/// A run's step words under Philox, made on demand; the last block of each space is
/// kept, so a step that shares it with the step before costs no generation.
#[derive(Clone, Debug)]
pub(crate) struct PhiloxSteps {
    key: [u32; 2],
    /// Proposal words per step (`W - 2`).
    propose_per_step: u64,
    uniform_block: u64,
    uniform_words: [u32; 4],
    propose_block: u64,
    propose_words: [u32; 4],
}

/// No block yet (no index reaches it: block indices are below 2^63).
const NONE: u64 = u64::MAX;

impl PhiloxSteps {
    /// The words of a run keyed by `seed`, with `propose_per_step` proposal words a step.
    pub(crate) fn new(seed: u64, propose_per_step: usize) -> Self {
        Self {
            key: key_of(seed),
            propose_per_step: propose_per_step as u64,
            uniform_block: NONE,
            uniform_words: [0; 4],
            propose_block: NONE,
            propose_words: [0; 4],
        }
    }

    /// The same words with no proposal words (a problem that reads none).
    pub(crate) fn without_proposal_words(self) -> Self {
        Self { propose_per_step: 0, propose_block: NONE, ..self }
    }
}

impl CounterWords for PhiloxSteps {
    /// Proposal words per step.
    #[inline(always)]
    fn propose_per_step(&self) -> usize {
        self.propose_per_step as usize
    }

    /// The 64 bits of step `t`'s Metropolis uniform (high word first): words
    /// `2 (t mod 2)` and `2 (t mod 2) + 1` of uniform block `t / 2`.
    #[inline(always)]
    fn uniform_bits(&mut self, t: u64) -> u64 {
        let block = t >> 1;
        if block != self.uniform_block {
            self.uniform_block = block;
            self.uniform_words = philox4x32_10(counter(block, UNIFORM_SPACE), self.key);
        }
        let at = (t as usize & 1) * 2;
        (u64::from(self.uniform_words[at]) << 32) | u64::from(self.uniform_words[at + 1])
    }

    /// Proposal word `j` (below the step's `P`) of step `t`: word `tP + j` of the
    /// flat sequence, four words a block.
    #[inline(always)]
    fn propose_word(&mut self, t: u64, j: usize) -> u32 {
        let flat = t.wrapping_mul(self.propose_per_step).wrapping_add(j as u64);
        let block = flat >> 2;
        if block != self.propose_block {
            self.propose_block = block;
            self.propose_words = philox4x32_10(counter(block, PROPOSE_SPACE), self.key);
        }
        self.propose_words[flat as usize & 3]
    }
}

/// Overflow word `k` of step `t` of the run keyed by `seed` (a proposal's draw past
/// its own words; rare, so nothing is kept).
#[cold]
pub(crate) fn overflow_word(seed: u64, t: u64, k: u64) -> u32 {
    let c = [(k >> 2) as u32, t as u32, (t >> 32) as u32, OVERFLOW_SPACE];
    philox4x32_10(c, key_of(seed))[k as usize & 3]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn philox4x32_10_gives_random123s_known_answers() {
        // Random123 (D. E. Shaw Research), tests/kat_vectors, the three
        // "philox4x32 10" lines: counter (4 words), key (2 words), expected (4 words).
        let vectors: [([u32; 4], [u32; 2], [u32; 4]); 3] = [
            ([0, 0, 0, 0], [0, 0], [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8]),
            ([u32::MAX; 4], [u32::MAX; 2], [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd]),
            (
                [0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344],
                [0xa409_3822, 0x299f_31d0],
                [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1],
            ),
        ];
        for (counter, key, expected) in vectors {
            assert_eq!(philox4x32_10(counter, key), expected, "counter {counter:x?} key {key:x?}");
        }
    }

    #[test]
    fn the_words_of_a_step_do_not_depend_on_the_steps_read_before() {
        let mut sequential = PhiloxSteps::new(5, 3);
        let read: Vec<(u64, u32)> =
            (0..50).map(|t| (sequential.uniform_bits(t), sequential.propose_word(t, 2))).collect();
        for t in [49u64, 0, 17, 18, 3] {
            let mut fresh = PhiloxSteps::new(5, 3);
            assert_eq!((fresh.uniform_bits(t), fresh.propose_word(t, 2)), read[t as usize], "step {t}");
        }
    }
}
