//! `kiln sweep` as a researcher uses it (issues 24 and 26): a known optimum for C12H26
//! (172), a user-given optimum for a file of one's own, `run`'s flags, file parameters
//! as paths, seed ranges, CSV that reads back to the JSON lines, a non-zero exit when
//! every task fails, Ctrl-C then `--resume`, and the Slurm rerun of one array element.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Scheduler variables a test must not inherit from the machine that runs it.
const SCHEDULER_VARS: [&str; 7] = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "SLURM_ARRAY_TASK_STEP",
    "SLURM_CPUS_PER_TASK",
    "JOB_COMPLETION_INDEX",
];
/// Fields that measure time, not results.
const TIMING: [&str; 7] = [
    "execution_time_ms",
    "timestamp",
    "total_execution_time_ms",
    "task_time_ms",
    "speedup",
    "started_at",
    "finished_at",
];

fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kiln"));
    command.arg("sweep").args(args);
    for var in SCHEDULER_VARS {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    command
}

fn kiln(args: &[&str], env: &[(&str, &str)]) -> Output {
    command(args, env).output().expect("the kiln binary runs")
}

fn ok(output: Output) -> String {
    assert!(output.status.success(), "kiln failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn lines(text: &str) -> Vec<Value> {
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn tasks(text: &str) -> Vec<Value> {
    let mut tasks: Vec<Value> = lines(text).into_iter().filter(|v| v["event"] == "task_complete").collect();
    tasks.sort_by_key(|v| v["task_id"].as_u64());
    tasks
}

fn summary(text: &str) -> Value {
    lines(text).into_iter().find(|v| v["event"] == "execution_complete").expect("a summary line")
}

/// Task lines and summary with the timing fields removed, tasks by id.
fn timeless(text: &str) -> (Vec<Value>, Value) {
    let strip = |mut v: Value| {
        for f in TIMING {
            v.as_object_mut().unwrap().remove(f);
        }
        v
    };
    (tasks(text).into_iter().map(strip).collect(), strip(summary(text)))
}

/// Eight cities on the boundary of a 30 x 10 rectangle: every tour is at least the
/// convex hull's perimeter, and walking the boundary achieves it, so the optimum is 80.
const RECTANGLE: &str = "NAME: rectangle8\nTYPE: TSP\nDIMENSION: 8\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n\
1 0 0\n2 10 0\n3 20 0\n4 30 0\n5 30 10\n6 20 10\n7 10 10\n8 0 10\nEOF\n";

#[test]
fn c12h26_is_judged_against_its_wiener_minimum_172() {
    let out = ok(kiln(&["--problem", "isomer", "--param", "formula=C12H26", "--seeds", "2"], &[]));
    // 172: the least Wiener index of a dodecane skeleton (exhaustive enumeration of
    // the 355 alkane trees, OEIS A000602), as issue 24 quotes it.
    for task in tasks(&out) {
        assert_eq!(task["optimum"], 172.0, "{task}");
        assert!(task["best_energy"].as_f64().unwrap() >= 172.0, "{task}");
        assert_eq!(task["reached_optimum"], task["best_energy"] == 172.0, "{task}");
    }
    let group = &summary(&out)["groups"][0];
    assert_eq!(group["optimum"], 172.0);
    assert_eq!(group["judged_count"], 2);
    assert!(group["time_to_solution"].is_object(), "{group}");
}

#[test]
fn csv_rows_read_back_to_the_json_lines() {
    let dir = scratch("sweep_csv");
    let csv_path = dir.join("tasks.csv");
    let out = ok(kiln(
        &[
            "--problem",
            "isomer",
            "--formula",
            "C7H16",
            "--vary",
            "schedule=faulon,geometric",
            "--seeds",
            "3",
            "--csv",
            csv_path.to_str().unwrap(),
        ],
        &[],
    ));
    let json = tasks(&out);
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert!(header.iter().any(|h| h == "schedule") && header.iter().any(|h| h == "formula"), "{header:?}");
    let rows: Vec<BTreeMap<String, String>> = reader
        .records()
        .map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_string)).collect())
        .collect();
    assert_eq!(rows.len(), json.len());
    for (row, task) in rows.iter().zip(&json) {
        for field in
            ["task_id", "seed", "best_energy", "best_step", "steps", "optimum_step", "reached_optimum"]
        {
            let cell: Value = serde_json::from_str(&row[field]).unwrap_or(Value::Null);
            assert_eq!(cell, task[field], "{field} of {row:?}");
        }
        assert_eq!(row["status"], task["status"].as_str().unwrap());
    }
    let schedules: Vec<&str> = rows.iter().map(|r| r["schedule"].as_str()).collect();
    assert_eq!(schedules, ["faulon", "geometric", "faulon", "geometric", "faulon", "geometric"]);
}

#[test]
fn run_flags_mean_the_same_as_param_pairs() {
    let by_flag = ok(kiln(&["--problem", "isomer", "--formula", "C7H16", "--seeds", "2"], &[]));
    let by_param = ok(kiln(&["--problem", "isomer", "--param", "formula=C7H16", "--seeds", "2"], &[]));
    assert_eq!(timeless(&by_flag), timeless(&by_param));
    let twice =
        kiln(&["--problem", "isomer", "--formula", "C7H16", "--param", "formula=C8H18", "--seeds", "2"], &[]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("--formula"));
}

#[test]
fn a_file_parameter_is_a_path_and_a_given_optimum_judges_it() {
    let dir = scratch("sweep_tsplib_path");
    let file = dir.join("rectangle8.tsp");
    std::fs::write(&file, RECTANGLE).unwrap();
    let tsplib = format!("tsplib={}", file.display());
    let out = ok(kiln(&["--problem", "tsp", "--param", &tsplib, "--seeds", "3"], &[]));
    let unjudged = summary(&out);
    assert_eq!(unjudged["completed_count"], 3, "{unjudged}");
    assert_eq!(unjudged["groups"][0]["success_rate"], Value::Null);
    assert!(tasks(&out).iter().all(|t| t["reached_optimum"].is_null()), "not judged: null");

    let judged = ok(kiln(
        &["--problem", "tsp", "--param", &tsplib, "--param", "optimal_energy=80", "--seeds", "3"],
        &[],
    ));
    let group = &summary(&judged)["groups"][0];
    assert_eq!(group["optimum"], 80.0);
    assert_eq!(group["judged_count"], 3);
    // Eight cities: every run finds the boundary tour.
    assert_eq!(group["success_rate"], 1.0, "{group}");
    assert!(group["time_to_solution"]["min_tts99"].is_number(), "{group}");
}

#[test]
fn a_given_optimum_judges_a_spin_glass_and_unjudged_tasks_say_null() {
    // The 16 x 16 glass's exact ground state is -340 (tests/data/ising/README.md).
    let glass = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/ising/glass_open_L16_s1.txt");
    let graph = format!("graph={glass}");
    let base = ["--problem", "magnet", "--param", graph.as_str(), "--seeds", "3"];
    let plain = ok(kiln(&base, &[]));
    assert_eq!(summary(&plain)["groups"][0]["success_rate"], Value::Null);
    assert!(tasks(&plain).iter().all(|t| t["reached_optimum"].is_null() && t["optimum"].is_null()));

    let judged = ok(kiln(&[&base[..], &["--param", "optimal_energy=-340"]].concat(), &[]));
    let group = &summary(&judged)["groups"][0];
    assert_eq!(group["optimum"], -340.0);
    assert_eq!(group["judged_count"], 3);
    let rate = group["success_rate"].as_f64().expect("a success rate");
    let reached = tasks(&judged).iter().filter(|t| t["best_energy"] == -340.0).count();
    assert_eq!(rate, reached as f64 / 3.0);
    for task in tasks(&judged) {
        assert!(
            task["best_energy"].as_f64().unwrap() >= -340.0,
            "no state is below the ground state: {task}"
        );
        assert_eq!(task["reached_optimum"], task["best_energy"] == -340.0);
    }
}

#[test]
fn a_gset_best_known_cut_is_reported_apart_from_success() {
    let out = ok(kiln(&["--problem", "magnet", "--gset", "G1", "--steps", "20000", "--seeds", "2"], &[]));
    // G1's best-known cut, 11624 (Benlic and Hao 2013), is not a proven optimum.
    let group = &summary(&out)["groups"][0];
    assert_eq!(group["best_known"], 11624.0, "{group}");
    assert_eq!(group["optimum"], Value::Null);
    assert_eq!(group["success_rate"], Value::Null, "best known is not success");
    let reached = tasks(&out).iter().filter(|t| t["reached_best_known"] == true).count();
    assert_eq!(group["best_known_count"], reached);
    assert_eq!(group["best_known_fraction"], reached as f64 / 2.0);
    for task in tasks(&out) {
        assert_eq!(task["best_known"], 11624.0);
        assert!(task["reached_best_known"].is_boolean() && task["reached_optimum"].is_null(), "{task}");
    }
}

#[test]
fn a_sweep_whose_tasks_all_fail_exits_non_zero() {
    let dir = scratch("sweep_all_fail");
    let file = dir.join("broken.tsp");
    std::fs::write(&file, "NAME: broken\nthis is not a TSPLIB file\n").unwrap();
    let out =
        kiln(&["--problem", "tsp", "--param", &format!("tsplib={}", file.display()), "--seeds", "2"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(summary(&text)["error_count"], 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("every one of the 2 tasks failed"));
    let missing = kiln(&["--problem", "tsp", "--param", "tsplib=/no/such/file.tsp", "--seeds", "2"], &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/no/such/file.tsp"));
}

#[test]
fn seeds_take_a_range_form() {
    let seeds = |text: &str| -> Vec<u64> {
        let out = ok(kiln(&["--problem", "isomer", "--formula", "C5H12", "--seeds", text], &[]));
        tasks(&out).iter().map(|t| t["seed"].as_u64().unwrap()).collect()
    };
    assert_eq!(seeds("3..6"), [3, 4, 5]);
    assert_eq!(seeds("3..=5"), [3, 4, 5]);
    let empty = kiln(&["--problem", "isomer", "--seeds", "5..5"], &[]);
    assert_eq!(empty.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("--seeds \"5..5\""));
}

/// The experiment of the interrupt and shard tests: 8 short tasks of C10H22.
const EIGHT: &[&str] = &["--problem", "isomer", "--formula", "C10H22", "--seeds", "8", "--threads", "1"];

#[test]
fn ctrl_c_writes_a_partial_summary_and_resume_finishes_it() {
    let dir = scratch("sweep_resume");
    let file = dir.join("run.jsonl");
    let mut args = EIGHT.to_vec();
    args.extend(["--out", file.to_str().unwrap()]);
    let mut child = command(&args, &[]).stderr(Stdio::piped()).spawn().unwrap();
    // Await the first task line, then interrupt as Ctrl-C does.
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::read_to_string(&file).map_or(true, |t| t.lines().count() == 0) {
        assert!(Instant::now() < deadline, "no task finished within a minute");
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let partial = std::fs::read_to_string(&file).unwrap();
    let s = summary(&partial);
    assert_eq!(s["interrupted"], true, "{s}");
    let done = tasks(&partial).len() as u64;
    assert!(done < 8, "interrupted before the end ({done} tasks)");
    assert_eq!(s["total_tasks"], done);

    ok(kiln(&["--resume", file.to_str().unwrap()], &[]));
    let resumed = std::fs::read_to_string(&file).unwrap();
    let whole = ok(kiln(EIGHT, &[]));
    assert_eq!(timeless(&resumed), timeless(&whole), "the resumed file is the uninterrupted run");
    let again = kiln(&["--resume", file.to_str().unwrap()], &[]);
    assert_eq!(again.status.code(), Some(2), "a finished run is not resumed");
}

#[test]
fn a_resubmitted_slurm_element_runs_its_own_shard_and_merges() {
    let dir = scratch("sweep_slurm_rerun");
    let mut files = Vec::new();
    for i in 0..4u32 {
        let file = dir.join(format!("shard-{i}.jsonl"));
        let id = i.to_string();
        // Elements 0, 1 and 3 ran in the array `--array=0-3`; element 2 failed and was
        // resubmitted alone (`sbatch --array=2`), where Slurm sets MIN = MAX = 2, COUNT = 1.
        let env: Vec<(&str, &str)> = if i == 2 {
            vec![
                ("SLURM_ARRAY_TASK_ID", "2"),
                ("SLURM_ARRAY_TASK_MIN", "2"),
                ("SLURM_ARRAY_TASK_MAX", "2"),
                ("SLURM_ARRAY_TASK_COUNT", "1"),
            ]
        } else {
            vec![
                ("SLURM_ARRAY_TASK_ID", &id),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_MAX", "3"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ]
        };
        let mut args = EIGHT.to_vec();
        args.extend(["--shard", "auto/4", "--out", file.to_str().unwrap()]);
        ok(kiln(&args, &env));
        files.push(file.to_str().unwrap().to_string());
    }
    let rerun = std::fs::read_to_string(&files[2]).unwrap();
    assert_eq!(summary(&rerun)["shard"], "2/4");
    let mut args = vec!["merge"];
    args.extend(files.iter().map(String::as_str));
    let merged = ok(kiln(&args, &[]));
    assert_eq!(timeless(&merged), timeless(&ok(kiln(EIGHT, &[]))));
}

#[test]
fn threads_follow_slurm_cpus_per_task() {
    let one = ok(kiln(
        &["--problem", "isomer", "--formula", "C6H14", "--seeds", "4"],
        &[("SLURM_CPUS_PER_TASK", "1")],
    ));
    let two = ok(kiln(
        &["--problem", "isomer", "--formula", "C6H14", "--seeds", "4"],
        &[("SLURM_CPUS_PER_TASK", "2")],
    ));
    assert_eq!(timeless(&one), timeless(&two));
    let bad = kiln(&["--problem", "isomer", "--seeds", "2"], &[("SLURM_CPUS_PER_TASK", "lots")]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("SLURM_CPUS_PER_TASK=\"lots\""));
}

#[test]
fn a_parameter_the_schedule_ignores_is_reported_in_each_task_line() {
    // The docs' own example once gave identical groups: `auto` estimates its own T0.
    let out = ok(kiln(
        &[
            "--problem",
            "isomer",
            "--formula",
            "C6H14",
            "--vary",
            "schedule=auto,geometric",
            "--param",
            "initial_temp=50",
            "--seeds",
            "2",
        ],
        &[],
    ));
    for task in tasks(&out) {
        let expected = if task["settings"]["config"]["schedule"] == "auto" {
            json!(["initial_temp"])
        } else {
            json!([])
        };
        assert_eq!(task["settings"]["ignored_params"], expected, "{task}");
    }
}

#[test]
fn task_lines_carry_their_settings_and_on_request_the_best_state() {
    // A 6 x 6 ferromagnet on a torus: E = -sum over its 72 bonds of s_i s_j (no field).
    let args = ["--problem", "magnet", "--lattice", "6", "--steps", "24000", "--seeds", "0..3"];
    let plain = tasks(&ok(kiln(&args, &[])));
    assert!(plain.iter().all(|t| t.get("best_state").is_none()), "no state unless asked");
    let with_state = tasks(&ok(kiln(&[&args[..], &["--best-state"]].concat(), &[])));
    assert_eq!(with_state.len(), 3);
    for task in &with_state {
        let s: Vec<i64> =
            task["best_state"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
        assert_eq!(s.len(), 36);
        assert!(s.iter().all(|v| *v == 1 || *v == -1));
        let at = |x: usize, y: usize| s[(y % 6) * 6 + x % 6];
        let mut e = 0;
        for y in 0..6 {
            for x in 0..6 {
                e -= at(x, y) * (at(x + 1, y) + at(x, y + 1));
            }
        }
        assert_eq!(e as f64, task["best_energy"].as_f64().unwrap(), "the state's energy is the reported one");
        let settings = &task["settings"];
        let version = settings["kiln_version"].as_str().unwrap();
        assert!(version.starts_with(env!("CARGO_PKG_VERSION")), "{version}");
        assert_eq!(settings["spec"]["problem"], "magnet");
        assert_eq!(settings["config"]["seed"], task["seed"]);
        assert_eq!(settings["config"]["total_steps"], task["steps"]);
    }
    let summary = summary(&ok(kiln(&args, &[])));
    assert!(summary["kiln_version"].as_str().unwrap().starts_with(env!("CARGO_PKG_VERSION")));
}
