//! ChaCha8 sequential steps with their words read in bulk.
//!
//! Under ChaCha8 step `t` owns words `[t W, (t + 1) W)` of one stream (see
//! [`crate::rng`]), so the words of a run of consecutive steps are one contiguous
//! read. [`Annealer::run_chunk`] reads them [`BULK_STEPS`] steps at a time into a
//! local buffer and runs each step from its slice there (through
//! [`Problem::propose_from_words`] where the problem has it), instead of cutting a
//! [`crate::rng::StepWords`] per step from the generator (a call per word, each with
//! its own buffer check) and building a [`StepRng`] over it: the same words, the same
//! steps, and the stream left where the per-step path leaves it (tests compare the two).

use super::Annealer;
use crate::problem::Problem;
use crate::rng::{PROPOSE_WORDS, StepRng, UNIFORM_WORDS, WORDS_PER_STEP, uniform_bits};

/// Steps whose words are read at a time.
const BULK_STEPS: usize = 64;

impl<P: Problem> Annealer<P> {
    /// [`Annealer::run_chunk`] under ChaCha8 (the caller checked the stream).
    #[inline(always)]
    pub(super) fn run_chunk_bulk<const MAXIMISE: bool>(
        &mut self,
        block: u64,
        stop: u64,
        on_accept: &mut (impl FnMut(&P::State) + Send),
    ) {
        let seed = self.config.seed;
        let words = P::WORDS_PER_STEP;
        let mut buffer = [0u8; 4 * WORDS_PER_STEP * BULK_STEPS];
        while self.step < stop {
            let steps = (stop - self.step).min(BULK_STEPS as u64) as usize;
            let bytes = &mut buffer[..4 * words * steps];
            let filled = self.stream.fill_steps(bytes);
            debug_assert!(filled, "run_chunk checked the stream is ChaCha8");
            for step_bytes in bytes.chunks_exact(4 * words) {
                let t = self.step;
                let word =
                    |i: usize| u32::from_le_bytes(step_bytes[4 * i..4 * i + 4].try_into().expect("4 bytes"));
                let mut own = [0u32; PROPOSE_WORDS];
                let propose = &mut own[..words - UNIFORM_WORDS];
                for (i, w) in propose.iter_mut().enumerate() {
                    *w = word(i);
                }
                let proposal = match self.problem.propose_from_words(&self.state, t, propose) {
                    Some(proposal) => proposal,
                    None => {
                        self.problem.propose(&self.state, &mut StepRng::of_chacha8_words(seed, t, propose))
                    }
                };
                let bits = uniform_bits(word(words - 2), word(words - 1));
                self.chunk_step::<MAXIMISE>(block, proposal, |_| bits, on_accept);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{AnnealConfig, Batch, Direction};
    use crate::problem::Proposal;
    use crate::problems::magnet::{Coupling, Flip, Magnet, Sites, Spins};
    use crate::schedule::ScheduleKind;

    /// The magnet's flips drawn through a [`StepRng`] only, from four words a step
    /// (two proposal words) and three draws, the last past its own words: the bulk
    /// path's fallback to `propose` and the overflow words, which no shipped
    /// few-delta problem exercises.
    #[derive(Clone)]
    struct ThreeDrawFlips(Magnet);

    impl Problem for ThreeDrawFlips {
        type State = Spins;
        type Move = Flip;
        const WORDS_PER_STEP: usize = 4;
        const FEW_DELTAS: bool = true;

        fn initial_state(&self) -> Spins {
            self.0.initial_state()
        }

        fn propose(&self, spins: &Spins, rng: &mut StepRng) -> Proposal<Flip> {
            let (a, b, c) = (rng.word(), rng.word(), rng.word());
            if a % 7 == 0 {
                return Proposal::Invalid(crate::problem::InvalidKind::GENERIC);
            }
            let site = crate::rng::below_word(b ^ c, spins.len() as u32);
            Proposal::Move(Flip::new(site as usize))
        }

        fn delta(&self, spins: &Spins, mv: &Flip) -> f64 {
            self.0.delta(spins, mv)
        }

        fn apply(&self, spins: &mut Spins, mv: &Flip) {
            self.0.apply(spins, mv)
        }

        fn energy(&self, spins: &Spins) -> f64 {
            self.0.energy(spins)
        }
    }

    /// Runs of `problem` in pieces of irregular lengths (none a multiple of
    /// [`BULK_STEPS`], so pieces end inside a bulk read), with single steps in
    /// between, equal a run of single steps after every piece: same checkpoint,
    /// progress numbers and best state. A single step after a piece reads the stream
    /// where the piece left it, so a misplaced stream shows at once.
    fn pieces_equal_single_steps<P: Problem<State = Spins> + Clone>(
        problem: &P,
        config: &AnnealConfig,
        what: &str,
    ) {
        let mut pieces = Annealer::new(problem.clone(), config.clone()).unwrap();
        let mut single = Annealer::new(problem.clone(), config.clone()).unwrap();
        let lengths = [1u64, 63, 64, 65, 200, 1, 1000, 129, 4097, 7];
        let mut k = 0;
        while !pieces.is_complete() {
            let n = lengths[k % lengths.len()];
            k += 1;
            let done = pieces.run(n);
            for _ in 0..done {
                single.step();
            }
            assert_eq!(pieces.checkpoint(), single.checkpoint(), "{what}: after piece {k}");
            // One single step on both: the pieces' stream must be where the steps' is.
            assert_eq!(pieces.step(), single.step(), "{what}: the step after piece {k}");
        }
        assert_eq!(pieces.snapshot(), single.snapshot(), "{what}");
        assert!(pieces.best_state() == single.best_state(), "{what}: best states differ");
        assert_eq!(pieces.recomputed_energy(), pieces.current_energy(), "{what}");
    }

    fn configs(magnet: &Magnet) -> Vec<(AnnealConfig, String)> {
        let mut configs = Vec::new();
        for schedule in [ScheduleKind::Geometric, ScheduleKind::Constant] {
            for direction in [Direction::Minimize, Direction::Maximize] {
                let config = AnnealConfig {
                    schedule,
                    direction,
                    steps_per_cycle: 30 * magnet.len() as u64 + 11,
                    cycles: 2,
                    batch: Batch::Fixed(1),
                    ..magnet.default_config(5)
                };
                configs.push((config, format!("{} {schedule:?} {direction:?}", magnet.name())));
            }
        }
        configs
    }

    #[test]
    fn magnet_runs_in_pieces_equal_single_steps() {
        let magnets = [
            Magnet::lattice(12, Coupling::Glass, 3).unwrap(),
            Magnet::lattice(10, Coupling::Ferro, 1).unwrap().with_field(0.375).unwrap(),
            Magnet::lattice(12, Coupling::Glass, 4).unwrap().with_sites(Sites::Sequential),
        ];
        for magnet in &magnets {
            for (config, what) in configs(magnet) {
                pieces_equal_single_steps(magnet, &config, &format!("{what} {:?}", magnet.sites()));
            }
        }
    }

    #[test]
    fn a_problem_without_the_word_hook_runs_in_pieces_as_in_single_steps() {
        let magnet = Magnet::lattice(12, Coupling::Glass, 3).unwrap();
        for (config, what) in configs(&magnet) {
            pieces_equal_single_steps(
                &ThreeDrawFlips(magnet.clone()),
                &config,
                &format!("three draws {what}"),
            );
        }
    }
}
