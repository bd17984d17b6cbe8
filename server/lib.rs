//! The `kiln` package: problem kinds as plugins, the live server (sessions, SSE
//! stream, HTTP API), the SVG renderers and the command line, over the pure engine
//! in `kiln-engine`.
//!
//! A library user serves their own kind with
//! `kiln::cli::main(kiln::Server::builder().kind(MyKind).build())` (see `examples/`).
//! `main.rs` is the same call with the built-in kinds, so tests drive the same code.
//! The layout is described in docs/layout.md, the protocol in docs/protocol.md.

pub mod assets;
pub mod cli;
pub mod http;
pub mod key;
pub mod kinds;
pub mod live;
pub mod render;
pub mod server;
pub mod store;
pub mod sweep;
pub mod version;

pub use server::{Server, ServerBuilder};
