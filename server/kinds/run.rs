//! A run of any kind: the object-safe [`Anneal`] over the engine's generic
//! `Annealer<P>`, and [`Run`], the one type sessions, `kiln run` and `kiln replay`
//! hold.
//!
//! Dynamic dispatch costs one virtual call per *frame* (`run(n)` advances n steps
//! inside the monomorphised engine loop), never one per step. A kind supplies only
//! a [`StateView`] of its problem (how to draw a state, its extra progress fields,
//! its known optimum, and optionally an observer of accepted states and a
//! description of a move in the problem's own terms); the blanket [`Annealed`]
//! pairs it with the annealer and implements [`Anneal`] for every kind.
//!
//! Teaching steps: the last step of every `run(n)` (and every `step()`) goes
//! through the engine's `step_observed`, which changes nothing in the trajectory,
//! and its [`StepView`] becomes the `move` object of the next progress event
//! ([`describe_step`]): delta, T, u, p_accept, the verdict, a one-line reason and
//! the kind's own description. One observed step per frame, never one per step.

mod tempered;

use std::sync::Arc;

use kiln_engine::{
    AnnealConfig, Annealer, Checkpoint, Counters, Direction, InvalidKind, Problem, Proposal, ReplayRecord,
    Snapshot, StepOutcome, StepView, Tempering, Verdict,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

pub use super::anneal::Anneal;
use super::kind::{Built, Defaults, Spec};
use super::param::ParamError;

/// Steps a record's re-run takes between two looks at its stop signal: a few
/// milliseconds of any kind.
pub const RECORD_CHUNK: u64 = 16_384;

/// What a kind knows about its own states, beside the engine.
pub trait StateView<P: Problem>: Send + 'static {
    /// Whether [`StateView::observe`] wants every accepted state (costs a callback
    /// per accepted step, so off unless a kind needs it).
    const OBSERVES: bool = false;
    /// Called with the initial state, at start and after every reset.
    fn restart(&mut self, _problem: &P, _state: &P::State) {}
    /// Called with every accepted state when [`StateView::OBSERVES`] is true.
    fn observe(&mut self, _state: &P::State) {}
    /// Ask to be called ([`StateView::at_every`]) after every step whose count is a
    /// multiple of this (argmin's `ObserverMode::Every`): a kind that samples at
    /// fixed steps (a magnet's sweeps) uses the shared run type and is called at
    /// exactly those steps however the run is cut into frames. `None` (the
    /// default): never.
    fn every(&self) -> Option<u64> {
        None
    }
    /// Called after every step whose count is a multiple of [`StateView::every`],
    /// with the annealer at that step.
    fn at_every(&mut self, _sa: &Annealer<P>) {}
    /// An SVG drawing of a state.
    fn draw(&self, problem: &P, state: &P::State) -> String;
    /// A state as plain JSON a user can read back and check (spins as +1/-1, a tour
    /// as 0-based city indices, a molecule as SMILES): the `best_state` of results.
    /// None by default (a kind without it reports no state).
    fn state_json(&self, _problem: &P, _state: &P::State) -> Option<Value> {
        None
    }
    /// The kind's extra progress fields.
    fn extra(&self, _sa: &Annealer<P>) -> Map<String, Value> {
        Map::new()
    }
    /// The energy of a known optimum, if any.
    fn optimum(&self, _sa: &Annealer<P>) -> Option<f64> {
        None
    }
    /// A step's move in the problem's own terms (bonds changed, tour edges removed
    /// and added, the spin flipped), for teaching mode: fields merged into the
    /// step's `move` object. `text` (a short phrase) is shown beside the numbers;
    /// for an invalid step, `why` says what made it invalid. None by default: the
    /// move then carries only the shared numbers.
    /// It sees the step only (the annealer is busy stepping): a view that needs the
    /// problem's data keeps its own copy.
    fn describe(&self, _step: &StepView<'_, P>) -> Option<Map<String, Value>> {
        None
    }
}

/// Start a run of `problem` shown by `view`: one annealing chain, or replica exchange
/// when the config asks for it (`method: tempering`, see [`tempered`]).
pub fn start<P: Problem + Clone + 'static, V: StateView<P>>(
    problem: P,
    view: V,
    config: AnnealConfig,
) -> Result<Box<dyn Anneal>, ParamError> {
    let error = |e: kiln_engine::ConfigError| ParamError::new(e.field, e.message);
    if config.tempering.is_some() {
        let pt = Tempering::new(problem, config).map_err(error)?;
        return Ok(Box::new(tempered::Tempered::new(pt, view)));
    }
    let sa = Annealer::new(problem, config).map_err(error)?;
    Ok(Box::new(Annealed::new(sa, view)))
}

/// The `move` object of one observed step: `step` (1-based, as progress counts
/// steps), `verdict` (`accepted`, `rejected` or `invalid`), `invalid_kind` (for
/// invalid steps: `generic` or the problem's name, e.g. `disconnected`), `delta`
/// (energy change in the problem's units and sign; null if invalid),
/// `temperature`, `u` (the draw), `p_accept` (`min(1, exp(-d/T))` for the annealed
/// cost change d; null if invalid), `zero_change` (the move changes no energy, so
/// it is always accepted), `reason` (one plain line), and the kind's own fields.
pub fn describe_step<P: Problem>(
    invalid_names: &[&str],
    direction: Direction,
    step: &StepView<'_, P>,
    own: Option<Map<String, Value>>,
) -> Value {
    let mut out = Map::new();
    let verdict = match step.verdict {
        Verdict::Accepted => "accepted",
        Verdict::Rejected => "rejected",
        Verdict::Invalid(_) => "invalid",
    };
    out.insert("step".into(), json!(step.step + 1));
    out.insert("verdict".into(), json!(verdict));
    if let Proposal::Invalid(kind) = step.proposal {
        out.insert("invalid_kind".into(), json!(invalid_name(invalid_names, kind)));
    }
    out.insert("delta".into(), json!(step.delta));
    out.insert("temperature".into(), json!(step.temperature));
    out.insert("u".into(), json!(step.uniform));
    out.insert("p_accept".into(), json!(step.p_accept));
    out.insert("zero_change".into(), json!(step.delta == Some(0.0)));
    let why = own.as_ref().and_then(|m| m.get("why")).and_then(Value::as_str).map(str::to_owned);
    out.insert("reason".into(), json!(reason(invalid_names, direction, step, why)));
    if let Some(own) = own {
        for (key, value) in own {
            out.entry(key).or_insert(value);
        }
    }
    Value::Object(out)
}

/// The name of an invalid kind: `generic` for kind 0, else the problem's
/// (`Problem::invalid_kinds` names kinds 1..).
fn invalid_name<'a>(names: &[&'a str], kind: InvalidKind) -> &'a str {
    match kind.0 {
        0 => "generic",
        k => names.get(usize::from(k) - 1).copied().unwrap_or("generic"),
    }
}

/// The one-line reason, in the order a student checks it: the energy change, the
/// temperature, the chance of taking an uphill move `e^(-delta/T)`, the random number,
/// the verdict: "energy up by 4, temperature T = 2.1, chance e^(-4/2.1) = 0.15, random
/// number 0.62 is not below 0.15, so rejected"; "energy down by 3: downhill moves are
/// always taken, so accepted". A maximised score says "worse" and "better" instead.
fn reason<P: Problem>(
    invalid_names: &[&str],
    direction: Direction,
    step: &StepView<'_, P>,
    why: Option<String>,
) -> String {
    let (Some(delta), Some(p)) = (step.delta, step.p_accept) else {
        let kind = match step.proposal {
            Proposal::Invalid(kind) => invalid_name(invalid_names, kind),
            Proposal::Move(_) => "generic",
        };
        return match why {
            Some(why) => format!("invalid: {why}"),
            None if kind == "generic" => "invalid: no valid move was found this step".into(),
            None => format!("invalid ({kind}): no valid move was found this step"),
        };
    };
    let cost = direction.sign() * delta;
    let (change, worse, better) = match direction {
        Direction::Minimize => ("energy", "up", "down"),
        Direction::Maximize => ("score", "worse", "better"),
    };
    let verdict = if matches!(step.verdict, Verdict::Accepted) { "accepted" } else { "rejected" };
    if cost == 0.0 {
        format!("{change} unchanged: moves that change nothing are always taken, so {verdict}")
    } else if cost < 0.0 {
        let kind = if direction == Direction::Minimize { "downhill" } else { "improving" };
        format!("{change} {better} by {}: {kind} moves are always taken, so {verdict}", number(cost.abs()))
    } else {
        let (x, t, u) = (number(cost), number(step.temperature), probability(step.uniform));
        let p = probability(p);
        let below = if step.uniform < step.p_accept.unwrap_or(0.0) { "is below" } else { "is not below" };
        format!(
            "{change} {worse} by {x}, temperature T = {t}, chance e^(-{x}/{t}) = {p}, random number {u} {below} {p}, so {verdict}"
        )
    }
}

/// A number for a sentence: whole numbers whole, else three significant digits.
pub fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e12 {
        return format!("{x:.0}");
    }
    let magnitude = x.abs();
    if magnitude >= 100.0 {
        format!("{x:.1}")
    } else if magnitude >= 0.001 {
        let digits = (2 - magnitude.log10().floor() as i32).clamp(0, 6) as usize;
        let text = format!("{x:.digits$}");
        if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
    } else {
        format!("{x:.2e}")
    }
}

/// A probability or draw: two decimals, or scientific notation below 0.01.
fn probability(p: f64) -> String {
    if p == 0.0 || p >= 0.01 { format!("{p:.2}") } else { format!("{p:.1e}") }
}

/// The engine's annealer paired with its kind's view: the blanket [`Anneal`].
pub struct Annealed<P: Problem, V> {
    sa: Annealer<P>,
    view: V,
    /// The last step's `move` object (see [`describe_step`]).
    last: Option<Value>,
}

impl<P: Problem + 'static, V: StateView<P>> Annealed<P, V> {
    /// Pair an annealer at step 0 with its view.
    pub fn new(sa: Annealer<P>, mut view: V) -> Self {
        view.restart(sa.problem(), sa.state());
        Annealed { sa, view, last: None }
    }

    /// Up to `n` steps without a description, stopping at every multiple of
    /// [`StateView::every`] to call the view there.
    fn run_quietly(&mut self, n: u64) -> u64 {
        let Some(every) = self.view.every().filter(|&k| k > 0) else {
            return self.run_unobserved(n);
        };
        let start = self.sa.steps_done();
        let end = start.saturating_add(n);
        while self.sa.steps_done() < end {
            let step = self.sa.steps_done();
            let boundary = (step / every).saturating_add(1).saturating_mul(every);
            if self.run_unobserved(boundary.min(end) - step) == 0 {
                break;
            }
            self.call_at_every(every);
        }
        self.sa.steps_done() - start
    }

    /// Call the view if the run stands at a multiple of `every`.
    fn call_at_every(&mut self, every: u64) {
        let step = self.sa.steps_done();
        if step > 0 && step.is_multiple_of(every) {
            self.view.at_every(&self.sa);
        }
    }

    /// Steps without observation (the monomorphised loop).
    fn run_unobserved(&mut self, n: u64) -> u64 {
        if V::OBSERVES {
            let view = &mut self.view;
            self.sa.run_observed(n, &mut |s: &P::State| view.observe(s))
        } else {
            self.sa.run(n)
        }
    }

    /// One step through the engine's observer, keeping its description.
    fn step_described(&mut self) -> Option<StepOutcome> {
        let direction = self.sa.config().direction;
        let names = self.sa.problem().invalid_kinds();
        let mut described = None;
        let view = &self.view;
        let outcome = self.sa.step_observed(|step| {
            described = Some(describe_step(names, direction, step, view.describe(step)));
        });
        if let Some(value) = described {
            self.last = Some(value);
        }
        if V::OBSERVES && matches!(outcome, Some(StepOutcome::Accepted { .. })) {
            self.view.observe(self.sa.state());
        }
        if outcome.is_some()
            && let Some(every) = self.view.every().filter(|&k| k > 0)
        {
            self.call_at_every(every);
        }
        outcome
    }
}

impl<P: Problem + 'static, V: StateView<P>> Anneal for Annealed<P, V> {
    fn run(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let done = self.run_quietly(n - 1);
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

    fn best_state(&self) -> Option<Value> {
        self.view.state_json(self.sa.problem(), self.sa.best_state())
    }

    fn temperatures(&self) -> Option<(f64, f64)> {
        let schedule = self.sa.schedule();
        Some((schedule.initial_temp(), schedule.final_temp()))
    }

    fn reset(&mut self) {
        self.last = None;
        self.sa.reset();
        self.view.restart(self.sa.problem(), self.sa.state());
    }

    fn snapshot(&self) -> Snapshot {
        self.sa.snapshot()
    }

    fn checkpoint(&self) -> Checkpoint {
        self.sa.checkpoint()
    }

    fn counters(&self) -> Counters {
        *self.sa.counters()
    }

    fn steps_done(&self) -> u64 {
        self.sa.steps_done()
    }

    fn total_steps(&self) -> u64 {
        self.sa.total_steps()
    }

    fn is_complete(&self) -> bool {
        self.sa.is_complete()
    }

    fn config(&self) -> &AnnealConfig {
        self.sa.config()
    }

    fn optimal_energy(&self) -> Option<f64> {
        self.view.optimum(&self.sa)
    }

    fn extra(&self) -> Map<String, Value> {
        self.view.extra(&self.sa)
    }

    fn current_svg(&self) -> String {
        self.view.draw(self.sa.problem(), self.sa.state())
    }

    fn best_svg(&self) -> String {
        self.view.draw(self.sa.problem(), self.sa.best_state())
    }

    fn with_pool(self: Box<Self>, pool: Arc<rayon::ThreadPool>) -> Box<dyn Anneal> {
        let Annealed { sa, view, last } = *self;
        Box::new(Annealed { sa: sa.with_pool(pool), view, last })
    }
}

/// A built problem with its view and defaults: the usual [`Built`].
pub struct Ready<P, V> {
    problem: P,
    view: V,
    defaults: Defaults,
    headless: Option<Defaults>,
    expected: Option<ExpectedSeconds>,
}

/// Seconds a run of so many steps is expected to take (see [`Built::expected_seconds`]).
type ExpectedSeconds = Box<dyn Fn(u64) -> f64 + Send>;

impl<P, V> Ready<P, V> {
    /// A problem ready to anneal.
    pub fn new(problem: P, view: V, defaults: Defaults) -> Box<Self> {
        Box::new(Ready { problem, view, defaults, headless: None, expected: None })
    }

    /// Other defaults for headless runs ([`Built::headless_defaults`]).
    pub fn headless(mut self: Box<Self>, defaults: Defaults) -> Box<Self> {
        self.headless = Some(defaults);
        self
    }

    /// How long a run of so many steps is expected to take ([`Built::expected_seconds`]).
    pub fn expected_seconds(mut self: Box<Self>, seconds: impl Fn(u64) -> f64 + Send + 'static) -> Box<Self> {
        self.expected = Some(Box::new(seconds));
        self
    }
}

impl<P: Problem + Clone + 'static, V: StateView<P>> Built for Ready<P, V> {
    fn defaults(&self) -> Defaults {
        self.defaults
    }

    fn headless_defaults(&self) -> Defaults {
        self.headless.unwrap_or(self.defaults)
    }

    fn expected_seconds(&self, steps: u64) -> Option<f64> {
        self.expected.as_ref().map(|seconds| seconds(steps))
    }

    fn start(self: Box<Self>, config: AnnealConfig) -> Result<Box<dyn Anneal>, ParamError> {
        start(self.problem, self.view, config)
    }
}

/// The numbers of one progress event, with the protocol's field names: the engine's
/// [`Snapshot`] (written once, there), what a session adds, and the kind's extra
/// fields beside the shared ones. On the wire the snapshot's fields sit between `run`
/// and `optimal_energy`, flat, as docs/protocol.md lists them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// The problem kind.
    pub problem: String,
    /// Reset generation of the session (1 for a fresh run).
    pub run: u64,
    /// The engine's numbers: steps, cycle, temperature, energies, move counters,
    /// acceptance. Its `invalid_by_kind` is not on the wire as such: it becomes the
    /// `NAME_moves` fields of [`Progress::extra`].
    #[serde(flatten)]
    pub snapshot: Snapshot,
    /// Known optimum of the instance, if any.
    pub optimal_energy: Option<f64>,
    /// Running wall time of the session in milliseconds (0 outside a session).
    pub elapsed_ms: u64,
    /// The last step's move, described for teaching (the protocol's `move`, see
    /// [`describe_step`]); absent at step 0.
    #[serde(rename = "move", default, skip_serializing_if = "Option::is_none")]
    pub last_move: Option<Value>,
    /// The kind's own fields: `NAME_moves` for each named invalid kind the engine
    /// counts (isomer: `disconnected_moves`), then [`StateView::extra`].
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Most invalid draws one [`Run::step_to_move`] skips before it stops anyway (a
/// default C8H18 run draws about 5 invalid moves per valid one).
pub const MAX_SKIPPED_DRAWS: u64 = 10_000;

/// A run of some kind: what sessions, `kiln run` and `kiln replay` hold.
pub struct Run {
    kind: String,
    inner: Box<dyn Anneal>,
    /// What the last [`Run::step_to_move`] skipped (cleared by any other advance).
    skipped: Option<Skipped>,
    /// An optimum the user gave (`optimal_energy`), reported in place of the kind's.
    optimum: Option<f64>,
}

/// The draws a [`Run::step_to_move`] skipped: how many, and why, in plain words.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Skipped {
    /// Invalid draws skipped (each one counted by the engine's invalid counter).
    pub draws: u64,
    /// Each distinct reason with its count, most frequent first (ties in first-seen order).
    pub reasons: Vec<(String, u64)>,
}

impl Skipped {
    fn add(&mut self, why: String) {
        self.draws += 1;
        match self.reasons.iter_mut().find(|(text, _)| *text == why) {
            Some((_, count)) => *count += 1,
            None => self.reasons.push((why, 1)),
        }
    }

    /// "12 draws skipped: those four atoms could not rearrange their bonds", or with
    /// several reasons "12 draws skipped: 9 times those four atoms ..., 3 times ...".
    pub fn sentence(&self) -> String {
        let mut reasons = self.reasons.clone();
        reasons.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
        let what = if self.draws == 1 { "draw" } else { "draws" };
        let why = match reasons.as_slice() {
            [] => String::new(),
            [(text, _)] => format!(": {text}"),
            many => {
                let parts: Vec<String> =
                    many.iter()
                        .map(|(text, count)| {
                            if *count == 1 { format!("once {text}") } else { format!("{count} times {text}") }
                        })
                        .collect();
                format!(": {}", parts.join("; "))
            }
        };
        format!("{} {what} skipped{why}", self.draws)
    }
}

impl Run {
    /// A run of kind `kind` over an annealer.
    pub fn new(kind: impl Into<String>, inner: Box<dyn Anneal>) -> Self {
        Run { kind: kind.into(), inner, skipped: None, optimum: None }
    }

    /// With the optimum the user gave (`optimal_energy`), if any, in place of the kind's.
    pub fn with_optimal_energy(mut self, optimum: Option<f64>) -> Run {
        self.optimum = optimum.or(self.optimum);
        self
    }

    /// Share a rayon pool for speculative batches.
    pub fn with_pool(self, pool: Arc<rayon::ThreadPool>) -> Run {
        Run { kind: self.kind, inner: self.inner.with_pool(pool), skipped: None, optimum: self.optimum }
    }

    /// The kind's name.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// Advance up to `n` steps; returns how many were done.
    pub fn run(&mut self, n: u64) -> u64 {
        self.skipped = None;
        self.inner.run(n)
    }

    /// Advance one step; `None` once complete.
    pub fn step(&mut self) -> Option<StepOutcome> {
        self.skipped = None;
        self.inner.step()
    }

    /// Advance one step at a time until a move is tried on a valid structure (accepted
    /// or rejected), skipping at most `max_draws` invalid draws, or until the run is
    /// complete; `after_each` sees the run after every step (a session takes its record
    /// checkpoints there). The trajectory is the one `run` would follow: skipping is how
    /// a viewer advances, not what the engine does. The progress `move` then carries
    /// `skipped` (see [`Run::progress`]). Returns the steps done.
    pub fn step_to_move(&mut self, max_draws: u64, mut after_each: impl FnMut(&Run)) -> u64 {
        let mut skipped = Skipped::default();
        let mut done = 0;
        self.skipped = None;
        while let Some(outcome) = self.inner.step() {
            done += 1;
            after_each(self);
            if !matches!(outcome, StepOutcome::Invalid(_)) || skipped.draws + 1 >= max_draws {
                if matches!(outcome, StepOutcome::Invalid(_)) {
                    skipped.add(self.skip_reason());
                }
                break;
            }
            skipped.add(self.skip_reason());
        }
        self.skipped = Some(skipped);
        done
    }

    /// Why the last (invalid) step was skipped: the kind's `why`, else the step's reason.
    fn skip_reason(&self) -> String {
        let last = self.inner.last_move();
        let field =
            |name: &str| last.as_ref().and_then(|m| m.get(name)).and_then(Value::as_str).map(str::to_owned);
        field("why")
            .or_else(|| field("reason").map(|r| r.trim_start_matches("invalid: ").to_owned()))
            .unwrap_or_else(|| "no valid move was found".to_owned())
    }

    /// What the last [`Run::step_to_move`] skipped, if that was the last advance.
    pub fn skipped(&self) -> Option<&Skipped> {
        self.skipped.as_ref()
    }

    /// Back to step 0.
    pub fn reset(&mut self) {
        self.skipped = None;
        self.inner.reset()
    }

    /// The engine's numbers.
    pub fn snapshot(&self) -> Snapshot {
        self.inner.snapshot()
    }

    /// A replay checkpoint of the current step.
    pub fn checkpoint(&self) -> Checkpoint {
        self.inner.checkpoint()
    }

    /// All steps done.
    pub fn is_complete(&self) -> bool {
        self.inner.is_complete()
    }

    /// Steps done.
    pub fn steps_done(&self) -> u64 {
        self.inner.steps_done()
    }

    /// Steps in the run.
    pub fn total_steps(&self) -> u64 {
        self.inner.total_steps()
    }

    /// The run's config.
    pub fn config(&self) -> &AnnealConfig {
        self.inner.config()
    }

    /// The last step's move, described for teaching (see [`describe_step`]).
    pub fn last_move(&self) -> Option<Value> {
        self.inner.last_move()
    }

    /// The best state as plain JSON (spins, tour, SMILES), if the kind gives one.
    pub fn best_state(&self) -> Option<Value> {
        self.inner.best_state()
    }

    /// The schedule's temperatures as resolved (T0, final or floor), `auto`'s as estimated.
    pub fn temperatures(&self) -> Option<(f64, f64)> {
        self.inner.temperatures()
    }

    /// The progress object of the current step (`run` 1, `elapsed_ms` 0: a session
    /// fills those in).
    pub fn progress(&self) -> Progress {
        let s = self.inner.snapshot();
        let mut extra = Map::new();
        for (name, n) in &s.invalid_by_kind {
            extra.insert(format!("{name}_moves"), Value::from(*n));
        }
        extra.extend(self.inner.extra());
        Progress {
            problem: self.kind.clone(),
            run: 1,
            optimal_energy: self.optimum.or_else(|| self.inner.optimal_energy()),
            elapsed_ms: 0,
            last_move: self.last_move_with_skips(),
            extra,
            snapshot: s,
        }
    }

    /// The last move, with `skipped` (`draws`, `text`) after a [`Run::step_to_move`].
    fn last_move_with_skips(&self) -> Option<Value> {
        let mut last = self.inner.last_move()?;
        if let (Some(skipped), Value::Object(fields)) = (&self.skipped, &mut last) {
            fields.insert("skipped".into(), json!({"draws": skipped.draws, "text": skipped.sentence()}));
        }
        Some(last)
    }

    /// Marks that change exactly when the current (first) or best (second) state
    /// may have changed: the stream re-renders a drawing only when its mark moves.
    pub fn state_marks(&self) -> (u64, u64) {
        self.inner.state_marks()
    }

    /// SVG drawing of the current state.
    pub fn current_svg(&self) -> String {
        self.inner.current_svg()
    }

    /// SVG drawing of the best state.
    pub fn best_svg(&self) -> String {
        self.inner.best_svg()
    }

    /// Re-run from step 0 to `until_step` (a fresh run of the same problem and
    /// config), with a checkpoint every `every` steps and at `until_step`.
    pub fn record(self, spec: &Spec, until_step: u64, every: u64) -> ReplayRecord<Spec> {
        self.record_unless(spec, until_step, every, &|| false).expect("never stopped")
    }

    /// [`Run::record`], looking at `stop` every [`RECORD_CHUNK`] steps: `None` as
    /// soon as it says stop (the client went away, a deadline passed).
    pub fn record_unless(
        mut self,
        spec: &Spec,
        until_step: u64,
        every: u64,
        stop: &dyn Fn() -> bool,
    ) -> Option<ReplayRecord<Spec>> {
        self.reset();
        let every = every.max(1);
        let until = until_step.min(self.total_steps());
        let mut checkpoints = vec![self.checkpoint()];
        while self.steps_done() < until {
            let next = ((self.steps_done() / every + 1) * every).min(until);
            while self.steps_done() < next {
                if stop() {
                    return None;
                }
                self.run((next - self.steps_done()).min(RECORD_CHUNK));
            }
            checkpoints.push(self.checkpoint());
        }
        Some(ReplayRecord::new(spec.clone(), self.config().clone(), every, checkpoints))
    }
}
