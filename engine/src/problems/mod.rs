//! The problems Kiln anneals, one module each.

pub mod isomer;
pub mod magnet;
pub mod toy;
pub mod tsp;
