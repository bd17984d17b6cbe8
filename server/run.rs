//! `Run`: one annealer over any problem kind, behind one type.
//!
//! The engine's `Annealer<P>` is generic and monomorphised per problem; a session,
//! `kiln run` and `kiln replay` need to hold "a run of whatever the params named".
//! `Run` is that enum. It also owns what the live view needs besides the engine's
//! numbers: the problem-specific progress fields, the known optimum, and the SVG
//! drawings of the current and best states (via [`crate::render`]).

use std::sync::Arc;

use kiln_engine::problems::isomer::{DistinctIsomers, Isomer, Molecule, Objective};
use kiln_engine::problems::tsp::Tsp;
use kiln_engine::replay::RECORD_FORMAT;
use kiln_engine::{AnnealConfig, Annealer, Checkpoint, ReplayRecord, Snapshot, StepOutcome};
use serde::{Deserialize, Serialize};

use crate::params::ParamError;
use crate::render;
use crate::render::molecule::MoleculeDrawing;
use crate::spec::{ProblemKind, ProblemSpec};

/// A built problem of any kind.
pub enum Problem {
    /// A TSP instance.
    Tsp(Tsp),
    /// An isomer formula and objective (boxed: its starting molecule is large).
    Isomer(Box<Isomer>),
}

impl Problem {
    /// Build the problem a spec describes; errors name the parameter at fault.
    pub fn build(spec: &ProblemSpec) -> Result<Problem, ParamError> {
        match spec {
            ProblemSpec::Tsp { cities } => cities.build().map(Problem::Tsp),
            ProblemSpec::Isomer(spec) => {
                let weights: Vec<(String, f64)> =
                    spec.component_weights.iter().map(|(name, w)| (name.clone(), *w)).collect();
                let error =
                    |e: kiln_engine::problems::isomer::IsomerError| ParamError::new(e.field(), e.to_string());
                let objective = Objective::from_weights(&weights).map_err(error)?;
                Isomer::new(&spec.formula, objective).map(|i| Problem::Isomer(Box::new(i))).map_err(error)
            }
        }
    }
}

/// The numbers of one progress event, with the DESIGN.md field names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// The problem kind.
    pub problem: ProblemKind,
    /// Reset generation of the session (1 for a fresh run).
    pub run: u64,
    /// Steps done.
    pub step: u64,
    /// Steps in the run.
    pub total_steps: u64,
    /// 1-based cycle.
    pub cycle: u64,
    /// Cycles in the run.
    pub num_cycles: u64,
    /// Temperature of the last step.
    pub temperature: f64,
    /// Energy of the current state (tour length for TSP).
    pub current_energy: f64,
    /// Best energy seen.
    pub best_energy: f64,
    /// Step at which the best was found.
    pub best_step: u64,
    /// Known optimum of the instance, if any.
    pub optimal_energy: Option<f64>,
    /// Moves applied.
    pub accepted_moves: u64,
    /// Moves refused.
    pub rejected_moves: u64,
    /// Steps without a valid move.
    pub invalid_moves: u64,
    /// Isomer: moves refused because they split the molecule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disconnected_moves: Option<u64>,
    /// Accepted moves that set a new best.
    pub improvements: u64,
    /// Recent acceptance rate.
    pub acceptance_rate: f64,
    /// All steps done.
    pub is_complete: bool,
    /// Running wall time of the session in milliseconds (0 outside a session).
    pub elapsed_ms: u64,
    /// Isomer: canonical SMILES of the best molecule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_smiles: Option<String>,
    /// Isomer: canonical SMILES of the current molecule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_smiles: Option<String>,
    /// Isomer: distinct molecules visited so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distinct_isomers: Option<u64>,
}

/// An isomer run: the annealer plus the set of structures it has visited.
pub struct IsomerRun {
    sa: Annealer<Isomer>,
    /// A copy of the problem, so the visit callback can name molecules while the
    /// annealer is borrowed mutably.
    problem: Isomer,
    distinct: DistinctIsomers,
}

impl IsomerRun {
    fn new(sa: Annealer<Isomer>) -> Self {
        let problem = sa.problem().clone();
        let mut run = IsomerRun { sa, problem, distinct: DistinctIsomers::new() };
        run.distinct.observe(&run.problem, run.sa.state());
        run
    }

    fn run(&mut self, n: u64) -> u64 {
        let (problem, distinct) = (&self.problem, &mut self.distinct);
        self.sa.run_observed(n, &mut |m: &Molecule| distinct.observe(problem, m))
    }

    fn step(&mut self) -> Option<StepOutcome> {
        let outcome = self.sa.step();
        if let Some(StepOutcome::Accepted { .. }) = outcome {
            self.distinct.observe(&self.problem, self.sa.state());
        }
        outcome
    }

    fn reset(&mut self) {
        self.sa.reset();
        self.distinct = DistinctIsomers::new();
        self.distinct.observe(&self.problem, self.sa.state());
    }
}

/// An annealer over any problem kind.
pub enum Run {
    /// A TSP run.
    Tsp(Box<Annealer<Tsp>>),
    /// An isomer run.
    Isomer(Box<IsomerRun>),
}

macro_rules! each {
    ($run:expr, $sa:ident => $body:expr) => {
        match $run {
            Run::Tsp($sa) => $body,
            Run::Isomer(run) => {
                let $sa = &run.sa;
                $body
            }
        }
    };
}

impl Run {
    /// A run at step 0; errors name the parameter at fault.
    pub fn new(spec: &ProblemSpec, config: AnnealConfig) -> Result<Run, ParamError> {
        let engine_error = |e: kiln_engine::ConfigError| ParamError::new(e.field, e.message);
        Ok(match Problem::build(spec)? {
            Problem::Tsp(tsp) => Run::Tsp(Box::new(Annealer::new(tsp, config).map_err(engine_error)?)),
            Problem::Isomer(isomer) => {
                Run::Isomer(Box::new(IsomerRun::new(Annealer::new(*isomer, config).map_err(engine_error)?)))
            }
        })
    }

    /// Share a rayon pool for speculative batches (a server with many sessions).
    pub fn with_pool(self, pool: Arc<rayon::ThreadPool>) -> Run {
        match self {
            Run::Tsp(sa) => Run::Tsp(Box::new(sa.with_pool(pool))),
            Run::Isomer(run) => {
                let IsomerRun { sa, problem, distinct } = *run;
                Run::Isomer(Box::new(IsomerRun { sa: sa.with_pool(pool), problem, distinct }))
            }
        }
    }

    /// The problem kind.
    pub fn kind(&self) -> ProblemKind {
        match self {
            Run::Tsp(_) => ProblemKind::Tsp,
            Run::Isomer(_) => ProblemKind::Isomer,
        }
    }

    /// Advance up to `n` steps; returns how many were done.
    pub fn run(&mut self, n: u64) -> u64 {
        match self {
            Run::Tsp(sa) => sa.run(n),
            Run::Isomer(run) => run.run(n),
        }
    }

    /// Advance one step; `None` once complete.
    pub fn step(&mut self) -> Option<StepOutcome> {
        match self {
            Run::Tsp(sa) => sa.step(),
            Run::Isomer(run) => run.step(),
        }
    }

    /// Back to step 0.
    pub fn reset(&mut self) {
        match self {
            Run::Tsp(sa) => sa.reset(),
            Run::Isomer(run) => run.reset(),
        }
    }

    /// The engine's numbers.
    pub fn snapshot(&self) -> Snapshot {
        each!(self, sa => sa.snapshot())
    }

    /// A replay checkpoint of the current step.
    pub fn checkpoint(&self) -> Checkpoint {
        each!(self, sa => sa.checkpoint())
    }

    /// All steps done.
    pub fn is_complete(&self) -> bool {
        each!(self, sa => sa.is_complete())
    }

    /// Steps done.
    pub fn steps_done(&self) -> u64 {
        each!(self, sa => sa.steps_done())
    }

    /// Steps in the run.
    pub fn total_steps(&self) -> u64 {
        each!(self, sa => sa.total_steps())
    }

    /// The run's config.
    pub fn config(&self) -> &AnnealConfig {
        each!(self, sa => sa.config())
    }

    /// Energy of a known optimum (TSPLIB's optimal tour length), if any.
    pub fn optimal_energy(&self) -> Option<f64> {
        match self {
            Run::Tsp(sa) => sa.problem().optimal_length().map(|l| l as f64),
            Run::Isomer(run) => run.problem.known_optimum(run.sa.config().direction),
        }
    }

    /// The progress object of the current step (`run` 1, `elapsed_ms` 0: a session
    /// fills those in).
    pub fn progress(&self) -> Progress {
        let s = self.snapshot();
        let disconnected_moves =
            s.invalid_by_kind.iter().find(|(name, _)| name == "disconnected").map(|(_, n)| *n);
        let mut progress = Progress {
            problem: self.kind(),
            run: 1,
            step: s.step,
            total_steps: s.total_steps,
            cycle: s.cycle,
            num_cycles: s.num_cycles,
            temperature: s.temperature,
            current_energy: s.current_energy,
            best_energy: s.best_energy,
            best_step: s.best_step,
            optimal_energy: self.optimal_energy(),
            accepted_moves: s.accepted_moves,
            rejected_moves: s.rejected_moves,
            invalid_moves: s.invalid_moves,
            disconnected_moves,
            improvements: s.improvements,
            acceptance_rate: s.acceptance_rate,
            is_complete: s.is_complete,
            elapsed_ms: 0,
            best_smiles: None,
            current_smiles: None,
            distinct_isomers: None,
        };
        if let Run::Isomer(run) = self {
            progress.best_smiles = Some(run.problem.canonical_smiles(run.sa.best_state()));
            progress.current_smiles = Some(run.problem.canonical_smiles(run.sa.state()));
            progress.distinct_isomers = Some(run.distinct.count());
        }
        progress
    }

    /// Marks that change exactly when the current (first) or best (second) state
    /// may have changed: the stream re-renders a drawing only when its mark moves.
    pub fn state_marks(&self) -> (u64, u64) {
        let s = each!(self, sa => sa.counters());
        (s.accepted, s.improvements)
    }

    /// SVG drawing of the current state.
    pub fn current_svg(&self) -> String {
        match self {
            Run::Tsp(sa) => render::tsp::tour_svg(sa.problem().coords(), sa.state().order()),
            Run::Isomer(run) => render::molecule::molecule_svg(&MoleculeDrawing::from(run.sa.state())),
        }
    }

    /// SVG drawing of the best state.
    pub fn best_svg(&self) -> String {
        match self {
            Run::Tsp(sa) => render::tsp::tour_svg(sa.problem().coords(), sa.best_state().order()),
            Run::Isomer(run) => render::molecule::molecule_svg(&MoleculeDrawing::from(run.sa.best_state())),
        }
    }

    /// The replay record of `spec` and `config` from step 0 to `until_step`,
    /// with a checkpoint every `every` steps and at `until_step`.
    pub fn record(
        spec: &ProblemSpec,
        config: &AnnealConfig,
        until_step: u64,
        every: u64,
    ) -> Result<ReplayRecord<ProblemSpec>, ParamError> {
        let mut run = Run::new(spec, config.clone())?;
        let every = every.max(1);
        let until = until_step.min(run.total_steps());
        let mut checkpoints = vec![run.checkpoint()];
        while run.steps_done() < until {
            let next = ((run.steps_done() / every + 1) * every).min(until);
            run.run(next - run.steps_done());
            checkpoints.push(run.checkpoint());
        }
        Ok(ReplayRecord {
            format: RECORD_FORMAT.to_string(),
            problem: spec.clone(),
            config: config.clone(),
            checkpoint_every: every,
            checkpoints,
        })
    }
}

#[cfg(test)]
mod tests {
    use kiln_engine::replay::record_checkpoints;

    use super::*;
    use crate::spec::TspCities;

    #[test]
    fn a_record_to_the_end_matches_the_engines_checkpoints() {
        let spec = ProblemSpec::Tsp { cities: TspCities::Bundled { instance: "berlin52".into() } };
        let config = AnnealConfig { steps_per_cycle: 2_500, cycles: 1, ..AnnealConfig::default() };
        let record = Run::record(&spec, &config, u64::MAX, 1_000).unwrap();
        let tsp = Tsp::bundled("berlin52").unwrap();
        let mut sa = Annealer::new(tsp, config).unwrap();
        assert_eq!(record.checkpoints, record_checkpoints(&mut sa, 1_000, |_| {}));
        assert_eq!(record.checkpoints.last().unwrap().step, 2_500);
    }

    #[test]
    fn isomer_progress_names_molecules_and_counts_disconnected_moves() {
        let spec = ProblemSpec::Isomer(crate::spec::IsomerSpec {
            formula: "C6H14".into(),
            component_weights: crate::spec::IsomerSpec::default_weights(),
        });
        let mut run = Run::new(&spec, AnnealConfig::default()).unwrap();
        run.run(2_000);
        let p = run.progress();
        assert!(p.best_smiles.is_some() && p.current_smiles.is_some());
        assert!(p.distinct_isomers.is_some_and(|n| (1..=5).contains(&n)), "hexane has 5 isomers: {p:?}");
        assert!(p.disconnected_moves.is_some());
        assert_eq!(p.optimal_energy, Some(28.0), "the Wiener minimum of hexane (2,2-dimethylbutane)");
        assert!(run.current_svg().starts_with("<svg"));
    }
}
