//! One error type for every handler, and the middleware that shows errors to people.
//!
//! Handlers return [`AppError`]; its `Display` is the one public sentence, details go to the log.
//! [`error_pages`] wraps the whole app and rewrites every 4xx/5xx response, whatever produced it
//! (a handler, an extractor, the router): under `/api/` into `{"error": "sentence"}`, elsewhere
//! into a full HTML page with the site's layout (a 404 page offers to search for the address's
//! words). Other helpers add variants here rather than new error types.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use super::AppState;
use super::context::page_context;
use crate::render;

/// Why a request failed. Each variant's message is safe to show; internal details are logged.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Unknown id, tag, file or address (404). The sentence names what was looked for.
    #[error("{0}")]
    NotFound(String),
    /// Malformed input (400). The sentence says what to change.
    #[error("{0}")]
    BadRequest(String),
    /// Not signed in (401).
    #[error("sign in to do this")]
    Unauthorized,
    /// An `Authorization: Bearer` token that authenticates nobody (401).
    #[error("the API token is unknown, revoked, or its account is disabled")]
    InvalidToken,
    /// Signed in but not allowed (403). The sentence says why.
    #[error("{0}")]
    Forbidden(String),
    /// The request conflicts with the current state (409).
    #[error("{0}")]
    Conflict(String),
    /// The request body is over a limit (413).
    #[error("The request body is larger than this address accepts; send a smaller one.")]
    TooLarge,
    /// Rate limited (429).
    #[error("Too many requests from this address; wait a minute and try again.")]
    TooManyRequests,
    /// Not yet: a learner must wait before trying a quiz again (429, with `Retry-After` set to
    /// the seconds left). The sentence says how long and why.
    #[error("{0}")]
    WaitBeforeRetry(String, u64),
    /// Not available yet, such as search while its index is still being built (503, with
    /// `Retry-After`). The sentence says what to wait for.
    #[error("{0}")]
    Unavailable(String),
    /// The database cannot be written: the disk is full or failing (503, with a longer
    /// `Retry-After`). `/healthz` says so too until a write works again.
    #[error("{0}")]
    Unwritable(String),
    /// A failure on the server's side (500). The detail is logged, never sent.
    #[error("something went wrong on our side; the details are in the server log")]
    Internal(String),
}

impl AppError {
    /// A 404 for a document id.
    pub fn unknown_document(id: &str) -> Self {
        AppError::NotFound(format!("There is no document with the id “{id}”."))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized | AppError::InvalidToken => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests | AppError::WaitBeforeRetry(..) => {
                StatusCode::TOO_MANY_REQUESTS
            }
            AppError::Unavailable(_) | AppError::Unwritable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The JSON form; [`error_pages`] turns it into a page outside `/api/`.
    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(detail) = self {
            tracing::error!(%detail, "request failed");
        }
        let mut response = json_error(self.status_code(), &self.to_string());
        let retry_after = match self {
            AppError::Unavailable(_) => Some("2"),
            // Space comes back when someone frees it, not within seconds.
            AppError::Unwritable(_) => Some("60"),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from_static(seconds),
            );
        }
        if let AppError::WaitBeforeRetry(_, seconds) = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*seconds));
        }
        response
    }
}

impl From<crate::store::StoreError> for AppError {
    /// The caller's mistakes keep their sentence; a full or failing disk is a 503 that says
    /// so; other database faults become a logged 500.
    fn from(err: crate::store::StoreError) -> Self {
        use crate::store::StoreError;
        match err {
            StoreError::NotFound(m) => AppError::NotFound(m),
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Invalid(m) => AppError::BadRequest(m),
            unwritable if unwritable.is_unwritable() => {
                let cause = std::error::Error::source(&unwritable)
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                tracing::error!(%cause, "a write failed: {unwritable}");
                AppError::Unwritable(sentence(&unwritable.to_string()))
            }
            other => {
                let cause = std::error::Error::source(&other)
                    .map(|s| format!(": {s}"))
                    .unwrap_or_default();
                AppError::Internal(format!("{other}{cause}"))
            }
        }
    }
}

/// Runs blocking store work on actix's thread pool (SQLite blocks the calling thread, so
/// never on an async worker) and maps its errors.
pub async fn blocking<T, F>(work: F) -> Result<T, AppError>
where
    F: FnOnce() -> Result<T, crate::store::StoreError> + Send + 'static,
    T: Send + 'static,
{
    web::block(work)
        .await
        .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))?
        .map_err(AppError::from)
}

/// A store message as a sentence: capitalised, with a full stop.
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

fn json_error(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(serde_json::json!({ "error": message }))
}

/// Middleware: every error response becomes JSON under `/api/` and an HTML page elsewhere,
/// keeping the status and headers (such as `Retry-After`) that produced it.
pub async fn error_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // Handler and extractor errors arrive inside the response; an `Err` only comes from an
    // inner middleware, and actix answers it with `error_response` (JSON for an AppError).
    // (The request cannot be cloned up front: routing needs it uniquely owned.)
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(res);
    }
    let (request, response) = res.into_parts();
    let app_error = response.error().and_then(|e| e.as_error::<AppError>());
    if let Some(AppError::Unwritable(_)) = app_error
        && let Some(state) = request.app_data::<web::Data<AppState>>()
    {
        // `/healthz` answers 503 until a write works again.
        state.store.note_unwritable();
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let is_api = request.path().starts_with("/api/");
    // Under /api/ (and at /healthz), a method the path does not take is a 405 naming those it
    // takes, as the OpenAPI document lists them, whatever answered it: `route(…, web::get())`
    // makes the method part of the match, so the router (or a catch-all) says 404.
    let allow = ((is_api || request.path() == "/healthz")
        && matches!(
            status,
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
        ))
    .then(|| super::api::allowed_methods(request.path()))
    .flatten()
    .filter(|allow| !allow.split(", ").any(|m| m == request.method().as_str()));
    if let Some(allow) = allow {
        let status = StatusCode::METHOD_NOT_ALLOWED;
        let message = public_message(&request, status, None);
        let mut fresh = if is_api {
            json_error(status, &message)
        } else {
            html_error(&request, status, &message)
        };
        if let Ok(value) = HeaderValue::from_str(&allow) {
            fresh.headers_mut().insert(header::ALLOW, value);
        }
        return Ok(ServiceResponse::new(request, fresh));
    }
    // Already in the right form: a handler's AppError or JSON under /api/, a page a handler
    // built, or plain text a handler wrote on purpose (`/healthz` answers monitors so).
    let built_as_text = response.error().is_none() && content_type.starts_with("text/plain");
    // An error a JSON handler built with more than a sentence (a stub's Markdown to copy).
    let built_as_json =
        is_api && response.error().is_none() && content_type.starts_with("application/json");
    if (is_api && app_error.is_some())
        || built_as_json
        || (!is_api && content_type.starts_with("text/html"))
        || built_as_text
    {
        return Ok(ServiceResponse::new(request, response));
    }
    let message = match app_error {
        Some(err) => err.to_string(),
        None => public_message(&request, status, response.error()),
    };
    let mut fresh = if is_api {
        json_error(status, &message)
    } else {
        html_error(&request, status, &message)
    };
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            fresh.headers_mut().append(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(request, fresh))
}

/// A sentence for errors that are not [`AppError`]s (extractors, the router, other middleware).
fn public_message(
    req: &HttpRequest,
    status: StatusCode,
    error: Option<&actix_web::Error>,
) -> String {
    if status.is_server_error() {
        if let Some(err) = error {
            tracing::error!(error = %err, path = req.path(), "request failed");
        }
        return AppError::Internal(String::new()).to_string();
    }
    match status {
        StatusCode::NOT_FOUND => "There is no page at this address.".to_owned(),
        StatusCode::METHOD_NOT_ALLOWED => {
            format!("This address does not accept {} requests.", req.method())
        }
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge.to_string(),
        // Extractor errors (bad JSON, a bad query string) say what was wrong with the input.
        _ => match error {
            Some(err) => format!("The request is not valid: {err}"),
            None => "The request is not valid.".to_owned(),
        },
    }
}

/// The HTML error page in the site's layout, or a bare page when no state is reachable.
fn html_error(req: &HttpRequest, status: StatusCode, message: &str) -> HttpResponse {
    let query = if status == StatusCode::NOT_FOUND {
        render::errors::words_of_path(req.path())
    } else {
        String::new()
    };
    let body = match req.app_data::<web::Data<AppState>>() {
        Some(state) => {
            let snapshot = state.snapshot.load_full();
            let ctx = page_context(req, &snapshot.site, req.path());
            render::errors::page(&ctx, status.as_u16(), message, &query).into_string()
        }
        None => format!(
            "<!DOCTYPE html><title>{}</title><p>{}</p>",
            status.as_u16(),
            maud::html! { (message) }.into_string()
        ),
    };
    let mut response = HttpResponse::build(status).body(body);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}
