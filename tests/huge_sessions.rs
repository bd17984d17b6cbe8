//! Huge sessions stay small on the wire (issue 21): a session of 100,000 random
//! cities sent 5 MB per event, two drawings of every city and every stop. Its
//! drawings are now simplified to a stated size, so each event, both drawings
//! included, is at most [`EVENT_BOUND`] bytes.

mod support;

use kiln::render::tsp::MAX_SIMPLIFIED_BYTES;
use serde_json::json;
use support::TestServer;

/// The stated bound of one event of a huge tour: its two drawings at their cap,
/// JSON-escaped (every `"` of the SVG becomes `\"`: a few hundred quotes at most),
/// and 8 KB for the numbers.
const EVENT_BOUND: usize = 2 * (MAX_SIMPLIFIED_BYTES + 1_024) + 8 * 1_024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100000_city_session_sends_at_most_the_stated_bytes_per_event() {
    assert!(EVENT_BOUND < 160 * 1_024, "the bound itself is {EVENT_BOUND} bytes");
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
