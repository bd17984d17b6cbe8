//! `kiln run`: a headless annealing run with a progress bar, a readable summary or a
//! JSON result, an optional replay record and an optional SVG of the best state.
//!
//! Every parameter of every kind is a flag (`--formula C6H14`, `--instance eil51`,
//! `--initial-temp 50`), with the aliases its table row lists (`--k`, `--cycles`,
//! `--weights`), and `--param NAME=VALUE` reaches any of them by its API name. The
//! values go through the same resolver as `POST /api/sa/configure`. `--steps` is the
//! total over all cycles (`1e6` is read as 1000000; a constant schedule given `--steps`
//! and no cycles runs one cycle). `--time 10s` stops the run at a wall-time budget:
//! the result and record then end at the step reached, and the record replays exactly
//! to it. `-` as a FILE means stdout. The JSON result carries its own settings (the
//! Kiln version, the instance, the spec and the resolved config with the schedule's
//! temperatures as estimated) and the best state (`best_state`); every field is in
//! docs/json.md. A parameter the chosen schedule ignores is reported (a note on stderr,
//! `ignored_params` in the JSON), never silently dropped.

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
use crate::kinds::{Defaults, Group, Param, ParamError, ParamType, Progress, Registry, Request, Scope, Spec};

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
    /// Total steps over all cycles, e.g. 20000 or 1e6 (split evenly; each cycle gets
    /// steps / cycles) [default: the problem's own, shown in the summary]
    #[arg(long, value_name = "N", value_parser = parse_count)]
    pub steps: Option<u64>,
    /// Stop after this wall time (e.g. 10s, 2m) even if steps remain; the result and
    /// --record end at the step reached. Without --steps the schedule is stretched to
    /// the most steps a cycle may have, so time alone ends the run (best with a
    /// constant schedule; give --steps too for a cooling schedule to finish)
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub time: Option<Duration>,
    /// Maximise the objective instead of minimising it (--param optimization_mode=MAXIMIZE)
    #[arg(long)]
    pub maximize: bool,
    /// Worker threads for batches above 1 (0 = one per core; never changes the result)
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Print the final progress object as JSON instead of the summary
    #[arg(long)]
    pub json: bool,
    /// Print nothing but errors: no progress bar, no time estimate, no summary
    /// (--json, --record, --state-out and --svg still write)
    #[arg(long, short)]
    pub quiet: bool,
    /// Write a replay record (config and checkpoints) to FILE (- for stdout)
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Write the best state as JSON to FILE (- for stdout): spins, tour or SMILES,
    /// with the problem, instance and best energy
    #[arg(long, value_name = "FILE")]
    pub state_out: Option<PathBuf>,
    /// Steps between checkpoints in the record (default: 1/100 of the run)
    #[arg(long, value_name = "N", requires = "record")]
    pub checkpoint_every: Option<u64>,
    /// Write an SVG drawing of the best state to FILE (- for stdout)
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
}

/// A step count: a whole number (`20000`, `20_000`) or one in exponent form (`1e6`,
/// `2.5e5`), which must still be whole.
pub fn parse_count(text: &str) -> Result<u64, String> {
    let plain = text.trim().replace('_', "");
    if let Ok(n) = plain.parse::<u64>() {
        return Ok(n);
    }
    match plain.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x < 2f64.powi(64) => Ok(x as u64),
        Ok(x) => Err(format!("{text} is not a whole number of steps ({x})")),
        Err(_) => Err(format!("{text} is not a number of steps (e.g. 20000 or 1e6)")),
    }
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
pub(super) fn flag_params(registry: &Registry) -> Vec<Param> {
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
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    // The default as each owner's table gives it to a headless run; shared schedule
    // rows default per problem.
    let defaults: Vec<String> = registry
        .kinds()
        .filter_map(|k| {
            k.parameters().into_iter().find(|p| p.name == param.name).map(|p| {
                let headless = if p.headless_default.is_null() { p.default } else { p.headless_default };
                (k.name(), headless)
            })
        })
        .filter(|(_, d)| !d.is_null())
        .map(|(kind, d)| if owners.len() > 1 { format!("{kind} {}", text(&d)) } else { text(&d) })
        .collect();
    let default = if param.group == Group::Schedule && owners.is_empty() {
        match param.name {
            "seed" | "cooling_schedule_k" => format!(" [default: {}]", text(&param.default)),
            _ => " [default: the problem's own, shown in the summary]".to_string(),
        }
    } else if !defaults.is_empty() {
        format!(" [default: {}]", defaults.join(", "))
    } else if owners.is_empty() && !param.default.is_null() {
        format!(" [default: {}]", text(&param.default))
    } else {
        String::new()
    };
    if owners.is_empty() {
        format!("{}{file}{default}", param.help)
    } else {
        format!("{}: {}{file}{default}", owners.join(", "), param.help)
    }
}

fn examples(registry: &Registry) -> String {
    let mut text = String::from("Examples:\n");
    for kind in registry.kinds() {
        text += &format!("  kiln run --problem {} --steps 20000 --json\n", kind.name());
    }
    text += "  kiln run --param initial_temp=50 --param num_cycles=2 --steps 10000\n";
    text += "  kiln run --problem KIND --param NAME=VALUE --state-out best.json\n";
    text += "  kiln run --param schedule=constant --initial-temp 2 --steps 1e6 --time 10s\n";
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
        Some(Some(k)) => registry.rows(k),
        None => match registry.default_kind() {
            Some(k) => registry.rows(k),
            None => common::parameters(&registry.names(), &Defaults::default()),
        },
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
    if args.time.is_some() && args.steps.is_none() && !values.contains_key("steps_per_cycle") {
        // Time alone ends the run: the longest cycle a run may have.
        values.insert("steps_per_cycle".into(), json!(common::MAX_SESSION_STEPS));
        flags.insert("steps_per_cycle".into(), "--time".into());
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

/// Where an output goes: a file, or stdout for `-`.
fn is_stdout(path: &Option<PathBuf>) -> bool {
    path.as_deref().is_some_and(|p| p.as_os_str() == "-")
}

/// Write `text` to `path` (`-`: stdout, a closed pipe being no error).
fn write_out(flag: &str, path: &std::path::Path, text: &str) -> Result<(), ExitCode> {
    if path.as_os_str() == "-" {
        let code = super::emit(text);
        return if code == ExitCode::SUCCESS { Ok(()) } else { Err(code) };
    }
    std::fs::write(path, text).map_err(|e| fail(format!("{flag} {}: {e}", path.display())))
}

/// Run `kiln run`.
pub fn execute(registry: &Registry, args: &RunArgs, matches: &ArgMatches) -> ExitCode {
    let to_stdout: Vec<&str> = [
        ("--json", args.json),
        ("--record -", is_stdout(&args.record)),
        ("--state-out -", is_stdout(&args.state_out)),
        ("--svg -", is_stdout(&args.svg)),
    ]
    .into_iter()
    .filter_map(|(flag, on)| on.then_some(flag))
    .collect();
    if to_stdout.len() > 1 {
        return fail(format!("{} all write to stdout; send all but one to a file", to_stdout.join(" and ")));
    }
    let (request, flags) = match request(registry, args, matches) {
        Ok(r) => r,
        Err(message) => return fail(message),
    };
    let resolved = match registry.resolve(&request) {
        Ok(r) => r,
        Err(e) => return fail(param_error(&e, &flags)),
    };
    // Parameters the schedule ignores: reported (stderr, and `ignored_params` in --json),
    // never silently dropped. Not refused: a session's full config replays through here.
    let schedule = resolved.config.schedule.name();
    let ignored: Vec<String> = request
        .values()
        .keys()
        .filter(|name| !crate::kinds::settings::ignored_params(schedule, [name.as_str()]).is_empty())
        .map(|name| flags.get(name).cloned().unwrap_or_else(|| format!("--{}", flag(name))))
        .collect();
    if !ignored.is_empty() && !args.quiet {
        let why = if schedule == "auto" { " (it estimates its own temperatures)" } else { "" };
        eprintln!("kiln run: note: the {schedule} schedule does not use {}{why}", ignored.join(", "));
    }
    if let Some(seconds) = resolved.expected_seconds
        && !args.quiet
        && args.time.is_none()
    {
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
    let bar = if args.quiet { None } else { progress_bar(total) };
    let started = Instant::now();
    let mut checkpoints: Vec<Checkpoint> = vec![run.checkpoint()];
    let mut chunk = 1_000u64;
    let mut out_of_time = false;
    while !run.is_complete() {
        if args.time.is_some_and(|budget| started.elapsed() >= budget) {
            out_of_time = true;
            break;
        }
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
    if out_of_time && checkpoints.last().map(|c| c.step) != Some(run.steps_done()) {
        // The record ends where the budget stopped the run; a replay verifies to there.
        checkpoints.push(run.checkpoint());
    }
    let elapsed = started.elapsed();
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }

    let mut progress = run.progress();
    progress.elapsed_ms = elapsed.as_millis() as u64;
    let settings = crate::kinds::settings::settings(registry, &spec, &run, &config);
    let best_state = run.best_state();
    if let Some(path) = &args.record {
        let mut outcome = settings.clone();
        if let Value::Object(map) = &mut outcome {
            // The spec is the record's `problem` already.
            map.remove("spec");
            map.insert("best_energy".into(), json!(progress.snapshot.best_energy));
            map.insert("best_step".into(), json!(progress.snapshot.best_step));
            map.insert("stopped_by".into(), json!(if out_of_time { "time" } else { "steps" }));
            map.insert("best_state".into(), best_state.clone().unwrap_or(Value::Null));
        }
        let record =
            ReplayRecord::new(spec.clone(), config.clone(), every, checkpoints).with_outcome(outcome);
        let text = serde_json::to_string_pretty(&record).expect("a record serialises");
        if let Err(code) = write_out("--record", path, &(text + "\n")) {
            return code;
        }
    }
    if let Some(path) = &args.state_out {
        let mut out = Map::new();
        out.insert("problem".into(), json!(spec.problem));
        out.insert("instance".into(), settings["instance"].clone());
        out.insert("best_energy".into(), json!(progress.snapshot.best_energy));
        for field in ["best_model_energy", "energy_scale", "energy_offset"] {
            if let Some(v) = progress.extra.get(field) {
                out.insert(field.into(), v.clone());
            }
        }
        out.insert("best_state".into(), best_state.clone().unwrap_or(Value::Null));
        let text = serde_json::to_string_pretty(&Value::Object(out)).expect("json");
        if let Err(code) = write_out("--state-out", path, &(text + "\n")) {
            return code;
        }
    }
    if let Some(path) = &args.svg
        && let Err(code) = write_out("--svg", path, &run.best_svg())
    {
        return code;
    }
    let steps_per_sec = progress.snapshot.step as f64 / elapsed.as_secs_f64().max(1e-9);
    if args.json {
        let mut value = result_json(registry, &spec, &run, &config, elapsed, out_of_time);
        if let Value::Object(map) = &mut value {
            map.insert("ignored_params".into(), json!(ignored));
        }
        return super::emit(&(serde_json::to_string_pretty(&value).expect("json") + "\n"));
    }
    if args.quiet {
        return ExitCode::SUCCESS;
    }
    let summary = summary(registry, &spec, &progress, &config, elapsed, steps_per_sec, out_of_time);
    if to_stdout.is_empty() {
        super::emit(&summary)
    } else {
        // stdout carries the record or state: the summary goes beside the progress bar.
        eprint!("{summary}");
        ExitCode::SUCCESS
    }
}

/// The JSON result of a finished (or stopped) run, as `kiln run --json` prints it and
/// the Python package returns it: the progress fields, `seed`, `steps_per_sec`,
/// `gap_percent` (with a known optimum), `stopped_by` (`steps` or `time`),
/// `best_state`, and the settings ([`settings`]). Every field: docs/json.md.
pub fn result_json(
    registry: &Registry,
    spec: &Spec,
    run: &crate::kinds::Run,
    config: &AnnealConfig,
    elapsed: Duration,
    out_of_time: bool,
) -> Value {
    let mut progress = run.progress();
    progress.elapsed_ms = elapsed.as_millis() as u64;
    let steps_per_sec = progress.snapshot.step as f64 / elapsed.as_secs_f64().max(1e-9);
    let mut value = serde_json::to_value(&progress).expect("progress serialises");
    if let Value::Object(map) = &mut value {
        map.insert("seed".into(), config.seed.into());
        map.insert("steps_per_sec".into(), json!(steps_per_sec.round()));
        if let Some(gap) = gap_percent(&progress) {
            map.insert("gap_percent".into(), json!(gap));
        }
        map.insert("stopped_by".into(), json!(if out_of_time { "time" } else { "steps" }));
        map.insert("best_state".into(), run.best_state().unwrap_or(Value::Null));
        if let Value::Object(settings) = crate::kinds::settings::settings(registry, spec, run, config) {
            map.extend(settings);
        }
    }
    value
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
    Some(((p.snapshot.best_energy - optimum) / optimum.abs() * 100.0).abs())
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
            "tempering with {} replicas ({} ladder between the {} schedule's temperatures, exchanges every {} steps)",
            t.replicas,
            t.ladder.name(),
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

fn summary(
    registry: &Registry,
    spec: &Spec,
    p: &Progress,
    config: &AnnealConfig,
    elapsed: Duration,
    steps_per_sec: f64,
    out_of_time: bool,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "{}", describe(registry, spec, config));
    let mut best = format!("best energy  {}", fmt_energy(p.snapshot.best_energy));
    if let Some(optimum) = p.optimal_energy {
        let gap = gap_percent(p).unwrap_or(0.0);
        best += &format!("  (known optimum {}, {gap:.2}% away)", fmt_energy(optimum));
    }
    let _ = writeln!(out, "{best}");
    let _ = writeln!(out, "current      {}", fmt_energy(p.snapshot.current_energy));
    let stopped = if out_of_time { " (stopped by --time)" } else { "" };
    let _ = writeln!(
        out,
        "steps        {} in {:.2} s ({:.2} M steps/s){stopped}",
        p.snapshot.step,
        elapsed.as_secs_f64(),
        steps_per_sec / 1e6
    );
    let _ = writeln!(
        out,
        "moves        {} accepted, {} rejected, {} invalid",
        p.snapshot.accepted_moves, p.snapshot.rejected_moves, p.snapshot.invalid_moves
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
        let _ = writeln!(out, "{:<12} {text}", name.replace('_', " "));
    }
    out
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
