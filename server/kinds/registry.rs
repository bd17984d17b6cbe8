//! [`Registry`]: the one list of problem kinds a server offers, and the catalog
//! (`GET /api/problems`) derived from it.
//!
//! [`Registry::builtin`] is the only place that names the built-in kinds. A library
//! user adds their own with [`Registry::with`] (through `kiln::Server::builder().kind(..)`),
//! and gets the page, the stream, `kiln run` and `kiln replay` for it.

use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value, json};

use super::common;
use super::isomer::IsomerKind;
use super::kind::{Defaults, Kind, Scope, Spec, Values};
use super::magnet::MagnetKind;
use super::param::{Param, ParamError};
use super::run::Run;
use super::tsp::TspKind;

/// The problem kinds, in the order the page offers them (the first is the default).
pub struct Registry {
    kinds: Vec<Arc<dyn Kind>>,
    catalog: OnceLock<Value>,
}

impl Registry {
    /// The kinds Kiln ships with.
    pub fn builtin() -> Registry {
        Registry::empty().with(IsomerKind).with(TspKind).with(MagnetKind)
    }

    /// No kinds at all (a server of only user-defined kinds).
    pub fn empty() -> Registry {
        Registry { kinds: Vec::new(), catalog: OnceLock::new() }
    }

    /// With `kind` added at the end, or in place of a kind of the same name.
    pub fn with(mut self, kind: impl Kind) -> Registry {
        let kind: Arc<dyn Kind> = Arc::new(kind);
        match self.kinds.iter().position(|k| k.name() == kind.name()) {
            Some(i) => self.kinds[i] = kind,
            None => self.kinds.push(kind),
        }
        self.catalog = OnceLock::new();
        self
    }

    /// The kind called `name`.
    pub fn get(&self, name: &str) -> Option<&dyn Kind> {
        self.kinds.iter().find(|k| k.name() == name).map(|k| k.as_ref())
    }

    /// The kind called `name`, or a 400 about `problem` listing the known names.
    pub fn kind(&self, name: &str) -> Result<&dyn Kind, ParamError> {
        self.get(name).ok_or_else(|| {
            ParamError::new(
                "problem",
                format!("unknown problem {name:?}; known: {}", self.names().join(", ")),
            )
        })
    }

    /// The default kind (the first).
    pub fn default_kind(&self) -> Option<&dyn Kind> {
        self.kinds.first().map(|k| k.as_ref())
    }

    /// Every kind's name, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.kinds.iter().map(|k| k.name()).collect()
    }

    /// Every kind, in order.
    pub fn kinds(&self) -> impl Iterator<Item = &dyn Kind> {
        self.kinds.iter().map(|k| k.as_ref())
    }

    /// The rows of `kind`'s table: the shared ones (with the engine's schedule
    /// defaults), then the kind's own. Checks and spec defaults read these;
    /// [`Registry::table`] has the kind's schedule defaults too.
    pub fn rows(&self, kind: &dyn Kind) -> Vec<Param> {
        let mut rows = common::parameters(&self.names(), &Defaults::default());
        rows.extend(kind.parameters());
        rows
    }

    /// `values` as `kind`'s [`Kind::spec`] reads them: for a run of `scope`, with the
    /// defaults of its rows at hand (shared ones such as `seed`, and its own), so
    /// that a default lives in its table row and nowhere else. Every caller of
    /// `Kind::spec` (resolve, the catalog, an experiment's check) comes through here.
    pub fn spec_values(&self, kind: &dyn Kind, values: Map<String, Value>, scope: Scope) -> Values {
        Values::new(values).in_scope(scope).with_table(&self.rows(kind))
    }

    /// The full table of `kind`: the shared rows with this kind's defaults, then its own.
    /// Builds the kind's default problem to learn its defaults (blocking, small).
    pub fn table(&self, kind: &dyn Kind) -> Result<Vec<Param>, ParamError> {
        let spec = kind.spec(&self.spec_values(kind, Map::new(), Scope::Session))?;
        let built = kind.build(&spec)?;
        let mut table = common::parameters(&self.names(), &built.defaults());
        let (initial_temp, final_temp) = built.temperatures();
        for row in table.iter_mut() {
            match row.name {
                "initial_temp" => row.default = json!(initial_temp),
                "final_temp" => row.default = json!(final_temp),
                _ => {}
            }
        }
        table[0].default = json!(kind.name());
        table.splice(1..1, kind.parameters());
        Ok(table)
    }

    /// The catalog document of `GET /api/problems`, built once.
    pub fn catalog(&self) -> &Value {
        self.catalog.get_or_init(|| {
            let problems: Vec<Value> = self
                .kinds()
                .map(|kind| {
                    let parameters: Vec<Value> = match self.table(kind) {
                        Ok(table) => {
                            table.iter().filter(|p| p.name != "problem").map(Param::describe).collect()
                        }
                        Err(e) => vec![json!({"error": e.to_string()})],
                    };
                    json!({
                        "name": kind.name(),
                        "label": kind.label(),
                        "parameters": parameters,
                        "presets": kind.presets(),
                        "instances": kind.instances(),
                        "view": kind.view(),
                    })
                })
                .collect();
            json!({ "problems": problems })
        })
    }

    /// A fresh run of a spec (from a replay record) with `config`. Blocking.
    pub fn run(&self, spec: &Spec, config: kiln_engine::AnnealConfig) -> Result<Run, ParamError> {
        let kind = self.kind(&spec.problem)?;
        let inner = kind.build(spec)?.start(config)?;
        Ok(Run::new(kind.name(), inner))
    }

    /// One line naming what a spec anneals.
    pub fn describe(&self, spec: &Spec) -> String {
        match self.get(&spec.problem) {
            Some(kind) => kind.describe(spec),
            None => spec.problem.clone(),
        }
    }
}
