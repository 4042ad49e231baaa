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

/// `GET /api/v1/search?q=TEXT[&kind=K][&tag=T][&limit=N][&offset=N]`.
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
