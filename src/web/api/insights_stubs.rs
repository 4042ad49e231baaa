//! `POST /api/v1/insights/stubs {"queries": [...], "title", "owner"}`: writes the missing
//! page from a search gap as a Markdown stub (the work is [`crate::web::insights::stubs`]).
//!
//! Answers: 201 `{"id", "path", "url", "live"}` (`path` relative to the content folder;
//! `live` says the server watches the folder, so the page is served at once); 400 with a
//! sentence for bad input; 401/403 as every insight; 409 `{"error"}` when the file or the id
//! exists; and 409 `{"error", "path", "markdown"}` when the content folder cannot be written
//! here (read-only, not the server's): the file to bring in by a merge request instead. A 409
//! rather than a 503: retrying will not help, the content folder's state is the conflict.

use super::json_body::require_json;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::insights::stub::StubRequest;
use crate::web::auth::{AuthMethod, Identity};
use crate::web::insights::InsightsViewer;
use crate::web::insights::stubs::{CreateError, create};
use crate::web::{AppError, AppState};

/// The body as sent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StubBody {
    queries: Vec<String>,
    #[serde(default)]
    title: Option<String>,
    owner: String,
}

/// `POST /api/v1/insights/stubs`.
pub(super) async fn create_stub(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: InsightsViewer,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    // A cookie-authenticated post must be JSON (see `json_body`).
    let by_session = Identity::of(&req).is_some_and(|i| i.method == AuthMethod::Session);
    if by_session {
        require_json(&req, "the stub")?;
    }
    let parsed: StubBody = serde_json::from_slice(&body).map_err(|e| {
        AppError::BadRequest(format!(
            "The body is not valid: {e}. Send {{\"queries\": [\"vpn timeout\"], \"title\": \"VPN timeouts\", \"owner\": \"team-platform\"}}."
        ))
    })?;
    let request = StubRequest {
        queries: parsed.queries,
        title: parsed.title,
        owner: parsed.owner,
    };
    let answer = match create(&state, &viewer, request).await {
        Ok(stub) => HttpResponse::Created()
            .insert_header((header::LOCATION, stub.url.clone()))
            .json(json!({
                "id": stub.id.as_str(),
                "path": stub.rel_path,
                "url": stub.url,
                "live": state.watch,
            })),
        Err(CreateError::Refused(err)) => return Err(err),
        Err(CreateError::Exists { message, .. }) => return Err(AppError::Conflict(message)),
        Err(CreateError::NotWritable { stub, reason }) => {
            HttpResponse::Conflict().json(json!({
                "error": format!(
                    "The content folder cannot be written here ({reason}); add the file at {} through a merge request, with the Markdown given here.",
                    stub.rel_path
                ),
                "path": stub.rel_path,
                "markdown": stub.markdown,
            }))
        }
    };
    let mut answer = answer;
    answer.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-store"),
    );
    Ok(answer)
}
