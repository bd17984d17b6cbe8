//! The magnet kind: Ising spins from an L x L periodic lattice (ferromagnet or spin
//! glass, optional uniform field), a bundled Gset graph read as max-cut, or a model
//! (`graph`): edge-list text with decimal couplings and per-spin `h` lines, or dimod's
//! BQM JSON, in dimod's convention `E = sum h s + sum J s s` (a plain graph is read as
//! max-cut). A model with decimals, fields or a QUBO is annealed in scaled integers:
//! progress then adds `energy_scale`, `energy_offset`, `exact_biases`, `model_energy`
//! and `best_model_energy` (the energies in the model's own units). The engine side is `kiln_engine::problems::magnet`; this file only
//! offers it: parameters, presets, the instance's own defaults (geometric cooling,
//! from [`Magnet::default_config`]), progress fields and the drawing.
//!
//! Progress carries `magnetization` (per spin, current state) and, for graphs read
//! as max-cut with no field, `cut` and `best_cut`; a Gset graph adds `best_known_cut`
//! and `cut_gap` (best known minus best found). A run at a constant temperature also
//! carries `mean_abs_magnetization` and `mean_energy_per_spin`, averaged once per
//! sweep over the second half of the run ([`SweepAverages`]), so a class can see the
//! phase transition. The view asks the shared run type to stop at every sweep
//! boundary ([`StateView::every`]) and samples there, so such a run is the blanket
//! `Annealed` like every other (its steps carry `move` as any kind's do). The known
//! optimum (`optimal_energy`)
//! is given only where it is exact: a ferromagnetic lattice's ground state, every
//! spin along the field, `-(2 + |h|) N`. A Gset best-known cut is not a proven
//! optimum, so it stays a progress field.

use kiln_engine::problems::magnet::{
    Coupling, MAX_FIELD, Magnet, MagnetError, Sites, Source, Spins, Start, SweepAverages, bundled_graphs,
};
use kiln_engine::{AnnealConfig, Annealer, Direction, Proposal, ScheduleKind, StepView};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::kind::{Built, Captions, Counter, Defaults, Kind, Preset, Spec, TemperingDefaults, Values, View};
use super::param::{Param, ParamError, ParamType};
use super::run::{self, Anneal, Annealed, StateView};
use crate::render::cut::cut_svg;
use crate::render::lattice::{graph_svg, lattice_svg};

/// Lattice side a run uses when no instance is named.
pub const DEFAULT_LATTICE: usize = 64;
/// Smallest lattice side offered.
pub const MIN_LATTICE: usize = kiln_engine::problems::magnet::MIN_LATTICE;
/// Largest lattice side the server offers (65,536 spins, still drawn live).
pub const MAX_LATTICE: usize = 256;
/// Longest edge-list text accepted (just under the 1 MiB request body limit).
pub const MAX_GRAPH_BYTES: usize = 1_000_000;
/// A live session spreads its run over about this many events (20 s at 20 events/s).
pub const EVENTS_PER_RUN: u64 = 400;

/// Ising spins: a cooling magnet, a spin glass, or max-cut on a graph.
pub struct MagnetKind;

/// Where a magnet's couplings come from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum MagnetSource {
    /// An L x L periodic lattice.
    Lattice {
        /// Spins on a side.
        size: usize,
        /// `ferro` or `glass`.
        coupling: String,
        /// The seed a glass draws its bond signs from.
        seed: u64,
    },
    /// A bundled Gset graph.
    Gset {
        /// Its Gset name, e.g. G1.
        name: String,
    },
    /// Edge-list text in Gset's format.
    Graph {
        /// The text, as uploaded.
        text: String,
    },
}

/// The spec: the couplings, the field and the starting spins.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MagnetSpec {
    /// Where the couplings come from.
    pub instance: MagnetSource,
    /// The uniform external field h.
    pub field: f64,
    /// `random` or `up`.
    pub start: String,
    /// `random` or `sequential` (absent in records made before the option: random).
    #[serde(default = "random_sites")]
    pub sites: String,
}

fn random_sites() -> String {
    Sites::default().name().to_string()
}

/// A magnet error as a parameter error on `field`, without the engine's own
/// `field: ` prefix (the parameter error adds it back).
fn param_error(field: &str, e: MagnetError) -> ParamError {
    let text = e.to_string();
    let message = text.strip_prefix(&format!("{field}: ")).unwrap_or(&text).to_string();
    ParamError::new(field, message)
}

impl MagnetSpec {
    /// Build the instance; errors name the parameter at fault.
    pub fn build(&self) -> Result<Magnet, ParamError> {
        let magnet = match &self.instance {
            MagnetSource::Lattice { size, coupling, seed } => {
                if !(MIN_LATTICE..=MAX_LATTICE).contains(size) {
                    return Err(ParamError::new(
                        "lattice",
                        format!("must be {MIN_LATTICE} to {MAX_LATTICE} spins on a side, not {size}"),
                    ));
                }
                let coupling: Coupling = coupling.parse().map_err(|e| param_error("coupling", e))?;
                Magnet::lattice(*size, coupling, *seed).map_err(|e| param_error("lattice", e))?
            }
            MagnetSource::Gset { name } => Magnet::gset(name).map_err(|e| param_error("gset", e))?,
            MagnetSource::Graph { text } => Magnet::parse_graph(text).map_err(|e| param_error("graph", e))?,
        };
        let start: Start = self.start.parse().map_err(|e| param_error("start", e))?;
        let sites: Sites = self.sites.parse().map_err(|e| param_error("sites", e))?;
        Ok(magnet
            .with_field(self.field)
            .map_err(|e| param_error("field", e))?
            .with_start(start)
            .with_sites(sites))
    }
}

impl Kind for MagnetKind {
    fn name(&self) -> &'static str {
        "magnet"
    }

    fn label(&self) -> &'static str {
        "Magnet (Ising spins, max-cut)"
    }

    fn parameters(&self) -> Vec<Param> {
        let gsets = bundled_graphs().iter().map(|g| g.name.to_string()).collect();
        let names = |all: &[&str]| all.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        vec![
            Param::new(
                "lattice",
                "Lattice side L",
                ParamType::Integer,
                "An L x L periodic square lattice (give this, or gset, or graph).",
            )
            .default_value(DEFAULT_LATTICE as u64)
            .range(MIN_LATTICE as f64, MAX_LATTICE as f64)
            .replaced_by(&["gset", "graph"]),
            Param::new(
                "coupling",
                "Coupling",
                ParamType::Enum(names(&["ferro", "glass"])),
                "ferro: every bond favours aligned spins (J = -1 in E = sum h s + sum J s s); glass: J = -1 or +1 drawn from the seed.",
            )
            .default_value(Coupling::default().name())
            .replaced_by(&["gset", "graph"]),
            Param::new(
                "field",
                "Field h",
                ParamType::Number,
                "A uniform field spins align with: adds -field * sum s (dimod's h_i = -field); held to 1/1024.",
            )
                .default_value(0.0)
                .range(-MAX_FIELD, MAX_FIELD),
            Param::new(
                "start",
                "Starting spins",
                ParamType::Enum(names(&["random", "up"])),
                "random: a fixed random draw (hot); up: every spin up (cold).",
            )
            .default_value(Start::default().name()),
            Param::new(
                "sites",
                "Site order",
                ParamType::Enum(names(&["random", "sequential"])),
                "random: each step flips a random spin; sequential: sweeps in site order, as D-Wave's neal.",
            )
            .default_value(Sites::default().name()),
            Param::new(
                "gset",
                "Gset graph",
                ParamType::Enum(gsets),
                "A bundled Gset graph, read as max-cut.",
            )
            .replaced_by(&["graph"]),
            Param::new(
                "graph",
                "Graph or model file",
                ParamType::Text,
                "Text 'n m', then 'i j J' lines (1-based, decimals allowed) and 'h i value' fields, or dimod's BQM JSON; E = sum h s + sum J s s. A plain graph is read as max-cut.",
            )
            .max_length(MAX_GRAPH_BYTES),
        ]
    }

    fn presets(&self) -> Vec<Preset> {
        vec![
            Preset::new("ferro64", "Cooling a magnet 64 x 64", json!({"lattice": 64, "coupling": "ferro"})),
            Preset::new("glass32", "Spin glass 32 x 32", json!({"lattice": 32, "coupling": "glass"})),
            Preset::new("maxcut_g1", "Max-cut G1", json!({"gset": "G1"})),
        ]
    }

    fn instances(&self) -> Value {
        let list: Vec<Value> = bundled_graphs()
            .iter()
            .map(|g| json!({"name": g.name, "best_known_cut": g.best_known_cut()}))
            .collect();
        json!(list)
    }

    fn view(&self) -> View {
        View {
            state_noun: "spins",
            counters: vec![
                Counter { field: "magnetization", label: "magnetisation" },
                Counter { field: "best_cut", label: "best cut" },
                Counter { field: "best_known_cut", label: "best known cut" },
            ],
            captions: Some(Captions { current: "current_energy", best: "best_energy", prefix: "energy " }),
        }
    }

    fn spec(&self, values: &Values) -> Result<Spec, ParamError> {
        let named: Vec<&str> = ["lattice", "gset", "graph"].into_iter().filter(|f| values.has(f)).collect();
        if named.len() > 1 {
            return Err(ParamError::new(
                named[1],
                format!("give only one of lattice, gset or graph, not both {} and {}", named[0], named[1]),
            ));
        }
        if values.has("coupling") && (values.has("gset") || values.has("graph")) {
            return Err(ParamError::new(
                "coupling",
                "applies to a lattice only: a graph's weights are its own",
            ));
        }
        let instance = if let Some(text) = values.str("graph") {
            MagnetSource::Graph { text: text.to_string() }
        } else if let Some(name) = values.str("gset") {
            MagnetSource::Gset { name: name.to_string() }
        } else {
            MagnetSource::Lattice {
                size: values.required_u64("lattice")? as usize,
                coupling: values.required_str("coupling")?.to_string(),
                seed: values.required_u64("seed")?,
            }
        };
        let spec = MagnetSpec {
            instance,
            field: values.required_f64("field")?,
            start: values.required_str("start")?.to_string(),
            sites: values.required_str("sites")?.to_string(),
        };
        Ok(Spec::of(self.name(), spec))
    }

    fn build(&self, spec: &Spec) -> Result<Box<dyn Built>, ParamError> {
        // A spec read back from a record or the store is held to the table's rows.
        let spec: MagnetSpec = spec.read_checked(&self.parameters())?;
        let magnet = spec.build()?;
        let config = magnet.default_config(0);
        let defaults = Defaults {
            schedule: config.schedule,
            steps_per_cycle: config.steps_per_cycle,
            cycles: config.cycles,
            events_per_run: Some(EVENTS_PER_RUN),
        };
        let temperatures = (config.initial_temp, config.final_temp);
        Ok(Box::new(BuiltMagnet { magnet, defaults, temperatures }))
    }

    fn describe(&self, spec: &Spec) -> String {
        let Ok(s) = spec.read::<MagnetSpec>() else {
            return "magnet".into();
        };
        let what = match &s.instance {
            MagnetSource::Lattice { size, coupling, seed } if coupling == "glass" => {
                format!("{size}x{size} spin glass (seed {seed})")
            }
            MagnetSource::Lattice { size, coupling, .. } => format!("{size}x{size} {coupling}"),
            MagnetSource::Gset { name } => format!("max-cut {name}"),
            MagnetSource::Graph { .. } => "graph or model file".into(),
        };
        let field = if s.field != 0.0 { format!(", h = {}", s.field) } else { String::new() };
        format!("magnet {what}{field}, {} start", s.start)
    }
}

/// A built magnet: the instance, its defaults and its own temperatures.
struct BuiltMagnet {
    magnet: Magnet,
    defaults: Defaults,
    temperatures: (f64, Option<f64>),
}

impl Built for BuiltMagnet {
    fn defaults(&self) -> Defaults {
        self.defaults
    }

    fn start(self: Box<Self>, config: AnnealConfig) -> Result<Box<dyn Anneal>, ParamError> {
        let mut neighbours = vec![Vec::new(); self.magnet.len()];
        for (i, j, _) in self.magnet.couplings() {
            neighbours[i].push(j);
            neighbours[j].push(i);
        }
        let (field, side) = (self.magnet.field(), self.magnet.lattice_side());
        if config.tempering.is_some() {
            return run::start(self.magnet, SpinView { field, side, averages: None, neighbours }, config);
        }
        let sa = Annealer::new(self.magnet, config).map_err(|e| ParamError::new(e.field, e.message))?;
        // At a constant temperature the view samples every sweep (the run stops there for it).
        let averages = (sa.config().schedule == ScheduleKind::Constant).then(|| SweepAverages::new(&sa));
        Ok(Box::new(Annealed::new(sa, SpinView { field, side, averages, neighbours })))
    }

    fn temperatures(&self) -> (f64, Option<f64>) {
        self.temperatures
    }

    fn tempering_defaults(&self) -> Option<TemperingDefaults> {
        // The engine's rule (`Magnet::default_tempering_config`), so an engine user and
        // `kiln run --method tempering` get the same run.
        let c = self.magnet.default_tempering_config(0);
        Some(TemperingDefaults { cycles: c.cycles, temperatures: (c.initial_temp, c.final_temp) })
    }
}

/// Spins drawn as a grid; cuts and the ferromagnet's exact ground state; a step's
/// flip described for teaching; at a constant temperature, the sweep averages.
struct SpinView {
    /// The uniform external field h (part of a spin's local field).
    field: f64,
    /// Spins on a lattice side, if the magnet is a lattice.
    side: Option<usize>,
    /// A constant-temperature run's averages, sampled at every sweep boundary.
    averages: Option<SweepAverages>,
    /// Each spin's coupled neighbours (what a step marks beside the flipped spin).
    neighbours: Vec<Vec<usize>>,
}

impl StateView<Magnet> for SpinView {
    fn restart(&mut self, _problem: &Magnet, _state: &Spins) {
        if let Some(averages) = &mut self.averages {
            averages.restart();
        }
    }

    /// Every sweep, when averaging.
    fn every(&self) -> Option<u64> {
        self.averages.as_ref().map(SweepAverages::sweep)
    }

    fn at_every(&mut self, sa: &Annealer<Magnet>) {
        if let Some(averages) = &mut self.averages {
            averages.observe(sa);
        }
    }

    /// The spin flipped (0-based `site`, and `row`/`col` on a lattice), its value
    /// before, its local field `sum_j J_ij s_j + h`, and what the page marks: `atoms`
    /// (the flipped spin, then its coupled neighbours, 0-based as the drawing's
    /// `data-atoms` lists the grid's cells).
    fn describe(&self, step: &StepView<'_, Magnet>) -> Option<Map<String, Value>> {
        let Proposal::Move(flip) = step.proposal else { return None };
        let site = flip.site();
        let spin = step.state_before.spin(site);
        let local = f64::from(step.state_before.local_field(site)) + self.field;
        let arrow = |s: i8| if s > 0 { "up" } else { "down" };
        let mut out = Map::new();
        out.insert("site".into(), json!(site));
        let place = match self.side {
            Some(side) => {
                let (row, col) = (site / side, site % side);
                out.insert("row".into(), json!(row));
                out.insert("col".into(), json!(col));
                format!("row {}, column {}", row + 1, col + 1)
            }
            None => format!("vertex {}", site + 1),
        };
        out.insert("spin_before".into(), json!(spin));
        out.insert("local_field".into(), json!(local));
        let around = self.neighbours.get(site).map(Vec::as_slice).unwrap_or_default();
        out.insert(
            "atoms".into(),
            json!(std::iter::once(site).chain(around.iter().copied()).collect::<Vec<_>>()),
        );

        out.insert(
            "text".into(),
            json!(format!(
                "flip the spin at {place} from {} to {}; its local field is {}",
                arrow(spin),
                arrow(-spin),
                super::run::number(local)
            )),
        );
        Some(out)
    }

    /// The spins as +1/-1, site by site (0-based, row-major on a lattice; a model's
    /// variables in its own order, a QUBO's as 0/1).
    fn state_json(&self, problem: &Magnet, state: &Spins) -> Option<Value> {
        Some(json!(problem.user_values(state.spins())))
    }

    fn draw(&self, problem: &Magnet, state: &Spins) -> String {
        match problem.lattice_side() {
            Some(side) => lattice_svg(state.spins(), side),
            // A graph: its cut, the two sides apart; a scaled model: its spins in a grid.
            None if !problem.is_model() => {
                cut_svg(state.spins(), problem.couplings().map(|(i, j, _)| (i, j)), problem.edges())
            }
            None => graph_svg(state.spins()),
        }
    }

    fn extra(&self, sa: &Annealer<Magnet>) -> Map<String, Value> {
        let magnet = sa.problem();
        let mut extra = Map::new();
        extra.insert("magnetization".into(), json!(magnet.magnetization(sa.state())));
        extra.insert("energy_label".into(), json!("Ising energy (sum over bonds)"));
        if magnet.is_model() {
            // Energies above are the engine's integers: scale * (E - offset).
            extra.insert("energy_scale".into(), json!(magnet.energy_scale()));
            extra.insert("energy_offset".into(), json!(magnet.energy_offset()));
            extra.insert("exact_biases".into(), json!(magnet.is_exact()));
            extra.insert("model_energy".into(), json!(magnet.model_energy(sa.current_energy())));
            extra.insert("best_model_energy".into(), json!(magnet.model_energy(sa.best_energy())));
        }
        if let (Some(cut), Some(best_cut)) = (magnet.cut(sa.current_energy()), magnet.cut(sa.best_energy())) {
            extra.insert("cut".into(), json!(cut));
            // With MAXIMIZE the best state is the one of highest energy: its cut is the smallest.
            extra.insert("best_cut".into(), json!(best_cut));
            if let Some(known) = magnet.best_known_cut() {
                extra.insert("best_known_cut".into(), json!(known));
                extra.insert("cut_gap".into(), json!(known as i64 - best_cut));
            }
        }
        if let Some(averages) = &self.averages {
            if let Some(m) = averages.mean_abs_magnetization() {
                extra.insert("mean_abs_magnetization".into(), json!(m));
            }
            if let Some(e) = averages.mean_energy_per_spin() {
                extra.insert("mean_energy_per_spin".into(), json!(e));
            }
        }
        extra
    }

    fn optimum(&self, sa: &Annealer<Magnet>) -> Option<f64> {
        let magnet = sa.problem();
        match (magnet.source(), sa.config().direction) {
            (Source::Lattice { coupling: Coupling::Ferro, .. }, Direction::Minimize) => {
                Some(-(2.0 + magnet.field().abs()) * magnet.len() as f64)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::kind::Scope;
    use crate::kinds::registry::Registry;
    use crate::kinds::run::Run;

    fn spec(values: Value) -> Result<Spec, ParamError> {
        let Value::Object(map) = values else { unreachable!() };
        MagnetKind.spec(&Registry::builtin().spec_values(&MagnetKind, map, Scope::Session))
    }

    #[test]
    fn two_instance_sources_are_refused_naming_the_second() {
        let e = spec(json!({"lattice": 8, "gset": "G1"})).unwrap_err();
        assert_eq!(e.field, "gset");
        let e = spec(json!({"gset": "G1", "coupling": "glass"})).unwrap_err();
        assert_eq!(e.field, "coupling");
    }

    #[test]
    fn bad_instances_name_their_parameter_and_value() {
        let e = MagnetKind.build(&spec(json!({"lattice": 300})).unwrap()).err().unwrap();
        assert_eq!(e.field, "lattice");
        assert!(e.message.contains("300"), "{e}");
        let e = MagnetKind.build(&spec(json!({"graph": "3 1\n1 9 1\n"})).unwrap()).err().unwrap();
        assert_eq!(e.field, "graph");
        assert!(e.message.contains("line 2"), "{e}");
        let e = MagnetKind.build(&spec(json!({"gset": "G99"})).unwrap()).err().unwrap();
        assert_eq!(e.field, "gset");
    }

    #[test]
    fn constant_temperature_averages_do_not_depend_on_the_frames() {
        // 200 sweeps of an 8 x 8 ferromagnet at T = 2: one call, odd frames, single steps.
        let spec = spec(json!({"lattice": 8, "start": "up"})).unwrap();
        let config = AnnealConfig {
            schedule: ScheduleKind::Constant,
            initial_temp: 2.0,
            steps_per_cycle: 64 * 200,
            cycles: 1,
            ..AnnealConfig::default()
        };
        let start = || Run::new("magnet", MagnetKind.build(&spec).unwrap().start(config.clone()).unwrap());
        let mut whole = start();
        whole.run(u64::MAX);
        let mut framed = start();
        while framed.run(777) > 0 {
            framed.step();
        }
        let (a, b) = (whole.progress().extra, framed.progress().extra);
        assert!(a["mean_abs_magnetization"].as_f64().unwrap() > 0.5, "{a:?}");
        for field in ["mean_abs_magnetization", "mean_energy_per_spin"] {
            assert_eq!(a[field], b[field], "{field}");
        }
        // The same as the engine's own averages driving the annealer directly.
        let built = spec.read::<MagnetSpec>().unwrap().build().unwrap();
        let mut sa = Annealer::new(built, config.clone()).unwrap();
        let mut direct = SweepAverages::new(&sa);
        direct.advance(&mut sa, u64::MAX);
        assert_eq!(a["mean_abs_magnetization"], json!(direct.mean_abs_magnetization().unwrap()));
        assert_eq!(a["mean_energy_per_spin"], json!(direct.mean_energy_per_spin().unwrap()));
        // A cooling run has no equilibrium to average.
        let cooling =
            Run::new("magnet", MagnetKind.build(&spec).unwrap().start(AnnealConfig::default()).unwrap());
        assert!(cooling.progress().extra.get("mean_abs_magnetization").is_none());
    }

    #[test]
    fn a_triangle_reports_its_cut_and_a_ferromagnet_its_ground_state() {
        // A triangle of unit weights: no cut exceeds 2 (one vertex against the other two).
        let spec = spec(json!({"graph": "3 3\n1 2 1\n2 3 1\n1 3 1\n"})).unwrap();
        let config = AnnealConfig { steps_per_cycle: 300, cycles: 1, ..AnnealConfig::default() };
        let mut run = Run::new("magnet", MagnetKind.build(&spec).unwrap().start(config).unwrap());
        run.run(300);
        let p = run.progress();
        assert_eq!(p.extra["best_cut"], 2, "{p:?}");
        assert_eq!(p.optimal_energy, None);
        assert!(p.extra.get("best_known_cut").is_none());

        let lattice = super::tests::spec(json!({"lattice": 4, "field": 0.5})).unwrap();
        let run =
            Run::new("magnet", MagnetKind.build(&lattice).unwrap().start(AnnealConfig::default()).unwrap());
        // 16 spins, 32 bonds each -1, and 16 spins along h = 0.5: -32 - 8.
        assert_eq!(run.progress().optimal_energy, Some(-40.0));
    }
}
