//! The room routes (docs/protocol.md, rooms): create a room, read it, point it at
//! the teacher's newest session, its stream of `session_changed` events and the QR
//! code of its page `/r/CODE`. Room links use the address phones can open
//! ([`super::reach`]), never loopback when the server listens on more.
//!
//! Creating a room is gated like creating a session (`--classroom`'s server key);
//! pointing it at a session needs the room's own token, which only the teacher's
//! page holds. Reading a room and following its stream need only the code.
//!
//! The room belongs to the teacher (issue 22): with a server key, `POST /api/rooms`
//! answers that key's room while it exists (`?new=true` makes another), and
//! `GET /api/rooms/{code}` with the room token adds the control token of the run it
//! shows, so any tab of the teacher controls the run in progress.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::json;
use warp::Reply;
use warp::http::{HeaderMap, HeaderValue, StatusCode, header};
use warp::hyper::body::Bytes;
use warp::reply::Response;

use super::api::{Api, bearer, json_reply, parse_id};
use super::error::ApiError;
use super::sse::follow;
use crate::kinds::json_body;
use crate::live::budget::Caller;
use crate::live::error::LiveError;
use crate::live::rooms::{CODE_ALPHABET, CODE_LENGTH, Current, Room, RoomViewer, Rooms};
use crate::live::streams::StreamKind;

/// A room by the code in the path: 400 naming `code` for one that cannot be a code,
/// 404 for one no room has.
pub(super) fn room(api: &Api, code: &str) -> Result<Arc<Room>, ApiError> {
    if !Rooms::is_code(code) {
        return Err(ApiError::BadRequest {
            code: "invalid_room_code",
            message: format!(
                "'{code}' is not a room code ({CODE_LENGTH} characters of {})",
                String::from_utf8_lossy(CODE_ALPHABET)
            ),
            field: Some("code".into()),
        });
    }
    api.rooms().get(code).ok_or_else(|| ApiError::UnknownRoom(code.to_ascii_uppercase()))
}

/// The room as the API shows it; `base` is where phones reach the server.
fn describe(api: &Api, room: &Room, base: &str) -> serde_json::Value {
    let current = room.current();
    json!({
        "code": room.code(),
        "session_id": current.as_ref().map(|c| c.session_id),
        "problem": current.as_ref().map(|c| c.problem.clone()),
        "room_url": format!("{base}/r/{}", room.code()),
        "join_url": format!("{base}/r"),
        "share_hint": api.share_hint(),
        "stream_url": format!("/api/rooms/{}/stream", room.code()),
        "qr_url": format!("/api/rooms/{}/qr.svg", room.code()),
    })
}

/// `POST /api/rooms`: the teacher's room, with the owner's `room_token`: with a
/// server key, that key's room (200) while it exists, else a new room (201);
/// `?new=true` always makes a new one. Without a server key every call makes one
/// (the page keeps its room's code and token as its identity).
pub fn create(
    api: &Api,
    caller: &Caller,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    if api.sessions().stopping() {
        return Err(ApiError::ShuttingDown);
    }
    let fresh = match query.get("new").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => return Err(ApiError::invalid("new", format!("must be true or false, not '{other}'"))),
    };
    let (room, made) = match api.server_key() {
        Some(key) if caller.teacher => api.rooms().for_teacher(key, fresh, caller)?,
        _ => (api.rooms().create_for(caller)?, true),
    };
    let body = owner_view(api, &room, &api.share_base(headers))?;
    Ok(json_reply(&body, if made { StatusCode::CREATED } else { StatusCode::OK }))
}

/// The room as its owner sees it: also its `room_token`, and the `control_token` of
/// the session it shows (null when that session is gone).
fn owner_view(api: &Api, room: &Room, base: &str) -> Result<serde_json::Value, ApiError> {
    let mut body = describe(api, room, base);
    body["room_token"] = json!(room.token());
    let control = match room.current() {
        None => None,
        Some(current) => match api.sessions().get(current.session_id) {
            Ok(session) => Some(session.token().to_string()),
            Err(LiveError::UnknownSession(_)) => None,
            Err(e) => return Err(e.into()),
        },
    };
    body["control_token"] = json!(control);
    Ok(body)
}

/// `GET /api/rooms/{code}`: the room and the session it shows now; with the room's
/// token (`Authorization: Bearer`), the owner's view (403 for a wrong one).
pub fn get(api: &Api, code: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let room = room(api, code)?;
    let base = api.share_base(headers);
    let body = match bearer(headers) {
        None => describe(api, &room, &base),
        Some(token) if room.token_matches(token) => owner_view(api, &room, &base)?,
        Some(_) => return Err(ApiError::WrongRoomToken),
    };
    Ok(json_reply(&body, StatusCode::OK))
}

/// `POST /api/rooms/{code}/session` `{session_id}` with the room token: the room shows
/// this session from now on, and every room stream gets `session_changed`.
pub fn set_session(api: &Api, code: &str, headers: &HeaderMap, body: &Bytes) -> Result<Response, ApiError> {
    let room = room(api, code)?;
    let token = bearer(headers).ok_or(ApiError::MissingRoomToken)?;
    if !room.token_matches(token) {
        return Err(ApiError::WrongRoomToken);
    }
    // The body has one field, so anything wrong with it is about `session_id`.
    let value = json_body::parse_object(body).map_err(|e| {
        ApiError::invalid(
            "session_id",
            format!("the body must be {{\"session_id\": \"...\"}}: {}", e.message),
        )
    })?;
    if let Some(other) = value.keys().find(|k| *k != "session_id") {
        return Err(ApiError::invalid(other.as_str(), "unknown field; the body takes session_id only"));
    }
    let id = match value.get("session_id") {
        Some(serde_json::Value::String(id)) => id,
        Some(other) => {
            return Err(ApiError::invalid("session_id", format!("must be a session id string, not {other}")));
        }
        None => {
            return Err(ApiError::invalid("session_id", "missing; the body is {\"session_id\": \"...\"}"));
        }
    };
    let id = parse_id(id).map_err(|e| ApiError::invalid("session_id", e.to_string()))?;
    let session = api.sessions().get(id)?;
    room.set_current(Current { session_id: session.id(), problem: session.problem().to_string() });
    Ok(json_reply(&describe(api, &room, &api.share_base(headers)), StatusCode::OK))
}

/// `GET /api/rooms/{code}/stream`: `room` on connect, then `session_changed`.
pub fn stream(api: &Api, caller: &Caller, code: &str) -> Result<Response, ApiError> {
    let room = room(api, code)?;
    if api.sessions().stopping() {
        return Err(ApiError::ShuttingDown);
    }
    follow(api.sessions(), StreamKind::Room, caller, RoomViewer::new(room))
}

/// `GET /api/rooms/{code}/qr.svg`: a QR code of the room's page.
pub fn qr(api: &Api, code: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let room = room(api, code)?;
    let svg = crate::render::qr::qr_svg(&format!("{}/r/{}", api.share_base(headers), room.code()));
    let mut response = svg.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    Ok(response)
}
