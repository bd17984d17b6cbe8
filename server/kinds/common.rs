//! The parameters every kind shares (goal, method, schedule, length, known optimum,
//! seed, generator, batch, pacing), as table rows, and the pacing of a live session they resolve to.
//!
//! `method` is `anneal` (one chain on the schedule) or `tempering` (replica exchange:
//! `replicas` chains on a ladder from the final temperature up to T0, swapping every
//! `exchange_interval` steps, the ladder `tuned` by a warm-up or `geometric`; see
//! `kiln_engine::tempering`). The ladder's ends are the
//! temperature rows annealing already has, so every kind's defaults serve both.
//!
//! Their defaults come from the engine's [`AnnealConfig::default`] and from the kind's
//! [`Defaults`] (a tour wants the `auto` schedule over one long cycle, a molecule
//! Faulon's over four short ones), so the catalog shows each kind its own defaults.

use std::fmt;

use kiln_engine::config::{MAX_BATCH, MAX_EXCHANGE_INTERVAL, MAX_REPLICAS, MIN_REPLICAS};
use kiln_engine::{AnnealConfig, Batch, Direction, Generator, Ladder, ScheduleKind, TemperingConfig};
use serde::{Serialize, Serializer};
use serde_json::{Value, json};

use super::kind::Defaults;
use super::param::{Group, Param, ParamType};

/// Most steps a live session may have in total (and one cycle of any run).
pub const MAX_SESSION_STEPS: u64 = 100_000_000;
/// Most cycles of a run.
pub const MAX_CYCLES: u64 = 1_000;
/// Highest temperature (T0 or final) a run may ask for.
pub const MAX_TEMPERATURE: f64 = 1_000_000.0;
/// Largest cooling constant k.
pub const MAX_K: f64 = 1_000.0;
/// Largest magnitude of a user-given optimum (`optimal_energy`): beyond any energy a
/// run can reach (10^15, where f64 still counts every integer).
pub const MAX_OPTIMAL_ENERGY: f64 = 1e15;
/// Most steps one event may cover.
pub const MAX_STEPS_PER_EVENT: u64 = 1_000_000;
/// Most events per second a session may ask for.
pub const MAX_EVENTS_PER_SEC: f64 = 60.0;
/// Fewest events per second a session may ask for.
pub const MIN_EVENTS_PER_SEC: f64 = 0.1;
/// Default event rate of a live session.
pub const DEFAULT_EVENTS_PER_SEC: f64 = 20.0;

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

impl fmt::Display for StepsPerEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepsPerEvent::Steps(n) => write!(f, "{n}"),
            StepsPerEvent::Max => f.write_str("max"),
        }
    }
}

impl StepsPerEvent {
    /// From a value the table has checked ("max" or a count).
    pub fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::String(s) if s == "max" => Some(StepsPerEvent::Max),
            other => other.as_u64().map(StepsPerEvent::Steps),
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

/// The default steps per event of a kind with these defaults and this many steps.
pub fn default_steps_per_event(defaults: &Defaults, total_steps: u64) -> StepsPerEvent {
    match defaults.events_per_run {
        None => StepsPerEvent::Steps(1),
        Some(events) => StepsPerEvent::Steps((total_steps / events.max(1)).clamp(1, MAX_STEPS_PER_EVENT)),
    }
}

/// The shared rows, `problem` first, with these kind names and defaults.
pub fn parameters(kinds: &[&str], defaults: &Defaults) -> Vec<Param> {
    let base = AnnealConfig::default();
    let total = defaults.steps_per_cycle.saturating_mul(defaults.cycles);
    let steps_per_event = match default_steps_per_event(defaults, total) {
        StepsPerEvent::Steps(n) => json!(n),
        StepsPerEvent::Max => json!("max"),
    };
    let names = |all: &[&str]| all.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let schedules: Vec<&str> = ScheduleKind::ALL.iter().map(|s| s.name()).collect();
    vec![
        Param::new("problem", "Problem", ParamType::Enum(names(kinds)), "The kind of problem to anneal.")
            .default_value(kinds.first().copied().unwrap_or_default()),
        Param::new(
            "optimization_mode",
            "Goal",
            ParamType::Enum(names(&["MINIMIZE", "MAXIMIZE"])),
            "Minimise or maximise the energy.",
        )
        .default_value(json!(Direction::default())),
        Param::new(
            "method",
            "Method",
            ParamType::Enum(names(&["anneal", "tempering"])),
            "anneal: one chain cooled by the schedule; tempering: replicas on a temperature ladder from final_temp to T0 that swap states.",
        )
        .default_value("anneal")
        .group(Group::Schedule),
        Param::new(
            "replicas",
            "Replicas",
            ParamType::Integer,
            "Tempering only: chains on the ladder, one per temperature (each runs every step).",
        )
        .default_value(TemperingConfig::default().replicas)
        .range(f64::from(MIN_REPLICAS), f64::from(MAX_REPLICAS))
        .group(Group::Schedule),
        Param::new(
            "exchange_interval",
            "Exchange interval",
            ParamType::Integer,
            "Tempering only: steps of every replica between two rounds of swaps.",
        )
        .default_value(TemperingConfig::default().exchange_interval)
        .range(1.0, MAX_EXCHANGE_INTERVAL as f64)
        .group(Group::Schedule)
        .unit("steps"),
        Param::new(
            "ladder",
            "Ladder",
            ParamType::Enum(Ladder::ALL.iter().map(|l| l.name().to_string()).collect()),
            "Tempering only: tuned: a warm-up (the first tenth of the run) spaces the temperatures so that neighbours swap equally often; geometric: a constant ratio.",
        )
        .default_value(TemperingConfig::default().ladder.name())
        .group(Group::Schedule),
        Param::new(
            "schedule",
            "Schedule",
            ParamType::Enum(names(&schedules)),
            "faulon: T0 - k T0 t/dt per cycle; geometric/linear: T0 to final_temp; constant; auto: estimated.",
        )
        .default_value(defaults.schedule.name())
        .group(Group::Schedule),
        Param::new("initial_temp", "Initial temperature T0", ParamType::Number, "Temperature at the start of every cycle; with tempering, the hottest replica's.")
            .default_value(base.initial_temp)
            .range(0.0, MAX_TEMPERATURE)
            .exclusive_min()
            .group(Group::Schedule)
            .cli_aliases(&["t0"]),
        Param::new(
            "final_temp",
            "Final temperature",
            ParamType::Number,
            "Geometric and linear schedules end here (default T0 / 1000); with tempering, the coldest replica's temperature.",
        )
        .range(0.0, MAX_TEMPERATURE)
        .exclusive_min()
        .group(Group::Schedule),
        Param::new("cooling_schedule_k", "Cooling constant k", ParamType::Number, "Faulon's k: how fast a cycle cools.")
            .default_value(base.k)
            .range(0.0, MAX_K)
            .group(Group::Schedule)
            .cli_aliases(&["k"]),
        Param::new("steps_per_cycle", "Steps per cycle", ParamType::Integer, "Steps between reheats.")
            .default_value(defaults.steps_per_cycle)
            .range(1.0, MAX_SESSION_STEPS as f64)
            .group(Group::Schedule)
            .unit("steps"),
        Param::new("num_cycles", "Cycles", ParamType::Integer, "Number of cycles (reheats).")
            .default_value(defaults.cycles)
            .range(1.0, MAX_CYCLES as f64)
            .group(Group::Schedule)
            .cli_aliases(&["cycles"]),
        Param::new(
            "optimal_energy",
            "Known optimum",
            ParamType::Number,
            "The optimum energy of your instance, if you know it: runs that reach it count as reaching the target (success, steps to it, time to solution); it replaces the kind's own.",
        )
        .range(-MAX_OPTIMAL_ENERGY, MAX_OPTIMAL_ENERGY)
        .group(Group::Schedule),
        Param::new("seed", "Seed", ParamType::Integer, "The run is a pure function of the parameters and this seed.")
            .default_value(base.seed)
            .at_least(0.0)
            .group(Group::Schedule),
        Param::new(
            "generator",
            "Random generator",
            ParamType::Enum(Generator::ALL.iter().map(|g| g.name().to_string()).collect()),
            "The function from (seed, step) to each step's random words, recorded with the run: chacha8 (every earlier run), philox4x32-10 or splitmix64 (counter-based, words made only when read).",
        )
        .default_value(base.generator.name())
        .group(Group::Schedule),
        Param::new(
            "batch",
            "Batch",
            ParamType::CountOr(names(&["auto"])),
            "Candidate moves scored in parallel; never changes the result.",
        )
        .default_value(json!(Batch::Auto))
        .range(1.0, MAX_BATCH as f64)
        .group(Group::Pacing),
        Param::new(
            "steps_per_event",
            "Steps per event",
            ParamType::CountOr(names(&["max"])),
            "1 shows every step; \"max\" runs as fast as the frame rate allows.",
        )
        .default_value(steps_per_event)
        .range(1.0, MAX_STEPS_PER_EVENT as f64)
        .group(Group::Pacing)
        .unit("steps"),
        Param::new("max_events_per_sec", "Events per second", ParamType::Number, "Most progress events per second.")
            .default_value(DEFAULT_EVENTS_PER_SEC)
            .range(MIN_EVENTS_PER_SEC, MAX_EVENTS_PER_SEC)
            .group(Group::Pacing)
            .unit("events/s"),
    ]
}
