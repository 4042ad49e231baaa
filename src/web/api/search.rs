//! `GET /api/v1/search`: the search as JSON (the results page is [`crate::web::search`]).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use uuid::Uuid;

use crate::search::SearchResults;
use crate::web::search::{Params, run};
use crate::web::{AppError, AppState};

/// The JSON answer: interfaces.md's fields, plus facets, paging and the log id.
#[derive(Serialize)]
struct ApiResults<'a> {
    #[serde(flatten)]
    results: &'a SearchResults,
    #[serde(skip_serializing_if = "Option::is_none")]
    search_id: Option<Uuid>,
}

/// Searches the knowledge base.
///
/// `GET /api/v1/search?q=TEXT[&kind=K][&tag=T][&limit=N][&offset=N]`.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "content",
    params(
        ("q" = Option<String>, Query, description = "The words to look for."),
        ("kind" = Option<super::schemas::KindFilter>, Query, description = "Only pages of this kind (any case); empty for every kind."),
        ("tag" = Option<String>, Query, description = "Only pages with this tag."),
        ("limit" = Option<super::schemas::WholeNumber>, Query, description = "Hits per answer: 1 to 50 (others are clamped), 10 when left out."),
        ("offset" = Option<super::schemas::WholeNumber>, Query, description = "Hits to skip (negative ones count as 0)."),
    ),
    security((), ("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::ANYONE))),
    responses(
        (status = 200, description = "The hits, best first, with facets.", body = super::schemas::SearchResults),
        (status = 400, description = "`limit` or `offset` is not a whole number, or `kind` names no kind.", body = super::schemas::ErrorBody),
        (status = 503, description = "The search index is still being built.", body = super::schemas::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
pub(super) async fn search(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let params = Params::parse(req.query_string());
    let (results, search_id) = run(&req, &state, &params).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ApiResults {
            results: &results,
            search_id,
        }))
}
