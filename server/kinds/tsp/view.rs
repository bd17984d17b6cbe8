//! How a tour is shown, whichever way it is annealed: [`TourView`] draws the tour,
//! knows TSPLIB's optimum and labels the energy axis for both of the tour's problems
//! ([`Tsp`], one 2-opt or or-opt move per step, and [`LargeSteps`], a kick and a
//! descent per step); only the description of a step differs, and that is its
//! [`DescribeStep`] (`LocalMoves` or `LargeStepMoves`).
//!
//! Every description names cities from 1, as TSPLIB numbers them, and gives the tour
//! edges the step removes and adds as pairs `[a, b]`.

use std::collections::HashSet;

use kiln_engine::problems::tsp::{LargeStep, LargeSteps, Tour, Tsp, TspMove};
use kiln_engine::{Annealer, Problem, Proposal, StepView};
use serde_json::{Map, Value, json};

use crate::kinds::run::StateView;
use crate::render::tsp::tour_svg;

/// A problem that anneals a tour over a TSP instance.
pub trait TourProblem: Problem<State = Tour> {
    /// The instance whose cities the tour visits.
    fn instance(&self) -> &Tsp;
}

impl TourProblem for Tsp {
    fn instance(&self) -> &Tsp {
        self
    }
}

impl TourProblem for LargeSteps {
    fn instance(&self) -> &Tsp {
        self.tsp()
    }
}

/// A step of problem `P` in the tour's terms, for teaching mode.
pub trait DescribeStep<P: Problem>: Send + 'static {
    /// The step's `move_kind`, `text`, `removed` and `added` (see the module doc).
    fn describe(&self, step: &StepView<'_, P>) -> Option<Map<String, Value>>;
}

/// A tour drawn over its cities, its steps described by `D`; the known optimum is
/// TSPLIB's optimal length.
pub struct TourView<D>(pub D);

impl<P: TourProblem + 'static, D: DescribeStep<P>> StateView<P> for TourView<D> {
    fn describe(&self, step: &StepView<'_, P>) -> Option<Map<String, Value>> {
        self.0.describe(step)
    }

    /// The tour as 0-based city indices in visiting order (the file's city `i + 1`).
    fn state_json(&self, _problem: &P, state: &Tour) -> Option<Value> {
        Some(json!(state.order()))
    }

    fn draw(&self, problem: &P, state: &Tour) -> String {
        tour_svg(problem.instance().coords(), state.order())
    }

    fn optimum(&self, sa: &Annealer<P>) -> Option<f64> {
        sa.problem().instance().optimal_length().map(|l| l as f64)
    }

    /// `energy_label`: what the chart's energy axis shows.
    fn extra(&self, _sa: &Annealer<P>) -> Map<String, Value> {
        let mut extra = Map::new();
        extra.insert("energy_label".into(), json!("tour length (TSPLIB distance)"));
        extra
    }
}

/// One 2-opt or or-opt move per step: `move_kind` is its name (`2-opt`, `or-opt`).
pub struct LocalMoves;

impl DescribeStep<Tsp> for LocalMoves {
    fn describe(&self, step: &StepView<'_, Tsp>) -> Option<Map<String, Value>> {
        let Proposal::Move(mv) = step.proposal else { return None };
        let order = step.state_before.order();
        let n = order.len();
        let at = |pos: usize| order[pos % n] + 1;
        let (name, removed, added) = match *mv {
            TspMove::TwoOpt { i, j } => {
                let (i, j) = (i as usize, j as usize);
                let (a, b, c, e) = (at(i), at(i + 1), at(j), at(j + 1));
                ("2-opt", vec![[a, b], [c, e]], vec![[a, c], [b, e]])
            }
            TspMove::OrOpt { start, len, gap, reversed } => {
                let (start, len, gap) = (start as usize, len as usize, gap as usize);
                let (prev, first, last, next) =
                    (at(start + n - 1), at(start), at(start + len - 1), at(start + len));
                let (c, e) = (at(start + len - 1 + gap), at(start + len + gap));
                let (to_c, to_e) = if reversed { (last, first) } else { (first, last) };
                (
                    "or-opt",
                    vec![[prev, first], [last, next], [c, e]],
                    vec![[prev, next], [c, to_c], [to_e, e]],
                )
            }
        };
        let text = format!("{name}: remove {}; add {}", edge_list(&removed), edge_list(&added));
        Some(description(name, text, removed, added))
    }
}

/// A kick and a descent per step (`move_kind` `large step`): the edges are the net
/// change from the tour before the step to the local optimum it proposes, found by
/// replaying the step on a copy of the tour ([`LargeStep::apply_to`] needs no
/// instance data); the copy and the replay cost O(n) once per observed step, one
/// per frame.
pub struct LargeStepMoves;

impl DescribeStep<LargeSteps> for LargeStepMoves {
    fn describe(&self, step: &StepView<'_, LargeSteps>) -> Option<Map<String, Value>> {
        let Proposal::Move(mv) = step.proposal else { return None };
        let before = step.state_before;
        let mut after = before.clone();
        mv.apply_to(&mut after);
        let (removed, added) = (edges_missing(before, &after), edges_missing(&after, before));
        let text = format!("large step: {}", large_step_text(before, mv, &removed, &added));
        Some(description("large step", text, removed, added))
    }
}

/// "swap 12 and 7 cities after city 41, then 5 improving reversals: remove ...; add ...".
fn large_step_text(before: &Tour, mv: &LargeStep, removed: &[[u32; 2]], added: &[[u32; 2]]) -> String {
    let order = before.order();
    let kick = mv.kick;
    let after_city = order[kick.at as usize % order.len()] + 1;
    let descent = match mv.descent_len() {
        1 => "1 improving reversal".to_string(),
        n => format!("{n} improving reversals"),
    };
    let change = if removed.is_empty() {
        "the tour is unchanged".to_string()
    } else {
        format!("remove {}; add {}", edge_list(removed), edge_list(added))
    };
    format!(
        "swap {} and {} cities after city {after_city}, then {descent}: {change}",
        kick.first, kick.second
    )
}

/// The edges of `tour` (in its order, cities from 1) that `other` does not have.
fn edges_missing(tour: &Tour, other: &Tour) -> Vec<[u32; 2]> {
    let others: HashSet<[u32; 2]> = edges(other).map(|[a, b]| [a.min(b), a.max(b)]).collect();
    edges(tour).filter(|&[a, b]| !others.contains(&[a.min(b), a.max(b)])).collect()
}

/// A tour's edges in its order, cities numbered from 1.
fn edges(tour: &Tour) -> impl Iterator<Item = [u32; 2]> + '_ {
    let order = tour.order();
    (0..order.len()).map(move |i| [order[i] + 1, order[(i + 1) % order.len()] + 1])
}

/// "3–4, 17–9".
fn edge_list(list: &[[u32; 2]]) -> String {
    list.iter().map(|[a, b]| format!("{a}–{b}")).collect::<Vec<_>>().join(", ")
}

/// The fields a tour step's description carries; `bonds` and `atoms` are what the page
/// marks on the drawing (cities 0-based as its `data-atoms` lists them): each removed
/// edge `{a, b, from: 1, to: 0}`, each added one `{from: 0, to: 1}`, and their cities.
fn description(kind: &str, text: String, removed: Vec<[u32; 2]>, added: Vec<[u32; 2]>) -> Map<String, Value> {
    let mut out = Map::new();
    let marked = |edges: &[[u32; 2]], from: u8, to: u8| -> Vec<Value> {
        edges.iter().map(|[a, b]| json!({"a": a - 1, "b": b - 1, "from": from, "to": to})).collect()
    };
    let mut bonds = marked(&removed, 1, 0);
    bonds.extend(marked(&added, 0, 1));
    let mut cities: Vec<u32> = removed.iter().chain(&added).flat_map(|&[a, b]| [a - 1, b - 1]).collect();
    cities.sort_unstable();
    cities.dedup();
    out.insert("bonds".into(), json!(bonds));
    out.insert("atoms".into(), json!(cities));
    out.insert("move_kind".into(), json!(kind));
    out.insert("text".into(), json!(text));
    out.insert("removed".into(), json!(removed));
    out.insert("added".into(), json!(added));
    out
}
