//! The `Problem` trait: *what* is annealed, kept apart from *how* (the `Annealer`).
//!
//! A problem owns its instance data and knows how to make a starting state, propose a
//! move, price it, and apply it. It never sees temperatures, counters or threads.
//! Problems are monomorphised into the annealer, so a `delta` call is a direct,
//! inlinable call in the hot loop.

use crate::digest::StateDigest;
use crate::rng::StepRng;

/// A proposal that cannot be made: counted by kind, never applied.
///
/// Kind 0 is the generic "no admissible move"; kinds 1.. are named by
/// [`Problem::invalid_kinds`] (for isomers, kind 1 is `disconnected`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InvalidKind(pub u8);

impl InvalidKind {
    /// The generic invalid move.
    pub const GENERIC: InvalidKind = InvalidKind(0);
}

/// Most invalid kinds a problem may name besides the generic one.
pub const MAX_INVALID_KINDS: usize = 4;

/// What `propose` returns.
#[derive(Clone, Debug, PartialEq)]
pub enum Proposal<M> {
    /// A move to be priced and maybe applied.
    Move(M),
    /// No move this step; the step is counted as invalid of this kind.
    Invalid(InvalidKind),
}

/// A search space and objective for simulated annealing.
///
/// Contract: `delta(s, m)` equals `energy(apply(s, m)) - energy(s)` and is pure;
/// `apply` is only called with a move `propose` returned for the same state. The
/// annealer keeps `current += delta`, and tests hold every problem to the full
/// recomputation.
pub trait Problem: Send + Sync {
    /// A point of the search space. Its [`StateDigest`] is the replay checkpoints'
    /// state hash, so it must write exactly the data that identifies the state, in a
    /// documented, platform-independent byte order.
    type State: Clone + Send + Sync + StateDigest;
    /// A proposed change to a state.
    type Move: Send + Sync;

    /// Random 32-bit words each step owns in the seed's stream, 2..=8: the last two
    /// are the Metropolis uniform, the others feed `propose` (draws past them continue
    /// in an overflow stream, see [`crate::rng`]). Fewer words make cheap steps cheaper;
    /// changing the number changes every trajectory of the problem, so it is part of
    /// its definition. Checked when an annealer is made.
    const WORDS_PER_STEP: usize = crate::rng::WORDS_PER_STEP;

    /// Whether the problem's deltas take few distinct values (an Ising flip's are
    /// `2 s_i f_i`, a handful of integers). If so, sequential steps decide the
    /// Metropolis test from a per-temperature-block table of `exp(-delta / T)` (see
    /// [`crate::acceptance::DeltaTable`]) instead of evaluating bounds per step. Speed
    /// only: the verdicts, hence the trajectory, are the same either way.
    const FEW_DELTAS: bool = false;

    /// Whether `propose` reads its step's random words on this instance (a magnet that
    /// sweeps its sites in order does not). Under a counter-based generator
    /// ([`crate::rng::Generator::Philox`]) a problem that says no is given none, so its
    /// steps make none; should it draw anyway, the draws come from the step's overflow
    /// words, the same at every batch size. ChaCha8's layout ignores it.
    fn reads_words(&self) -> bool {
        true
    }

    /// The deterministic starting state.
    fn initial_state(&self) -> Self::State;
    /// Draw a move (or an invalid outcome) for `state` from this step's generator.
    fn propose(&self, state: &Self::State, rng: &mut StepRng) -> Proposal<Self::Move>;
    /// [`Problem::propose`] for a step whose proposal words the annealer holds in a
    /// slice (`words`: the step's first `WORDS_PER_STEP - 2` words in stream order;
    /// `step`: its number), for a problem that can draw from them directly. It must
    /// return `Some` of what `propose` returns with a [`StepRng`] over those words, or
    /// `None` (the default) for the annealer to call `propose`. Speed only: a spin
    /// flip's step is cheaper than building a `StepRng`.
    #[inline(always)]
    fn propose_from_words(
        &self,
        _state: &Self::State,
        _step: u64,
        _words: &[u32],
    ) -> Option<Proposal<Self::Move>> {
        None
    }
    /// Energy change the move would cause.
    fn delta(&self, state: &Self::State, mv: &Self::Move) -> f64;
    /// Carry the move out.
    fn apply(&self, state: &mut Self::State, mv: &Self::Move);
    /// Energy of a state, computed from scratch.
    fn energy(&self, state: &Self::State) -> f64;
    /// Names of invalid kinds 1.. (index 0 of the slice names kind 1). At most
    /// [`MAX_INVALID_KINDS`] - 1.
    fn invalid_kinds(&self) -> &'static [&'static str] {
        &[]
    }
}
