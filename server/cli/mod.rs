//! The command line: `kiln serve`, `kiln run`, `kiln replay`.
//!
//! Each subcommand is a module with its clap arguments and an `execute` function
//! returning the process exit code; `main.rs` only dispatches. All of them go through
//! the same `RunParams` as the HTTP API, so defaults and validation agree.

pub mod replay;
pub mod run;
pub mod serve;

use std::process::ExitCode;

/// Exit code for a bad argument, file or parameter.
pub const EXIT_USAGE: u8 = 2;
/// Exit code for a replay that does not reproduce its record.
pub const EXIT_DIVERGED: u8 = 1;

/// Print `kiln: <message>` to stderr and return the usage exit code.
pub fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("kiln: {message}");
    ExitCode::from(EXIT_USAGE)
}
