//! `method: tempering` through the one parameter table, for every kind: the request
//! resolves, the run's progress carries the `tempering` object, and its record
//! replays through the registry exactly as `kiln replay` does it, on another thread
//! count and batch size.

#[path = "../examples/queens/kind.rs"]
#[allow(dead_code)]
mod queens;

use kiln::kinds::{Registry, Request, Scope};
use kiln_engine::replay::first_divergence;
use kiln_engine::{Batch, Checkpoint};
use serde_json::{Value, json};

fn registry() -> Registry {
    Registry::builtin().with(queens::QueensKind)
}

fn request(values: Value) -> Request {
    let Value::Object(map) = values else { panic!("an object") };
    Request::from_map(map, Scope::Headless)
}

#[test]
fn every_kind_runs_tempering_and_its_record_replays() {
    let registry = registry();
    let cases = [
        json!({"problem": "isomer", "formula": "C7H16", "steps_per_cycle": 2000, "num_cycles": 2}),
        json!({"problem": "tsp", "instance": "berlin52", "steps_per_cycle": 8000, "num_cycles": 1}),
        json!({"problem": "magnet", "lattice": 12, "coupling": "glass", "steps_per_cycle": 8000, "num_cycles": 1}),
        json!({"problem": "queens", "n": 10, "steps_per_cycle": 4000, "num_cycles": 1}),
    ];
    for mut values in cases {
        let kind = values["problem"].as_str().unwrap().to_string();
        values["method"] = json!("tempering");
        values["replicas"] = json!(4);
        values["exchange_interval"] = json!(100);
        let resolved = registry
            .resolve(&request(values))
            .unwrap_or_else(|e| panic!("{kind}: {}: {}", e.field, e.message));
        let tempering = resolved.config.tempering.expect("method tempering sets the config's tempering");
        assert_eq!((tempering.replicas, tempering.exchange_interval), (4, 100), "{kind}");
        let mut run = resolved.run;
        run.run(run.total_steps());
        let progress = serde_json::to_value(run.progress()).unwrap();
        let ladder = &progress["tempering"];
        assert_eq!(ladder["replicas"].as_array().map(Vec::len), Some(4), "{kind}: {progress}");
        assert_eq!(ladder["exchange_rates"].as_array().map(Vec::len), Some(3), "{kind}");
        assert!(ladder["rounds"].as_u64().unwrap() > 0, "{kind}");

        let record = run.record(&resolved.spec, u64::MAX, 1000);
        let text = serde_json::to_string(&record).unwrap();
        let read = kiln_engine::ReplayRecord::<kiln::kinds::Spec>::from_json(&text).unwrap();
        let mut config = read.config.clone();
        config.threads = 1;
        config.batch = Batch::Fixed(3);
        let mut replay = registry.run(&read.problem, config).unwrap();
        let mut replayed: Vec<Checkpoint> = Vec::new();
        for expected in &read.checkpoints {
            replay.run(expected.step - replay.steps_done());
            replayed.push(replay.checkpoint());
        }
        assert_eq!(first_divergence(&read.checkpoints, &replayed), None, "{kind}");
    }
}

#[test]
fn tempering_settings_out_of_range_name_their_field() {
    let registry = registry();
    for (field, value) in [("replicas", json!(1)), ("replicas", json!(65)), ("exchange_interval", json!(0))] {
        let values = json!({"problem": "magnet", "method": "tempering", field: value});
        let err = registry.resolve(&request(values)).err().expect("refused");
        assert_eq!(err.field, field, "{}", err.message);
    }
    let values =
        json!({"problem": "magnet", "method": "tempering", "replicas": 10, "steps_per_event": 200000});
    let err =
        registry.resolve(&request(values)).err().expect("10 x 200,000 replica steps in one event is refused");
    assert_eq!(err.field, "steps_per_event", "{}", err.message);
    let values = json!({"problem": "magnet", "method": "temper"});
    assert_eq!(registry.resolve(&request(values)).err().expect("refused").field, "method");
    let values = json!({"problem": "magnet", "lattice": 8, "method": "tempering", "initial_temp": 1.0, "final_temp": 2.0});
    let err = registry.resolve(&request(values)).err().expect("an inverted ladder is refused");
    assert_eq!(err.field, "final_temp", "{}", err.message);
}
