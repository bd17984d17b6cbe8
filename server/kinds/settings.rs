//! What a result says about its own settings (issue 26): the Kiln version, the
//! instance in one line, the spec that rebuilds the problem and the resolved config
//! with the schedule's temperatures as the run used them. `kiln run --json`, its
//! records and `kiln sweep`'s task lines carry the same object.

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
