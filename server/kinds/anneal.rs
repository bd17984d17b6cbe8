//! [`Anneal`]: the object-safe interface over the engine's generic `Annealer<P>`
//! that every kind's run is held behind (see [`super::run`] for the blanket
//! implementation and [`super::run::Run`], the one type callers hold).

use std::sync::Arc;

use kiln_engine::{AnnealConfig, Checkpoint, Counters, Snapshot, StepOutcome};
use serde_json::{Map, Value};

/// An annealer of some kind, behind one object-safe interface.
pub trait Anneal: Send {
    /// Advance up to `n` steps; returns how many were done.
    fn run(&mut self, n: u64) -> u64;
    /// Advance one step; `None` once complete.
    fn step(&mut self) -> Option<StepOutcome>;
    /// Back to step 0.
    fn reset(&mut self);
    /// The engine's numbers.
    fn snapshot(&self) -> Snapshot;
    /// A replay checkpoint of the current step.
    fn checkpoint(&self) -> Checkpoint;
    /// The engine's counters.
    fn counters(&self) -> Counters;
    /// Steps done.
    fn steps_done(&self) -> u64;
    /// Steps in the run.
    fn total_steps(&self) -> u64;
    /// All steps done.
    fn is_complete(&self) -> bool;
    /// The run's config.
    fn config(&self) -> &AnnealConfig;
    /// Energy of a known optimum, if any.
    fn optimal_energy(&self) -> Option<f64>;
    /// The kind's extra progress fields.
    fn extra(&self) -> Map<String, Value>;
    /// SVG of the current state.
    fn current_svg(&self) -> String;
    /// SVG of the best state.
    fn best_svg(&self) -> String;
    /// Share a rayon pool for speculative batches (a server with many sessions).
    fn with_pool(self: Box<Self>, pool: Arc<rayon::ThreadPool>) -> Box<dyn Anneal>;
    /// The last step's move, described for teaching mode (see [`describe_step`](super::run::describe_step));
    /// `None` at step 0.
    fn last_move(&self) -> Option<Value> {
        None
    }
    /// Marks that change exactly when the current (first) or best (second) state may
    /// have changed (see [`Run::state_marks`](super::run::Run::state_marks)).
    fn state_marks(&self) -> (u64, u64) {
        let c = self.counters();
        (c.accepted, c.improvements)
    }
    /// The best state as plain JSON ([`StateView::state_json`](super::run::StateView::state_json)), if the kind gives one.
    fn best_state(&self) -> Option<Value> {
        None
    }
    /// The schedule's temperatures as resolved (for `auto`, as estimated): T0 and the
    /// final (or floor) temperature of a cycle.
    fn temperatures(&self) -> Option<(f64, f64)> {
        None
    }
}
