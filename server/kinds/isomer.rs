//! The isomer kind: constitutional isomers of a molecular formula under Faulon's
//! displacement move (the classroom core). Its parameters are the original app's
//! (`formula`, `component_weights`); a state is drawn as a skeletal formula, and
//! progress carries the canonical SMILES of the current and best molecules and the
//! number of distinct molecules visited.
//!
//! The classroom default schedule: geometric cooling from T0 = 20 to T1 = 0.5 over
//! each of 4 cycles of 1,000 steps. The temperature is then visibly above its floor
//! for most of each cycle (Faulon's k = 8 over 500 steps floors T at step 63 of
//! 500, so 87% of a run sat at T0 / 1000), and the default seed still reaches the
//! Wiener minimum of every alkane C5 to C9 (tests below, values from
//! /work/shared/data/isomers.tsv). Faulon's original parameters are the `faulon`
//! preset.

use std::collections::BTreeMap;

use kiln_engine::problems::isomer::displacement::MoveAtom;
use kiln_engine::problems::isomer::{
    Component, DISCONNECTED, DistinctIsomers, Isomer, IsomerError, Molecule, Objective,
};
use kiln_engine::{AnnealConfig, Annealer, Direction, Proposal, ScheduleKind, StepView, Verdict};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::kind::{Built, Captions, Counter, Defaults, Kind, Preset, Spec, Values, View};
use super::param::{Param, ParamError, ParamType};
use super::run::{Anneal, Ready, StateView};
use crate::render::molecule::{MoleculeDrawing, canonical_numbers, molecule_svg};

/// The formula an isomer run uses when none is named.
pub const DEFAULT_FORMULA: &str = "C8H18";
/// Longest formula accepted (far above the engine's atom limit).
pub const MAX_FORMULA_LENGTH: usize = 64;
/// Largest weight of an objective component, either sign.
pub const MAX_WEIGHT: f64 = 1_000.0;
/// The classroom schedule's start temperature.
pub const CLASS_T0: f64 = 20.0;
/// The classroom schedule's end temperature (each cycle's floor).
pub const CLASS_T1: f64 = 0.5;
/// The classroom schedule's steps per cycle.
pub const CLASS_STEPS_PER_CYCLE: u64 = 1_000;
/// The classroom schedule's cycles.
pub const CLASS_CYCLES: u64 = 4;

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
            .value_labels(COMPONENT_LABELS)
            .range(0.0, MAX_WEIGHT)
            .exclusive_min()
            .cli_aliases(&["weights", "objective"]),
        ]
    }

    /// Names say what the default objective (the smallest Wiener index: the most
    /// compact skeleton) shows for each formula; none promises a molecule it never
    /// reaches (C8H10 and C10H8 end at strained cages, not xylenes or naphthalene).
    fn presets(&self) -> Vec<Preset> {
        let mut presets: Vec<Preset> = [
            ("hexane-branching", "C6H14: hexane branches to 2,2-dimethylbutane", "C6H14"),
            ("octane-branching", "C8H18: octane branches to the most compact octane", "C8H18"),
            ("decane-branching", "C10H22: decane isomers, most compact wins", "C10H22"),
            ("c8h10-cages", "C8H10: rings and cages (most compact skeleton)", "C8H10"),
            ("c10h16-cages", "C10H16: rings and cages (most compact skeleton)", "C10H16"),
            ("c10h8-cages", "C10H8: polycyclic cages (most compact skeleton)", "C10H8"),
            ("c2h6o-hydrogen-moves", "C2H6O: ethanol and dimethyl ether, hydrogens move", "C2H6O"),
            ("c3h6o-carbonyls-and-rings", "C3H6O: acetone, propanal, enols and rings", "C3H6O"),
        ]
        .iter()
        .map(|(name, label, formula)| Preset::new(*name, *label, json!({ "formula": formula })))
        .collect();
        let faulon = AnnealConfig::default();
        presets.push(Preset::new(
            "faulon-original",
            "C8H18 with Faulon's original schedule (T0 100, k 8, 4 x 500 steps)",
            json!({
                "formula": DEFAULT_FORMULA,
                "schedule": ScheduleKind::Faulon.name(),
                "initial_temp": faulon.initial_temp,
                "cooling_schedule_k": faulon.k,
                "steps_per_cycle": faulon.steps_per_cycle,
                "num_cycles": faulon.cycles,
            }),
        ));
        presets
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
        let formula = values.required_str("formula")?.to_string();
        let component_weights = serde_json::from_value(values.required("component_weights")?.clone())
            .map_err(|e| ParamError::new("component_weights", e.to_string()))?;
        Ok(Spec::of(self.name(), IsomerSpec { formula, component_weights }))
    }

    fn build(&self, spec: &Spec) -> Result<Box<dyn Built>, ParamError> {
        // A spec read back from a record or the store is held to the table's rows.
        let spec: IsomerSpec = spec.read_checked(&self.parameters())?;
        let error = |e: IsomerError| ParamError::new(e.field(), e.to_string());
        let weights: Vec<(String, f64)> = spec.component_weights.into_iter().collect();
        let objective = Objective::from_weights(&weights).map_err(error)?;
        let isomer = Isomer::new(&spec.formula, objective).map_err(|e| {
            let mut refused = error(e);
            if let Some(fixed) = case_suggestion(&spec.formula)
                && Isomer::new(&fixed, objective).is_ok()
            {
                refused = ParamError::new("formula", format!("{}; did you mean {fixed}?", refused.message));
            }
            refused
        })?;
        let energy_label = energy_label(&weights);
        let note = has_one_structure(&isomer).then(|| {
            format!(
                "{} has only one structure: every move is invalid or gives back the same molecule, so there is nothing to search.",
                spec.formula.trim()
            )
        });
        let view =
            IsomerView { problem: isomer.clone(), distinct: DistinctIsomers::new(), energy_label, note };
        // A live run at the default pacing shows about one valid move per event (see
        // `live_steps_per_event`), so the drawing moves at least once a second.
        let class_steps = CLASS_STEPS_PER_CYCLE * CLASS_CYCLES;
        let defaults = Defaults {
            schedule: ScheduleKind::Geometric,
            steps_per_cycle: CLASS_STEPS_PER_CYCLE,
            cycles: CLASS_CYCLES,
            events_per_run: Some(class_steps / live_steps_per_event(&isomer)),
        };
        // Headless runs get a budget sized to the formula (enough to reach the known
        // Wiener minimum of alkanes through C16H34) on the engine's Faulon schedule;
        // the page keeps the classroom's.
        let sized = isomer.headless_config(0, Direction::Minimize);
        let headless = Defaults {
            schedule: sized.schedule,
            steps_per_cycle: sized.steps_per_cycle,
            cycles: sized.cycles,
            events_per_run: None,
        };
        Ok(Box::new(BuiltIsomer { ready: Ready::new(isomer, view, defaults).headless(headless) }))
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

/// Element symbols Kiln knows, two-letter ones first (so "cl" reads as Cl, not C l).
const SYMBOLS: [&str; 10] = ["Cl", "Br", "C", "H", "N", "O", "S", "P", "F", "I"];

/// The formula with its element symbols in their proper case ("c8h18" -> "C8H18"),
/// if that differs from what was typed and every letter run reads as symbols.
fn case_suggestion(formula: &str) -> Option<String> {
    let mut out = String::with_capacity(formula.len());
    let mut rest = formula.trim();
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_alphabetic() {
            let symbol = SYMBOLS.iter().find(|s| {
                rest.len() >= s.len()
                    && rest.is_char_boundary(s.len())
                    && rest[..s.len()].eq_ignore_ascii_case(s)
            })?;
            out.push_str(symbol);
            rest = &rest[symbol.len()..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    (out != formula).then_some(out)
}

/// A built isomer problem: the usual [`Ready`] with the classroom temperatures.
struct BuiltIsomer {
    ready: Box<Ready<Isomer, IsomerView>>,
}

impl Built for BuiltIsomer {
    fn defaults(&self) -> Defaults {
        self.ready.defaults()
    }

    fn start(self: Box<Self>, config: AnnealConfig) -> Result<Box<dyn Anneal>, ParamError> {
        self.ready.start(config)
    }

    fn temperatures(&self) -> (f64, Option<f64>) {
        (CLASS_T0, Some(CLASS_T1))
    }

    fn headless_defaults(&self) -> Defaults {
        self.ready.headless_defaults()
    }

    fn headless_temperatures(&self) -> (f64, Option<f64>) {
        self.ready.temperatures()
    }
}

/// What an isomer run shows: SMILES names and the set of molecules visited.
struct IsomerView {
    /// A copy of the problem, so accepted molecules can be named while the annealer
    /// is borrowed mutably.
    problem: Isomer,
    distinct: DistinctIsomers,
    /// What the energy is, for the chart's axis (`energy_label`).
    energy_label: String,
    /// A remark the page shows before the run (`note`): a formula with one structure.
    note: Option<String>,
}

/// The smallest Wiener index of the alkanes C11H24 to C16H34, beyond the engine's own
/// facts (which end at C10H22). Computed by enumerating every alkane skeleton (tree of
/// maximum degree 4) of n carbons, one per canonical form, as
/// engine/tests/isomer_wiener_minimum.rs does; the enumeration reproduces the isomer
/// counts of OEIS A000602 (159, 355, 802, 1858, 4347, 10359), C12H26's 172 is the
/// value issue 24 quotes, and C16H34's 348 is Fischermann et al.'s
/// ("Wiener index versus maximum degree in trees", Discrete Appl. Math. 122, 2002).
const LARGER_ALKANE_WIENER_MINIMA: [(usize, u32); 6] =
    [(11, 136), (12, 172), (13, 210), (14, 250), (15, 298), (16, 348)];

/// The known optimum of a Wiener-only minimisation of an alkane C11 to C16.
fn larger_alkane_minimum(problem: &Isomer, direction: Direction) -> Option<f64> {
    let weights = problem.objective().weights();
    let [(Component::WienerIndex, weight)] = weights[..] else { return None };
    if direction != Direction::Minimize || !problem.formula().is_alkane() {
        return None;
    }
    let carbons = problem.formula().heavy_atoms();
    let (_, wiener) = LARGER_ALKANE_WIENER_MINIMA.iter().find(|(n, _)| *n == carbons)?;
    Some(weight * f64::from(*wiener))
}

/// Proposals a hot walk makes before a formula is said to have one structure.
const ONE_STRUCTURE_PROBE_STEPS: u64 = 20_000;

/// Whether a hot walk (constant T = 1e6: every valid move accepted) of
/// [`ONE_STRUCTURE_PROBE_STEPS`] proposals from the start meets no second
/// structure. Displacements connect all structures of a formula, so a formula
/// with two has a move from each to another; formulas small enough to have one
/// structure have few atoms, and 20,000 draws cover their picks many times over.
/// Stops at the second structure (within a few hundred steps for any formula with
/// many), so the cost is small either way.
fn has_one_structure(isomer: &Isomer) -> bool {
    let config = AnnealConfig {
        schedule: ScheduleKind::Constant,
        initial_temp: 1e6,
        steps_per_cycle: ONE_STRUCTURE_PROBE_STEPS,
        cycles: 1,
        ..AnnealConfig::default()
    };
    let Ok(mut walk) = Annealer::new(isomer.clone(), config) else { return false };
    let mut distinct = DistinctIsomers::new();
    distinct.observe(isomer, walk.state());
    while walk.steps_done() < ONE_STRUCTURE_PROBE_STEPS {
        walk.run_observed(500, &mut |m: &Molecule| distinct.observe(isomer, m));
        if distinct.count() > 1 {
            return false;
        }
    }
    true
}

/// Steps of the probe walk that measures a formula's valid-move rate.
const PROBE_STEPS: u64 = 2_000;
/// Most steps one live event covers at the default pacing.
const MAX_LIVE_STEPS_PER_EVENT: u64 = 50;

/// Steps per live event at the default pacing: about one valid move per event. Most
/// draws of an isomer walk are invalid (83% for C8H18), and an event of one step then
/// rarely shows a change. The rate is measured on a short walk at the classroom's
/// start temperature with a fixed seed, so it is a pure function of the formula and
/// costs about a millisecond; the run's own trajectory is untouched.
fn live_steps_per_event(isomer: &Isomer) -> u64 {
    let config = AnnealConfig {
        seed: 0,
        schedule: ScheduleKind::Constant,
        initial_temp: CLASS_T0,
        steps_per_cycle: PROBE_STEPS,
        cycles: 1,
        batch: kiln_engine::Batch::Fixed(1),
        ..AnnealConfig::default()
    };
    let Ok(mut probe) = Annealer::new(isomer.clone(), config) else { return 1 };
    probe.run(PROBE_STEPS);
    let c = probe.counters();
    let valid = (c.accepted + c.rejected).max(1);
    (PROBE_STEPS / valid).clamp(1, MAX_LIVE_STEPS_PER_EVENT)
}

/// The words a user sees for each objective component (never its API name).
const COMPONENT_LABELS: &[(&str, &str)] = &[("wiener_index", "Wiener index"), ("logp", "logP (Crippen)")];

/// The words for the component named `name`.
fn component_label(name: &str) -> &str {
    COMPONENT_LABELS.iter().find(|(n, _)| *n == name).map_or(name, |(_, label)| label)
}

/// The energy's name: the component when there is one, else a weighted sum.
fn energy_label(weights: &[(String, f64)]) -> String {
    match weights {
        [(name, w)] if *w == 1.0 => component_label(name).into(),
        [(name, w)] => format!("{w} x {}", component_label(name)),
        _ => "objective (weighted sum)".into(),
    }
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

    /// The molecule as canonical SMILES.
    fn state_json(&self, _problem: &Isomer, state: &Molecule) -> Option<Value> {
        Some(json!(self.problem.canonical_smiles(state)))
    }

    fn draw(&self, _problem: &Isomer, state: &Molecule) -> String {
        molecule_svg(&MoleculeDrawing::from(state))
    }

    fn extra(&self, sa: &Annealer<Isomer>) -> Map<String, Value> {
        let mut extra = Map::new();
        extra.insert("best_smiles".into(), json!(self.problem.canonical_smiles(sa.best_state())));
        extra.insert("current_smiles".into(), json!(self.problem.canonical_smiles(sa.state())));
        extra.insert("distinct_isomers".into(), json!(self.distinct.count()));
        extra.insert("energy_label".into(), json!(self.energy_label));
        if let Some(note) = &self.note {
            extra.insert("note".into(), json!(note));
        }
        extra
    }

    fn optimum(&self, sa: &Annealer<Isomer>) -> Option<f64> {
        let direction = sa.config().direction;
        self.problem.known_optimum(direction).or_else(|| larger_alkane_minimum(&self.problem, direction))
    }

    /// The bonds the displacement changes: `bonds` between heavy atoms (0-based
    /// indices, as the drawing's `data-atoms` lists them) with their orders before
    /// and after, `atoms` (every heavy atom the move touches), `hydrogens` (heavy
    /// atoms gaining or losing hydrogens), and for an invalid step `why`.
    ///
    /// Atoms are numbered as the drawing shown after this step numbers them: the
    /// canonical order ([`canonical_numbers`]) of the new molecule after an accepted
    /// move, of the unchanged one otherwise. So "C6" in the text is atom 6 on screen.
    fn describe(&self, step: &StepView<'_, Isomer>) -> Option<Map<String, Value>> {
        let mut out = Map::new();
        let mv = match step.proposal {
            Proposal::Invalid(kind) => {
                let why = if kind == DISCONNECTED {
                    "that change would split the molecule in two"
                } else {
                    "those four atoms could not rearrange their bonds"
                };
                out.insert("why".into(), json!(why));
                return Some(out);
            }
            Proposal::Move(mv) => mv,
        };
        let m = step.state_before;
        let shown = if matches!(step.verdict, Verdict::Accepted) {
            let mut after = m.clone();
            mv.apply_to(&mut after);
            canonical_numbers(&MoleculeDrawing::from(&after))
        } else {
            canonical_numbers(&MoleculeDrawing::from(m))
        };
        let number = |i: u8| shown.get(usize::from(i)).copied().unwrap_or(usize::from(i));
        let name = |a: MoveAtom| match a {
            MoveAtom::Heavy(i) => format!("{}{}", m.element(usize::from(i)).symbol(), number(i) + 1),
            MoveAtom::Hydrogen { .. } => "H".to_string(),
        };
        const ORDERS: [&str; 4] = ["none", "single", "double", "triple"];
        let mut bonds = Vec::new();
        let mut hydrogens: BTreeMap<u8, i32> = BTreeMap::new();
        let mut phrases = Vec::new();
        let mut touched: std::collections::BTreeSet<usize> = std::collections::BTreeSet::new();
        for (a, b, from, to) in mv.changes().filter(|c| c.2 != c.3) {
            match (a, b) {
                (MoveAtom::Heavy(i), MoveAtom::Heavy(j)) => {
                    bonds.push(json!({"a": number(i), "b": number(j), "from": from, "to": to}));
                    touched.extend([number(i), number(j)]);
                    phrases.push(format!(
                        "{}–{} {} → {}",
                        name(a),
                        name(b),
                        ORDERS[usize::from(from.min(3))],
                        ORDERS[usize::from(to.min(3))]
                    ));
                }
                (MoveAtom::Heavy(i), MoveAtom::Hydrogen { .. })
                | (MoveAtom::Hydrogen { .. }, MoveAtom::Heavy(i)) => {
                    *hydrogens.entry(i).or_default() += i32::from(to) - i32::from(from);
                    touched.insert(number(i));
                }
                _ => {}
            }
        }
        for (&atom, &change) in hydrogens.iter().filter(|(_, c)| **c != 0) {
            let who = name(MoveAtom::Heavy(atom));
            phrases.push(if change > 0 {
                format!("{who} gains {change} H")
            } else {
                format!("{who} loses {} H", -change)
            });
        }
        let text = if phrases.is_empty() {
            "no bond changes: the move only swaps equivalent hydrogens".to_string()
        } else {
            format!("bonds change: {}", phrases.join(", "))
        };
        out.insert("text".into(), json!(text));
        out.insert("bonds".into(), json!(bonds));
        out.insert("atoms".into(), json!(touched.into_iter().collect::<Vec<_>>()));
        out.insert(
            "hydrogens".into(),
            json!(
                hydrogens
                    .iter()
                    .filter(|(_, c)| **c != 0)
                    .map(|(&a, c)| json!({"atom": number(a), "change": c}))
                    .collect::<Vec<_>>()
            ),
        );
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    /// A default C8H18 run makes 667 valid moves in 4,000 steps (issue 23, main b69b225):
    /// one valid move per event is about 6 steps per event.
    #[test]
    fn live_pacing_shows_about_one_valid_move_per_event() {
        let octane = Isomer::new("C8H18", Objective::default()).unwrap();
        assert!((5..=7).contains(&super::live_steps_per_event(&octane)));
    }

    use kiln_engine::AnnealConfig;

    use super::*;
    use crate::kinds::run::Run;

    /// Issue 22, D11: "logp" and "Objective.logp" were on screen. Every component has
    /// words of its own, and the energy's name uses them.
    #[test]
    fn every_objective_component_has_words_for_users() {
        for component in Component::ALL {
            let label = component_label(component.name());
            assert_ne!(label, component.name(), "{label}");
            assert!(!label.contains('_'), "{label}");
        }
        let weighted = energy_label(&[("logp".to_string(), 2.0)]);
        assert_eq!(weighted, "2 x logP (Crippen)");
        let catalog =
            IsomerKind.parameters().into_iter().find(|p| p.name == "component_weights").unwrap().describe();
        assert_eq!(catalog["value_labels"]["logp"], "logP (Crippen)");
    }

    #[test]
    fn isomer_progress_names_molecules_and_counts_disconnected_moves() {
        let spec = Spec::of(
            "isomer",
            IsomerSpec { formula: "C6H14".into(), component_weights: IsomerSpec::default_weights() },
        );
        let inner = IsomerKind.build(&spec).unwrap().start(AnnealConfig::default()).unwrap();
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

    /// Wiener minima of the alkanes, from /work/shared/data/isomers.tsv (computed
    /// from an independent structure generator's hydrogen-suppressed graphs).
    const ALKANE_WIENER_MINIMA: [(&str, f64); 5] =
        [("C5H12", 16.0), ("C6H14", 28.0), ("C7H16", 42.0), ("C8H18", 58.0), ("C9H20", 82.0)];

    /// A session's run from the page's defaults (only the formula given).
    fn default_session(formula: &str) -> crate::kinds::resolve::Resolved {
        use crate::kinds::Scope;
        use crate::kinds::registry::Registry;
        use crate::kinds::resolve::{Request, resolve};
        let mut values = Map::new();
        values.insert("formula".into(), json!(formula));
        resolve(&Registry::builtin(), &Request::from_map(values, Scope::Session)).unwrap()
    }

    #[test]
    fn the_default_schedule_stays_visibly_above_its_floor_for_most_of_each_cycle() {
        let resolved = default_session("C8H18");
        let config = resolved.config.clone();
        let floor = config.final_temp.expect("the classroom schedule names its floor");
        let mut run = resolved.run;
        let per_cycle = config.steps_per_cycle;
        let mut above = vec![0u64; config.cycles as usize];
        for step in 0..run.total_steps() {
            run.step().unwrap();
            let t = run.last_move().unwrap()["temperature"].as_f64().unwrap();
            assert!(t >= floor * (1.0 - 1e-9), "step {step}: T {t} below the floor {floor}");
            if t >= 2.0 * floor {
                above[(step / per_cycle) as usize] += 1;
            }
        }
        for (cycle, n) in above.iter().enumerate() {
            assert!(
                2 * n >= per_cycle,
                "cycle {}: T at least twice its floor for only {n} of {per_cycle} steps",
                cycle + 1
            );
        }
    }

    #[test]
    fn the_default_run_reaches_the_wiener_minimum_of_every_alkane_c5_to_c9() {
        for (formula, minimum) in ALKANE_WIENER_MINIMA {
            let mut run = default_session(formula).run;
            run.run(run.total_steps());
            assert_eq!(run.progress().snapshot.best_energy, minimum, "{formula} with the default seed");
        }
    }

    #[test]
    fn a_wrongly_cased_formula_gets_a_suggestion() {
        let build = |formula: &str| {
            let spec = Spec::of(
                "isomer",
                IsomerSpec { formula: formula.into(), component_weights: IsomerSpec::default_weights() },
            );
            IsomerKind.build(&spec).err().map(|e| (e.field, e.message))
        };
        let (field, message) = build("c8h18").unwrap();
        assert_eq!(field, "formula");
        assert!(message.ends_with("did you mean C8H18?"), "{message}");
        let (_, message) = build("C2H5cl").unwrap();
        assert!(message.ends_with("did you mean C2H5Cl?"), "{message}");
        let (_, message) = build("Xe2").unwrap();
        assert!(!message.contains("did you mean"), "no guess for an unknown element: {message}");
        assert!(build("C8H18").is_none());
    }

    #[test]
    fn a_formula_with_one_structure_says_so_and_one_with_more_does_not() {
        // Counts from /work/shared/data/isomers.tsv: CH4, C2H6, C3H8 have one
        // structure; C4H10 two. Water and methanol have one by hand.
        for (formula, one) in [
            ("CH4", true),
            ("C2H6", true),
            ("C3H8", true),
            ("H2O", true),
            ("CH4O", true),
            ("C4H10", false),
            ("C2H6O", false),
            ("C8H18", false),
        ] {
            let note = default_session(formula).run.progress().extra.get("note").cloned();
            assert_eq!(note.is_some(), one, "{formula}: {note:?}");
        }
    }

    #[test]
    fn faulons_original_parameters_are_one_preset_away() {
        let preset = IsomerKind.presets().into_iter().find(|p| p.name == "faulon-original").unwrap();
        assert_eq!(
            preset.params,
            json!({"formula": "C8H18", "schedule": "faulon", "initial_temp": 100.0,
                   "cooling_schedule_k": 8.0, "steps_per_cycle": 500, "num_cycles": 4})
        );
        for p in IsomerKind.presets() {
            assert!(!p.label.contains("xylene") && !p.label.contains("naphthalene"), "{}", p.label);
        }
    }

    #[test]
    fn a_step_describes_its_move_in_bonds_and_numbers() {
        let mut run = default_session("C6H14").run;
        let mut priced = 0;
        for _ in 0..300 {
            let before = run.progress();
            let outcome = run.step().unwrap();
            let m = run.last_move().unwrap();
            let after = run.progress();
            let verdict = m["verdict"].as_str().unwrap();
            let counted = match verdict {
                "accepted" => after.snapshot.accepted_moves - before.snapshot.accepted_moves,
                "rejected" => after.snapshot.rejected_moves - before.snapshot.rejected_moves,
                _ => after.snapshot.invalid_moves - before.snapshot.invalid_moves,
            };
            assert_eq!(counted, 1, "{m}");
            match outcome {
                kiln_engine::StepOutcome::Accepted { delta, .. }
                | kiln_engine::StepOutcome::Rejected { delta } => {
                    priced += 1;
                    assert_eq!(m["delta"].as_f64(), Some(delta), "{m}");
                    let (t, u, p) = (
                        m["temperature"].as_f64().unwrap(),
                        m["u"].as_f64().unwrap(),
                        m["p_accept"].as_f64().unwrap(),
                    );
                    assert!((p - (-delta / t).exp().min(1.0)).abs() < 1e-12, "{m}");
                    assert_eq!(verdict == "accepted", delta <= 0.0 || u < p, "{m}");
                    let text = m["text"].as_str().unwrap();
                    assert!(text.starts_with("bonds change: ") || text.starts_with("no bond changes"), "{m}");
                    let reason = m["reason"].as_str().unwrap();
                    assert!(reason.ends_with(&format!("so {verdict}")), "{reason}");
                    if delta > 0.0 {
                        assert!(
                            reason.starts_with("energy up by")
                                && reason.contains("temperature T = ")
                                && reason.contains("chance e^(-")
                                && reason.contains("random number"),
                            "{reason}"
                        );
                    }
                }
                kiln_engine::StepOutcome::Invalid(_) => {
                    assert!(m["delta"].is_null() && m["p_accept"].is_null(), "{m}");
                    assert!(m["reason"].as_str().unwrap().starts_with("invalid: "), "{m}");
                }
            }
        }
        assert!(priced > 0);
    }
}
