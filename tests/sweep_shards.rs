//! Sharding and merging: shards of an experiment, run separately and written as
//! `kiln sweep` writes them, merge into exactly the unsharded result; `--shard auto`
//! runs exactly the share the scheduler's variables give; files that do not make one
//! experiment are refused with the file and task named.

mod support;

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;

use kiln::sweep::{
    Experiment, MergeError, OutputError, PlanLimits, RunOptions, RunOutput, Shard, SweepPool, event_line,
    merge, read_output,
};
use serde_json::{Value, json};
use support::sweep::{SUMMARY_TIMING, TASK_TIMING, TspRunner, plan, without};

fn experiment_json() -> Value {
    json!({"base": {"steps": 5_000}, "vary": {"schedule": ["geometric", "auto"]}, "seeds": {"count": 7, "start": 40}})
}

/// Run `shard` of the experiment and return its output file's text, written line by
/// line as the events arrive.
fn run_to_text(shard: Shard, threads: usize) -> String {
    let experiment = Experiment::new(plan(experiment_json()), TspRunner, &PlanLimits::default()).unwrap();
    let cancel = AtomicBool::new(false);
    let mut text = String::new();
    let options = RunOptions { shard, ..RunOptions::new(&cancel) };
    experiment
        .run(&SweepPool::new(threads).unwrap(), options, |e| {
            if let Some(line) = event_line(experiment.plan(), &e) {
                text.push_str(&line);
                text.push('\n');
            }
        })
        .unwrap();
    text
}

fn read(name: &str, text: &str) -> RunOutput {
    read_output(name, text.as_bytes()).unwrap()
}

/// An output file's lines with timing removed and task lines in id order.
fn timeless_lines(text: &str) -> Vec<String> {
    let mut tasks: Vec<(u64, String)> = Vec::new();
    let mut summary = String::new();
    for line in text.lines() {
        let mut v: Value = serde_json::from_str(line).unwrap();
        let o = v.as_object_mut().unwrap();
        if o["event"] == "task_complete" {
            TASK_TIMING.iter().for_each(|f| assert!(o.remove(*f).is_some()));
            tasks.push((o["task_id"].as_u64().unwrap(), v.to_string()));
        } else {
            SUMMARY_TIMING.iter().for_each(|f| assert!(o.remove(*f).is_some()));
            summary = v.to_string();
        }
    }
    tasks.sort();
    tasks.into_iter().map(|(_, l)| l).chain([summary]).collect()
}

#[test]
fn three_shards_merged_equal_one_unsharded_run() {
    let whole = run_to_text(Shard::whole(), 2);
    let shards: Vec<RunOutput> = (0..3)
        .map(|i| read(&format!("shard-{i}.jsonl"), &run_to_text(Shard::new(i, 3).unwrap(), 1)))
        .collect();
    let merged = merge(shards).unwrap();
    let unsharded = read("whole.jsonl", &whole);
    assert_eq!(
        without(merged.summary(), &SUMMARY_TIMING),
        without(&unsharded.summary, &SUMMARY_TIMING),
        "the merged summary is the unsharded one, byte for byte"
    );
    let mut merged_text = Vec::new();
    merged.write_to(&mut merged_text).unwrap();
    assert_eq!(timeless_lines(&String::from_utf8(merged_text).unwrap()), timeless_lines(&whole));
    assert_eq!(merged.summary().total_tasks, 14);
}

#[test]
fn a_shard_runs_tasks_i_i_plus_n_and_so_on() {
    let out = read("s", &run_to_text(Shard::new(1, 3).unwrap(), 2));
    let mut ids: Vec<u64> = out.records.iter().map(|r| r.task_id).collect();
    ids.sort();
    assert_eq!(ids, [1, 4, 7, 10, 13]);
    assert_eq!(out.summary.shard, Some(Shard::new(1, 3).unwrap()));
    assert_eq!(out.summary.total_tasks, 5);
}

#[test]
fn shard_auto_under_a_slurm_array_runs_exactly_its_share() {
    // `sbatch --array=1-4`: the third element has ID 3, MIN 1, COUNT 4 -> shard 2/4.
    let vars: HashMap<&str, &str> =
        [("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "4")].into();
    let shard = Shard::from_arg("auto", |name| vars.get(name).map(|v| v.to_string())).unwrap();
    let out = read("s", &run_to_text(shard, 2));
    let mut ids: Vec<u64> = out.records.iter().map(|r| r.task_id).collect();
    ids.sort();
    assert_eq!(ids, [2, 6, 10]);
}

fn three_shard_outputs() -> Vec<RunOutput> {
    (0..3).map(|i| read(&format!("shard-{i}"), &run_to_text(Shard::new(i, 3).unwrap(), 2))).collect()
}

#[test]
fn merge_names_a_missing_shard() {
    let mut shards = three_shard_outputs();
    shards.remove(1);
    let err = merge(shards).unwrap_err();
    assert_eq!(err, MergeError::Missing { missing: 5, total: 14, first: 1 });
}

#[test]
fn merge_names_a_task_given_twice() {
    let mut shards = three_shard_outputs();
    let again = RunOutput { name: "copy".into(), ..shards[2].clone() };
    shards.push(again);
    let err = merge(shards).unwrap_err();
    assert!(
        matches!(&err, MergeError::Duplicate { task_id, first, second }
            if task_id % 3 == 2 && first == "shard-2" && second == "copy"),
        "{err}"
    );
}

#[test]
fn merge_refuses_shards_of_different_plans() {
    let mut shards = three_shard_outputs();
    shards[2].plan["seeds"] = json!(8);
    let err = merge(shards).unwrap_err();
    assert_eq!(err, MergeError::PlanMismatch { first: "shard-0".into(), other: "shard-2".into() });
}

#[test]
fn a_file_without_its_summary_line_is_unfinished() {
    let text = run_to_text(Shard::new(0, 3).unwrap(), 2);
    let cut: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
    let err = read_output("cut.jsonl", cut.as_bytes()).unwrap_err();
    assert!(matches!(err, OutputError::Unfinished(ref n) if n == "cut.jsonl"), "{err}");
}

#[test]
fn a_bad_line_is_named_by_file_and_line() {
    let text = run_to_text(Shard::new(0, 3).unwrap(), 2);
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1] = "{\"event\": \"task_complete\", \"task_id\": \"two\"}";
    let err = read_output("bad.jsonl", lines.join("\n").as_bytes()).unwrap_err();
    assert!(err.to_string().starts_with("bad.jsonl line 2: task_complete:"), "{err}");
}
