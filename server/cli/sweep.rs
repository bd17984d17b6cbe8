//! `kiln sweep`: an experiment (DESIGN.md section 9) from the command line, and
//! `kiln sweep merge`, which joins the files of its shards.
//!
//! ```text
//! kiln sweep --problem KIND [--NAME VALUE ...] --param NAME=VALUE --vary schedule=faulon,geometric \
//!     --seeds 20|3,7,11|100..120 [--steps N] [--shard I/N | --shard auto[/N]] [--out FILE] [--csv FILE] [--threads N]
//! kiln sweep --resume FILE
//! kiln sweep merge shard-*.jsonl [--out FILE]
//! ```
//!
//! The flags become the JSON plan of `POST /api/experiments` (`base` from `--problem`,
//! the parameter flags `kiln run` has (`--formula C8H18`), `--param` and `--steps`;
//! `vary`; `seeds`), typed by the kinds' parameter tables as `kiln run` types them, and
//! run through the same [`KindRunner`]. A parameter the table reads from a file
//! (`tsplib`, `graph`) is a path, in `--param`, `--vary` and its own flag alike.
//! Output: one JSON line per task as it finishes, then the summary line
//! ([`crate::sweep::output`]); `--csv FILE` also writes the tasks as CSV
//! ([`crate::sweep::csv`]); a progress bar on stderr when it is a terminal.
//!
//! Exit codes: 0 when at least one task completed (the failed ones' lines say why; a
//! cluster's shard is complete), 1 when every task failed, 2 for a bad flag (naming the
//! flag and its value), 130 after Ctrl-C. Ctrl-C stops the running tasks and writes a
//! summary of the tasks done so far, marked `"interrupted": true`; `kiln sweep --resume
//! FILE` reads such a file (the plan and shard come from its summary line), runs the
//! tasks it lacks and writes them and the full summary in place of the partial one.
//!
//! Threads: `--threads`, else `SLURM_CPUS_PER_TASK` when set (a Slurm job's CPUs),
//! else one per core the process may use.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Map, Value, json};

use super::fail;
use crate::kinds::{Defaults, Group, Param, ParamType, Registry, common};
use crate::sweep::summary::Timing;
use crate::sweep::{
    Experiment, KindRunner, Plan, PlanError, PlanLimits, RunOptions, Shard, Summary, SweepEvent, SweepPool,
    TaskOutputs, TaskRecord, event_line, merge, read_output, summary_line, write_csv,
};

/// Exit code when every task failed.
const EXIT_ALL_FAILED: u8 = 1;
/// Exit code after Ctrl-C (128 + SIGINT, as shells report it).
const EXIT_INTERRUPTED: u8 = 130;
/// Table rows that get no flag of their own: the kind is `--problem`, a task's seed
/// comes from `--seeds`, and the goal is `--param optimization_mode=`.
const NOT_FLAGS: [&str; 3] = ["problem", "optimization_mode", "seed"];

/// The arguments of `kiln sweep`.
#[derive(Args, Debug, Default)]
pub struct SweepArgs {
    /// Problem kind (see GET /api/problems); the default kind if not given
    #[arg(long)]
    pub problem: Option<String>,
    /// A base parameter by its API name, e.g. --param NAME=VALUE (`kiln run --help` lists the names) (repeatable)
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// A varied parameter and its values, e.g. --vary schedule=faulon,geometric (repeatable; the grid is every combination)
    #[arg(long = "vary", value_name = "NAME=V1,V2,...")]
    pub vary: Vec<String>,
    /// Seeds: a count N (seeds 0..N-1), a list a,b,c, or a range START..END (END excluded) or START..=END
    #[arg(long, value_name = "N|A,B,C|START..END")]
    pub seeds: Option<String>,
    /// Total steps of each task over all cycles (the kind's default if not given)
    #[arg(long, value_name = "N")]
    pub steps: Option<u64>,
    /// Run only shard I of N (tasks I, I+N, ...); `auto` reads Slurm's or Kubernetes' variables
    #[arg(long, value_name = "I/N|auto|auto/N")]
    pub shard: Option<String>,
    /// The shard count for `--shard auto` under Kubernetes (its Job's completions)
    #[arg(long, value_name = "N")]
    pub shard_count: Option<u64>,
    /// Write the lines to FILE instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Also write the tasks as CSV to FILE (one row per task, the parameters as columns)
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Add each task's best state to its line (spins, a tour's city indices, a SMILES)
    #[arg(long)]
    pub best_state: bool,
    /// Finish an interrupted run: FILE is its output, whose summary line gives the plan
    #[arg(long, value_name = "FILE", conflicts_with_all = ["problem", "params", "vary", "seeds", "steps", "shard", "shard_count", "out"])]
    pub resume: Option<PathBuf>,
    /// Worker threads (0 = SLURM_CPUS_PER_TASK if set, else one per core); never changes the results
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Parameters given by their own flags (`--formula C8H18`): API name -> (flag, text).
    #[arg(skip)]
    pub flags: Vec<(String, String, String)>,
}

/// The arguments of `kiln sweep merge`.
#[derive(Args, Debug, Default)]
pub struct MergeArgs {
    /// The shard files, as `kiln sweep --shard` wrote them
    #[arg(required = true, value_name = "FILES")]
    pub files: Vec<PathBuf>,
    /// Write the merged lines to FILE instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// The examples of `kiln sweep --help`: one per kind of `registry`, then the general forms.
fn examples(registry: &Registry) -> String {
    let mut text = String::from("Examples:\n");
    for kind in registry.kinds() {
        text +=
            &format!("  kiln sweep --problem {} --vary schedule=faulon,geometric --seeds 20\n", kind.name());
    }
    text += "  kiln sweep --problem KIND --param optimal_energy=21282 --seeds 0..10 --csv tasks.csv\n";
    text += "  kiln sweep --problem KIND --param NAME=VALUE --seeds 8 --shard 0/4 --out s0.jsonl\n";
    text += "  kiln sweep merge s0.jsonl s1.jsonl s2.jsonl s3.jsonl --out all.jsonl\n";
    text += "  kiln sweep --resume s0.jsonl   (after Ctrl-C)";
    text
}

/// `kiln sweep` with its `merge` subcommand, and one flag per parameter of every kind
/// in `registry`, as `kiln run` has them.
pub fn command(registry: &Registry) -> Command {
    let merge = MergeArgs::augment_args(Command::new("merge"))
        .about("Join the output files of an experiment's shards into the whole experiment's result");
    let mut command = SweepArgs::augment_args(Command::new("sweep"))
        .about("Run an experiment (parameter grid x seeds), one JSON line per task and a summary")
        .allow_negative_numbers(true)
        .args_conflicts_with_subcommands(true)
        .subcommand(merge)
        .after_help(examples(registry));
    let own: Vec<String> = command.get_arguments().map(|a| a.get_id().to_string()).collect();
    for param in flag_params(registry) {
        if own.iter().any(|id| id == param.name) {
            continue;
        }
        let file = param.ty == ParamType::Text;
        let mut arg = Arg::new(param.name)
            .long(param.name.replace('_', "-"))
            .value_name(if file { "FILE" } else { "VALUE" })
            .action(ArgAction::Set)
            .allow_negative_numbers(true)
            .help(format!("{}{}", param.help, if file { " (read from FILE)" } else { "" }));
        for alias in param.cli_aliases {
            arg = arg.alias(*alias);
        }
        command = command.arg(arg);
    }
    command
}

/// Every parameter row of every kind that becomes a flag, first row of a name wins.
/// Pacing rows (a live session's speed, and batch, which tasks fix at 1) are left out:
/// a task never uses them.
fn flag_params(registry: &Registry) -> Vec<Param> {
    let sweep_flag = |p: &Param| p.group != Group::Pacing && !NOT_FLAGS.contains(&p.name);
    super::run::flag_params(registry).into_iter().filter(sweep_flag).collect()
}

/// Run `kiln sweep` or `kiln sweep merge` from their matches.
pub fn main(registry: &std::sync::Arc<Registry>, matches: &ArgMatches) -> ExitCode {
    if let Some(("merge", m)) = matches.subcommand() {
        return match MergeArgs::from_arg_matches(m) {
            Ok(args) => execute_merge(&args),
            Err(e) => e.exit(),
        };
    }
    match SweepArgs::from_arg_matches(matches) {
        Ok(mut args) => {
            for param in flag_params(registry) {
                if let Ok(Some(text)) = matches.try_get_one::<String>(param.name) {
                    let flag = format!("--{}", param.name.replace('_', "-"));
                    args.flags.push((param.name.to_string(), flag, text.clone()));
                }
            }
            execute(registry, &args)
        }
        Err(e) => e.exit(),
    }
}

/// The parameter rows of the kind `problem` names (the default kind when none is
/// named; every kind's rows when the name is unknown, which the resolver then names).
fn table(registry: &Registry, problem: Option<&str>) -> Vec<Param> {
    let kind = match problem {
        Some(name) => registry.get(name),
        None => registry.default_kind(),
    };
    match kind {
        Some(kind) => registry.rows(kind),
        None => {
            let mut rows = common::parameters(&registry.names(), &Defaults::default());
            registry.kinds().for_each(|k| rows.extend(k.parameters()));
            rows
        }
    }
}

/// One value as the table types it (a number, a boolean, a name; a file parameter's
/// text read from the path given), else the text.
fn typed(table: &[Param], name: &str, text: &str, flag: &str) -> Result<Value, String> {
    match table.iter().find(|p| p.name == name) {
        Some(param) if param.ty == ParamType::Text => std::fs::read_to_string(text)
            .map(Value::from)
            .map_err(|e| format!("{flag} {text}: {e} (a file parameter is a path)")),
        Some(param) => param.from_text(text).map_err(|e| format!("{flag}: {}", e.message)),
        None => Ok(text.parse::<u64>().map(Value::from).unwrap_or_else(|_| json!(text))),
    }
}

fn split_pair<'a>(flag: &str, pair: &'a str) -> Result<(&'a str, &'a str), String> {
    match pair.split_once('=') {
        Some((name, text)) if !name.trim().is_empty() => Ok((name.trim(), text)),
        _ => Err(format!("{flag} {pair:?}: expected NAME=VALUE")),
    }
}

/// The plan these flags stand for, as JSON.
fn plan_json(registry: &Registry, args: &SweepArgs) -> Result<Value, String> {
    let table = table(registry, args.problem.as_deref());
    let mut base = Map::new();
    if let Some(problem) = &args.problem {
        base.insert("problem".into(), json!(problem));
    }
    for pair in &args.params {
        let (name, text) = split_pair("--param", pair)?;
        let flag = format!("--param {name}");
        if base.contains_key(name) {
            return Err(format!("{flag}: given twice"));
        }
        base.insert(name.into(), typed(&table, name, text, &flag)?);
    }
    for (name, flag, text) in &args.flags {
        if base.contains_key(name) {
            return Err(format!("{flag}: given twice (also as --param {name})"));
        }
        base.insert(name.clone(), typed(&table, name, text, flag)?);
    }
    if let Some(steps) = args.steps {
        base.insert("steps".into(), json!(steps));
    }
    let mut vary = Map::new();
    for pair in &args.vary {
        let (name, text) = split_pair("--vary", pair)?;
        let flag = format!("--vary {name}");
        if vary.contains_key(name) {
            return Err(format!("{flag}: given twice; list every value in one --vary {name}=V1,V2"));
        }
        let values: Vec<Value> = if text.trim_start().starts_with('[') {
            serde_json::from_str(text).map_err(|e| format!("{flag}={text}: not a JSON list: {e}"))?
        } else {
            text.split(',').map(|t| typed(&table, name, t.trim(), &flag)).collect::<Result<_, _>>()?
        };
        vary.insert(name.into(), Value::from(values));
    }
    let Some(seeds) = &args.seeds else {
        return Err("--seeds: missing; give a count (--seeds 20), a list (--seeds 3,7,11) or a range (--seeds 100..120)".into());
    };
    Ok(json!({"base": base, "vary": vary, "seeds": seeds_json(seeds)?}))
}

/// `--seeds` as the plan's `seeds`: a count, a list, or a range expanded to its list.
fn seeds_json(seeds: &str) -> Result<Value, String> {
    let text = seeds.trim();
    if let Some((start, end)) = text.split_once("..") {
        let (end, inclusive) = match end.strip_prefix('=') {
            Some(end) => (end, true),
            None => (end, false),
        };
        let bad =
            || format!("--seeds {seeds:?}: expected a range of whole numbers, START..END or START..=END");
        let start: u64 = start.trim().parse().map_err(|_| bad())?;
        let end: u64 = end.trim().parse().map_err(|_| bad())?;
        let end = if inclusive { end.checked_add(1).ok_or_else(bad)? } else { end };
        if end <= start {
            return Err(format!("--seeds {seeds:?}: the range is empty; END must be above START"));
        }
        let max = PlanLimits::default().max_tasks;
        if end - start > max {
            return Err(format!("--seeds {seeds:?}: {} seeds, above the limit of {max} tasks", end - start));
        }
        return Ok(json!((start..end).collect::<Vec<u64>>()));
    }
    if text.contains(',') {
        let list: Result<Vec<u64>, _> = text.split(',').map(|s| s.trim().parse::<u64>()).collect();
        return Ok(json!(
            list.map_err(|_| format!("--seeds {seeds:?}: expected whole numbers from 0, like 3,7,11"))?
        ));
    }
    text.parse::<u64>().map(Value::from).map_err(|_| {
        format!("--seeds {seeds:?}: expected a count (20), a list of seeds (3,7,11) or a range (100..120)")
    })
}

/// A plan error with the flag the user wrote in place of the plan's field.
fn flag_error(e: &PlanError, args: &SweepArgs) -> String {
    let field = e.field();
    let name = |rest: &str| rest.split('[').next().unwrap_or(rest).to_string();
    let flag = if let Some(rest) = field.strip_prefix("vary.") {
        format!("--vary {}", name(rest))
    } else if field == "base.problem" {
        format!("--problem {}", args.problem.as_deref().unwrap_or_default())
    } else if field == "base.steps" {
        "--steps".into()
    } else if let Some((_, flag, _)) =
        field.strip_prefix("base.").and_then(|rest| args.flags.iter().find(|(name, ..)| name == rest))
    {
        flag.clone()
    } else if let Some(rest) = field.strip_prefix("base.") {
        format!("--param {rest}")
    } else if field.starts_with("seeds") {
        "--seeds".into()
    } else if field == "vary" {
        "--vary".into()
    } else {
        field.to_string()
    };
    format!("{flag}: {}", e.message())
}

fn shard(args: &SweepArgs) -> Result<Shard, String> {
    let env = |name: &str| std::env::var(name).ok();
    match (&args.shard, args.shard_count) {
        (None, None) => Ok(Shard::whole()),
        (None, Some(n)) => Err(format!("--shard-count {n}: only used with --shard auto")),
        (Some(arg), None) => Shard::from_arg(arg, env).map_err(|e| e.to_string()),
        (Some(arg), Some(n)) if arg.trim() == "auto" => {
            Shard::from_arg(&format!("auto/{n}"), env).map_err(|e| e.to_string())
        }
        (Some(arg), Some(n)) => {
            Err(format!("--shard-count {n}: only used with --shard auto, not --shard {arg}"))
        }
    }
}

/// What a run starts from: a plan and shard from the flags, or from a file to resume.
struct Start {
    plan: Plan,
    shard: Shard,
    /// Tasks a resumed file already holds.
    completed: Vec<TaskRecord>,
}

/// The plan and shard of the flags.
fn start_from_flags(registry: &Registry, args: &SweepArgs) -> Result<Start, String> {
    let json = plan_json(registry, args)?;
    let plan = Plan::parse(&json, &PlanLimits::default()).map_err(|e| flag_error(&e, args))?;
    Ok(Start { plan, shard: shard(args)?, completed: Vec::new() })
}

/// The plan, shard and completed tasks of an interrupted output file; the file is cut
/// back to its task lines, ready for the rest to be appended.
fn start_from_file(path: &Path) -> Result<Start, String> {
    let name = format!("--resume {}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
    let output = read_output(&name, text.as_bytes()).map_err(|e| e.to_string())?;
    if !output.summary.interrupted {
        return Err(format!("{name}: this run already finished (its summary is not marked interrupted)"));
    }
    let plan = Plan::parse(&output.plan, &PlanLimits::default())
        .map_err(|e| format!("{name}: the plan in its summary line is invalid: {e}"))?;
    let shard = output.summary.shard.unwrap_or_else(Shard::whole);
    // The summary line is the last line with text: keep everything before it.
    let trimmed = text.trim_end();
    let keep = trimmed.rfind('\n').map_or(0, |i| i + 1);
    let file = OpenOptions::new().write(true).open(path).map_err(|e| format!("{name}: {e}"))?;
    file.set_len(keep as u64).map_err(|e| format!("{name}: {e}"))?;
    Ok(Start { plan, shard, completed: output.records })
}

/// The worker threads: `--threads`, else Slurm's CPUs per task, else 0 (one per core).
fn threads(args: &SweepArgs, env: impl Fn(&str) -> Option<String>) -> Result<usize, String> {
    if args.threads > 0 {
        return Ok(args.threads);
    }
    match env("SLURM_CPUS_PER_TASK") {
        None => Ok(0),
        Some(v) => v
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("SLURM_CPUS_PER_TASK={v:?}: not a whole number of at least 1")),
    }
}

/// A flag set by Ctrl-C (SIGINT), watched on a thread of its own.
fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let set = Arc::clone(&flag);
    let watcher = std::thread::Builder::new().name("kiln-sweep-ctrl-c".into()).spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_io().build() else { return };
        if runtime.block_on(tokio::signal::ctrl_c()).is_ok() {
            set.store(true, Ordering::Relaxed);
        }
    });
    // Without the watcher, Ctrl-C keeps its default effect (the process ends).
    drop(watcher);
    flag
}

/// Run `kiln sweep`.
pub fn execute(registry: &std::sync::Arc<Registry>, args: &SweepArgs) -> ExitCode {
    let start = match &args.resume {
        Some(path) => start_from_file(path),
        None => start_from_flags(registry, args),
    };
    let Start { plan, shard, completed } = match start {
        Ok(start) => start,
        Err(message) => return fail(message),
    };
    let threads = match threads(args, |name| std::env::var(name).ok()) {
        Ok(n) => n,
        Err(message) => return fail(message),
    };
    let pool = match SweepPool::new(threads) {
        Ok(pool) => pool,
        Err(message) => return fail(format!("--{message}")),
    };
    // Task lines say what they ran (issue 26): version, instance, spec, resolved config.
    let outputs = TaskOutputs { best_state: args.best_state, settings: true };
    let runner = KindRunner::new(registry.clone()).with_outputs(outputs);
    let experiment = match Experiment::new(plan, runner, &PlanLimits::default()) {
        Ok(e) => e,
        Err(e) => return fail(flag_error(&e, args)),
    };
    let target = match (&args.resume, &args.out) {
        (Some(path), _) => format!("--resume {}", path.display()),
        (None, Some(path)) => format!("--out {}", path.display()),
        (None, None) => "standard output".into(),
    };
    let opened: std::io::Result<Box<dyn Write + Send>> = match (&args.resume, &args.out) {
        (Some(path), _) => {
            OpenOptions::new().append(true).open(path).map(|f| Box::new(BufWriter::new(f)) as _)
        }
        (None, Some(path)) => File::create(path).map(|f| Box::new(BufWriter::new(f)) as _),
        (None, None) => Ok(Box::new(BufWriter::new(std::io::stdout()))),
    };
    let mut out = match opened {
        Ok(out) => out,
        Err(e) => return fail(format!("{target}: {e}")),
    };
    let tasks = shard.task_ids(experiment.plan().task_count()).count() as u64;
    let bar = progress_bar(tasks, completed.len() as u64);
    let cancel = interrupt_flag();
    let mut write_error: Option<std::io::Error> = None;
    let mut write = |line: &str, out: &mut Box<dyn Write + Send>| {
        if write_error.is_none() {
            // Each line goes out whole as its task ends: a shard killed half-way keeps them.
            if let Err(e) = writeln!(out, "{line}").and_then(|_| out.flush()) {
                // Nobody can read the rest (`| head -1`): stop the run.
                cancel.store(true, Ordering::Relaxed);
                write_error = Some(e);
            }
        }
    };
    let options = RunOptions { shard, completed, ..RunOptions::new(&cancel) };
    let started_at = crate::sweep::experiment::unix_ms();
    let wall = Instant::now();
    let report = experiment.run(&pool, options, |event| {
        if matches!(event, SweepEvent::TaskComplete(_))
            && let Some(bar) = &bar
        {
            bar.inc(1);
        }
        if let Some(line) = event_line(experiment.plan(), &event) {
            write(&line, &mut out);
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let (records, interrupted) = match report {
        Ok(report) => (report.records, false),
        Err(cancelled) => {
            let timing = Timing {
                wall_ms: wall.elapsed().as_secs_f64() * 1e3,
                started_at,
                finished_at: crate::sweep::experiment::unix_ms(),
            };
            let task_time_ms = cancelled.completed.iter().map(|r| r.execution_time_ms).sum();
            let partial = (shard != Shard::whole()).then_some(shard);
            let mut summary =
                Summary::new(experiment.plan(), partial, &cancelled.completed, task_time_ms, timing);
            summary.interrupted = true;
            write(&summary_line(experiment.plan(), &summary), &mut out);
            (cancelled.completed, true)
        }
    };
    match write_error {
        // The reader went away (`| head -1`): end quietly, as a filter does.
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return ExitCode::SUCCESS,
        Some(e) => return fail(format!("{target}: {e}")),
        None => {}
    }
    if let Some(path) = &args.csv {
        let written =
            File::create(path).and_then(|f| write_csv(experiment.plan(), &records, BufWriter::new(f)));
        if let Err(e) = written {
            return fail(format!("--csv {}: {e}", path.display()));
        }
    }
    let failed = records.iter().filter(|r| !r.succeeded()).count();
    if interrupted {
        let file = args.resume.as_ref().or(args.out.as_ref());
        let how = file.map_or("rerun with --out FILE to be able to resume".into(), |p| {
            format!("kiln sweep --resume {} finishes it", p.display())
        });
        eprintln!("kiln: interrupted after {} of {tasks} tasks; {how}", records.len());
        return ExitCode::from(EXIT_INTERRUPTED);
    }
    if failed > 0 && failed == records.len() {
        let first = records.iter().find_map(|r| r.error.as_ref()).map(|e| e.to_string()).unwrap_or_default();
        eprintln!("kiln: every one of the {failed} tasks failed; the first: {first}");
        return ExitCode::from(EXIT_ALL_FAILED);
    }
    if failed > 0 {
        eprintln!("kiln: {failed} of {} tasks failed; their lines carry the error", records.len());
    }
    ExitCode::SUCCESS
}

fn progress_bar(tasks: u64, done: u64) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(tasks), ProgressDrawTarget::stderr_with_hz(10));
    bar.set_style(
        ProgressStyle::with_template("{bar:30.cyan/blue} {pos}/{len} tasks  {elapsed_precise}  eta {eta}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_position(done);
    Some(bar)
}

/// Run `kiln sweep merge`.
pub fn execute_merge(args: &MergeArgs) -> ExitCode {
    let mut outputs = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let name = path.display().to_string();
        let file = match File::open(path) {
            Ok(file) => file,
            Err(e) => return fail(format!("{name}: {e}")),
        };
        match read_output(&name, BufReader::new(file)) {
            Ok(output) => outputs.push(output),
            Err(e) => return fail(e),
        }
    }
    let merged = match merge(outputs) {
        Ok(merged) => merged,
        Err(e) => return fail(e),
    };
    let written = match &args.out {
        Some(path) => File::create(path)
            .and_then(|f| {
                let mut w = BufWriter::new(f);
                merged.write_to(&mut w)?;
                w.flush()
            })
            .map_err(|e| format!("--out {}: {e}", path.display())),
        None => {
            let mut w = BufWriter::new(std::io::stdout().lock());
            merged.write_to(&mut w).and_then(|_| w.flush()).map_err(|e| format!("standard output: {e}"))
        }
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(message),
    }
}
