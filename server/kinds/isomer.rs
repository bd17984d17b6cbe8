//! The isomer kind: constitutional isomers of a molecular formula under Faulon's
//! displacement move (the classroom core). Its parameters are the original app's
//! (`formula`, `component_weights`); a state is drawn as a skeletal formula, and
//! progress carries the canonical SMILES of the current and best molecules and the
//! number of distinct molecules visited.

use std::collections::BTreeMap;

use kiln_engine::problems::isomer::{Component, DistinctIsomers, Isomer, IsomerError, Molecule, Objective};
use kiln_engine::{Annealer, Direction};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::kind::{Built, Captions, Counter, Defaults, Kind, Preset, Spec, Values, View};
use super::param::{Param, ParamError, ParamType};
use super::run::{Ready, StateView};
use crate::render::molecule::{MoleculeDrawing, molecule_svg};

/// The formula an isomer run uses when none is named.
pub const DEFAULT_FORMULA: &str = "C8H18";
/// Longest formula accepted (far above the engine's atom limit).
pub const MAX_FORMULA_LENGTH: usize = 64;
/// Largest weight of an objective component, either sign.
pub const MAX_WEIGHT: f64 = 1_000.0;

/// Constitutional isomers of a formula.
pub struct IsomerKind;

/// An isomer formula and the weights of its objective's components.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IsomerSpec {
    /// Molecular formula, e.g. C8H18.
    pub formula: String,
    /// Component name to weight, e.g. {"wiener_index": 1.0}.
    pub component_weights: BTreeMap<String, f64>,
}

impl IsomerSpec {
    /// The original app's objective: the Wiener index alone.
    pub fn default_weights() -> BTreeMap<String, f64> {
        BTreeMap::from([("wiener_index".to_string(), 1.0)])
    }
}

impl Kind for IsomerKind {
    fn name(&self) -> &'static str {
        "isomer"
    }

    fn label(&self) -> &'static str {
        "Constitutional isomers"
    }

    fn parameters(&self) -> Vec<Param> {
        let components = Component::ALL.iter().map(|c| c.name().to_string()).collect();
        vec![
            Param::new(
                "formula",
                "Formula",
                ParamType::String,
                "Molecular formula, e.g. C8H18; elements C N O S P F Cl Br I, hydrogens implicit.",
            )
            .default_value(DEFAULT_FORMULA)
            .max_length(MAX_FORMULA_LENGTH),
            Param::new(
                "component_weights",
                "Objective",
                ParamType::Weights(components),
                "Weights of the objective's components: Wiener index, Crippen logP (each above 0; leave a component out to ignore it).",
            )
            .default_value(json!(IsomerSpec::default_weights()))
            .range(0.0, MAX_WEIGHT)
            .exclusive_min()
            .cli_aliases(&["weights", "objective"]),
        ]
    }

    fn presets(&self) -> Vec<Preset> {
        [
            ("hexane", "Hexane C6H14", "C6H14"),
            ("octane", "Octane C8H18", "C8H18"),
            ("xylenes", "C8H10", "C8H10"),
            ("decane", "Decane C10H22", "C10H22"),
            ("monoterpenes", "Monoterpenes C10H16", "C10H16"),
            ("naphthalene", "C10H8", "C10H8"),
            ("ethanol", "Ethanol / dimethyl ether C2H6O", "C2H6O"),
            ("acetone", "Acetone / propanal C3H6O", "C3H6O"),
        ]
        .iter()
        .map(|(name, label, formula)| Preset::new(*name, *label, json!({ "formula": formula })))
        .collect()
    }

    fn view(&self) -> View {
        View {
            state_noun: "molecule",
            counters: vec![
                Counter { field: "disconnected_moves", label: "disconnected" },
                Counter { field: "distinct_isomers", label: "distinct isomers" },
            ],
            captions: Some(Captions { current: "current_smiles", best: "best_smiles", prefix: "" }),
        }
    }

    fn spec(&self, values: &Values) -> Result<Spec, ParamError> {
        let formula = values.str("formula").unwrap_or(DEFAULT_FORMULA).to_string();
        let component_weights = match values.get("component_weights") {
            Some(v) => serde_json::from_value(v.clone())
                .map_err(|e| ParamError::new("component_weights", e.to_string()))?,
            None => IsomerSpec::default_weights(),
        };
        Ok(Spec::of(self.name(), &IsomerSpec { formula, component_weights }))
    }

    fn build(&self, spec: &Spec) -> Result<Box<dyn Built>, ParamError> {
        let spec: IsomerSpec = spec.read()?;
        let error = |e: IsomerError| ParamError::new(e.field(), e.to_string());
        let weights: Vec<(String, f64)> = spec.component_weights.into_iter().collect();
        let objective = Objective::from_weights(&weights).map_err(error)?;
        let isomer = Isomer::new(&spec.formula, objective).map_err(error)?;
        let view = IsomerView { problem: isomer.clone(), distinct: DistinctIsomers::new() };
        // Headless runs get a budget sized to the formula (enough to reach the known
        // Wiener minimum of alkanes through C16H34); the page keeps the classroom's.
        let sized = isomer.headless_config(0, Direction::Minimize);
        let headless = Defaults {
            schedule: sized.schedule,
            steps_per_cycle: sized.steps_per_cycle,
            cycles: sized.cycles,
            ..Defaults::default()
        };
        Ok(Ready::new(isomer, view, Defaults::default()).headless(headless))
    }

    fn describe(&self, spec: &Spec) -> String {
        match spec.read::<IsomerSpec>() {
            Ok(s) => {
                let weights: Vec<String> =
                    s.component_weights.iter().map(|(n, w)| format!("{n}={w}")).collect();
                format!("isomer {} ({})", s.formula, weights.join(","))
            }
            Err(_) => "isomer".into(),
        }
    }
}

/// What an isomer run shows: SMILES names and the set of molecules visited.
struct IsomerView {
    /// A copy of the problem, so accepted molecules can be named while the annealer
    /// is borrowed mutably.
    problem: Isomer,
    distinct: DistinctIsomers,
}

impl StateView<Isomer> for IsomerView {
    const OBSERVES: bool = true;

    fn restart(&mut self, _problem: &Isomer, state: &Molecule) {
        self.distinct = DistinctIsomers::new();
        self.distinct.observe(&self.problem, state);
    }

    fn observe(&mut self, state: &Molecule) {
        self.distinct.observe(&self.problem, state);
    }

    fn draw(&self, _problem: &Isomer, state: &Molecule) -> String {
        molecule_svg(&MoleculeDrawing::from(state))
    }

    fn extra(&self, sa: &Annealer<Isomer>) -> Map<String, Value> {
        let mut extra = Map::new();
        extra.insert("best_smiles".into(), json!(self.problem.canonical_smiles(sa.best_state())));
        extra.insert("current_smiles".into(), json!(self.problem.canonical_smiles(sa.state())));
        extra.insert("distinct_isomers".into(), json!(self.distinct.count()));
        extra
    }

    fn optimum(&self, sa: &Annealer<Isomer>) -> Option<f64> {
        self.problem.known_optimum(sa.config().direction)
    }
}

#[cfg(test)]
mod tests {
    use kiln_engine::AnnealConfig;

    use super::*;
    use crate::kinds::run::Run;

    #[test]
    fn isomer_progress_names_molecules_and_counts_disconnected_moves() {
        let spec = IsomerKind.spec(&Values::default()).unwrap();
        let inner = IsomerKind
            .build(&Spec {
                fields: Spec::of(
                    "isomer",
                    &IsomerSpec { formula: "C6H14".into(), component_weights: IsomerSpec::default_weights() },
                )
                .fields,
                ..spec
            })
            .unwrap()
            .start(AnnealConfig::default())
            .unwrap();
        let mut run = Run::new("isomer", inner);
        run.run(2_000);
        let p = run.progress();
        assert!(p.extra["best_smiles"].is_string() && p.extra["current_smiles"].is_string());
        let distinct = p.extra["distinct_isomers"].as_u64().unwrap();
        assert!((1..=5).contains(&distinct), "hexane has 5 isomers: {p:?}");
        assert!(p.extra["disconnected_moves"].is_u64());
        assert_eq!(p.optimal_energy, Some(28.0), "the Wiener minimum of hexane (2,2-dimethylbutane)");
        assert!(run.current_svg().starts_with("<svg"));
    }
}
