//! The problems Kiln anneals, one module each.

pub mod toy;
pub mod tsp;
