//! `kiln serve` as a child process, for tests that need the real binary (its
//! printed URLs and its stderr log): started on the command line as a user would,
//! killed at the end.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::Value;

/// How long a log line may take to appear before the test fails.
pub const LINE_WAIT: Duration = Duration::from_secs(20);

/// A running `kiln serve` child: its local URL, stdout lines so far, and its stderr lines.
pub struct Served {
    child: Child,
    /// The local URL it printed.
    pub url: String,
    /// Its stdout lines up to the line after the URLs.
    pub stdout: Vec<String>,
    stderr: Receiver<String>,
    /// A client for it.
    pub client: reqwest::Client,
}

impl Served {
    /// Starts `kiln serve ARGS` and reads stdout up to the line after the URLs.
    pub fn start(args: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kiln"))
            .args(["serve", "--data-dir", "none"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kiln serve starts");
        let stderr = lines_of(child.stderr.take().expect("stderr"));
        let out_rx = lines_of(child.stdout.take().expect("stdout"));
        let first = out_rx.recv_timeout(LINE_WAIT).expect("a 'Listening on' line");
        let url = first
            .strip_prefix("Listening on ")
            .unwrap_or_else(|| panic!("first line: {first}"))
            .trim_end_matches('/')
            .to_string();
        // The URL lines follow at once; the first line that is not one ends them.
        let mut stdout = vec![first];
        while let Ok(line) = out_rx.recv_timeout(Duration::from_secs(2)) {
            let more = line.starts_with("  ");
            stdout.push(line);
            if !more || stdout.len() > 64 {
                break;
            }
        }
        Served { child, url, stdout, stderr, client: reqwest::Client::new() }
    }

    /// POST a JSON body (with a bearer token); returns (status, body).
    pub async fn post(&self, path: &str, body: Value, token: Option<&str>) -> (u16, Value) {
        let mut request = self.client.post(format!("{}{path}", self.url)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("POST answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON answer"))
    }

    /// GET a text body, asserting 200.
    pub async fn text(&self, path: &str) -> String {
        let response = self.client.get(format!("{}{path}", self.url)).send().await.expect("GET answers");
        assert_eq!(response.status(), 200, "{path}");
        response.text().await.expect("a body")
    }

    /// Waits for a stderr line containing every one of `parts`; fails naming what came instead.
    pub fn expect_line(&self, parts: &[&str]) -> String {
        let mut seen = Vec::new();
        loop {
            match self.stderr.recv_timeout(LINE_WAIT) {
                Ok(line) if parts.iter().all(|p| line.contains(p)) => return line,
                Ok(line) => seen.push(line),
                Err(_) => panic!("no stderr line with {parts:?}; lines were:\n{}", seen.join("\n")),
            }
        }
    }

    /// Kills the server and returns the stderr lines not read yet.
    pub fn stop(mut self) -> Vec<String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut rest = Vec::new();
        while let Ok(line) = self.stderr.recv_timeout(Duration::from_secs(5)) {
            rest.push(line);
        }
        rest
    }
}

/// The lines of a child's output, read on a thread of their own as they come.
fn lines_of(output: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(output).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}
