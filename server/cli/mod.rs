//! The command line: `kiln serve`, `kiln run`, `kiln replay`, `kiln sweep`, one file per command.
//!
//! [`main`] builds the commands at run time from a [`Server`]'s kinds: `kiln run`
//! gets one flag per parameter of every kind (`--formula`, `--instance`, ...) and
//! `--param NAME=VALUE`, all read from the kinds' parameter tables and checked by
//! the same resolver as the HTTP API, so defaults and validation agree. A library
//! user's binary calls [`main`] with its own kinds and gets the same commands.
//!
//! Output to stdout goes through [`emit`]: a closed pipe (`kiln run | head -1`) ends
//! the command quietly with exit 0, as a filter's reader closing early is no error.

pub mod replay;
pub mod run;
pub mod serve;
pub mod sweep;

use std::io::Write;
use std::process::ExitCode;

use clap::{Arg, Args, Command, FromArgMatches, value_parser};
use clap_complete::Shell;

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

/// Write `text` to stdout and flush. A closed pipe is success (the reader has what it
/// wanted); any other write error is reported with the usage exit code.
pub fn emit(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(format!("writing to stdout: {e}")),
    }
}

/// Kiln's version and the commit it was built from (`0.1.0 (b69b225)`; the version
/// alone when the build had no git repository).
pub fn version() -> &'static str {
    crate::version::version()
}

/// The whole command line, with `server`'s kinds.
pub fn command(server: &Server) -> Command {
    Command::new("kiln")
        .version(version())
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
        .subcommand(
            Command::new("completions")
                .about("Print a shell completion script, e.g. kiln completions bash > ~/.local/share/bash-completion/completions/kiln")
                .arg(Arg::new("shell").required(true).value_parser(value_parser!(Shell))),
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
        Some(("completions", m)) => {
            let shell = *m.get_one::<Shell>("shell").expect("required");
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command(&server), "kiln", &mut script);
            return emit(&String::from_utf8_lossy(&script));
        }
        _ => return fail("no command given; try kiln --help"),
    };
    parsed.unwrap_or_else(|e| e.exit())
}
