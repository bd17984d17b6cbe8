//! A survey, not a check: the best tour of default runs (seeds 1-5, one core each
//! in parallel, batch 1) on bundled TSPLIB instances, printed as gaps to TSPLIB's
//! optimum, so a change to the moves or the schedule can be judged on many
//! instances at once rather than tuned to one. Ignored by default (minutes of CPU).
//!
//! Run: `cargo test --release -p kiln-engine --test tsp_survey -- --ignored --nocapture`
//!
//! Environment (all optional): `KILN_SURVEY_INSTANCES` (comma-separated names,
//! default ch150, kroB100, rd100, eil101, d198, tsp225, gil262), `KILN_SURVEY_SEEDS`
//! (default 1,2,3,4,5), and to try other schedules over the same auto-estimated
//! range: `KILN_SURVEY_T0_FACTOR` and `KILN_SURVEY_T1_FACTOR` (multiply auto's T0
//! and T1; the run is then geometric between the products), `KILN_SURVEY_CYCLES`
//! (the default budget split into so many reheated cycles) and
//! `KILN_SURVEY_STEPS_FACTOR` (multiplies the default budget).

use kiln_engine::problems::tsp::Tsp;
use kiln_engine::{AnnealConfig, Annealer, Batch, ScheduleKind};

const DEFAULT_INSTANCES: &str = "ch150,kroB100,rd100,eil101,d198,tsp225,gil262";

fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(text) => text.parse().unwrap_or_else(|_| panic!("{name}: cannot read {text:?}")),
        Err(_) => default,
    }
}

/// How the survey departs from the default config (all 1: the default itself).
struct Variant {
    t0_factor: f64,
    t1_factor: f64,
    cycles: u64,
    steps_factor: f64,
}

impl Variant {
    fn from_env() -> Self {
        Self {
            t0_factor: setting("KILN_SURVEY_T0_FACTOR", 1.0),
            t1_factor: setting("KILN_SURVEY_T1_FACTOR", 1.0),
            cycles: setting("KILN_SURVEY_CYCLES", 1),
            steps_factor: setting("KILN_SURVEY_STEPS_FACTOR", 1.0),
        }
    }

    fn is_default(&self) -> bool {
        self.t0_factor == 1.0 && self.t1_factor == 1.0 && self.cycles == 1 && self.steps_factor == 1.0
    }

    /// The config of one run: the default, or geometric over the scaled auto range.
    fn config(&self, tsp: &Tsp, seed: u64) -> AnnealConfig {
        let default = AnnealConfig { batch: Batch::Fixed(1), ..tsp.default_config(seed) };
        if self.is_default() {
            return default;
        }
        let auto = Annealer::new(tsp.clone(), default.clone()).expect("default config is valid");
        let (t0, t1) = (auto.schedule().initial_temp(), auto.schedule().final_temp());
        let total = (default.total_steps() as f64 * self.steps_factor) as u64;
        AnnealConfig {
            schedule: ScheduleKind::Geometric,
            initial_temp: t0 * self.t0_factor,
            final_temp: Some(t1 * self.t1_factor),
            steps_per_cycle: total / self.cycles,
            cycles: self.cycles,
            ..default
        }
    }
}

#[test]
#[ignore = "a survey that prints a table: minutes of CPU"]
fn default_runs_on_tsplib_instances() {
    let instances: String = setting("KILN_SURVEY_INSTANCES", DEFAULT_INSTANCES.to_string());
    let seeds: Vec<u64> = setting("KILN_SURVEY_SEEDS", "1,2,3,4,5".to_string())
        .split(',')
        .map(|s| s.trim().parse().expect("KILN_SURVEY_SEEDS: numbers"))
        .collect();
    let variant = Variant::from_env();
    println!("instance  optimum  optimal  gap % per seed {seeds:?}");
    for name in instances.split(',') {
        let tsp = Tsp::bundled(name.trim()).unwrap_or_else(|e| panic!("{e}"));
        let optimum = tsp.optimal_length().unwrap_or_else(|| panic!("{name}: no known optimum"));
        let lengths: Vec<u64> = std::thread::scope(|scope| {
            let runs: Vec<_> = seeds
                .iter()
                .map(|&seed| {
                    let (tsp, config) = (tsp.clone(), variant.config(&tsp, seed));
                    scope.spawn(move || {
                        let mut sa = Annealer::new(tsp, config).expect("valid config");
                        sa.run(u64::MAX);
                        sa.best_energy() as u64
                    })
                })
                .collect();
            runs.into_iter().map(|r| r.join().expect("run")).collect()
        });
        let gaps: Vec<String> =
            lengths.iter().map(|&l| format!("{:.2}", (l as f64 / optimum as f64 - 1.0) * 100.0)).collect();
        let optimal = lengths.iter().filter(|&&l| l == optimum).count();
        println!("{name:<9} {optimum:>8} {optimal:>4}/{}  {}  ({lengths:?})", seeds.len(), gaps.join(" "));
    }
}
