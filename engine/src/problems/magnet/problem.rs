//! `Magnet` as an annealing [`Problem`]: spin configurations are states, a single
//! spin flip is the move, priced from the kept local field in O(1) and applied in
//! O(degree). This file only wires [`Spins`] to the engine's trait.
//!
//! Deltas are small integers (plus a multiple of the quantised field), so the magnet
//! opts into the annealer's per-delta Metropolis table ([`Problem::FEW_DELTAS`]).

use crate::problem::{Problem, Proposal};
use crate::rng::{StepRng, below_word};

use super::instance::{Magnet, Sites};
use super::spins::Spins;

/// Flip one spin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flip {
    site: u32,
}

impl Flip {
    /// Flip spin `site` (0-based).
    pub fn new(site: usize) -> Self {
        Self { site: site as u32 }
    }

    /// The spin flipped (0-based).
    pub fn site(&self) -> usize {
        self.site as usize
    }
}

impl Problem for Magnet {
    type State = Spins;
    type Move = Flip;

    /// One word for the site and the two of the Metropolis uniform: a spin flip is
    /// so cheap that drawing the default eight words would dominate its step.
    const WORDS_PER_STEP: usize = 3;

    /// Only random sites read a word: sequential sweeps take the site from the step.
    fn reads_words(&self) -> bool {
        self.sites() == Sites::Random
    }

    fn initial_state(&self) -> Spins {
        self.initial_spins()
    }

    /// A flip's delta is `2 s_i (f_i + h)`: with integer fields, a handful of values.
    const FEW_DELTAS: bool = true;

    /// A uniformly random site, from one word; or, for sequential sweeps, site
    /// `t mod N` of step `t` (the word is then left unread).
    #[inline(always)]
    fn propose(&self, _spins: &Spins, rng: &mut StepRng) -> Proposal<Flip> {
        let n = self.len() as u32;
        let site = match self.sites() {
            Sites::Random => rng.below(n),
            Sites::Sequential => self.sequential_site(rng.step()),
        };
        Proposal::Move(Flip { site })
    }

    /// `propose` from the step's one word, without a generator around it.
    #[inline(always)]
    fn propose_from_words(&self, _spins: &Spins, step: u64, words: &[u32]) -> Option<Proposal<Flip>> {
        let site = match self.sites() {
            Sites::Random => below_word(words[0], self.len() as u32),
            Sites::Sequential => self.sequential_site(step),
        };
        Some(Proposal::Move(Flip { site }))
    }

    #[inline(always)]
    fn delta(&self, spins: &Spins, mv: &Flip) -> f64 {
        spins.flip_delta(mv.site(), self.field)
    }

    #[inline(always)]
    fn apply(&self, spins: &mut Spins, mv: &Flip) {
        spins.flip(mv.site(), &self.couplings);
    }

    fn energy(&self, spins: &Spins) -> f64 {
        self.energy_of(spins)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::magnet::Coupling;
    use crate::rng::StepStream;

    #[test]
    fn proposing_from_words_is_proposing_from_the_step_generator() {
        for sites in [Sites::Random, Sites::Sequential] {
            let magnet = Magnet::lattice(9, Coupling::Glass, 2).unwrap().with_sites(sites);
            let spins = magnet.initial_state();
            let mut stream = StepStream::with_words(8, 0, Magnet::WORDS_PER_STEP);
            for t in 0..5_000u64 {
                let words = stream.next_step();
                let by_rng = magnet.propose(&spins, &mut StepRng::new(8, t, &words));
                assert_eq!(
                    magnet.propose_from_words(&spins, t, words.propose_words()),
                    Some(by_rng),
                    "{sites:?} step {t}"
                );
            }
            // Words at the ends of the range still give a site of the magnet.
            for word in [0u32, 1, 1 << 31, u32::MAX - 1, u32::MAX] {
                let Some(Proposal::Move(flip)) = magnet.propose_from_words(&spins, 3, &[word]) else {
                    panic!("a flip always")
                };
                assert!(flip.site() < magnet.len(), "{sites:?} word {word}");
            }
        }
    }
}
