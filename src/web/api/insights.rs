//! `GET /api/v1/insights/search-feedback`: the admin's click feedback as JSON (the page is
//! `/admin/search-feedback`, in [`crate::web::search`]).

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::web::auth::RequireAdmin;
use crate::web::search::feedback::rows;
use crate::web::{AppError, AppState};

#[derive(Serialize, ToSchema)]
#[schema(as = SearchFeedback)]
struct ApiFeedback {
    enabled: bool,
    half_life_days: f64,
    min_searches: f64,
    queries: Vec<ApiQuery>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = SearchFeedbackQuery)]
struct ApiQuery {
    query: String,
    searches: f64,
    lifting: bool,
    pages: Vec<ApiPage>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = SearchFeedbackPage)]
struct ApiPage {
    id: String,
    title: Option<String>,
    weight: f64,
    share: f64,
    lift: f64,
}

/// Queries whose searchers' choices lift pages.
///
/// `GET /api/v1/insights/search-feedback`: `{"enabled", "half_life_days", "min_searches",
/// "queries": [{"query", "searches", "lifting", "pages": [{"id", "title", "weight",
/// "share", "lift"}]}]}`.
#[utoipa::path(
    get,
    path = "/api/v1/insights/search-feedback",
    tag = "insights",
    security(("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::ADMIN))),
    responses(
        (status = 200, description = "The click feedback and its rule.", body = ApiFeedback),
        (status = 403, description = "Only admins see this.", body = super::schemas::ErrorBody),
    )
)]
pub(super) async fn search_feedback(
    state: web::Data<AppState>,
    _admin: RequireAdmin,
) -> Result<HttpResponse, AppError> {
    let (rule, rows) = rows(&state).await?;
    let queries = rows
        .into_iter()
        .map(|r| ApiQuery {
            query: r.query,
            searches: r.searches,
            lifting: r.lifting,
            pages: r
                .pages
                .into_iter()
                .map(|p| ApiPage {
                    id: p.id,
                    title: p.doc.map(|(title, _)| title),
                    weight: p.weight,
                    share: p.share,
                    lift: p.lift,
                })
                .collect(),
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(ApiFeedback {
            enabled: rule.enabled,
            half_life_days: rule.half_life_days,
            min_searches: rule.min_searches,
            queries,
        }))
}
