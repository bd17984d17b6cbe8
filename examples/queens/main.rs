//! A user-defined problem kind served by Kiln with no change to Kiln itself: N
//! queens on an N x N board, one per row and column, annealed until none attacks
//! another.
//!
//! Everything the kind needs is in this folder: the engine `Problem`
//! (`kind.rs`, [`Queens`]) and the server `Kind` ([`QueensKind`]). Registering it is
//! one line; the binary then has the whole `kiln` command line with the new kind
//! beside the built-in ones:
//!
//! ```text
//! cargo run --release --example queens -- serve          # the page offers "N queens"
//! cargo run --release --example queens -- run --problem queens --n 12 --json
//! cargo run --release --example queens -- run --problem queens --record q.json
//! cargo run --release --example queens -- replay q.json
//! ```

mod kind;

use std::process::ExitCode;

use kind::QueensKind;

fn main() -> ExitCode {
    kiln::cli::main(kiln::Server::builder().kind(QueensKind).build())
}
