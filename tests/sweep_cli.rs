//! `kiln sweep` and `kiln sweep merge` as a user (or a cluster's job script) calls
//! them: results independent of the thread count, shards merged into exactly the
//! unsharded result, `--shard auto` reading Slurm's and Kubernetes' variables, and
//! bad flags refused with the flag and its value.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// Summary fields that measure time, not results.
const SUMMARY_TIMING: [&str; 5] =
    ["total_execution_time_ms", "task_time_ms", "speedup", "started_at", "finished_at"];
/// Task line fields that measure time.
const TASK_TIMING: [&str; 2] = ["execution_time_ms", "timestamp"];
/// Scheduler variables a test must not inherit from the machine that runs it.
const SCHEDULER_VARS: [&str; 6] = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_STEP",
    "SLURM_CPUS_PER_TASK",
    "JOB_COMPLETION_INDEX",
];

/// C7H16 (9 isomers, least Wiener index 42), two schedules, 6 seeds: 12 short tasks.
const EXPERIMENT: &[&str] = &[
    "sweep",
    "--problem",
    "isomer",
    "--param",
    "formula=C7H16",
    "--vary",
    "schedule=faulon,geometric",
    "--seeds",
    "6",
];

fn kiln(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kiln"));
    command.args(args);
    for var in SCHEDULER_VARS {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    command.output().expect("the kiln binary runs")
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

fn with(extra: &[&str]) -> Vec<String> {
    EXPERIMENT.iter().chain(extra).map(|s| s.to_string()).collect()
}

fn sweep(extra: &[&str], env: &[(&str, &str)]) -> String {
    let args = with(extra);
    ok(kiln(&args.iter().map(String::as_str).collect::<Vec<_>>(), env))
}

/// Task lines (timing removed, sorted by id) and the summary line (timing removed).
fn timeless(text: &str) -> (Vec<String>, String) {
    let mut tasks: Vec<(u64, String)> = Vec::new();
    let mut summary = None;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut v: Value = serde_json::from_str(line).expect("a JSON line");
        let o = v.as_object_mut().unwrap();
        let timing: &[&str] = if o["event"] == "task_complete" { &TASK_TIMING } else { &SUMMARY_TIMING };
        for f in timing {
            assert!(o.remove(*f).is_some(), "{f} in {line}");
        }
        if o["event"] == "task_complete" {
            tasks.push((o["task_id"].as_u64().unwrap(), v.to_string()));
        } else {
            assert!(summary.is_none(), "one summary line");
            summary = Some(v.to_string());
        }
    }
    tasks.sort();
    (tasks.into_iter().map(|(_, l)| l).collect(), summary.expect("a summary line"))
}

fn task_ids(text: &str) -> BTreeSet<u64> {
    text.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["event"] == "task_complete")
        .map(|v| v["task_id"].as_u64().unwrap())
        .collect()
}

#[test]
fn one_and_two_threads_give_the_same_lines_and_summary() {
    let one = sweep(&["--threads", "1"], &[]);
    let two = sweep(&["--threads", "2"], &[]);
    let (tasks, summary) = timeless(&one);
    assert_eq!(timeless(&two), (tasks.clone(), summary.clone()), "byte for byte, timing aside");
    assert_eq!(tasks.len(), 12);
    let s: Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(s["total_tasks"], 12);
    assert_eq!(s["completed_count"], 12);
    for group in s["groups"].as_array().unwrap() {
        // OEIS A000602 / Wiener tables: the least Wiener index of a C7H16 is 42
        // (2,2,3-trimethylbutane); no run can go below it.
        assert_eq!(group["optimum"], 42.0, "{group}");
        assert!(group["best_energy"]["min"].as_f64().unwrap() >= 42.0, "{group}");
    }
}

#[test]
fn three_shards_merged_equal_one_unsharded_run() {
    let dir = scratch("sweep_cli_merge");
    let whole = sweep(&[], &[]);
    let mut files = Vec::new();
    for i in 0..3 {
        let file = dir.join(format!("shard-{i}.jsonl"));
        let shard = format!("{i}/3");
        let printed = sweep(&["--shard", &shard, "--out", file.to_str().unwrap()], &[]);
        assert!(printed.is_empty(), "--out writes to the file only");
        files.push(file.to_str().unwrap().to_string());
    }
    let mut args = vec!["sweep", "merge"];
    args.extend(files.iter().map(String::as_str));
    let merged = ok(kiln(&args, &[]));
    assert_eq!(timeless(&merged), timeless(&whole));

    // A shard missing is refused, naming what is missing.
    let out = kiln(&["sweep", "merge", &files[0], &files[2]], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("4 of 12 tasks are in no file (the first: 1)"), "{err}");
}

#[test]
fn shard_auto_runs_exactly_the_share_slurm_gives() {
    let slurm = sweep(
        &["--shard", "auto"],
        &[("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_COUNT", "3"), ("SLURM_ARRAY_TASK_MIN", "0")],
    );
    assert_eq!(task_ids(&slurm), BTreeSet::from([2, 5, 8, 11]));
    // An array numbered from 1 (--array=1-3): element 3 is the third shard.
    let from_one = sweep(
        &["--shard", "auto"],
        &[("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "3"), ("SLURM_ARRAY_TASK_MIN", "1")],
    );
    assert_eq!(task_ids(&from_one), BTreeSet::from([2, 5, 8, 11]));
    let k8s = sweep(&["--shard", "auto", "--shard-count", "4"], &[("JOB_COMPLETION_INDEX", "1")]);
    assert_eq!(task_ids(&k8s), BTreeSet::from([1, 5, 9]));
}

/// Extra flags, environment, and the texts the error must contain.
type Case = (&'static [&'static str], &'static [(&'static str, &'static str)], &'static [&'static str]);

#[test]
fn bad_flags_are_refused_naming_the_flag_and_the_value() {
    let cases: &[Case] = &[
        (&["--seeds", "0"], &[], &["--seeds", "0"]),
        (&["--seeds", "1,x"], &[], &["--seeds", "1,x"]),
        (&["--vary", "schedule=faulon,nope"], &[], &["--vary schedule", "nope"]),
        (&["--param", "formula=C4H10", "--problem", "nope"], &[], &["--problem", "nope"]),
        (&["--threads", "999"], &[], &["--threads", "999"]),
        (&["--shard", "3/3"], &[], &["--shard", "3"]),
        (
            &["--shard", "auto"],
            &[("SLURM_ARRAY_TASK_ID", "x"), ("SLURM_ARRAY_TASK_COUNT", "3")],
            &["SLURM_ARRAY_TASK_ID", "\"x\""],
        ),
        (&["--shard", "auto"], &[("JOB_COMPLETION_INDEX", "1")], &["JOB_COMPLETION_INDEX", "auto/N"]),
        (&["--param", "colour=red"], &[], &["--param colour", "colour"]),
        (&["--steps", "0"], &[], &["--steps", "0"]),
    ];
    for (extra, env, needles) in cases {
        // The base experiment's own --vary and --param come first; later flags add to them.
        let mut args: Vec<&str> = vec!["sweep", "--problem", "isomer", "--seeds", "2"];
        if !extra.contains(&"--seeds") {
            args.extend(extra.iter());
        } else {
            args.truncate(3);
            args.extend(extra.iter());
        }
        if extra.contains(&"--problem") {
            args.drain(1..3);
        }
        let out = kiln(&args, env);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        for needle in *needles {
            assert!(err.contains(needle), "{args:?}: {err:?} lacks {needle:?}");
        }
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
    let out = kiln(&["sweep", "--problem", "isomer"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--seeds: missing"));
}
