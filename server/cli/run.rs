//! `kiln run`: a headless annealing run with a progress bar, a readable summary or a
//! JSON result, an optional replay record and an optional SVG of the best state.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kiln_engine::problems::tsp::Layout;
use kiln_engine::replay::RECORD_FORMAT;
use kiln_engine::{AnnealConfig, Batch, Checkpoint, Direction, ReplayRecord, ScheduleKind};

use super::fail;
use crate::params::{LayoutParam, ParamError, RunParams};
use crate::run::{Progress, Run};
use crate::spec::{ProblemKind, ProblemSpec, TspCities};

/// Arguments of `kiln run`.
#[derive(Args, Debug, Default)]
#[command(
    allow_negative_numbers = true,
    after_help = "Examples:
  kiln run --problem tsp --instance berlin52
  kiln run --problem tsp --cities 500 --layout clustered --seed 7 --json
  kiln run --problem isomer --formula C8H18 --maximize --svg octane.svg
  kiln run --problem tsp --instance kroA100 --record run.json && kiln replay run.json"
)]
pub struct RunArgs {
    /// Problem kind: isomer or tsp
    #[arg(long, value_parser = parse_problem)]
    pub problem: Option<ProblemKind>,

    /// TSP: a bundled TSPLIB instance (berlin52, kroA100, ...)
    #[arg(long, conflicts_with_all = ["tsplib", "cities"])]
    pub instance: Option<String>,
    /// TSP: a TSPLIB file (EUC_2D)
    #[arg(long, value_name = "FILE", conflicts_with = "cities")]
    pub tsplib: Option<PathBuf>,
    /// TSP: random cities, generated from --seed
    #[arg(long, value_name = "N")]
    pub cities: Option<usize>,
    /// TSP: layout of random cities: uniform or clustered
    #[arg(long, requires = "cities", value_parser = parse_layout)]
    pub layout: Option<Layout>,

    /// Isomer: molecular formula (C8H18, C3H6O, ...)
    #[arg(long)]
    pub formula: Option<String>,
    /// Isomer: one objective component (wiener_index or logp); shorthand for --weights NAME=1
    #[arg(long, conflicts_with = "weights")]
    pub objective: Option<String>,
    /// Isomer: weighted objective, e.g. wiener_index=1,logp=0.5
    #[arg(long, value_parser = parse_weights)]
    pub weights: Option<BTreeMap<String, f64>>,
    /// Maximise the objective instead of minimising it
    #[arg(long)]
    pub maximize: bool,

    /// Seed of the run (and of random cities)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Total steps (each of the cycles gets steps / cycles)
    #[arg(long, value_name = "N")]
    pub steps: Option<u64>,
    /// Number of cycles (reheats)
    #[arg(long, value_name = "C")]
    pub cycles: Option<u64>,
    /// Temperature schedule: faulon, geometric, linear, constant or auto
    #[arg(long, value_parser = parse_schedule)]
    pub schedule: Option<ScheduleKind>,
    /// Temperature at the start of each cycle (T0)
    #[arg(long, value_name = "T")]
    pub initial_temp: Option<f64>,
    /// Final temperature of each cycle (geometric, linear)
    #[arg(long, value_name = "T")]
    pub final_temp: Option<f64>,
    /// Faulon's cooling constant k
    #[arg(long)]
    pub k: Option<f64>,
    /// Candidates scored in parallel per round: auto or 1..64 (never changes the result)
    #[arg(long, value_parser = parse_batch)]
    pub batch: Option<Batch>,
    /// Worker threads for batches above 1 (0 = one per core; never changes the result)
    #[arg(long, default_value_t = 0)]
    pub threads: usize,

    /// Print the final progress object as JSON instead of the summary
    #[arg(long)]
    pub json: bool,
    /// Write a replay record (config and checkpoints) to FILE
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Steps between checkpoints in the record (default: 1/100 of the run)
    #[arg(long, value_name = "N", requires = "record")]
    pub checkpoint_every: Option<u64>,
    /// Write an SVG drawing of the best state to FILE
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
}

fn parse_problem(s: &str) -> Result<ProblemKind, String> {
    serde_json::from_value(serde_json::Value::String(s.into()))
        .map_err(|_| format!("unknown problem {s:?}; expected isomer or tsp"))
}

fn parse_layout(s: &str) -> Result<Layout, String> {
    s.parse::<Layout>().map_err(|e| e.to_string())
}

fn parse_schedule(s: &str) -> Result<ScheduleKind, String> {
    ScheduleKind::from_name(s).ok_or_else(|| {
        let names: Vec<_> = ScheduleKind::ALL.iter().map(|k| k.name()).collect();
        format!("unknown schedule {s:?}; expected one of {}", names.join(", "))
    })
}

fn parse_batch(s: &str) -> Result<Batch, String> {
    s.parse()
}

fn parse_weights(s: &str) -> Result<BTreeMap<String, f64>, String> {
    s.split(',')
        .map(|pair| {
            let (name, weight) =
                pair.split_once('=').ok_or_else(|| format!("{pair:?} is not NAME=WEIGHT"))?;
            let weight: f64 = weight
                .trim()
                .parse()
                .map_err(|_| format!("weight {weight:?} of {name:?} is not a number"))?;
            Ok((name.trim().to_string(), weight))
        })
        .collect()
}

impl RunArgs {
    /// The API parameters these arguments stand for.
    fn params(&self) -> Result<RunParams, String> {
        let tsplib = match &self.tsplib {
            Some(path) => {
                Some(std::fs::read_to_string(path).map_err(|e| format!("--tsplib {}: {e}", path.display()))?)
            }
            None => None,
        };
        let problem = self.problem.or_else(|| {
            (self.instance.is_some() || self.tsplib.is_some() || self.cities.is_some())
                .then_some(ProblemKind::Tsp)
        });
        let cycles = self.cycles;
        let steps_per_cycle = match self.steps {
            Some(steps) => {
                let c = cycles.unwrap_or(1).max(1);
                if steps < c {
                    return Err(format!("--steps {steps} gives fewer than one step to each of {c} cycles"));
                }
                Some(steps / c)
            }
            None => None,
        };
        let component_weights = match (&self.objective, &self.weights) {
            (Some(name), _) => Some(BTreeMap::from([(name.clone(), 1.0)])),
            (None, weights) => weights.clone(),
        };
        Ok(RunParams {
            problem,
            formula: self.formula.clone(),
            component_weights,
            optimization_mode: self.maximize.then_some(Direction::Maximize),
            schedule: self.schedule,
            initial_temp: self.initial_temp,
            final_temp: self.final_temp,
            cooling_schedule_k: self.k,
            steps_per_cycle,
            num_cycles: cycles,
            seed: self.seed,
            batch: self.batch,
            instance: self.instance.clone(),
            cities: self.cities,
            layout: self.layout.map(LayoutParam),
            tsplib,
            ..RunParams::default()
        })
    }
}

/// The command-line flag that sets an API field, for error messages.
pub fn flag_for(field: &str) -> String {
    match field {
        "cooling_schedule_k" => "--k".into(),
        "num_cycles" => "--cycles".into(),
        "steps_per_cycle" => "--steps".into(),
        "optimization_mode" => "--maximize".into(),
        "component_weights" => "--weights".into(),
        "" => "arguments".into(),
        other => format!("--{}", other.replace('_', "-")),
    }
}

fn param_error(e: &ParamError) -> String {
    format!("{}: {}", flag_for(&e.field), e.message)
}

/// Run `kiln run`.
pub fn execute(args: &RunArgs) -> ExitCode {
    let params = match args.params() {
        Ok(p) => p,
        Err(message) => return fail(message),
    };
    let resolved = match params.resolve() {
        Ok(r) => r,
        Err(e) => return fail(param_error(&e)),
    };
    let mut config = resolved.config;
    config.threads = args.threads;
    if let Err(e) = config.validate() {
        return fail(format!("{}: {}", flag_for(e.field), e.message));
    }
    let mut run = match Run::new(&resolved.spec, config.clone()) {
        Ok(run) => run,
        Err(e) => return fail(param_error(&e)),
    };

    let total = run.total_steps();
    let every = args.checkpoint_every.unwrap_or((total / 100).max(1)).max(1);
    let bar = progress_bar(total);
    let started = Instant::now();
    let mut checkpoints: Vec<Checkpoint> = vec![run.checkpoint()];
    let mut chunk = 1_000u64;
    while !run.is_complete() {
        let done = run.steps_done();
        let next_checkpoint = (done / every + 1) * every;
        let target = (done + chunk).min(next_checkpoint).min(total);
        let chunk_started = Instant::now();
        run.run(target - done);
        // Aim for ~50 ms between progress updates, whatever the speed of a step.
        let took = chunk_started.elapsed().max(Duration::from_micros(1));
        if target - done == chunk {
            let scale = Duration::from_millis(50).as_secs_f64() / took.as_secs_f64();
            chunk = ((chunk as f64 * scale.clamp(0.5, 4.0)) as u64).clamp(1, 50_000_000);
        }
        if args.record.is_some() && (run.steps_done().is_multiple_of(every) || run.is_complete()) {
            checkpoints.push(run.checkpoint());
        }
        if let Some(bar) = &bar {
            let s = run.snapshot();
            bar.set_position(s.step);
            bar.set_message(format!(
                "T {:.4}  energy {}  best {}",
                s.temperature,
                fmt_energy(s.current_energy),
                fmt_energy(s.best_energy)
            ));
        }
    }
    let elapsed = started.elapsed();
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }

    let mut progress = run.progress();
    progress.elapsed_ms = elapsed.as_millis() as u64;
    if let Some(path) = &args.record {
        let record = ReplayRecord {
            format: RECORD_FORMAT.to_string(),
            problem: resolved.spec.clone(),
            config: config.clone(),
            checkpoint_every: every,
            checkpoints,
        };
        let text = serde_json::to_string_pretty(&record).expect("a record serialises");
        if let Err(e) = std::fs::write(path, text + "\n") {
            return fail(format!("--record {}: {e}", path.display()));
        }
    }
    if let Some(path) = &args.svg
        && let Err(e) = std::fs::write(path, run.best_svg())
    {
        return fail(format!("--svg {}: {e}", path.display()));
    }
    let steps_per_sec = progress.step as f64 / elapsed.as_secs_f64().max(1e-9);
    if args.json {
        let mut value = serde_json::to_value(&progress).expect("progress serialises");
        if let serde_json::Value::Object(map) = &mut value {
            map.insert("seed".into(), config.seed.into());
            map.insert("steps_per_sec".into(), serde_json::json!(steps_per_sec.round()));
            if let Some(gap) = gap_percent(&progress) {
                map.insert("gap_percent".into(), serde_json::json!(gap));
            }
        }
        println!("{}", serde_json::to_string_pretty(&value).expect("json"));
    } else {
        print_summary(&resolved.spec, &progress, &config, elapsed, steps_per_sec);
    }
    ExitCode::SUCCESS
}

fn progress_bar(total: u64) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(10));
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:30.cyan/blue} {percent:>3}% {human_pos}/{human_len} steps  {per_sec}  {msg}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    Some(bar)
}

/// Distance from the known optimum, in percent of it (positive = worse).
fn gap_percent(p: &Progress) -> Option<f64> {
    let optimum = p.optimal_energy?;
    if optimum == 0.0 {
        return None;
    }
    Some(((p.best_energy - optimum) / optimum.abs() * 100.0).abs())
}

fn fmt_energy(e: f64) -> String {
    if e.fract() == 0.0 && e.abs() < 1e15 { format!("{}", e as i64) } else { format!("{e:.4}") }
}

/// One line naming what was annealed and how.
pub fn describe(spec: &ProblemSpec, config: &AnnealConfig) -> String {
    let what = match spec {
        ProblemSpec::Tsp { cities: TspCities::Bundled { instance } } => format!("tsp {instance}"),
        ProblemSpec::Tsp { cities: TspCities::Random { count, layout, seed } } => {
            format!("tsp {count} random cities ({}, seed {seed})", layout.name())
        }
        ProblemSpec::Tsp { cities: TspCities::Tsplib { .. } } => "tsp TSPLIB file".to_string(),
        ProblemSpec::Isomer(isomer) => {
            let weights: Vec<String> =
                isomer.component_weights.iter().map(|(name, w)| format!("{name}={w}")).collect();
            format!("isomer {} ({})", isomer.formula, weights.join(","))
        }
    };
    let direction = match config.direction {
        Direction::Minimize => "minimise",
        Direction::Maximize => "maximise",
    };
    format!(
        "{what}, {direction}, seed {}, {} schedule, {} cycle(s) of {} steps",
        config.seed,
        config.schedule.name(),
        config.cycles,
        config.steps_per_cycle
    )
}

fn print_summary(
    spec: &ProblemSpec,
    p: &Progress,
    config: &AnnealConfig,
    elapsed: Duration,
    steps_per_sec: f64,
) {
    println!("{}", describe(spec, config));
    let mut best = format!("best energy  {}", fmt_energy(p.best_energy));
    if let Some(optimum) = p.optimal_energy {
        let gap = gap_percent(p).unwrap_or(0.0);
        best += &format!("  (known optimum {}, {gap:.2}% away)", fmt_energy(optimum));
    }
    println!("{best}");
    if let Some(smiles) = &p.best_smiles {
        println!("best SMILES  {smiles}");
    }
    println!("current      {}", fmt_energy(p.current_energy));
    println!(
        "steps        {} in {:.2} s ({:.2} M steps/s)",
        p.step,
        elapsed.as_secs_f64(),
        steps_per_sec / 1e6
    );
    let mut moves = format!(
        "moves        {} accepted, {} rejected, {} invalid",
        p.accepted_moves, p.rejected_moves, p.invalid_moves
    );
    if let Some(d) = p.disconnected_moves {
        moves += &format!(" ({d} disconnected)");
    }
    println!("{moves}");
    if let Some(n) = p.distinct_isomers {
        println!("isomers      {n} distinct structures visited");
    }
}
