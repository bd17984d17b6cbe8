//! The magnet as the third problem kind, end to end through the registry: the
//! catalog lists it with its parameters and presets, a live session of the 64 x 64
//! preset streams progress with the lattice drawn, and `kiln run` anneals a 32 x 32
//! ferromagnet to its exact ground state, reports a Gset run's cut against the
//! published best-known one, and reports equilibrium averages of a constant-temperature
//! run that match Onsager's exact solution.
//!
//! Expected values come from outside the code: a periodic L x L ferromagnet has 2N
//! bonds of J = 1, so its ground state is E = -2N (N = L^2); G1's best-known cut,
//! 11624, is the published one (Benlic and Hao 2013, ../shared/data/gset/best_known.tsv).

mod support;

#[path = "../engine/tests/oracles/onsager.rs"]
mod onsager;

use std::process::{Command, Output};

use serde_json::{Value, json};
use support::TestServer;

fn kiln(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiln")).args(args).output().expect("the kiln binary runs")
}

fn param<'a>(problem: &'a Value, name: &str) -> &'a Value {
    problem["parameters"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .unwrap_or_else(|| panic!("no parameter {name} in {problem}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalog_lists_the_magnet_with_its_parameters_and_presets() {
    let server = TestServer::start().await;
    let (status, catalog) = server.get_json("/api/problems").await;
    assert_eq!(status, 200);
    let magnet = catalog["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "magnet")
        .unwrap_or_else(|| panic!("no magnet in {catalog}"));
    let lattice = param(magnet, "lattice");
    assert_eq!((lattice["min"].as_f64(), lattice["max"].as_f64()), (Some(3.0), Some(256.0)));
    assert_eq!(param(magnet, "coupling")["values"], json!(["ferro", "glass"]));
    assert_eq!(param(magnet, "gset")["values"], json!(["G1", "G2", "G3", "G11", "G14", "G22"]));
    assert_eq!(param(magnet, "graph")["type"], "text");
    assert_eq!(param(magnet, "field")["type"], "number");
    // The lattice's own cooling: geometric from T = 3 (above Onsager's T_c = 2.269) to 0.5.
    assert_eq!(param(magnet, "schedule")["default"], "geometric");
    assert_eq!(param(magnet, "initial_temp")["default"], 3.0);
    assert_eq!(param(magnet, "final_temp")["default"], 0.5);
    let labels: Vec<&str> =
        magnet["presets"].as_array().unwrap().iter().map(|p| p["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["Cooling a magnet 64 x 64", "Spin glass 32 x 32", "Max-cut G1"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_64_by_64_preset_streams_progress_with_the_lattice_drawn() {
    let server = TestServer::start().await;
    let (_, catalog) = server.get_json("/api/problems").await;
    let magnet = catalog["problems"].as_array().unwrap().iter().find(|p| p["name"] == "magnet").unwrap();
    let preset =
        magnet["presets"].as_array().unwrap().iter().find(|p| p["label"] == "Cooling a magnet 64 x 64");
    let mut params = preset.expect("the preset")["params"].clone();
    // Ten sweeps of 4,096 spins, a sweep per event, as fast as the stream allows.
    let map = params.as_object_mut().unwrap();
    map.insert("problem".into(), json!("magnet"));
    map.insert("steps_per_cycle".into(), json!(40_960));
    map.insert("num_cycles".into(), json!(1));
    map.insert("steps_per_event".into(), json!(4_096));
    map.insert("max_events_per_sec".into(), json!(60));
    let s = server.configure(params).await;
    assert_eq!(s.body["problem"], "magnet");
    let mut sse = server.stream(&s).await;
    let connected = sse.next_named("connected").await.json();
    let svg = connected["progress"]["current_svg"].as_str().expect("the connected event carries the drawing");
    assert!(svg.starts_with("<svg") && svg.contains(r#"viewBox="0 0 64 64""#), "{svg}");
    assert!(svg.len() < 16 * 1024, "{} bytes", svg.len());
    assert_eq!(server.control(&s, "start").await.0, 200);
    let first = sse.next_named("progress").await.json();
    assert_eq!(first["step"], 4_096);
    let m = first["magnetization"].as_f64().expect("magnetization per spin");
    assert!((-1.0..=1.0).contains(&m), "{m}");
    assert_eq!(first["optimal_energy"], -8192.0, "2 x 4096 bonds of J = 1");
    assert!(first["current_svg"].as_str().is_some_and(|s| s.contains(r#"viewBox="0 0 64 64""#)));
    let complete = sse.next_named("complete").await.json();
    assert_eq!(complete["step"], 40_960);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lattice_outside_the_bounds_is_refused_naming_the_field_and_value() {
    let server = TestServer::start().await;
    let response = server.post_json("/api/sa/configure", &json!({"problem": "magnet", "lattice": 300})).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["field"], "lattice", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("300"), "{body}");
}

#[test]
fn a_32_by_32_ferromagnet_annealed_with_the_defaults_reaches_its_ground_state() {
    let out = kiln(&["run", "--problem", "magnet", "--param", "lattice=32", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    // 1,024 spins, 2,048 bonds of J = 1, all satisfied.
    assert_eq!(v["best_energy"], -2048.0, "{v}");
    assert_eq!(v["optimal_energy"], -2048.0);
    assert_eq!(v["gap_percent"], 0.0);
}

#[test]
fn a_gset_run_prints_the_best_known_cut_and_the_gap() {
    // A short run (100 sweeps of G1's 800 spins): the point is the report, not the cut.
    let out = kiln(&["run", "--problem", "magnet", "--param", "gset=G1", "--steps", "320000", "--seed", "3"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("best known cut 11624"), "{text}");
    let number = |label: &str| -> i64 {
        let line =
            text.lines().find(|l| l.starts_with(label)).unwrap_or_else(|| panic!("no {label} in {text}"));
        line[label.len()..].trim().parse().unwrap()
    };
    let best = number("best cut");
    assert!(best > 0 && best <= 11624, "{text}");
    assert_eq!(number("cut gap"), 11624 - best, "{text}");
}

#[test]
fn a_constant_temperature_run_reports_onsagers_magnetisation_and_energy() {
    // 64 x 64 ferromagnet at T = 2.0 (below T_c = 2.269), every spin up at the start,
    // 2,000 sweeps (8,192,000 steps, random sites); averages over the second half,
    // one sample per sweep.
    let out = kiln(&[
        "run",
        "--problem",
        "magnet",
        "--param",
        "lattice=64",
        "--param",
        "start=up",
        "--param",
        "schedule=constant",
        "--param",
        "initial_temp=2.0",
        "--param",
        "num_cycles=1",
        "--param",
        "seed=2026",
        "--steps",
        "8192000",
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    let m = v["mean_abs_magnetization"].as_f64().unwrap_or_else(|| panic!("no mean |m| in {v}"));
    let e = v["mean_energy_per_spin"].as_f64().unwrap_or_else(|| panic!("no mean E/N in {v}"));
    let (m_exact, e_exact) = (onsager::onsager_magnetization(2.0), onsager::onsager_energy(2.0));
    assert!((m - m_exact).abs() < 0.01, "mean |m| {m} vs Onsager {m_exact}");
    assert!((e - e_exact).abs() < 0.01, "mean E/N {e} vs Onsager {e_exact}");
}

/// A constant-temperature magnet's single step carries `move` with the spin, its
/// local field and the energy change, which for an Ising energy
/// `E = -sum J_ij s_i s_j - h sum s_i` is `2 * s_i * (sum_j J_ij s_j + h)`.
#[test]
fn a_constant_temperature_magnets_single_step_carries_its_move() {
    use kiln::kinds::{Registry, Request, Scope};
    let params = json!({"problem": "magnet", "lattice": 8, "coupling": "glass", "field": 0.5,
                        "schedule": "constant", "initial_temp": 2.0, "steps_per_cycle": 6400,
                        "num_cycles": 1, "seed": 3});
    let request = Request::from_map(params.as_object().unwrap().clone(), Scope::Headless);
    let mut run = Registry::builtin().resolve(&request).expect("a constant-temperature magnet").run;
    for _ in 0..20 {
        run.step().expect("a step");
        let m = run.last_move().expect("every step carries its move");
        let (spin, local) = (m["spin_before"].as_f64().unwrap(), m["local_field"].as_f64().unwrap());
        assert!(spin == 1.0 || spin == -1.0, "{m}");
        assert!(m["site"].as_u64().is_some_and(|s| s < 64), "{m}");
        let delta = m["delta"].as_f64().expect("a flip always has a delta");
        assert!((delta - 2.0 * spin * local).abs() < 1e-9, "delta {delta} = 2 s h for {m}");
    }
}
