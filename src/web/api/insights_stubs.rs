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
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::insights::stub::StubRequest;
use crate::web::auth::{AuthMethod, Identity};
use crate::web::insights::InsightsViewer;
use crate::web::insights::stubs::{CreateError, create};
use crate::web::{AppError, AppState};

/// The body as sent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = StubRequest)]
struct StubBody {
    /// The searches the page should answer (they become its `aliases:`): 1 to 20, each of
    /// at most 200 characters with some letter or digit.
    #[schema(min_items = 1, max_items = 20, inline, value_type = Vec<String>)]
    queries: Vec<String>,
    /// The page's title (up to 120 characters); the first query when left out.
    #[serde(default)]
    #[schema(max_length = 120)]
    title: Option<String>,
    /// The `owner:` of the page: one the caller answers for, up to 64 letters, digits,
    /// spaces, `-`, `_`, `.` or `@`.
    #[schema(min_length = 1, max_length = 64)]
    owner: String,
}

/// A stub written into the content folder.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = StubCreated)]
struct StubCreated {
    id: String,
    /// Relative to the content folder.
    path: String,
    url: String,
    /// Whether the server watches the folder, so the page is served at once.
    live: bool,
}

/// A stub the content folder could not take: the file to bring in by a merge request.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = StubConflict)]
struct StubConflict {
    error: String,
    /// Where the file goes, relative to the content folder (absent when the file or id exists).
    path: Option<String>,
    /// The stub's Markdown (absent when the file or id exists).
    markdown: Option<String>,
}

/// Writes a Markdown stub for a search gap into the content folder.
#[utoipa::path(
    post,
    path = "/api/v1/insights/stubs",
    tag = "insights",
    request_body(content = StubBody, content_type = "application/json"),
    security(("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::OWNER))),
    responses(
        (status = 201, description = "The stub is written.", body = StubCreated, headers(("Location" = String, description = "The new page's address."))),
        (status = 400, description = "The body is not such JSON, or a query, title or owner is not usable.", body = super::schemas::ErrorBody),
        (status = 403, description = "The account answers for no pages (or not for these).", body = super::schemas::ErrorBody),
        (status = 409, description = "The file or the id exists, or the content folder cannot be written here (then with the Markdown to bring in by a merge request).", body = StubConflict),
        (status = 413, description = "The body is larger than this address accepts.", body = super::schemas::ErrorBody),
    )
)]
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
            .json(StubCreated {
                id: stub.id.as_str().to_owned(),
                path: stub.rel_path,
                url: stub.url,
                live: state.watch,
            }),
        Err(CreateError::Refused(err)) => return Err(err),
        Err(CreateError::Exists { message, .. }) => return Err(AppError::Conflict(message)),
        Err(CreateError::NotWritable { stub, reason }) => {
            HttpResponse::Conflict().json(StubConflict {
                error: format!(
                    "The content folder cannot be written here ({reason}); add the file at {} through a merge request, with the Markdown given here.",
                    stub.rel_path
                ),
                path: Some(stub.rel_path),
                markdown: Some(stub.markdown),
            })
        }
    };
    let mut answer = answer;
    answer.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-store"),
    );
    Ok(answer)
}
