//! The isomer problem: Faulon's simulated annealing over the constitutional isomers
//! of a molecular formula (J. Chem. Inf. Comput. Sci. 1996, 36, 731).
//!
//! One idea per module: [`element`] and [`formula`] (what the user types),
//! [`molecule`] (the state), `initial` (a first structure), [`displacement`] (the
//! move) and `pick` (its four atoms, from the molecule's `atom_totals`), [`wiener`],
//! [`logp`] and [`objective`] (the energy), [`smiles`] (names), `structure_key`,
//! `tree_key` and [`distinct`] (counting what was visited; `isomorphism` decides
//! when two are one), [`problem`] (the `Problem`).

mod atom_totals;
pub mod displacement;
pub mod distinct;
pub mod element;
pub mod error;
pub mod formula;
mod initial;
mod isomorphism;
pub mod logp;
pub mod molecule;
pub mod objective;
mod pick;
pub mod problem;
pub mod smiles;
mod structure_key;
mod tree_key;
#[cfg(test)]
mod walk;
pub mod wiener;

pub use displacement::{DISCONNECTED, Displacement};
pub use distinct::{DISTINCT_ISOMERS_CAP, DistinctIsomers};
pub use element::Element;
pub use error::IsomerError;
pub use formula::Formula;
pub use molecule::{MAX_HEAVY_ATOMS, Molecule};
pub use objective::{Component, Objective};
pub use problem::{HEADLESS_CYCLES, HEADLESS_MIN_STEPS_PER_CYCLE, HEADLESS_STEPS_PER_ATOM_SQUARED, Isomer};
