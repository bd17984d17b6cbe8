//! Memory per idle SSE stream (issue 11): 10,000 streams on one idle session of a
//! `kiln serve` child, over loopback, and the child's resident memory (VmRSS)
//! before and after, in KB per stream.
//!
//! The session is configured and never started, so every stream is idle: it gets
//! its `connected` event, then a `waiting` event about every second, which this
//! process reads and drops. The streams are plain TCP connections speaking HTTP/1.1
//! (no HTTP client library per stream), opened [`OPENING_AT_ONCE`] at a time so the
//! listener's backlog never overflows.
//!
//! Open files: 10,000 streams need 10,000 sockets on each side. This process lifts
//! its soft open-file limit to the hard one before it starts the server child,
//! which inherits it (and `kiln serve` raises its own soft limit to the hard one
//! too); the product's limits are the child's options below. If the hard limit is
//! too low for the count, fewer streams are opened and the line says so.
//!
//! Bounded: at most [`OPEN_DEADLINE`] to open the streams, then a fixed settle;
//! the child is stopped and the process exits, whatever happened.
//!
//! Run: `cargo bench --bench sse_memory` (10,000 streams), or
//! `cargo bench --bench sse_memory -- 2000` for another count. Against built
//! binaries, alternately, `ROUNDS` times (see `support/server_child.rs`):
//! `KILN_BIN=OLD/kiln:NEW/kiln cargo bench --bench sse_memory -- 2000 --rounds 3`.

#[path = "support/proc_stats.rs"]
mod proc_stats;
#[path = "support/server_child.rs"]
mod server_child;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kiln::server::{ServeOptions, serve_blocking};
use proc_stats::rss_bytes;
use serde_json::{Value, json};
use server_child::{Room, Target, spawn_serve_child, stop_serve_child};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

/// Streams opened by default.
const STREAMS: usize = 10_000;
/// Streams being opened at once (each waits for its `connected` event).
const OPENING_AT_ONCE: usize = 200;
/// Longest the opening may take.
const OPEN_DEADLINE: Duration = Duration::from_secs(90);
/// Wait after the last stream opened: every stream gets a `waiting` event or more.
const SETTLE: Duration = Duration::from_millis(2_500);
/// Open files this process keeps for itself beyond the streams.
const SPARE_FILES: u64 = 200;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--serve-child") {
        serve_child(args.iter().find_map(|a| a.parse().ok()).unwrap_or(STREAMS));
        return;
    }
    // The stream count: the first number that is not `--rounds`' value.
    let wanted = (0..args.len())
        .filter(|&i| i == 0 || args[i - 1] != "--rounds")
        .find_map(|i| args[i].parse::<usize>().ok())
        .unwrap_or(STREAMS);
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let limit = rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft);
    let streams = wanted.min(usize::try_from(limit.saturating_sub(SPARE_FILES)).unwrap_or(usize::MAX));
    if streams < wanted {
        eprintln!("sse_memory: the open-file limit is {limit}: {streams} streams instead of {wanted}");
    }
    let rounds = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(1);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    for round in 1..=rounds {
        for target in Target::from_env() {
            print!("round {round}, {}: ", target.label());
            runtime.block_on(measure(&target, streams));
        }
    }
    // Readers still hold their sockets; do not wait for them.
    runtime.shutdown_background();
}

/// The server child: `kiln serve`'s defaults, with room for every stream on one
/// session.
fn serve_child(streams: usize) {
    let options = ServeOptions {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        max_streams: streams + 16,
        max_streams_per_session: streams + 16,
        max_connections: streams + 64,
        ..Default::default()
    };
    if let Err(e) = serve_blocking(options) {
        eprintln!("{e}");
        std::process::exit(1);
    }
}

/// Open one idle stream: send the request, read up to the `connected` event, then
/// read and drop whatever comes until the connection closes.
async fn idle_stream(addr: String, path: String, opened: tokio::sync::oneshot::Sender<bool>) {
    let Ok(mut socket) = TcpStream::connect(&addr).await else {
        let _ = opened.send(false);
        return;
    };
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
    if socket.write_all(request.as_bytes()).await.is_err() {
        let _ = opened.send(false);
        return;
    }
    let mut head = Vec::new();
    let mut buffer = [0u8; 4096];
    let mut opened = Some(opened);
    loop {
        match socket.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if opened.is_some() {
                    head.extend_from_slice(&buffer[..n]);
                    if head.windows(17).any(|w| w == b"event: connected\n") {
                        let _ = opened.take().map(|o| o.send(true));
                        head = Vec::new();
                    }
                }
            }
        }
    }
    if let Some(opened) = opened {
        let _ = opened.send(false);
    }
}

async fn measure(target: &Target, streams: usize) {
    let room = Room { sessions: 16, streams: streams + 16, streams_per_session: streams + 16 };
    let (child, base) = spawn_serve_child(target, room, &[&streams.to_string()]);
    let pid = child.id();
    let addr = base.strip_prefix("http://").expect("http://").to_string();
    let client = reqwest::Client::new();
    let configured: Value = client
        .post(format!("{base}/api/sa/configure"))
        .json(&json!({"formula": "C8H18"}))
        .send()
        .await
        .expect("configure")
        .json()
        .await
        .expect("configure answers JSON");
    let id = configured["session_id"].as_str().expect("session_id").to_string();
    let path = format!("/api/sa/{id}/stream");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = rss_bytes(pid);

    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(OPENING_AT_ONCE));
    let mut readers = Vec::with_capacity(streams);
    let mut results = Vec::with_capacity(streams);
    let deadline = tokio::time::Instant::now() + OPEN_DEADLINE;
    for _ in 0..streams {
        let Ok(Ok(permit)) = tokio::time::timeout_at(deadline, gate.clone().acquire_owned()).await else {
            break;
        };
        let (tx, rx) = tokio::sync::oneshot::channel();
        readers.push(tokio::spawn(idle_stream(addr.clone(), path.clone(), tx)));
        results.push(tokio::spawn(async move {
            let ok = tokio::time::timeout_at(deadline, rx).await.is_ok_and(|r| r.unwrap_or(false));
            drop(permit);
            ok
        }));
    }
    let mut open = 0;
    for r in results {
        open += usize::from(r.await.unwrap_or(false));
    }
    let opening = started.elapsed();
    tokio::time::sleep(SETTLE).await;
    let after = rss_bytes(pid);
    let health: Value = match client.get(format!("{base}/health")).send().await {
        Ok(response) => response.json().await.unwrap_or(Value::Null),
        Err(_) => Value::Null,
    };
    for r in &readers {
        r.abort();
    }
    stop_serve_child(child);
    println!(
        "sse_memory: {open} of {streams} idle streams open on one session in {:.1} s (server counts {}); \
         server RSS {:.1} MB -> {:.1} MB: {:.1} KB per idle stream",
        opening.as_secs_f64(),
        health["streams"],
        before as f64 / 1e6,
        after as f64 / 1e6,
        after.saturating_sub(before) as f64 / open.max(1) as f64 / 1024.0
    );
}
