//! The one shared helper module of the tests: an in-process server on an ephemeral
//! port, a real HTTP client, and a small SSE parser that reads the raw bytes (here);
//! the store tests' scratch directory and records ([`store`]); the sweep tests' TSP
//! runner and event recorder ([`sweep`]); the real binary as a child process ([`child`]). Every test file includes it with `mod support;`.
//!
//! Every wait is "until this happens, or fail after a generous timeout", and no
//! test asserts on speed. Stream events are awaited as they arrive; the one thing
//! that cannot be awaited (a session's viewer count, which has no event) is polled
//! every 20 ms until it holds.

#![allow(dead_code)]

pub mod child;
pub mod store;
pub mod sweep;

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::StreamExt;
use kiln::server::{ServeOptions, Server};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long any awaited condition may take before the test fails (a loaded
/// 2-core machine can be slow; this is a bound against hangs, not a speed check).
pub const PATIENCE: Duration = Duration::from_secs(20);

/// A server running inside the test's runtime.
pub struct TestServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// A client for it.
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// A session as configure created it.
#[derive(Clone, Debug)]
pub struct Created {
    /// The id.
    pub id: String,
    /// The control token.
    pub token: String,
    /// The whole 201 body.
    pub body: Value,
}

impl TestServer {
    /// A server with default options on 127.0.0.1:0.
    pub async fn start() -> TestServer {
        Self::with(ServeOptions::default()).await
    }

    /// A server with these options (the address is replaced by 127.0.0.1:0).
    pub async fn with(options: ServeOptions) -> TestServer {
        Self::serving(&Server::default(), options).await
    }

    /// `server` (its kinds) with these options, on 127.0.0.1:0.
    pub async fn serving(server: &Server, options: ServeOptions) -> TestServer {
        let options = ServeOptions { addr: SocketAddr::from(([127, 0, 0, 1], 0)), ..options };
        let (stop, stopped) = oneshot::channel::<()>();
        let (addr, server) = server
            .bind(options, async {
                let _ = stopped.await;
            })
            .await
            .expect("bind an ephemeral port");
        let task = tokio::spawn(server);
        let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
        TestServer { addr, client, stop: Some(stop), task: Some(task) }
    }

    /// `http://addr` + path.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Ask the server to stop; returns the task to await.
    pub fn shutdown(&mut self) -> JoinHandle<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.take().expect("server task")
    }

    /// POST configure; panics unless 201.
    pub async fn configure(&self, params: Value) -> Created {
        let response = self.post_json("/api/sa/configure", &params).await;
        let status = response.status();
        let body: Value = response.json().await.expect("json body");
        assert_eq!(status, 201, "configure {params}: {body}");
        Created {
            id: body["session_id"].as_str().expect("session_id").to_string(),
            token: body["control_token"].as_str().expect("control_token").to_string(),
            body,
        }
    }

    /// POST a body as it is (to send malformed JSON).
    pub async fn post_text(&self, path: &str, body: String) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// POST a JSON body.
    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client.post(self.url(path)).json(body).send().await.expect("request")
    }

    /// A control call with the session's token; returns (status, body).
    pub async fn control(&self, s: &Created, action: &str) -> (u16, Value) {
        let response = self
            .client
            .post(self.url(&format!("/api/sa/{}/{action}", s.id)))
            .bearer_auth(&s.token)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// DELETE the session with its token; returns the status.
    pub async fn delete(&self, s: &Created) -> u16 {
        let url = self.url(&format!("/api/sa/{}", s.id));
        self.client.delete(url).bearer_auth(&s.token).send().await.expect("request").status().as_u16()
    }

    /// GET a JSON document; returns (status, body).
    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let response = self.client.get(self.url(path)).send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Open the session's SSE stream.
    pub async fn stream(&self, s: &Created) -> Sse {
        self.stream_with(&format!("/api/sa/{}/stream", s.id), None).await
    }

    /// Open an SSE stream at `path`, with an optional Last-Event-ID header.
    pub async fn stream_with(&self, path: &str, last_event_id: Option<&str>) -> Sse {
        let response = self.open_stream(path, last_event_id).await;
        assert_eq!(response.status(), 200, "stream {path}");
        Sse::new(response)
    }

    /// The raw response of a stream request.
    pub async fn open_stream(&self, path: &str, last_event_id: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(self.url(path)).header("Accept", "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        request.send().await.expect("stream request")
    }

    /// Wait until `check` holds for the session's streaming-status document.
    pub async fn await_streaming_status(
        &self,
        s: &Created,
        what: &str,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        let path = format!("/api/sa/{}/streaming-status", s.id);
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let (status, body) = self.get_json(&path).await;
            assert_eq!(status, 200, "{body}");
            if check(&body) {
                return body;
            }
            assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}; last: {body}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// One SSE event as read off the wire.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// The `id:` field, if any.
    pub id: Option<String>,
    /// The `event:` field ("message" if none).
    pub name: String,
    /// The `data:` lines joined with newlines.
    pub data: String,
}

impl Event {
    /// The data as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data)
            .unwrap_or_else(|e| panic!("event data is not JSON ({e}): {}", self.data))
    }

    /// The id as a number.
    pub fn seq(&self) -> u64 {
        self.id
            .as_deref()
            .and_then(|i| i.parse().ok())
            .unwrap_or_else(|| panic!("event without id: {self:?}"))
    }

    /// `step` of the data.
    pub fn step(&self) -> u64 {
        self.json()["step"].as_u64().unwrap_or_else(|| panic!("no step in {}", self.data))
    }
}

/// An SSE response being read: raw bytes parsed into events per the spec.
pub struct Sse {
    /// The response headers.
    pub headers: reqwest::header::HeaderMap,
    body: futures_util::stream::BoxStream<'static, reqwest::Result<warp::hyper::body::Bytes>>,
    buffer: String,
    /// Every `retry:` value seen.
    pub retries: Vec<u64>,
    /// Every comment line seen.
    pub comments: Vec<String>,
    /// The body ended.
    pub ended: bool,
}

impl Sse {
    /// Parse a response's body.
    pub fn new(response: reqwest::Response) -> Sse {
        Sse {
            headers: response.headers().clone(),
            body: response.bytes_stream().boxed(),
            buffer: String::new(),
            retries: Vec::new(),
            comments: Vec::new(),
            ended: false,
        }
    }

    /// The next event, or `None` when the stream ends; panics after [`PATIENCE`].
    pub async fn next(&mut self) -> Option<Event> {
        match tokio::time::timeout(PATIENCE, self.next_untimed()).await {
            Ok(event) => event,
            Err(_) => panic!("no SSE event within {PATIENCE:?}"),
        }
    }

    /// The next event named `name`, skipping others; panics if the stream ends first.
    pub async fn next_named(&mut self, name: &str) -> Event {
        loop {
            match self.next().await {
                Some(e) if e.name == name => return e,
                Some(_) => {}
                None => panic!("the stream ended before a '{name}' event"),
            }
        }
    }

    /// The next event that is not `waiting`.
    pub async fn next_significant(&mut self) -> Option<Event> {
        loop {
            match self.next().await {
                Some(e) if e.name == "waiting" => {}
                other => return other,
            }
        }
    }

    /// Read on until one more event or comment has come (the event is dropped);
    /// `false` if the stream ended first. Not timed: wrap it in a timeout.
    pub async fn next_or_comment(&mut self) -> bool {
        let before = self.comments.len();
        loop {
            if self.parse_block().is_some() || self.comments.len() > before {
                return true;
            }
            if self.ended {
                return false;
            }
            match self.body.next().await {
                Some(Ok(bytes)) => self.buffer.push_str(std::str::from_utf8(&bytes).expect("UTF-8 stream")),
                Some(Err(e)) => panic!("stream error: {e}"),
                None => self.ended = true,
            }
        }
    }

    async fn next_untimed(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.parse_block() {
                return Some(event);
            }
            if self.ended {
                return None;
            }
            match self.body.next().await {
                Some(Ok(bytes)) => self.buffer.push_str(std::str::from_utf8(&bytes).expect("UTF-8 stream")),
                Some(Err(e)) => panic!("stream error: {e}"),
                None => self.ended = true,
            }
        }
    }

    /// Take complete blocks off the buffer until one dispatches an event.
    fn parse_block(&mut self) -> Option<Event> {
        loop {
            let end = self.buffer.find("\n\n")?;
            let block: String = self.buffer.drain(..end + 2).collect();
            let mut event = Event { id: None, name: "message".into(), data: String::new() };
            let mut has_data = false;
            for line in block.lines() {
                assert!(!line.contains('\r'), "CR inside an SSE line: {line:?}");
                if let Some(comment) = line.strip_prefix(':') {
                    self.comments.push(comment.trim().to_string());
                    continue;
                }
                let (field, value) = line.split_once(':').map_or((line, ""), |(f, v)| (f, v));
                let value = value.strip_prefix(' ').unwrap_or(value);
                match field {
                    "id" => event.id = Some(value.to_string()),
                    "event" => event.name = value.to_string(),
                    "data" => {
                        if has_data {
                            event.data.push('\n');
                        }
                        event.data.push_str(value);
                        has_data = true;
                    }
                    "retry" => self.retries.push(value.parse().expect("numeric retry")),
                    _ => {}
                }
            }
            if has_data {
                return Some(event);
            }
        }
    }
}

/// A C4H10 run of `steps` steps shown one step per event, fast.
pub fn butane(steps: u64) -> Value {
    json!({
        "formula": "C4H10",
        "steps_per_cycle": steps,
        "num_cycles": 1,
        "steps_per_event": 1,
        "max_events_per_sec": 60,
    })
}

/// A berlin52 run of `steps` steps, `per_event` steps per event.
pub fn berlin(steps: u64, per_event: Value) -> Value {
    json!({
        "problem": "tsp",
        "instance": "berlin52",
        "steps_per_cycle": steps,
        "num_cycles": 1,
        "steps_per_event": per_event,
        "max_events_per_sec": 60,
    })
}

/// A headless request (as `kiln run` makes) of these values, which must be an object.
pub fn headless_request(values: Value) -> kiln::kinds::Request {
    let Value::Object(map) = values else { panic!("request values must be an object, not {values}") };
    kiln::kinds::Request::from_map(map, kiln::kinds::Scope::Headless)
}
