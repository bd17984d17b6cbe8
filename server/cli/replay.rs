//! `kiln replay FILE`: re-run a replay record and verify every checkpoint.
//!
//! Exit 0 when every checkpoint matches bit for bit; exit 1 naming the first step
//! that diverges; exit 2 when the file cannot be read or is not a record, or its
//! config is outside the parameter table (an edited record: the error names the
//! field, as `kiln run` would have).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use kiln_engine::replay::first_divergence;
use kiln_engine::{Batch, Checkpoint, ReplayRecord};

use super::{EXIT_DIVERGED, fail};
use crate::kinds::{Registry, Spec};

/// Arguments of `kiln replay`.
#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// A record written by `kiln run --record` (or downloaded from the page)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Replay with another batch size (auto or 1..64): the result must not change
    #[arg(long, value_parser = |s: &str| s.parse::<Batch>())]
    pub batch: Option<Batch>,
    /// Replay on this many threads (0 = one per core): the result must not change
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Run `kiln replay`.
pub fn execute(registry: &Registry, args: &ReplayArgs) -> ExitCode {
    let name = args.file.display();
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => return fail(format!("{name}: {e}")),
    };
    let record = match ReplayRecord::<Spec>::from_json(&text) {
        Ok(r) => r,
        Err(e) => return fail(format!("{name}: {e}")),
    };
    let Some(last) = record.checkpoints.last() else {
        return fail(format!("{name}: the record has no checkpoints"));
    };
    let mut config = record.config.clone();
    if let Some(batch) = args.batch {
        config.batch = batch;
    }
    if let Some(threads) = args.threads {
        config.threads = threads;
    }
    let mut run = match registry.run_checked(&record.problem, config) {
        Ok(run) => run,
        Err(e) => return fail(format!("{name}: {e}")),
    };
    // Re-run to each recorded step: the replay takes checkpoints where the record did.
    let mut replayed: Vec<Checkpoint> = Vec::with_capacity(record.checkpoints.len());
    for expected in &record.checkpoints {
        if expected.step < run.steps_done() || expected.step > run.total_steps() {
            break;
        }
        run.run(expected.step - run.steps_done());
        replayed.push(run.checkpoint());
        if replayed.last() != Some(expected) {
            break;
        }
    }
    match first_divergence(&record.checkpoints, &replayed) {
        None => super::emit(&format!(
            "replay OK: {} checkpoints match, steps 0 to {} ({})\n",
            record.checkpoints.len(),
            last.step,
            super::run::describe(registry, &record.problem, &record.config)
        )),
        Some(divergence) => {
            eprintln!("kiln: replay of {name} FAILED: {divergence}");
            ExitCode::from(EXIT_DIVERGED)
        }
    }
}
