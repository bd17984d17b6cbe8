//! `generator` through the one parameter table: every kind offers it as a shared row
//! (default `chacha8`, what a record without the field means), a run given another
//! value uses it and records it, its record replays through the registry on another
//! batch, and an unknown value is refused naming `generator` and the allowed values,
//! by the registry and by `kiln run` (which exits non-zero).

use std::process::Command;

mod support;

use kiln::kinds::Registry;
use kiln_engine::replay::first_divergence;
use kiln_engine::{Batch, Checkpoint, Generator};
use serde_json::{Value, json};
use support::headless_request as request;

/// A short run of each kind.
fn cases() -> [Value; 3] {
    [
        json!({"problem": "isomer", "formula": "C7H16", "steps_per_cycle": 2000, "num_cycles": 2}),
        json!({"problem": "tsp", "instance": "berlin52", "steps_per_cycle": 8000, "num_cycles": 1}),
        json!({"problem": "magnet", "lattice": 12, "coupling": "glass", "steps_per_cycle": 8000, "num_cycles": 1}),
    ]
}

/// The checkpoints of `values`' run, every 500 steps.
fn checkpoints(registry: &Registry, values: Value) -> (Vec<Checkpoint>, Value) {
    let resolved =
        registry.resolve(&request(values)).unwrap_or_else(|e| panic!("{}: {}", e.field, e.message));
    let mut run = resolved.run;
    run.run(run.total_steps());
    let record = run.record(&resolved.spec, u64::MAX, 500);
    let text = serde_json::to_string(&record).unwrap();
    (record.checkpoints, serde_json::from_str(&text).unwrap())
}

#[test]
fn every_kind_advertises_the_generator_row_defaulting_to_chacha8() {
    let registry = Registry::builtin();
    let catalog = registry.catalog();
    for problem in catalog["problems"].as_array().unwrap() {
        let rows = problem["parameters"].as_array().unwrap();
        let row =
            rows.iter().find(|r| r["name"] == "generator").unwrap_or_else(|| panic!("{}", problem["name"]));
        assert_eq!(row["default"], "chacha8", "{}", problem["name"]);
        let names: Vec<&str> = Generator::ALL.iter().map(|g| g.name()).collect();
        assert_eq!(row["values"], json!(names), "{}: {row}", problem["name"]);
    }
}

#[test]
fn every_kind_runs_each_generator_records_it_and_replays() {
    let registry = Registry::builtin();
    for values in cases() {
        let kind = values["problem"].clone();
        let (chacha, chacha_record) = checkpoints(&registry, values.clone());
        assert_eq!(chacha_record["config"]["generator"], "chacha8", "{kind}");
        for generator in ["philox4x32-10", "splitmix64"] {
            let mut given = values.clone();
            given["generator"] = json!(generator);
            let (ours, record) = checkpoints(&registry, given);
            assert_eq!(record["config"]["generator"], generator, "{kind}");
            // The value is used: the same seed draws other words, so another walk.
            assert!(first_divergence(&chacha, &ours).is_some(), "{kind}: {generator} walked chacha8's path");
            let read =
                kiln_engine::ReplayRecord::<kiln::kinds::Spec>::from_json(&record.to_string()).unwrap();
            let mut config = read.config.clone();
            config.batch = Batch::Fixed(3);
            let mut replay = registry.run(&read.problem, config).unwrap();
            let mut replayed = Vec::new();
            for expected in &read.checkpoints {
                replay.run(expected.step - replay.steps_done());
                replayed.push(replay.checkpoint());
            }
            assert_eq!(first_divergence(&read.checkpoints, &replayed), None, "{kind} {generator}");
        }
    }
}

#[test]
fn an_unknown_generator_is_refused_naming_the_field_and_the_values() {
    let values = json!({"problem": "magnet", "lattice": 8, "generator": "mt19937"});
    let Err(e) = Registry::builtin().resolve(&request(values)) else { panic!("mt19937 was accepted") };
    assert_eq!(e.field, "generator");
    for name in ["mt19937", "chacha8", "philox4x32-10", "splitmix64"] {
        assert!(e.message.contains(name), "{}", e.message);
    }
}

#[test]
fn kiln_run_takes_a_generator_flag_and_refuses_an_unknown_one() {
    let kiln = |generator: &str| {
        Command::new(env!("CARGO_BIN_EXE_kiln"))
            .args(["run", "--problem", "magnet", "--lattice", "8", "--steps", "30000", "--json"])
            .args(["--generator", generator])
            .output()
            .expect("the kiln binary runs")
    };
    let out = kiln("splitmix64");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let result: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(result["config"]["generator"], "splitmix64", "{result}");
    let out = kiln("mt19937");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--generator") && stderr.contains("splitmix64"), "{stderr}");
}
