//! `kiln sweep`: an experiment (DESIGN.md section 9) from the command line, and
//! `kiln sweep merge`, which joins the files of its shards.
//!
//! ```text
//! kiln sweep --problem KIND --param NAME=VALUE --vary schedule=faulon,geometric \
//!     --seeds 20 [--steps N] [--shard I/N | --shard auto [--shard-count N]] [--out FILE] [--threads N]
//! kiln sweep merge shard-*.jsonl [--out FILE]
//! ```
//!
//! The flags become the JSON plan of `POST /api/experiments` (`base` from `--problem`,
//! `--param` and `--steps`; `vary`; `seeds`), typed by the kinds' parameter tables
//! as `kiln run` types them, and run through the same [`KindRunner`]. Output: one JSON
//! line per task as it finishes, then the summary line ([`crate::sweep::output`]);
//! a progress bar on stderr when it is a terminal. An experiment whose tasks failed
//! still exits 0 (its lines say which failed and why; a cluster's shard is complete);
//! a bad flag exits 2 naming the flag and its value.

use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::{ArgMatches, Args, Command, FromArgMatches};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Map, Value, json};

use super::fail;
use crate::kinds::{Defaults, Param, Registry, common};
use crate::sweep::{
    Experiment, KindRunner, Plan, PlanError, PlanLimits, RunOptions, Shard, SweepEvent, SweepPool,
    event_line, merge, read_output,
};

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
    /// Seeds: a count N (seeds 0..N-1) or a list a,b,c
    #[arg(long, value_name = "N|A,B,C")]
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
    /// Worker threads (0 = one per core); never changes the results
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
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

/// `kiln sweep` with its `merge` subcommand.
pub fn command() -> Command {
    let merge = MergeArgs::augment_args(Command::new("merge"))
        .about("Join the output files of an experiment's shards into the whole experiment's result");
    SweepArgs::augment_args(Command::new("sweep"))
        .about("Run an experiment (parameter grid x seeds), one JSON line per task and a summary")
        .allow_negative_numbers(true)
        .args_conflicts_with_subcommands(true)
        .subcommand(merge)
        .after_help(
            "Examples:\n  kiln sweep --problem KIND --param NAME=VALUE --vary schedule=faulon,geometric --seeds 20\n  \
             kiln sweep --problem KIND --param NAME=VALUE --vary schedule=faulon,geometric --seeds 8 --shard 0/4 --out s0.jsonl\n  \
             kiln sweep merge s0.jsonl s1.jsonl s2.jsonl s3.jsonl --out all.jsonl",
        )
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
        Ok(args) => execute(registry, &args),
        Err(e) => e.exit(),
    }
}

/// The parameter rows of the kind `problem` names (the default kind when none is
/// named; every kind's rows when the name is unknown, which the resolver then names).
fn table(registry: &Registry, problem: Option<&str>) -> Vec<Param> {
    let mut rows = common::parameters(&registry.names(), &Defaults::default());
    let kind = match problem {
        Some(name) => registry.get(name),
        None => registry.default_kind(),
    };
    match kind {
        Some(kind) => rows.extend(kind.parameters()),
        None => registry.kinds().for_each(|k| rows.extend(k.parameters())),
    }
    rows
}

/// One value as the table types it (a number, a boolean, a name), else the text.
fn typed(table: &[Param], name: &str, text: &str, flag: &str) -> Result<Value, String> {
    match table.iter().find(|p| p.name == name) {
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
        return Err("--seeds: missing; give a count (--seeds 20) or a list (--seeds 3,7,11)".into());
    };
    let seeds =
        if seeds.contains(',') {
            let list: Result<Vec<u64>, _> = seeds.split(',').map(|s| s.trim().parse::<u64>()).collect();
            json!(list.map_err(|_| format!("--seeds {seeds:?}: expected whole numbers from 0, like 3,7,11"))?)
        } else {
            json!(seeds.trim().parse::<u64>().map_err(|_| format!(
                "--seeds {seeds:?}: expected a count (20) or a list of seeds (3,7,11)"
            ))?)
        };
    Ok(json!({"base": base, "vary": vary, "seeds": seeds}))
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

/// Run `kiln sweep`.
pub fn execute(registry: &std::sync::Arc<Registry>, args: &SweepArgs) -> ExitCode {
    let plan = match plan_json(registry, args) {
        Ok(json) => match Plan::parse(&json, &PlanLimits::default()) {
            Ok(plan) => plan,
            Err(e) => return fail(flag_error(&e, args)),
        },
        Err(message) => return fail(message),
    };
    let shard = match shard(args) {
        Ok(shard) => shard,
        Err(message) => return fail(message),
    };
    let pool = match SweepPool::new(args.threads) {
        Ok(pool) => pool,
        Err(message) => return fail(format!("--{message}")),
    };
    let runner = KindRunner::new(registry.clone());
    let experiment = match Experiment::new(plan, runner, &PlanLimits::default()) {
        Ok(e) => e,
        Err(e) => return fail(flag_error(&e, args)),
    };
    let mut out: Box<dyn Write + Send> = match &args.out {
        Some(path) => match File::create(path) {
            Ok(file) => Box::new(BufWriter::new(file)),
            Err(e) => return fail(format!("--out {}: {e}", path.display())),
        },
        None => Box::new(BufWriter::new(std::io::stdout())),
    };
    let tasks = shard.task_ids(experiment.plan().task_count()).count() as u64;
    let bar = progress_bar(tasks);
    let cancel = AtomicBool::new(false);
    let mut write_error: Option<std::io::Error> = None;
    let mut failed = 0u64;
    let options = RunOptions { shard, ..RunOptions::new(&cancel) };
    let report = experiment.run(&pool, options, |event| {
        if let SweepEvent::TaskComplete(record) = &event {
            failed += u64::from(!record.succeeded());
            if let Some(bar) = &bar {
                bar.inc(1);
            }
        }
        if let Some(line) = event_line(experiment.plan(), &event)
            && write_error.is_none()
        {
            // Each line goes out whole as its task ends: a shard killed half-way keeps them.
            let written = writeln!(out, "{line}").and_then(|_| out.flush());
            if let Err(e) = written {
                write_error = Some(e);
            }
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Some(e) = write_error {
        let target = args.out.as_ref().map_or("standard output".into(), |p| format!("--out {}", p.display()));
        return fail(format!("{target}: {e}"));
    }
    match report {
        Ok(report) => {
            if failed > 0 {
                eprintln!(
                    "kiln: {failed} of {} tasks failed; their lines carry the error",
                    report.records.len()
                );
            }
            ExitCode::SUCCESS
        }
        Err(cancelled) => fail(cancelled),
    }
}

fn progress_bar(tasks: u64) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(tasks), ProgressDrawTarget::stderr_with_hz(10));
    bar.set_style(
        ProgressStyle::with_template("{bar:30.cyan/blue} {pos}/{len} tasks  {elapsed_precise}  eta {eta}")
            .expect("valid template")
            .progress_chars("=> "),
    );
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
