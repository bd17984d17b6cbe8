//! The `kiln` package: the CLI's commands, the live server (sessions, SSE stream,
//! HTTP API) and the SVG renderers, over the pure engine in `kiln-engine`.
//!
//! `main.rs` is a thin shell over this library, so tests drive the same code.
pub mod api;
pub mod assets;
pub mod catalog;
pub mod cli;
pub mod connections;
pub mod edge;
pub mod error;
pub mod event;
pub mod params;
pub mod render;
pub mod run;
pub mod serve;
pub mod session;
pub mod sessions;
pub mod spec;
pub mod stream;
pub mod work;
