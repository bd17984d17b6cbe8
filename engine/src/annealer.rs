//! The `Annealer`: *how* a problem is annealed, one step at a time.
//!
//! Sequential SA is a loop of propose, price, accept-or-reject. The annealer adds two
//! things without changing the trajectory:
//!
//! * **Determinism.** Step `t` takes all its randomness from its own words of the
//!   seed's generator (the config's, see [`crate::rng`]), and its temperature from the
//!   schedule, so the run is a pure function of (problem, config, seed).
//! * **Exact speculative batches.** Step `t + j`'s proposal, delta and Metropolis
//!   test against the *current* state do not depend on steps `t..t+j` as long as those
//!   are all rejected. So K candidates are scored in parallel and the first accepted
//!   one ends the round; the result equals K = 1 bit for bit. That half of the
//!   annealer (the rounds, the pool, `Batch::Auto`'s choice of K) lives in the child
//!   module `speculative`; this file holds the state, the sequential step and the
//!   bookkeeping both halves share.
//!
//! A sequential step costs no `exp` in the common case: the temperature comes from a
//! [`TemperatureCursor`] (a table lookup per step) and the Metropolis test from
//! [`crate::acceptance`] (bounds first, or a per-delta table for problems whose deltas
//! take few values), and a downhill move needs neither. For such problems (the magnet)
//! a batch-1 run goes block by block of the temperature cursor, settling once per
//! block what its steps share ([`Annealer::run_sequential`]).
//! [`Annealer::step_observed`] shows one step to an observer (for teaching) without
//! changing what it does.

mod bulk;
mod speculative;
mod window;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use self::speculative::{AutoBatch, AutoExit, Candidate};
use self::window::Window;
use crate::acceptance::{DeltaTable, metropolis};
use crate::checkpoint::{Checkpoint, state_hash};
use crate::config::{AnnealConfig, Batch, ConfigError, MAX_BATCH};
use crate::problem::{InvalidKind, MAX_INVALID_KINDS, Problem, Proposal};
use crate::rng::{MIN_WORDS_PER_STEP, StepRng, StepStream, StepWords, WORDS_PER_STEP};
use crate::schedule::{Schedule, ScheduleKind, TemperatureCursor, estimate_temperatures};

/// The run's step words: its generator keyed by its seed, from step 0.
fn step_stream<P: Problem>(problem: &P, config: &AnnealConfig) -> StepStream {
    StepStream::of(config.generator, config.seed, 0, P::WORDS_PER_STEP).for_proposals(problem.reads_words())
}

/// What one step did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StepOutcome {
    /// The move was applied; `delta` is the energy change (in the problem's units).
    Accepted {
        /// Energy change.
        delta: f64,
        /// The move produced a new best state.
        new_best: bool,
    },
    /// The move was priced and rejected by the Metropolis test.
    Rejected {
        /// Energy change it would have caused.
        delta: f64,
    },
    /// No valid move could be proposed.
    Invalid(InvalidKind),
}

/// The verdict of one step, as a step observer sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The move passed the Metropolis test and is applied.
    Accepted,
    /// The move failed the Metropolis test.
    Rejected,
    /// No valid move could be proposed; the step is counted under this kind.
    Invalid(InvalidKind),
}

/// One step as [`Annealer::step_observed`] shows it: everything a class needs to see
/// why the move was taken or not.
pub struct StepView<'a, P: Problem> {
    /// The step's number (0-based: the first step of a run is step 0).
    pub step: u64,
    /// The step's temperature.
    pub temperature: f64,
    /// The move proposed, in the problem's own type, or the kind of invalid outcome.
    pub proposal: Proposal<&'a P::Move>,
    /// The state the step started from (an accepted move is applied after the view).
    pub state_before: &'a P::State,
    /// Energy change of the move, in the problem's units and sign (`None` if invalid).
    pub delta: Option<f64>,
    /// The step's uniform draw `u` in [0, 1): the one the Metropolis test uses, shown
    /// even for steps whose verdict did not need it.
    pub uniform: f64,
    /// `min(1, exp(-d / T))` with `d` the change of the annealed cost (the delta when
    /// minimising, its negation when maximising); `None` if invalid. An uphill move
    /// is accepted exactly when `uniform < p_accept`.
    pub p_accept: Option<f64>,
    /// What the step did.
    pub verdict: Verdict,
}

/// Move counters of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Moves applied.
    pub accepted: u64,
    /// Moves priced and refused.
    pub rejected: u64,
    /// Steps with no valid move, all kinds.
    pub invalid: u64,
    /// Invalid steps by kind (index = `InvalidKind.0`).
    pub invalid_by_kind: [u64; MAX_INVALID_KINDS],
    /// Accepted moves that improved on the best energy.
    pub improvements: u64,
}

/// The numbers a progress event carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Steps done.
    pub step: u64,
    /// Steps in the run.
    pub total_steps: u64,
    /// 1-based cycle of the last step done (1 before any step).
    pub cycle: u64,
    /// Cycles in the run.
    pub num_cycles: u64,
    /// Temperature of the last step done (T0 before any step).
    pub temperature: f64,
    /// Energy of the current state.
    pub current_energy: f64,
    /// Best energy seen.
    pub best_energy: f64,
    /// Step count at which the best state was reached.
    pub best_step: u64,
    /// Moves applied.
    pub accepted_moves: u64,
    /// Moves refused.
    pub rejected_moves: u64,
    /// Steps without a valid move.
    pub invalid_moves: u64,
    /// Invalid steps of each named kind (e.g. `disconnected`). Not serialised: a
    /// reader shows them under names of its own (the server's `NAME_moves`).
    #[serde(skip)]
    pub invalid_by_kind: Vec<(String, u64)>,
    /// Accepted moves that set a new best.
    pub improvements: u64,
    /// Accepted / (accepted + rejected) over roughly the last 1,000 to 2,000 steps.
    pub acceptance_rate: f64,
    /// All steps done.
    pub is_complete: bool,
}

/// Simulated annealing over problem `P`, step by step.
pub struct Annealer<P: Problem> {
    problem: P,
    config: AnnealConfig,
    schedule: Schedule,
    /// Caches the schedule's block factor for sequential steps (speed only).
    cursor: TemperatureCursor,
    /// Every step's temperature when the schedule is constant (`T0`, the bits
    /// `Schedule::temperature` returns for it), so a sequential uphill step reads it
    /// rather than calling through the temperature cursor, which is not inlined there:
    /// 22 instructions per kroA100 2-opt step (callgrind), speed only.
    constant_temperature: Option<f64>,
    /// Metropolis thresholds per delta and temperature block, for problems with
    /// [`Problem::FEW_DELTAS`] (speed only).
    deltas: DeltaTable,
    sign: f64,
    total_steps: u64,
    state: P::State,
    best: P::State,
    /// `sign * energy(state)`: the annealer always minimises this.
    cost: f64,
    best_cost: f64,
    best_step: u64,
    step: u64,
    counters: Counters,
    window: Window,
    stream: StepStream,
    /// Words of steps `step, step+1, ..` already drawn from `stream`.
    pending: VecDeque<StepWords>,
    slots: Vec<Mutex<Option<Candidate<P::Move>>>>,
    auto: AutoBatch,
    pool: Option<Arc<rayon::ThreadPool>>,
    /// Speculative rounds run in the pool (a diagnostic: speed only, never the trajectory).
    parallel_rounds: u64,
}

impl<P: Problem> Annealer<P> {
    /// The run loops' "no observer".
    const NO_OBSERVER: Option<fn(&StepView<'_, P>)> = None;

    /// An annealer at step 0. Fails if the config is out of range.
    pub fn new(problem: P, config: AnnealConfig) -> Result<Self, ConfigError> {
        const {
            assert!(
                P::WORDS_PER_STEP >= MIN_WORDS_PER_STEP && P::WORDS_PER_STEP <= WORDS_PER_STEP,
                "Problem::WORDS_PER_STEP must be 2..=8"
            )
        };
        config.validate()?;
        let sign = config.direction.sign();
        let schedule = match config.fixed_schedule() {
            Some(s) => s,
            None => {
                let (t0, t1) = estimate_temperatures(&problem, config.seed, sign);
                Schedule::geometric(t0, t1, config.steps_per_cycle)
            }
        };
        let constant_temperature =
            (config.schedule == ScheduleKind::Constant).then(|| schedule.initial_temp());
        let state = problem.initial_state();
        let cost = sign * problem.energy(&state);
        Ok(Self {
            best: state.clone(),
            state,
            cost,
            best_cost: cost,
            best_step: 0,
            step: 0,
            counters: Counters::default(),
            window: Window::default(),
            stream: step_stream(&problem, &config),
            cursor: TemperatureCursor::default(),
            constant_temperature,
            deltas: DeltaTable::default(),
            pending: VecDeque::with_capacity(MAX_BATCH as usize),
            slots: (0..MAX_BATCH).map(|_| Mutex::new(None)).collect(),
            auto: AutoBatch { step_ns: 0.0, round_ns: 20_000.0 },
            pool: None,
            parallel_rounds: 0,
            total_steps: config.total_steps(),
            sign,
            schedule,
            config,
            problem,
        })
    }

    /// Share a rayon pool (a server running many sessions) instead of making one.
    pub fn with_pool(mut self, pool: Arc<rayon::ThreadPool>) -> Self {
        self.pool = Some(pool);
        self.measure_round_cost();
        self
    }

    /// Back to step 0 with the same problem, config and schedule.
    pub fn reset(&mut self) {
        self.state = self.problem.initial_state();
        self.best.clone_from(&self.state);
        self.cost = self.sign * self.problem.energy(&self.state);
        self.best_cost = self.cost;
        self.best_step = 0;
        self.step = 0;
        self.counters = Counters::default();
        self.window = Window::default();
        self.stream = step_stream(&self.problem, &self.config);
        self.cursor = TemperatureCursor::default();
        self.pending.clear();
    }

    /// Advance exactly one step; `None` once the run is complete.
    pub fn step(&mut self) -> Option<StepOutcome> {
        self.advance(&mut |_| {}, Self::NO_OBSERVER)
    }

    /// Advance exactly one step like [`Annealer::step`], and show it to `observer`
    /// first: its number, temperature, proposal, the state it starts from, delta, the
    /// uniform it drew, the acceptance probability and the verdict (see [`StepView`]).
    /// The observer runs after the step is decided and before an accepted move is
    /// applied; the trajectory is the same with or without it. `None` (and no call)
    /// once the run is complete.
    pub fn step_observed(&mut self, observer: impl FnOnce(&StepView<'_, P>)) -> Option<StepOutcome> {
        self.advance(&mut |_| {}, Some(observer))
    }

    /// Advance up to `n` steps (fewer at the end of the run); returns how many.
    pub fn run(&mut self, n: u64) -> u64 {
        self.run_observed(n, &mut |_| {})
    }

    /// Like [`Annealer::run`], calling `on_accept` with the new state after every
    /// accepted move (for example to count distinct states visited).
    pub fn run_observed(&mut self, n: u64, on_accept: &mut (impl FnMut(&P::State) + Send)) -> u64 {
        let start = self.step;
        let end = self.step.saturating_add(n).min(self.total_steps);
        match self.config.batch {
            Batch::Fixed(1) => self.run_sequential(end, on_accept),
            Batch::Fixed(k) => {
                let pool = self.pool();
                pool.install(|| {
                    while self.step < end {
                        let k = (k as u64).min(end - self.step) as usize;
                        self.speculative_round(k, on_accept);
                    }
                });
            }
            Batch::Auto => {
                let in_pool = |this: &mut Self, pool: Arc<rayon::ThreadPool>, on_accept: &mut _| {
                    pool.install(|| this.run_auto(end, true, on_accept));
                };
                if let Some(pool) = self.pool.clone() {
                    in_pool(self, pool, on_accept);
                } else if self.run_auto(end, false, on_accept) == AutoExit::NeedsPool {
                    let pool = self.pool();
                    in_pool(self, pool, on_accept);
                }
            }
        }
        self.step - start
    }

    #[inline]
    fn next_words(&mut self) -> StepWords {
        match self.pending.pop_front() {
            Some(w) => w,
            None => self.stream.next_step_sized(P::WORDS_PER_STEP),
        }
    }

    /// One sequential step. `observer` is `None` in every run loop, where its code
    /// compiles away; `step_observed` passes one.
    // Always inlined into the run loops: as a call, every step reloaded the
    // annealer's fields and paid a large prologue (about 10% of a TSP step).
    #[inline(always)]
    fn advance<O: FnOnce(&StepView<'_, P>)>(
        &mut self,
        on_accept: &mut (impl FnMut(&P::State) + Send),
        observer: Option<O>,
    ) -> Option<StepOutcome> {
        if self.step >= self.total_steps {
            return None;
        }
        let t = self.step;
        let words = self.next_words();
        let mut rng = StepRng::new(self.config.seed, t, &words);
        let outcome = match self.problem.propose(&self.state, &mut rng) {
            Proposal::Invalid(kind) => {
                if let Some(observe) = observer {
                    let temperature = self.cursor.temperature(&self.schedule, t);
                    observe(&StepView {
                        step: t,
                        temperature,
                        proposal: Proposal::Invalid(kind),
                        state_before: &self.state,
                        delta: None,
                        uniform: words.uniform(),
                        p_accept: None,
                        verdict: Verdict::Invalid(kind),
                    });
                }
                self.record_invalid(kind)
            }
            Proposal::Move(mv) => {
                let delta = self.sign * self.problem.delta(&self.state, &mv);
                let (schedule, cursor) = (&self.schedule, &mut self.cursor);
                let accepted = if P::FEW_DELTAS {
                    delta <= 0.0 || {
                        let temperature = cursor.temperature(schedule, t);
                        match cursor.block(schedule) {
                            Some(block) => self.deltas.uphill(
                                delta,
                                block,
                                || cursor.span(schedule),
                                || temperature,
                                words.uniform(),
                            ),
                            None => metropolis(delta, || temperature, || words.uniform()),
                        }
                    }
                } else {
                    match self.constant_temperature {
                        Some(t0) => metropolis(delta, || t0, || words.uniform()),
                        // The cursor is read here, inlined, rather than from a closure
                        // `metropolis` calls, which was not inlined (callgrind, kroA100
                        // 2-opt under a geometric schedule: 309 instructions a step, 297
                        // this way).
                        None => {
                            delta <= 0.0 || {
                                let temperature = cursor.temperature(schedule, t);
                                metropolis(delta, || temperature, || words.uniform())
                            }
                        }
                    }
                };
                if let Some(observe) = observer {
                    // Computed for the observer only: the decision above may not have needed them.
                    let temperature = self.cursor.temperature(&self.schedule, t);
                    let p_accept = if delta <= 0.0 { 1.0 } else { (-delta / temperature).exp() };
                    observe(&StepView {
                        step: t,
                        temperature,
                        proposal: Proposal::Move(&mv),
                        state_before: &self.state,
                        delta: Some(self.sign * delta),
                        uniform: words.uniform(),
                        p_accept: Some(p_accept),
                        verdict: if accepted { Verdict::Accepted } else { Verdict::Rejected },
                    });
                }
                if accepted {
                    let outcome = self.record_accepted(&mv, delta);
                    on_accept(&self.state);
                    outcome
                } else {
                    self.record_rejected(delta)
                }
            }
        };
        self.step += 1;
        Some(outcome)
    }

    /// Sequential steps until `end`: [`Annealer::advance`] repeated, with no observer.
    ///
    /// For a problem with [`Problem::FEW_DELTAS`] (the magnet, whose step is a few
    /// nanoseconds) the steps run block by block of the temperature cursor, so what a
    /// block shares is settled once per block rather than per step: the block's id for
    /// the delta table, the schedule's shape, the direction's sign (a branch-free
    /// negation instead of a multiplication on the step's critical path). Each step
    /// still draws its own words, prices its own move and records its own outcome in
    /// order: the trajectory is `advance`'s, bit for bit (tests compare the two).
    #[inline(always)]
    fn run_sequential(&mut self, end: u64, on_accept: &mut (impl FnMut(&P::State) + Send)) {
        if !P::FEW_DELTAS {
            while self.step < end {
                self.advance(on_accept, Self::NO_OBSERVER);
            }
            return;
        }
        // Words a speculative round already drew stay in order: use them up first.
        while self.step < end && !self.pending.is_empty() {
            self.advance(on_accept, Self::NO_OBSERVER);
        }
        let end = end.min(self.total_steps);
        let maximise = self.sign < 0.0;
        while self.step < end {
            let t = self.step;
            self.cursor.temperature(&self.schedule, t);
            let (Some(block), Some(block_end)) =
                (self.cursor.block(&self.schedule), self.cursor.block_end(&self.schedule))
            else {
                // Linear and Faulon schedules have no blocks (a run keeps its schedule):
                // one step at a time to the end.
                while self.step < end {
                    self.advance(on_accept, Self::NO_OBSERVER);
                }
                return;
            };
            let stop = block_end.min(end);
            if maximise {
                self.run_block::<true>(block, stop, on_accept);
            } else {
                self.run_block::<false>(block, stop, on_accept);
            }
        }
    }

    /// Steps `self.step..stop`, all in the temperature cursor's block `block` (see
    /// [`Annealer::run_sequential`]); `MAXIMISE` is `self.sign < 0`.
    #[inline(always)]
    fn run_block<const MAXIMISE: bool>(
        &mut self,
        block: u64,
        stop: u64,
        on_accept: &mut (impl FnMut(&P::State) + Send),
    ) {
        // The acceptance window and the rejection count are settled once per chunk of
        // steps that stays inside one of the window's blocks, not per step (speed only:
        // the counts are the same as `advance`'s).
        while self.step < stop {
            let chunk_stop = stop.min(self.step + self.window.room());
            let (start, accepted, invalid) = (self.step, self.counters.accepted, self.counters.invalid);
            self.run_chunk::<MAXIMISE>(block, chunk_stop, on_accept);
            let steps = self.step - start;
            let accepted = self.counters.accepted - accepted;
            let valid = steps - (self.counters.invalid - invalid);
            self.counters.rejected += valid - accepted;
            self.window.add(steps, valid, accepted);
        }
    }

    /// [`Annealer::run_block`]'s steps `self.step..stop`, inside one block of the
    /// acceptance window: counts accepted and invalid steps only (the caller settles
    /// the window and the rejections).
    #[inline(always)]
    fn run_chunk<const MAXIMISE: bool>(
        &mut self,
        block: u64,
        stop: u64,
        on_accept: &mut (impl FnMut(&P::State) + Send),
    ) {
        if self.stream.fills_steps() {
            // ChaCha8: the words of many steps in one read (see `bulk`).
            return self.run_chunk_bulk::<MAXIMISE>(block, stop, on_accept);
        }
        let seed = self.config.seed;
        while self.step < stop {
            let t = self.step;
            // Under a counter-based generator the uniform is made below, only for an
            // uphill step: a downhill one makes none.
            let words = self.stream.next_proposal(P::WORDS_PER_STEP);
            let proposal = self.problem.propose(&self.state, &mut StepRng::new(seed, t, &words));
            self.chunk_step::<MAXIMISE>(
                block,
                proposal,
                |stream| stream.uniform_bits_of(t, &words),
                on_accept,
            );
        }
    }

    /// The rest of a step of [`Annealer::run_chunk`] (step `self.step`, in block
    /// `block`, whose temperatures the cursor holds) once `proposal` is drawn;
    /// `uniform` gives the 64 bits of its Metropolis uniform, asked for only if the
    /// move is uphill.
    #[inline(always)]
    fn chunk_step<const MAXIMISE: bool>(
        &mut self,
        block: u64,
        proposal: Proposal<P::Move>,
        uniform: impl FnOnce(&mut StepStream) -> u64,
        on_accept: &mut (impl FnMut(&P::State) + Send),
    ) {
        let t = self.step;
        match proposal {
            Proposal::Invalid(kind) => self.count_invalid(kind),
            Proposal::Move(mv) => {
                let d = self.problem.delta(&self.state, &mv);
                // `sign * d` with sign = -1 or 1, exactly.
                let delta = if MAXIMISE { -d } else { d };
                // The cursor already holds this block: a copy answers for all its steps.
                let (schedule, cursor) = (&self.schedule, &self.cursor);
                let accepted = delta <= 0.0 || {
                    let bits = uniform(&mut self.stream);
                    self.deltas.uphill_bits(
                        delta,
                        block,
                        || cursor.span(schedule),
                        || {
                            let mut within = *cursor;
                            within.temperature(schedule, t)
                        },
                        bits,
                    )
                };
                if accepted {
                    self.accept(&mv, delta);
                    on_accept(&self.state);
                }
            }
        }
        self.step += 1;
    }

    #[inline]
    fn record_invalid(&mut self, kind: InvalidKind) -> StepOutcome {
        self.count_invalid(kind);
        self.window.push(false, false);
        StepOutcome::Invalid(kind)
    }

    /// Count an invalid step (the window is the caller's).
    #[inline]
    fn count_invalid(&mut self, kind: InvalidKind) {
        self.counters.invalid += 1;
        let slot = (kind.0 as usize).min(MAX_INVALID_KINDS - 1);
        self.counters.invalid_by_kind[slot] += 1;
    }

    #[inline]
    fn record_rejected(&mut self, delta: f64) -> StepOutcome {
        self.counters.rejected += 1;
        self.window.push(true, false);
        StepOutcome::Rejected { delta: self.sign * delta }
    }

    #[inline(always)]
    fn record_accepted(&mut self, mv: &P::Move, delta: f64) -> StepOutcome {
        let new_best = self.accept(mv, delta);
        self.window.push(true, true);
        StepOutcome::Accepted { delta: self.sign * delta, new_best }
    }

    /// Apply an accepted move and count it (the window is the caller's); true if it
    /// gave a new best state.
    #[inline(always)]
    fn accept(&mut self, mv: &P::Move, delta: f64) -> bool {
        self.problem.apply(&mut self.state, mv);
        self.cost += delta;
        self.counters.accepted += 1;
        let new_best = self.cost < self.best_cost;
        if new_best {
            self.record_best();
        }
        new_best
    }

    /// The current state is a new best: copy it (rare next to steps, so kept out of line).
    #[cold]
    #[inline(never)]
    fn record_best(&mut self) {
        self.best_cost = self.cost;
        self.best.clone_from(&self.state);
        self.best_step = self.step + 1;
        self.counters.improvements += 1;
    }

    /// Swap the current states of two annealers of the same problem and direction: a
    /// replica exchange ([`crate::tempering`]). Each keeps its own schedule, stream,
    /// counters and best; only the state and its energy move.
    pub(crate) fn exchange_states(a: &mut Self, b: &mut Self) {
        std::mem::swap(&mut a.state, &mut b.state);
        std::mem::swap(&mut a.cost, &mut b.cost);
    }

    /// Take `other`'s best state if it is strictly better than this one's (ties keep
    /// this one's): how the coldest replica of a tempering run carries the best of all.
    pub(crate) fn adopt_best(&mut self, other: &Self) {
        if other.best_cost < self.best_cost {
            self.best_cost = other.best_cost;
            self.best.clone_from(&other.best);
            self.best_step = other.best_step;
            self.counters.improvements += 1;
        }
    }

    /// The annealed cost (`sign * energy`) of the current state.
    pub(crate) fn cost(&self) -> f64 {
        self.cost
    }

    /// The annealed cost of the best state.
    pub(crate) fn best_cost(&self) -> f64 {
        self.best_cost
    }

    /// The step at which the best state was reached.
    pub(crate) fn best_step(&self) -> u64 {
        self.best_step
    }

    /// Accepted per valid proposal over roughly the last 1,000 to 2,000 steps.
    pub(crate) fn recent_acceptance(&self) -> f64 {
        self.window.acceptance()
    }

    /// Run at the constant temperature `t` from the next step on (a replica whose
    /// place on a tuned ladder moved, [`crate::tempering`]). Only the temperature
    /// changes: state, stream, counters and best stay.
    pub(crate) fn set_temperature(&mut self, t: f64) {
        self.schedule = Schedule::constant(t, self.config.steps_per_cycle);
        self.constant_temperature = Some(t);
        self.config.initial_temp = t;
        self.cursor = TemperatureCursor::default();
        self.deltas = DeltaTable::default();
    }

    /// The numbers of a progress event.
    pub fn snapshot(&self) -> Snapshot {
        let last = self.step.saturating_sub(1);
        let names = self.problem.invalid_kinds();
        Snapshot {
            step: self.step,
            total_steps: self.total_steps,
            cycle: if self.step == 0 { 1 } else { last / self.config.steps_per_cycle + 1 },
            num_cycles: self.config.cycles,
            temperature: self.schedule.temperature(last),
            current_energy: self.current_energy(),
            best_energy: self.best_energy(),
            best_step: self.best_step,
            accepted_moves: self.counters.accepted,
            rejected_moves: self.counters.rejected,
            invalid_moves: self.counters.invalid,
            invalid_by_kind: names
                .iter()
                .enumerate()
                .map(|(i, name)| (name.to_string(), self.counters.invalid_by_kind[i + 1]))
                .collect(),
            improvements: self.counters.improvements,
            acceptance_rate: self.window.acceptance(),
            is_complete: self.is_complete(),
        }
    }

    /// A replay checkpoint of the current step.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            step: self.step,
            current_energy: self.current_energy(),
            best_energy: self.best_energy(),
            state_hash: state_hash(&self.state),
        }
    }

    /// Energy of the current state as tracked incrementally.
    pub fn current_energy(&self) -> f64 {
        self.sign * self.cost
    }

    /// Best energy seen.
    pub fn best_energy(&self) -> f64 {
        self.sign * self.best_cost
    }

    /// Energy of the current state recomputed from scratch (for checks).
    pub fn recomputed_energy(&self) -> f64 {
        self.problem.energy(&self.state)
    }

    /// Steps done.
    pub fn steps_done(&self) -> u64 {
        self.step
    }

    /// Steps in the run.
    pub fn total_steps(&self) -> u64 {
        self.total_steps
    }

    /// All steps done.
    pub fn is_complete(&self) -> bool {
        self.step >= self.total_steps
    }

    /// The move counters.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// The current state.
    pub fn state(&self) -> &P::State {
        &self.state
    }

    /// The best state seen.
    pub fn best_state(&self) -> &P::State {
        &self.best
    }

    /// The problem being annealed.
    pub fn problem(&self) -> &P {
        &self.problem
    }

    /// The run's config.
    pub fn config(&self) -> &AnnealConfig {
        &self.config
    }

    /// The resolved schedule (for `auto`, with its estimated temperatures).
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// Speculative rounds this annealer has run in its pool since it was made (batch
    /// above 1). Zero means the run never touched rayon.
    pub fn parallel_rounds(&self) -> u64 {
        self.parallel_rounds
    }

    /// Whether the schedule was estimated (`auto`).
    pub fn schedule_is_estimated(&self) -> bool {
        self.config.schedule == ScheduleKind::Auto
    }
}
