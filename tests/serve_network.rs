//! `kiln serve` as a class meets it, through the real binary: the links it hands
//! out for phones (watch link, room link and their QR codes) carry an address of
//! this machine that is not loopback when it listens on all interfaces, and the
//! command that shares it when it listens on loopback only; and its stderr log
//! has one line per session event, silenced by `--quiet`.
//!
//! The machine's addresses come from `ip -o addr show`, not from the server's own
//! interface listing. Every request goes to 127.0.0.1: no traffic is sent to the
//! network address (the QR codes are decoded with the independent `rqrr` decoder).

mod support;

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::process::Command;

use serde_json::{Value, json};
use support::child::{LINE_WAIT, Served};

/// This machine's non-loopback addresses, from `ip -o addr show` (lines such as
/// `2: eth0    inet 192.0.2.2/24 brd ...`).
fn machine_addresses() -> BTreeSet<IpAddr> {
    let out = Command::new("ip").args(["-o", "addr", "show"]).output().expect("the `ip` command runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            words.find(|w| *w == "inet" || *w == "inet6")?;
            words.next()?.split('/').next()?.parse::<IpAddr>().ok()
        })
        .filter(|ip| !ip.is_loopback())
        .collect()
}

/// The host of an absolute http URL, as an address.
fn host_of(url: &str) -> IpAddr {
    let rest = url.strip_prefix("http://").unwrap_or_else(|| panic!("not an http URL: {url}"));
    let authority = rest.split('/').next().unwrap();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host.parse().unwrap_or_else(|_| panic!("{url}: host '{host}' is not an address"))
}

/// The text of the QR code in a Kiln SVG: its dark modules are a path of
/// `Mx,yhNv1h-Nz` runs on a `0 0 side side` viewBox; drawn 4 pixels a module and
/// decoded by rqrr.
fn decode_qr(svg: &str) -> String {
    let side: usize = svg
        .split("viewBox=\"0 0 ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no square viewBox in {svg}"));
    let path = svg.split(" d=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("a path");
    let mut dark = vec![false; side * side];
    for run in path.split('M').filter(|r| !r.is_empty()) {
        let (xy, rest) = run.split_once('h').expect("a run");
        let (x, y) = xy.split_once(',').expect("x,y");
        let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
        let length: usize = rest.split('v').next().unwrap().parse().unwrap();
        for dx in 0..length {
            dark[y * side + x + dx] = true;
        }
    }
    const SCALE: usize = 4;
    let pixels = side * SCALE;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(pixels, pixels, |x, y| {
        if dark[(y / SCALE) * side + x / SCALE] { 0 } else { 255 }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the SVG");
    grids[0].decode().expect("the QR code decodes").1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_all_interfaces_watch_room_and_qr_links_carry_a_network_address_of_this_machine() {
    let machine = machine_addresses();
    assert!(!machine.is_empty(), "this test needs a non-loopback address (`ip -o addr show` lists none)");
    // --open: anyone creates (the default on a network address is classroom mode).
    let served = Served::start(&["--addr", "0.0.0.0:0", "--open", "--quiet"]);
    assert!(served.url.starts_with("http://127.0.0.1:"), "the local URL is loopback: {}", served.url);
    let printed: Vec<&String> = served.stdout.iter().filter(|l| l.contains("Network")).collect();
    assert!(!printed.is_empty(), "a Network URL is printed: {:?}", served.stdout);
    for line in &printed {
        let url = line.split_whitespace().last().unwrap();
        assert!(machine.contains(&host_of(url)), "{url} is an address of this machine ({machine:?})");
    }

    let (status, session) = served.post("/api/sa/configure", json!({"formula": "C4H10"}), None).await;
    assert_eq!(status, 201, "{session}");
    let watch_url = session["watch_url"].as_str().expect("watch_url").to_string();
    let id = session["session_id"].as_str().unwrap();
    assert!(watch_url.ends_with(&format!("/watch/{id}")), "{watch_url}");
    let host = host_of(&watch_url);
    assert!(!host.is_loopback() && machine.contains(&host), "{watch_url}: not an address of {machine:?}");
    assert_eq!(session["share_hint"], Value::Null);
    let watch_qr = served.text(session["qr_url"].as_str().unwrap()).await;
    assert_eq!(decode_qr(&watch_qr), watch_url, "the watch QR code opens the watch link");

    let (status, room) = served.post("/api/rooms", json!({}), None).await;
    assert_eq!(status, 201, "{room}");
    let code = room["code"].as_str().unwrap();
    let room_url = room["room_url"].as_str().expect("room_url").to_string();
    assert!(room_url.ends_with(&format!("/r/{code}")), "{room_url}");
    let host = host_of(&room_url);
    assert!(!host.is_loopback() && machine.contains(&host), "{room_url}: not an address of {machine:?}");
    let room_qr = served.text(room["qr_url"].as_str().unwrap()).await;
    assert_eq!(decode_qr(&room_qr), room_url, "the room QR code opens the room link");
    served.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_loopback_only_the_answer_and_the_console_give_the_command_that_shares() {
    let served = Served::start(&["--addr", "127.0.0.1:0", "--quiet"]);
    let port = served.url.rsplit(':').next().unwrap().to_string();
    let command = format!("kiln serve --addr 0.0.0.0:{port}");
    assert!(
        served.stdout.iter().any(|l| l.contains(&command)),
        "stdout names `{command}`: {:?}",
        served.stdout
    );
    assert!(!served.stdout.iter().any(|l| l.contains("Network")), "{:?}", served.stdout);
    let (status, session) = served.post("/api/sa/configure", json!({"formula": "C4H10"}), None).await;
    assert_eq!(status, 201, "{session}");
    assert_eq!(session["share_hint"]["command"], command.as_str());
    let (_, room) = served.post("/api/rooms", json!({}), None).await;
    assert_eq!(room["share_hint"]["command"], command.as_str());
    served.stop();
}

/// Reads a session's stream until its `complete` event.
async fn watch_to_the_end(served: &Served, id: &str) {
    let mut response = served
        .client
        .get(format!("{}/api/sa/{id}/stream", served.url))
        .header("Accept", "text/event-stream")
        .send()
        .await
        .expect("the stream opens");
    let mut seen = String::new();
    while !seen.contains("event: complete") {
        let chunk = tokio::time::timeout(LINE_WAIT, response.chunk()).await.expect("the run goes on");
        let chunk = chunk.expect("the stream reads").expect("the stream goes on until complete");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
}

/// Creates a short run, starts it, watches it finish, starts it again (refused: it is
/// complete) and asks for an impossible formula (refused). Returns the session id.
async fn run_a_lesson(served: &Served) -> String {
    let (status, session) = served
        .post("/api/sa/configure", json!({"formula": "C4H10", "steps_per_cycle": 5, "num_cycles": 2}), None)
        .await;
    assert_eq!(status, 201, "{session}");
    let id = session["session_id"].as_str().unwrap().to_string();
    let token = session["control_token"].as_str().unwrap();
    let (status, _) = served.post(&format!("/api/sa/{id}/start"), json!({}), Some(token)).await;
    assert_eq!(status, 200);
    watch_to_the_end(served, &id).await;
    let (status, _) = served.post(&format!("/api/sa/{id}/start"), json!({}), Some(token)).await;
    assert_eq!(status, 409, "a complete run cannot start");
    let (status, _) = served.post("/api/sa/configure", json!({"formula": "C2H7"}), None).await;
    assert_eq!(status, 400);
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_has_a_line_per_session_event_with_the_short_id_kind_and_formula() {
    let served = Served::start(&["--addr", "127.0.0.1:0"]);
    let id = run_a_lesson(&served).await;
    let short = &id[..8];
    served.expect_line(&["session", short, "created", "isomer", "C4H10", "10 steps"]);
    served.expect_line(&["session", short, "started at step 0", "isomer C4H10"]);
    served.expect_line(&["session", short, "finished at step 10", "isomer C4H10", "best energy"]);
    served.expect_line(&["session", short, "start refused (409)", "isomer C4H10"]);
    served.expect_line(&["configure refused (400)", "formula 'C2H7'"]);
    served.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_silences_the_session_log() {
    let served = Served::start(&["--addr", "127.0.0.1:0", "--quiet"]);
    let id = run_a_lesson(&served).await;
    let lines = served.stop();
    let logged: Vec<&String> =
        lines.iter().filter(|l| l.contains(&id[..8]) || l.contains("refused")).collect();
    assert!(logged.is_empty(), "--quiet logs nothing: {logged:?}");
}
