//! The tasks of an experiment as CSV: one row per task, the parameters as columns,
//! for a spreadsheet, R or pandas (`GET /api/experiments/{id}/tasks.csv`, the
//! experiment page's download, `kiln sweep --csv FILE`).
//!
//! Columns, in order: `task_id`, `group`, `seed`; one column per parameter of the plan
//! (every base and varied name, sorted by name; a value is its JSON text, strings
//! without quotes, and a text of several lines, a whole instance file, is shown as
//! `<N lines>` so rows stay rows); then the task's outcome, named as in its JSON line:
//! `status`, `best_energy`, `best_step`, `steps`, `reached_optimum`, `optimum`,
//! `optimum_step`, `execution_time_ms`, `timestamp`, `error`. An empty cell is JSON's
//! null. Rows come in task id order. Numbers are written as JSON writes them, so a
//! row reads back to exactly the values of its task line.

use std::io::Write;

use serde_json::Value;

use crate::sweep::plan::{Params, Plan};
use crate::sweep::record::TaskRecord;

/// The outcome columns, after the parameters.
pub const OUTCOME_COLUMNS: [&str; 10] = [
    "status",
    "best_energy",
    "best_step",
    "steps",
    "reached_optimum",
    "optimum",
    "optimum_step",
    "execution_time_ms",
    "timestamp",
    "error",
];

/// Write `records` of `plan` as CSV to `out` (header first, rows by task id).
pub fn write_csv(plan: &Plan, records: &[TaskRecord], out: impl Write) -> std::io::Result<()> {
    let mut names: Vec<String> = Vec::new();
    for index in 0..plan.group_count() {
        if let Some(group) = plan.group(index) {
            names.extend(group.params().keys().cloned());
        }
    }
    names.sort();
    names.dedup();
    let mut writer = csv::Writer::from_writer(out);
    let header: Vec<&str> = ["task_id", "group", "seed"]
        .into_iter()
        .chain(names.iter().map(String::as_str))
        .chain(OUTCOME_COLUMNS)
        .collect();
    writer.write_record(&header)?;
    let mut sorted: Vec<&TaskRecord> = records.iter().collect();
    sorted.sort_by_key(|r| r.task_id);
    for r in sorted {
        let params: Params = plan.group(r.group).map(|g| g.params().clone()).unwrap_or_default();
        let mut row = vec![r.task_id.to_string(), r.group.to_string(), r.seed.to_string()];
        row.extend(names.iter().map(|n| params.get(n).map_or_else(String::new, cell)));
        let status = serde_json::to_value(r.status).map(|v| cell(&v)).unwrap_or_default();
        row.push(status);
        row.push(number(r.best_energy));
        row.push(number(r.best_step));
        row.push(number(r.steps));
        row.push(r.reached_optimum.map_or_else(String::new, |b| b.to_string()));
        row.push(number(r.optimum));
        row.push(number(r.optimum_step));
        row.push(Value::from(r.execution_time_ms).to_string());
        row.push(r.timestamp.to_string());
        row.push(r.error.as_ref().map_or_else(String::new, |e| e.to_string()));
        writer.write_record(&row)?;
    }
    writer.flush()
}

/// The tasks as one CSV text.
pub fn csv_text(plan: &Plan, records: &[TaskRecord]) -> String {
    let mut out = Vec::new();
    write_csv(plan, records, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("CSV of UTF-8 values is UTF-8")
}

fn number<T: Into<Value>>(v: Option<T>) -> String {
    v.map_or_else(String::new, |v| v.into().to_string())
}

/// A parameter's cell: its JSON text, a string without quotes, a text of several lines
/// as `<N lines>`.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) if s.contains('\n') => format!("<{} lines>", s.lines().count()),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
