//! The command line: `kiln serve`, `kiln run`, `kiln replay`, `kiln sweep`, one file per command.
//!
//! [`main`] builds the commands at run time from a [`Server`]'s kinds: `kiln run`
//! gets one flag per parameter of every kind (`--formula`, `--instance`, ...) and
//! `--param NAME=VALUE`, all read from the kinds' parameter tables and checked by
//! the same resolver as the HTTP API, so defaults and validation agree. A library
//! user's binary calls [`main`] with its own kinds and gets the same commands.

pub mod replay;
pub mod run;
pub mod serve;
pub mod sweep;

use std::process::ExitCode;

use clap::{Args, Command, FromArgMatches};

use crate::server::Server;

/// Exit code for a bad argument, file or parameter.
pub const EXIT_USAGE: u8 = 2;
/// Exit code for a replay that does not reproduce its record.
pub const EXIT_DIVERGED: u8 = 1;

/// Print `kiln: <message>` to stderr and return the usage exit code.
pub fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("kiln: {message}");
    ExitCode::from(EXIT_USAGE)
}

/// The whole command line, with `server`'s kinds.
pub fn command(server: &Server) -> Command {
    Command::new("kiln")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Simulated annealing you can watch: a live classroom server, headless runs, and replays that prove a run is reproducible.")
        .propagate_version(true)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            serve::ServeArgs::augment_args(Command::new("serve"))
                .about("Serve the classroom page and the live API (the default main job)"),
        )
        .subcommand(run::command(server.registry()))
        .subcommand(sweep::command(server.registry()))
        .subcommand(
            replay::ReplayArgs::augment_args(Command::new("replay"))
                .about("Re-run a replay record and verify every checkpoint (exit 1 naming the first divergence)"),
        )
}

/// Parse the process's arguments and run the command; returns the exit code.
pub fn main(server: Server) -> ExitCode {
    let matches = command(&server).get_matches();
    let parsed = match matches.subcommand() {
        Some(("serve", m)) => {
            serve::ServeArgs::from_arg_matches(m).map(|args| serve::execute(&server, &args))
        }
        Some(("run", m)) => {
            run::RunArgs::from_arg_matches(m).map(|args| run::execute(server.registry(), &args, m))
        }
        Some(("replay", m)) => {
            replay::ReplayArgs::from_arg_matches(m).map(|args| replay::execute(server.registry(), &args))
        }
        Some(("sweep", m)) => return sweep::main(server.registry(), m),
        _ => return fail("no command given; try kiln --help"),
    };
    parsed.unwrap_or_else(|e| e.exit())
}
