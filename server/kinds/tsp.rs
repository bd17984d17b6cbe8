//! The travelling-salesman kind: EUC_2D cities from a bundled TSPLIB instance,
//! random cities placed from a seed, or an uploaded TSPLIB text. A state is drawn as
//! the tour; a tour wants the `auto` schedule over one long cycle (the instance's own
//! default length) and is shown over about [`EVENTS_PER_RUN`] events.

use kiln_engine::problems::tsp::{Layout, MAX_CITIES, Tour, Tsp, TspMove, bundled_instances};
use kiln_engine::{Annealer, Proposal, ScheduleKind, StepView};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value, json};

use super::kind::{Built, Captions, Defaults, Kind, Preset, Spec, Values, View};
use super::param::{Param, ParamError, ParamType};
use super::run::{Ready, StateView};
use crate::render::tsp::tour_svg;

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

/// The spec: `{"cities": ...}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TspSpec {
    /// Where the cities come from.
    pub cities: TspCities,
}

fn layout_out<S: Serializer>(layout: &Layout, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(layout.name())
}

fn layout_in<'de, D: Deserializer<'de>>(d: D) -> Result<Layout, D::Error> {
    let name = String::deserialize(d)?;
    name.parse::<Layout>().map_err(|_| serde::de::Error::custom(format!("unknown layout {name:?}")))
}

impl TspCities {
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
            let layout = match values.str("layout") {
                Some(name) => name.parse::<Layout>().map_err(|e| ParamError::new("layout", e.to_string()))?,
                None => Layout::default(),
            };
            let seed = values.u64("seed").unwrap_or(kiln_engine::AnnealConfig::default().seed);
            TspCities::Random { count: count as usize, layout, seed }
        } else {
            TspCities::Bundled { instance: values.str("instance").unwrap_or(DEFAULT_INSTANCE).to_string() }
        };
        Ok(Spec::of(self.name(), &TspSpec { cities }))
    }

    fn build(&self, spec: &Spec) -> Result<Box<dyn Built>, ParamError> {
        let spec: TspSpec = spec.read()?;
        let tsp = spec.cities.build()?;
        let defaults = Defaults {
            schedule: ScheduleKind::Auto,
            steps_per_cycle: tsp.default_steps(),
            cycles: 1,
            events_per_run: Some(EVENTS_PER_RUN),
        };
        // Linear in the steps: keep the rate, not a copy of the instance.
        let seconds_per_million = tsp.expected_seconds(1_000_000);
        Ok(Ready::new(tsp, TourView, defaults)
            .expected_seconds(move |steps| steps as f64 / 1e6 * seconds_per_million))
    }

    fn describe(&self, spec: &Spec) -> String {
        match spec.read::<TspSpec>().map(|s| s.cities) {
            Ok(TspCities::Bundled { instance }) => format!("tsp {instance}"),
            Ok(TspCities::Random { count, layout, seed }) => {
                format!("tsp {count} random cities ({}, seed {seed})", layout.name())
            }
            Ok(TspCities::Tsplib { .. }) => "tsp TSPLIB file".into(),
            Err(_) => "tsp".into(),
        }
    }
}

/// A tour drawn over its cities; the known optimum is TSPLIB's optimal length.
struct TourView;

impl StateView<Tsp> for TourView {
    /// The tour edges the move removes and adds, as pairs of city numbers counted
    /// from 1 (as TSPLIB numbers them), and the move's name (`2-opt`, `or-opt`).
    fn describe(&self, step: &StepView<'_, Tsp>) -> Option<Map<String, Value>> {
        let Proposal::Move(mv) = step.proposal else { return None };
        let order = step.state_before.order();
        let n = order.len();
        let at = |pos: usize| order[pos % n] + 1;
        let (name, removed, added) = match *mv {
            TspMove::TwoOpt { i, j } => {
                let (i, j) = (i as usize, j as usize);
                let (a, b, c, e) = (at(i), at(i + 1), at(j), at(j + 1));
                ("2-opt", vec![[a, b], [c, e]], vec![[a, c], [b, e]])
            }
            TspMove::OrOpt { start, len, gap, reversed } => {
                let (start, len, gap) = (start as usize, len as usize, gap as usize);
                let (prev, first, last, next) =
                    (at(start + n - 1), at(start), at(start + len - 1), at(start + len));
                let (c, e) = (at(start + len - 1 + gap), at(start + len + gap));
                let (to_c, to_e) = if reversed { (last, first) } else { (first, last) };
                (
                    "or-opt",
                    vec![[prev, first], [last, next], [c, e]],
                    vec![[prev, next], [c, to_c], [to_e, e]],
                )
            }
        };
        let edges =
            |list: &[[u32; 2]]| list.iter().map(|[a, b]| format!("{a}–{b}")).collect::<Vec<_>>().join(", ");
        let mut out = Map::new();
        out.insert("move_kind".into(), json!(name));
        out.insert(
            "text".into(),
            json!(format!("{name}: remove {}; add {}", edges(&removed), edges(&added))),
        );
        out.insert("removed".into(), json!(removed));
        out.insert("added".into(), json!(added));
        Some(out)
    }

    fn draw(&self, problem: &Tsp, state: &Tour) -> String {
        tour_svg(problem.coords(), state.order())
    }

    fn optimum(&self, sa: &Annealer<Tsp>) -> Option<f64> {
        sa.problem().optimal_length().map(|l| l as f64)
    }

    /// `energy_label`: what the chart's energy axis shows.
    fn extra(&self, _sa: &Annealer<Tsp>) -> Map<String, Value> {
        let mut extra = Map::new();
        extra.insert("energy_label".into(), json!("tour length (TSPLIB distance)"));
        extra
    }
}

#[cfg(test)]
mod tests {
    use kiln_engine::AnnealConfig;
    use kiln_engine::replay::record_checkpoints;

    use super::*;
    use crate::kinds::run::Run;

    #[test]
    fn every_spec_round_trips_through_json_and_rebuilds_the_same_run() {
        let specs = [
            TspCities::Bundled { instance: "berlin52".into() },
            TspCities::Random { count: 40, layout: Layout::Clustered, seed: 9 },
            TspCities::Tsplib {
                text: "NAME : sq\nTYPE : TSP\nDIMENSION : 4\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n\
                       1 0 0\n2 0 10\n3 10 10\n4 10 0\nEOF\n"
                    .into(),
            },
        ];
        let config = AnnealConfig { steps_per_cycle: 300, cycles: 1, ..AnnealConfig::default() };
        for cities in specs {
            let spec = Spec::of("tsp", &TspSpec { cities });
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
        let spec = Spec::of("tsp", &TspSpec { cities: TspCities::Bundled { instance: "berlin52".into() } });
        let config = AnnealConfig { steps_per_cycle: 2_500, cycles: 1, ..AnnealConfig::default() };
        let run = Run::new("tsp", TspKind.build(&spec).unwrap().start(config.clone()).unwrap());
        let record = run.record(&spec, u64::MAX, 1_000);
        let mut sa = Annealer::new(Tsp::bundled("berlin52").unwrap(), config).unwrap();
        assert_eq!(record.checkpoints, record_checkpoints(&mut sa, 1_000, |_| {}));
        assert_eq!(record.checkpoints.last().unwrap().step, 2_500);
    }
}
