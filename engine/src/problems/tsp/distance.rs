//! City-to-city distances: TSPLIB's EUC_2D rule, looked up or computed.
//!
//! `d(i, j) = nint(sqrt(dx^2 + dy^2))`, an integer, so tour lengths and move deltas
//! are exact. Up to [`MATRIX_MAX_CITIES`] cities the distances are precomputed into
//! an `n x n` table of `u32` (about 9 MB at the bound; kroA100 takes 40 KB and sits
//! in the L1/L2 cache), which turns a delta into four loads. Above it the table
//! would cost more memory than a classroom server should spend per session, so
//! distances are computed from the coordinates on demand (a square root each).

use std::fmt;

/// Largest instance that gets a precomputed distance table.
pub const MATRIX_MAX_CITIES: usize = 1_500;

/// TSPLIB's EUC_2D distance between two points: the nearest integer to the
/// Euclidean distance (`(int)(d + 0.5)` in TSPLIB's C code).
#[inline]
pub fn euc_2d(a: (f64, f64), b: (f64, f64)) -> u32 {
    let (dx, dy) = (a.0 - b.0, a.1 - b.1);
    // Coordinates are bounded (tsplib::MAX_COORDINATE), so this fits in u32.
    ((dx * dx + dy * dy).sqrt() + 0.5) as u32
}

/// The distances of one instance.
#[derive(Clone)]
pub(crate) enum Distances {
    /// Row-major `n x n` table.
    Table { n: usize, table: Vec<u32> },
    /// Computed from the coordinates at every lookup.
    Computed { coords: Vec<(f64, f64)> },
}

impl Distances {
    pub fn new(coords: &[(f64, f64)]) -> Self {
        let n = coords.len();
        if n <= MATRIX_MAX_CITIES {
            let table = coords.iter().flat_map(|&a| coords.iter().map(move |&b| euc_2d(a, b))).collect();
            Distances::Table { n, table }
        } else {
            Distances::Computed { coords: coords.to_vec() }
        }
    }

    /// Distance between cities `a` and `b`.
    #[inline(always)]
    pub fn between(&self, a: u32, b: u32) -> i64 {
        match self {
            Distances::Table { n, table } => i64::from(table[a as usize * n + b as usize]),
            Distances::Computed { coords } => i64::from(euc_2d(coords[a as usize], coords[b as usize])),
        }
    }
}

impl fmt::Debug for Distances {
    /// The table itself is too large to print usefully.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Distances::Table { n, .. } => write!(f, "Distances::Table({n} x {n})"),
            Distances::Computed { coords } => write!(f, "Distances::Computed({} cities)", coords.len()),
        }
    }
}
