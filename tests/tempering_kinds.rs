//! `method: tempering` through the one parameter table, for every kind: the request
//! resolves, the run's progress carries the `tempering` object, and its record
//! replays through the registry exactly as `kiln replay` does it, on another thread
//! count and batch size.

#[path = "../examples/queens/kind.rs"]
#[allow(dead_code)]
mod queens;

use kiln::kinds::{Registry, Request, Scope};
use kiln_engine::problems::magnet::Magnet;
use kiln_engine::replay::first_divergence;
use kiln_engine::{Batch, Checkpoint, Ladder};
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

#[test]
fn the_ladder_is_tuned_unless_asked_geometric_and_a_bad_ladder_names_its_field() {
    let registry = registry();
    let ladder = |extra: Value| {
        let mut values = json!({"problem": "magnet", "lattice": 8, "method": "tempering"});
        values.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        registry.resolve(&request(values)).map(|r| r.config.tempering.unwrap().ladder)
    };
    assert_eq!(ladder(json!({})).unwrap(), Ladder::Tuned);
    assert_eq!(ladder(json!({"ladder": "geometric"})).unwrap(), Ladder::Geometric);
    assert_eq!(ladder(json!({"ladder": "tuned"})).unwrap(), Ladder::Tuned);
    let err = ladder(json!({"ladder": "even"})).expect_err("refused");
    assert_eq!(err.field, "ladder", "{}", err.message);
}

/// A teaching step of a tempering run explains the coldest replica's move, says the
/// others stepped too, and, on the step that ends an exchange round, lists the swaps
/// tried: each decided by the replica-exchange rule, recomputed here from the
/// temperatures and energies the move shows (`min(1, exp((1/T_i - 1/T_j)(E_i - E_j)))`
/// when minimising; a swap is taken when the draw is below it).
#[test]
fn a_tempering_step_explains_the_coldest_move_and_the_exchange_round() {
    let registry = registry();
    let values = json!({"problem": "magnet", "lattice": 8, "coupling": "glass", "method": "tempering",
        "replicas": 5, "exchange_interval": 4, "steps_per_cycle": 400, "num_cycles": 1});
    let mut run = registry.resolve(&request(values)).unwrap().run;
    let mut tries_seen = 0;
    for step in 1..=40u64 {
        run.step();
        let m = run.last_move().expect("a move after every step");
        assert_eq!(m["step"], json!(step));
        assert_eq!(m["replicas"], json!(5));
        let reason = m["reason"].as_str().unwrap();
        assert!(reason.contains("coldest of the 5 replicas"), "{reason}");
        let progress = serde_json::to_value(run.progress()).unwrap();
        assert_eq!(m["temperature"], progress["tempering"]["replicas"][0]["temperature"]);
        if step % 4 != 0 {
            assert_eq!(m["exchange"], Value::Null, "step {step}");
            continue;
        }
        let exchange = &m["exchange"];
        assert_eq!(exchange["round"], json!(step / 4), "{m}");
        assert!(reason.contains("exchange round"), "{reason}");
        let tries = exchange["tries"].as_array().unwrap();
        // Round r tries the pairs (i, i + 1) with i of r's parity (0-based r = step / 4 - 1).
        let parity = (step / 4 - 1) % 2;
        let pairs: Vec<u64> = tries.iter().map(|t| t["pair"].as_u64().unwrap()).collect();
        assert_eq!(pairs, (parity..4).step_by(2).collect::<Vec<_>>());
        let mut swapped = Vec::new();
        for t in tries {
            let (ti, tj) = (t["temperatures"][0].as_f64().unwrap(), t["temperatures"][1].as_f64().unwrap());
            let (ei, ej) = (t["energies"][0].as_f64().unwrap(), t["energies"][1].as_f64().unwrap());
            let p = ((1.0 / ti - 1.0 / tj) * (ei - ej)).exp().min(1.0);
            assert!((t["p_swap"].as_f64().unwrap() - p).abs() < 1e-12, "{t}");
            let u = t["u"].as_f64().unwrap();
            assert_eq!(t["swapped"].as_bool().unwrap(), u < p, "{t}");
            if u < p {
                swapped.push(t["pair"].clone());
            }
            tries_seen += 1;
        }
        assert_eq!(progress["tempering"]["last_swaps"], Value::Array(swapped));
    }
    assert_eq!(tries_seen, 10 * 2, "rounds alternate 2 pairs (0, 2) and 2 pairs (1, 3)");
}

/// The magnet's default tempering length (docs/protocol.md, README): on a graph,
/// about 60 sweeps per spin a replica in whole cycles of annealing's 5,000 sweeps, 4
/// to 24 cycles; on a lattice, as annealing (3 cycles). Given cycles or steps still win.
/// The rule is the engine's (`Magnet::default_tempering_config`): an engine user gets
/// the same length.
#[test]
fn a_magnet_graph_defaults_tempering_to_sixty_sweeps_per_spin() {
    let registry = registry();
    let config = |values: Value| registry.resolve(&request(values)).unwrap().config;
    let anneal = config(json!({"problem": "magnet", "gset": "G11"}));
    assert_eq!((anneal.cycles, anneal.steps_per_cycle), (4, 5_000 * 800));
    // G11: 800 spins, 48,000 sweeps: 9.6 cycles, so 10.
    let tempering = config(json!({"problem": "magnet", "gset": "G11", "method": "tempering"}));
    assert_eq!((tempering.cycles, tempering.steps_per_cycle), (10, 5_000 * 800));
    // G22: 2,000 spins, 120,000 sweeps: 24 cycles, the most.
    let g22 = config(json!({"problem": "magnet", "gset": "G22", "method": "tempering"}));
    assert_eq!((g22.cycles, g22.steps_per_cycle), (24, 5_000 * 2_000));
    for (name, cycles) in [("G11", 10), ("G22", 24)] {
        let engine = Magnet::gset(name).unwrap().default_tempering_config(1);
        assert_eq!(engine.cycles, cycles, "{name}: the engine's default length");
        let kind = config(json!({"problem": "magnet", "gset": name, "method": "tempering", "seed": 1}));
        let ends =
            |c: &kiln_engine::AnnealConfig| (c.initial_temp, c.final_temp, c.steps_per_cycle, c.tempering);
        assert_eq!(ends(&kind), ends(&engine), "{name}: the kind's default is the engine's");
    }
    // A 16 x 16 glass read as a graph: 256 spins, 15,360 sweeps: 3 cycles, at least 4.
    let glass = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/engine/tests/data/ising/glass_open_L16_s1.txt"
    ))
    .unwrap();
    let small = config(json!({"problem": "magnet", "graph": glass, "method": "tempering"}));
    assert_eq!((small.cycles, small.steps_per_cycle), (4, 5_000 * 256));
    let lattice = config(json!({"problem": "magnet", "lattice": 16, "method": "tempering"}));
    assert_eq!(lattice.cycles, 3);
    let given = config(json!({"problem": "magnet", "gset": "G11", "method": "tempering", "num_cycles": 2}));
    assert_eq!(given.cycles, 2);
}
