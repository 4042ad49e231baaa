//! Live reload in the server: starts the content watcher ([`crate::live::spawn_watcher`])
//! when the state watches, and answers the poll of open pages, which reload themselves when
//! an update affected them.

use std::sync::Arc;

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::AppState;

/// Starts the watcher thread when the state watches. The thread ends when the watcher stops.
pub fn spawn_watcher(state: &AppState) -> notify::Result<()> {
    let Some(live) = state.live.clone() else {
        return Ok(());
    };
    crate::live::spawn_watcher(live, &state.content_root, Arc::clone(&state.snapshot))
}

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
async fn poll(state: web::Data<AppState>, query: web::Query<PollQuery>) -> HttpResponse {
    let generation = state.snapshot.load().site.generation;
    let reload = match &state.live {
        Some(live) => generation > query.since && live.page_changed(&query.page, query.since),
        None => false,
    };
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(PollAnswer { generation, reload })
}

/// Registers the poll endpoint.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/live", web::get().to(poll));
}
