//! The `kiln` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kiln::cli::{replay, run, serve};

/// Simulated annealing you can watch: a live classroom server, headless runs, and
/// replays that prove a run is reproducible.
#[derive(Parser, Debug)]
#[command(name = "kiln", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the classroom page and the live API (the default main job)
    Serve(serve::ServeArgs),
    /// Anneal headless: progress bar on a terminal, a summary or --json, --record for replay
    Run(Box<run::RunArgs>),
    /// Re-run a replay record and verify every checkpoint (exit 1 naming the first divergence)
    Replay(replay::ReplayArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Serve(args) => serve::execute(&args),
        Command::Run(args) => run::execute(&args),
        Command::Replay(args) => replay::execute(&args),
    }
}
