//! Who a request comes from: the peer's address (a [`ClientAddr`], put on every
//! request by `edge`), and whether it is the teacher ([`is_teacher`]); [`WithClient`]
//! runs each request inside its [`Client`]'s scope, which is how the `Work` pool
//! gives each client address its fair share and the teacher his reserved one
//! without any handler passing the client along.

use std::convert::Infallible;
use std::sync::Arc;

use warp::http::{HeaderMap, Request};
use warp::hyper::body::Incoming;
use warp::hyper::service::Service;

use super::api::bearer;
use crate::live::budget::ClientAddr;
use crate::live::token::same_token;
use crate::live::work::Client;

/// The header a teacher's request may carry the server key in when its
/// `Authorization` holds a session's control token.
pub const TEACHER_KEY_HEADER: &str = "x-kiln-key";

/// Whether a request's headers carry the server key (as the bearer token or in
/// [`TEACHER_KEY_HEADER`]): the teacher. Without a server key nobody is. The one
/// place that decides it for the pool's shares.
pub fn is_teacher(server_key: Option<&str>, headers: &HeaderMap) -> bool {
    let Some(key) = server_key else { return false };
    let in_header = headers.get(TEACHER_KEY_HEADER).and_then(|v| v.to_str().ok());
    [bearer(headers), in_header].into_iter().flatten().any(|presented| same_token(key, presented))
}

/// The routes, each request run as its [`Client`]'s.
#[derive(Clone)]
pub struct WithClient<S> {
    inner: S,
    server_key: Option<Arc<str>>,
}

impl<S> WithClient<S> {
    /// `inner`, with the teacher known by `server_key`.
    pub fn new(inner: S, server_key: Option<String>) -> Self {
        WithClient { inner, server_key: server_key.map(Arc::from) }
    }
}

impl<S, R> Service<Request<Incoming>> for WithClient<S>
where
    S: Service<Request<Incoming>, Response = R, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = R;
    type Error = Infallible;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<R, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let client = Client {
            addr: request.extensions().get::<ClientAddr>().map(|c| c.0),
            teacher: is_teacher(self.server_key.as_deref(), request.headers()),
        };
        let answer = self.inner.call(request);
        Box::pin(client.scope(answer))
    }
}

#[cfg(test)]
mod tests {
    use warp::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn the_teacher_is_whoever_presents_the_server_key() {
        let key = Some("k3y");
        assert!(is_teacher(key, &headers(&[("authorization", "Bearer k3y")])));
        assert!(is_teacher(key, &headers(&[("authorization", "Bearer session"), ("x-kiln-key", "k3y")])));
        assert!(!is_teacher(key, &headers(&[("authorization", "Bearer session")])));
        assert!(!is_teacher(key, &headers(&[("x-kiln-key", "k3")])));
        assert!(!is_teacher(None, &headers(&[("authorization", "Bearer k3y")])));
    }
}
