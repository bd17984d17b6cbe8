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
//! Not here: teaching steps (a step of a tempering run is a step of every replica,
//! so there is no one move to explain; `move` is absent) and a kind's observer of
//! accepted states (it follows one chain, and a configuration here hops between them).

use std::sync::Arc;

use kiln_engine::{AnnealConfig, Checkpoint, Counters, Problem, Snapshot, StepOutcome, Tempering};
use serde_json::{Map, Value, json};

use super::{Anneal, StateView};

/// The engine's tempering run paired with its kind's view.
pub struct Tempered<P: Problem + Clone, V> {
    pt: Tempering<P>,
    view: V,
}

impl<P: Problem + Clone + 'static, V: StateView<P>> Tempered<P, V> {
    /// Pair a tempering run at step 0 with its view.
    pub fn new(pt: Tempering<P>, mut view: V) -> Self {
        view.restart(pt.coldest().problem(), pt.coldest().state());
        Tempered { pt, view }
    }
}

impl<P: Problem + Clone + 'static, V: StateView<P>> Anneal for Tempered<P, V> {
    fn run(&mut self, n: u64) -> u64 {
        self.pt.run(n)
    }

    fn step(&mut self) -> Option<StepOutcome> {
        self.pt.step()
    }

    fn reset(&mut self) {
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
        let Tempered { pt, view } = *self;
        Box::new(Tempered { pt: pt.with_pool(pool), view })
    }
}
