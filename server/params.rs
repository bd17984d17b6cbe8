//! `RunParams`: the flat JSON parameters of `POST /api/sa/configure` (and of
//! `kiln run`), and the one place where per-problem defaults live.
//!
//! Every field is optional. [`RunParams::resolve`] fills the defaults of the chosen
//! problem, checks every value, builds the problem once to catch a bad formula or
//! TSPLIB text, and splits the result into what is annealed ([`ProblemSpec`]), how
//! ([`AnnealConfig`]) and how fast a live session shows it ([`Pacing`]). Each error
//! names the field as the API spells it, and the value.
//!
//! Defaults: isomer keeps the original app's (`formula` C8H18, Faulon's schedule with
//! `initial_temp` 100, `cooling_schedule_k` 8, 4 cycles of 500 steps, seed 42,
//! one step per event); TSP uses the `auto` schedule over one cycle of the instance's
//! `default_steps()` and shows it at full speed (`steps_per_event: "max"`), since a
//! tour needs hundreds of thousands of steps.

use std::collections::BTreeMap;
use std::fmt;

use kiln_engine::problems::tsp::Layout;
use kiln_engine::{AnnealConfig, Batch, Direction, ScheduleKind};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::spec::{IsomerSpec, ProblemKind, ProblemSpec, TspCities};

/// Most steps a live session may have in total (a `kiln run` has the engine's limit).
pub const MAX_SESSION_STEPS: u64 = 100_000_000;
/// Most steps one event may cover.
pub const MAX_STEPS_PER_EVENT: u64 = 1_000_000;
/// Most events per second a session may ask for.
pub const MAX_EVENTS_PER_SEC: f64 = 60.0;
/// Fewest events per second a session may ask for.
pub const MIN_EVENTS_PER_SEC: f64 = 0.1;
/// Default event rate of a live session.
pub const DEFAULT_EVENTS_PER_SEC: f64 = 20.0;
/// The bundled instance a TSP run uses when none is named.
pub const DEFAULT_TSP_INSTANCE: &str = "berlin52";
/// A TSP session's default pacing spreads its run over about this many events: 20 s
/// at the default 20 events/s, long enough for a class to watch the tour untangle
/// ("max" would finish berlin52's million steps in a handful of frames).
pub const TSP_DEFAULT_EVENTS_PER_RUN: u64 = 400;
/// The formula an isomer run uses when none is named.
pub const DEFAULT_FORMULA: &str = "C8H18";

/// A parameter with a bad value: `field` as the API spells it, and what is wrong.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ParamError {
    /// The parameter name (empty when the body is not a JSON object at all).
    pub field: String,
    /// What is wrong, quoting the value.
    pub message: String,
}

impl ParamError {
    /// An error about `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// How many steps each live event covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepsPerEvent {
    /// Exactly this many steps per event (1 is teaching mode).
    Steps(u64),
    /// As many as fit in each frame's time budget.
    Max,
}

impl Serialize for StepsPerEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            StepsPerEvent::Steps(n) => s.serialize_u64(*n),
            StepsPerEvent::Max => s.serialize_str("max"),
        }
    }
}

impl<'de> Deserialize<'de> for StepsPerEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Name(String),
            Steps(u64),
        }
        match Raw::deserialize(d) {
            Ok(Raw::Name(n)) if n == "max" => Ok(StepsPerEvent::Max),
            Ok(Raw::Steps(n)) => Ok(StepsPerEvent::Steps(n)),
            Ok(Raw::Name(n)) => Err(serde::de::Error::custom(format!(
                "must be a whole number of steps or \"max\", not {n:?}"
            ))),
            Err(_) => Err(serde::de::Error::custom("must be a whole number of steps or \"max\"")),
        }
    }
}

/// How fast a live session shows its run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Pacing {
    /// Steps per event.
    pub steps_per_event: StepsPerEvent,
    /// Most events per second.
    pub max_events_per_sec: f64,
}

impl Default for Pacing {
    fn default() -> Self {
        Self { steps_per_event: StepsPerEvent::Steps(1), max_events_per_sec: DEFAULT_EVENTS_PER_SEC }
    }
}

/// The parameters, resolved and checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved {
    /// What is annealed.
    pub spec: ProblemSpec,
    /// How it is annealed.
    pub config: AnnealConfig,
    /// How fast a live session shows it.
    pub pacing: Pacing,
}

/// A TSPLIB name for `layout`, read and written by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayoutParam(pub Layout);

impl<'de> Deserialize<'de> for LayoutParam {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        name.parse::<Layout>().map(LayoutParam).map_err(|_| {
            serde::de::Error::custom(format!("must be \"uniform\" or \"clustered\", not {name:?}"))
        })
    }
}

impl Serialize for LayoutParam {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.name())
    }
}

/// The flat parameters of a run, every one optional.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RunParams {
    /// `isomer` (default) or `tsp`.
    pub problem: Option<ProblemKind>,
    /// Isomer: the molecular formula, e.g. C8H18.
    pub formula: Option<String>,
    /// Isomer: objective components and their weights, e.g. {"wiener_index": 1.0}.
    pub component_weights: Option<BTreeMap<String, f64>>,
    /// MINIMIZE (default) or MAXIMIZE.
    pub optimization_mode: Option<Direction>,
    /// Schedule family.
    pub schedule: Option<ScheduleKind>,
    /// T0.
    pub initial_temp: Option<f64>,
    /// T1 for geometric and linear schedules.
    pub final_temp: Option<f64>,
    /// Faulon's k.
    pub cooling_schedule_k: Option<f64>,
    /// Steps per cycle.
    pub steps_per_cycle: Option<u64>,
    /// Cycles (reheats).
    pub num_cycles: Option<u64>,
    /// Seed of the run (and of random TSP cities).
    pub seed: Option<u64>,
    /// Speculative batch size, "auto" or 1..=64.
    pub batch: Option<Batch>,
    /// Steps per live event, a number or "max".
    pub steps_per_event: Option<StepsPerEvent>,
    /// Most live events per second.
    pub max_events_per_sec: Option<f64>,
    /// TSP: a bundled instance name.
    pub instance: Option<String>,
    /// TSP: the number of random cities.
    pub cities: Option<usize>,
    /// TSP: how random cities are scattered.
    pub layout: Option<LayoutParam>,
    /// TSP: the text of a TSPLIB file.
    pub tsplib: Option<String>,
}

impl RunParams {
    /// Read params from a JSON body; errors name the field (unknown field, wrong
    /// type, a `NaN` literal).
    pub fn from_json(body: &[u8]) -> Result<Self, ParamError> {
        let mut de = serde_json::Deserializer::from_slice(body);
        let params: RunParams = serde_path_to_error::deserialize(&mut de).map_err(json_error)?;
        de.end()
            .map_err(|e| ParamError::new("", format!("trailing characters after the JSON object: {e}")))?;
        Ok(params)
    }

    /// Fill defaults, check every value and build the problem once.
    pub fn resolve(&self) -> Result<Resolved, ParamError> {
        let kind = self.problem.unwrap_or_default();
        let spec = self.spec(kind)?;
        let config = self.config(kind, &spec)?;
        let pacing = self.pacing(kind, config.total_steps())?;
        Ok(Resolved { spec, config, pacing })
    }

    /// Like [`RunParams::resolve`], with the limits of a live session: at most
    /// [`MAX_SESSION_STEPS`] steps in total.
    pub fn resolve_for_session(&self) -> Result<Resolved, ParamError> {
        let resolved = self.resolve()?;
        let total = resolved.config.total_steps();
        if total > MAX_SESSION_STEPS {
            let field = if self.num_cycles.is_some() && self.steps_per_cycle.is_none() {
                "num_cycles"
            } else {
                "steps_per_cycle"
            };
            return Err(ParamError::new(
                field,
                format!(
                    "{} steps per cycle times {} cycles is {total} steps; a live session allows at most {MAX_SESSION_STEPS}",
                    resolved.config.steps_per_cycle, resolved.config.cycles
                ),
            ));
        }
        Ok(resolved)
    }

    fn spec(&self, kind: ProblemKind) -> Result<ProblemSpec, ParamError> {
        let only_for = |field: &str, present: bool, other: ProblemKind| {
            if present {
                Err(ParamError::new(field, format!("applies to problem \"{other}\" only, not \"{kind}\"")))
            } else {
                Ok(())
            }
        };
        let spec = match kind {
            ProblemKind::Isomer => {
                only_for("instance", self.instance.is_some(), ProblemKind::Tsp)?;
                only_for("cities", self.cities.is_some(), ProblemKind::Tsp)?;
                only_for("layout", self.layout.is_some(), ProblemKind::Tsp)?;
                only_for("tsplib", self.tsplib.is_some(), ProblemKind::Tsp)?;
                let formula = self.formula.clone().unwrap_or_else(|| DEFAULT_FORMULA.to_string());
                let component_weights =
                    self.component_weights.clone().unwrap_or_else(IsomerSpec::default_weights);
                ProblemSpec::Isomer(IsomerSpec { formula, component_weights })
            }
            ProblemKind::Tsp => {
                only_for("formula", self.formula.is_some(), ProblemKind::Isomer)?;
                only_for("component_weights", self.component_weights.is_some(), ProblemKind::Isomer)?;
                let given = [
                    ("instance", self.instance.is_some()),
                    ("cities", self.cities.is_some()),
                    ("tsplib", self.tsplib.is_some()),
                ];
                let named: Vec<&str> = given.iter().filter(|(_, p)| *p).map(|(f, _)| *f).collect();
                if named.len() > 1 {
                    return Err(ParamError::new(
                        named[1],
                        format!(
                            "give only one of instance, cities or tsplib, not both {} and {}",
                            named[0], named[1]
                        ),
                    ));
                }
                if self.layout.is_some() && self.cities.is_none() {
                    return Err(ParamError::new(
                        "layout",
                        "applies to random cities only: give \"cities\" too",
                    ));
                }
                let cities = if let Some(text) = &self.tsplib {
                    TspCities::Tsplib { text: text.clone() }
                } else if let Some(count) = self.cities {
                    TspCities::Random {
                        count,
                        layout: self.layout.map_or(Layout::default(), |l| l.0),
                        seed: self.seed.unwrap_or(AnnealConfig::default().seed),
                    }
                } else {
                    TspCities::Bundled {
                        instance: self.instance.clone().unwrap_or_else(|| DEFAULT_TSP_INSTANCE.to_string()),
                    }
                };
                ProblemSpec::Tsp { cities }
            }
        };
        spec.check()?;
        Ok(spec)
    }

    fn config(&self, kind: ProblemKind, spec: &ProblemSpec) -> Result<AnnealConfig, ParamError> {
        let base = AnnealConfig::default();
        let (schedule, steps_per_cycle, cycles) = match kind {
            ProblemKind::Isomer => (ScheduleKind::Faulon, base.steps_per_cycle, base.cycles),
            ProblemKind::Tsp => (ScheduleKind::Auto, tsp_default_steps(spec)?, 1),
        };
        let config = AnnealConfig {
            seed: self.seed.unwrap_or(base.seed),
            schedule: self.schedule.unwrap_or(schedule),
            initial_temp: self.initial_temp.unwrap_or(base.initial_temp),
            final_temp: self.final_temp,
            k: self.cooling_schedule_k.unwrap_or(base.k),
            steps_per_cycle: self.steps_per_cycle.unwrap_or(steps_per_cycle),
            cycles: self.num_cycles.unwrap_or(cycles),
            direction: self.optimization_mode.unwrap_or_default(),
            batch: self.batch.unwrap_or_default(),
            threads: 0,
        };
        config.validate().map_err(|e| ParamError::new(e.field, e.message))?;
        Ok(config)
    }

    fn pacing(&self, kind: ProblemKind, total_steps: u64) -> Result<Pacing, ParamError> {
        let default_steps = match kind {
            ProblemKind::Isomer => StepsPerEvent::Steps(1),
            ProblemKind::Tsp => {
                StepsPerEvent::Steps((total_steps / TSP_DEFAULT_EVENTS_PER_RUN).clamp(1, MAX_STEPS_PER_EVENT))
            }
        };
        let steps_per_event = self.steps_per_event.unwrap_or(default_steps);
        if let StepsPerEvent::Steps(n) = steps_per_event
            && !(1..=MAX_STEPS_PER_EVENT).contains(&n)
        {
            return Err(ParamError::new(
                "steps_per_event",
                format!("must be 1 to {MAX_STEPS_PER_EVENT} or \"max\", not {n}"),
            ));
        }
        let rate = self.max_events_per_sec.unwrap_or(DEFAULT_EVENTS_PER_SEC);
        if !(MIN_EVENTS_PER_SEC..=MAX_EVENTS_PER_SEC).contains(&rate) {
            return Err(ParamError::new(
                "max_events_per_sec",
                format!("must be {MIN_EVENTS_PER_SEC} to {MAX_EVENTS_PER_SEC}, not {rate}"),
            ));
        }
        Ok(Pacing { steps_per_event, max_events_per_sec: rate })
    }
}

/// The TSP instance's own default step count.
fn tsp_default_steps(spec: &ProblemSpec) -> Result<u64, ParamError> {
    match spec {
        ProblemSpec::Tsp { cities } => Ok(cities.build()?.default_steps()),
        ProblemSpec::Isomer(_) => Ok(AnnealConfig::default().steps_per_cycle),
    }
}

/// A serde error, with the field it happened in.
fn json_error(e: serde_path_to_error::Error<serde_json::Error>) -> ParamError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    let message = inner.to_string();
    if let Some(field) = unknown_field(&message) {
        return ParamError::new(field.clone(), format!("unknown field \"{field}\"; {}", known_fields_hint()));
    }
    if path == "." || path.is_empty() {
        return ParamError::new("", format!("the body must be a JSON object of parameters: {message}"));
    }
    let message = if inner.is_syntax() {
        format!("not a valid JSON value (numbers must be finite, NaN is not JSON): {message}")
    } else {
        message
    };
    ParamError::new(path, message)
}

/// The name in serde's "unknown field `x`, expected ..." message.
fn unknown_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next().map(str::to_string)
}

fn known_fields_hint() -> String {
    format!("known fields: {}", KNOWN_FIELDS.join(", "))
}

/// Every parameter name, in the order of [`RunParams`].
pub const KNOWN_FIELDS: [&str; 18] = [
    "problem",
    "formula",
    "component_weights",
    "optimization_mode",
    "schedule",
    "initial_temp",
    "final_temp",
    "cooling_schedule_k",
    "steps_per_cycle",
    "num_cycles",
    "seed",
    "batch",
    "steps_per_event",
    "max_events_per_sec",
    "instance",
    "cities",
    "layout",
    "tsplib",
];

impl fmt::Display for StepsPerEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepsPerEvent::Steps(n) => write!(f, "{n}"),
            StepsPerEvent::Max => f.write_str("max"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_engine::problems::tsp::Tsp;

    fn field_of(body: &str) -> String {
        RunParams::from_json(body.as_bytes()).and_then(|p| p.resolve_for_session()).expect_err(body).field
    }

    #[test]
    fn isomer_defaults_are_the_original_apps() {
        let r = RunParams::default().resolve().unwrap();
        assert_eq!(r.config, AnnealConfig::default());
        assert_eq!(r.pacing, Pacing::default());
        match r.spec {
            ProblemSpec::Isomer(s) => assert_eq!(s.formula, "C8H18"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tsp_defaults_to_berlin52_auto_one_cycle_over_about_400_events() {
        let p = RunParams::from_json(br#"{"problem": "tsp"}"#).unwrap();
        let r = p.resolve().unwrap();
        assert_eq!(r.config.schedule, ScheduleKind::Auto);
        assert_eq!(r.config.cycles, 1);
        assert_eq!(r.config.steps_per_cycle, Tsp::bundled("berlin52").unwrap().default_steps());
        assert_eq!(r.pacing.steps_per_event, StepsPerEvent::Steps(r.config.total_steps() / 400));
    }

    #[test]
    fn each_bad_value_names_its_field() {
        let cases = [
            (r#"{"colour": 1}"#, "colour"),
            (r#"{"initial_temp": "hot"}"#, "initial_temp"),
            (r#"{"initial_temp": NaN}"#, "initial_temp"),
            (r#"{"initial_temp": -5}"#, "initial_temp"),
            (r#"{"initial_temp": 0}"#, "initial_temp"),
            (r#"{"steps_per_cycle": 0}"#, "steps_per_cycle"),
            (r#"{"steps_per_cycle": 100000000, "num_cycles": 4}"#, "steps_per_cycle"),
            (r#"{"steps_per_event": 0}"#, "steps_per_event"),
            (r#"{"steps_per_event": "fast"}"#, "steps_per_event"),
            (r#"{"max_events_per_sec": 1000}"#, "max_events_per_sec"),
            (r#"{"problem": "tsp", "instance": "nowhere"}"#, "instance"),
            (r#"{"problem": "tsp", "tsplib": "NAME : x\nDIMENSION : 3\nbogus line\n"}"#, "tsplib"),
            (r#"{"problem": "tsp", "cities": 1}"#, "cities"),
            (r#"{"problem": "tsp", "layout": "clustered"}"#, "layout"),
            (r#"{"problem": "tsp", "formula": "C4H10"}"#, "formula"),
            (r#"{"problem": "chess"}"#, "problem"),
        ];
        for (body, field) in cases {
            assert_eq!(field_of(body), field, "{body}");
        }
    }

    #[test]
    fn steps_per_event_reads_a_number_or_max() {
        let p = RunParams::from_json(br#"{"steps_per_event": "max"}"#).unwrap();
        assert_eq!(p.steps_per_event, Some(StepsPerEvent::Max));
        let p = RunParams::from_json(br#"{"steps_per_event": 7}"#).unwrap();
        assert_eq!(p.steps_per_event, Some(StepsPerEvent::Steps(7)));
    }
}
