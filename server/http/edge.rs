//! What every request passes on its way to the routes and back: the origin check
//! (CORS), HEAD, and the `Allow` header of a 405.
//!
//! These are properties of the HTTP exchange, not of any route, so they wrap the
//! whole of warp's routes as one hyper service ([`Edge`]):
//!
//! * **Origin.** A request whose `Origin` is the server's own (the page's same-origin
//!   calls, which browsers label with an `Origin` on POST) passes untouched. With
//!   `--allow-origin`, that one other origin passes too and its answers carry the
//!   CORS headers; its preflight `OPTIONS` is answered here. Any other origin gets a
//!   JSON 403 naming it. (warp's `cors()` refuses the same-origin POST, since it only
//!   knows the configured origin, and answers in plain text.)
//! * **HEAD** is served as the GET of the same resource with the body dropped, so
//!   every GET resource answers HEAD with the same status and headers.
//! * **405** answers get `Allow`, read from [`super::routes::allowed_methods`], the
//!   table that sits beside the routes.
//! * **The client.** Each connection's `Edge` knows its peer ([`Edge::for_peer`]) and
//!   puts it on every request as a [`ClientAddr`], which the routes read for the
//!   per-client budgets.
//! * **429** answers close their connection (`Connection: close`): a client at its
//!   budget cannot keep the connections it was refused on, so a flood of refused
//!   streams does not hold the server's connections (and `/health` answers).
//!
//! Every connection holds a clone of its service for as long as it is open (an SSE
//! stream for hours), so the routes sit behind one `Arc`: a connection holds a
//! pointer, not its own copy of the whole filter tree (one handle per route).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use warp::Reply;
use warp::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use warp::hyper::body::Incoming;
use warp::hyper::service::Service;
use warp::reply::Response;

use super::error::ApiError;
use crate::live::budget::ClientAddr;

/// Methods and headers a cross-origin caller may use.
const CORS_METHODS: &str = "GET, HEAD, POST, DELETE, OPTIONS";
const CORS_HEADERS: &str = "authorization, content-type, last-event-id, accept, x-kiln-key";

/// The routes wrapped with the origin check, HEAD and `Allow`.
#[derive(Clone)]
pub struct Edge<S> {
    routes: Arc<S>,
    allow_origin: Option<Arc<str>>,
    peer: Option<ClientAddr>,
}

impl<S> Edge<S> {
    /// Wrap the routes (warp's, as a hyper service); `allow_origin` is
    /// `--allow-origin`, already checked to be an origin.
    pub fn new(routes: S, allow_origin: Option<String>) -> Self {
        Edge { routes: Arc::new(routes), allow_origin: allow_origin.map(Arc::from), peer: None }
    }

    /// The service of one connection from `peer` (an IPv4 client of a dual-stack
    /// listener, `::ffff:a.b.c.d`, counts as `a.b.c.d`).
    pub fn for_peer(&self, peer: SocketAddr) -> Self {
        Edge {
            routes: self.routes.clone(),
            allow_origin: self.allow_origin.clone(),
            peer: Some(ClientAddr(peer.ip().to_canonical())),
        }
    }
}

impl<S> Service<Request<Incoming>> for Edge<S>
where
    S: Service<Request<Incoming>, Response = Response, Error = Infallible> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn call(&self, mut request: Request<Incoming>) -> Self::Future {
        let cross = match self.origin_check(request.headers()) {
            Ok(cross) => cross,
            Err(refused) => return Box::pin(async move { Ok(refused.into_response()) }),
        };
        if cross.is_some() && request.method() == Method::OPTIONS {
            let mut response = StatusCode::NO_CONTENT.into_response();
            add_cors(response.headers_mut(), cross.as_deref(), true);
            return Box::pin(async move { Ok(response) });
        }
        if let Some(peer) = self.peer {
            request.extensions_mut().insert(peer);
        }
        let head = request.method() == Method::HEAD;
        if head {
            *request.method_mut() = Method::GET;
        }
        let path = request.uri().path().to_owned();
        let answer = self.routes.call(request);
        Box::pin(async move {
            let mut response = match answer.await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            if response.status() == StatusCode::METHOD_NOT_ALLOWED
                && let Some(allowed) = super::routes::allowed_methods(&path)
            {
                response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allowed));
            }
            add_cors(response.headers_mut(), cross.as_deref(), false);
            if response.status() == StatusCode::TOO_MANY_REQUESTS {
                response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            if head {
                // The GET's status and headers, without its body (a stream ends here).
                let (parts, _) = response.into_parts();
                let (_, empty) = StatusCode::OK.into_response().into_parts();
                response = Response::from_parts(parts, empty);
            }
            Ok(response)
        })
    }
}

impl<S> Edge<S> {
    /// `Ok(None)`: no Origin or the server's own; `Ok(Some(origin))`: the allowed
    /// other origin; `Err`: a 403 for any other.
    fn origin_check(&self, headers: &HeaderMap) -> Result<Option<String>, ApiError> {
        let Some(origin) = headers.get(header::ORIGIN) else { return Ok(None) };
        let origin = origin.to_str().unwrap_or("(not text)");
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        if host.is_some_and(|host| same_origin(origin, host)) {
            return Ok(None);
        }
        match &self.allow_origin {
            Some(allowed) if allowed.as_ref() == origin.trim_end_matches('/') => {
                Ok(Some(allowed.to_string()))
            }
            _ => Err(ApiError::OriginNotAllowed(origin.to_string())),
        }
    }
}

/// Whether `origin` (scheme://host[:port]) names the host the request was sent to.
fn same_origin(origin: &str, host: &str) -> bool {
    let rest = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://"));
    rest.is_some_and(|rest| rest.trim_end_matches('/').eq_ignore_ascii_case(host))
}

fn add_cors(headers: &mut HeaderMap, origin: Option<&str>, preflight: bool) {
    let Some(origin) = origin.and_then(|o| HeaderValue::from_str(o).ok()) else { return };
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if preflight {
        headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(CORS_METHODS));
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(CORS_HEADERS));
        headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_origin_compares_scheme_less_host_and_port() {
        assert!(same_origin("http://127.0.0.1:8080", "127.0.0.1:8080"));
        assert!(same_origin("http://Kiln.local:8080/", "kiln.local:8080"));
        assert!(!same_origin("http://127.0.0.1:8081", "127.0.0.1:8080"));
        assert!(!same_origin("null", "127.0.0.1:8080"));
    }
}
