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

use crate::insights::pages::{DayFigures, PageFigures};
use crate::web::feedback::{new_vote, record_vote, take_vote_slot, votable};
use crate::web::insights::pages::gather;
use crate::web::insights::{InsightsViewer, period_and_params};
use crate::web::{AppError, AppState};

/// What a vote carries.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VoteBody {
    helpful: bool,
    #[serde(default)]
    comment: Option<String>,
}

/// `POST /api/v1/docs/{id}/feedback` with `{"helpful": true|false, "comment": "…"}`
/// (the comment optional, at most 2,000 characters) → 201 `{"id"}`. Anonymous votes are
/// taken unless the site requires sign-in; 404 for a page that takes no votes, 400 for a
/// body that is not such JSON, 429 past the per-address limit.
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
    Ok(HttpResponse::Created().json(serde_json::json!({ "id": id.0 })))
}

/// The JSON of `/insights/pages`.
#[derive(Debug, Serialize)]
struct PagesJson {
    days: u32,
    pages: Vec<PageFigures>,
    by_owner: Vec<OwnerJson>,
    trend: Vec<DayFigures>,
}

#[derive(Debug, Serialize)]
struct OwnerJson {
    owner: Option<String>,
    worst: Vec<String>,
    overdue_reviews: Vec<OverdueJson>,
}

#[derive(Debug, Serialize)]
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
