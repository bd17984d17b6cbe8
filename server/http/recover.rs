//! Warp's rejections (unknown route, wrong method, body too large, no length) as
//! [`ApiError`]s, so a client never sees warp's plain-text errors.

use std::convert::Infallible;

use warp::reply::Response;
use warp::{Rejection, Reply};

use super::body::BODY_LIMIT;
use super::error::ApiError;

/// Turn warp's rejections into JSON errors.
pub async fn recover(rejection: Rejection) -> Result<Response, Infallible> {
    let error = if rejection.is_not_found() {
        ApiError::NotFound("for this path".into())
    } else if rejection.find::<warp::reject::PayloadTooLarge>().is_some() {
        ApiError::PayloadTooLarge { limit: BODY_LIMIT }
    } else if rejection.find::<warp::reject::LengthRequired>().is_some() {
        ApiError::BadRequest {
            code: "length_required",
            message: "send the body with a Content-Length header".into(),
            field: None,
        }
    } else if rejection.find::<warp::reject::MethodNotAllowed>().is_some() {
        ApiError::MethodNotAllowed
    } else if let Some(e) = rejection.find::<warp::reject::InvalidQuery>() {
        ApiError::BadRequest { code: "invalid_query", message: e.to_string(), field: None }
    } else if let Some(e) = rejection.find::<warp::reject::InvalidHeader>() {
        ApiError::BadRequest { code: "invalid_header", message: e.to_string(), field: None }
    } else {
        ApiError::Internal(format!("{rejection:?}"))
    };
    Ok(error.into_response())
}
