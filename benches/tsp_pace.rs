//! Large steps against CPU time on one TSPLIB file: the run `benches/tsp/compare.py`
//! sets beside LKH-3's time to the optimum.
//!
//! A run of the default settings ([`LargeSteps::default_config`], one core, batch 1)
//! is sized to a budget of CPU seconds: a short probe of the same settings measures
//! this machine's CPU time per step, and the run takes `budget / (time per step)`
//! steps, so its schedule cools over the whole budget. While it runs, the best length
//! is sampled every 1/`POINTS` of the steps against the thread's CPU time (from
//! `/proc/thread-self/schedstat`, so the other engineers' load does not count); each
//! sample is a JSON line with the schedule's temperature and the current length too
//! (where the current length stops moving, the chain has frozen), and the last line is
//! the run's result.
//!
//! Run: `cargo bench --bench tsp_pace -- FILE.tsp OPTIMUM SEED SECONDS [VERSION]`
//! (VERSION: the large steps' move set number, default [`MoveSet::default`]), e.g.
//! `cargo bench --bench tsp_pace -- /work/shared/data/tsplib/pcb442.tsp 50778 1 3.6`.
//!
//! For comparisons that must not depend on the machine's load, `TSP_PACE_STEPS=N` runs
//! exactly N steps instead of sizing the run to SECONDS (equal steps: the same
//! trajectory on any machine), and `TSP_PACE_TEMPS=T0:T1` replaces the `auto`
//! schedule's estimated temperatures by a geometric schedule from T0 to T1.

use std::time::Instant;

use kiln_engine::problems::tsp::{LargeSteps, MoveSet, Tsp};
use kiln_engine::{AnnealConfig, Annealer, Batch, ScheduleKind};

/// Samples of the best length per run.
const POINTS: u64 = 40;
/// Share of the budget the probe takes at most.
const PROBE_SHARE: f64 = 0.05;

/// CPU seconds this thread has run (`/proc/thread-self/schedstat`'s first field, ns).
fn cpu_seconds() -> f64 {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").expect("Linux schedstat");
    let ns: u64 = text.split_whitespace().next().and_then(|f| f.parse().ok()).expect("a number of ns");
    ns as f64 / 1e9
}

fn config(problem: &LargeSteps, seed: u64, steps: u64) -> AnnealConfig {
    let config = AnnealConfig {
        steps_per_cycle: steps,
        batch: Batch::Fixed(1),
        threads: 1,
        ..problem.default_config(seed)
    };
    let Ok(temps) = std::env::var("TSP_PACE_TEMPS") else { return config };
    let parsed = temps.split_once(':').and_then(|(t0, t1)| Some((t0.parse().ok()?, t1.parse().ok()?)));
    let (t0, t1): (f64, f64) = parsed.expect("TSP_PACE_TEMPS: T0:T1, two temperatures");
    AnnealConfig { schedule: ScheduleKind::Geometric, initial_temp: t0, final_temp: Some(t1), ..config }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let (file, optimum, seed, budget, version) = match args.as_slice() {
        [file, optimum, seed, budget] => (file, optimum, seed, budget, MoveSet::default()),
        [file, optimum, seed, budget, version] => {
            let number =
                version.parse().ok().and_then(MoveSet::from_number).expect("VERSION: a move set number");
            (file, optimum, seed, budget, number)
        }
        _ => {
            eprintln!("usage: tsp_pace FILE.tsp OPTIMUM SEED SECONDS [MOVE_SET_VERSION]");
            std::process::exit(2);
        }
    };
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let optimum: f64 = optimum.parse().expect("OPTIMUM: a length");
    let seed: u64 = seed.parse().expect("SEED: a whole number");
    let budget: f64 = budget.parse().expect("SECONDS: a number");
    let tsp = Tsp::parse_tsplib(&text).expect("a TSPLIB EUC_2D file");
    let problem = LargeSteps::with_moves(tsp, version).expect("large steps");
    let gap = |length: f64| (length / optimum - 1.0) * 100.0;

    // The probe: a whole short run (its start costs as much as the real one's).
    let probe_steps = ((budget * PROBE_SHARE / problem.expected_seconds(1)) as u64).max(1_000);
    let start = cpu_seconds();
    let mut sa = Annealer::new(problem.clone(), config(&problem, seed, 1)).expect("valid config");
    sa.run(u64::MAX);
    let setup = cpu_seconds() - start;
    let mut sa = Annealer::new(problem.clone(), config(&problem, seed, probe_steps)).expect("valid config");
    let start = cpu_seconds();
    sa.run(u64::MAX);
    let per_step = ((cpu_seconds() - start - setup) / probe_steps as f64).max(1e-9);
    let steps = (((budget - setup) / per_step) as u64).max(1_000);
    let steps = match std::env::var("TSP_PACE_STEPS") {
        Ok(n) => n.parse().expect("TSP_PACE_STEPS: a number of steps"),
        Err(_) => steps,
    };

    let (wall, start) = (Instant::now(), cpu_seconds());
    let mut sa = Annealer::new(problem.clone(), config(&problem, seed, steps)).expect("valid config");
    let chunk = steps.div_ceil(POINTS);
    while !sa.is_complete() {
        sa.run(chunk);
        let (t, best, step) = (cpu_seconds() - start, sa.best_energy(), sa.steps_done());
        println!(
            r#"{{"cpu_s": {t:.3}, "step": {step}, "temperature": {:.3}, "current": {}, "best": {best}, "gap_pct": {:.4}}}"#,
            sa.schedule().temperature(step.saturating_sub(1)),
            sa.current_energy(),
            gap(best)
        );
    }
    let (t, best) = (cpu_seconds() - start, sa.best_energy());
    println!(
        r#"{{"final": true, "budget_s": {budget}, "steps": {steps}, "cpu_s": {t:.3}, "wall_s": {:.3}, "best": {best}, "gap_pct": {:.4}}}"#,
        wall.elapsed().as_secs_f64(),
        gap(best)
    );
}
