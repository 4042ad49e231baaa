//! `GET /api/v1/live`: the poll of pages open while live reload is on.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::web::AppState;

/// Query of the poll endpoint.
#[derive(Debug, Deserialize)]
pub struct PollQuery {
    /// The generation the page was rendered at.
    since: u64,
    /// The page's URL path.
    #[serde(default)]
    page: String,
}

/// Answer of the poll endpoint.
#[derive(Debug, Serialize)]
struct PollAnswer {
    generation: u64,
    reload: bool,
}

/// `GET /api/v1/live?since=N&page=/docs/x`: whether that page should reload.
pub(super) async fn poll(state: web::Data<AppState>, query: web::Query<PollQuery>) -> HttpResponse {
    let generation = state.snapshot.load().site.generation;
    let reload = match &state.live {
        Some(live) => generation > query.since && live.page_changed(&query.page, query.since),
        None => false,
    };
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(PollAnswer { generation, reload })
}
