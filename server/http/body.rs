//! The request body reader: at most [`BODY_LIMIT`] bytes, within [`BODY_TIME_LIMIT`],
//! and an oversized body drained before its 413 so the client reads the answer.

use std::time::Duration;

use warp::hyper::body::Bytes;

use super::error::ApiError;

/// Largest request body (a TSPLIB text of a few thousand cities fits).
pub const BODY_LIMIT: u64 = 1024 * 1024;
/// A body over [`BODY_LIMIT`] but under this is read to its end and dropped before
/// the 413 is sent, so a client still writing it reads the answer instead of a
/// broken pipe; a larger one is refused at once and its connection closed.
pub const DRAIN_LIMIT: u64 = 16 * BODY_LIMIT;
/// Longest a request body may take to arrive (and an oversized one to be drained).
pub const BODY_TIME_LIMIT: Duration = Duration::from_secs(10);
/// Read a request body of at most [`BODY_LIMIT`] bytes.
///
/// warp's `content_length_limit` rejects on the header alone, and hyper then closes
/// the connection while the client is still sending: the client sees a broken pipe
/// or a reset, never the 413 (a browser uploading a too-large TSPLIB file shows a
/// network error). So an oversized body is read to its end and thrown away, bounded
/// by [`DRAIN_LIMIT`] bytes and [`BODY_TIME_LIMIT`], before the 413 goes out.
pub async fn read_body<B: bytes::Buf>(
    declared: Option<u64>,
    body: impl futures_util::Stream<Item = Result<B, warp::Error>>,
) -> Result<Bytes, ApiError> {
    use futures_util::StreamExt;
    let too_large = || ApiError::PayloadTooLarge { limit: BODY_LIMIT };
    if declared.is_some_and(|n| n > DRAIN_LIMIT) {
        return Err(too_large());
    }
    let deadline = tokio::time::Instant::now() + BODY_TIME_LIMIT;
    let mut body = std::pin::pin!(body);
    let mut kept = bytes::BytesMut::new();
    let mut seen: u64 = 0;
    loop {
        let chunk = match tokio::time::timeout_at(deadline, body.next()).await {
            Ok(Some(Ok(chunk))) => chunk,
            Ok(None) => break,
            Ok(Some(Err(e))) => {
                return Err(ApiError::BadRequest {
                    code: "invalid_body",
                    message: format!("the request body could not be read: {e}"),
                    field: None,
                });
            }
            Err(_) if seen > BODY_LIMIT => return Err(too_large()),
            Err(_) => return Err(ApiError::BodyTimeout { seconds: BODY_TIME_LIMIT.as_secs() }),
        };
        seen += chunk.remaining() as u64;
        if seen <= BODY_LIMIT {
            bytes::BufMut::put(&mut kept, chunk);
        } else if seen > DRAIN_LIMIT {
            return Err(too_large());
        }
    }
    if seen > BODY_LIMIT { Err(too_large()) } else { Ok(kept.freeze()) }
}
