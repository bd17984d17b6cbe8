//! Server benchmarks (issue 4), loopback only, bounded in count and time:
//!
//! 1. `event-rate`: events per second one session produces at full speed with its
//!    SVG drawings (the real frame path: steps, drawings when changed, JSON,
//!    history), and the bytes per event a viewer receives, for berlin52 and C10H22.
//! 2. `classroom`: 60 sessions with one viewer each plus one session with 60
//!    viewers, 20 events/s each, against a server in a child process: median and
//!    99th-percentile delay from an event's creation (`created_at_ms`) to its
//!    receipt, and the server process's CPU use.
//! 3. `idle-streams`: resident memory per idle open stream with 2,000 streams.
//!
//! Run: name the parts, or `all`: `cargo bench --bench server_load -- classroom`;
//! with no part it prints its usage and exits with status 2. The parts that load a
//! server child (`classroom`, `idle-streams`) can load built `kiln` binaries instead
//! of this tree's code, alternately, round after round, so an older build and this
//! one are measured side by side on the same loaded machine (see
//! `support/server_child.rs`):
//! `KILN_BIN=OLD/kiln:NEW/kiln cargo bench --bench server_load -- classroom idle-streams --rounds 3`.
//! `event-rate` runs in this process, on this tree's code only.

#[path = "support/proc_stats.rs"]
mod proc_stats;
#[path = "support/server_child.rs"]
mod server_child;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use kiln::kinds::{Registry, Request, Scope};
use kiln::live::work::Cancel;
use kiln::live::{Limits, Sessions};
use kiln::server::{ServeOptions, bind, serve_blocking};
use proc_stats::{cpu_seconds, rss_bytes};
use serde_json::{Value, json};
use server_child::{Room, Target, spawn_serve_child, stop_serve_child};

/// Length of the classroom measurement (after a one-second warm-up).
const CLASSROOM_SECONDS: u64 = 10;
/// Open streams of the idle-memory measurement.
const IDLE_STREAMS: usize = 2000;

/// The parts, in the order they run.
const PARTS: [&str; 3] = ["event-rate", "classroom", "idle-streams"];

/// What a run without a part says.
const USAGE: &str = "usage: server_load PART... [--rounds N]
  PART: event-rate, classroom, idle-streams, or all
  --rounds N: run the server parts N times (default 1)
  KILN_BIN=PATH[:PATH...]: the server parts load these kiln binaries, alternately
e.g. cargo bench --bench server_load -- classroom idle-streams";

/// Room the server child has for the load.
const ROOM: Room = Room { sessions: 128, streams: 4096, streams_per_session: 256 };

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--serve-child") {
        serve_child();
        return;
    }
    let rounds_at = args.iter().position(|a| a == "--rounds");
    let rounds = match rounds_at.map(|i| args.get(i + 1).and_then(|n| n.parse::<usize>().ok())) {
        None => 1,
        Some(Some(n)) if n > 0 => n,
        Some(_) => usage("--rounds takes a whole number of at least 1"),
    };
    // `cargo bench` adds `--bench`: flags and `--rounds`' value are not parts.
    let wanted: Vec<&str> = (0..args.len())
        .filter(|&i| !args[i].starts_with("--") && rounds_at.is_none_or(|at| i != at + 1))
        .map(|i| args[i].as_str())
        .collect();
    if wanted.is_empty() {
        usage("name the parts to run");
    }
    if let Some(unknown) = wanted.iter().find(|w| **w != "all" && !PARTS.contains(w)) {
        usage(&format!("unknown part {unknown:?}"));
    }
    let run = |name: &str| wanted.iter().any(|w| *w == "all" || *w == name);
    let targets = Target::from_env();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        if run("event-rate") {
            event_rate("berlin52", json!({"problem": "tsp", "instance": "berlin52"})).await;
            event_rate("C10H22", json!({"formula": "C10H22"})).await;
        }
        for round in 1..=rounds {
            for target in &targets {
                if run("classroom") {
                    print!("round {round}, {}: ", target.label());
                    classroom(target).await;
                }
                if run("idle-streams") {
                    print!("round {round}, {}: ", target.label());
                    idle_streams(target).await;
                }
            }
        }
    });
}

/// Say what is wrong and how to run, and exit with status 2.
fn usage(problem: &str) -> ! {
    eprintln!("server_load: {problem}\n{USAGE}");
    std::process::exit(2);
}

/// The server child: a `kiln serve` with room for the load, on a free port.
fn serve_child() {
    let options = ServeOptions {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        max_sessions: ROOM.sessions,
        max_streams: ROOM.streams,
        max_streams_per_session: ROOM.streams_per_session,
        ..Default::default()
    };
    if let Err(e) = serve_blocking(options) {
        eprintln!("{e}");
        std::process::exit(1);
    }
}

fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs_f64() * 1000.0
}

/// Open session `id`'s SSE stream.
async fn open_stream(client: &reqwest::Client, base: &str, id: &str) -> reqwest::Response {
    client
        .get(format!("{base}/api/sa/{id}/stream"))
        .header("Accept", "text/event-stream")
        .send()
        .await
        .expect("stream")
}

async fn configure(client: &reqwest::Client, base: &str, params: &Value) -> (String, String) {
    let body: Value = client
        .post(format!("{base}/api/sa/configure"))
        .json(params)
        .send()
        .await
        .expect("configure")
        .json()
        .await
        .expect("json");
    let id = body["session_id"].as_str().unwrap_or_else(|| panic!("configure: {body}")).to_string();
    (id, body["control_token"].as_str().unwrap().to_string())
}

async fn start(client: &reqwest::Client, base: &str, id: &str, token: &str) {
    let status = client
        .post(format!("{base}/api/sa/{id}/start"))
        .bearer_auth(token)
        .send()
        .await
        .expect("start")
        .status();
    assert_eq!(status, 200);
}

/// Read an SSE body, calling `on_event(name, data)` for every event.
async fn read_events(response: reqwest::Response, mut on_event: impl FnMut(&str, &str) -> bool) {
    let mut body = response.bytes_stream();
    let mut buffer = String::new();
    while let Some(Ok(chunk)) = body.next().await {
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut name = "message";
            let mut data = "";
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event: ") {
                    name = v;
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data = v;
                }
            }
            if !data.is_empty() && !on_event(name, data) {
                return;
            }
        }
    }
}

/// Events per second of one session's frame path, and bytes per event on the wire.
async fn event_rate(label: &str, params: Value) {
    // In-process: the manual-step path builds exactly what a streamed frame builds.
    let (_stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let sessions = Sessions::new(Limits::default(), stop_rx);
    let mut long = params.clone();
    long["steps_per_cycle"] = json!(10_000_000);
    long["num_cycles"] = json!(1);
    let request = Request::from_map(long.as_object().expect("an object").clone(), Scope::Session);
    let session = tokio::task::spawn_blocking(move || {
        sessions.create(Registry::builtin().resolve(&request).expect("params"))
    })
    .await
    .unwrap()
    .expect("session");
    let events = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let mut n = 0u64;
        let no_deadline = Cancel::at(started + Duration::from_secs(3600));
        while started.elapsed() < Duration::from_secs(3) {
            session.step(1, false, &no_deadline).expect("step");
            n += 1;
        }
        n as f64 / started.elapsed().as_secs_f64()
    })
    .await
    .unwrap();

    // Over HTTP: the bytes a viewer receives per event at one step per event.
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let options = ServeOptions { addr: SocketAddr::from(([127, 0, 0, 1], 0)), ..Default::default() };
    let (addr, server) = bind(options, async {
        let _ = stopped.await;
    })
    .await
    .expect("bind");
    let server = tokio::spawn(server);
    let base = format!("http://{addr}");
    let client = reqwest::Client::new();
    let mut paced = params.clone();
    paced["steps_per_cycle"] = json!(10_000_000);
    paced["num_cycles"] = json!(1);
    paced["steps_per_event"] = json!(1);
    paced["max_events_per_sec"] = json!(60);
    let (id, token) = configure(&client, &base, &paced).await;
    let response = open_stream(&client, &base, &id).await;
    start(&client, &base, &id, &token).await;
    let (mut count, mut bytes, mut with_svg) = (0u64, 0usize, 0u64);
    read_events(response, |name, data| {
        if name == "progress" {
            count += 1;
            bytes += data.len() + name.len() + 24; // data plus the id/event/data framing
            with_svg += u64::from(data.contains("_svg\""));
        }
        count < 120
    })
    .await;
    let _ = stop.send(());
    let _ = server.await;
    println!(
        "event-rate {label}: {events:.0} events/s (1 step per event, drawings rendered when changed); \
         {:.0} bytes per event on the wire over {count} events, {with_svg} of them with an SVG",
        bytes as f64 / count as f64
    );
}

/// 60 sessions x 1 viewer + 1 session x 60 viewers at 20 events/s.
async fn classroom(target: &Target) {
    let (child, base) = spawn_serve_child(target, ROOM, &[]);
    let pid = child.id();
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let params = json!({"formula": "C8H18", "steps_per_cycle": 1_000_000, "num_cycles": 1,
                        "steps_per_event": 1, "max_events_per_sec": 20});
    let mut streams = Vec::new();
    let mut sessions = Vec::new();
    for _ in 0..60 {
        let (id, token) = configure(&client, &base, &params).await;
        streams.push(id.clone());
        sessions.push((id, token));
    }
    let (big, big_token) = configure(&client, &base, &params).await;
    streams.extend(std::iter::repeat_n(big.clone(), 60));
    sessions.push((big, big_token));

    let delays = Arc::new(Mutex::new(Vec::<f64>::new()));
    let measuring_from = now_ms() + 1500.0;
    let measuring_to = measuring_from + CLASSROOM_SECONDS as f64 * 1000.0;
    let mut readers = Vec::new();
    for id in streams {
        let response = open_stream(&client, &base, &id).await;
        let delays = delays.clone();
        readers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            read_events(response, |name, data| {
                let received = now_ms();
                if name == "progress" && received >= measuring_from {
                    let created =
                        serde_json::from_str::<Value>(data).ok().and_then(|v| v["created_at_ms"].as_f64());
                    if let Some(created) = created {
                        mine.push(received - created);
                    }
                }
                received < measuring_to
            })
            .await;
            delays.lock().unwrap().extend(mine);
        }));
    }
    for (id, token) in &sessions {
        start(&client, &base, id, token).await;
    }
    let wait = measuring_from - now_ms();
    tokio::time::sleep(Duration::from_millis(wait.max(0.0) as u64)).await;
    let (cpu0, t0) = (cpu_seconds(pid), Instant::now());
    for r in readers {
        let _ = r.await;
    }
    let (cpu1, wall) = (cpu_seconds(pid), t0.elapsed().as_secs_f64());
    stop_serve_child(child);
    let mut d = delays.lock().unwrap().clone();
    d.sort_by(f64::total_cmp);
    if d.is_empty() {
        println!("classroom: no progress event arrived within the {CLASSROOM_SECONDS} s window");
        return;
    }
    let pick = |q: f64| d[((d.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "classroom (60 sessions x 1 viewer + 1 session x 60 viewers, 20 events/s, C8H18 1 step/event): \
         {} events in {wall:.1} s ({:.0}/s); delay creation->receipt median {:.2} ms, p99 {:.2} ms, max {:.2} ms; \
         server CPU {:.2} cores, {:.1} CPU-ms per 1000 events received",
        d.len(),
        d.len() as f64 / wall,
        pick(0.5),
        pick(0.99),
        pick(1.0),
        (cpu1 - cpu0) / wall,
        (cpu1 - cpu0) * 1e6 / d.len().max(1) as f64
    );
}

/// Resident memory per idle open stream.
async fn idle_streams(target: &Target) {
    let (child, base) = spawn_serve_child(target, ROOM, &[]);
    let pid = child.id();
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let params = json!({"formula": "C8H18"});
    let mut ids = Vec::new();
    for _ in 0..(IDLE_STREAMS / 200) {
        ids.push(configure(&client, &base, &params).await.0);
    }
    // Let the server settle, then take the baseline with every session made.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = rss_bytes(pid);
    let (opened_tx, mut opened_rx) = tokio::sync::mpsc::channel::<()>(IDLE_STREAMS);
    let mut readers = Vec::new();
    for i in 0..IDLE_STREAMS {
        let id = ids[i % ids.len()].clone();
        let client = client.clone();
        let base = base.clone();
        let opened = opened_tx.clone();
        readers.push(tokio::spawn(async move {
            let response = open_stream(&client, &base, &id).await;
            let mut signalled = false;
            read_events(response, |name, _| {
                if name == "connected" && !signalled {
                    signalled = true;
                    let _ = opened.try_send(());
                }
                true
            })
            .await;
        }));
    }
    for _ in 0..IDLE_STREAMS {
        tokio::time::timeout(Duration::from_secs(60), opened_rx.recv()).await.expect("all streams open");
    }
    tokio::time::sleep(Duration::from_millis(1500)).await; // a `waiting` round on every stream
    let after = rss_bytes(pid);
    let health: Value = client.get(format!("{base}/health")).send().await.unwrap().json().await.unwrap();
    stop_serve_child(child);
    for r in readers {
        r.abort();
    }
    println!(
        "idle-streams: {} open streams; server RSS {:.1} MB -> {:.1} MB: {:.1} KB per idle stream",
        health["streams"],
        before as f64 / 1e6,
        after as f64 / 1e6,
        (after.saturating_sub(before)) as f64 / IDLE_STREAMS as f64 / 1024.0
    );
}
