//! Huge sessions stay small on the wire (issue 21): a session of 100,000 random
//! cities sent 5 MB per event, two drawings of every city and every stop. Its
//! drawings are now simplified to a stated size, so each event, both drawings
//! included, is at most [`EVENT_BOUND`] bytes. And viewers that resume and then stop
//! reading (100 of them held 491 MB) hold at most the server's in-flight budget plus
//! one event each.

mod support;

use std::time::Duration;

use kiln::live::in_flight;
use kiln::render::tsp::MAX_SIMPLIFIED_BYTES;
use serde_json::json;
use support::{PATIENCE, TestServer};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpSocket;

/// The stated bound of one event of a huge tour: its two drawings at their cap,
/// JSON-escaped (every `"` of the SVG becomes `\"`: a few hundred quotes at most),
/// and 8 KB for the numbers.
const EVENT_BOUND: usize = 2 * (MAX_SIMPLIFIED_BYTES + 1_024) + 8 * 1_024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100000_city_session_sends_at_most_the_stated_bytes_per_event() {
    const { assert!(EVENT_BOUND < 160 * 1_024) };
    let server = TestServer::start().await;
    let session = server
        .configure(json!({
            "problem": "tsp",
            "cities": 100_000,
            "seed": 3,
            "steps_per_cycle": 2_000_000,
            "num_cycles": 1,
            "steps_per_event": 20_000,
            "max_events_per_sec": 60,
        }))
        .await;
    let (status, _) = server.control(&session, "start").await;
    assert_eq!(status, 200);
    let mut stream = server.stream(&session).await;
    let connected = stream.next_named("connected").await;
    assert!(connected.data.len() <= EVENT_BOUND, "connected: {} bytes", connected.data.len());
    let svg = connected.json()["progress"]["current_svg"].as_str().unwrap().to_string();
    assert!(svg.contains("data-simplified"), "{}", &svg[..svg.len().min(300)]);
    let mut drawings = 0;
    let mut largest = connected.data.len();
    for _ in 0..6 {
        let event = stream.next_named("progress").await;
        largest = largest.max(event.data.len());
        assert!(event.data.len() <= EVENT_BOUND, "event {}: {} bytes", event.seq(), event.data.len());
        let value = event.json();
        drawings += usize::from(value.get("current_svg").is_some());
    }
    eprintln!("largest event: {largest} bytes (bound {EVENT_BOUND})");
    assert!(drawings > 0, "the tour changed, so some events carry its drawing");
}

/// 24 viewers resume from the first event of a 100,000-city session and never read.
/// With the budget lowered to 256 KB, the bytes the server holds for all streams stay
/// within the budget plus one event per stream at every moment (without the budget
/// each stalled resume holds a 256 KB chunk: 24 of them are over 6 MB).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_resumes_hold_at_most_the_budget_and_one_event_each() {
    const STALLED: usize = 24;
    const BUDGET: usize = 256 * 1024;
    in_flight::set_budget(BUDGET);
    let server = TestServer::start().await;
    let session = server
        .configure(json!({
            "problem": "tsp",
            "cities": 100_000,
            "seed": 5,
            "steps_per_cycle": 10_000_000,
            "num_cycles": 1,
            "steps_per_event": 20_000,
            "max_events_per_sec": 60,
        }))
        .await;
    assert_eq!(server.control(&session, "start").await.0, 200);
    let mut stream = server.stream(&session).await;
    let mut largest = stream.next_named("connected").await.data.len();
    // About 11 MB of history: more than a socket's buffers, so a viewer that does
    // not read stalls in it.
    for _ in 0..120 {
        largest = largest.max(stream.next_named("progress").await.data.len());
    }
    assert_eq!(server.control(&session, "pause").await.0, 200);
    drop(stream);

    let mut stalled = Vec::new();
    for _ in 0..STALLED {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let mut tcp = socket.connect(server.addr).await.unwrap();
        let request = format!(
            "GET /api/sa/{}/stream HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\nLast-Event-ID: 1\r\n\r\n",
            session.id, server.addr
        );
        tcp.write_all(request.as_bytes()).await.unwrap();
        stalled.push(tcp);
    }
    // Each stalled viewer holds one chunk once it has been served; until then, and
    // after, the sum stays within the bound (polled: a byte count has no event).
    let bound = BUDGET + (STALLED + 2) * (largest + 1_024);
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let mut most = 0;
    let mut calm = 0;
    while calm < 25 {
        let used = in_flight::used();
        most = most.max(used);
        assert!(used <= bound, "{used} bytes in flight, bound {bound}");
        calm = if in_flight::holders() >= STALLED { calm + 1 } else { 0 };
        assert!(
            tokio::time::Instant::now() < deadline,
            "the stalled viewers were never all served: {} hold {used} bytes",
            in_flight::holders()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!("most bytes in flight: {most} (bound {bound}, events up to {largest} bytes)");
    drop(stalled);
}
