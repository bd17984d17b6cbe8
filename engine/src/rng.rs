//! Per-step randomness: every SA step draws from its own slice of one ChaCha8 stream.
//!
//! The seed keys a ChaCha8 generator; with `W` words per step (a property of the
//! problem, [`crate::Problem::WORDS_PER_STEP`], 8 unless it says otherwise), step `t`
//! owns the words `[t * W, (t + 1) * W)` of its stream 0. Because a ChaCha stream can
//! be entered at any word position, step `t`'s randomness is a function of
//! `(seed, W, t)` alone: it never depends on how many draws earlier steps made, so
//! speculative parallel scoring can hand step `t + j` its words before step `t` is
//! decided, and a replay can start anywhere.
//!
//! Of a step's `W` words, the first `W - 2` feed the problem's `propose` through
//! [`StepRng`]; the last two are the Metropolis uniform, which the annealer only turns
//! into a number when the step is uphill (or someone observes the step). A proposal
//! that needs more words (rejection sampling, say) continues, still deterministically,
//! in the overflow stream `t + 1` of the same key.
//!
//! Why a problem may use fewer words: a ChaCha8 word costs about a nanosecond, and a
//! step as cheap as a spin flip (one word for the site) would spend most of its time
//! generating the six words it never reads.

use std::convert::Infallible;

use rand::{Rng, SeedableRng, TryRng};
use rand_chacha::ChaCha8Rng;

/// Most 32-bit words a step may own in the main stream, and the default: half a
/// ChaCha block, so one block-generation serves two steps.
pub const WORDS_PER_STEP: usize = 8;
/// Fewest words a step may own: the two of the Metropolis uniform.
pub const MIN_WORDS_PER_STEP: usize = UNIFORM_WORDS;
/// Words of the Metropolis uniform, the last of every step's words.
pub const UNIFORM_WORDS: usize = 2;
/// Words of a default (8-word) step handed to `propose`.
pub const PROPOSE_WORDS: usize = WORDS_PER_STEP - UNIFORM_WORDS;

/// The random words of one step, cut from the main stream.
///
/// Storage is fixed (8 words) whatever the step's size: the proposal words sit at the
/// front, `propose_len` of them, and the uniform's two words always in the last two
/// slots, so reading the uniform is a fixed-offset load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepWords {
    words: [u32; WORDS_PER_STEP],
    propose_len: u8,
}

impl StepWords {
    /// The Metropolis uniform of this step, in [0, 1) with 53 random bits: the step's
    /// last two words, the first of them high.
    #[inline]
    pub fn uniform(&self) -> f64 {
        let bits = (u64::from(self.words[PROPOSE_WORDS]) << 32) | u64::from(self.words[PROPOSE_WORDS + 1]);
        unit_f64(bits)
    }

    /// The words handed to `propose`, in stream order.
    pub fn propose_words(&self) -> &[u32] {
        &self.words[..usize::from(self.propose_len)]
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
    words_per_step: usize,
}

impl StepStream {
    /// A reader of 8-word steps positioned at the first word of step `step`.
    pub fn new(seed: u64, step: u64) -> Self {
        Self::with_words(seed, step, WORDS_PER_STEP)
    }

    /// A reader of `words_per_step`-word steps (clamped to 2..=8) positioned at the
    /// first word of step `step`.
    pub fn with_words(seed: u64, step: u64, words_per_step: usize) -> Self {
        let words_per_step = words_per_step.clamp(MIN_WORDS_PER_STEP, WORDS_PER_STEP);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_word_pos(u128::from(step) * words_per_step as u128);
        Self { rng, words_per_step }
    }

    /// Words each step owns.
    pub fn words_per_step(&self) -> usize {
        self.words_per_step
    }

    /// The words of the next step (the stream advances by exactly one step).
    #[inline(always)]
    pub fn next_step(&mut self) -> StepWords {
        self.next_step_sized(self.words_per_step)
    }

    /// [`StepStream::next_step`] for callers that know the step size at compile time
    /// (the annealer passes its problem's constant, so the loop below unrolls).
    ///
    /// Always inlined: returned through memory, the words are stored as 4-byte values
    /// and reloaded 8 and 16 bytes at a time, a store-forwarding stall that cost
    /// the TSP step loop almost half its speed.
    #[inline(always)]
    pub(crate) fn next_step_sized(&mut self, words_per_step: usize) -> StepWords {
        debug_assert_eq!(words_per_step, self.words_per_step);
        let propose_len = words_per_step - UNIFORM_WORDS;
        let mut words = [0u32; WORDS_PER_STEP];
        for w in &mut words[..propose_len] {
            *w = self.rng.next_u32();
        }
        for w in &mut words[PROPOSE_WORDS..] {
            *w = self.rng.next_u32();
        }
        StepWords { words, propose_len: propose_len as u8 }
    }
}

/// The generator a problem's `propose` draws from during one step.
///
/// It implements [`rand::Rng`], so rand's distributions work on it; the helpers
/// here are the fast paths problems should prefer in hot loops.
#[derive(Debug)]
pub struct StepRng {
    words: [u32; PROPOSE_WORDS],
    len: usize,
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
        own.copy_from_slice(&words.words[..PROPOSE_WORDS]);
        Self { words: own, len: usize::from(words.propose_len), next: 0, seed, step, overflow: None }
    }

    /// The number of the step this generator serves (0-based): for proposals that
    /// are a function of the step itself, such as sweeping sites in order.
    #[inline]
    pub fn step(&self) -> u64 {
        self.step
    }

    /// The next 32 random bits.
    #[inline]
    pub fn word(&mut self) -> u32 {
        if self.next < self.len {
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
        assert_eq!(&a[..PROPOSE_WORDS], words.propose_words());
    }

    #[test]
    fn a_three_word_step_owns_the_next_three_words_of_the_plain_chacha_stream() {
        // The oracle is rand_chacha itself, read sequentially from the start.
        let mut plain = ChaCha8Rng::seed_from_u64(21);
        let flat: Vec<u32> = (0..3 * 40).map(|_| plain.next_u32()).collect();
        let mut stream = StepStream::with_words(21, 0, 3);
        for t in 0..40 {
            let words = stream.next_step();
            assert_eq!(words.propose_words(), &flat[3 * t..3 * t + 1], "step {t}");
            let bits = (u64::from(flat[3 * t + 1]) << 32) | u64::from(flat[3 * t + 2]);
            assert_eq!(words.uniform(), (bits >> 11) as f64 / (1u64 << 53) as f64, "step {t}");
        }
        let mut entered = StepStream::with_words(21, 37, 3);
        let mut again = StepStream::with_words(21, 0, 3);
        let thirty_seventh = (0..38).map(|_| again.next_step()).last().unwrap();
        assert_eq!(entered.next_step(), thirty_seventh);
    }

    #[test]
    fn a_short_step_overflows_to_the_same_words_as_a_default_one() {
        // Draws past a step's own words come from the overflow stream, whatever its size.
        let short = StepStream::with_words(4, 9, 3).next_step();
        let long = StepStream::new(4, 9).next_step();
        let mut a = StepRng::new(4, 9, &short);
        let mut b = StepRng::new(4, 9, &long);
        a.word();
        for _ in 0..PROPOSE_WORDS {
            b.word();
        }
        assert_eq!(
            (0..5).map(|_| a.word()).collect::<Vec<_>>(),
            (0..5).map(|_| b.word()).collect::<Vec<_>>()
        );
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
