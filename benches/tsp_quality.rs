//! Tour quality against wall time on pr1002 and pr2392: the gap to TSPLIB's optimum
//! after runs of 1, 3, 10 and 30 seconds, with uniform moves (before neighbour
//! lists), with moves drawn from each city's nearest neighbours (after), and with
//! large steps (a kick and a 2-opt/or-opt descent per step, `kiln run`'s default).
//!
//! SA's result depends on the whole schedule, not on where a long run happens to be
//! after t seconds, so each budget is its own run: the default settings
//! ([`Tsp::default_config`] or [`LargeSteps::default_config`], seed 1, one core,
//! batch 1) with as many steps as this
//! machine does in that time, measured by a short probe of the same variant first.
//! Each line prints the steps, the wall time actually taken and the gap; both
//! variants of an instance run one after the other in the same process, so their
//! figures are side by side.
//!
//! Run: `cargo bench --bench tsp_quality` (all budgets, about three minutes), or
//! `cargo bench --bench tsp_quality -- --short` (1 and 3 s, under half a minute),
//! or name the budgets in seconds: `cargo bench --bench tsp_quality -- 1 10`.

use std::time::Instant;

use kiln_engine::problems::tsp::{Candidates, LargeSteps, Tsp};
use kiln_engine::{AnnealConfig, Annealer, Batch, Problem};

const SEED: u64 = 1;
/// Seconds of the speed probe.
const PROBE_SECONDS: f64 = 0.5;

/// One variant: the problem and its default settings.
struct Variant<P> {
    problem: P,
    defaults: AnnealConfig,
}

impl<P: Problem + Clone> Variant<P> {
    fn config(&self, steps: u64) -> AnnealConfig {
        AnnealConfig { steps_per_cycle: steps, batch: Batch::Fixed(1), threads: 1, ..self.defaults.clone() }
    }

    /// Steps per second of a default-settings run of this variant on this machine:
    /// doubling probes until one takes [`PROBE_SECONDS`].
    fn probe(&self) -> f64 {
        let mut steps = 1_000;
        loop {
            let mut sa = Annealer::new(self.problem.clone(), self.config(steps)).expect("valid config");
            let start = Instant::now();
            sa.run(u64::MAX);
            let seconds = start.elapsed().as_secs_f64();
            if seconds >= PROBE_SECONDS {
                return steps as f64 / seconds;
            }
            steps *= 2;
        }
    }

    /// One line per budget: steps, wall time, best length and gap.
    fn rows(&self, name: &str, label: &str, optimum: f64, budgets: &[f64]) {
        let rate = self.probe();
        for &seconds in budgets {
            let steps = (rate * seconds) as u64;
            let mut sa = Annealer::new(self.problem.clone(), self.config(steps)).expect("valid config");
            let start = Instant::now();
            sa.run(u64::MAX);
            let wall = start.elapsed().as_secs_f64();
            let best = sa.best_energy();
            println!(
                "{name:<9} {label:<8} {seconds:>8.0}  {steps:<11}  {wall:>6.2}  {best:<8}  {:>5.2}%",
                (best / optimum - 1.0) * 100.0
            );
        }
    }
}

fn budgets() -> Vec<f64> {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    if args.iter().any(|a| a == "--short") {
        return vec![1.0, 3.0];
    }
    let given: Vec<f64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    if given.is_empty() { vec![1.0, 3.0, 10.0, 30.0] } else { given }
}

fn main() {
    let budgets = budgets();
    println!("instance  moves    budget_s  steps        wall_s  best      gap");
    for name in ["pr1002", "pr2392"] {
        let base = Tsp::bundled(name).expect("bundled");
        let optimum = base.optimal_length().expect("known optimum") as f64;
        for (label, candidates) in [("uniform", Candidates::Uniform), ("nearest", Candidates::Nearest)] {
            let tsp = base.clone().with_candidates(candidates);
            let defaults = tsp.default_config(SEED);
            Variant { problem: tsp, defaults }.rows(name, label, optimum, &budgets);
        }
        let large = LargeSteps::new(base).expect("within the size bounds");
        let defaults = large.default_config(SEED);
        Variant { problem: large, defaults }.rows(name, "large", optimum, &budgets);
    }
}
