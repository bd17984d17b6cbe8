//! `kiln serve`: the live classroom server. It prints every URL it answers at
//! (local, and network when it listens on more than loopback) and, unless
//! `--quiet`, one stderr line per session event (created, started, finished,
//! refused). Its flags set the trust mode (classroom by default on a network
//! address, `--open`, `--classroom`, `--key`) and the budgets (docs/protocol.md,
//! "Trust").

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use super::fail;
use crate::live::budget::Budgets;
use crate::server::{ServeOptions, Server};
use crate::store::DataDir;

/// Arguments of `kiln serve`.
#[derive(Args, Debug)]
#[command(after_help = "Phones on the same network can open the page, its watch links and the room's QR \
code only when the server listens on the network, e.g. on all interfaces:
  kiln serve --addr 0.0.0.0:8080
On a network address the server is in classroom mode: only the teacher, who holds the key that the \
printed Local URL carries, creates runs, rooms and experiments; students watch and join rooms. \
--open lets anyone create, under the budgets. A client at a budget gets 429 with Retry-After; the \
teacher (the key, or this machine itself) has an eighth of every server-wide limit kept.")]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port)
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Open the page (the teacher's Local URL) in the default browser once listening
    #[arg(long)]
    pub browser: bool,
    /// Anyone may create runs, rooms and experiments (not only the teacher), under
    /// the budgets; the default on loopback, off on a network address
    #[arg(long, conflicts_with = "classroom")]
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
    /// Most open streams of every kind (sessions, rooms, experiments) over the server [default: 4096]
    #[arg(long)]
    pub max_streams: Option<usize>,
    /// Most open connections of one client address [default: 128]
    #[arg(long, value_name = "N")]
    pub max_connections_per_client: Option<usize>,
    /// Most open streams of every kind one client address holds [default: 64]
    #[arg(long, value_name = "N")]
    pub max_streams_per_client: Option<usize>,
    /// Most open streams of one session from one client address [default: 8]
    #[arg(long, value_name = "N")]
    pub max_viewers_per_client: Option<usize>,
    /// Most live sessions one client address created [default: 8]
    #[arg(long, value_name = "N")]
    pub max_sessions_per_client: Option<usize>,
    /// Most rooms one client address made that still exist [default: 2]
    #[arg(long, value_name = "N")]
    pub max_rooms_per_client: Option<usize>,
    /// Most running experiments one client address started [default: 1]
    #[arg(long, value_name = "N")]
    pub max_experiments_per_client: Option<usize>,
    /// Turn off control tokens (anyone may start, pause or reset any run)
    #[arg(long)]
    pub no_auth: bool,
    /// Allow cross-origin requests from this origin (CORS), e.g. http://localhost:3000
    #[arg(long, value_name = "ORIGIN")]
    pub allow_origin: Option<String>,
    /// Classroom mode even on loopback: only the holder of the teacher key (carried
    /// by the printed Local URL) creates runs, rooms and experiments; the default on
    /// a network address
    #[arg(long)]
    pub classroom: bool,
    /// The teacher key (8 to 128 letters, digits, - or _); default: the one kept in
    /// the data directory, or a new one
    #[arg(long, value_name = "KEY", value_parser = parse_key)]
    pub key: Option<String>,
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
    let budgets = Budgets::default();
    let data_dir = match args.data_dir.clone().map_or_else(DataDir::user_default, Ok) {
        Ok(dir) => dir,
        Err(e) => return fail(e),
    };
    let options = ServeOptions {
        addr: args.addr,
        open_browser: args.browser,
        max_sessions: args.max_sessions.unwrap_or(defaults.max_sessions),
        session_ttl: args.session_ttl.unwrap_or(defaults.session_ttl),
        max_streams_per_session: args.max_streams_per_session.unwrap_or(defaults.max_streams_per_session),
        max_streams: args.max_streams.unwrap_or(defaults.max_streams),
        no_auth: args.no_auth,
        allow_origin: args.allow_origin.clone(),
        classroom: args.classroom,
        open: args.open,
        key: args.key.clone(),
        budgets: Budgets {
            streams: args.max_streams.unwrap_or(defaults.max_streams),
            connections_per_client: args.max_connections_per_client.unwrap_or(budgets.connections_per_client),
            streams_per_client: args.max_streams_per_client.unwrap_or(budgets.streams_per_client),
            viewers_per_client: args.max_viewers_per_client.unwrap_or(budgets.viewers_per_client),
            sessions_per_client: args.max_sessions_per_client.unwrap_or(budgets.sessions_per_client),
            rooms_per_client: args.max_rooms_per_client.unwrap_or(budgets.rooms_per_client),
            experiments_per_client: args.max_experiments_per_client.unwrap_or(budgets.experiments_per_client),
        },
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

/// `--key`: a teacher key that fits a URL unescaped.
fn parse_key(text: &str) -> Result<String, String> {
    if crate::key::is_key(text) {
        Ok(text.to_string())
    } else {
        Err(format!("'{text}' is not a teacher key: use 8 to 128 letters, digits, - or _"))
    }
}
