//! From flat parameters to a ready run: parse, check against the table, build once.
//!
//! A [`Request`] is the flat JSON object of `POST /api/sa/configure` (or what the
//! CLI's flags stand for). [`resolve`] picks the kind, checks every given value
//! against its table row (unknown names, types, bounds, finiteness: the one
//! check of [`super::check`]), lets the kind
//! turn the values into a [`Spec`] (it sees the request's [`Scope`], for defaults
//! that differ between a live session and a headless run), builds the problem
//! *once*, fills the defaults (the kind's, then the engine's), and returns the
//! [`Resolved`] run, config and pacing. Every error names the field as the API spells it, and the value.

use kiln_engine::{AnnealConfig, Batch, Direction, Generator, Ladder, ScheduleKind, TemperingConfig};
use serde_json::{Map, Value};

use super::check;
use super::common::{
    self, DEFAULT_EVENTS_PER_SEC, MAX_SESSION_STEPS, MAX_STEPS_PER_EVENT, Pacing, StepsPerEvent,
};
use super::json_body;
use super::kind::{Defaults, Scope, Spec, Values};
use super::param::ParamError;
use super::registry::Registry;
use super::run::Run;

/// Flat parameters, not yet checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    values: Map<String, Value>,
    /// Total steps over all cycles (the CLI's `--steps`), split evenly over the cycles.
    total_steps: Option<u64>,
    scope: Scope,
}

/// Checked parameters and the run they describe, built once.
pub struct Resolved {
    /// What is annealed.
    pub spec: Spec,
    /// How it is annealed.
    pub config: AnnealConfig,
    /// How fast a live session shows it.
    pub pacing: Pacing,
    /// The run at step 0.
    pub run: Run,
    /// How long the run is expected to take on one core, where the kind can say.
    pub expected_seconds: Option<f64>,
}

impl Request {
    /// Read a JSON body; errors name the field (a syntax error inside a value or just
    /// after it, a `NaN` literal, a number out of range name the key it sits in, see
    /// [`json_body`]). A body that is not an object at all names no field.
    pub fn from_json(body: &[u8], scope: Scope) -> Result<Request, ParamError> {
        let values = json_body::parse_object(body).map_err(|e| {
            let field = e.top_field();
            let message = if field.is_empty() {
                format!("the body must be a JSON object of parameters: {}", e.message)
            } else {
                e.message
            };
            ParamError::new(field, message)
        })?;
        Ok(Request { values, total_steps: None, scope })
    }

    /// Parameters already as a JSON object.
    pub fn from_map(values: Map<String, Value>, scope: Scope) -> Request {
        Request { values, total_steps: None, scope }
    }

    /// With a total step count to split over the cycles.
    pub fn with_total_steps(mut self, steps: Option<u64>) -> Request {
        self.total_steps = steps;
        self
    }

    /// The given values.
    pub fn values(&self) -> &Map<String, Value> {
        &self.values
    }
}

/// Check `request` and build its run. Blocking (builds the problem once).
pub fn resolve(registry: &Registry, request: &Request) -> Result<Resolved, ParamError> {
    let values = &request.values;
    let kind = check::pick_kind(registry, values)?;
    check::check_values(registry, kind, values, &[])?;
    let given = registry.spec_values(kind, values.clone(), request.scope);
    let spec = kind.spec(&given)?;
    let built = kind.build(&spec)?;
    let (defaults, temperatures) = match request.scope {
        Scope::Session => (built.defaults(), built.temperatures()),
        Scope::Headless => (built.headless_defaults(), built.headless_temperatures()),
    };
    let (defaults, temperatures) = match built.tempering_defaults() {
        Some(t) if given.str("method") == Some("tempering") => {
            (Defaults { cycles: t.cycles, ..defaults }, t.temperatures)
        }
        _ => (defaults, temperatures),
    };
    let mut config = config(&given, &defaults, temperatures, request.total_steps)?;
    // A kind's default budget may exceed what a live session allows (a large tour's
    // default is about a second per 100 cities): a session given no step count gets
    // the session limit instead of a 400 for a number the user never typed.
    let steps_given = given.has("steps_per_cycle") || request.total_steps.is_some();
    if request.scope == Scope::Session && !steps_given && config.total_steps() > MAX_SESSION_STEPS {
        config.steps_per_cycle = (MAX_SESSION_STEPS / config.cycles.max(1)).max(1);
    }
    if request.scope == Scope::Session && config.total_steps() > MAX_SESSION_STEPS {
        let field = if given.has("num_cycles") && !given.has("steps_per_cycle") {
            "num_cycles"
        } else {
            "steps_per_cycle"
        };
        return Err(ParamError::new(
            field,
            format!(
                "{} steps per cycle times {} cycles is {} steps; a live session allows at most {MAX_SESSION_STEPS}",
                config.steps_per_cycle,
                config.cycles,
                config.total_steps()
            ),
        ));
    }
    let pacing = Pacing {
        steps_per_event: given
            .get("steps_per_event")
            .and_then(StepsPerEvent::from_value)
            .unwrap_or_else(|| common::default_steps_per_event(&defaults, config.total_steps())),
        max_events_per_sec: given.f64("max_events_per_sec").unwrap_or(DEFAULT_EVENTS_PER_SEC),
    };
    let pacing = bound_replica_steps(pacing, &config, given.has("steps_per_event"))?;
    let expected_seconds = built.expected_seconds(config.total_steps());
    let run =
        Run::new(kind.name(), built.start(config.clone())?).with_optimal_energy(given.f64("optimal_energy"));
    Ok(Resolved { spec, config, pacing, run, expected_seconds })
}

impl Registry {
    /// Check and resolve a request (see [`resolve`]). Blocking: builds the problem.
    pub fn resolve(&self, request: &Request) -> Result<Resolved, ParamError> {
        resolve(self, request)
    }
}

/// With tempering every replica takes each step, so one event's work is its steps
/// times the replicas: held to the same [`MAX_STEPS_PER_EVENT`] as annealing's. A
/// default steps-per-event is lowered to fit; one the user gave is refused, naming it.
fn bound_replica_steps(mut pacing: Pacing, config: &AnnealConfig, given: bool) -> Result<Pacing, ParamError> {
    let (Some(tempering), StepsPerEvent::Steps(steps)) = (&config.tempering, pacing.steps_per_event) else {
        return Ok(pacing);
    };
    let replicas = u64::from(tempering.replicas);
    let most = (MAX_STEPS_PER_EVENT / replicas).max(1);
    if steps > most {
        if given {
            return Err(ParamError::new(
                "steps_per_event",
                format!(
                    "with tempering each of the {replicas} replicas takes every step, so an event of {steps} steps \
                     is {} replica steps, above the limit of {MAX_STEPS_PER_EVENT}; give at most {most} (or \"max\")",
                    steps * replicas
                ),
            ));
        }
        pacing.steps_per_event = StepsPerEvent::Steps(most);
    }
    Ok(pacing)
}

/// The config from the given values over the kind's and the engine's defaults.
fn config(
    given: &Values,
    defaults: &Defaults,
    (initial_temp, final_temp): (f64, Option<f64>),
    total_steps: Option<u64>,
) -> Result<AnnealConfig, ParamError> {
    let base = AnnealConfig::default();
    let schedule = given.str("schedule").and_then(ScheduleKind::from_name).unwrap_or(defaults.schedule);
    // A constant temperature has nothing to reheat: a total step count given with no
    // cycles is one cycle, so it never has to split evenly.
    let default_cycles =
        if total_steps.is_some() && schedule == ScheduleKind::Constant { 1 } else { defaults.cycles };
    let cycles = given.u64("num_cycles").unwrap_or(default_cycles);
    let steps_per_cycle = match total_steps {
        None => given.u64("steps_per_cycle").unwrap_or(defaults.steps_per_cycle),
        Some(_) if given.has("steps_per_cycle") => {
            return Err(ParamError::new("steps", "give the total steps or steps_per_cycle, not both"));
        }
        Some(0) => return Err(ParamError::new("steps", "must be at least 1, not 0")),
        Some(total) => {
            if total % cycles != 0 {
                let below = total / cycles * cycles;
                let above = below + cycles;
                let choices = if below == 0 { format!("{above}") } else { format!("{below} or {above}") };
                return Err(ParamError::new(
                    "steps",
                    format!(
                        "{total} steps do not split evenly into {cycles} cycle(s){}; use {choices}, or give the cycles",
                        if given.has("num_cycles") { "" } else { " (the problem's default)" },
                    ),
                ));
            }
            let per_cycle = total / cycles;
            if per_cycle > common::MAX_SESSION_STEPS {
                return Err(ParamError::new(
                    "steps",
                    format!(
                        "{total} steps over {cycles} cycle(s) is {per_cycle} per cycle; at most {MAX_SESSION_STEPS} per cycle are allowed, so give more cycles"
                    ),
                ));
            }
            per_cycle
        }
    };
    let direction = match given.str("optimization_mode") {
        Some("MAXIMIZE") => Direction::Maximize,
        _ => Direction::Minimize,
    };
    let batch = match given.get("batch") {
        Some(Value::String(_)) | None => Batch::Auto,
        Some(v) => Batch::Fixed(v.as_u64().unwrap_or(1) as u32),
    };
    let config = AnnealConfig {
        seed: given.u64("seed").unwrap_or(base.seed),
        generator: given.str("generator").and_then(Generator::from_name).unwrap_or(base.generator),
        schedule,
        initial_temp: given.f64("initial_temp").unwrap_or(initial_temp),
        final_temp: given.f64("final_temp").or(final_temp),
        k: given.f64("cooling_schedule_k").unwrap_or(base.k),
        steps_per_cycle,
        cycles,
        direction,
        batch,
        threads: 0,
        tempering: (given.str("method") == Some("tempering")).then(|| {
            let default = TemperingConfig::default();
            TemperingConfig {
                replicas: given.u64("replicas").map_or(default.replicas, |n| n as u32),
                exchange_interval: given.u64("exchange_interval").unwrap_or(default.exchange_interval),
                ladder: given.str("ladder").and_then(Ladder::from_name).unwrap_or(default.ladder),
            }
        }),
    };
    config.validate().map_err(|e| ParamError::new(e.field, e.message))?;
    Ok(config)
}
