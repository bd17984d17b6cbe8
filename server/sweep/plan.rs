//! The experiment plan: base parameters, a grid of varied values and a list of
//! seeds, read from JSON, checked, and numbered into tasks.
//!
//! ```json
//! {"base": {"problem": "<kind>", "steps_per_cycle": 2000},
//!  "vary": {"schedule": ["faulon", "geometric"]},
//!  "seeds": 20}
//! ```
//!
//! `seeds` is a count (`20`: seeds 0..20), a count from a first seed
//! (`{"count": 20, "start": 1000}`) or a list (`[3, 7, 11]`). `vary` is optional (one
//! parameter set), `base` too (the kind's defaults).
//!
//! **Numbering.** The grid's parameter sets ("groups") are numbered like an odometer
//! over the `vary` keys in sorted order, the last key turning fastest, each key's values
//! in the order given. Task `id` is `seed_index * groups + group`: seed-major, so an
//! experiment streamed live fills in every parameter set side by side instead of one
//! after the other, and a shard (`I, I+N, ...`) gets a mix of all of them. The numbering
//! depends only on the plan, so task ids and group keys are stable across runs, thread
//! counts, shards and restarts.
//!
//! Parsing never expands the grid: the task count is computed first (in `u128`) and
//! checked against [`PlanLimits`], and a group's parameters are built on demand, so a
//! hostile plan costs time proportional to its own size. The total step count needs the
//! kind and is checked by `Experiment::new`.

use serde_json::{Map, Value};

/// Flat parameters of one run, as the kind reads them (without the seed).
pub type Params = Map<String, Value>;

/// The parameter a task's seed is passed as; it may not appear in `base` or `vary`.
pub const SEED_FIELD: &str = "seed";

/// How large an experiment may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanLimits {
    /// Most tasks (parameter sets x seeds).
    pub max_tasks: u64,
    /// Most steps over all tasks, from the kind's step count of each parameter set.
    pub max_total_steps: u64,
}

impl Default for PlanLimits {
    /// 10,000 tasks and 10^11 steps in all: a classroom's "3 schedules x 20 seeds" is
    /// 60 tasks; 10^11 steps are some tens of minutes of a 2-core machine at typical
    /// step rates, the most a shared server should give one experiment.
    fn default() -> Self {
        Self { max_tasks: 10_000, max_total_steps: 100_000_000_000 }
    }
}

impl PlanLimits {
    /// No limit: for reading a plan back from files (`merge`), which checks the task
    /// count against the task lines it has before building anything.
    pub fn unbounded() -> Self {
        Self { max_tasks: u64::MAX, max_total_steps: u64::MAX }
    }
}

/// A plan that cannot run; `field` names the part as the user wrote it
/// (`seeds`, `vary.schedule`, `base.steps`), `message` says what is wrong with which value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct PlanError {
    field: String,
    message: String,
}

impl PlanError {
    /// An error about `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }

    /// The field at fault, as the user spelled it (`vary.schedule`).
    pub fn field(&self) -> &str {
        &self.field
    }

    /// What is wrong, with the value.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// The seeds of every parameter set.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seeds {
    /// `start, start + 1, ..., start + count - 1`.
    Range { start: u64, count: u64 },
    /// Exactly these, in this order.
    List(Vec<u64>),
}

impl Seeds {
    fn len(&self) -> u64 {
        match self {
            Seeds::Range { count, .. } => *count,
            Seeds::List(list) => list.len() as u64,
        }
    }

    fn get(&self, index: u64) -> u64 {
        match self {
            Seeds::Range { start, .. } => start + index,
            Seeds::List(list) => list[index as usize],
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Seeds::Range { start: 0, count } => Value::from(*count),
            Seeds::Range { start, count } => serde_json::json!({"count": count, "start": start}),
            Seeds::List(list) => Value::from(list.clone()),
        }
    }
}

/// One parameter set of the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    index: u64,
    varied: Params,
    params: Params,
}

impl Group {
    /// Its number, 0-based, in odometer order.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The varied parameters only, e.g. `{"schedule": "faulon"}`.
    pub fn varied(&self) -> &Params {
        &self.varied
    }

    /// The stable key: the varied parameters as compact JSON with sorted keys
    /// (`{"schedule":"faulon"}`; `{}` for a plan without `vary`).
    pub fn key(&self) -> String {
        Value::Object(self.varied.clone()).to_string()
    }

    /// Base parameters overridden by the varied ones: what a task runs with (plus its seed).
    pub fn params(&self) -> &Params {
        &self.params
    }
}

/// One task: a parameter set and a seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskRef {
    /// Stable id, 0-based: `seed_index * groups + group`.
    pub id: u64,
    /// The parameter set's index.
    pub group: u64,
    /// The seed.
    pub seed: u64,
}

/// A checked experiment plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    base: Params,
    /// Sorted by key; each list non-empty and free of repeats.
    vary: Vec<(String, Vec<Value>)>,
    seeds: Seeds,
    groups: u64,
}

impl Plan {
    /// Read and check a plan; errors name the field and the value. Never expands the grid.
    pub fn parse(value: &Value, limits: &PlanLimits) -> Result<Plan, PlanError> {
        let Some(object) = value.as_object() else {
            return Err(PlanError::new(
                "experiment",
                format!("must be a JSON object with base, vary and seeds, not {}", show(value)),
            ));
        };
        if let Some(key) = object.keys().find(|k| !matches!(k.as_str(), "base" | "vary" | "seeds")) {
            return Err(PlanError::new(key.clone(), "unknown field; an experiment has base, vary and seeds"));
        }
        let base = parse_base(object.get("base"))?;
        let vary = parse_vary(object.get("vary"))?;
        let seeds = parse_seeds(object.get("seeds"))?;

        let groups = vary.iter().try_fold(1u128, |n, (_, values)| n.checked_mul(values.len() as u128));
        let tasks = groups.and_then(|g| g.checked_mul(u128::from(seeds.len())));
        let (Some(groups), Some(tasks)) = (groups, tasks) else {
            return Err(PlanError::new("vary", "the grid has more parameter sets than can be counted"));
        };
        if tasks > u128::from(limits.max_tasks) {
            let field = if groups > u128::from(limits.max_tasks) { "vary" } else { "seeds" };
            return Err(PlanError::new(
                field,
                format!(
                    "{groups} parameter sets x {} seeds is {tasks} tasks, above the limit of {}",
                    seeds.len(),
                    limits.max_tasks
                ),
            ));
        }
        Ok(Plan { base, vary, seeds, groups: groups as u64 })
    }

    /// Number of parameter sets.
    pub fn group_count(&self) -> u64 {
        self.groups
    }

    /// Number of seeds per parameter set.
    pub fn seed_count(&self) -> u64 {
        self.seeds.len()
    }

    /// Number of tasks: parameter sets x seeds.
    pub fn task_count(&self) -> u64 {
        self.groups * self.seeds.len()
    }

    /// Parameter set `index` (below [`Plan::group_count`]), built on demand.
    pub fn group(&self, index: u64) -> Option<Group> {
        if index >= self.groups {
            return None;
        }
        let mut digits = vec![0usize; self.vary.len()];
        let mut rest = index;
        for (digit, (_, values)) in digits.iter_mut().zip(&self.vary).rev() {
            let n = values.len() as u64;
            *digit = (rest % n) as usize;
            rest /= n;
        }
        // Inserted in sorted key order, so the maps are the same whatever serde_json's
        // map type keeps (sorted, or insertion order with `preserve_order`).
        let varied: Params =
            self.vary.iter().zip(digits).map(|((key, values), d)| (key.clone(), values[d].clone())).collect();
        let mut merged: std::collections::BTreeMap<String, Value> =
            self.base.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        merged.extend(varied.iter().map(|(k, v)| (k.clone(), v.clone())));
        Some(Group { index, varied, params: merged.into_iter().collect() })
    }

    /// Task `id` (below [`Plan::task_count`]).
    pub fn task(&self, id: u64) -> Option<TaskRef> {
        if id >= self.task_count() {
            return None;
        }
        Some(TaskRef { id, group: id % self.groups, seed: self.seeds.get(id / self.groups) })
    }

    /// All tasks in id order.
    pub fn tasks(&self) -> impl Iterator<Item = TaskRef> + '_ {
        (0..self.task_count()).filter_map(|id| self.task(id))
    }

    /// Whether `field` is one of the varied parameters.
    pub fn varies(&self, field: &str) -> bool {
        self.vary.iter().any(|(key, _)| key == field)
    }

    /// The plan in its canonical JSON form (sorted keys, `seeds` as a count when it
    /// starts at 0): equal plans give equal text, which is how `merge` matches shards.
    pub fn to_json(&self) -> Value {
        let base: std::collections::BTreeMap<&String, &Value> = self.base.iter().collect();
        let vary: Params = self.vary.iter().map(|(k, v)| (k.clone(), Value::from(v.clone()))).collect();
        serde_json::json!({"base": base, "vary": vary, "seeds": self.seeds.to_json()})
    }
}

fn parse_base(value: Option<&Value>) -> Result<Params, PlanError> {
    let base = match value {
        None | Some(Value::Null) => return Ok(Params::new()),
        Some(Value::Object(base)) => base,
        Some(other) => {
            return Err(PlanError::new(
                "base",
                format!("must be an object of parameters, not {}", show(other)),
            ));
        }
    };
    if let Some(seed) = base.get(SEED_FIELD) {
        return Err(PlanError::new(
            format!("base.{SEED_FIELD}"),
            format!("each task's seed comes from `seeds`; remove {SEED_FIELD} {} from base", show(seed)),
        ));
    }
    Ok(base
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_iter()
        .collect())
}

fn parse_vary(value: Option<&Value>) -> Result<Vec<(String, Vec<Value>)>, PlanError> {
    let vary = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(vary)) => vary,
        Some(other) => {
            return Err(PlanError::new(
                "vary",
                format!("must be an object of parameter -> list of values, not {}", show(other)),
            ));
        }
    };
    let mut out = Vec::with_capacity(vary.len());
    for (key, values) in vary {
        let field = format!("vary.{key}");
        if key.is_empty() {
            return Err(PlanError::new("vary", "a parameter name is empty"));
        }
        if key == SEED_FIELD {
            return Err(PlanError::new(field, "seeds are given by `seeds`, not varied as a parameter"));
        }
        let Some(list) = values.as_array() else {
            return Err(PlanError::new(field, format!("must be a list of values, not {}", show(values))));
        };
        if list.is_empty() {
            return Err(PlanError::new(field, "must list at least one value"));
        }
        for (i, v) in list.iter().enumerate() {
            if list[..i].contains(v) {
                return Err(PlanError::new(
                    format!("{field}[{i}]"),
                    format!("{} is listed twice; each value makes one parameter set", show(v)),
                ));
            }
        }
        out.push((key.clone(), list.clone()));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn parse_seeds(value: Option<&Value>) -> Result<Seeds, PlanError> {
    let count_of = |field: &str, v: &Value| -> Result<u64, PlanError> {
        match v.as_u64() {
            Some(n) if n > 0 => Ok(n),
            _ => Err(PlanError::new(field, format!("must be a count of at least 1, not {}", show(v)))),
        }
    };
    match value {
        None | Some(Value::Null) => Err(PlanError::new(
            "seeds",
            "missing: give a count (20 means seeds 0..19), {\"count\": 20, \"start\": 100}, or a list [1, 2, 3]",
        )),
        Some(v @ Value::Number(_)) => Ok(Seeds::Range { start: 0, count: count_of("seeds", v)? }),
        Some(Value::Object(o)) => {
            if let Some(key) = o.keys().find(|k| !matches!(k.as_str(), "count" | "start")) {
                return Err(PlanError::new(
                    format!("seeds.{key}"),
                    "unknown field; seeds take count and start",
                ));
            }
            let count = count_of("seeds.count", o.get("count").unwrap_or(&Value::Null))?;
            let start = match o.get("start") {
                None => 0,
                Some(v) => v.as_u64().ok_or_else(|| {
                    PlanError::new("seeds.start", format!("must be a whole number from 0, not {}", show(v)))
                })?,
            };
            if start.checked_add(count - 1).is_none() {
                return Err(PlanError::new(
                    "seeds.count",
                    format!("{count} seeds from {start} run past the largest seed {}", u64::MAX),
                ));
            }
            Ok(Seeds::Range { start, count })
        }
        Some(Value::Array(list)) => {
            if list.is_empty() {
                return Err(PlanError::new("seeds", "must list at least one seed"));
            }
            let mut seeds = Vec::with_capacity(list.len());
            for (i, v) in list.iter().enumerate() {
                let seed = v.as_u64().ok_or_else(|| {
                    PlanError::new(
                        format!("seeds[{i}]"),
                        format!("must be a whole number from 0, not {}", show(v)),
                    )
                })?;
                seeds.push(seed);
            }
            let mut sorted = seeds.clone();
            sorted.sort_unstable();
            if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
                let i = seeds.iter().rposition(|&s| s == w[0]).unwrap_or(0);
                return Err(PlanError::new(
                    format!("seeds[{i}]"),
                    format!("seed {} is listed twice; a repeated seed repeats the same run", w[0]),
                ));
            }
            Ok(Seeds::List(seeds))
        }
        Some(other) => Err(PlanError::new(
            "seeds",
            format!("must be a count, {{\"count\", \"start\"}} or a list of seeds, not {}", show(other)),
        )),
    }
}

/// A value for an error message: compact JSON, cut short if long (an uploaded instance file).
pub(crate) fn show(value: &Value) -> String {
    const MAX: usize = 60;
    let text = value.to_string();
    if text.chars().count() <= MAX {
        text
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}...")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(v: Value) -> Result<Plan, PlanError> {
        Plan::parse(&v, &PlanLimits::default())
    }

    #[test]
    fn groups_turn_like_an_odometer_over_sorted_keys() {
        let plan = parse(json!({"vary": {"b": [1, 2, 3], "a": ["x", "y"]}, "seeds": 2})).unwrap();
        assert_eq!(plan.group_count(), 6);
        let keys: Vec<String> = (0..6).map(|i| plan.group(i).unwrap().key()).collect();
        assert_eq!(
            keys,
            [
                r#"{"a":"x","b":1}"#,
                r#"{"a":"x","b":2}"#,
                r#"{"a":"x","b":3}"#,
                r#"{"a":"y","b":1}"#,
                r#"{"a":"y","b":2}"#,
                r#"{"a":"y","b":3}"#
            ]
        );
    }

    #[test]
    fn tasks_are_seed_major() {
        let plan = parse(json!({"vary": {"a": [1, 2]}, "seeds": {"count": 3, "start": 10}})).unwrap();
        let tasks: Vec<(u64, u64)> = plan.tasks().map(|t| (t.group, t.seed)).collect();
        assert_eq!(tasks, [(0, 10), (1, 10), (0, 11), (1, 11), (0, 12), (1, 12)]);
    }

    #[test]
    fn varied_values_override_base() {
        let plan = parse(json!({"base": {"a": 1, "b": 2}, "vary": {"b": [5]}, "seeds": [4]})).unwrap();
        assert_eq!(Value::Object(plan.group(0).unwrap().params().clone()), json!({"a": 1, "b": 5}));
    }

    #[test]
    fn each_bad_plan_names_its_field() {
        let cases = [
            (json!([1]), "experiment"),
            (json!({"seeds": 2, "extra": 1}), "extra"),
            (json!({"base": 3, "seeds": 2}), "base"),
            (json!({"base": {"seed": 3}, "seeds": 2}), "base.seed"),
            (json!({"vary": {"seed": [1]}, "seeds": 2}), "vary.seed"),
            (json!({"vary": {"schedule": "faulon"}, "seeds": 2}), "vary.schedule"),
            (json!({"vary": {"schedule": []}, "seeds": 2}), "vary.schedule"),
            (json!({"vary": {"schedule": ["a", "a"]}, "seeds": 2}), "vary.schedule[1]"),
            (json!({}), "seeds"),
            (json!({"seeds": 0}), "seeds"),
            (json!({"seeds": -3}), "seeds"),
            (json!({"seeds": 2.5}), "seeds"),
            (json!({"seeds": []}), "seeds"),
            (json!({"seeds": [1, "x"]}), "seeds[1]"),
            (json!({"seeds": [1, 2, 1]}), "seeds[2]"),
            (json!({"seeds": {"count": 0}}), "seeds.count"),
            (json!({"seeds": {"count": 2, "start": -1}}), "seeds.start"),
            (json!({"seeds": {"count": 2, "start": u64::MAX}}), "seeds.count"),
            (json!({"seeds": {"count": 2, "from": 1}}), "seeds.from"),
            (json!({"seeds": 10_001}), "seeds"),
        ];
        for (plan, field) in cases {
            let err = parse(plan.clone()).expect_err(field);
            assert_eq!(err.field(), field, "{plan}: {err}");
        }
    }

    #[test]
    fn a_huge_grid_is_refused_without_being_built() {
        let values: Vec<u32> = (0..1000).collect();
        let vary: Params = (0..12).map(|i| (format!("p{i}"), json!(values))).collect();
        let err = parse(json!({"vary": vary, "seeds": 1})).unwrap_err();
        assert_eq!(err.field(), "vary", "{err}");
    }

    #[test]
    fn canonical_json_matches_for_equal_plans() {
        let a = parse(json!({"seeds": 3, "vary": {"b": [1], "a": [2]}, "base": {"z": 1, "y": 2}})).unwrap();
        let b = parse(json!({"base": {"y": 2, "z": 1}, "vary": {"a": [2], "b": [1]}, "seeds": {"count": 3}}))
            .unwrap();
        assert_eq!(a.to_json().to_string(), b.to_json().to_string());
    }
}
