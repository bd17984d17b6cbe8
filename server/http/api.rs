//! [`Api`]: what every HTTP handler shares (the kinds, the sessions, the auth
//! switch, the classroom key, the pool for long work, rooms, experiments and where
//! phones reach the server), with the small helpers every handler file uses: the
//! reply makers, the path-id parser and the bearer-token checks. The route table
//! is `routes`; handlers in their own files import from here, never from it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;
use warp::Reply;
use warp::http::{HeaderMap, StatusCode, header};
use warp::reply::Response;

use super::error::ApiError;
use super::reach::{Reach, ShareHint};
use crate::kinds::Registry;
use crate::live::class::Classes;
use crate::live::experiments::Experiments;
use crate::live::rooms::Rooms;
use crate::live::token::same_token;
use crate::live::work::Work;
use crate::live::{Session, Sessions};

/// Longest a manual `step?n=` runs (waiting for a worker included) before it
/// answers with the step it reached.
pub const STEP_TIME_LIMIT: Duration = Duration::from_secs(5);
/// Longest a configure may wait for a worker and build its problem.
pub const CONFIGURE_TIME_LIMIT: Duration = Duration::from_secs(20);

/// What every handler shares: the problem kinds, the sessions, the auth switch,
/// the classroom key and the pool for long work.
#[derive(Clone)]
pub struct Api {
    pub(super) registry: Arc<Registry>,
    pub(super) sessions: Sessions,
    pub(super) no_auth: bool,
    pub(super) server_key: Option<Arc<str>>,
    pub(super) work: Work,
    pub(super) rooms: Rooms,
    pub(super) experiments: Experiments,
    pub(super) reach: Arc<Reach>,
    pub(super) classes: Classes,
}

impl Api {
    /// Handlers over these kinds and sessions; `no_auth` skips the control-token check
    /// (`kiln serve --no-auth`).
    pub fn new(registry: Arc<Registry>, sessions: Sessions, no_auth: bool) -> Self {
        let experiments =
            Experiments::new(registry.clone(), sessions.stop_signal(), sessions.store().clone());
        Api {
            experiments,
            registry,
            sessions,
            no_auth,
            server_key: None,
            work: Work::new(Work::default_workers()),
            rooms: Rooms::default(),
            reach: Arc::new(Reach::from_interfaces(SocketAddr::from(([127, 0, 0, 1], 0)), &[])),
            classes: Classes::default(),
        }
    }

    /// Where the server can be reached (worked out after binding); links for phones use it.
    pub fn with_reach(mut self, reach: Reach) -> Self {
        self.reach = Arc::new(reach);
        self
    }

    /// The base URL (`http://host:port`) of links for a phone, given the request's
    /// headers: never loopback when the server listens on more ([`Reach::share_base`]).
    pub fn share_base(&self, headers: &HeaderMap) -> String {
        self.reach.share_base(headers.get(header::HOST).and_then(|h| h.to_str().ok()))
    }

    /// Why phones cannot reach the server, and the command that shares it; `None`
    /// when they can.
    pub fn share_hint(&self) -> Option<ShareHint> {
        self.reach.share_hint()
    }

    /// The classroom server key, if any (a teacher's identity for rooms).
    pub(super) fn server_key(&self) -> Option<&str> {
        self.server_key.as_deref()
    }

    /// Creating a session needs this key (`kiln serve --classroom`).
    pub fn with_server_key(mut self, key: Option<String>) -> Self {
        self.server_key = key.map(Arc::from);
        self
    }

    /// Rooms from this registry (one that keeps them across restarts).
    pub fn with_rooms(mut self, rooms: Rooms) -> Self {
        self.rooms = rooms;
        self
    }

    /// Experiments from this registry (the server's, which it restores at start).
    pub fn with_experiments(mut self, experiments: Experiments) -> Self {
        self.experiments = experiments;
        self
    }

    /// The experiments.
    pub fn experiments(&self) -> &Experiments {
        &self.experiments
    }

    /// Long work goes to this pool.
    pub fn with_work(mut self, work: Work) -> Self {
        self.work = work;
        self
    }

    /// The problem kinds.
    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// The sessions.
    pub fn sessions(&self) -> &Sessions {
        &self.sessions
    }

    /// The rooms.
    pub fn rooms(&self) -> &Rooms {
        &self.rooms
    }

    /// The class experiments, one per room.
    pub fn classes(&self) -> &Classes {
        &self.classes
    }

    /// The pool for long work.
    pub fn work(&self) -> &Work {
        &self.work
    }

    /// Whether the token check is off (`--no-auth`).
    pub fn no_auth(&self) -> bool {
        self.no_auth
    }
}

pub(super) fn reply(result: Result<Response, ApiError>) -> Response {
    result.unwrap_or_else(Reply::into_response)
}

pub(super) fn json_reply(value: &impl serde::Serialize, status: StatusCode) -> Response {
    warp::reply::with_status(warp::reply::json(value), status).into_response()
}

/// A path id as a UUID; 400 otherwise.
pub(super) fn parse_id(id: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id).map_err(|_| ApiError::BadRequest {
        code: "invalid_session_id",
        message: format!("'{id}' is not a session id (a UUID such as 67e55044-10b1-426f-9247-bb680e5fe0c8)"),
        field: None,
    })
}

/// The `Authorization: Bearer` value, if any.
pub(super) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).map(str::trim)
}

/// Check `Authorization: Bearer <token>` against the session's token; the owner's
/// call keeps the session alive.
pub(super) fn authorize(api: &Api, session: &Session, headers: &HeaderMap) -> Result<(), ApiError> {
    if !api.no_auth {
        let token = bearer(headers).ok_or(ApiError::MissingToken)?;
        if !session.token_matches(token) {
            return Err(ApiError::WrongToken);
        }
    }
    session.touch();
    Ok(())
}

/// With `--classroom`, creating a session needs `Authorization: Bearer <server key>`.
pub(super) fn check_server_key(api: &Api, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(key) = &api.server_key else { return Ok(()) };
    let presented = bearer(headers).ok_or(ApiError::MissingServerKey)?;
    if same_token(key, presented) { Ok(()) } else { Err(ApiError::WrongServerKey) }
}

pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::Internal(e.to_string()))
}
