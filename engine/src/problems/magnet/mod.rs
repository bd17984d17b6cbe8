//! The magnet: Ising spins, the classic picture of annealing and the workhorse of
//! annealing benchmarks (Ising ground states, max-cut).
//!
//! [`Magnet`] is an instance (an L x L periodic lattice, a bundled Gset graph, or
//! a model from text or dimod JSON, see [`format`]), [`Spins`] the annealed state with its kept local fields, and
//! [`Flip`] the single-spin-flip move. [`SweepAverages`] samples a run once per
//! sweep for the equilibrium averages (mean |m|, mean energy per spin) that let a
//! class see the phase transition and a test check the physics against Onsager.

mod averages;
mod bundled;
mod couplings;
mod error;
pub mod format;
mod graph;
mod instance;
mod problem;
mod spins;

pub use averages::SweepAverages;
pub use bundled::{BundledGraph, bundled_graphs};
pub use error::MagnetError;
pub use instance::{Coupling, Magnet, Sites, Source, Start};
pub use problem::Flip;
pub use spins::Spins;

/// Smallest lattice side (below 3 a periodic lattice couples a pair twice).
pub const MIN_LATTICE: usize = 3;
/// Largest lattice side (a million spins).
pub const MAX_LATTICE: usize = 1_000;
/// Most spins a graph may have.
pub const MAX_SPINS: usize = 1_000_000;
/// Most edges a graph may have.
pub const MAX_EDGES: usize = 4_000_000;
/// Largest edge weight magnitude: with it, local fields fit in `i32` and every
/// energy, in units of [`FIELD_QUANTUM`], stays below 2^53 (exact in `f64`).
pub const MAX_WEIGHT: i32 = 1_000;
/// Largest external field magnitude.
pub const MAX_FIELD: f64 = 100.0;
/// The field is held as a whole multiple of this (see [`Magnet::with_field`]).
pub const FIELD_QUANTUM: f64 = 1.0 / 1024.0;
