//! `Tsp`: one EUC_2D instance (its cities and distances) and how to get one:
//! bundled by name, parsed from TSPLIB text, or random from a seed.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::MAX_CITIES;
use super::bundled::{self, bundled_instances};
use super::distance::Distances;
use super::error::TspError;
use super::moves::MoveMix;
use super::random::{self, Layout};
use super::tour::Tour;
use super::tsplib;
use crate::config::AnnealConfig;
use crate::schedule::ScheduleKind;

/// Seed of the fixed shuffle that makes every instance's starting tour.
const INITIAL_TOUR_SEED: u64 = 0x4B49_4C4E; // "KILN"

/// A travelling-salesman instance with TSPLIB's EUC_2D distances.
///
/// Energy is the tour length, an exact integer (held in an `f64`, exact below 2^53,
/// which the coordinate bound guarantees), so the annealer's `current += delta`
/// never drifts from the recomputed length.
#[derive(Clone, Debug)]
pub struct Tsp {
    name: String,
    coords: Vec<(f64, f64)>,
    pub(crate) distances: Distances,
    optimal_length: Option<u64>,
    pub(crate) moves: MoveMix,
}

impl Tsp {
    fn from_coords(name: String, coords: Vec<(f64, f64)>, optimal_length: Option<u64>) -> Self {
        let distances = Distances::new(&coords);
        Self { name, coords, distances, optimal_length, moves: MoveMix::default() }
    }

    /// A bundled TSPLIB instance by name, e.g. `berlin52` (see [`bundled_instances`]).
    pub fn bundled(name: &str) -> Result<Tsp, TspError> {
        let Some(entry) = bundled::find(name) else {
            let known = bundled_instances().iter().map(|b| b.name).collect::<Vec<_>>().join(", ");
            return Err(TspError::UnknownInstance { name: name.to_string(), known });
        };
        let parsed = tsplib::parse_instance(entry.tsplib_text())?;
        Ok(Self::from_coords(parsed.name, parsed.coords, entry.optimal_length))
    }

    /// An instance from the text of a TSPLIB `.tsp` file (EUC_2D). If its NAME and
    /// cities are those of a bundled instance, the known optimum comes with it.
    pub fn parse_tsplib(text: &str) -> Result<Tsp, TspError> {
        let parsed = tsplib::parse_instance(text)?;
        let optimal_length = bundled::find(&parsed.name)
            .filter(|b| b.dimension == parsed.coords.len())
            .filter(|b| {
                tsplib::parse_instance(b.tsplib_text()).is_ok_and(|known| known.coords == parsed.coords)
            })
            .and_then(|b| b.optimal_length);
        Ok(Self::from_coords(parsed.name, parsed.coords, optimal_length))
    }

    /// `cities` random cities (3..=[`MAX_CITIES`]) in `layout`, determined by `seed`.
    /// Named like `uniform-100-seed-42`.
    pub fn random(cities: usize, layout: Layout, seed: u64) -> Result<Tsp, TspError> {
        if !(3..=MAX_CITIES).contains(&cities) {
            return Err(TspError::CityCount { cities });
        }
        let coords = random::cities(cities, layout, seed);
        Ok(Self::from_coords(format!("{}-{cities}-seed-{seed}", layout.name()), coords, None))
    }

    /// The same instance proposing only some of the moves (default: 2-opt and or-opt).
    pub fn with_moves(mut self, moves: MoveMix) -> Self {
        self.moves = moves;
        self
    }

    /// The moves this instance proposes.
    pub fn moves(&self) -> MoveMix {
        self.moves
    }

    /// The instance's name (TSPLIB NAME, or the random instance's description).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of cities.
    pub fn len(&self) -> usize {
        self.coords.len()
    }

    /// Always false: an instance has at least 3 cities.
    pub fn is_empty(&self) -> bool {
        self.coords.is_empty()
    }

    /// City coordinates, indexed by city.
    pub fn coords(&self) -> &[(f64, f64)] {
        &self.coords
    }

    /// Length of an optimal tour, when known (bundled instances, and parsed files
    /// identical to one).
    pub fn optimal_length(&self) -> Option<u64> {
        self.optimal_length
    }

    /// Length of the closed tour visiting `order` (city indices below `len()`;
    /// an index out of range panics).
    pub fn tour_length(&self, order: &[u32]) -> u64 {
        let Some(&last) = order.last() else { return 0 };
        let mut prev = last;
        let mut total = 0u64;
        for &city in order {
            total += self.distances.between(prev, city) as u64;
            prev = city;
        }
        total
    }

    /// A tour from the text of a TSPLIB `.tour` file for this instance (0-based
    /// city indices in visiting order).
    pub fn parse_tour(&self, text: &str) -> Result<Vec<u32>, TspError> {
        tsplib::parse_tour(text, self.len())
    }

    /// The starting tour: a fixed shuffle of the cities (the same for every run of
    /// this instance size). A random tour is the textbook start and the best to
    /// watch: SA visibly untangles it. TSPLIB's file order would be a poor neutral
    /// start, as some files list their cities already near-optimally (a280).
    pub(crate) fn initial_tour(&self) -> Tour {
        let mut order: Vec<u32> = (0..self.len() as u32).collect();
        order.shuffle(&mut ChaCha8Rng::seed_from_u64(INITIAL_TOUR_SEED));
        Tour::from_order(order)
    }

    /// The default total step budget for this instance (n cities): `10,000 * n`
    /// steps, at least 1 million; above about 1,400 cities at most `2e10 / n` (but
    /// never under 500,000), because a 2-opt move costs up to n/2 element swaps to
    /// apply and a default run should end in seconds, not hours.
    ///
    /// With [`Tsp::default_config`] (the `auto` schedule, one cycle) this solves
    /// berlin52 and kroA100 to within a fraction of a percent for most seeds and
    /// leaves 1,000-city instances 5 to 8% above optimal in about two seconds on
    /// one core (release build). Larger instances get a quick, rough anneal; ask
    /// for more steps to do better.
    pub fn default_steps(&self) -> u64 {
        const WORK: u64 = 20_000_000_000;
        let n = self.len() as u64;
        let by_size = (10_000 * n).max(1_000_000);
        by_size.min((WORK / n).max(500_000))
    }

    /// The default settings for annealing this instance with `seed`: what the CLI
    /// and the server use for TSP. The `auto` schedule estimates the temperatures
    /// from the instance (about 80% of uphill moves accepted at the start, 0.1% at
    /// the end), cooling geometrically over [`Tsp::default_steps`] in one cycle.
    pub fn default_config(&self, seed: u64) -> AnnealConfig {
        AnnealConfig {
            seed,
            schedule: ScheduleKind::Auto,
            steps_per_cycle: self.default_steps(),
            cycles: 1,
            ..AnnealConfig::default()
        }
    }
}
