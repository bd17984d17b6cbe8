//! The travelling salesman problem on TSPLIB EUC_2D instances.
//!
//! [`Tsp`] is an instance (bundled, parsed from TSPLIB text, or random), [`Tour`] the
//! annealed state and [`TspMove`] its 2-opt and or-opt moves, drawn from each city's
//! nearest neighbours ([`Candidates`]). [`LargeSteps`] anneals the same tours one
//! large step at a time: a kick, then a descent to a 2-opt/or-opt local optimum.

mod bundled;
mod descent;
mod distance;
mod error;
mod instance;
mod large_step;
mod moves;
mod neighbours;
mod problem;
mod random;
mod tour;
mod tsplib;

pub use bundled::{BundledInstance, bundled_instances};
pub use distance::{MATRIX_MAX_CITIES, euc_2d};
pub use error::TspError;
pub use instance::{DEFAULT_MAX_SECONDS, DEFAULT_MIN_STEPS, DEFAULT_SECONDS_PER_100_CITIES, Tsp};
pub use large_step::{KICK_MAX_SEGMENT, KICK_V4_MAX_SEGMENT, Kick, LargeStep, LargeSteps, MoveSet};
pub use moves::{
    Candidates, MoveMix, NEAREST_MIN_CITIES, NEIGHBOURS, OR_OPT_MAX_LEN, TspMove, UNIFORM_SHARE_INVERSE,
};
pub use random::{Layout, UnknownLayout};
pub use tour::Tour;
pub use tsplib::MAX_COORDINATE;

/// Most cities an instance may have.
pub const MAX_CITIES: usize = 100_000;

/// Most cities an instance annealed with large steps may have: each step copies the
/// tour, and the starting descent from a shuffled tour grows faster than linearly.
/// (Here rather than in `large_step`, so that `error` needs nothing from the files
/// that use it.)
pub const LARGE_STEP_MAX_CITIES: usize = 10_000;
/// Fewest cities a large step needs: a kick needs two segments and two cities outside them.
pub const LARGE_STEP_MIN_CITIES: usize = 8;
