//! A tempering run of any kind: the engine's `Tempering<P>` behind [`Anneal`].
//!
//! What the page shows of a tempering run is its coldest replica: its state is the
//! drawing, its temperature and energy the progress numbers, its best (which gathers
//! the best of all replicas at every exchange round) the best drawing. The kind's
//! [`StateView`] sees that replica's annealer, so every kind's extra fields work
//! unchanged. Beside them, the `tempering` object carries the ladder
//! ([`kiln_engine::TemperingReport`]: per replica T, energy, acceptance; per pair the
//! swaps and exchange rate; round trips), for the live ladder view.
//!
//! Teaching steps: a step of a tempering run is a step of every replica; its `move`
//! explains the coldest replica's (the one drawn), says that the others stepped too,
//! and, when the step ended an exchange round, which neighbouring pairs tried to
//! swap, with what chance and draw, and which did (`exchange`).
//!
//! Not here: a kind's observer of accepted states (it follows one chain, and a
//! configuration here hops between them).

use std::sync::Arc;

use kiln_engine::{
    AnnealConfig, Checkpoint, Counters, Direction, Problem, Snapshot, StepOutcome, SwapTry, Tempering,
};
use serde_json::{Map, Value, json};

use super::{Anneal, StateView, describe_step};

/// The engine's tempering run paired with its kind's view.
pub struct Tempered<P: Problem + Clone, V> {
    pt: Tempering<P>,
    view: V,
    /// The last step's `move` object.
    last: Option<Value>,
}

impl<P: Problem + Clone + 'static, V: StateView<P>> Tempered<P, V> {
    /// Pair a tempering run at step 0 with its view.
    pub fn new(pt: Tempering<P>, mut view: V) -> Self {
        view.restart(pt.coldest().problem(), pt.coldest().state());
        Tempered { pt, view, last: None }
    }

    /// One step of every replica, keeping the description of the coldest's move and
    /// of the exchange round it ended, if any.
    fn step_described(&mut self) -> Option<StepOutcome> {
        let direction = self.pt.config().direction;
        let names = self.pt.coldest().problem().invalid_kinds();
        let mut described = None;
        let view = &self.view;
        let outcome = self.pt.step_observed(|step| {
            described = Some(describe_step(names, direction, step, view.describe(step)));
        });
        if let Some(Value::Object(mut coldest)) = described {
            let round = self.pt.round_done().then(|| (self.pt.rounds(), self.pt.last_tries()));
            let replicas = self.pt.replicas().len();
            let own = coldest.get("reason").and_then(Value::as_str).unwrap_or_default().to_owned();
            coldest.insert(
                "reason".into(),
                json!(describe(
                    replicas,
                    coldest["temperature"].as_f64(),
                    &own,
                    round,
                    direction == Direction::Maximize
                )),
            );
            coldest.insert("replicas".into(), json!(replicas));
            coldest.insert(
                "exchange".into(),
                round.map_or(Value::Null, |(rounds, tries)| json!({"round": rounds, "tries": tries})),
            );
            self.last = Some(Value::Object(coldest));
        }
        outcome
    }
}

/// The reason of a tempering step: who stepped, the coldest replica's own reason,
/// and the exchange round (`round`: rounds done, and the swaps tried) if one followed.
/// The chance is written in energies: `E_i - E_j` when minimising, `E_j - E_i` when
/// maximising (a higher energy is then the better one).
fn describe(
    replicas: usize,
    coldest_t: Option<f64>,
    own: &str,
    round: Option<(u64, &[SwapTry])>,
    maximise: bool,
) -> String {
    let t = coldest_t.map_or(String::new(), |t| format!(" (T = {})", short(t)));
    let own = own.trim_end();
    let stop = if own.is_empty() || own.ends_with('.') { "" } else { "." };
    let mut text = format!(
        "The coldest of the {replicas} replicas{t} took this step, shown here; the other {} each took one step at their own temperature too. {own}{stop}",
        replicas - 1
    );
    if let Some((rounds, tries)) = round {
        let swapped = tries.iter().filter(|t| t.swapped).count();
        text.push_str(&format!(
            " Then exchange round {rounds}: {} neighbouring pair(s) tried to swap configurations, {swapped} did.",
            tries.len()
        ));
        if let Some(first) = tries.first() {
            let [ti, tj] = first.temperatures;
            let [ei, ej] = first.energies;
            let (a, b) = if maximise { (ej, ei) } else { (ei, ej) };
            let verdict = if first.swapped { "so they swapped" } else { "so they kept their own" };
            text.push_str(&format!(
                " T = {} (energy {}) and T = {} (energy {}): chance min(1, e^((1/{} - 1/{}) x ({} - {}))) = {}, draw {} {}, {verdict}.",
                short(ti),
                short(ei),
                short(tj),
                short(ej),
                short(ti),
                short(tj),
                short(a),
                short(b),
                short(first.p_swap),
                short(first.u),
                if first.u < first.p_swap { "is below it" } else { "is not below it" },
            ));
        }
    }
    text
}

/// A number in a sentence: at most 3 decimals, no trailing zeros.
fn short(x: f64) -> String {
    if x != 0.0 && x.abs() < 0.001 {
        return format!("{x:.1e}");
    }
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

impl<P: Problem + Clone + 'static, V: StateView<P>> Anneal for Tempered<P, V> {
    fn run(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let done = self.pt.run(n - 1);
        if done < n - 1 {
            return done;
        }
        done + u64::from(self.step_described().is_some())
    }

    fn step(&mut self) -> Option<StepOutcome> {
        self.step_described()
    }

    fn last_move(&self) -> Option<Value> {
        self.last.clone()
    }

    fn reset(&mut self) {
        self.last = None;
        self.pt.reset();
        self.view.restart(self.pt.coldest().problem(), self.pt.coldest().state());
    }

    fn snapshot(&self) -> Snapshot {
        self.pt.snapshot()
    }

    fn checkpoint(&self) -> Checkpoint {
        self.pt.checkpoint()
    }

    fn counters(&self) -> Counters {
        self.pt.counters()
    }

    fn state_marks(&self) -> (u64, u64) {
        (self.pt.coldest_changes(), self.pt.coldest().counters().improvements)
    }

    fn steps_done(&self) -> u64 {
        self.pt.steps_done()
    }

    fn total_steps(&self) -> u64 {
        self.pt.total_steps()
    }

    fn is_complete(&self) -> bool {
        self.pt.is_complete()
    }

    fn config(&self) -> &AnnealConfig {
        self.pt.config()
    }

    fn optimal_energy(&self) -> Option<f64> {
        self.view.optimum(self.pt.coldest())
    }

    fn extra(&self) -> Map<String, Value> {
        let mut extra = self.view.extra(self.pt.coldest());
        extra.insert("tempering".into(), json!(self.pt.report()));
        extra
    }

    fn current_svg(&self) -> String {
        self.view.draw(self.pt.coldest().problem(), self.pt.coldest().state())
    }

    fn best_svg(&self) -> String {
        self.view.draw(self.pt.coldest().problem(), self.pt.best_state())
    }

    fn best_state(&self) -> Option<Value> {
        self.view.state_json(self.pt.coldest().problem(), self.pt.best_state())
    }

    fn with_pool(self: Box<Self>, pool: Arc<rayon::ThreadPool>) -> Box<dyn Anneal> {
        let Tempered { pt, view, last } = *self;
        Box::new(Tempered { pt: pt.with_pool(pool), view, last })
    }
}
