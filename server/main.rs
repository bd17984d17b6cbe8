//! The `kiln` binary: the command line over the built-in problem kinds.

use std::process::ExitCode;

fn main() -> ExitCode {
    kiln::cli::main(kiln::Server::default())
}
