//! `Tsp`: one EUC_2D instance (its cities and distances) and how to get one:
//! bundled by name, parsed from TSPLIB text, or random from a seed.

use std::sync::Arc;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::MAX_CITIES;
use super::bundled::{self, bundled_instances};
use super::distance::Distances;
use super::error::TspError;
use super::moves::{Candidates, MoveMix, NEAREST_MIN_CITIES, NEIGHBOURS};
use super::neighbours::NeighbourLists;
use super::random::{self, Layout};
use super::tour::Tour;
use super::tsplib;
use crate::config::AnnealConfig;
use crate::schedule::ScheduleKind;

/// Seconds of one core a default run spends per 100 cities.
pub const DEFAULT_SECONDS_PER_100_CITIES: f64 = 1.0;
/// Longest default run, in seconds of one core.
pub const DEFAULT_MAX_SECONDS: f64 = 60.0;
/// Fewest steps of a default run.
pub const DEFAULT_MIN_STEPS: u64 = 1_000_000;
/// Steps per second of one core with a distance table (measured: see
/// [`Tsp::expected_seconds`]).
const TABLE_STEPS_PER_SECOND: f64 = 15_000_000.0;
/// Steps per second of one core with distances computed from coordinates.
const COMPUTED_STEPS_PER_SECOND: f64 = 8_000_000.0;

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
    candidates: Candidates,
    /// Built once per instance (shared by clones, as sessions clone the problem).
    near: Option<Arc<NeighbourLists>>,
}

impl Tsp {
    fn from_coords(name: String, coords: Vec<(f64, f64)>, optimal_length: Option<u64>) -> Self {
        let distances = Distances::new(&coords);
        let near = (coords.len() >= NEAREST_MIN_CITIES)
            .then(|| Arc::new(NeighbourLists::build(&coords, NEIGHBOURS)));
        Self {
            name,
            coords,
            distances,
            optimal_length,
            moves: MoveMix::default(),
            candidates: Candidates::default(),
            near,
        }
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

    /// The same instance drawing its moves from `candidates` (default: `Nearest`).
    pub fn with_candidates(mut self, candidates: Candidates) -> Self {
        self.candidates = candidates;
        self
    }

    /// Where this instance's moves come from.
    pub fn candidates(&self) -> Candidates {
        self.candidates
    }

    /// The neighbour lists moves draw from, when they do.
    #[inline(always)]
    pub(crate) fn nearest(&self) -> Option<&NeighbourLists> {
        match self.candidates {
            Candidates::Nearest => self.near.as_deref(),
            Candidates::Uniform => None,
        }
    }

    /// The neighbour lists, whichever candidates this instance's own moves use.
    pub(crate) fn neighbour_lists(&self) -> Option<Arc<NeighbourLists>> {
        self.near.clone()
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

    /// The default total step budget for this instance: about
    /// [`DEFAULT_SECONDS_PER_100_CITIES`] second of one core per 100 cities, at most
    /// [`DEFAULT_MAX_SECONDS`], at least [`DEFAULT_MIN_STEPS`] steps. Steps, not
    /// seconds, so a run stays a pure function of its inputs: the seconds are turned
    /// into steps with this instance's expected speed ([`Tsp::expected_seconds`]).
    ///
    /// With [`Tsp::default_config`] this reaches the optimum of berlin52 and kroA100
    /// for most seeds (ch150's for 1 of 5 seeds only), and ends within 2% of
    /// pcb442's and 3% of pr1002's (tests/tsp_quality.rs). Large steps
    /// ([`super::LargeSteps`]) over the same seconds reach ch150's for 5 of 5.
    pub fn default_steps(&self) -> u64 {
        ((self.default_seconds() * self.steps_per_second()) as u64).max(DEFAULT_MIN_STEPS)
    }

    /// Seconds of one core a default run of this instance spends, whatever its steps:
    /// [`DEFAULT_SECONDS_PER_100_CITIES`] per 100 cities, at most [`DEFAULT_MAX_SECONDS`].
    pub(crate) fn default_seconds(&self) -> f64 {
        (self.len() as f64 / 100.0 * DEFAULT_SECONDS_PER_100_CITIES).min(DEFAULT_MAX_SECONDS)
    }

    /// The wall time a run of `steps` steps of this instance is expected to take on
    /// one core, in seconds, so a command line can say it before starting (the
    /// default run: `expected_seconds(default_steps())`). A planning figure, from the
    /// speed of a release build measured on the reference machine (2 cores, 2026);
    /// it never decides anything about the trajectory.
    pub fn expected_seconds(&self, steps: u64) -> f64 {
        steps as f64 / self.steps_per_second()
    }

    /// Expected steps per second of one core: a table look-up per distance up to
    /// [`super::MATRIX_MAX_CITIES`], a square root per distance above.
    fn steps_per_second(&self) -> f64 {
        match self.distances {
            Distances::Table { .. } => TABLE_STEPS_PER_SECOND,
            Distances::Computed { .. } => COMPUTED_STEPS_PER_SECOND,
        }
    }

    /// The default settings for annealing this instance with `seed`: what the CLI
    /// and the server use for TSP. The `auto` schedule estimates the temperatures
    /// from the instance (about 80% of uphill moves accepted at the start, 0.1% at
    /// the end), cooling geometrically over [`Tsp::default_steps`] in one cycle.
    pub fn default_config(&self, seed: u64) -> AnnealConfig {
        one_auto_cycle(seed, self.default_steps())
    }
}

/// A tour's default settings: the `auto` schedule over one cycle of `steps`.
pub(crate) fn one_auto_cycle(seed: u64, steps: u64) -> AnnealConfig {
    AnnealConfig {
        seed,
        schedule: ScheduleKind::Auto,
        steps_per_cycle: steps,
        cycles: 1,
        ..AnnealConfig::default()
    }
}
