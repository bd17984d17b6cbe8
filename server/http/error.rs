//! `ApiError`: every way an HTTP request can fail, mapped to a status code and the
//! JSON body `{"error": {"code", "message", "field"}}` in one place.
//!
//! Handlers return `Result<Response, ApiError>`; warp rejections (unknown route,
//! wrong method, body too large) are turned into the same JSON shape by
//! `http::recover`, so a client never sees warp's plain-text errors.

use serde::Serialize;
use warp::Reply;
use warp::http::StatusCode;
use warp::reply::Response;

use crate::kinds::ParamError;
use crate::live::{LiveError, SessionState};

/// `Retry-After` of a 503 for a session still being rebuilt, in seconds.
const RESTORING_RETRY_AFTER: warp::http::HeaderValue = warp::http::HeaderValue::from_static("1");
/// `Retry-After` of a 429 (a budget is full), in seconds: places come back as
/// streams close and sessions or rooms go.
const BUDGET_RETRY_AFTER: warp::http::HeaderValue = warp::http::HeaderValue::from_static("10");

/// A request that cannot be answered with success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A parameter (or the JSON around it) is wrong; `field` names it when known.
    #[error("{message}")]
    BadRequest {
        /// Machine-readable code, e.g. `invalid_parameter`.
        code: &'static str,
        /// What is wrong, with the value.
        message: String,
        /// The parameter, as the API spells it.
        field: Option<String>,
    },
    /// No `Authorization: Bearer` header.
    #[error("this call needs 'Authorization: Bearer <control_token>' (the token configure returned)")]
    MissingToken,
    /// A token that is not this session's.
    #[error("the control token does not match this session")]
    WrongToken,
    /// No session with this id (never created, deleted, or expired).
    #[error("no session {0}; it may have expired or been deleted")]
    UnknownSession(String),
    /// A room call without `Authorization: Bearer <room_token>`.
    #[error("this call needs 'Authorization: Bearer <room_token>' (the token POST /api/rooms returned)")]
    MissingRoomToken,
    /// A token that is not this room's.
    #[error("the room token does not match this room")]
    WrongRoomToken,
    /// No room with this code (never made, or made before a restart without a store).
    #[error("no room {0}; check the code, or ask the teacher for the new one")]
    UnknownRoom(String),
    /// The room runs no class experiment.
    #[error("room {0} has no class experiment; the teacher starts one")]
    NoClassExperiment(String),
    /// The room's class experiment was finished: no more runs.
    #[error("the class experiment is over: the projector shows its results")]
    ClassOver,
    /// No such route.
    #[error("no route {0}")]
    NotFound(String),
    /// The route exists but not for this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// A control call that does not apply in the session's state.
    #[error("cannot {action} a session that is {state}")]
    InvalidTransition {
        /// The control action asked for.
        action: &'static str,
        /// The state the session is in.
        state: SessionState,
    },
    /// The request body is above the limit.
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The request body did not arrive in time.
    #[error("the request body did not arrive within {seconds} s")]
    BodyTimeout {
        /// The limit in seconds.
        seconds: u64,
    },
    /// A server-wide or per-session limit is reached.
    #[error("{0}")]
    TooMany(String),
    /// The server is stopping.
    #[error("the server is shutting down")]
    ShuttingDown,
    /// A stored session not rebuilt yet after a restart (`Retry-After` says when to ask again).
    #[error("session {0} is being rebuilt after a restart; try again in a moment")]
    Restoring(String),
    /// A cross-origin request from an origin other than `--allow-origin`'s.
    #[error(
        "requests from origin '{0}' are not allowed (kiln serve --allow-origin names the one other origin allowed)"
    )]
    OriginNotAllowed(String),
    /// Classroom mode: creating needs the server key (the teacher).
    #[error(
        "only the teacher creates sessions, rooms and experiments on this server: the teacher opens the Local URL that 'kiln serve' printed (it carries the key), or sends 'Authorization: Bearer <server key>'; students watch, or join a room with its code"
    )]
    MissingServerKey,
    /// A server key that is not this server's.
    #[error(
        "the server key does not match; the teacher's key is in the Local URL that 'kiln serve' printed (kiln serve --key sets one)"
    )]
    WrongServerKey,
    /// Every worker for long work is busy past this request's deadline.
    #[error("the server is busy with other runs; try again in a moment")]
    Busy,
    /// The store is at its quota (`--store-quota`): new work is refused (507).
    #[error("{0}")]
    StoreFull(String),
    /// A bug or a failed worker; never expected.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 400 about one named field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::BadRequest { code: "invalid_parameter", message: message.into(), field: Some(field.into()) }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::MissingToken | ApiError::MissingRoomToken => StatusCode::UNAUTHORIZED,
            ApiError::WrongRoomToken => StatusCode::FORBIDDEN,
            ApiError::WrongToken => StatusCode::FORBIDDEN,
            ApiError::UnknownSession(_)
            | ApiError::UnknownRoom(_)
            | ApiError::NoClassExperiment(_)
            | ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::InvalidTransition { .. } | ApiError::ClassOver => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BodyTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            ApiError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::ShuttingDown | ApiError::Busy | ApiError::Restoring(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::OriginNotAllowed(_) => StatusCode::FORBIDDEN,
            ApiError::MissingServerKey => StatusCode::UNAUTHORIZED,
            ApiError::WrongServerKey => StatusCode::FORBIDDEN,
            ApiError::StoreFull(_) => StatusCode::INSUFFICIENT_STORAGE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. } => code,
            ApiError::MissingToken => "missing_token",
            ApiError::MissingRoomToken => "missing_room_token",
            ApiError::WrongRoomToken => "wrong_room_token",
            ApiError::WrongToken => "wrong_token",
            ApiError::UnknownSession(_) => "unknown_session",
            ApiError::UnknownRoom(_) => "unknown_room",
            ApiError::NoClassExperiment(_) => "no_class_experiment",
            ApiError::ClassOver => "class_experiment_over",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::InvalidTransition { .. } => "invalid_transition",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::BodyTimeout { .. } => "body_timeout",
            ApiError::TooMany(_) => "too_many",
            ApiError::ShuttingDown => "shutting_down",
            ApiError::Restoring(_) => "restoring",
            ApiError::OriginNotAllowed(_) => "origin_not_allowed",
            ApiError::MissingServerKey => "missing_server_key",
            ApiError::WrongServerKey => "wrong_server_key",
            ApiError::Busy => "busy",
            ApiError::StoreFull(_) => "store_full",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl From<ParamError> for ApiError {
    fn from(e: ParamError) -> Self {
        // The error's own text names the field once ("field: message", or a kind's
        // parser's "NAME 'VALUE': ..."). A body that is not a JSON object at all has no
        // field: `null`, never "".
        if e.field.is_empty() {
            return ApiError::BadRequest { code: "invalid_json", message: e.message, field: None };
        }
        ApiError::BadRequest { code: "invalid_parameter", message: e.to_string(), field: Some(e.field) }
    }
}

impl From<LiveError> for ApiError {
    fn from(e: LiveError) -> Self {
        match e {
            LiveError::UnknownSession(id) => ApiError::UnknownSession(id.to_string()),
            LiveError::Restoring(id) => ApiError::Restoring(id.to_string()),
            LiveError::InvalidTransition { action, state } => ApiError::InvalidTransition { action, state },
            LiveError::TooMany(message) => ApiError::TooMany(message),
            LiveError::Busy => ApiError::Busy,
            LiveError::StoreFull(message) => ApiError::StoreFull(message),
            LiveError::Failed(message) => ApiError::Internal(message),
        }
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<SessionState>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: String,
    field: Option<&'a str>,
}

impl Reply for ApiError {
    fn into_response(self) -> Response {
        let field = match &self {
            ApiError::BadRequest { field, .. } => field.as_deref(),
            _ => None,
        };
        let state = match &self {
            ApiError::InvalidTransition { state, .. } => Some(*state),
            _ => None,
        };
        let body =
            ErrorBody { error: ErrorDetail { code: self.code(), message: self.to_string(), field }, state };
        let mut response = warp::reply::with_status(warp::reply::json(&body), self.status()).into_response();
        if matches!(self, ApiError::Restoring(_)) {
            response.headers_mut().insert(warp::http::header::RETRY_AFTER, RESTORING_RETRY_AFTER);
        }
        if matches!(self, ApiError::TooMany(_)) {
            response.headers_mut().insert(warp::http::header::RETRY_AFTER, BUDGET_RETRY_AFTER);
        }
        response
    }
}
