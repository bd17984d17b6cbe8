//! The room belongs to the teacher (issue 22, docs/protocol.md "Rooms"): the room's
//! token gets the owner's view of `GET /api/rooms/{code}`, with the control token of
//! the run the room shows, so a new tab of the teacher controls the run in progress;
//! without a token the view is the public one, and a wrong token is 403. `?new=` takes
//! only true or false.

mod support;

use serde_json::{Value, json};
use support::{TestServer, butane};

/// `GET path` with `Authorization: Bearer token`; (status, body).
async fn get_with(server: &TestServer, path: &str, token: &str) -> (u16, Value) {
    let response = server.client.get(server.url(path)).bearer_auth(token).send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_room_token_reads_the_control_token_of_the_run_the_room_shows() {
    let server = TestServer::start().await;
    let response = server.post_json("/api/rooms", &json!({})).await;
    assert_eq!(response.status().as_u16(), 201);
    let room: Value = response.json().await.expect("json");
    let code = room["code"].as_str().expect("code").to_string();
    let room_token = room["room_token"].as_str().expect("room_token").to_string();
    assert_eq!(room["control_token"], Value::Null, "no run yet");

    let session = server.configure(butane(1000)).await;
    let response = server
        .client
        .post(server.url(&format!("/api/rooms/{code}/session")))
        .bearer_auth(&room_token)
        .json(&json!({"session_id": session.id}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 200);

    let (status, owner) = get_with(&server, &format!("/api/rooms/{code}"), &room_token).await;
    assert_eq!(status, 200, "{owner}");
    assert_eq!(owner["session_id"], session.id.as_str());
    assert_eq!(owner["control_token"], session.token.as_str(), "the owner's view carries the run's token");
    assert_eq!(owner["room_token"], room_token.as_str());

    let (status, public) = server.get_json(&format!("/api/rooms/{}", code.to_ascii_lowercase())).await;
    assert_eq!(status, 200);
    assert_eq!(public["session_id"], session.id.as_str());
    assert!(public.get("control_token").is_none() && public.get("room_token").is_none(), "{public}");

    let (status, refused) = get_with(&server, &format!("/api/rooms/{code}"), "not-the-token").await;
    assert_eq!(status, 403, "{refused}");
    assert_eq!(refused["error"]["code"], "wrong_room_token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_server_key_every_create_makes_a_room_and_new_takes_only_a_boolean() {
    let server = TestServer::start().await;
    let a: Value = server.post_json("/api/rooms", &json!({})).await.json().await.expect("json");
    let response = server.post_json("/api/rooms?new=true", &json!({})).await;
    assert_eq!(response.status().as_u16(), 201);
    let b: Value = response.json().await.expect("json");
    assert_ne!(a["code"], b["code"]);
    let response = server.post_json("/api/rooms?new=maybe", &json!({})).await;
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["field"], "new", "{body}");
    assert!(body["error"]["message"].as_str().unwrap_or("").contains("maybe"), "{body}");
}
