//! `Magnet`: one Ising instance (couplings, field, options) and how to get one: an
//! L x L periodic lattice, a bundled Gset graph, or edge-list text.
//!
//! The engine's energy (DESIGN.md section 3): `E = -sum_(i<j) K_ij s_i s_j - f sum_i s_i`
//! with integer `K` and the uniform `field` f. In dimod's convention, the one the docs
//! give users (`E = sum_i h_i s_i + sum_(i<j) J_ij s_i s_j`), that is `J = -K` and
//! `h_i = -f`: a lattice's ferro bond is `J = -1`, a glass's `J = -1` or `+1`.
//! Graphs (Gset and `graph` text) are read as max-cut: `J_ij = w_ij` (`K = -w`), so with
//! `W = sum w_ij` the cut is `(W - E) / 2` and minimising `E` maximises the cut. A
//! model with real biases or per-spin fields ([`super::format`]) is held scaled to
//! integers, per-spin fields as couplings to one extra "ghost" spin: its engine
//! energy is `scale * (E - offset)` ([`Magnet::model_energy`] converts back).

use std::fmt;
use std::str::FromStr;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::bundled::{self, bundled_graphs};
use super::couplings::Couplings;
use super::error::MagnetError;
use super::format::{self, Scaled, Vartype};
use super::graph::{self, EdgeList};
use super::spins::Spins;
use super::{FIELD_QUANTUM, MAX_FIELD, MAX_LATTICE, MIN_LATTICE};
use crate::config::{AnnealConfig, TemperingConfig};
use crate::rng::Generator;
use crate::schedule::ScheduleKind;

/// Seed of the fixed draw that makes every instance's random starting spins.
const INITIAL_SPINS_SEED: u64 = 0x4B49_4C4E_5350_494E; // "KILNSPIN"

/// How a lattice's couplings are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Coupling {
    /// Every bond J = +1: the ferromagnet, ordered below Onsager's T_c = 2.269.
    #[default]
    Ferro,
    /// Every bond J = +1 or -1 with equal odds, drawn from the seed: a spin glass.
    Glass,
}

impl Coupling {
    /// The lowercase name used in parameters.
    pub fn name(self) -> &'static str {
        match self {
            Coupling::Ferro => "ferro",
            Coupling::Glass => "glass",
        }
    }
}

impl FromStr for Coupling {
    type Err = MagnetError;
    fn from_str(s: &str) -> Result<Self, MagnetError> {
        [Coupling::Ferro, Coupling::Glass]
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| MagnetError::UnknownCoupling(s.to_string()))
    }
}

/// The spins a run starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Start {
    /// Each spin up or down with equal odds, from a fixed seed (the same for every
    /// run of the instance): the "hot" start, and the one a class should watch order.
    #[default]
    Random,
    /// Every spin up: the "cold" start, already in one of the ferromagnet's ground
    /// states; equilibrium runs below T_c use it to skip the slow coarsening of domains.
    Up,
}

impl Start {
    /// The lowercase name used in parameters.
    pub fn name(self) -> &'static str {
        match self {
            Start::Random => "random",
            Start::Up => "up",
        }
    }
}

impl FromStr for Start {
    type Err = MagnetError;
    fn from_str(s: &str) -> Result<Self, MagnetError> {
        [Start::Random, Start::Up]
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| MagnetError::UnknownStart(s.to_string()))
    }
}

/// The order in which steps visit the spins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Sites {
    /// Each step flips a uniformly random spin (one random word per step).
    #[default]
    Random,
    /// Step `t` tries spin `t mod N`: sweeps in site order, as D-Wave's neal does. The
    /// site is a function of the step number, so the run stays a pure function of
    /// (instance, config, seed), for every batch size and thread count.
    Sequential,
}

impl Sites {
    /// The lowercase name used in parameters.
    pub fn name(self) -> &'static str {
        match self {
            Sites::Random => "random",
            Sites::Sequential => "sequential",
        }
    }
}

impl FromStr for Sites {
    type Err = MagnetError;
    fn from_str(s: &str) -> Result<Self, MagnetError> {
        [Sites::Random, Sites::Sequential]
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| MagnetError::UnknownSiteOrder(s.to_string()))
    }
}

/// `t mod n` for a fixed `n` by Lemire's direct remainder ("Faster remainder by direct
/// computation", 2019): with `M = ceil(2^128 / n)`, `t mod n` is the high 64 bits of
/// `(M * t mod 2^128) * n`, exact for every 64-bit `t` and `n`. Two multiplications
/// instead of a division that cost a sequential step about 5% of its time; below 2^32
/// (every run under four billion steps) the 64-bit form of the same method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SiteOfStep {
    n: u64,
    magic: u128,
    magic32: u64,
}

impl SiteOfStep {
    /// For `n >= 1` (an instance has at least two spins).
    pub(crate) fn new(n: u64) -> Self {
        let n = n.max(1);
        Self {
            n,
            magic: (u128::MAX / u128::from(n)).wrapping_add(1),
            magic32: (u64::MAX / n).wrapping_add(1),
        }
    }

    /// `t mod n`.
    #[inline(always)]
    pub(crate) fn site(&self, t: u64) -> u64 {
        if t <= u64::from(u32::MAX) && self.n <= u64::from(u32::MAX) {
            // The 32-bit form (M = floor((2^64 - 1) / n) + 1, exact for every 32-bit
            // `t` and `n`): two 64-bit multiplications, a shorter chain.
            let low = self.magic32.wrapping_mul(t);
            return ((u128::from(low) * u128::from(self.n)) >> 64) as u64;
        }
        let low = self.magic.wrapping_mul(u128::from(t));
        let n = u128::from(self.n);
        // High 64 bits of the 192-bit product `low * n`.
        let hi = (low >> 64) * n + (((low as u64 as u128) * n) >> 64);
        (hi >> 64) as u64
    }
}

/// Where an instance came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// An L x L periodic square lattice.
    Lattice {
        /// Spins on a side.
        size: usize,
        /// Ferromagnet or spin glass.
        coupling: Coupling,
    },
    /// A bundled Gset graph, read as max-cut.
    Gset {
        /// Its Gset name.
        name: &'static str,
    },
    /// Edge-list text or a dimod model (read as max-cut when it is a plain graph:
    /// whole-number couplings, no fields, no offset).
    Graph,
}

/// How a model read from text or dimod JSON maps to the engine's integers.
#[derive(Clone, Debug, PartialEq)]
struct ModelScale {
    /// Spins of the model (the engine has one more when `ghost`).
    spins: usize,
    ghost: bool,
    scale: f64,
    offset: f64,
    exact: bool,
    binary: bool,
    labels: Option<Vec<serde_json::Value>>,
}

/// The max-cut reading of a graph instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct MaxCut {
    /// `W`, the sum of all edge weights.
    total_weight: i64,
    best_known: Option<u64>,
}

/// An Ising instance: spins, integer couplings in CSR form, a uniform field.
#[derive(Clone, Debug)]
pub struct Magnet {
    name: String,
    source: Source,
    pub(crate) couplings: Couplings,
    pub(crate) field: f64,
    max_cut: Option<MaxCut>,
    model: Option<ModelScale>,
    start: Start,
    sites: Sites,
    /// `t mod N` without a division, for sequential sweeps.
    site_of_step: SiteOfStep,
}

impl Magnet {
    fn from_edges(name: String, source: Source, list: &EdgeList, max_cut: bool) -> Self {
        let sign = if max_cut { -1 } else { 1 };
        let edges: Vec<(u32, u32, i32)> = list.edges.iter().map(|&(i, j, w)| (i, j, sign * w)).collect();
        let max_cut = max_cut.then(|| MaxCut {
            total_weight: list.edges.iter().map(|e| i64::from(e.2)).sum(),
            best_known: None,
        });
        Self {
            name,
            source,
            couplings: Couplings::from_edges(list.spins, &edges),
            field: 0.0,
            max_cut,
            model: None,
            start: Start::Random,
            sites: Sites::Random,
            site_of_step: SiteOfStep::new(list.spins as u64),
        }
    }

    /// An `size` x `size` square lattice with periodic edges (a torus: every spin has
    /// four neighbours), `size` in 3..=1000. A glass draws each bond's sign from `seed`.
    pub fn lattice(size: usize, coupling: Coupling, seed: u64) -> Result<Magnet, MagnetError> {
        if !(MIN_LATTICE..=MAX_LATTICE).contains(&size) {
            return Err(MagnetError::LatticeSize { size });
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut bond = || match coupling {
            Coupling::Ferro => 1,
            Coupling::Glass => {
                if rng.next_u32() & 1 == 1 {
                    1
                } else {
                    -1
                }
            }
        };
        let at = |x: usize, y: usize| (y * size + x) as u32;
        let mut edges = Vec::with_capacity(2 * size * size);
        for y in 0..size {
            for x in 0..size {
                let (i, right, down) = (at(x, y), at((x + 1) % size, y), at(x, (y + 1) % size));
                edges.push((i.min(right), i.max(right), bond()));
                edges.push((i.min(down), i.max(down), bond()));
            }
        }
        let name = match coupling {
            Coupling::Ferro => format!("ferro-{size}x{size}"),
            Coupling::Glass => format!("glass-{size}x{size}-seed-{seed}"),
        };
        let list = EdgeList { spins: size * size, edges };
        Ok(Self::from_edges(name, Source::Lattice { size, coupling }, &list, false))
    }

    /// A bundled Gset graph by name (`G1`, `G2`, `G3`, `G11`, `G14`, `G22`), read as max-cut.
    pub fn gset(name: &str) -> Result<Magnet, MagnetError> {
        let Some(entry) = bundled::find(name) else {
            let known = bundled_graphs().iter().map(|g| g.name).collect::<Vec<_>>().join(", ");
            return Err(MagnetError::UnknownGset { name: name.to_string(), known });
        };
        let list = graph::parse(entry.text())?;
        let mut magnet =
            Self::from_edges(entry.name.to_string(), Source::Gset { name: entry.name }, &list, true);
        if let Some(cut) = &mut magnet.max_cut {
            cut.best_known = entry.best_known_cut();
        }
        Ok(magnet)
    }

    /// A model from text (Gset's format, `n m` then `i j J` lines, 1-based, decimals
    /// allowed, and `h i value` field lines) or dimod's serializable JSON; see
    /// [`super::format`]. A plain graph (whole-number couplings, no fields) is read as
    /// max-cut, as before. Errors name the line or the JSON field.
    pub fn parse_graph(text: &str) -> Result<Magnet, MagnetError> {
        Self::from_model(&format::parse_model(text)?)
    }

    /// A magnet of a model in dimod's convention ([`super::format::Model`]).
    pub fn from_model(model: &format::Model) -> Result<Magnet, MagnetError> {
        let scaled: Scaled = model.scaled()?;
        let plain =
            !scaled.ghost && scaled.scale == 1.0 && scaled.offset == 0.0 && scaled.vartype == Vartype::Spin;
        let list = EdgeList { spins: scaled.spins, edges: scaled.edges.clone() };
        let name = if plain {
            format!("graph-{}-{}", model.len(), model.quadratic.len())
        } else {
            format!("model-{}-{}", model.len(), model.quadratic.len())
        };
        let mut magnet = Self::from_edges(name, Source::Graph, &list, false);
        if plain {
            // K = -w: the cut reading needs W = sum w.
            magnet.max_cut = Some(MaxCut {
                total_weight: scaled.edges.iter().map(|e| -i64::from(e.2)).sum(),
                best_known: None,
            });
        } else {
            magnet.model = Some(ModelScale {
                spins: model.len(),
                ghost: scaled.ghost,
                scale: scaled.scale,
                offset: scaled.offset,
                exact: scaled.exact,
                binary: scaled.vartype == Vartype::Binary,
                labels: scaled.labels,
            });
        }
        Ok(magnet)
    }

    /// The model's spins of an engine state: without the ghost spin, each multiplied
    /// by it (flipping every spin keeps the energy, so the ghost's side is "up").
    /// For a QUBO, `x_i = (1 + s_i) / 2`. Every other instance: the spins as they are.
    pub fn user_spins(&self, spins: &[i8]) -> Vec<i8> {
        match &self.model {
            Some(m) if m.ghost => {
                let g = spins[m.spins];
                spins[..m.spins].iter().map(|&s| s * g).collect()
            }
            _ => spins.to_vec(),
        }
    }

    /// The model's variables of an engine state: spins (+1/-1), or a QUBO's bits (0/1).
    pub fn user_values(&self, spins: &[i8]) -> Vec<i8> {
        let s = self.user_spins(spins);
        match &self.model {
            Some(m) if m.binary => s.into_iter().map(|v| (v + 1) / 2).collect(),
            _ => s,
        }
    }

    /// The model's energy of an engine energy: `E / scale + offset` (the engine's own
    /// energy for every instance that is not a scaled model).
    pub fn model_energy(&self, engine_energy: f64) -> f64 {
        match &self.model {
            Some(m) => engine_energy / m.scale + m.offset,
            None => engine_energy,
        }
    }

    /// Engine energy units per model unit (1 unless the model has decimals or is a QUBO).
    pub fn energy_scale(&self) -> f64 {
        self.model.as_ref().map_or(1.0, |m| m.scale)
    }

    /// The model's energy where the engine's is 0.
    pub fn energy_offset(&self) -> f64 {
        self.model.as_ref().map_or(0.0, |m| m.offset)
    }

    /// Whether every bias was held exactly (false: rounded, see [`super::format`]).
    pub fn is_exact(&self) -> bool {
        self.model.as_ref().is_none_or(|m| m.exact)
    }

    /// Whether the model's variables are a QUBO's bits.
    pub fn is_binary(&self) -> bool {
        self.model.as_ref().is_some_and(|m| m.binary)
    }

    /// dimod's variable labels of a model read from its JSON.
    pub fn labels(&self) -> Option<&[serde_json::Value]> {
        self.model.as_ref().and_then(|m| m.labels.as_deref())
    }

    /// Whether this is a scaled model (real biases, fields, an offset or a QUBO).
    pub fn is_model(&self) -> bool {
        self.model.is_some()
    }

    /// The same instance under a uniform external field `h` (|h| <= 100).
    ///
    /// The field is held as the nearest multiple of 1/1024 (0.1 becomes
    /// 102/1024 = 0.0996...), so that every energy and every flip's delta is an exact
    /// binary fraction and the annealer's running energy never drifts from a
    /// recomputation. [`Magnet::field`] returns the value held.
    pub fn with_field(mut self, h: f64) -> Result<Magnet, MagnetError> {
        if !h.is_finite() || h.abs() > MAX_FIELD {
            return Err(MagnetError::Field { value: h.to_string() });
        }
        if h != 0.0 && self.model.is_some() {
            return Err(MagnetError::FieldOnModel);
        }
        self.field = (h / FIELD_QUANTUM).round() * FIELD_QUANTUM;
        Ok(self)
    }

    /// The same instance starting from `start`.
    pub fn with_start(mut self, start: Start) -> Magnet {
        self.start = start;
        self
    }

    /// The same instance visiting spins in `sites` order.
    pub fn with_sites(mut self, sites: Sites) -> Magnet {
        self.sites = sites;
        self
    }

    /// The order in which steps visit the spins.
    pub fn sites(&self) -> Sites {
        self.sites
    }

    /// The spin step `t` tries under sequential sweeps: `t mod N`.
    #[inline(always)]
    pub(crate) fn sequential_site(&self, t: u64) -> u32 {
        self.site_of_step.site(t) as u32
    }

    /// The instance's name (`ferro-64x64`, `G1`, `graph-1000-1500`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the instance came from.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Number of spins.
    pub fn len(&self) -> usize {
        self.couplings.spins()
    }

    /// Always false: an instance has at least two spins.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of coupled pairs.
    pub fn edges(&self) -> usize {
        self.couplings.edges()
    }

    /// Every coupling once, as `(i, j, J_ij)` with `i < j` (0-based).
    pub fn couplings(&self) -> impl Iterator<Item = (usize, usize, i32)> + '_ {
        self.couplings.edge_list()
    }

    /// The uniform external field h as held (a multiple of 1/1024).
    pub fn field(&self) -> f64 {
        self.field
    }

    /// The starting spins' kind.
    pub fn start(&self) -> Start {
        self.start
    }

    /// Spins on a side, for a lattice.
    pub fn lattice_side(&self) -> Option<usize> {
        match self.source {
            Source::Lattice { size, .. } => Some(size),
            _ => None,
        }
    }

    /// Magnetisation per spin of a state, in [-1, 1].
    pub fn magnetization(&self, state: &Spins) -> f64 {
        match &self.model {
            Some(m) if m.ghost => {
                let g = i64::from(state.spin(m.spins));
                (state.magnetization_sum() - g) as f64 * g as f64 / m.spins as f64
            }
            _ => state.magnetization_sum() as f64 / self.len() as f64,
        }
    }

    /// For a graph read as max-cut with no field: the cut `(W - E) / 2` of a state of
    /// energy `energy` (the total weight of the edges whose ends differ).
    pub fn cut(&self, energy: f64) -> Option<i64> {
        let max_cut = self.max_cut.filter(|_| self.field == 0.0)?;
        Some((max_cut.total_weight - energy as i64) / 2)
    }

    /// The best-known cut, for a bundled Gset graph.
    pub fn best_known_cut(&self) -> Option<u64> {
        self.max_cut.and_then(|c| c.best_known)
    }

    /// The energy `E = W - 2 cut` a cut corresponds to, for a max-cut instance
    /// with no field (the inverse of [`Magnet::cut`]).
    pub fn energy_of_cut(&self, cut: i64) -> Option<f64> {
        let max_cut = self.max_cut.filter(|_| self.field == 0.0)?;
        Some((max_cut.total_weight - 2 * cut) as f64)
    }

    /// The starting state (see [`Start`]).
    pub(crate) fn initial_spins(&self) -> Spins {
        let spins = match self.start {
            Start::Up => vec![1i8; self.len()],
            Start::Random => {
                let mut rng = ChaCha8Rng::seed_from_u64(INITIAL_SPINS_SEED);
                (0..self.len()).map(|_| if rng.next_u32() & 1 == 1 { 1 } else { -1 }).collect()
            }
        };
        Spins::new(spins, &self.couplings)
    }

    /// Energy of a state from scratch: `-sum_(i<j) J_ij s_i s_j - h M`.
    pub(crate) fn energy_of(&self, state: &Spins) -> f64 {
        let bonds: i64 = self
            .couplings
            .edge_list()
            .map(|(i, j, c)| i64::from(c) * i64::from(state.spin(i)) * i64::from(state.spin(j)))
            .sum();
        -(bonds as f64) - self.field * state.magnetization_sum() as f64
    }

    /// Sweeps (of one attempted flip per spin each) in one cycle of a default run.
    ///
    /// Lattices: 1,500 sweeps a cycle, three cycles. Graphs read as max-cut: 5,000
    /// sweeps a cycle, four cycles (G1: 16 million steps, G22: 40 million, a few
    /// seconds here). Both capped at 50 million steps in all for large instances.
    pub fn default_sweeps(&self) -> u64 {
        let (sweeps, cycles) = match self.source {
            Source::Lattice { .. } => (1_500, LATTICE_CYCLES),
            Source::Gset { .. } | Source::Graph => (5_000, GRAPH_CYCLES),
        };
        sweeps.min((DEFAULT_MAX_STEPS / cycles / self.len() as u64).max(1))
    }

    /// Steps in one cycle of a default run: [`Magnet::default_sweeps`] times the spins.
    pub fn default_steps_per_cycle(&self) -> u64 {
        self.default_sweeps() * self.len() as u64
    }

    /// The default settings for annealing this instance with `seed`: geometric cooling
    /// over cycles of [`Magnet::default_steps_per_cycle`], step words from ChaCha8
    /// (Philox, [`Generator::Philox`], is not yet faster for a spin flip).
    ///
    /// * Lattices: from 3 to 0.5 (from above the ferromagnet's T_c = 2.269 to where a
    ///   flip against four aligned neighbours is accepted once in 9 million tries),
    ///   three cycles (reheats). A slowly cooled ferromagnet on a torus still ends,
    ///   one time in ten or so, in two stripe domains wrapped around it (E = -2N + 4L),
    ///   stable at any low temperature; a reheat gives it another chance, and the best
    ///   state is kept.
    /// * Graphs: four cycles, each from the root-mean-square local field of a random state (at
    ///   least 3; G1: 6.9, G22: 4.5, G14: 3.4, G11: 3) down to a fifth of the smallest
    ///   coupling, where the smallest uphill flip (2|J|) is accepted once in 22,000.
    ///   One anneal's result varies from seed to seed by a few units of cut; the best
    ///   of four shorter ones (as neal's default takes the best of ten reads) is
    ///   steadier than one anneal four times as long.
    pub fn default_config(&self, seed: u64) -> AnnealConfig {
        let (t0, t1, cycles) = match self.source {
            Source::Lattice { .. } => (3.0, 0.5, LATTICE_CYCLES),
            Source::Gset { .. } | Source::Graph => {
                let t0 = self.couplings.rms_field().max(3.0);
                (t0, 0.2 * f64::from(self.couplings.min_strength()), GRAPH_CYCLES)
            }
        };
        AnnealConfig {
            seed,
            generator: Generator::ChaCha8,
            schedule: ScheduleKind::Geometric,
            initial_temp: t0,
            final_temp: Some(t1),
            steps_per_cycle: self.default_steps_per_cycle(),
            cycles,
            ..AnnealConfig::default()
        }
    }
}

/// Cycles of a default lattice run.
const LATTICE_CYCLES: u64 = 3;
/// Cycles of a default graph run.
const GRAPH_CYCLES: u64 = 4;
/// Most steps a default run takes, whatever the instance's size.
const DEFAULT_MAX_STEPS: u64 = 50_000_000;
/// Sweeps per spin a replica of a default tempering run on a graph takes (see
/// [`Magnet::default_tempering_cycles`]).
const TEMPERING_SWEEPS_PER_SPIN: u64 = 60;
/// Fewest and most cycles of a default tempering run on a graph.
const TEMPERING_CYCLES: (u64, u64) = (4, 24);

impl Magnet {
    /// Cycles of a default tempering run (`method: tempering`): its steps per replica
    /// are [`Magnet::default_steps_per_cycle`] times these; a tempering run has no
    /// reheats, only that length. The one rule for it: the magnet kind's default
    /// (`kiln run --method tempering`, the page) reads it.
    ///
    /// * Lattices: as annealing (three cycles).
    /// * Graphs: about 60 sweeps per spin a replica, to the nearest whole cycle, 4 to
    ///   24 cycles (of 5,000 sweeps for graphs up to 2,500 spins: 16 x 16 glass 20,000
    ///   sweeps, 24 x 24 35,000, 32 x 32 60,000, 800-spin Gset 50,000, G22 120,000).
    ///   How long a replica needs to reach a ground state grows with the spins, and at
    ///   60 per spin the tuned ladder reaches the exact ground states of the 2D +-J
    ///   glasses of `engine/tests/data/ising` in at least 4 of 5 seeds and G1, G2,
    ///   G3, G11 their best-known cuts in at least 3 (`tests/tempering_ground_states.rs`).
    ///   The cap bounds a large graph's run (whose cycles are shorter) at 24 of
    ///   annealing's cycles.
    pub fn default_tempering_cycles(&self) -> u64 {
        match self.source {
            Source::Lattice { .. } => LATTICE_CYCLES,
            Source::Gset { .. } | Source::Graph => {
                let sweeps = TEMPERING_SWEEPS_PER_SPIN * self.len() as u64;
                let per_cycle = self.default_sweeps().max(1);
                ((sweeps + per_cycle / 2) / per_cycle).clamp(TEMPERING_CYCLES.0, TEMPERING_CYCLES.1)
            }
        }
    }

    /// The default settings for replica exchange on this instance with `seed`: the
    /// annealing defaults' temperatures as the ladder's ends and its steps per cycle,
    /// over [`Magnet::default_tempering_cycles`], with the default tempering settings
    /// (24 replicas on the tuned ladder, a round every 1,000 steps). The magnet kind's
    /// `method: tempering` default is this config.
    ///
    /// The cold end stays annealing's (graphs: a fifth of the smallest coupling): at
    /// half the smallest coupling the tuned ladder made more round trips on G14 (25 to
    /// 31 against 11 to 17) and cut as well, but the 32 x 32 glass of
    /// `tests/tempering_ground_states.rs` then reached its ground state in 3 seeds of
    /// 5 instead of 4.
    pub fn default_tempering_config(&self, seed: u64) -> AnnealConfig {
        AnnealConfig {
            cycles: self.default_tempering_cycles(),
            tempering: Some(TemperingConfig::default()),
            ..self.default_config(seed)
        }
    }
}

impl fmt::Display for Magnet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} spins, {} couplings)", self.name, self.len(), self.edges())
    }
}

#[cfg(test)]
mod tests {
    use super::SiteOfStep;

    #[test]
    fn site_of_step_is_the_remainder() {
        // The oracle is the `%` operator, on edge values and a spread of both operands.
        let ns = [1u64, 2, 3, 7, 1000, 1024, 4096, 800 * 800, 999_983, 1_000_000, u32::MAX as u64, u64::MAX];
        let mut t = 0x9E37_79B9_7F4A_7C15u64;
        for &n in &ns {
            let f = SiteOfStep::new(n);
            for k in [0, 1, n - 1, n, n.wrapping_add(1), u64::MAX, u64::MAX - 1, 1 << 32, (1 << 32) - 1] {
                assert_eq!(f.site(k), k % n, "{k} mod {n}");
            }
            for _ in 0..100_000 {
                t ^= t << 13;
                t ^= t >> 7;
                t ^= t << 17;
                assert_eq!(f.site(t), t % n, "{t} mod {n}");
                assert_eq!(f.site(t >> 20), (t >> 20) % n, "{} mod {n}", t >> 20);
            }
        }
    }
}
