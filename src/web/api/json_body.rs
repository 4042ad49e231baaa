//! The one check of a JSON body's `Content-Type`. A cross-site HTML form can send only form
//! encodings or text/plain, so requiring JSON also keeps cookie-authenticated posts safe from
//! such forms.

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::web::AppError;

/// Whether the request says its body is JSON (`application/json`, any parameters).
pub(super) fn is_json(req: &HttpRequest) -> bool {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// Refuses a body that does not say it is JSON; `what` names it in the sentence ("the vote").
pub(super) fn require_json(req: &HttpRequest, what: &str) -> Result<(), AppError> {
    if is_json(req) {
        Ok(())
    } else {
        Err(AppError::BadRequest(format!(
            "Send {what} as JSON with the header Content-Type: application/json."
        )))
    }
}
