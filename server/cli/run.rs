//! `kiln run`: a headless annealing run with a progress bar, a readable summary or a
//! JSON result, an optional replay record and an optional SVG of the best state.
//!
//! Every parameter of every kind is a flag (`--formula C6H14`, `--instance eil51`,
//! `--initial-temp 50`), with the aliases its table row lists (`--k`, `--cycles`,
//! `--weights`), and `--param NAME=VALUE` reaches any of them by its API name. The
//! values go through the same resolver as `POST /api/sa/configure`. `--steps` is the
//! total over all cycles.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Arg, ArgAction, ArgMatches, Args, Command};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kiln_engine::{AnnealConfig, Checkpoint, Direction, ReplayRecord};
use serde_json::{Map, Value, json};

use super::fail;
use crate::kinds::common;
use crate::kinds::{Defaults, Param, ParamError, ParamType, Progress, Registry, Request, Scope, Spec};

/// The fixed arguments of `kiln run`; the parameter flags are added from the kinds'
/// tables by [`command`].
#[derive(Args, Debug, Default)]
pub struct RunArgs {
    /// Problem kind (see GET /api/problems or the page for each kind's parameters)
    #[arg(long)]
    pub problem: Option<String>,
    /// Any parameter by its API name, e.g. --param initial_temp=50 (repeatable)
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Total steps over all cycles (split evenly; each cycle gets steps / cycles)
    #[arg(long, value_name = "N")]
    pub steps: Option<u64>,
    /// Maximise the objective instead of minimising it (--param optimization_mode=MAXIMIZE)
    #[arg(long)]
    pub maximize: bool,
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

/// Parameters that have a fixed flag of their own (or none).
const NOT_FLAGS: [&str; 2] = ["problem", "optimization_mode"];

/// `kiln run` with one flag per parameter of every kind in `registry`.
pub fn command(registry: &Registry) -> Command {
    let mut command = RunArgs::augment_args(Command::new("run"))
        .about("Anneal headless: progress bar on a terminal, a summary or --json, --record for replay")
        .allow_negative_numbers(true)
        .after_help(examples(registry));
    for param in flag_params(registry) {
        let mut arg = Arg::new(param.name)
            .long(flag(param.name))
            .value_name(if param.ty == ParamType::Text { "FILE" } else { "VALUE" })
            .action(ArgAction::Set)
            .allow_negative_numbers(true)
            .help(help(registry, &param));
        for alias in param.cli_aliases {
            arg = arg.visible_alias(*alias);
        }
        command = command.arg(arg);
    }
    command
}

/// Every parameter row of every kind that becomes a flag, first row of a name wins.
fn flag_params(registry: &Registry) -> Vec<Param> {
    let mut rows: Vec<Param> = common::parameters(&registry.names(), &Defaults::default());
    for kind in registry.kinds() {
        rows.extend(kind.parameters());
    }
    let mut seen = Vec::new();
    rows.retain(|p| {
        let keep = !NOT_FLAGS.contains(&p.name) && !seen.contains(&p.name);
        seen.push(p.name);
        keep
    });
    rows
}

fn help(registry: &Registry, param: &Param) -> String {
    let owners: Vec<&str> = registry
        .kinds()
        .filter(|k| k.parameters().iter().any(|p| p.name == param.name))
        .map(|k| k.name())
        .collect();
    let file = if param.ty == ParamType::Text { " (read from FILE)" } else { "" };
    if owners.is_empty() {
        format!("{}{file}", param.help)
    } else {
        format!("{}: {}{file}", owners.join(", "), param.help)
    }
}

fn examples(registry: &Registry) -> String {
    let mut text = String::from("Examples:\n");
    for kind in registry.kinds() {
        text += &format!("  kiln run --problem {} --steps 20000 --json\n", kind.name());
    }
    text += "  kiln run --param initial_temp=50 --param num_cycles=2 --steps 10000\n";
    text += "  kiln run --record run.json && kiln replay run.json";
    text
}

/// The flag of a parameter name: `initial_temp` -> `initial-temp`.
fn flag(name: &str) -> String {
    name.replace('_', "-")
}

/// The given parameter texts: API name -> (the flag the user wrote, the text).
fn given(
    registry: &Registry,
    args: &RunArgs,
    matches: &ArgMatches,
) -> Result<BTreeMap<String, (String, String)>, String> {
    let mut given = BTreeMap::new();
    for param in flag_params(registry) {
        if let Some(text) = matches.get_one::<String>(param.name) {
            given.insert(param.name.to_string(), (format!("--{}", flag(param.name)), text.clone()));
        }
    }
    for pair in &args.params {
        let (name, text) =
            pair.split_once('=').ok_or_else(|| format!("--param {pair:?}: expected NAME=VALUE"))?;
        let name = name.trim().to_string();
        if given.contains_key(&name) {
            return Err(format!("--param {name}: given twice"));
        }
        given.insert(name.clone(), (format!("--param {name}"), text.to_string()));
    }
    Ok(given)
}

/// The kind: `--problem`, else `--param problem=`, else the first kind whose table
/// has every given parameter (so `--instance eil51` alone means the kind that has
/// instances), else the default kind.
fn kind_name(
    registry: &Registry,
    args: &RunArgs,
    given: &BTreeMap<String, (String, String)>,
) -> Option<String> {
    if let Some(name) = &args.problem {
        return Some(name.clone());
    }
    if let Some((_, name)) = given.get("problem") {
        return Some(name.clone());
    }
    let shared: Vec<&str> = common::parameters(&[], &Defaults::default()).iter().map(|p| p.name).collect();
    let own: Vec<&String> = given.keys().filter(|k| !shared.contains(&k.as_str())).collect();
    if own.is_empty() {
        return None;
    }
    registry
        .kinds()
        .find(|k| {
            let names: Vec<&str> = k.parameters().iter().map(|p| p.name).collect();
            own.iter().all(|n| names.contains(&n.as_str()))
        })
        .map(|k| k.name().to_string())
}

/// The API request these arguments stand for, and the flag of each field.
fn request(
    registry: &Registry,
    args: &RunArgs,
    matches: &ArgMatches,
) -> Result<(Request, BTreeMap<String, String>), String> {
    let given = given(registry, args, matches)?;
    let mut flags: BTreeMap<String, String> =
        given.iter().map(|(k, (f, _))| (k.clone(), f.clone())).collect();
    flags.insert("steps".into(), "--steps".into());
    flags.insert("optimization_mode".into(), "--maximize".into());
    let mut values = Map::new();
    let kind = kind_name(registry, args, &given);
    if let Some(name) = &kind {
        values.insert("problem".into(), json!(name));
        flags.insert("problem".into(), "--problem".into());
    }
    let table: Vec<Param> = match kind.as_deref().map(|n| registry.get(n)) {
        Some(None) => Vec::new(), // an unknown kind: the resolver names it
        Some(Some(k)) => common::parameters(&registry.names(), &Defaults::default())
            .into_iter()
            .chain(k.parameters())
            .collect(),
        None => {
            let k = registry.default_kind();
            common::parameters(&registry.names(), &Defaults::default())
                .into_iter()
                .chain(k.map(|k| k.parameters()).unwrap_or_default())
                .collect()
        }
    };
    for (name, (flag, text)) in &given {
        if name == "problem" {
            continue;
        }
        let value = match table.iter().find(|p| p.name == name) {
            Some(param) if param.ty == ParamType::Text && !flag.starts_with("--param") => {
                json!(std::fs::read_to_string(text).map_err(|e| format!("{flag} {text}: {e}"))?)
            }
            Some(param) => param.from_text(text).map_err(|e| format!("{flag}: {}", e.message))?,
            None => json!(text),
        };
        values.insert(name.clone(), value);
    }
    if args.maximize {
        values.insert("optimization_mode".into(), json!("MAXIMIZE"));
    }
    Ok((Request::from_map(values, Scope::Headless).with_total_steps(args.steps), flags))
}

fn param_error(e: &ParamError, flags: &BTreeMap<String, String>) -> String {
    let flag = match flags.get(&e.field) {
        Some(flag) => flag.clone(),
        None if e.field.is_empty() => "arguments".into(),
        None => format!("--{}", flag(&e.field)),
    };
    format!("{flag}: {}", e.message)
}

/// Run `kiln run`.
pub fn execute(registry: &Registry, args: &RunArgs, matches: &ArgMatches) -> ExitCode {
    let (request, flags) = match request(registry, args, matches) {
        Ok(r) => r,
        Err(message) => return fail(message),
    };
    let resolved = match registry.resolve(&request) {
        Ok(r) => r,
        Err(e) => return fail(param_error(&e, &flags)),
    };
    if let Some(seconds) = resolved.expected_seconds {
        // Before a long run starts, say how long it will take (stderr: --json stays clean).
        eprintln!(
            "kiln run: {}, {} steps, expected to take about {} on one core",
            registry.describe(&resolved.spec),
            resolved.config.total_steps(),
            fmt_duration(seconds)
        );
    }
    let mut config = resolved.config;
    config.threads = args.threads;
    if let Err(e) = config.validate() {
        return fail(format!("--{}: {}", flag(e.field), e.message));
    }
    let spec = resolved.spec;
    // The threads setting never changes the trajectory; rebuild only if it is not the default.
    let mut run = if config.threads == 0 {
        resolved.run
    } else {
        match registry.run(&spec, config.clone()) {
            Ok(run) => run,
            Err(e) => return fail(param_error(&e, &flags)),
        }
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
        let record = ReplayRecord::new(spec.clone(), config.clone(), every, checkpoints);
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
        if let Value::Object(map) = &mut value {
            map.insert("seed".into(), config.seed.into());
            map.insert("steps_per_sec".into(), json!(steps_per_sec.round()));
            if let Some(gap) = gap_percent(&progress) {
                map.insert("gap_percent".into(), json!(gap));
            }
        }
        println!("{}", serde_json::to_string_pretty(&value).expect("json"));
    } else {
        print_summary(registry, &spec, &progress, &config, elapsed, steps_per_sec);
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
pub fn describe(registry: &Registry, spec: &Spec, config: &AnnealConfig) -> String {
    let direction = match config.direction {
        Direction::Minimize => "minimise",
        Direction::Maximize => "maximise",
    };
    let method = match &config.tempering {
        None => format!("{} schedule", config.schedule.name()),
        Some(t) => format!(
            "tempering with {} replicas (ladder from the {} schedule's temperatures, exchanges every {} steps)",
            t.replicas,
            config.schedule.name(),
            t.exchange_interval
        ),
    };
    format!(
        "{}, {direction}, seed {}, {method}, {} cycle(s) of {} steps",
        registry.describe(spec),
        config.seed,
        config.cycles,
        config.steps_per_cycle
    )
}

fn print_summary(
    registry: &Registry,
    spec: &Spec,
    p: &Progress,
    config: &AnnealConfig,
    elapsed: Duration,
    steps_per_sec: f64,
) {
    println!("{}", describe(registry, spec, config));
    let mut best = format!("best energy  {}", fmt_energy(p.best_energy));
    if let Some(optimum) = p.optimal_energy {
        let gap = gap_percent(p).unwrap_or(0.0);
        best += &format!("  (known optimum {}, {gap:.2}% away)", fmt_energy(optimum));
    }
    println!("{best}");
    println!("current      {}", fmt_energy(p.current_energy));
    println!(
        "steps        {} in {:.2} s ({:.2} M steps/s)",
        p.step,
        elapsed.as_secs_f64(),
        steps_per_sec / 1e6
    );
    println!(
        "moves        {} accepted, {} rejected, {} invalid",
        p.accepted_moves, p.rejected_moves, p.invalid_moves
    );
    // The kind's own fields, as the page shows them: name and value.
    for (name, value) in &p.extra {
        if name == "tempering" {
            print_ladder(value);
            continue;
        }
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        println!("{:<12} {text}", name.replace('_', " "));
    }
}

/// A tempering run's ladder in a few lines (the full object is in `--json`): the
/// temperatures' range, the exchange rates' range and the round trips.
fn print_ladder(ladder: &Value) {
    let numbers = |list: &Value, field: Option<&str>| -> Vec<f64> {
        let items = list.as_array().map(Vec::as_slice).unwrap_or_default();
        items.iter().filter_map(|v| field.map_or(Some(v), |f| v.get(f)).and_then(Value::as_f64)).collect()
    };
    let range = |v: &[f64]| {
        let low = v.iter().copied().fold(f64::INFINITY, f64::min);
        let high = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (low, high)
    };
    let temperatures = numbers(&ladder["replicas"], Some("temperature"));
    let (cold, hot) = range(&temperatures);
    let (low, high) = range(&numbers(&ladder["exchange_rates"], None));
    println!("replicas     {} from T = {cold:.3} to {hot:.3}", temperatures.len());
    println!("exchanges    {:.0}% to {:.0}% accepted per pair", 100.0 * low, 100.0 * high);
    println!("round trips  {}", ladder["round_trips"]);
}

/// "0.4 s", "12 s", "2 min 5 s": a planning figure, rounded.
fn fmt_duration(seconds: f64) -> String {
    if seconds < 0.1 {
        "0.1 s or less".into()
    } else if seconds < 10.0 {
        format!("{seconds:.1} s")
    } else if seconds < 120.0 {
        format!("{seconds:.0} s")
    } else {
        let whole = seconds.round() as u64;
        format!("{} min {} s", whole / 60, whole % 60)
    }
}
