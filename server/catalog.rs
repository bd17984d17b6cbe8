//! `GET /api/problems`: the problem kinds, every parameter with its default and
//! bounds, presets and bundled instances, so the page can build its form.
//!
//! Defaults are read from [`RunParams::resolve`] on an empty set of parameters,
//! never restated here, so the form, the server and `kiln run` cannot disagree.

use kiln_engine::ScheduleKind;
use kiln_engine::config::MAX_BATCH;
use kiln_engine::problems::isomer::Component;
use kiln_engine::problems::tsp::{Layout, MAX_CITIES, bundled_instances};
use serde_json::{Value, json};

use crate::params::{
    MAX_EVENTS_PER_SEC, MAX_STEPS_PER_EVENT, MIN_EVENTS_PER_SEC, Resolved, RunParams, StepsPerEvent,
};
use crate::spec::{ProblemKind, ProblemSpec, TspCities};

/// The catalog document.
pub fn problems() -> Value {
    json!({ "problems": [isomer(), tsp()] })
}

fn defaults(kind: ProblemKind) -> Resolved {
    RunParams { problem: Some(kind), ..Default::default() }.resolve().expect("the defaults resolve")
}

fn isomer() -> Value {
    let d = defaults(ProblemKind::Isomer);
    let (formula, weights) = match &d.spec {
        ProblemSpec::Isomer(s) => (s.formula.clone(), s.component_weights.clone()),
        ProblemSpec::Tsp { .. } => unreachable!("isomer defaults"),
    };
    let components: Vec<&str> = [Component::WienerIndex, Component::LogP].iter().map(|c| c.name()).collect();
    let mut parameters = vec![
        json!({"name": "formula", "type": "string", "default": formula, "label": "Formula", "group": "problem",
               "help": "Molecular formula, e.g. C8H18; elements C N O S P F Cl Br I, hydrogens implicit."}),
        json!({"name": "component_weights", "type": "weights", "default": weights, "values": components,
               "label": "Objective", "group": "problem",
               "help": "Weights of the objective's components: Wiener index, Crippen logP."}),
    ];
    parameters.extend(common(&d));
    let presets: Vec<Value> = [
        ("hexane", "Hexane C6H14", "C6H14"),
        ("octane", "Octane C8H18", "C8H18"),
        ("xylenes", "C8H10", "C8H10"),
        ("decane", "Decane C10H22", "C10H22"),
        ("monoterpenes", "Monoterpenes C10H16", "C10H16"),
        ("naphthalene", "C10H8", "C10H8"),
        ("ethanol", "Ethanol / dimethyl ether C2H6O", "C2H6O"),
        ("acetone", "Acetone / propanal C3H6O", "C3H6O"),
    ]
    .iter()
    .map(|(name, label, formula)| json!({"name": name, "label": label, "params": {"formula": formula}}))
    .collect();
    json!({"name": "isomer", "label": "Constitutional isomers", "parameters": parameters,
           "presets": presets, "instances": []})
}

fn tsp() -> Value {
    let d = defaults(ProblemKind::Tsp);
    let instance = match &d.spec {
        ProblemSpec::Tsp { cities: TspCities::Bundled { instance } } => instance.clone(),
        _ => unreachable!("tsp defaults to a bundled instance"),
    };
    let names: Vec<&str> = bundled_instances().iter().map(|b| b.name).collect();
    let layouts: Vec<&str> = Layout::ALL.iter().map(|l| l.name()).collect();
    let mut parameters = vec![
        json!({"name": "instance", "type": "enum", "values": names, "default": instance, "label": "Instance",
               "group": "problem", "help": "A bundled TSPLIB instance (give this, or cities, or tsplib)."}),
        json!({"name": "cities", "type": "integer", "default": null, "min": 3, "max": MAX_CITIES,
               "label": "Random cities", "group": "problem", "help": "Number of random cities (placed from the seed)."}),
        json!({"name": "layout", "type": "enum", "values": layouts, "default": Layout::default().name(),
               "label": "Layout", "group": "problem", "help": "How random cities are scattered."}),
        json!({"name": "tsplib", "type": "text", "default": null, "label": "TSPLIB file", "group": "problem",
               "help": "The text of a TSPLIB EUC_2D file."}),
    ];
    parameters.extend(common(&d));
    let presets: Vec<Value> = bundled_instances()
        .iter()
        .filter(|b| b.dimension <= 280)
        .map(|b| {
            json!({"name": b.name, "label": format!("{} ({} cities)", b.name, b.dimension),
                         "params": {"instance": b.name}})
        })
        .chain([
            json!({"name": "random200", "label": "200 random cities",
                       "params": {"cities": 200, "layout": "uniform"}}),
            json!({"name": "clusters300", "label": "300 clustered cities",
                       "params": {"cities": 300, "layout": "clustered"}}),
        ])
        .collect();
    let instances: Vec<Value> = bundled_instances()
        .iter()
        .map(|b| json!({"name": b.name, "dimension": b.dimension, "optimal_length": b.optimal_length}))
        .collect();
    json!({"name": "tsp", "label": "Travelling salesman", "parameters": parameters,
           "presets": presets, "instances": instances})
}

/// The parameters every problem has, with this problem's defaults.
fn common(d: &Resolved) -> Vec<Value> {
    let c = &d.config;
    let schedules: Vec<&str> = ScheduleKind::ALL.iter().map(|s| s.name()).collect();
    let steps_per_event = match d.pacing.steps_per_event {
        StepsPerEvent::Steps(n) => json!(n),
        StepsPerEvent::Max => json!("max"),
    };
    vec![
        json!({"name": "optimization_mode", "type": "enum", "values": ["MINIMIZE", "MAXIMIZE"], "default": c.direction,
               "label": "Goal", "group": "problem", "help": "Minimise or maximise the energy."}),
        json!({"name": "schedule", "type": "enum", "values": schedules, "default": c.schedule.name(),
               "label": "Schedule", "group": "schedule",
               "help": "faulon: T0 - k T0 t/dt per cycle; geometric/linear: T0 to final_temp; constant; auto: estimated."}),
        json!({"name": "initial_temp", "type": "number", "default": c.initial_temp, "min": 0, "exclusive_min": true,
               "max": 1_000_000, "label": "Initial temperature T0", "group": "schedule", "help": "Temperature at the start of every cycle."}),
        json!({"name": "final_temp", "type": "number", "default": null, "min": 0, "exclusive_min": true,
               "max": 1_000_000, "label": "Final temperature", "group": "schedule",
               "help": "Geometric and linear schedules end here (default T0 / 1000)."}),
        json!({"name": "cooling_schedule_k", "type": "number", "default": c.k, "min": 0, "max": 1000,
               "label": "Cooling constant k", "group": "schedule", "help": "Faulon's k: how fast a cycle cools."}),
        json!({"name": "steps_per_cycle", "type": "integer", "default": c.steps_per_cycle, "min": 1,
               "max": crate::params::MAX_SESSION_STEPS, "label": "Steps per cycle", "group": "schedule",
               "help": "Steps between reheats."}),
        json!({"name": "num_cycles", "type": "integer", "default": c.cycles, "min": 1, "max": 1000,
               "label": "Cycles", "group": "schedule", "help": "Number of cycles (reheats)."}),
        json!({"name": "seed", "type": "integer", "default": c.seed, "min": 0, "label": "Seed", "group": "schedule",
               "help": "The run is a pure function of the parameters and this seed."}),
        json!({"name": "batch", "type": "batch", "default": "auto", "min": 1, "max": MAX_BATCH, "label": "Batch",
               "group": "pacing", "help": "Candidate moves scored in parallel; never changes the result."}),
        json!({"name": "steps_per_event", "type": "steps_per_event", "default": steps_per_event, "min": 1,
               "max": MAX_STEPS_PER_EVENT, "values": ["max"], "label": "Steps per event", "group": "pacing",
               "help": "1 shows every step; \"max\" runs as fast as the frame rate allows."}),
        json!({"name": "max_events_per_sec", "type": "number", "default": d.pacing.max_events_per_sec,
               "min": MIN_EVENTS_PER_SEC, "max": MAX_EVENTS_PER_SEC, "label": "Events per second", "group": "pacing",
               "help": "Most progress events per second."}),
    ]
}
