//! A `kiln serve` child of a bench binary, for benches that load a server from
//! outside: the bench runs itself again with `--serve-child` (and what else it
//! passes), and reads the address from the child's `Listening on http://...` line.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Start this binary again as `--serve-child ARGS...` and return the child and its
/// base URL (`http://127.0.0.1:PORT`, no trailing slash).
pub fn spawn_serve_child(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(std::env::current_exe().expect("own path"))
        .arg("--serve-child")
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn the server child");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("listening line");
    let url = line.trim().strip_prefix("Listening on ").expect("Listening on ...").trim_end_matches('/');
    (child, url.to_string())
}

/// Stop a server child with SIGTERM (its graceful shutdown) and wait for it.
pub fn stop_serve_child(mut child: Child) {
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let _ = child.wait();
}
