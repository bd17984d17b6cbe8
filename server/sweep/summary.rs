//! The summary of an experiment (the `execution_complete` event and the last line of
//! `kiln sweep`): counts, timing, and per parameter set the spread and distribution of
//! best energies, the success rate against the known optimum (the kind's, or the
//! `optimal_energy` the plan gives), the median steps to reach it and the time to
//! solution ([`crate::sweep::tts`]).
//!
//! Two words kept apart: a task *completed* when it ran to its end (`completed_count`;
//! the others are `error_count`), and it *reached* the optimum when its best energy
//! equals the known one (`reached_count` of `judged_count`, the completed tasks that
//! know an optimum; `success_rate` is their ratio).
//!
//! Everything but the timing fields (`total_execution_time_ms`, `task_time_ms`,
//! `speedup`, `started_at`, `finished_at`) is computed from the task records sorted by
//! id, so it is the same, byte for byte, for any thread count, and for shards merged
//! against one unsharded run.

use serde::{Deserialize, Serialize};

use crate::sweep::plan::{Params, Plan};
use crate::sweep::record::TaskRecord;
use crate::sweep::shard::Shard;
use crate::sweep::tts::TimeToSolution;

/// Min, median and max of some numbers (the median of an even count is the mean of
/// the middle two).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// Smallest.
    pub min: f64,
    /// Middle.
    pub median: f64,
    /// Largest.
    pub max: f64,
}

impl Spread {
    /// The spread of `values`, or `None` if there are none (NaN sorts last).
    pub fn of(mut values: Vec<f64>) -> Option<Spread> {
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let median = if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 };
        Some(Spread { min: values[0], median, max: values[n - 1] })
    }
}

/// The results of one parameter set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSummary {
    /// Its index in the plan.
    pub group: u64,
    /// Its stable key (the varied parameters as compact JSON).
    pub key: String,
    /// The varied parameters.
    pub params: Params,
    /// Tasks of this set that ran.
    pub tasks: u64,
    /// Of which ran to their end.
    #[serde(alias = "success_count")]
    pub completed_count: u64,
    /// Of which failed.
    pub error_count: u64,
    /// Spread of the best energies of the completed tasks.
    pub best_energy: Option<Spread>,
    /// The distribution of those best energies: `[energy, tasks]` pairs, ascending.
    #[serde(default)]
    pub best_energy_counts: Vec<(f64, u64)>,
    /// The known optimum, when every completed task knows the same one.
    pub optimum: Option<f64>,
    /// Completed tasks that know an optimum.
    pub judged_count: u64,
    /// Of which reached it.
    pub reached_count: u64,
    /// `reached_count / judged_count`; null when no task knows an optimum.
    pub success_rate: Option<f64>,
    /// Median first step at the optimum over the tasks that reached it.
    pub median_steps_to_optimum: Option<f64>,
    /// p(s) with its bootstrap interval, TTS99(s) and its minimum; null when no
    /// completed task knows an optimum.
    #[serde(default)]
    pub time_to_solution: Option<TimeToSolution>,
    /// A best-known value that is not a proven optimum (a Gset graph's best-known cut),
    /// when every completed task knows the same one; apart from success.
    #[serde(default)]
    pub best_known: Option<f64>,
    /// Completed tasks that reached the best-known value.
    #[serde(default)]
    pub best_known_count: u64,
    /// `best_known_count` over the completed tasks that know a best-known value; null
    /// when none does.
    #[serde(default)]
    pub best_known_fraction: Option<f64>,
}

/// The summary of an experiment, or of one shard of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// The shard this summarises (absent for a whole experiment, merged or not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// Present and true when the run was stopped (Ctrl-C) before every task ran: the
    /// summary covers the tasks completed so far, and `kiln sweep --resume` finishes it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// Tasks summarised.
    pub total_tasks: u64,
    /// Of which ran to their end.
    #[serde(alias = "success_count")]
    pub completed_count: u64,
    /// Of which failed.
    pub error_count: u64,
    /// Wall time from start to end, in milliseconds (merged shards: from the
    /// earliest start to the latest end).
    pub total_execution_time_ms: f64,
    /// Sum of the task times, in milliseconds.
    pub task_time_ms: f64,
    /// `task_time_ms / total_execution_time_ms`: how many tasks ran at once, on average.
    pub speedup: f64,
    /// Start, in milliseconds since the Unix epoch.
    pub started_at: u64,
    /// End, in milliseconds since the Unix epoch.
    pub finished_at: u64,
    /// One entry per parameter set with at least one task here, in group order.
    pub groups: Vec<GroupSummary>,
}

/// Wall-clock facts of a run, the only inputs of a summary that vary between runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// Wall time in milliseconds.
    pub wall_ms: f64,
    /// Start, in milliseconds since the Unix epoch.
    pub started_at: u64,
    /// End, in milliseconds since the Unix epoch.
    pub finished_at: u64,
}

impl Summary {
    /// Summarise `records` (any order) of `plan`; `task_time_ms` sums the task times
    /// of the tasks run in this wall time (a resumed run's earlier tasks excluded).
    pub fn new(
        plan: &Plan,
        shard: Option<Shard>,
        records: &[TaskRecord],
        task_time_ms: f64,
        timing: Timing,
    ) -> Self {
        let mut sorted: Vec<&TaskRecord> = records.iter().collect();
        sorted.sort_by_key(|r| r.task_id);
        let mut groups: Vec<GroupSummary> = Vec::new();
        let mut by_group: std::collections::BTreeMap<u64, Vec<&TaskRecord>> = Default::default();
        for r in &sorted {
            by_group.entry(r.group).or_default().push(r);
        }
        for (index, tasks) in by_group {
            let Some(group) = plan.group(index) else { continue };
            groups.push(group_summary(index, group.key(), group.varied().clone(), &tasks));
        }
        let completed_count = sorted.iter().filter(|r| r.succeeded()).count() as u64;
        let speedup = if timing.wall_ms > 0.0 { task_time_ms / timing.wall_ms } else { 0.0 };
        Summary {
            shard,
            interrupted: false,
            total_tasks: sorted.len() as u64,
            completed_count,
            error_count: sorted.len() as u64 - completed_count,
            total_execution_time_ms: timing.wall_ms,
            task_time_ms,
            speedup,
            started_at: timing.started_at,
            finished_at: timing.finished_at,
            groups,
        }
    }
}

fn group_summary(group: u64, key: String, params: Params, tasks: &[&TaskRecord]) -> GroupSummary {
    let ok: Vec<&TaskRecord> = tasks.iter().copied().filter(|r| r.succeeded()).collect();
    let best_energy = Spread::of(ok.iter().filter_map(|r| r.best_energy).collect());
    let judged: Vec<&TaskRecord> = ok.iter().copied().filter(|r| r.optimum.is_some()).collect();
    let first_optimum = judged.first().and_then(|r| r.optimum);
    let optimum = first_optimum.filter(|o| judged.iter().all(|r| r.optimum == Some(*o)));
    let reached: Vec<f64> = judged.iter().filter_map(|r| r.optimum_step).map(|s| s as f64).collect();
    let reached_count = reached.len() as u64;
    let success_rate = (!judged.is_empty()).then(|| reached_count as f64 / judged.len() as f64);
    let run_steps = judged.iter().filter_map(|r| r.steps).max().unwrap_or(0);
    let reached_at: Vec<Option<u64>> = judged.iter().map(|r| r.optimum_step).collect();
    let known: Vec<&TaskRecord> = ok.iter().copied().filter(|r| r.best_known.is_some()).collect();
    let best_known_count = known.iter().filter(|r| r.reached_best_known == Some(true)).count() as u64;
    GroupSummary {
        group,
        key,
        params,
        tasks: tasks.len() as u64,
        completed_count: ok.len() as u64,
        error_count: (tasks.len() - ok.len()) as u64,
        best_energy,
        best_energy_counts: counts(ok.iter().filter_map(|r| r.best_energy).collect()),
        optimum,
        judged_count: judged.len() as u64,
        reached_count,
        success_rate,
        median_steps_to_optimum: Spread::of(reached).map(|s| s.median),
        time_to_solution: TimeToSolution::new(group, &reached_at, run_steps),
        best_known: known
            .first()
            .and_then(|r| r.best_known)
            .filter(|b| known.iter().all(|r| r.best_known == Some(*b))),
        best_known_count,
        best_known_fraction: (!known.is_empty()).then(|| best_known_count as f64 / known.len() as f64),
    }
}

/// Each distinct value with how often it occurs, ascending.
fn counts(mut values: Vec<f64>) -> Vec<(f64, u64)> {
    values.sort_by(f64::total_cmp);
    let mut out: Vec<(f64, u64)> = Vec::new();
    for v in values {
        match out.last_mut() {
            Some((last, n)) if *last == v => *n += 1,
            _ => out.push((v, 1)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(Spread::of(vec![4.0, 1.0, 3.0, 2.0]), Some(Spread { min: 1.0, median: 2.5, max: 4.0 }));
        assert_eq!(Spread::of(vec![5.0, 1.0, 3.0]), Some(Spread { min: 1.0, median: 3.0, max: 5.0 }));
        assert_eq!(Spread::of(vec![]), None);
    }
}
