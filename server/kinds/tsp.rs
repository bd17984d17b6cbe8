//! The travelling-salesman kind: EUC_2D cities from a bundled TSPLIB instance,
//! random cities placed from a seed, or an uploaded TSPLIB text. A state is drawn as
//! the tour; a tour wants the `auto` schedule over one long cycle (the instance's own
//! default length) and is shown over about [`EVENTS_PER_RUN`] events.
//!
//! A tour is annealed with one of two [`TspMoves`]: `local`, one 2-opt or or-opt move
//! per step (the engine's [`Tsp`]), which a class watches untangle the tour, or
//! `large`, a kick and a descent to a 2-opt/or-opt local optimum per step (the
//! engine's [`LargeSteps`]), which reaches far better tours per second. A live session
//! defaults to `local`; a headless run (`kiln run`, an experiment's task) to `large`
//! (both defaults in the `moves` table row), which applies when the instance has
//! [`LARGE_STEP_MIN_CITIES`] to [`LARGE_STEP_MAX_CITIES`] cities (else `local`). The
//! spec keeps the choice (omitting `local`, so records made before large steps existed
//! read as they were written) and, for large steps other than the first move set, its
//! version (`moves_version`, the engine's [`MoveSet`]; absent means version 1), so a
//! record replays the same run in any scope.

mod view;

use kiln_engine::ScheduleKind;
use kiln_engine::problems::tsp::{
    LARGE_STEP_MAX_CITIES, LARGE_STEP_MIN_CITIES, LargeSteps, Layout, MAX_CITIES, MoveSet, Tsp, TspError,
    bundled_instances,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Value, json};

use super::kind::{Built, Captions, Defaults, Kind, Preset, Spec, Values, View};
use super::param::{Param, ParamError, ParamType};
use super::run::Ready;
use view::{LargeStepMoves, LocalMoves, TourView};

/// The bundled instance a run uses when none is named.
pub const DEFAULT_INSTANCE: &str = "berlin52";
/// A session's default pacing spreads its run over about this many events: 20 s at
/// the default 20 events/s, long enough for a class to watch the tour untangle.
pub const EVENTS_PER_RUN: u64 = 400;
/// Longest TSPLIB text accepted (just under the 1 MiB request body limit, so it is this bound that answers, naming the field).
pub const MAX_TSPLIB_BYTES: usize = 1_000_000;

/// A travelling-salesman tour.
pub struct TspKind;

/// Where a TSP instance's cities come from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum TspCities {
    /// A TSPLIB instance bundled with Kiln.
    Bundled {
        /// Its TSPLIB name, e.g. berlin52.
        instance: String,
    },
    /// Random cities.
    Random {
        /// How many.
        count: usize,
        /// How they are scattered.
        #[serde(serialize_with = "layout_out", deserialize_with = "layout_in")]
        layout: Layout,
        /// The seed that places them.
        seed: u64,
    },
    /// A TSPLIB file's text.
    Tsplib {
        /// The text, as uploaded.
        text: String,
    },
}

/// How each step changes the tour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TspMoves {
    /// One 2-opt or or-opt move per step.
    #[default]
    Local,
    /// A kick, then improving 2-opt/or-opt moves to a local optimum, per step.
    Large,
}

impl TspMoves {
    /// Both, in the parameter table's order.
    pub const ALL: [TspMoves; 2] = [TspMoves::Local, TspMoves::Large];

    /// The name parameters and specs use.
    pub fn name(self) -> &'static str {
        match self {
            TspMoves::Local => "local",
            TspMoves::Large => "large",
        }
    }

    /// The moves a name stands for.
    pub fn from_name(name: &str) -> Option<TspMoves> {
        TspMoves::ALL.into_iter().find(|m| m.name() == name)
    }

    fn is_local(&self) -> bool {
        *self == TspMoves::Local
    }
}

/// Whether the engine anneals an instance of `cities` cities with large steps.
fn large_steps_allowed(cities: usize) -> bool {
    (LARGE_STEP_MIN_CITIES..=LARGE_STEP_MAX_CITIES).contains(&cities)
}

/// The spec: `{"cities": ..., "moves": "large", "moves_version": 2}` (`moves` absent
/// for `local`, `moves_version` absent for `local` and for move set 1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TspSpec {
    /// Where the cities come from.
    pub cities: TspCities,
    /// How each step changes the tour.
    #[serde(default, skip_serializing_if = "TspMoves::is_local")]
    pub moves: TspMoves,
    /// The large steps' move set ([`MoveSet::number`]); `None` reads as version 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moves_version: Option<u32>,
}

impl TspSpec {
    /// A new run's spec: large steps of the default move set (named unless it is 1).
    pub fn new(cities: TspCities, moves: TspMoves) -> Self {
        let named = moves == TspMoves::Large && MoveSet::default() != MoveSet::V1;
        let moves_version = named.then(|| MoveSet::default().number());
        Self { cities, moves, moves_version }
    }

    /// The large steps' move set this spec names.
    fn move_set(&self) -> Result<MoveSet, ParamError> {
        let number = self.moves_version.unwrap_or(1);
        MoveSet::from_number(number)
            .ok_or_else(|| ParamError::new("moves_version", format!("no large-step move set {number}")))
    }
}

fn layout_out<S: Serializer>(layout: &Layout, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(layout.name())
}

fn layout_in<'de, D: Deserializer<'de>>(d: D) -> Result<Layout, D::Error> {
    let name = String::deserialize(d)?;
    name.parse::<Layout>().map_err(|_| serde::de::Error::custom(format!("unknown layout {name:?}")))
}

impl TspCities {
    /// How many cities, where that is known without building the instance (a
    /// bundled instance's dimension, the random count), or from parsing the text;
    /// `None` for cities that will not build (the build then says why).
    fn count(&self) -> Option<usize> {
        match self {
            TspCities::Bundled { instance } => {
                bundled_instances().iter().find(|b| b.name == instance).map(|b| b.dimension)
            }
            TspCities::Random { count, .. } => Some(*count),
            TspCities::Tsplib { text } => Tsp::parse_tsplib(text).ok().map(|tsp| tsp.len()),
        }
    }

    /// Build the instance; errors name the parameter the cities came from.
    pub fn build(&self) -> Result<Tsp, ParamError> {
        match self {
            TspCities::Bundled { instance } => {
                Tsp::bundled(instance).map_err(|e| ParamError::new("instance", e.to_string()))
            }
            TspCities::Random { count, layout, seed } => {
                Tsp::random(*count, *layout, *seed).map_err(|e| ParamError::new("cities", e.to_string()))
            }
            TspCities::Tsplib { text } => {
                Tsp::parse_tsplib(text).map_err(|e| ParamError::new("tsplib", e.to_string()))
            }
        }
    }
}

impl Kind for TspKind {
    fn name(&self) -> &'static str {
        "tsp"
    }

    fn label(&self) -> &'static str {
        "Travelling salesman"
    }

    fn parameters(&self) -> Vec<Param> {
        let names = bundled_instances().iter().map(|b| b.name.to_string()).collect();
        let layouts = Layout::ALL.iter().map(|l| l.name().to_string()).collect();
        vec![
            Param::new(
                "instance",
                "Instance",
                ParamType::Enum(names),
                "A bundled TSPLIB instance (give this, or cities, or tsplib).",
            )
            .default_value(DEFAULT_INSTANCE)
            .replaced_by(&["cities", "tsplib"]),
            Param::new(
                "cities",
                "Random cities",
                ParamType::Integer,
                "Number of random cities (placed from the seed).",
            )
            .range(3.0, MAX_CITIES as f64),
            Param::new("layout", "Layout", ParamType::Enum(layouts), "How random cities are scattered.")
                .default_value(Layout::default().name()),
            Param::new("tsplib", "TSPLIB file", ParamType::Text, "The text of a TSPLIB EUC_2D file.")
                .max_length(MAX_TSPLIB_BYTES),
            Param::new(
                "moves",
                "Moves",
                ParamType::Enum(TspMoves::ALL.iter().map(|m| m.name().to_string()).collect()),
                "local: one 2-opt or or-opt move per step (watch SA untangle the tour); large: each step kicks the tour and descends to a 2-opt/or-opt local optimum (Martin, Otto & Felten 1991), far better tours per second; 8 to 10,000 cities",
            )
            .default_value(TspMoves::Local.name())
            .headless_default(TspMoves::Large.name()),
        ]
    }

    fn presets(&self) -> Vec<Preset> {
        bundled_instances()
            .iter()
            .filter(|b| b.dimension <= 280)
            .map(|b| {
                Preset::new(
                    b.name,
                    format!("{} ({} cities)", b.name, b.dimension),
                    json!({"instance": b.name}),
                )
            })
            .chain([
                Preset::new("random200", "200 random cities", json!({"cities": 200, "layout": "uniform"})),
                Preset::new(
                    "clusters300",
                    "300 clustered cities",
                    json!({"cities": 300, "layout": "clustered"}),
                ),
            ])
            .collect()
    }

    fn instances(&self) -> Value {
        let list: Vec<Value> = bundled_instances()
            .iter()
            .map(|b| json!({"name": b.name, "dimension": b.dimension, "optimal_length": b.optimal_length}))
            .collect();
        json!(list)
    }

    fn view(&self) -> View {
        View {
            state_noun: "tour",
            counters: Vec::new(),
            captions: Some(Captions {
                current: "current_energy",
                best: "best_energy",
                prefix: "tour length ",
            }),
        }
    }

    fn spec(&self, values: &Values) -> Result<Spec, ParamError> {
        let named: Vec<&str> =
            ["instance", "cities", "tsplib"].into_iter().filter(|f| values.has(f)).collect();
        if named.len() > 1 {
            return Err(ParamError::new(
                named[1],
                format!(
                    "give only one of instance, cities or tsplib, not both {} and {}",
                    named[0], named[1]
                ),
            ));
        }
        if values.has("layout") && !values.has("cities") {
            return Err(ParamError::new("layout", "applies to random cities only: give \"cities\" too"));
        }
        let cities = if let Some(text) = values.str("tsplib") {
            TspCities::Tsplib { text: text.to_string() }
        } else if let Some(count) = values.u64("cities") {
            let layout = values.required_str("layout")?;
            let layout = layout.parse::<Layout>().map_err(|e| ParamError::new("layout", e.to_string()))?;
            TspCities::Random { count: count as usize, layout, seed: values.required_u64("seed")? }
        } else {
            TspCities::Bundled { instance: values.required_str("instance")?.to_string() }
        };
        let name = values.required_str("moves")?;
        let mut moves = TspMoves::from_name(name).ok_or_else(|| {
            ParamError::new("moves", format!("must be \"local\" or \"large\", not {name:?}"))
        })?;
        if moves == TspMoves::Large
            && let Some(count) = cities.count()
            && !large_steps_allowed(count)
        {
            // The one rule beside the table: its headless default of large steps
            // applies where the engine takes them; elsewhere a default is local.
            if values.has("moves") {
                return Err(moves_error(TspError::LargeStepCities { cities: count }));
            }
            moves = TspMoves::Local;
        }
        Ok(Spec::of(self.name(), TspSpec::new(cities, moves)))
    }

    fn build(&self, spec: &Spec) -> Result<Box<dyn Built>, ParamError> {
        let spec: TspSpec = spec.read()?;
        let tsp = spec.cities.build()?;
        let defaults = |steps_per_cycle| Defaults {
            schedule: ScheduleKind::Auto,
            steps_per_cycle,
            cycles: 1,
            events_per_run: Some(EVENTS_PER_RUN),
        };
        // Both are linear in the steps: keep the rate, not a copy of the instance.
        let built: Box<dyn Built> = match spec.moves {
            TspMoves::Local => {
                let seconds_per_million = tsp.expected_seconds(1_000_000);
                let defaults = defaults(tsp.default_steps());
                Ready::new(tsp, TourView(LocalMoves), defaults)
                    .expected_seconds(move |steps| steps as f64 / 1e6 * seconds_per_million)
            }
            TspMoves::Large => {
                let large = LargeSteps::with_moves(tsp, spec.move_set()?).map_err(moves_error)?;
                let seconds_per_million = large.expected_seconds(1_000_000);
                let defaults = defaults(large.default_steps());
                Ready::new(large, TourView(LargeStepMoves), defaults)
                    .expected_seconds(move |steps| steps as f64 / 1e6 * seconds_per_million)
            }
        };
        Ok(built)
    }

    fn describe(&self, spec: &Spec) -> String {
        let Ok(spec) = spec.read::<TspSpec>() else { return "tsp".into() };
        let cities = match spec.cities {
            TspCities::Bundled { instance } => format!("tsp {instance}"),
            TspCities::Random { count, layout, seed } => {
                format!("tsp {count} random cities ({}, seed {seed})", layout.name())
            }
            TspCities::Tsplib { .. } => "tsp TSPLIB file".into(),
        };
        match spec.moves {
            TspMoves::Local => cities,
            TspMoves::Large => format!("{cities} (large steps)"),
        }
    }
}

/// The engine's refusal of large steps, as an error of the `moves` parameter.
fn moves_error(e: TspError) -> ParamError {
    let message = e.to_string();
    ParamError::new("moves", message.strip_prefix("moves: ").unwrap_or(&message))
}

#[cfg(test)]
mod tests {
    use kiln_engine::problems::tsp::euc_2d;
    use kiln_engine::replay::record_checkpoints;
    use kiln_engine::{AnnealConfig, Annealer};
    use serde_json::Map;

    use super::*;
    use crate::kinds::kind::Scope;
    use crate::kinds::registry::Registry;
    use crate::kinds::resolve::{Request, Resolved, resolve};
    use crate::kinds::run::Run;

    fn resolved(values: Value, scope: Scope) -> Result<Resolved, ParamError> {
        let values: Map<String, Value> = serde_json::from_value(values).unwrap();
        resolve(&Registry::builtin(), &Request::from_map(values, scope))
    }

    fn spec_of(values: Value, scope: Scope) -> TspSpec {
        resolved(values, scope).unwrap().spec.read().unwrap()
    }

    #[test]
    fn a_headless_run_takes_large_steps_and_a_session_local_moves_by_default() {
        let ch150 = json!({"problem": "tsp", "instance": "ch150"});
        assert_eq!(spec_of(ch150.clone(), Scope::Headless).moves, TspMoves::Large);
        assert_eq!(spec_of(ch150, Scope::Session).moves, TspMoves::Local);
    }

    #[test]
    fn a_headless_run_outside_the_large_step_sizes_keeps_local_moves() {
        for count in [5, LARGE_STEP_MAX_CITIES + 1] {
            let values = json!({"problem": "tsp", "cities": count, "steps_per_cycle": 10});
            assert_eq!(spec_of(values, Scope::Headless).moves, TspMoves::Local, "{count} cities");
        }
    }

    #[test]
    fn an_explicit_choice_wins_over_the_scope_default() {
        let local = json!({"problem": "tsp", "instance": "ch150", "moves": "local"});
        assert_eq!(spec_of(local, Scope::Headless).moves, TspMoves::Local);
        let large = json!({"problem": "tsp", "instance": "ch150", "moves": "large"});
        assert_eq!(spec_of(large, Scope::Session).moves, TspMoves::Large);
    }

    #[test]
    fn large_steps_on_too_many_or_too_few_cities_name_the_moves_field_and_the_count() {
        for (count, scope) in [(20_000, Scope::Headless), (20_000, Scope::Session), (5, Scope::Headless)] {
            let values = json!({"problem": "tsp", "cities": count, "moves": "large"});
            let e = resolved(values, scope).err().expect("refused");
            assert_eq!(e.field, "moves");
            assert!(e.message.contains(&count.to_string()) && e.message.contains("large steps"), "{e}");
            assert!(!e.message.starts_with("moves"), "the field is named once: {e}");
        }
    }

    #[test]
    fn the_moves_help_states_the_engines_city_limits() {
        let row = TspKind.parameters().into_iter().find(|p| p.name == "moves").unwrap();
        let max = LARGE_STEP_MAX_CITIES.to_string();
        let (thousands, rest) = max.split_at(max.len() - 3);
        let limits = format!("{LARGE_STEP_MIN_CITIES} to {thousands},{rest} cities");
        assert!(row.help.contains(&limits), "{} does not say {limits}", row.help);
    }

    #[test]
    fn a_local_spec_has_no_moves_field_and_a_large_one_says_large() {
        let cities = TspCities::Bundled { instance: "ch150".into() };
        let local = Spec::of("tsp", TspSpec::new(cities.clone(), TspMoves::Local));
        assert!(!local.fields().contains_key("moves"), "{local:?}");
        assert_eq!(TspKind.describe(&local), "tsp ch150");
        let large = Spec::of("tsp", TspSpec::new(cities, TspMoves::Large));
        assert_eq!(large.fields()["moves"], "large");
        assert_eq!(large.read::<TspSpec>().unwrap().moves, TspMoves::Large);
        assert_eq!(TspKind.describe(&large), "tsp ch150 (large steps)");
    }

    #[test]
    fn a_spec_without_a_moves_version_reads_as_the_first_move_set_and_one_with_2_or_3_as_those() {
        let old: TspSpec =
            serde_json::from_value(json!({"cities": {"bundled": {"instance": "ch150"}}, "moves": "large"}))
                .unwrap();
        assert_eq!(old.move_set().unwrap(), MoveSet::V1);
        let second = TspSpec { moves_version: Some(2), ..old.clone() };
        assert_eq!(second.move_set().unwrap(), MoveSet::V2);
        assert!(TspKind.build(&Spec::of("tsp", second.clone())).is_ok());
        let third = TspSpec { moves_version: Some(3), ..old.clone() };
        assert_eq!(third.move_set().unwrap(), MoveSet::V3);
        assert!(TspKind.build(&Spec::of("tsp", third)).is_ok());
        let unknown = TspSpec { moves_version: Some(99), ..old };
        let e = unknown.move_set().unwrap_err();
        assert_eq!(e.field, "moves_version");
        assert!(e.message.contains("99"), "{e}");
    }

    #[test]
    fn a_large_steps_removed_and_added_edges_account_for_its_delta() {
        let values = json!({"problem": "tsp", "instance": "berlin52", "moves": "large", "seed": 3});
        let mut run = resolved(values, Scope::Session).unwrap().run;
        let tsp = Tsp::bundled("berlin52").unwrap();
        let length = |edges: &Value| -> f64 {
            let city = |v: &Value| tsp.coords()[v.as_u64().unwrap() as usize - 1];
            edges.as_array().unwrap().iter().map(|e| f64::from(euc_2d(city(&e[0]), city(&e[1])))).sum()
        };
        let mut changed = 0;
        for _ in 0..50 {
            run.step().unwrap();
            let mv = run.last_move().unwrap();
            assert_eq!(mv["move_kind"], "large step");
            let text = mv["text"].as_str().unwrap();
            assert!(text.starts_with("large step: swap ") && text.contains(" cities after city "), "{text}");
            let delta = mv["delta"].as_f64().unwrap();
            assert_eq!(length(&mv["added"]) - length(&mv["removed"]), delta, "{mv}");
            changed += usize::from(!mv["removed"].as_array().unwrap().is_empty());
        }
        assert!(changed > 0, "some steps change the tour");
    }

    #[test]
    fn every_spec_round_trips_through_json_and_rebuilds_the_same_run() {
        let specs = [
            (TspCities::Bundled { instance: "berlin52".into() }, TspMoves::Local),
            (TspCities::Bundled { instance: "berlin52".into() }, TspMoves::Large),
            (TspCities::Random { count: 40, layout: Layout::Clustered, seed: 9 }, TspMoves::Large),
            (
                TspCities::Tsplib {
                    text: "NAME : sq\nTYPE : TSP\nDIMENSION : 4\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n\
                           1 0 0\n2 0 10\n3 10 10\n4 10 0\nEOF\n"
                        .into(),
                },
                TspMoves::Local,
            ),
        ];
        let config = AnnealConfig { steps_per_cycle: 300, cycles: 1, ..AnnealConfig::default() };
        for (cities, moves) in specs {
            let spec = Spec::of("tsp", TspSpec::new(cities, moves));
            let text = serde_json::to_string(&spec).unwrap();
            let back: Spec = serde_json::from_str(&text).unwrap();
            assert_eq!(back, spec, "{text}");
            assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["problem"], "tsp");
            let mut a = Run::new("tsp", TspKind.build(&spec).unwrap().start(config.clone()).unwrap());
            let mut b = Run::new("tsp", TspKind.build(&back).unwrap().start(config.clone()).unwrap());
            a.run(300);
            b.run(300);
            assert_eq!(a.checkpoint(), b.checkpoint(), "{text}");
        }
    }

    #[test]
    fn a_record_to_the_end_matches_the_engines_checkpoints() {
        let spec = Spec::of(
            "tsp",
            TspSpec::new(TspCities::Bundled { instance: "berlin52".into() }, TspMoves::Local),
        );
        let config = AnnealConfig { steps_per_cycle: 2_500, cycles: 1, ..AnnealConfig::default() };
        let run = Run::new("tsp", TspKind.build(&spec).unwrap().start(config.clone()).unwrap());
        let record = run.record(&spec, u64::MAX, 1_000);
        let mut sa = Annealer::new(Tsp::bundled("berlin52").unwrap(), config).unwrap();
        assert_eq!(record.checkpoints, record_checkpoints(&mut sa, 1_000, |_| {}));
        assert_eq!(record.checkpoints.last().unwrap().step, 2_500);
    }
}
