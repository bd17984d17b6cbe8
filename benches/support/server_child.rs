//! A `kiln serve` child of a bench binary, for benches that load a server from
//! outside. The server is either this tree's code (the bench runs itself again with
//! `--serve-child` and what else it passes) or a built `kiln` binary named in the
//! `KILN_BIN` environment variable, so one run can measure an older build and this
//! one alternately, side by side on the same loaded machine:
//!
//! `KILN_BIN=/old/target/release/kiln:/new/target/release/kiln cargo bench --bench sse_memory`
//!
//! Either way the bench reads the address from the child's `Listening on http://...`
//! line.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The server a bench loads.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// This bench binary, serving with this tree's code (`--serve-child`).
    Own,
    /// A `kiln` binary at this path, run as `kiln serve`.
    Binary(String),
}

impl Target {
    /// Every binary `KILN_BIN` names (paths separated by `:`), in order; this tree's
    /// code when it is unset or empty.
    pub fn from_env() -> Vec<Target> {
        let named: Vec<Target> = std::env::var("KILN_BIN")
            .unwrap_or_default()
            .split(':')
            .filter(|path| !path.is_empty())
            .map(|path| Target::Binary(path.to_string()))
            .collect();
        if named.is_empty() { vec![Target::Own] } else { named }
    }

    /// How the bench's lines name it.
    pub fn label(&self) -> String {
        match self {
            Target::Own => "this tree".to_string(),
            Target::Binary(path) => path.clone(),
        }
    }
}

/// Room a server child is given for the load: every limit the load could reach.
#[derive(Clone, Copy, Debug)]
pub struct Room {
    /// Most sessions.
    pub sessions: usize,
    /// Most open streams over the server.
    pub streams: usize,
    /// Most open streams of one session.
    pub streams_per_session: usize,
}

/// Start a server child of `target` with `room` (`own_args` go after
/// `--serve-child` for [`Target::Own`], whose bench sets its own options) and return
/// the child and its base URL (`http://127.0.0.1:PORT`, no trailing slash).
pub fn spawn_serve_child(target: &Target, room: Room, own_args: &[&str]) -> (Child, String) {
    let mut command = match target {
        Target::Own => {
            let mut command = Command::new(std::env::current_exe().expect("own path"));
            command.arg("--serve-child").args(own_args);
            command
        }
        Target::Binary(path) => {
            let mut command = Command::new(path);
            command.args(["serve", "--addr", "127.0.0.1:0", "--data-dir", "none", "--quiet"]);
            let mut limit = |flag: &str, n: usize| {
                command.arg(flag).arg(n.to_string());
            };
            limit("--max-sessions", room.sessions);
            limit("--max-streams", room.streams);
            limit("--max-streams-per-session", room.streams_per_session);
            // Per-client budgets came later: lifted only where the binary has them.
            let help =
                Command::new(path).args(["serve", "--help"]).output().map(|o| o.stdout).unwrap_or_default();
            let help = String::from_utf8_lossy(&help);
            for (flag, n) in [
                ("--max-sessions-per-client", room.sessions),
                ("--max-streams-per-client", room.streams),
                ("--max-viewers-per-client", room.streams_per_session),
                ("--max-connections-per-client", room.streams + 64),
            ] {
                if help.contains(flag) {
                    limit(flag, n);
                }
            }
            command
        }
    };
    let mut child = command.stdout(Stdio::piped()).spawn().expect("spawn the server child");
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).expect("listening line");
    let url = line.trim().strip_prefix("Listening on ").expect("Listening on ...").trim_end_matches('/');
    // Keep draining the child's later lines so it never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    (child, url.to_string())
}

/// Stop a server child with SIGTERM (its graceful shutdown) and wait for it.
pub fn stop_serve_child(mut child: Child) {
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let _ = child.wait();
}
