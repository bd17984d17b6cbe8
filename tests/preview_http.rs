//! `POST /api/sa/preview` (docs/protocol.md): the numbers a configure body would run
//! with, equal to those of the session configure then makes from the same body, and
//! configure's 400 naming the field for a bad one; no session is made.

mod support;

use serde_json::{Value, json};
use support::TestServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_states_the_total_steps_configure_then_runs() {
    let server = TestServer::start().await;
    for body in [
        json!({"problem": "magnet", "lattice": 32, "coupling": "glass"}),
        json!({"problem": "magnet", "gset": "G1"}),
        json!({"formula": "C6H14", "num_cycles": 3}),
    ] {
        let response = server.post_json("/api/sa/preview", &body).await;
        assert_eq!(response.status().as_u16(), 200);
        let preview: Value = response.json().await.expect("json");
        let session = server.configure(body.clone()).await;
        assert_eq!(preview["total_steps"], session.body["total_steps"], "{body}");
        assert_eq!(preview["config"], session.body["config"], "{body}");
    }
    let (_, listed) = server.get_json("/api/sa").await;
    assert_eq!(
        listed["sessions"].as_array().map(Vec::len),
        Some(3),
        "only configure made sessions: {listed}"
    );
    let response = server.post_json("/api/sa/preview", &json!({"num_cycles": 0})).await;
    assert_eq!(response.status().as_u16(), 400);
    let error: Value = response.json().await.expect("json");
    assert_eq!(error["error"]["field"], "num_cycles", "{error}");
}
