//! [`Kind`]: the one trait a problem kind implements on the server side, and the
//! small types it answers with.
//!
//! A kind names itself, lists its own parameters (the shared ones come from
//! [`super::common`]), offers presets, turns checked parameter values into a
//! [`Spec`] (the small JSON that rebuilds the problem, kept in replay records) and
//! builds the engine problem from a spec, once, on a blocking thread. What it
//! builds is a [`Built`]: the problem with its own defaults, ready to become a
//! [`super::run::Run`] for a config. How the page shows a kind's runs is a [`View`].
//!
//! The trait is object-safe: the registry keeps `Arc<dyn Kind>`, and dynamic
//! dispatch happens once per request or frame; the engine loop underneath stays
//! monomorphised (see [`super::run`]).

use std::any::Any;
use std::sync::Arc;

use kiln_engine::{AnnealConfig, ScheduleKind};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::anneal::Anneal;
use super::param::{Param, ParamError};

/// A problem kind: the engine problem plus everything the server needs to offer it.
pub trait Kind: Send + Sync + 'static {
    /// The name parameters, events and records use (`"isomer"`).
    fn name(&self) -> &'static str;
    /// A label for the page's picker.
    fn label(&self) -> &'static str;
    /// The kind's own parameters (group "problem" as a rule).
    fn parameters(&self) -> Vec<Param>;
    /// Named sets of parameter values.
    fn presets(&self) -> Vec<Preset> {
        Vec::new()
    }
    /// Bundled instances, for the catalog (an empty list by default).
    fn instances(&self) -> Value {
        json!([])
    }
    /// How the page shows a run of this kind.
    fn view(&self) -> View;
    /// The spec of checked values (every value passed its table row; cross-field
    /// rules, such as "one source of cities", are the kind's to check here). A default
    /// that depends on the run's [`Values::scope`] is resolved here, into the spec, so
    /// a replay record rebuilds the same run whatever scope replays it.
    fn spec(&self, values: &Values) -> Result<Spec, ParamError>;
    /// Build the engine problem of a spec. Blocking: call it off the async reactor.
    fn build(&self, spec: &Spec) -> Result<Box<dyn Built>, ParamError>;
    /// One line naming what a spec anneals ("tsp berlin52"), for summaries.
    fn describe(&self, spec: &Spec) -> String {
        format!("{} {}", self.name(), Value::Object(spec.fields().clone()))
    }
}

/// A built problem, not yet annealing.
pub trait Built: Send {
    /// The kind's defaults for this problem (a tour's length depends on its cities).
    fn defaults(&self) -> Defaults;
    /// The annealer over this problem with `config`.
    fn start(self: Box<Self>, config: AnnealConfig) -> Result<Box<dyn Anneal>, ParamError>;
    /// The defaults of a headless run (`kiln run`), where nobody watches each step: a
    /// kind may size them to the problem. Live sessions keep [`Built::defaults`].
    fn headless_defaults(&self) -> Defaults {
        self.defaults()
    }
    /// The default temperatures of a headless run ([`Built::temperatures`] unless the
    /// kind's headless defaults use another schedule).
    fn headless_temperatures(&self) -> (f64, Option<f64>) {
        self.temperatures()
    }
    /// The wall time a run of `steps` steps is expected to take on one core, in
    /// seconds, where the kind can say (shown before a long run starts); a planning
    /// figure that never changes the run.
    fn expected_seconds(&self, _steps: u64) -> Option<f64> {
        None
    }
    /// The defaults of a tempering run (`method: tempering`), if the kind wants
    /// another length or other ladder ends than its annealing defaults; `None`:
    /// [`Defaults::cycles`] and [`Built::temperatures`].
    fn tempering_defaults(&self) -> Option<TemperingDefaults> {
        None
    }
    /// The default temperatures for this problem: T0, and where geometric and linear
    /// schedules end (`None`: T0 / 1000). The engine's unless a kind knows better
    /// (a magnet cools from above its critical temperature, whatever the engine's T0).
    fn temperatures(&self) -> (f64, Option<f64>) {
        let c = AnnealConfig::default();
        (c.initial_temp, c.final_temp)
    }
}

/// A kind's defaults for the shared parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Defaults {
    /// Schedule family.
    pub schedule: ScheduleKind,
    /// Steps per cycle.
    pub steps_per_cycle: u64,
    /// Cycles.
    pub cycles: u64,
    /// A live session spreads its run over about this many events; `None` shows every
    /// step (one step per event, teaching mode).
    pub events_per_run: Option<u64>,
}

/// A kind's defaults for a tempering run where they differ from annealing's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TemperingDefaults {
    /// Cycles: the steps per replica are the steps per cycle times these.
    pub cycles: u64,
    /// The ladder's ends: the hottest replica's `initial_temp` and the coldest's
    /// `final_temp` (`None`: T0 / 1000).
    pub temperatures: (f64, Option<f64>),
}

impl Default for Defaults {
    /// The engine's defaults (Faulon's schedule, 4 cycles of 500 steps), every step shown.
    fn default() -> Self {
        let c = AnnealConfig::default();
        Defaults {
            schedule: c.schedule,
            steps_per_cycle: c.steps_per_cycle,
            cycles: c.cycles,
            events_per_run: None,
        }
    }
}

/// A named set of parameter values.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Preset {
    /// Its name.
    pub name: String,
    /// Its label.
    pub label: String,
    /// The values it sets.
    pub params: Value,
}

impl Preset {
    /// A preset.
    pub fn new(name: impl Into<String>, label: impl Into<String>, params: Value) -> Self {
        Preset { name: name.into(), label: label.into(), params }
    }
}

/// How the page shows a kind's run: what a state is called, which progress fields
/// are extra counters, and which give the captions under the drawings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct View {
    /// What one state is ("molecule", "tour").
    pub state_noun: &'static str,
    /// Extra counters: progress field and label.
    pub counters: Vec<Counter>,
    /// Captions under the drawings, if any.
    pub captions: Option<Captions>,
}

/// One extra counter.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Counter {
    /// The progress field.
    pub field: &'static str,
    /// Its label.
    pub label: &'static str,
}

/// The captions under the current and best drawings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Captions {
    /// Progress field shown under the current state.
    pub current: &'static str,
    /// Progress field shown under the best state.
    pub best: &'static str,
    /// Text before the value ("tour length ").
    pub prefix: &'static str,
}

/// What is annealed: a kind's name and its spec's fields, as JSON
/// (`{"problem": "tsp", "cities": {"bundled": {"instance": "berlin52"}}}`). It goes
/// into replay records and rebuilds the identical problem.
///
/// A spec the kind made ([`Spec::of`]) also keeps the kind's typed value, so the
/// kind's `build` and `describe` read it back ([`Spec::read`]) without a trip through
/// JSON: a configure parses the body once, and serialises the spec once, here, for
/// the record and the status. A spec read from a record or the store has only its
/// JSON, and is read from that.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Spec {
    /// The kind's name.
    pub problem: String,
    /// The kind's fields.
    #[serde(flatten)]
    fields: Map<String, Value>,
    /// The value `fields` was serialised from, when the kind made this spec.
    #[serde(skip)]
    typed: Option<Arc<dyn Any + Send + Sync>>,
}

impl PartialEq for Spec {
    /// Specs are equal when their JSON is: the typed value is the same fields, read.
    fn eq(&self, other: &Spec) -> bool {
        self.problem == other.problem && self.fields == other.fields
    }
}

impl Spec {
    /// A spec of `kind` from the kind's typed value (serialised once, to an object).
    pub fn of<T: Serialize + Send + Sync + 'static>(kind: &str, fields: T) -> Spec {
        let json = match serde_json::to_value(&fields) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        Spec { problem: kind.to_string(), fields: json, typed: Some(Arc::new(fields)) }
    }

    /// A spec of `kind` from its JSON fields alone (a record's, a test's).
    pub fn from_fields(kind: &str, fields: Map<String, Value>) -> Spec {
        Spec { problem: kind.to_string(), fields, typed: None }
    }

    /// The kind's fields, as JSON.
    pub fn fields(&self) -> &Map<String, Value> {
        &self.fields
    }

    /// The fields read back as `T`: the kind's own value when it made this spec as a
    /// `T`, else from the JSON, the error naming the field serde names.
    pub fn read<T: serde::de::DeserializeOwned + Clone + 'static>(&self) -> Result<T, ParamError> {
        if let Some(typed) = self.typed.as_ref().and_then(|typed| typed.downcast_ref::<T>()) {
            return Ok(typed.clone());
        }
        serde_json::from_value(Value::Object(self.fields.clone()))
            .map_err(|e| ParamError::new("problem", format!("not a {} spec: {e}", self.problem)))
    }

    /// [`Spec::read`], after checking every field that has a row of the same name in
    /// `table` against it: a spec read back from a replay record or the store, edited
    /// past a bound, is refused naming the field, and the kind writes no bound twice.
    pub fn read_checked<T: serde::de::DeserializeOwned + Clone + 'static>(
        &self,
        table: &[Param],
    ) -> Result<T, ParamError> {
        for (name, value) in &self.fields {
            if let Some(row) = table.iter().find(|row| row.name == name) {
                row.check(value)?;
            }
        }
        self.read()
    }
}

/// Where a run will be shown: a live session has a cap on its total steps, and a
/// kind may default differently when nobody watches each step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    /// A live session: at most [`super::common::MAX_SESSION_STEPS`] steps in total.
    #[default]
    Session,
    /// A headless run (`kiln run`, an experiment's task): the engine's own limit.
    Headless,
}

/// Checked parameter values, as a kind reads them in [`Kind::spec`], with the
/// defaults of the kind's table at hand (see [`super::registry::Registry::spec_values`]),
/// and the scope of the run they are for (a row may default differently for a
/// headless run: a headless tour takes large steps).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Values {
    map: Map<String, Value>,
    scope: Scope,
    /// The table's defaults (see [`Values::with_table`]).
    defaults: Map<String, Value>,
    /// The table's headless defaults where they differ ([`Param::headless_default`]).
    headless_defaults: Map<String, Value>,
}

impl Values {
    /// Values already checked against the table, for a live session.
    pub fn new(map: Map<String, Value>) -> Self {
        Values { map, scope: Scope::Session, defaults: Map::new(), headless_defaults: Map::new() }
    }

    /// The same values with the defaults of `table` at hand for [`Values::or_default`]
    /// and [`Values::required`]: filled once, where the request is resolved, so a kind
    /// reads a default from its table instead of writing it again.
    pub fn with_table(mut self, table: &[Param]) -> Self {
        let of = |pick: fn(&Param) -> &Value| -> Map<String, Value> {
            table
                .iter()
                .filter(|row| !pick(row).is_null())
                .map(|row| (row.name.to_string(), pick(row).clone()))
                .collect()
        };
        self.defaults = of(|row| &row.default);
        self.headless_defaults = of(|row| &row.headless_default);
        self
    }

    /// The value of `name` if given, else its table default for this scope (see
    /// [`Values::with_table`]).
    pub fn or_default(&self, name: &str) -> Option<&Value> {
        let headless = match self.scope {
            Scope::Headless => self.headless_defaults.get(name),
            Scope::Session => None,
        };
        self.get(name).or(headless).or_else(|| self.defaults.get(name))
    }

    /// [`Values::or_default`] for a value the kind cannot do without: absent only
    /// when the table has no default for it, which is the kind's bug, named.
    pub fn required(&self, name: &str) -> Result<&Value, ParamError> {
        self.or_default(name).ok_or_else(|| {
            ParamError::new(name, "has no value: it was not given and its table row has no default")
        })
    }

    /// A required string (see [`Values::required`]).
    pub fn required_str(&self, name: &str) -> Result<&str, ParamError> {
        let value = self.required(name)?;
        value.as_str().ok_or_else(|| ParamError::new(name, format!("must be a string, not {value}")))
    }

    /// A required whole number (see [`Values::required`]).
    pub fn required_u64(&self, name: &str) -> Result<u64, ParamError> {
        let value = self.required(name)?;
        value.as_u64().ok_or_else(|| ParamError::new(name, format!("must be a whole number, not {value}")))
    }

    /// A required number (see [`Values::required`]).
    pub fn required_f64(&self, name: &str) -> Result<f64, ParamError> {
        let value = self.required(name)?;
        value.as_f64().ok_or_else(|| ParamError::new(name, format!("must be a number, not {value}")))
    }

    /// The same values, for a run of `scope`.
    pub fn in_scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// The scope of the run these values are for.
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// The value of `name`, if given (a JSON `null` counts as not given).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    /// A string value.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }

    /// A whole-number value.
    pub fn u64(&self, name: &str) -> Option<u64> {
        self.get(name).and_then(Value::as_u64)
    }

    /// A number value.
    pub fn f64(&self, name: &str) -> Option<f64> {
        self.get(name).and_then(Value::as_f64)
    }

    /// Whether `name` was given.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Every given name.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.map.iter().filter(|(_, v)| !v.is_null()).map(|(k, _)| k.as_str())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Times a [`Counted`] was read from JSON.
    static READS: AtomicUsize = AtomicUsize::new(0);

    /// A spec type that counts its reads from JSON.
    #[derive(Clone, Debug, PartialEq, Serialize)]
    struct Counted {
        formula: String,
    }

    impl<'de> Deserialize<'de> for Counted {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            #[derive(Deserialize)]
            struct Plain {
                formula: String,
            }
            READS.fetch_add(1, Ordering::SeqCst);
            Plain::deserialize(d).map(|p| Counted { formula: p.formula })
        }
    }

    #[test]
    fn a_spec_the_kind_made_is_read_back_without_json_and_a_stored_one_from_its_json() {
        let made = Spec::of("isomer", Counted { formula: "C8H18".into() });
        assert_eq!(made.fields()["formula"], "C8H18", "serialised once, for the record");
        for _ in 0..3 {
            assert_eq!(made.read::<Counted>().unwrap().formula, "C8H18");
        }
        assert_eq!(READS.load(Ordering::SeqCst), 0, "build and describe read the typed value");
        let stored: Spec = serde_json::from_value(serde_json::to_value(&made).unwrap()).unwrap();
        assert_eq!(stored, made);
        assert_eq!(stored.read::<Counted>().unwrap().formula, "C8H18");
        assert_eq!(READS.load(Ordering::SeqCst), 1, "a record's spec is read from its JSON");
    }
}
