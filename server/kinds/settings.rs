//! What a result says about its own settings (issue 26): the Kiln version, the
//! instance in one line, the spec that rebuilds the problem and the resolved config
//! with the schedule's temperatures as the run used them. `kiln run --json`, its
//! records and `kiln sweep`'s task lines carry the same object.
//!
//! Also the one rule of which shared parameters a schedule uses: a parameter given
//! to a schedule that ignores it (say `initial_temp` with `auto`, which estimates its
//! own) is reported by `kiln run`, `kiln sweep` and `POST /api/sa/configure`
//! (`ignored_params`), never silently dropped.

use kiln_engine::AnnealConfig;
use serde_json::{Value, json};

use super::kind::Spec;
use super::registry::Registry;
use super::run::Run;

/// What a result says about its own settings: `kiln_version`, `instance` (one line),
/// `spec` (what rebuilds the problem) and `config` (the resolved config, with the
/// schedule's temperatures as the run used them: `auto`'s as estimated).
pub fn settings(registry: &Registry, spec: &Spec, run: &Run, config: &AnnealConfig) -> Value {
    let mut config_json = serde_json::to_value(config).expect("a config serialises");
    if let (Value::Object(map), Some((t0, t1))) = (&mut config_json, run.temperatures()) {
        map.insert("resolved_initial_temp".into(), json!(t0));
        map.insert("resolved_final_temp".into(), json!(t1));
        map.insert("total_steps".into(), json!(config.total_steps()));
    }
    json!({
        "kiln_version": crate::version::version(),
        "instance": registry.describe(spec),
        "spec": spec,
        "config": config_json,
    })
}

/// Which parameters each schedule reads (the others it would ignore).
const USED_BY_SCHEDULE: [(&str, &[&str]); 3] = [
    ("cooling_schedule_k", &["faulon"]),
    ("final_temp", &["geometric", "linear"]),
    ("initial_temp", &["faulon", "geometric", "linear", "constant"]),
];

/// The first given parameter that `schedule` ignores, if any.
pub fn ignored_by_schedule<'a>(schedule: &str, given: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    given.into_iter().find(|name| {
        USED_BY_SCHEDULE.iter().any(|(param, users)| param == name && !users.contains(&schedule))
    })
}

/// Every parameter among `given` that `schedule` ignores, in the order given.
pub fn ignored_params<'a>(schedule: &str, given: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    given.into_iter().filter(|name| ignored_by_schedule(schedule, [*name]).is_some()).collect()
}
