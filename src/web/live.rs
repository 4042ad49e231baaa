//! Live reload in the server: a watcher thread applies each batch of content changes to the
//! [`ContentState`], builds the next [`Snapshot`] and swaps it in whole; open pages poll
//! `/api/v1/live` and reload themselves when a change affects them.

use std::collections::{BTreeSet, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::live::{Changes, ContentState};
use crate::snapshot::{CurrentSnapshot, Snapshot};
use crate::source::watch::{ChangeBatch, ContentWatcher};

use super::AppState;

/// How many updates the poll endpoint remembers; a page older than that reloads.
const LOG_LEN: usize = 256;

/// One applied update: its generation and the pages it touched (`None`: every page).
#[derive(Debug, Clone)]
struct LoggedUpdate {
    generation: u64,
    urls: Option<BTreeSet<String>>,
}

/// The watcher's side of the app state.
#[derive(Debug)]
pub struct LiveState {
    content: Mutex<ContentState>,
    log: Mutex<VecDeque<LoggedUpdate>>,
}

impl LiveState {
    /// Wraps the content state the first snapshot was built from.
    pub fn new(content: ContentState) -> Self {
        Self {
            content: Mutex::new(content),
            log: Mutex::new(VecDeque::new()),
        }
    }

    /// Applies one batch and swaps in the next snapshot. Returns what changed.
    pub fn apply(&self, batch: ChangeBatch, current: &CurrentSnapshot) -> Changes {
        let started = Instant::now();
        let mut content = self.content.lock().unwrap_or_else(PoisonError::into_inner);
        let changes = match batch {
            ChangeBatch::Paths(paths) => content.apply(&paths),
            ChangeBatch::Rescan => match ContentState::load_root(content.root().clone()) {
                Ok(fresh) => {
                    *content = fresh;
                    Changes {
                        site_wide: true,
                        ..Changes::default()
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "could not read the content folder again; keeping the current site");
                    return Changes::default();
                }
            },
        };
        if changes.is_empty() {
            return changes;
        }
        let read_ms = started.elapsed().as_secs_f64() * 1000.0;
        let mut site_ms = 0.0;
        let mut generation = 0;
        current.update(|previous| {
            let mut site = content.site_after(&previous.site, &changes);
            site.generation = previous.site.generation + 1;
            generation = site.generation;
            site_ms = started.elapsed().as_secs_f64() * 1000.0 - read_ms;
            Snapshot::next(previous, site)
        });
        drop(content);
        let urls = if changes.site_wide {
            None
        } else {
            Some(
                changes
                    .upserted
                    .iter()
                    .chain(&changes.flagged)
                    .map(|d| d.url())
                    .collect(),
            )
        };
        let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        log.push_back(LoggedUpdate { generation, urls });
        while log.len() > LOG_LEN {
            log.pop_front();
        }
        tracing::info!(
            generation,
            upserted = changes.upserted.len(),
            removed = changes.removed.len(),
            site_wide = changes.site_wide,
            read_ms,
            site_ms,
            elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
            "content updated"
        );
        changes
    }

    /// True when a page at `url` rendered at generation `since` is out of date.
    fn page_changed(&self, url: &str, since: u64) -> bool {
        let log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        if log
            .front()
            .is_some_and(|first| first.generation > since + 1)
        {
            return true;
        }
        log.iter()
            .filter(|u| u.generation > since)
            .any(|u| u.urls.as_ref().is_none_or(|urls| urls.contains(url)))
    }
}

/// Starts the watcher thread. The thread ends when the watcher stops.
pub fn spawn_watcher(state: &AppState) -> notify::Result<()> {
    let Some(live) = state.live.clone() else {
        return Ok(());
    };
    let watcher = ContentWatcher::start_root(&state.content_root)?;
    let snapshot = Arc::clone(&state.snapshot);
    std::thread::Builder::new()
        .name("content-watcher".into())
        .spawn(move || {
            while let Some(batch) = watcher.next_batch() {
                live.apply(batch, &snapshot);
            }
        })
        .map_err(notify::Error::io)?;
    Ok(())
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
