//! `Tsp` as an annealing [`Problem`]: tours are states, 2-opt and or-opt are moves,
//! and the energy is the tour length. The work lives in [`super::moves`] and
//! [`super::tour`]; this file only wires it to the engine's trait.

use crate::problem::{Problem, Proposal};
use crate::rng::StepRng;

use super::instance::Tsp;
use super::moves::{self, TspMove};
use super::tour::Tour;

impl Problem for Tsp {
    type State = Tour;
    type Move = TspMove;

    fn initial_state(&self) -> Tour {
        self.initial_tour()
    }

    #[inline(always)]
    fn propose(&self, tour: &Tour, rng: &mut StepRng) -> Proposal<TspMove> {
        match self.nearest() {
            Some(near) => moves::propose_near(tour, near, self.moves, rng),
            None => moves::propose(self.len(), self.moves, rng),
        }
    }

    #[inline(always)]
    fn delta(&self, tour: &Tour, mv: &TspMove) -> f64 {
        moves::delta(&self.distances, tour, mv) as f64
    }

    fn apply(&self, tour: &mut Tour, mv: &TspMove) {
        moves::apply(tour, mv);
    }

    fn energy(&self, tour: &Tour) -> f64 {
        self.tour_length(tour.order()) as f64
    }
}
