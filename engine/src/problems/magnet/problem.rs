//! `Magnet` as an annealing [`Problem`]: spin configurations are states, a single
//! spin flip is the move, priced from the kept local field in O(1) and applied in
//! O(degree). This file only wires [`Spins`] to the engine's trait.

use crate::problem::{Problem, Proposal};
use crate::rng::StepRng;

use super::instance::Magnet;
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

    fn initial_state(&self) -> Spins {
        self.initial_spins()
    }

    /// A uniformly random site, from one word.
    #[inline(always)]
    fn propose(&self, _spins: &Spins, rng: &mut StepRng) -> Proposal<Flip> {
        Proposal::Move(Flip { site: rng.below(self.len() as u32) })
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
