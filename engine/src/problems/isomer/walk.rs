//! Test support: the molecules of a seeded walk that accepts every valid move, the
//! input of the tests of keys, classes and isomorphism (many structures, each met
//! in many numberings, and revisits).

use crate::problems::isomer::{Isomer, Molecule, Objective};
use crate::rng::{StepRng, StepStream};
use crate::{Problem, Proposal};

/// The state after each of `steps` steps of a walk of `formula` from its initial
/// structure that applies every valid move: one entry per step, so a step that
/// drew no valid move repeats the state before it.
pub(crate) fn hot_walk(formula: &str, seed: u64, steps: u64) -> Vec<Molecule> {
    let problem = Isomer::new(formula, Objective::default()).unwrap();
    let mut m = problem.initial_state();
    let mut stream = StepStream::new(seed, 0);
    let mut states = Vec::new();
    for t in 0..steps {
        let words = stream.next_step();
        if let Proposal::Move(mv) = problem.propose(&m, &mut StepRng::new(seed, t, &words)) {
            problem.apply(&mut m, &mv);
        }
        states.push(m.clone());
    }
    states
}
