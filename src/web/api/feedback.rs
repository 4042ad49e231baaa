//! "Was this helpful?" as JSON (issue 16): `POST /api/v1/docs/{id}/feedback` records a vote,
//! `GET /api/v1/insights/pages?days=N` gives the figures `/insights/pages` shows.
//!
//! The vote's body is read as bytes and parsed here, so each mistake gets its own sentence,
//! and it must say it is JSON: an HTML form on another site cannot send that without a CORS
//! preflight, which this server never grants.

use super::json_body::require_json;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::insights::pages::{DayFigures, PageFigures};
use crate::web::feedback::{new_vote, record_vote, take_vote_slot, votable};
use crate::web::insights::pages::gather;
use crate::web::insights::{InsightsViewer, period_and_params};
use crate::web::{AppError, AppState};

/// What a vote carries.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Vote)]
struct VoteBody {
    /// Whether the page helped.
    helpful: bool,
    /// What was missing or wrong: at most 2,000 characters, never shown with who wrote it.
    #[serde(default)]
    comment: Option<String>,
}

/// The recorded vote.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = VoteRecorded)]
struct VoteRecorded {
    id: i64,
}

/// "Was this helpful?": records a vote on a page.
///
/// `POST /api/v1/docs/{id}/feedback` with `{"helpful": true|false, "comment": "…"}`
/// (the comment optional, at most 2,000 characters) → 201 `{"id"}`. Anonymous votes are
/// taken unless the site requires sign-in; 404 for a page that takes no votes, 400 for a
/// body that is not such JSON, 429 past the per-address limit.
#[utoipa::path(
    post,
    path = "/api/v1/docs/{id}/feedback",
    tag = "records",
    params(("id" = String, Path, description = "The document id; a `/` in it is part of the path.")),
    request_body(content = VoteBody, content_type = "application/json"),
    security((), ("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::ANYONE))),
    responses(
        (status = 201, description = "The vote is recorded.", body = VoteRecorded),
        (status = 400, description = "The body is not such JSON, or not sent as `application/json`.", body = super::schemas::ErrorBody),
        (status = 404, description = "No page with this id takes votes.", body = super::schemas::ErrorBody),
        (status = 413, description = "The body is larger than this address accepts.", body = super::schemas::ErrorBody),
        (status = 429, description = "Too many votes from this address; wait a minute.", body = super::schemas::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 503, description = "The server's disk is full or failing, so nothing can be saved.", body = super::schemas::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
pub(super) async fn post_vote(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let doc = votable(&snapshot.site, &id)?;
    require_json(&req, "the vote")?;
    let vote: VoteBody = serde_json::from_slice(&body).map_err(|e| {
        let shape = r#"{"helpful": true or false, "comment": "…"}"#;
        AppError::BadRequest(if e.is_syntax() || e.is_eof() {
            format!("The body is not valid JSON ({e}); send {shape}.")
        } else {
            format!("The body is not a vote ({e}); send {shape}.")
        })
    })?;
    let vote = new_vote(doc, vote.helpful, vote.comment.as_deref())?;
    take_vote_slot(&req, &state).await?;
    let id = record_vote(&state, vote).await?;
    Ok(HttpResponse::Created().json(VoteRecorded { id: id.0 }))
}

/// The JSON of `/insights/pages`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PagesInsights)]
struct PagesJson {
    days: u32,
    #[schema(value_type = Vec<super::schemas::PageFigures>)]
    pages: Vec<PageFigures>,
    by_owner: Vec<OwnerJson>,
    #[schema(value_type = Vec<super::schemas::DayFigures>)]
    trend: Vec<DayFigures>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = OwnerPages)]
struct OwnerJson {
    owner: Option<String>,
    worst: Vec<String>,
    overdue_reviews: Vec<OverdueJson>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = OverdueReview)]
struct OverdueJson {
    id: String,
    title: String,
    reviewed: String,
    due: String,
}

/// `GET /api/v1/insights/pages?days=N` (default 28): the votes on the pages the viewer
/// answers for (admins: every page), never who voted —
/// `{"days", "pages": [{"id", "title", "url", "owner", "votes", "helpful", "helpful_rate",
/// "comments", "last_at"}], "by_owner": [{"owner", "worst": [id, …], "overdue_reviews":
/// [{"id", "title", "reviewed", "due"}]}], "trend": [{"day", "votes", "helpful"}]}`.
/// `pages` lists pages with votes, most votes first; `helpful_rate` is 0–1; `worst` holds
/// up to ten pages with at least three votes, lowest rate first; `owner` is `null` for pages
/// that name none; `trend` has every day of the period, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/insights/pages",
    tag = "insights",
    params(("days" = Option<u32>, Query, minimum = 1, maximum = 366, description = "The period: the last N days with today (1 to 366)."),),
    security(("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::OWNER))),
    responses(
        (status = 200, description = "The votes on the caller's pages.", body = PagesJson),
        (status = 400, description = "`days` is not a whole number from 1 to 366.", body = super::schemas::ErrorBody),
        (status = 403, description = "The account answers for no pages (or not for these).", body = super::schemas::ErrorBody),
    )
)]
pub(super) async fn insights_pages(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: InsightsViewer,
) -> Result<HttpResponse, AppError> {
    let (period, _) = period_and_params(&req)?;
    let report = gather(&state, &viewer, period).await?;
    let date = crate::render::format_date;
    let body = PagesJson {
        days: report.period.days(),
        pages: report.pages,
        by_owner: report
            .by_owner
            .into_iter()
            .map(|o| OwnerJson {
                owner: o.owner,
                worst: o.worst.into_iter().map(|p| p.id).collect(),
                overdue_reviews: o
                    .overdue
                    .into_iter()
                    .map(|p| OverdueJson {
                        id: p.page.id,
                        title: p.page.title,
                        reviewed: date(p.reviewed),
                        due: date(p.due),
                    })
                    .collect(),
            })
            .collect(),
        trend: report.trend,
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(body))
}
