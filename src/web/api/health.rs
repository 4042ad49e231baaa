//! `GET /healthz` (and `HEAD`): whether the content is loaded and the database takes writes.

use actix_web::{HttpResponse, web};

use crate::web::AppState;

/// 200 `ok` once the content is loaded (the server accepts no connection before it is) and
/// the database answers and takes writes; 503 with a sentence when it does not (a full disk
/// used to leave this at `ok` while every write failed). Plain text either way: monitors and
/// load balancers read it, not people.
#[utoipa::path(
    method(get, head),
    path = "/healthz",
    tag = "health",
    security(()),
    extensions(("x-access" = json!(super::openapi::ANYONE))),
    responses(
        (status = 200, description = "Content is loaded and the database takes writes: `ok`.", body = String, content_type = "text/plain"),
        (status = 503, description = "The database does not answer or cannot be written: a sentence.", body = String, content_type = "text/plain", headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
pub(super) async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    use crate::store::StoreError;
    let store = state.store.clone();
    let sentence = match web::block(move || store.check_writable()).await {
        Ok(Ok(())) => {
            return HttpResponse::Ok()
                .content_type("text/plain; charset=utf-8")
                .body("ok");
        }
        Ok(Err(error)) => {
            let cause = std::error::Error::source(&error).map(ToString::to_string);
            tracing::error!(%error, ?cause, "health check failed");
            match error {
                StoreError::DiskFull(_) => {
                    "The server's disk is full, so nothing can be saved; free space on it or tell the platform team."
                }
                StoreError::DiskFailed(_) => {
                    "The server cannot write its database because of a disk error; see the server log."
                }
                _ => "The database does not answer; see the server log.",
            }
        }
        Err(error) => {
            tracing::error!(%error, "health check could not run");
            "The health check could not run; see the server log."
        }
    };
    HttpResponse::ServiceUnavailable()
        .insert_header((actix_web::http::header::RETRY_AFTER, "60"))
        .content_type("text/plain; charset=utf-8")
        .body(sentence)
}
