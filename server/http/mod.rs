//! The HTTP face of the server: the routes (docs/protocol.md, and the page), the
//! one mapping from errors to statuses, the body reader and the batch fallback.

pub mod batch;
pub mod body;
pub mod error;
pub mod routes;

pub use error::ApiError;
pub use routes::{Api, routes};
