//! `GET /api/v1/insights/digest?owner=X[&week=YYYY-Www]`: one owner's weekly digest as JSON,
//! for a chat bot or a mail job to poll with an API token (an admin's, or one of an account
//! that answers for the owner). The page is `/insights/digest` ([`crate::web::insights`]).
//!
//! ```json
//! {"owner": "team-platform", "week": "2026-W49", "from": "2026-11-30", "to": "2026-12-06",
//!  "gaps": {"searches": [{"query": "vpn token", "queries": ["vpn token", "vpn tokens"], "count": 4}],
//!           "stubs": [{"id", "title", "url"}]},
//!  "unhelpful": [{"id", "title", "url", "helpful": 1, "not_helpful": 3, "helpful_rate": 0.25}],
//!  "overdue_reviews": [{"id", "title", "url", "reviewed": "2026-01-05", "due": "2026-07-04"}]}
//! ```
//!
//! `gaps.searches` are the week's searches that found nothing, site-wide, most searched first
//! (at most 10); `gaps.stubs` the owner's pages still marked `status: stub`; `unhelpful` the
//! owner's pages with a "No" vote that week, most "No" first (at most 10); `overdue_reviews`
//! the owner's pages whose review fell due before the week's end (or today), longest overdue
//! first. Without `week` the last whole week; without `owner` the first the caller answers for.
//! 400 for a malformed week, 403 for an owner the caller does not answer for, 404 for an owner
//! no page names.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::web::insights::InsightsViewer;
use crate::web::insights::digest::requested_digest;
use crate::web::{AppError, AppState};

/// One owner's weekly digest.
#[utoipa::path(
    get,
    path = "/api/v1/insights/digest",
    tag = "insights",
    params(
        ("owner" = Option<String>, Query, description = "An `owner:` value; the first the caller answers for when left out."),
        ("week" = Option<String>, Query, pattern = r"^((19[7-9][0-9]|[2-9][0-9]{3})-W(0[1-9]|[1-4][0-9]|5[0-3]))?$", description = "An ISO week from 1970 on, `YYYY-Www` (such as `2026-W49`; `W53` only in years that have one); the last whole week when empty or left out."),
    ),
    security(("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::OWNER))),
    responses(
        (status = 200, description = "The digest.", body = super::schemas::Digest),
        (status = 400, description = "`week` is not an ISO week such as `2026-W49`.", body = super::schemas::ErrorBody),
        (status = 403, description = "The caller does not answer for this owner (or for any).", body = super::schemas::ErrorBody),
        (status = 404, description = "No page names this owner.", body = super::schemas::ErrorBody),
    )
)]
pub(super) async fn digest(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: InsightsViewer,
) -> Result<HttpResponse, AppError> {
    let digest = requested_digest(&req, &state, &viewer).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(digest))
}
