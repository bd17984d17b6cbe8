//! Black-box tests of what `kiln run` gives out and how it behaves in a pipeline:
//! `best_state` checked against independent oracles per kind (a SMILES parsed here
//! for its Wiener index, a tour's TSPLIB length, a model's energy from its own
//! definition and exhaustive enumeration), `--state-out`, `--record -`, `--time`,
//! `--steps 1e6`, `--quiet`, closed pipes, settings in the JSON, `--version` and
//! completions.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn kiln(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiln")).args(args).output().expect("the kiln binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json_of(args: &[&str]) -> Value {
    let out = kiln(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("--json prints JSON")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The Wiener index of an acyclic all-carbon SMILES with branches (an alkane's
/// skeleton: `C`, `(`, `)` only), by breadth-first search over the tree it spells.
fn alkane_wiener(smiles: &str) -> u64 {
    let mut adj: Vec<Vec<usize>> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut prev: Option<usize> = None;
    for c in smiles.chars() {
        match c {
            'C' => {
                let atom = adj.len();
                adj.push(Vec::new());
                if let Some(p) = prev {
                    adj[p].push(atom);
                    adj[atom].push(p);
                }
                prev = Some(atom);
            }
            '(' => stack.push(prev.expect("a branch follows an atom")),
            ')' => prev = stack.pop(),
            other => panic!("not an alkane skeleton: {other:?} in {smiles}"),
        }
    }
    let mut total = 0u64;
    for start in 0..adj.len() {
        let mut dist = vec![u64::MAX; adj.len()];
        dist[start] = 0;
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(a) = queue.pop_front() {
            for &b in &adj[a] {
                if dist[b] == u64::MAX {
                    dist[b] = dist[a] + 1;
                    queue.push_back(b);
                }
            }
        }
        total += dist.iter().sum::<u64>();
    }
    total / 2
}

#[test]
fn an_isomer_best_state_is_smiles_whose_wiener_index_is_the_best_energy() {
    let result = json_of(&["run", "--problem", "isomer", "--formula", "C9H20", "--steps", "4000", "--json"]);
    let smiles = result["best_state"].as_str().expect("SMILES");
    assert_eq!(smiles.matches('C').count(), 9, "{smiles}");
    assert_eq!(alkane_wiener(smiles) as f64, result["best_energy"].as_f64().unwrap(), "{smiles}");
}

#[test]
fn a_tour_best_state_is_a_permutation_whose_tsplib_length_is_the_best_energy() {
    let dir = scratch("tour_state");
    // Twelve cities on a deterministic scatter; the oracle is TSPLIB's nint distance.
    let cities: Vec<(f64, f64)> =
        (0..12).map(|i| (((i * 37) % 101) as f64 * 1.7, ((i * 59) % 97) as f64 * 2.3)).collect();
    let mut text = String::from(
        "NAME: twelve\nTYPE: TSP\nDIMENSION: 12\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n",
    );
    for (i, (x, y)) in cities.iter().enumerate() {
        text += &format!("{} {x} {y}\n", i + 1);
    }
    text += "EOF\n";
    let file = dir.join("twelve.tsp");
    std::fs::write(&file, text).unwrap();
    let state_file = dir.join("best.json");
    let result = json_of(&[
        "run",
        "--problem",
        "tsp",
        "--tsplib",
        file.to_str().unwrap(),
        "--steps",
        "20000",
        "--json",
        "--state-out",
        state_file.to_str().unwrap(),
    ]);
    let tour: Vec<usize> =
        result["best_state"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
    let mut sorted = tour.clone();
    sorted.sort();
    assert_eq!(sorted, (0..12).collect::<Vec<_>>());
    let length: f64 = (0..12)
        .map(|k| {
            let (a, b) = (cities[tour[k]], cities[tour[(k + 1) % 12]]);
            ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt().round()
        })
        .sum();
    assert_eq!(length, result["best_energy"].as_f64().unwrap());
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&state_file).unwrap()).unwrap();
    assert_eq!(saved["best_state"], result["best_state"]);
    assert_eq!(saved["best_energy"], result["best_energy"]);
    assert_eq!(saved["problem"], "tsp");
}

/// A 12-spin model with decimal couplings and fields, in the text format.
fn small_model() -> (String, Vec<(usize, usize, f64)>, Vec<f64>) {
    let n = 12;
    let mut edges = Vec::new();
    for i in 0..n {
        for j in [(i + 1) % n, (i + 5) % n] {
            if i < j {
                let w = [0.5, -1.25, 0.75, -0.3, 1.1][(i * 7 + j) % 5];
                edges.push((i, j, w));
            }
        }
    }
    let h: Vec<f64> = (0..n).map(|i| [0.2, -0.45, 0.0, 0.6][i % 4]).collect();
    let mut text = format!("{n} {}\n", edges.len());
    for (i, j, w) in &edges {
        text += &format!("{} {} {w}\n", i + 1, j + 1);
    }
    for (i, v) in h.iter().enumerate() {
        if *v != 0.0 {
            text += &format!("h {} {v}\n", i + 1);
        }
    }
    (text, edges, h)
}

/// E = sum h s + sum J s s, dimod's convention, from the definition.
fn model_energy(edges: &[(usize, usize, f64)], h: &[f64], s: &[i64]) -> f64 {
    let linear: f64 = h.iter().zip(s).map(|(h, &s)| h * s as f64).sum();
    linear + edges.iter().map(|&(i, j, w)| w * (s[i] * s[j]) as f64).sum::<f64>()
}

#[test]
fn a_model_best_state_has_the_reported_energy_and_is_the_exhaustive_ground_state() {
    let dir = scratch("model_state");
    let (text, edges, h) = small_model();
    let file = dir.join("model.txt");
    std::fs::write(&file, &text).unwrap();
    let result = json_of(&["run", "--problem", "magnet", "--graph", file.to_str().unwrap(), "--json"]);
    let spins: Vec<i64> =
        result["best_state"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
    assert_eq!(spins.len(), 12);
    assert!(spins.iter().all(|s| *s == 1 || *s == -1));
    let reported = result["best_model_energy"].as_f64().unwrap();
    assert!((model_energy(&edges, &h, &spins) - reported).abs() < 1e-9, "{reported}");
    // Scaled to hundredths: the engine's own energy is 100 * E.
    assert_eq!(result["energy_scale"], 100.0);
    assert!((result["best_energy"].as_f64().unwrap() / 100.0 - reported).abs() < 1e-9);
    // Exhaustive enumeration of all 4096 states: the same ground energy.
    let ground = (0..1u32 << 12)
        .map(|bits| {
            let s: Vec<i64> = (0..12).map(|i| if bits >> i & 1 == 1 { 1 } else { -1 }).collect();
            model_energy(&edges, &h, &s)
        })
        .fold(f64::INFINITY, f64::min);
    assert!((ground - reported).abs() < 1e-9, "ground {ground}, found {reported}");
}

#[test]
fn a_uniform_field_on_a_model_with_fields_is_refused_naming_the_flag() {
    let dir = scratch("model_field");
    let file = dir.join("model.txt");
    std::fs::write(&file, "3 1\n1 2 0.5\nh 1 1\n").unwrap();
    let out = kiln(&["run", "--problem", "magnet", "--graph", file.to_str().unwrap(), "--field", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--field"), "{}", stderr(&out));
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"type": "BinaryQuadraticModel", "variable_type": "SPIN"}"#).unwrap();
    let out = kiln(&["run", "--problem", "magnet", "--graph", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("linear_biases"), "{}", stderr(&out));
}

#[test]
fn a_dimod_qubo_is_read_and_its_best_bits_have_the_reported_energy() {
    let dir = scratch("qubo_state");
    // x0 + x1 - x2 - 2.5 x0 x1 + 0.75 x1 x2 + 3; the ground state is found by enumeration below.
    let json = r#"{"type": "BinaryQuadraticModel", "version": {"bqm_schema": "3.0.0"}, "use_bytes": false,
      "index_type": "int32", "bias_type": "float64", "num_variables": 3, "num_interactions": 2,
      "variable_labels": ["a", "b", "c"], "variable_type": "BINARY", "offset": 3.0, "info": {},
      "linear_biases": [1.0, 1.0, -1.0], "quadratic_biases": [-2.5, 0.75],
      "quadratic_head": [0, 1], "quadratic_tail": [1, 2]}"#;
    let file = dir.join("qubo.json");
    std::fs::write(&file, json).unwrap();
    let energy = |x: &[f64]| x[0] + x[1] - x[2] - 2.5 * x[0] * x[1] + 0.75 * x[1] * x[2] + 3.0;
    let ground = (0..8u32)
        .map(|b| energy(&[(b & 1) as f64, (b >> 1 & 1) as f64, (b >> 2 & 1) as f64]))
        .fold(f64::INFINITY, f64::min);
    let result = json_of(&["run", "--problem", "magnet", "--graph", file.to_str().unwrap(), "--json"]);
    let bits: Vec<f64> =
        result["best_state"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert!(bits.iter().all(|b| *b == 0.0 || *b == 1.0), "{bits:?}");
    let reported = result["best_model_energy"].as_f64().unwrap();
    assert!((energy(&bits) - reported).abs() < 1e-12);
    assert!((ground - reported).abs() < 1e-12);
}

#[test]
fn a_lattice_best_state_has_the_reported_energy() {
    // An 8 x 8 ferromagnet in field 0.5: E = -sum over the torus's bonds s s - 0.5 sum s.
    let result = json_of(&["run", "--problem", "magnet", "--lattice", "8", "--field", "0.5", "--json"]);
    let s: Vec<i64> = result["best_state"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
    let at = |x: usize, y: usize| s[(y % 8) * 8 + x % 8];
    let mut e = 0.0;
    for y in 0..8 {
        for x in 0..8 {
            e -= (at(x, y) * (at(x + 1, y) + at(x, y + 1))) as f64;
            e -= 0.5 * at(x, y) as f64;
        }
    }
    assert_eq!(e, result["best_energy"].as_f64().unwrap());
}

#[test]
fn closed_pipes_end_the_run_quietly() {
    for lines_read in [0, 1] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kiln"))
            .args(["run", "--problem", "isomer", "--formula", "C8H18", "--steps", "2000"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        if lines_read == 1 {
            // `| head -1`: read one line, then close.
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).unwrap();
            assert!(line.contains("C8H18"), "{line}");
        } else {
            // `| true`: close before anything is written.
            drop(stdout);
        }
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "read {lines_read}: {:?} {}", out.status, stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
}

#[test]
fn record_to_stdout_is_a_record_that_replays() {
    let dir = scratch("record_stdout");
    let out = kiln(&["run", "--problem", "tsp", "--instance", "eil51", "--steps", "20000", "--record", "-"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let record: Value = serde_json::from_slice(&out.stdout).expect("a record on stdout");
    assert_eq!(record["format"], 2);
    assert!(!Path::new("-").exists(), "no file named '-'");
    // The record says what it found and what made it; the tour is a permutation of 51.
    let outcome = &record["outcome"];
    assert!(outcome["kiln_version"].as_str().unwrap().starts_with(env!("CARGO_PKG_VERSION")));
    assert!(outcome["instance"].as_str().unwrap().starts_with("tsp eil51"), "{}", outcome["instance"]);
    assert_eq!(outcome["best_state"].as_array().unwrap().len(), 51);
    assert!(outcome["config"]["resolved_initial_temp"].as_f64().unwrap() > 0.0);
    let file = dir.join("record.json");
    std::fs::write(&file, &out.stdout).unwrap();
    let replay = kiln(&["replay", file.to_str().unwrap()]);
    assert!(replay.status.success(), "{}", stderr(&replay));
    let both = kiln(&["run", "--record", "-", "--json"]);
    assert_eq!(both.status.code(), Some(2));
    assert!(stderr(&both).contains("--record -"), "{}", stderr(&both));
}

#[test]
fn a_time_budget_stops_the_run_and_its_record_replays_to_the_step_reached() {
    let dir = scratch("time_budget");
    let file = dir.join("record.json");
    let result = json_of(&[
        "run",
        "--problem",
        "magnet",
        "--lattice",
        "16",
        "--param",
        "schedule=constant",
        "--initial-temp",
        "2",
        "--time",
        "300ms",
        "--json",
        "--record",
        file.to_str().unwrap(),
    ]);
    assert_eq!(result["stopped_by"], "time");
    let step = result["step"].as_u64().unwrap();
    assert!(step > 0 && step < result["total_steps"].as_u64().unwrap(), "{step}");
    let record: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(record["checkpoints"].as_array().unwrap().last().unwrap()["step"], step);
    let replay = kiln(&["replay", file.to_str().unwrap()]);
    assert!(replay.status.success(), "{}", stderr(&replay));
}

#[test]
fn steps_take_exponent_form_and_a_constant_schedule_needs_no_cycle_arithmetic() {
    let a = json_of(&["run", "--formula", "C7H16", "--steps", "1e4", "--json"]);
    let b = json_of(&["run", "--formula", "C7H16", "--steps", "10000", "--json"]);
    assert_eq!(a["best_state"], b["best_state"]);
    assert_eq!(a["total_steps"], 10000);
    // 1000001 steps at constant T: one cycle, whatever the kind's default cycles.
    let c = json_of(&[
        "run",
        "--formula",
        "C7H16",
        "--param",
        "schedule=constant",
        "--initial-temp",
        "2",
        "--steps",
        "100001",
        "--json",
    ]);
    assert_eq!(c["num_cycles"], 1);
    assert_eq!(c["total_steps"], 100001);
    let zero = kiln(&["run", "--steps", "0"]);
    assert_eq!(zero.status.code(), Some(2));
    assert!(stderr(&zero).contains("--steps: must be at least 1"), "{}", stderr(&zero));
    let odd = kiln(&["run", "--steps", "3"]);
    assert!(!stderr(&odd).contains("use 4 or 4"), "{}", stderr(&odd));
    let half = kiln(&["run", "--steps", "2.5"]);
    assert_eq!(half.status.code(), Some(2));
}

#[test]
fn a_parameter_the_schedule_ignores_is_reported_naming_it() {
    let out = kiln(&["run", "--param", "schedule=auto", "--initial-temp", "10", "--steps", "400", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("does not use --initial-temp"), "{}", stderr(&out));
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["ignored_params"], serde_json::json!(["--initial-temp"]));
    let out =
        kiln(&["run", "--param", "schedule=constant", "--param", "final_temp=1", "--steps", "400", "--json"]);
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["ignored_params"], serde_json::json!(["--param final_temp"]));
    let used = json_of(&[
        "run",
        "--param",
        "schedule=geometric",
        "--initial-temp",
        "10",
        "--steps",
        "400",
        "--json",
    ]);
    assert_eq!(used["ignored_params"], serde_json::json!([]));
}

#[test]
fn the_json_result_carries_its_settings() {
    let r = json_of(&["run", "--formula", "C6H14", "--param", "schedule=auto", "--steps", "4000", "--json"]);
    assert!(r["kiln_version"].as_str().unwrap().starts_with(env!("CARGO_PKG_VERSION")));
    assert!(r["instance"].as_str().unwrap().contains("C6H14"), "{}", r["instance"]);
    assert_eq!(r["spec"]["problem"], "isomer");
    assert_eq!(r["config"]["schedule"], "auto");
    let (t0, t1) = (
        r["config"]["resolved_initial_temp"].as_f64().unwrap(),
        r["config"]["resolved_final_temp"].as_f64().unwrap(),
    );
    assert!(t0 > t1 && t1 > 0.0, "auto's estimated temperatures: {t0} {t1}");
}

#[test]
fn quiet_prints_nothing_and_version_and_completions_work() {
    let out = kiln(&["run", "--formula", "C6H14", "--steps", "400", "--quiet"]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{}", stderr(&out));
    let version = kiln(&["--version"]);
    let text = String::from_utf8_lossy(&version.stdout).into_owned();
    assert!(text.starts_with(&format!("kiln {}", env!("CARGO_PKG_VERSION"))), "{text}");
    let completions = kiln(&["completions", "bash"]);
    assert!(completions.status.success());
    assert!(String::from_utf8_lossy(&completions.stdout).contains("--state-out"));
}
