//! The HTTP face of the server: the routes (docs/protocol.md, and the page), the
//! one mapping from errors to statuses, the body reader, the live pacing body, the
//! batch fallback, the
//! edge every request passes (origin, HEAD, `Allow`) and the accept loop with its
//! connection limits; the one SSE response (`sse`); experiments (`/api/experiments`), rooms (`/api/rooms`) and the class
//! experiment (`/api/rooms/{code}/class`) in their own files, and where phones reach the server (`reach`) for the links they get.

pub mod api;
pub mod batch;
pub mod body;
pub mod class;
pub mod client;
pub mod connections;
pub mod edge;
pub mod error;
pub mod experiments;
pub mod pacing;
pub mod preview;
pub mod reach;
pub mod recover;
pub mod rooms;
pub mod routes;
pub mod sse;

pub use api::Api;
pub use error::ApiError;
pub use routes::routes;
