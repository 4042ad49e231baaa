//! The access log: one `info` event per request on the target `selfserve::access` with the
//! method, the path, the status, the duration in milliseconds and the body's size in bytes.
//! The query string is left out on purpose: it carries search terms and other input people
//! typed, which the search insights keep under their own rules, not in a log file.
//! Turned off with `RUST_LOG=info,selfserve::access=off`.

use std::time::Instant;

use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

/// The access log's target, for `RUST_LOG` filters.
pub const TARGET: &str = "selfserve::access";

/// Logs the request once the response is ready. Borrows everything it logs: the only
/// allocation is the log line the subscriber writes (none when the target is filtered out).
pub async fn access_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if !tracing::enabled!(target: TARGET, tracing::Level::INFO) {
        return next.call(req).await;
    }
    let started = Instant::now();
    // Kept before the call: `head_as_get` turns a HEAD into a GET inside.
    let method = req.method().clone();
    let answered = next.call(req).await;
    let ms = started.elapsed().as_micros() as f64 / 1000.0;
    match &answered {
        Ok(res) => {
            let path = res.request().path();
            let status = res.status().as_u16();
            match res.response().body().size() {
                BodySize::Sized(bytes) => {
                    tracing::info!(target: TARGET, %method, path, status, ms, bytes, "request")
                }
                // A streamed body's size is not known when the response starts.
                BodySize::Stream | BodySize::None => {
                    tracing::info!(target: TARGET, %method, path, status, ms, "request")
                }
            }
        }
        Err(error) => {
            let status = error.as_response_error().status_code().as_u16();
            tracing::info!(target: TARGET, %method, status, ms, "request");
        }
    }
    answered
}
