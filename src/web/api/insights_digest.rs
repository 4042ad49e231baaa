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

/// `GET /api/v1/insights/digest`.
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
