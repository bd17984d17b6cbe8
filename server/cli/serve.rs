//! `kiln serve`: the live classroom server. It prints every URL it answers at
//! (local, and network when it listens on more than loopback) and, unless
//! `--quiet`, one stderr line per session event (created, started, finished,
//! refused).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use super::fail;
use crate::server::{ServeOptions, Server};
use crate::store::DataDir;

/// Arguments of `kiln serve`.
#[derive(Args, Debug)]
#[command(after_help = "Phones on the same network can open the page, its watch links and the room's QR \
code only when the server listens on the network, e.g. on all interfaces:
  kiln serve --addr 0.0.0.0:8080")]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port)
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Open the page in the default browser once listening
    #[arg(long)]
    pub open: bool,
    /// Most sessions at once (one more answers 429)
    #[arg(long)]
    pub max_sessions: Option<usize>,
    /// Idle time after which an unwatched session is removed, e.g. 90s, 30m, 2h
    #[arg(long, value_parser = humantime::parse_duration)]
    pub session_ttl: Option<Duration>,
    /// Most open streams of one session
    #[arg(long)]
    pub max_streams_per_session: Option<usize>,
    /// Most open streams over all sessions
    #[arg(long)]
    pub max_streams: Option<usize>,
    /// Turn off control tokens (anyone may start, pause or reset any run)
    #[arg(long)]
    pub no_auth: bool,
    /// Allow cross-origin requests from this origin (CORS), e.g. http://localhost:3000
    #[arg(long, value_name = "ORIGIN")]
    pub allow_origin: Option<String>,
    /// Classroom mode: creating sessions needs a server key, printed at start in the
    /// teacher's page link (students watching cannot take every session slot)
    #[arg(long)]
    pub classroom: bool,
    /// No log line per session event (created, started, finished, refused) on stderr
    #[arg(long)]
    pub quiet: bool,
    /// Keep sessions here across restarts and crashes (default: the per-user data
    /// directory, e.g. ~/.local/share/kiln); `none` keeps them in memory only
    #[arg(long, value_name = "DIR|none")]
    pub data_dir: Option<DataDir>,
    /// Most bytes the store may take on disk, e.g. 500M, 2G (default 1G); at the
    /// quota new sessions and experiments are refused (507) and running ones go on
    #[arg(long, value_name = "BYTES", value_parser = crate::store::parse_bytes)]
    pub store_quota: Option<u64>,
}

/// Run `kiln serve` until Ctrl-C or SIGTERM.
pub fn execute(server: &Server, args: &ServeArgs) -> ExitCode {
    let defaults = ServeOptions::default();
    let data_dir = match args.data_dir.clone().map_or_else(DataDir::user_default, Ok) {
        Ok(dir) => dir,
        Err(e) => return fail(e),
    };
    let options = ServeOptions {
        addr: args.addr,
        open_browser: args.open,
        max_sessions: args.max_sessions.unwrap_or(defaults.max_sessions),
        session_ttl: args.session_ttl.unwrap_or(defaults.session_ttl),
        max_streams_per_session: args.max_streams_per_session.unwrap_or(defaults.max_streams_per_session),
        max_streams: args.max_streams.unwrap_or(defaults.max_streams),
        no_auth: args.no_auth,
        allow_origin: args.allow_origin.clone(),
        classroom: args.classroom,
        quiet: args.quiet,
        data_dir,
        store_quota: args.store_quota.unwrap_or(defaults.store_quota),
        ..defaults
    };
    match server.serve_blocking(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}
