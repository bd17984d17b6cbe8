//! Tour quality against wall time on pr1002 and pr2392: the gap to TSPLIB's optimum
//! after runs of 1, 3, 10 and 30 seconds, with uniform moves (before neighbour
//! lists) and with moves drawn from each city's nearest neighbours (after).
//!
//! SA's result depends on the whole schedule, not on where a long run happens to be
//! after t seconds, so each budget is its own run: the default settings
//! ([`Tsp::default_config`], seed 1, one core, batch 1) with as many steps as this
//! machine does in that time, measured by a short probe of the same variant first.
//! Each line prints the steps, the wall time actually taken and the gap; both
//! variants of an instance run one after the other in the same process, so their
//! figures are side by side.
//!
//! Run: `cargo bench --bench tsp_quality` (all budgets, about three minutes), or
//! `cargo bench --bench tsp_quality -- --short` (1 and 3 s, under half a minute),
//! or name the budgets in seconds: `cargo bench --bench tsp_quality -- 1 10`.

use std::time::Instant;

use kiln_engine::problems::tsp::{Candidates, Tsp};
use kiln_engine::{AnnealConfig, Annealer, Batch};

const SEED: u64 = 1;
/// Steps of the speed probe.
const PROBE_STEPS: u64 = 2_000_000;

fn config(tsp: &Tsp, steps: u64) -> AnnealConfig {
    AnnealConfig { steps_per_cycle: steps, batch: Batch::Fixed(1), threads: 1, ..tsp.default_config(SEED) }
}

/// Steps per second of a default-settings run of this variant on this machine.
fn probe(tsp: &Tsp) -> f64 {
    let mut sa = Annealer::new(tsp.clone(), config(tsp, PROBE_STEPS)).expect("valid config");
    let start = Instant::now();
    sa.run(u64::MAX);
    PROBE_STEPS as f64 / start.elapsed().as_secs_f64()
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
            let rate = probe(&tsp);
            for &seconds in &budgets {
                let steps = (rate * seconds) as u64;
                let mut sa = Annealer::new(tsp.clone(), config(&tsp, steps)).expect("valid config");
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
}
