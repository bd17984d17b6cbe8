//! Black-box tests of the `kiln` binary: `run`, `replay` and `--help`, as a user
//! would call them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn kiln(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiln")).args(args).output().expect("the kiln binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh scratch directory under the target dir, per test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const SMALL_TSP: &[&str] =
    &["run", "--problem", "tsp", "--instance", "eil51", "--steps", "40000", "--seed", "5"];

fn record_small_run(dir: &Path) -> PathBuf {
    let record = dir.join("record.json");
    let mut args = SMALL_TSP.to_vec();
    args.extend(["--record", record.to_str().unwrap(), "--checkpoint-every", "1000"]);
    let out = kiln(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    record
}

#[test]
fn replay_of_a_fresh_record_exits_zero() {
    let dir = scratch("replay_fresh");
    let record = record_small_run(&dir);
    let out = kiln(&["replay", record.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("41 checkpoints match"), "{}", stdout(&out));
}

#[test]
fn replay_with_another_batch_and_thread_count_still_matches() {
    let dir = scratch("replay_batch");
    let record = record_small_run(&dir);
    for extra in [["--batch", "8"], ["--threads", "1"], ["--batch", "auto"]] {
        let mut args = vec!["replay", record.to_str().unwrap()];
        args.extend(extra);
        let out = kiln(&args);
        assert!(out.status.success(), "{extra:?}: {}", stderr(&out));
    }
}

#[test]
fn replay_of_an_edited_record_fails_naming_the_step() {
    let dir = scratch("replay_edited");
    let record = record_small_run(&dir);
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
    let checkpoint = &mut value["checkpoints"][17];
    let step = checkpoint["step"].as_u64().unwrap();
    checkpoint["current_energy"] = serde_json::json!(checkpoint["current_energy"].as_f64().unwrap() + 1.0);
    let edited = dir.join("edited.json");
    std::fs::write(&edited, value.to_string()).unwrap();

    let out = kiln(&["replay", edited.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("diverged at step {step}")), "{}", stderr(&out));
}

/// The parameter table is the gate for a record as for a request: a config edited
/// past a bound is refused before anything runs, naming the field and the value.
#[test]
fn replay_of_a_record_edited_past_a_bound_is_refused_naming_the_field() {
    let dir = scratch("replay_out_of_range");
    let record = record_small_run(&dir);
    let text = std::fs::read_to_string(&record).unwrap();
    for (field, value) in [("initial_temp", "1e308"), ("num_cycles", "0"), ("batch", "100000")] {
        let mut edited: serde_json::Value = serde_json::from_str(&text).unwrap();
        let config = edited["config"].as_object_mut().expect("a config object");
        let key = if field == "num_cycles" { "cycles" } else { field };
        assert!(config.contains_key(key), "the record's config has {key}: {config:?}");
        config.insert(key.into(), serde_json::from_str(value).unwrap());
        let path = dir.join(format!("edited_{field}.json"));
        std::fs::write(&path, edited.to_string()).unwrap();
        let out = kiln(&["replay", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{field}: {}", stderr(&out));
        assert!(stderr(&out).contains(key), "{key} named: {}", stderr(&out));
        assert!(stderr(&out).contains("must be"), "the bound is said: {}", stderr(&out));
    }
}

/// The refusal names the field once, with the bound docs/protocol.md's parameter
/// table states (initial_temp above 0, at most 1e6; num_cycles 1 to 1000; batch 1
/// to 64 or "auto"); a renamed field says its table name too.
#[test]
fn replay_bound_errors_name_the_field_once() {
    let dir = scratch("replay_bound_message");
    let record = record_small_run(&dir);
    let text = std::fs::read_to_string(&record).unwrap();
    let cases = [
        ("initial_temp", "1e308", "initial_temp must be above 0 and at most 1000000, not 1e+308"),
        ("cycles", "0", "cycles (the table's num_cycles): must be from 1 to 1000, not 0"),
        ("batch", "100000", "batch: must be \"auto\" or from 1 to 64, not 100000"),
    ];
    for (key, value, expected) in cases {
        let mut edited: serde_json::Value = serde_json::from_str(&text).unwrap();
        edited["config"][key] = serde_json::from_str(value).unwrap();
        let path = dir.join(format!("edited_{key}.json"));
        std::fs::write(&path, edited.to_string()).unwrap();
        let out = kiln(&["replay", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{key}: {}", stderr(&out));
        assert_eq!(stderr(&out).trim_end(), format!("kiln: {}: {expected}", path.display()));
    }
}

#[test]
fn replay_of_a_file_that_is_not_a_record_names_the_file() {
    let dir = scratch("replay_garbage");
    let path = dir.join("garbage.json");
    std::fs::write(&path, "{\"hello\": 1}").unwrap();
    let out = kiln(&["replay", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("garbage.json"), "{}", stderr(&out));
}

#[test]
fn run_json_reports_the_progress_fields_and_the_gap_to_the_optimum() {
    let mut args = SMALL_TSP.to_vec();
    args.push("--json");
    let out = kiln(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("stdout is one JSON document");
    assert_eq!(v["step"], 40_000);
    assert_eq!(v["total_steps"], 40_000);
    assert_eq!(v["is_complete"], true);
    assert_eq!(v["optimal_energy"], 426.0);
    let best = v["best_energy"].as_f64().unwrap();
    assert!(best >= 426.0 && best <= v["current_energy"].as_f64().unwrap());
    let moves = ["accepted_moves", "rejected_moves", "invalid_moves"].map(|k| v[k].as_u64().unwrap());
    assert_eq!(moves.iter().sum::<u64>(), 40_000);
    let gap = v["gap_percent"].as_f64().unwrap();
    assert!((gap - (best - 426.0) / 426.0 * 100.0).abs() < 1e-9);
}

#[test]
fn the_same_seed_gives_the_same_result_and_another_seed_another() {
    let run = |seed: &str| {
        let out = kiln(&[
            "run",
            "--problem",
            "tsp",
            "--cities",
            "60",
            "--steps",
            "20000",
            "--seed",
            seed,
            "--json",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        (v["best_energy"].as_f64().unwrap(), v["accepted_moves"].as_u64().unwrap())
    };
    assert_eq!(run("1"), run("1"));
    assert_ne!(run("1"), run("2"));
}

#[test]
fn isomer_run_prints_the_best_smiles_and_the_known_optimum() {
    let out = kiln(&["run", "--formula", "C6H14", "--maximize", "--steps", "20000"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("best smiles  CCCCCC"), "{text}");
    assert!(text.contains("known optimum 35"), "{text}");
}

#[test]
fn svg_flag_writes_a_drawing_of_the_best_state() {
    let dir = scratch("svg");
    let svg = dir.join("best.svg");
    let mut args = SMALL_TSP.to_vec();
    args.extend(["--svg", svg.to_str().unwrap()]);
    assert!(kiln(&args).status.success());
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.contains("viewBox"), "{text}");
}

#[test]
fn bad_arguments_exit_2_naming_the_flag_and_value() {
    for (args, expected) in [
        (vec!["run", "--formula", "C2H7"], "--formula"),
        (vec!["run", "--formula", "Xx3"], "--formula"),
        (
            vec!["run", "--problem", "tsp", "--initial-temp", "-3", "--schedule", "geometric"],
            "--initial-temp",
        ),
        (vec!["run", "--problem", "tsp", "--instance", "atlantis9"], "atlantis9"),
        (vec!["run", "--problem", "tsp", "--cities", "10", "--steps", "0"], "--steps"),
        (vec!["run", "--formula", "C4H10", "--weights", "beauty=1"], "beauty"),
        (vec!["run", "--problem", "tsp", "--tsplib", "/no/such/file.tsp"], "/no/such/file.tsp"),
        (vec!["run", "--problem", "tsp", "--cities", "20000", "--moves", "large"], "--moves"),
        (vec!["run", "--problem", "tsp", "--moves", "huge"], "--moves"),
    ] {
        let out = kiln(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?} should fail: {}", stdout(&out));
        assert!(stderr(&out).contains(expected), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn a_malformed_tsplib_file_is_reported_with_its_line() {
    let dir = scratch("tsplib");
    let path = dir.join("bad.tsp");
    std::fs::write(&path, "NAME: bad\nTYPE: TSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 x1 5\n3 4 4\nEOF\n")
        .unwrap();
    let out = kiln(&["run", "--problem", "tsp", "--tsplib", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("line 7"), "{}", stderr(&out));
}

#[test]
fn every_command_has_help() {
    for args in [vec!["--help"], vec!["run", "--help"], vec!["replay", "--help"], vec!["serve", "--help"]] {
        let out = kiln(&args);
        assert!(out.status.success(), "{args:?}");
        assert!(stdout(&out).contains("Usage: kiln"), "{args:?}: {}", stdout(&out));
    }
}

/// The smallest Wiener index of an alkane: `wiener_min` in the shared oracle table
/// (engine/tests/data/isomers.tsv, computed from hydrogen-suppressed graphs) through
/// C10H22, and 348 for C16H34 (Fischermann et al. 2002; engine/tests/isomer_wiener_minimum.rs
/// also finds it by exhaustive enumeration).
fn wiener_minimum(formula: &str) -> f64 {
    if formula == "C16H34" {
        return 348.0;
    }
    let table = include_str!("../engine/tests/data/isomers.tsv");
    let row = table.lines().find(|l| l.split('\t').next() == Some(formula)).expect("formula in the table");
    row.split('\t').nth(2).and_then(|w| w.parse().ok()).expect("a wiener_min column")
}

#[test]
fn kiln_run_defaults_reach_the_smallest_wiener_index_of_alkanes() {
    for formula in ["C8H18", "C10H22", "C16H34"] {
        let out = kiln(&["run", "--formula", formula, "--json"]);
        assert!(out.status.success(), "{formula}: {}", stderr(&out));
        let summary: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON summary");
        assert_eq!(summary["best_energy"].as_f64(), Some(wiener_minimum(formula)), "{formula}: {summary}");
    }
}

#[test]
fn a_tour_run_says_how_long_it_will_take_before_it_starts() {
    let out = kiln(&["run", "--problem", "tsp", "--instance", "berlin52", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("tsp berlin52") && err.contains("expected to take about"), "{err}");
    let summary: serde_json::Value =
        serde_json::from_str(&stdout(&out)).expect("stdout is only the JSON summary");
    let steps = summary["total_steps"].as_u64().expect("total_steps");
    assert!(err.contains(&format!(", {steps} steps,")), "the announced steps are the run's: {err}");
}

/// ch150's optimal tour length, from TSPLIB's table (shared/data/tsplib/optimal.tsv).
const CH150_OPTIMUM: f64 = 6528.0;

#[test]
fn kiln_run_defaults_reach_the_optimal_ch150_tour_with_large_steps() {
    let out = kiln(&["run", "--problem", "tsp", "--instance", "ch150", "--seed", "1", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("tsp ch150 (large steps)"), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON summary");
    assert_eq!(summary["optimal_energy"].as_f64(), Some(CH150_OPTIMUM), "{summary}");
    assert_eq!(summary["best_energy"].as_f64(), Some(CH150_OPTIMUM), "{summary}");
}

#[test]
fn large_steps_beyond_their_city_limit_name_the_flag_and_the_count() {
    let out = kiln(&["run", "--problem", "tsp", "--cities", "20000", "--moves", "large"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("--moves") && err.contains("20000") && err.contains("large steps"), "{err}");
}

#[test]
fn a_record_of_a_large_step_run_keeps_its_moves_and_replays() {
    let dir = scratch("replay_large_steps");
    let record = dir.join("record.json");
    let out = kiln(&[
        "run",
        "--problem",
        "tsp",
        "--instance",
        "berlin52",
        "--steps",
        "20000",
        "--seed",
        "2",
        "--record",
        record.to_str().unwrap(),
        "--checkpoint-every",
        "1000",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
    assert_eq!(value["problem"]["moves"], "large", "{}", value["problem"]);
    let out = kiln(&["replay", record.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("21 checkpoints match"), "{}", stdout(&out));

    let mut local = value;
    local["problem"].as_object_mut().unwrap().remove("moves");
    let edited = dir.join("local.json");
    std::fs::write(&edited, local.to_string()).unwrap();
    let out = kiln(&["replay", edited.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the same config with local moves is another run: {}",
        stderr(&out)
    );
}

#[test]
fn the_golden_records_replay_through_the_kinds_specs() {
    // berlin52_auto and c7h16_faulon were made before tours had a `moves` choice:
    // their specs name none, and must still rebuild the same runs (local moves)
    // through `kiln replay`; ch150_large pins a run of large steps.
    for name in ["berlin52_auto", "c7h16_faulon", "ch150_large"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}.json"));
        let out = kiln(&["replay", path.to_str().unwrap()]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert!(stdout(&out).contains("checkpoints match"), "{name}: {}", stdout(&out));
    }
}
