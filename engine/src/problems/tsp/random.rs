//! Random instances: cities scattered uniformly or in clusters, from a seed.
//!
//! Cities get integer coordinates (as most TSPLIB instances do) in a square whose
//! side grows with the square root of the city count, `100 * sqrt(n)`, so the
//! density and the typical distance to a neighbour (about 50) stay the same at every
//! size and TSPLIB's rounding to whole units never dominates the distances.
//!
//! * `uniform`: every coordinate uniform over the square.
//! * `clustered`: about `sqrt(n) / 2` centres uniform over the middle of the square;
//!   each city picks a centre and lies at a Gaussian offset from it (standard
//!   deviation `side / (4 sqrt(clusters))`, so blobs stay apart at every size),
//!   clamped to the square. Clustered cities show
//!   how SA first links the clusters and then tidies each one.
//!
//! The same (count, layout, seed) gives the same cities on every machine: ChaCha8
//! seeded from the seed, and rand_distr's Normal (value-stable within its release).

use std::fmt;
use std::str::FromStr;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

/// How random cities are scattered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Layout {
    /// Uniform over a square.
    #[default]
    Uniform,
    /// Gaussian blobs around random centres.
    Clustered,
}

impl Layout {
    /// Every layout, in the order the CLI and API list them.
    pub const ALL: [Layout; 2] = [Layout::Uniform, Layout::Clustered];

    /// The lowercase name used in parameters.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Uniform => "uniform",
            Layout::Clustered => "clustered",
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A layout name that is neither `uniform` nor `clustered`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("layout: must be \"uniform\" or \"clustered\", not \"{0}\"")]
pub struct UnknownLayout(pub String);

impl FromStr for Layout {
    type Err = UnknownLayout;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Layout::ALL.into_iter().find(|l| l.name() == s).ok_or_else(|| UnknownLayout(s.to_string()))
    }
}

/// Side of the square holding `n` cities.
fn side(n: usize) -> f64 {
    (100.0 * (n as f64).sqrt()).round()
}

/// `n` cities in `layout`, determined by `seed`.
pub(crate) fn cities(n: usize, layout: Layout, seed: u64) -> Vec<(f64, f64)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let side = side(n);
    match layout {
        Layout::Uniform => (0..n)
            .map(|_| (rng.random_range(0.0..side).floor(), rng.random_range(0.0..side).floor()))
            .collect(),
        Layout::Clustered => {
            let clusters = ((n as f64).sqrt() / 2.0).round().max(1.0) as usize;
            let centres: Vec<(f64, f64)> = (0..clusters)
                .map(|_| {
                    (rng.random_range(0.15 * side..0.85 * side), rng.random_range(0.15 * side..0.85 * side))
                })
                .collect();
            let offset = Normal::new(0.0, side / (4.0 * (clusters as f64).sqrt()))
                .expect("a positive, finite deviation");
            let clamp = |v: f64| v.round().clamp(0.0, side);
            (0..n)
                .map(|_| {
                    let (cx, cy) = centres[rng.random_range(0..clusters)];
                    (clamp(cx + offset.sample(&mut rng)), clamp(cy + offset.sample(&mut rng)))
                })
                .collect()
        }
    }
}
