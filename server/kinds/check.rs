//! The one check of values against the parameter table: "pick the kind, then check
//! every given value against its row" (unknown names, types, bounds, finiteness),
//! used by configure and the CLI (through `resolve`), by experiments (a plan's
//! parameter sets), and again for a run rebuilt from a stored spec and config
//! (`kiln replay`, a restored session), so a record edited past a bound is refused
//! naming the field, exactly as the request would have been.

use kiln_engine::{AnnealConfig, Batch};
use serde_json::{Map, Value, json};

use super::kind::{Kind, Spec};
use super::param::{Param, ParamError};
use super::registry::Registry;
use super::run::Run;

/// The kind `values` name (`problem`; the registry's first kind when absent).
pub fn pick_kind<'r>(
    registry: &'r Registry,
    values: &Map<String, Value>,
) -> Result<&'r dyn Kind, ParamError> {
    match values.get("problem") {
        None => registry
            .default_kind()
            .ok_or_else(|| ParamError::new("problem", "this server offers no problem kinds")),
        Some(Value::String(name)) => registry.kind(name),
        Some(other) => Err(ParamError::new(
            "problem",
            format!("must be a kind's name (one of {}), not {other}", registry.names().join(", ")),
        )),
    }
}

/// Check every given value of `values` against `kind`'s table (a `null` is refused
/// like any other value of the wrong type: leaving the field out is how to ask for
/// its default); names in `skip` are checked elsewhere. Errors name the field.
pub fn check_values(
    registry: &Registry,
    kind: &dyn Kind,
    values: &Map<String, Value>,
    skip: &[&str],
) -> Result<(), ParamError> {
    let table = registry.rows(kind);
    // A name no kind knows first: a misspelt `problem` leaves the default kind, and
    // the other kind's parameters are not the mistake to report.
    let known_anywhere = |name: &str| {
        table.iter().any(|p| p.name == name)
            || registry.kinds().any(|k| k.parameters().iter().any(|p| p.name == name))
    };
    if let Some(name) = values.keys().find(|name| !skip.contains(&name.as_str()) && !known_anywhere(name)) {
        return Err(unknown(registry, kind.name(), name, &table));
    }
    for (name, value) in values {
        if skip.contains(&name.as_str()) {
            continue;
        }
        let Some(param) = table.iter().find(|p| p.name == name) else {
            return Err(unknown(registry, kind.name(), name, &table));
        };
        param.check(value)?;
    }
    Ok(())
}

/// A config as the table's flat values (`initial_temp`, `num_cycles`, ...); an absent
/// `final_temp` is left out, and a non-finite number is `null`.
pub fn config_values(config: &AnnealConfig) -> Map<String, Value> {
    let mut values = Map::new();
    values.insert("optimization_mode".into(), json!(config.direction));
    values.insert("schedule".into(), json!(config.schedule.name()));
    values.insert("initial_temp".into(), json!(config.initial_temp));
    if let Some(final_temp) = config.final_temp {
        values.insert("final_temp".into(), json!(final_temp));
    }
    values.insert("cooling_schedule_k".into(), json!(config.k));
    values.insert("steps_per_cycle".into(), json!(config.steps_per_cycle));
    values.insert("num_cycles".into(), json!(config.cycles));
    values.insert("seed".into(), json!(config.seed));
    values.insert("generator".into(), json!(config.generator.name()));
    values.insert(
        "batch".into(),
        match config.batch {
            Batch::Auto => json!("auto"),
            Batch::Fixed(n) => json!(n),
        },
    );
    values
}

/// Check a stored config against `kind`'s table, as if it had been given as values.
/// A non-finite number (which JSON cannot carry) is refused too.
pub fn check_config(registry: &Registry, kind: &dyn Kind, config: &AnnealConfig) -> Result<(), ParamError> {
    let values = config_values(config);
    for (name, value) in &values {
        if value.is_null() && matches!(name.as_str(), "initial_temp" | "final_temp" | "cooling_schedule_k") {
            return Err(ParamError::new(name.as_str(), "must be a finite number, not NaN or infinite"));
        }
    }
    // The steps per cycle are bounded for a live session only (a headless run's
    // default may be longer); validity (at least 1) is the config's own check.
    check_values(registry, kind, &values, &["steps_per_cycle"]).map_err(|e| {
        // Name the field as the stored config spells it.
        match config_name(&e.field) {
            Some(stored) => {
                ParamError::new(stored, format!("{} (the table's {}): {}", stored, e.field, e.predicate()))
            }
            None => e,
        }
    })?;
    config.validate().map_err(|e| ParamError::new(e.field, e.message))
}

/// A config field whose name differs from its table row's.
fn config_name(table_name: &str) -> Option<&'static str> {
    match table_name {
        "num_cycles" => Some("cycles"),
        "cooling_schedule_k" => Some("k"),
        "optimization_mode" => Some("direction"),
        _ => None,
    }
}

/// A name not in this kind's table: another kind's parameter, or unknown.
fn unknown(registry: &Registry, kind: &str, name: &str, table: &[Param]) -> ParamError {
    let owner = registry.kinds().find(|k| k.parameters().iter().any(|p| p.name == name));
    match owner {
        Some(other) => {
            ParamError::new(name, format!("applies to problem \"{}\" only, not \"{kind}\"", other.name()))
        }
        None => {
            let known: Vec<&str> = table.iter().map(|p| p.name).collect();
            ParamError::new(name, format!("unknown field \"{name}\"; known fields: {}", known.join(", ")))
        }
    }
}

impl Registry {
    /// [`Registry::run`] for a spec and config read back from a file or the store
    /// (`kiln replay`, a restored session): the config is first checked against the
    /// kind's table ([`check_config`]), so an edited record is refused
    /// naming the field, as the request would have been.
    pub fn run_checked(&self, spec: &Spec, config: kiln_engine::AnnealConfig) -> Result<Run, ParamError> {
        let kind = self.kind(&spec.problem)?;
        check_config(self, kind, &config)?;
        self.run(spec, config)
    }
}
