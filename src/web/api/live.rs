//! `GET /api/v1/live`: the poll of pages open while live reload is on.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::web::{AppError, AppState};

/// Query of the poll endpoint.
#[derive(Debug, Deserialize)]
pub struct PollQuery {
    /// The generation the page was rendered at (signed, so that a number past what the
    /// document allows is refused, not taken).
    since: i64,
    /// The page's URL path.
    #[serde(default)]
    page: String,
}

/// Answer of the poll endpoint.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = LivePoll)]
struct PollAnswer {
    /// The content generation now.
    generation: u64,
    /// Whether the page changed since `since` (always false without `--watch`).
    reload: bool,
}

/// `GET /api/v1/live?since=N&page=/docs/x`: whether that page should reload.
#[utoipa::path(
    get,
    path = "/api/v1/live",
    tag = "content",
    params(
        ("since" = u64, Query, description = "The content generation the page was rendered at."),
        ("page" = Option<String>, Query, description = "The page's URL path, such as `/docs/guides/x`."),
    ),
    security((), ("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::ANYONE))),
    responses(
        (status = 200, description = "Whether the page should reload.", body = PollAnswer),
        (status = 400, description = "`since` is missing, negative or not a whole number.", body = super::schemas::ErrorBody),
    )
)]
pub(super) async fn poll(
    state: web::Data<AppState>,
    query: web::Query<PollQuery>,
) -> Result<HttpResponse, AppError> {
    let since = u64::try_from(query.since).map_err(|_| {
        AppError::BadRequest("`since` must be a content generation: 0 or more.".into())
    })?;
    let generation = state.snapshot.load().site.generation;
    let reload = match &state.live {
        Some(live) => generation > since && live.page_changed(&query.page, since),
        None => false,
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(PollAnswer { generation, reload }))
}
