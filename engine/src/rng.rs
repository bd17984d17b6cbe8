//! Per-step randomness: every SA step draws from its own slice of one ChaCha8 stream.
//!
//! The seed keys a ChaCha8 generator; step `t` owns the words
//! `[t * WORDS_PER_STEP, (t + 1) * WORDS_PER_STEP)` of its stream 0. Because a ChaCha
//! stream can be entered at any word position, step `t`'s randomness is a function of
//! `(seed, t)` alone: it never depends on how many draws earlier steps made, so
//! speculative parallel scoring can hand step `t + j` its words before step `t` is
//! decided, and a replay can start anywhere.
//!
//! Of a step's words, the first [`PROPOSE_WORDS`] feed the problem's `propose`
//! through [`StepRng`]; the last two are the Metropolis uniform. A proposal that
//! needs more words (rejection sampling, say) continues, still deterministically, in
//! the overflow stream `t + 1` of the same key.

use std::convert::Infallible;

use rand::{Rng, SeedableRng, TryRng};
use rand_chacha::ChaCha8Rng;

/// 32-bit words each step owns in the main stream: half a ChaCha block, so one
/// block-generation serves two steps.
pub const WORDS_PER_STEP: usize = 8;
/// Words of a step handed to `propose`; the remaining two form the acceptance uniform.
pub const PROPOSE_WORDS: usize = WORDS_PER_STEP - 2;

/// The random words of one step, cut from the main stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepWords([u32; WORDS_PER_STEP]);

impl StepWords {
    /// The Metropolis uniform of this step, in [0, 1) with 53 random bits.
    #[inline]
    pub fn uniform(&self) -> f64 {
        let bits = (u64::from(self.0[PROPOSE_WORDS]) << 32) | u64::from(self.0[PROPOSE_WORDS + 1]);
        unit_f64(bits)
    }
}

#[inline]
fn unit_f64(bits: u64) -> f64 {
    (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Sequential reader of the main stream, one [`StepWords`] per step.
#[derive(Clone, Debug)]
pub struct StepStream {
    rng: ChaCha8Rng,
}

impl StepStream {
    /// A reader positioned at the first word of step `step`.
    pub fn new(seed: u64, step: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_word_pos(u128::from(step) * WORDS_PER_STEP as u128);
        Self { rng }
    }

    /// The words of the next step (the stream advances by exactly one step).
    ///
    /// Always inlined: returned through memory, the words are stored as 4-byte values
    /// and reloaded 8 and 16 bytes at a time, a store-forwarding stall that cost
    /// the TSP step loop almost half its speed.
    #[inline(always)]
    pub fn next_step(&mut self) -> StepWords {
        let mut words = [0u32; WORDS_PER_STEP];
        for w in &mut words {
            *w = self.rng.next_u32();
        }
        StepWords(words)
    }
}

/// The generator a problem's `propose` draws from during one step.
///
/// It implements [`rand::Rng`], so rand's distributions work on it; the helpers
/// here are the fast paths problems should prefer in hot loops.
#[derive(Debug)]
pub struct StepRng {
    words: [u32; PROPOSE_WORDS],
    next: usize,
    seed: u64,
    step: u64,
    overflow: Option<Box<ChaCha8Rng>>,
}

impl StepRng {
    /// The proposal generator of step `step`, over that step's words.
    #[inline]
    pub fn new(seed: u64, step: u64, words: &StepWords) -> Self {
        let mut own = [0u32; PROPOSE_WORDS];
        own.copy_from_slice(&words.0[..PROPOSE_WORDS]);
        Self { words: own, next: 0, seed, step, overflow: None }
    }

    /// The next 32 random bits.
    #[inline]
    pub fn word(&mut self) -> u32 {
        if self.next < PROPOSE_WORDS {
            let w = self.words[self.next];
            self.next += 1;
            w
        } else {
            self.overflow_word()
        }
    }

    #[cold]
    fn overflow_word(&mut self) -> u32 {
        let (seed, step) = (self.seed, self.step);
        self.overflow
            .get_or_insert_with(|| {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                rng.set_stream(step.wrapping_add(1));
                Box::new(rng)
            })
            .next_u32()
    }

    /// A value in `0..n` (n > 0) by Lemire's multiply-shift, one word, no loop.
    ///
    /// The bias is at most n / 2^32 (under 2.4e-7 for n = 1000): invisible next to
    /// annealing noise, and it keeps every step's word budget fixed.
    #[inline]
    pub fn below(&mut self, n: u32) -> u32 {
        debug_assert!(n > 0);
        ((u64::from(self.word()) * u64::from(n)) >> 32) as u32
    }

    /// An index in `0..n` (n > 0, n < 2^32).
    #[inline]
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u32) as usize
    }

    /// A float in [0, 1) from two words.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        let hi = u64::from(self.word());
        let lo = u64::from(self.word());
        unit_f64((hi << 32) | lo)
    }

    /// True with probability one half.
    #[inline]
    pub fn coin(&mut self) -> bool {
        self.word() & 1 == 1
    }
}

impl TryRng for StepRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.word())
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let hi = u64::from(self.word());
        Ok((hi << 32) | u64::from(self.word()))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(4) {
            let bytes = self.word().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_can_be_entered_without_reading_the_steps_before_it() {
        let mut from_start = StepStream::new(7, 0);
        let words: Vec<StepWords> = (0..10).map(|_| from_start.next_step()).collect();
        let mut entered = StepStream::new(7, 9);
        assert_eq!(entered.next_step(), words[9]);
    }

    #[test]
    fn different_seeds_give_different_words() {
        assert_ne!(StepStream::new(1, 0).next_step(), StepStream::new(2, 0).next_step());
    }

    #[test]
    fn proposal_draws_past_the_budget_continue_deterministically() {
        let words = StepStream::new(3, 5).next_step();
        let draw = || {
            let mut rng = StepRng::new(3, 5, &words);
            (0..20).map(|_| rng.word()).collect::<Vec<_>>()
        };
        let a = draw();
        assert_eq!(a, draw());
        assert_eq!(&a[..PROPOSE_WORDS], &words.0[..PROPOSE_WORDS]);
    }

    #[test]
    fn below_stays_in_range_and_uniform_in_unit_interval() {
        let mut stream = StepStream::new(11, 0);
        for _ in 0..1000 {
            let w = stream.next_step();
            let mut rng = StepRng::new(11, 0, &w);
            assert!(rng.below(13) < 13);
            let u = w.uniform();
            assert!((0.0..1.0).contains(&u));
        }
    }
}
