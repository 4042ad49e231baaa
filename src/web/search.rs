//! Search over HTTP: `GET /api/v1/search` (JSON, shape fixed by interfaces.md) and
//! `GET /search` (the results page, works without JavaScript). Result links of a logged
//! search go through `GET /search?sid=ID&open=URL`, which records which result was opened
//! and redirects to it (one route, so the page and its clicks share one access rule).
//!
//! The query string is decoded leniently (invalid UTF-8 becomes U+FFFD) so no text a person
//! pastes is refused; only an unknown `kind` or a non-numeric `limit`/`offset` answers 400.
//! Searching is a few milliseconds of CPU, so it runs on the request's worker; logging is
//! handed to a [`SearchLogSink`] and never waits for SQLite. The log is bounded (see
//! `store::search_log`); the logger's queue and its memory of recent searches are too.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use percent_encoding::percent_decode_str;
use serde::Serialize;
use uuid::Uuid;

use super::context::page_context;
use super::{AppError, AppState};
use crate::render;
use crate::search::{Ranking, SearchError, SearchRequest, SearchResults};
use crate::store::{QueryKey, SearchLogEntry, SearchLogLimits, Store};

/// Registers the search routes (before `pages::routes` and its placeholder).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/search", web::get().to(api))
        .route("/search", web::get().to(page));
}

/// Where searches and opened results are reported. The store's batching logger
/// ([`BatchingSearchLog`]) is the real one; install it once as app data (see `web::start`).
/// Without a sink, searches are simply not logged.
pub trait SearchLogSink: Send + Sync + 'static {
    /// A search ran. Must return at once.
    fn searched(&self, entry: SearchLogEntry);
    /// A result of search `id` was opened. Must return at once.
    fn opened(&self, id: Uuid);
}

/// The query string of a search, decoded leniently.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Params {
    /// `q`.
    pub q: String,
    /// `kind`.
    pub kind: Option<String>,
    /// `tag`.
    pub tag: Option<String>,
    /// `limit`, unparsed.
    pub limit: Option<String>,
    /// `offset`, unparsed.
    pub offset: Option<String>,
}

impl Params {
    /// Parses `a=1&b=2`; `+` is a space, bad percent-encoding and invalid UTF-8 are kept as
    /// replacement characters, the first of repeated keys wins.
    pub fn parse(query_string: &str) -> Self {
        let mut params = Params::default();
        let mut seen_q = false;
        for pair in query_string.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode(value);
            let slot = match decode(key).as_str() {
                "q" if !seen_q => {
                    seen_q = true;
                    params.q = value;
                    continue;
                }
                "kind" => &mut params.kind,
                "tag" => &mut params.tag,
                "limit" => &mut params.limit,
                "offset" => &mut params.offset,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value);
            }
        }
        params
    }

    /// The search request, or a 400 naming the bad number.
    pub fn to_request(&self) -> Result<SearchRequest, AppError> {
        Ok(SearchRequest {
            q: self.q.clone(),
            kind: self.kind.clone(),
            tag: self.tag.clone(),
            limit: number("limit", self.limit.as_deref())?,
            offset: number("offset", self.offset.as_deref())?,
        })
    }
}

fn decode(raw: &str) -> String {
    percent_decode_str(&raw.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// A whole number; out-of-range ones saturate (the search clamps them), words are a 400.
fn number(name: &str, raw: Option<&str>) -> Result<Option<i64>, AppError> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::BadRequest(format!(
            "`{name}` must be a whole number, such as 10."
        )));
    }
    Ok(Some(raw.parse::<i64>().unwrap_or(
        if raw.starts_with('-') {
            i64::MIN
        } else {
            i64::MAX
        },
    )))
}

/// Runs a search on the current snapshot and reports it to the log sink. The search runs
/// on the blocking pool: embedding the query for the semantic leg is CPU work (~5 ms).
async fn run(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    params: &Params,
) -> Result<(SearchResults, Option<Uuid>), AppError> {
    let request = params.to_request()?;
    let snapshot = state.snapshot.load_full();
    if snapshot.search.is_none() {
        return Err(AppError::Unavailable(
            "Search is still being built after the server started; try again in a few seconds."
                .to_owned(),
        ));
    }
    let searching = state.clone().into_inner();
    let request_for_search = request.clone();
    let results = web::block(move || {
        let Some(index) = &snapshot.search else {
            return Ok(SearchResults::default());
        };
        let ranking = Ranking {
            semantic: Some(&searching.semantic),
            ..Ranking::default()
        };
        index.search_with(&request_for_search, &ranking)
    })
    .await
    .map_err(|err| AppError::Internal(err.to_string()))?
    .map_err(|err| match err {
        SearchError::UnknownKind(_) => AppError::BadRequest(format!("{err}.")),
        SearchError::Index(_) | SearchError::Folder { .. } => AppError::Internal(err.to_string()),
    })?;
    let mut search_id = None;
    if !request.q.trim().is_empty()
        && let Some(sink) = req.app_data::<web::Data<dyn SearchLogSink>>()
    {
        let entry = SearchLogEntry::new(&request.q, results.total as u64);
        search_id = Some(entry.id);
        sink.searched(entry);
    }
    Ok((results, search_id))
}

/// The JSON answer: interfaces.md's fields, plus facets, paging and the log id.
#[derive(Serialize)]
struct ApiResults<'a> {
    #[serde(flatten)]
    results: &'a SearchResults,
    #[serde(skip_serializing_if = "Option::is_none")]
    search_id: Option<Uuid>,
}

/// `GET /api/v1/search?q=TEXT[&kind=K][&tag=T][&limit=N][&offset=N]`.
async fn api(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let params = Params::parse(req.query_string());
    let (results, search_id) = run(&req, &state, &params).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ApiResults {
            results: &results,
            search_id,
        }))
}

/// `GET /search?q=…`: the results page (or, with `open=`, a result click).
async fn page(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    if let Some(response) = open(&req) {
        return Ok(response);
    }
    let params = Params::parse(req.query_string());
    let (results, search_id) = run(&req, &state, &params).await?;
    let snapshot = state.snapshot.load_full();
    let mut ctx = page_context(&req, &snapshot.site, "/search");
    ctx.query = params.q.clone();
    let mut badges = std::collections::BTreeMap::new();
    if let Some(history) = super::qualifications::viewer_history(&state, &req).await {
        let now = time::OffsetDateTime::now_utc();
        for hit in &results.hits {
            if let Some(doc) = snapshot.site.get_str(&hit.id)
                && let Some(status) = render::qualifications::qualification_badge(
                    &snapshot.site,
                    Some(&history),
                    ctx.viewer.as_ref(),
                    doc,
                    now,
                )
            {
                badges.insert(hit.id.clone(), status);
            }
        }
    }
    let view = render::search::SearchView {
        query: &params.q,
        kind: params.kind.as_deref().unwrap_or(""),
        tag: params.tag.as_deref().unwrap_or(""),
        results: &results,
        search_id,
        badges: &badges,
    };
    Ok(super::pages::html(render::search::page(&ctx, &view)))
}

/// `GET /search?sid=ID&open=URL`: records the click, then redirects to the result; `None`
/// without `open=`. Only site paths are followed, so this is no open redirect.
fn open(req: &HttpRequest) -> Option<HttpResponse> {
    let mut sid = None;
    let mut target = None;
    for pair in req.query_string().split('&') {
        match pair.split_once('=') {
            Some(("sid", v)) if sid.is_none() => sid = Uuid::parse_str(&decode(v)).ok(),
            Some(("open", v)) if target.is_none() => target = Some(decode(v)),
            _ => {}
        }
    }
    let target = target?;
    let target = if is_site_path(&target) {
        target
    } else {
        "/".to_owned()
    };
    if let (Some(id), Some(sink)) = (sid, req.app_data::<web::Data<dyn SearchLogSink>>()) {
        sink.opened(id);
    }
    Some(
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, target))
            .finish(),
    )
}

/// A path on this site: `/x`, never `//host` or `/\host` (browsers read both as another host).
pub fn is_site_path(target: &str) -> bool {
    target.starts_with('/')
        && !target.starts_with("//")
        && !target.starts_with("/\\")
        && !target.chars().any(|c| c.is_control() || c == '\\')
}

#[derive(Debug)]
enum LogMessage {
    Searched(SearchLogEntry),
    Opened(Uuid),
}

/// Logs searches into the store from a background thread, in batches: a search never waits
/// for SQLite, and a burst of searches costs one transaction. The same thread prunes the log
/// to the site's `[search_log]` limits, after every batch and hourly when idle.
#[derive(Debug)]
pub struct BatchingSearchLog {
    sender: SyncSender<LogMessage>,
}

/// Most entries written in one transaction.
const BATCH: usize = 200;
/// Longest an entry waits before it is written.
const FLUSH_AFTER: Duration = Duration::from_secs(1);
/// Entries waiting for the writer; past this (a flood faster than SQLite) they are dropped,
/// so the queue cannot grow the server's memory.
const QUEUE: usize = 10_000;
/// Searches whose later click can still be counted (ids are forgotten oldest first).
const REMEMBERED: usize = 10_000;
/// How often an idle logger prunes, so rows past the retention go without new searches.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

impl BatchingSearchLog {
    /// Starts the writer thread; it ends when the log is dropped (after a last flush).
    /// `limits` is asked before each write, so an edited `site.toml` applies without a
    /// restart.
    pub fn start(store: Store, limits: impl Fn() -> SearchLogLimits + Send + 'static) -> Arc<Self> {
        let (sender, receiver) = mpsc::sync_channel(QUEUE);
        let spawned = std::thread::Builder::new()
            .name("search-log".into())
            .spawn(move || write_batches(&store, &receiver, &limits));
        if let Err(error) = spawned {
            tracing::error!(%error, "cannot start the search log writer; searches are not logged");
        }
        Arc::new(Self { sender })
    }

    fn send(&self, message: LogMessage) {
        match self.sender.try_send(message) {
            Ok(()) => {}
            // A log can afford to lose entries; the search itself must not wait or fail.
            Err(TrySendError::Full(_)) => tracing::debug!("search log queue full; entry dropped"),
            // A stopped writer already logged why.
            Err(TrySendError::Disconnected(_)) => {}
        }
    }
}

impl SearchLogSink for BatchingSearchLog {
    fn searched(&self, entry: SearchLogEntry) {
        self.send(LogMessage::Searched(entry));
    }

    fn opened(&self, id: Uuid) {
        self.send(LogMessage::Opened(id));
    }
}

/// The rows of the last [`REMEMBERED`] logged searches, by search id: a click is counted
/// once, against the row its search counted in.
#[derive(Debug, Default)]
struct Recent {
    keys: HashMap<Uuid, QueryKey>,
    order: VecDeque<Uuid>,
}

impl Recent {
    fn remember(&mut self, id: Uuid, key: QueryKey) {
        if self.keys.insert(id, key).is_none() {
            self.order.push_back(id);
        }
        while self.order.len() > REMEMBERED {
            if let Some(old) = self.order.pop_front() {
                self.keys.remove(&old);
            }
        }
    }

    /// The row of search `id`, forgotten at once so a second click does not count.
    fn take(&mut self, id: Uuid) -> Option<QueryKey> {
        self.keys.remove(&id)
    }
}

fn write_batches(
    store: &Store,
    receiver: &Receiver<LogMessage>,
    limits: &dyn Fn() -> SearchLogLimits,
) {
    let mut batch: Vec<SearchLogEntry> = Vec::new();
    let mut opened: Vec<Uuid> = Vec::new();
    let mut recent = Recent::default();
    let mut oldest = Instant::now();
    let mut next_prune = Instant::now();
    loop {
        let now = Instant::now();
        if now >= next_prune {
            match store.prune_search_log(limits(), time::OffsetDateTime::now_utc()) {
                Ok(deleted) if deleted > 0 => tracing::info!(deleted, "search log pruned"),
                Ok(_) => {}
                Err(error) => {
                    store.note_failure(&error);
                    tracing::warn!(%error, "search log not pruned");
                }
            }
            next_prune = now + PRUNE_EVERY;
        }
        let idle = batch.is_empty() && opened.is_empty();
        let deadline = if idle {
            next_prune
        } else {
            next_prune.min(oldest + FLUSH_AFTER)
        };
        let message = receiver.recv_timeout(deadline.saturating_duration_since(now));
        let stop = matches!(message, Err(RecvTimeoutError::Disconnected));
        if let Ok(message) = message {
            if batch.is_empty() && opened.is_empty() {
                oldest = Instant::now();
            }
            match message {
                LogMessage::Searched(entry) => batch.push(entry),
                LogMessage::Opened(id) => opened.push(id),
            }
        }
        let pending = !batch.is_empty() || !opened.is_empty();
        if pending && (stop || batch.len() >= BATCH || oldest.elapsed() >= FLUSH_AFTER) {
            match store.log_searches(&batch, limits()) {
                Ok(()) => {
                    for entry in batch.drain(..) {
                        if let Some(key) = entry.key() {
                            recent.remember(entry.id, key);
                        }
                    }
                }
                Err(error) => {
                    store.note_failure(&error);
                    tracing::warn!(%error, entries = batch.len(), "search log batch lost");
                    batch.clear();
                }
            }
            // Clicks after their search: its row exists once its batch is written.
            for id in opened.drain(..) {
                let Some(key) = recent.take(id) else { continue };
                if let Err(error) = store.record_opened(&key) {
                    store.note_failure(&error);
                    tracing::warn!(%error, "search click not recorded");
                }
            }
        }
        if stop {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode_leniently() {
        let p = Params::parse("q=pod+crash%3A%20%22x%22&kind=tree&q=second&limit=5&x=1");
        assert_eq!(p.q, "pod crash: \"x\"");
        assert_eq!(p.kind.as_deref(), Some("tree"));
        assert_eq!(p.limit.as_deref(), Some("5"));
        let p = Params::parse("q=%FF%FEabc%zz&offset=");
        assert_eq!(p.q, "\u{fffd}\u{fffd}abc%zz");
        assert_eq!(Params::parse("").q, "");
        assert_eq!(Params::parse("q").q, "");
    }

    #[test]
    fn numbers_clamp_or_explain() {
        assert_eq!(number("limit", Some("-1")).ok(), Some(Some(-1)));
        assert_eq!(
            number("limit", Some("99999999999999999999999")).ok(),
            Some(Some(i64::MAX))
        );
        assert_eq!(number("limit", Some("")).ok(), Some(None));
        assert!(number("limit", Some("ten")).is_err());
        assert!(number("limit", Some("-")).is_err());
    }

    #[test]
    fn recent_searches_are_bounded_and_clicked_once() {
        let mut recent = Recent::default();
        let key = |i: i64| QueryKey {
            day: i,
            normalized: "q".into(),
        };
        let first = Uuid::now_v7();
        recent.remember(first, key(0));
        for i in 1..=REMEMBERED as i64 {
            recent.remember(Uuid::now_v7(), key(i));
        }
        assert_eq!(recent.keys.len(), REMEMBERED);
        assert_eq!(recent.take(first), None, "the oldest is forgotten");
        let last = *recent.order.back().expect("remembered");
        assert_eq!(recent.take(last), Some(key(REMEMBERED as i64)));
        assert_eq!(recent.take(last), None, "a second click does not count");
    }

    #[test]
    fn only_site_paths_are_followed() {
        assert!(is_site_path("/docs/a#b"));
        assert!(!is_site_path("//evil.example"));
        assert!(!is_site_path("/\\evil.example"));
        assert!(!is_site_path("https://evil.example"));
        assert!(!is_site_path("/a\nb"));
    }
}
