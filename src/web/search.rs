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
//!
//! Click feedback (`[search] click_feedback`, on by default): an opened result that is a
//! page of the site counts as that search's choice (once per search and page); the logger
//! keeps, per normalised query, the pages that at least `store::search_clicks::MIN_SEARCHES`
//! searches chose and their shares in memory ([`ClickLifts`]), and a search of that query
//! is ranked with them. When the switch is off nothing is recorded and nothing applied.
//! Admins see the feedback at `/admin/search-feedback` ([`feedback`]).

mod feedback;

use std::collections::{HashMap, VecDeque};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use percent_encoding::percent_decode_str;
use serde::Serialize;
use uuid::Uuid;

use super::context::page_context;
use super::{AppError, AppState};
use crate::model::{DocId, Kind, Site};
use crate::render;
use crate::search::{Ranking, SearchError, SearchRequest, SearchResults};
use crate::store::search_log::normalize;
use crate::store::{Choice, QueryFeedback, QueryKey, SearchLogEntry, SearchLogLimits, Store};

/// Registers the search routes (before `pages::routes` and its placeholder).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/search", web::get().to(api))
        .route("/search", web::get().to(page));
    cfg.configure(feedback::routes);
}

/// Where searches and opened results are reported. The store's batching logger
/// ([`BatchingSearchLog`]) is the real one; install it once as app data (see `web::start`).
/// Without a sink, searches are simply not logged.
pub trait SearchLogSink: Send + Sync + 'static {
    /// A search ran. Must return at once.
    fn searched(&self, entry: SearchLogEntry);
    /// A result of search `id` was opened. Must return at once.
    fn opened(&self, id: Uuid);
    /// A result of search `id` that is the site's page `page` was opened: counted as
    /// opened and, for click feedback, as the search's choice. Must return at once.
    fn chose(&self, id: Uuid, page: DocId) {
        let _ = page;
        self.opened(id);
    }
    /// The pages past searchers of `query` chose and their shares (see [`ClickLifts`]);
    /// `None` when the query lifts nothing. Must return at once.
    fn click_lift(&self, query: &str) -> Option<Arc<HashMap<DocId, f32>>> {
        let _ = query;
        None
    }
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
    let sink = req.app_data::<web::Data<dyn SearchLogSink>>();
    let lift = match sink {
        Some(sink) if snapshot.site.config.search.click_feedback => sink.click_lift(&request.q),
        _ => None,
    };
    let results = web::block(move || {
        let Some(index) = &snapshot.search else {
            return Ok(SearchResults::default());
        };
        let ranking = Ranking {
            semantic: Some(&searching.semantic),
            click_lift: lift.as_deref(),
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
        && let Some(sink) = sink
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
    if let Some(response) = open(&req, &state) {
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

/// `GET /search?sid=ID&open=URL`: records the click (with click feedback on, as a choice
/// of the page at URL), then redirects to the result; `None` without `open=`. Only site
/// paths are followed, so this is no open redirect.
fn open(req: &HttpRequest, state: &AppState) -> Option<HttpResponse> {
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
        let snapshot = state.snapshot.load();
        let site = &snapshot.site;
        match page_at(site, &target) {
            Some(page) if site.config.search.click_feedback => sink.chose(id, page),
            _ => sink.opened(id),
        }
    }
    Some(
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, target))
            .finish(),
    )
}

/// The document a result URL (`/docs/a/b#section`) shows, if it is one of the site's.
pub fn page_at(site: &Site, url: &str) -> Option<DocId> {
    let path = url.split(['#', '?']).next().unwrap_or_default();
    Kind::ALL.into_iter().find_map(|kind| {
        let rest = path.strip_prefix(kind.url_prefix())?;
        let id = percent_decode_str(rest).decode_utf8().ok()?;
        let doc = site.get_str(id.trim_end_matches('/'))?;
        (doc.kind == kind).then(|| doc.id.clone())
    })
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
    /// A result was opened; the page it is, when click feedback counts it.
    Opened(Uuid, Option<DocId>),
}

/// Click feedback the search reads: per normalised query that lifts anything, page →
/// share of the query's recent choices. Written by the logger thread after each batch of
/// clicks and hourly (when decay and pruning change shares); read by every search with
/// one map lookup. Bounded by the click tables' row cap.
#[derive(Debug, Default)]
pub struct ClickLifts {
    by_query: RwLock<HashMap<String, Arc<HashMap<DocId, f32>>>>,
}

impl ClickLifts {
    /// The lift map of `query` (typed; normalised here), if it lifts anything.
    pub fn get(&self, query: &str) -> Option<Arc<HashMap<DocId, f32>>> {
        let map = self.by_query.read().unwrap_or_else(PoisonError::into_inner);
        if map.is_empty() {
            return None;
        }
        map.get(&normalize(query)).cloned()
    }

    /// Replaces one query's entry with what the store says now.
    fn set(&self, query: String, feedback: Option<&QueryFeedback>) {
        let lift = feedback.and_then(lift_map);
        let mut map = self
            .by_query
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        match lift {
            Some(lift) => map.insert(query, Arc::new(lift)),
            None => map.remove(&query),
        };
    }

    /// Replaces every entry.
    fn replace_all(&self, all: &[QueryFeedback]) {
        let fresh: HashMap<_, _> = all
            .iter()
            .filter_map(|f| Some((f.query.clone(), Arc::new(lift_map(f)?))))
            .collect();
        *self
            .by_query
            .write()
            .unwrap_or_else(PoisonError::into_inner) = fresh;
    }
}

/// The pages a query lifts and by what share; `None` when it lifts nothing (too few
/// searches chose anything). Ids that are no longer valid are skipped (the search only
/// lifts pages it finds anyway).
fn lift_map(feedback: &QueryFeedback) -> Option<HashMap<DocId, f32>> {
    if !feedback.lifting {
        return None;
    }
    let map: HashMap<DocId, f32> = feedback
        .pages
        .iter()
        .filter(|p| p.share > 0.0)
        .filter_map(|p| Some((DocId::parse(&p.page).ok()?, p.share as f32)))
        .collect();
    (!map.is_empty()).then_some(map)
}

/// Logs searches into the store from a background thread, in batches: a search never waits
/// for SQLite, and a burst of searches costs one transaction. The same thread prunes the log
/// to the site's `[search_log]` limits, after every batch and hourly when idle, and keeps
/// the click feedback ([`ClickLifts`]) current.
#[derive(Debug)]
pub struct BatchingSearchLog {
    sender: SyncSender<LogMessage>,
    lifts: Arc<ClickLifts>,
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
/// Most pages one search can count as chosen (a results page shows 10 to 50).
const CHOICES_PER_SEARCH: usize = 20;
/// How often an idle logger prunes, so rows past the retention go without new searches.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

impl BatchingSearchLog {
    /// Starts the writer thread; it ends when the log is dropped (after a last flush).
    /// `limits` is asked before each write, so an edited `site.toml` applies without a
    /// restart; the click tables use the same limits.
    pub fn start(store: Store, limits: impl Fn() -> SearchLogLimits + Send + 'static) -> Arc<Self> {
        let (sender, receiver) = mpsc::sync_channel(QUEUE);
        let lifts = Arc::new(ClickLifts::default());
        let written = Arc::clone(&lifts);
        let spawned = std::thread::Builder::new()
            .name("search-log".into())
            .spawn(move || write_batches(&store, &receiver, &limits, &written));
        if let Err(error) = spawned {
            tracing::error!(%error, "cannot start the search log writer; searches are not logged");
        }
        Arc::new(Self { sender, lifts })
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
        self.send(LogMessage::Opened(id, None));
    }

    fn chose(&self, id: Uuid, page: DocId) {
        self.send(LogMessage::Opened(id, Some(page)));
    }

    fn click_lift(&self, query: &str) -> Option<Arc<HashMap<DocId, f32>>> {
        self.lifts.get(query)
    }
}

/// A logged search whose clicks can still be counted.
#[derive(Debug)]
struct RecentSearch {
    key: QueryKey,
    /// Whether the log already counts it as opened.
    opened: bool,
    /// The pages it chose (each counts once).
    chosen: Vec<DocId>,
}

/// What one click of a remembered search counts for.
#[derive(Debug, PartialEq)]
struct Click {
    /// The log row to count as opened (the search's first click only).
    opened: Option<QueryKey>,
    /// The choice to record (a page this search had not chosen yet).
    choice: Option<Choice>,
}

/// The last [`REMEMBERED`] logged searches, by search id: a search counts as opened once,
/// against the row its search counted in, and each page it opens counts once.
#[derive(Debug, Default)]
struct Recent {
    searches: HashMap<Uuid, RecentSearch>,
    order: VecDeque<Uuid>,
}

impl Recent {
    fn remember(&mut self, id: Uuid, key: QueryKey) {
        let search = RecentSearch {
            key,
            opened: false,
            chosen: Vec::new(),
        };
        if self.searches.insert(id, search).is_none() {
            self.order.push_back(id);
        }
        while self.order.len() > REMEMBERED {
            if let Some(old) = self.order.pop_front() {
                self.searches.remove(&old);
            }
        }
    }

    /// What a click on search `id` (opening `page`, when it is one) counts for; `None` for
    /// a search not remembered.
    fn click(&mut self, id: Uuid, page: Option<DocId>) -> Option<Click> {
        let search = self.searches.get_mut(&id)?;
        let opened = (!search.opened).then(|| search.key.clone());
        search.opened = true;
        let choice = page
            .filter(|p| !search.chosen.contains(p) && search.chosen.len() < CHOICES_PER_SEARCH)
            .map(|page| {
                let first_of_search = search.chosen.is_empty();
                search.chosen.push(page.clone());
                Choice {
                    query: search.key.normalized.clone(),
                    page: page.as_str().to_owned(),
                    first_of_search,
                    at: time::OffsetDateTime::now_utc(),
                }
            });
        Some(Click { opened, choice })
    }
}

/// Reloads every query's lift (at start and after pruning, when decay has moved shares).
fn reload_lifts(store: &Store, lifts: &ClickLifts) {
    match store.all_feedback(time::OffsetDateTime::now_utc()) {
        Ok(all) => lifts.replace_all(&all),
        Err(error) => {
            store.note_failure(&error);
            tracing::warn!(%error, "click feedback not loaded");
        }
    }
}

fn write_batches(
    store: &Store,
    receiver: &Receiver<LogMessage>,
    limits: &dyn Fn() -> SearchLogLimits,
    lifts: &ClickLifts,
) {
    let mut batch: Vec<SearchLogEntry> = Vec::new();
    let mut opened: Vec<(Uuid, Option<DocId>)> = Vec::new();
    let mut recent = Recent::default();
    let mut oldest = Instant::now();
    let mut next_prune = Instant::now();
    loop {
        let now = Instant::now();
        if now >= next_prune {
            let at = time::OffsetDateTime::now_utc();
            match store
                .prune_search_log(limits(), at)
                .and_then(|log| Ok(log + store.prune_choices(limits(), at)?))
            {
                Ok(deleted) if deleted > 0 => tracing::info!(deleted, "search log pruned"),
                Ok(_) => {}
                Err(error) => {
                    store.note_failure(&error);
                    tracing::warn!(%error, "search log not pruned");
                }
            }
            reload_lifts(store, lifts);
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
                LogMessage::Opened(id, page) => opened.push((id, page)),
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
            let mut choices = Vec::new();
            for (id, page) in opened.drain(..) {
                let Some(click) = recent.click(id, page) else {
                    continue;
                };
                if let Some(key) = click.opened
                    && let Err(error) = store.record_opened(&key)
                {
                    store.note_failure(&error);
                    tracing::warn!(%error, "search click not recorded");
                }
                choices.extend(click.choice);
            }
            record_choices(store, &choices, limits(), lifts);
        }
        if stop {
            return;
        }
    }
}

/// Records a batch of choices and refreshes the lifts of the queries they touched.
fn record_choices(store: &Store, choices: &[Choice], limits: SearchLogLimits, lifts: &ClickLifts) {
    if choices.is_empty() {
        return;
    }
    if let Err(error) = store.record_choices(choices, limits) {
        store.note_failure(&error);
        tracing::warn!(%error, "search choices not recorded");
        return;
    }
    let now = time::OffsetDateTime::now_utc();
    let mut queries: Vec<&str> = choices.iter().map(|c| c.query.as_str()).collect();
    queries.sort_unstable();
    queries.dedup();
    for query in queries {
        match store.query_feedback(query, now) {
            Ok(feedback) => lifts.set(query.to_owned(), feedback.as_ref()),
            Err(error) => {
                store.note_failure(&error);
                tracing::warn!(%error, "click feedback not refreshed");
            }
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
        assert_eq!(recent.searches.len(), REMEMBERED);
        assert_eq!(recent.click(first, None), None, "the oldest is forgotten");
        let last = *recent.order.back().expect("remembered");
        let click = recent.click(last, None).expect("remembered");
        assert_eq!(click.opened, Some(key(REMEMBERED as i64)));
        assert_eq!(click.choice, None, "no page, no choice");
        let again = recent.click(last, None).expect("remembered");
        assert_eq!(
            again.opened, None,
            "a second click does not count as opened"
        );
    }

    #[test]
    fn each_page_counts_once_per_search_and_only_the_first_counts_the_search() {
        let mut recent = Recent::default();
        let id = Uuid::now_v7();
        recent.remember(
            id,
            QueryKey {
                day: 1,
                normalized: "disk full".into(),
            },
        );
        let page = |p: &str| Some(DocId::parse(p).expect("id"));
        let first = recent.click(id, page("a")).expect("click");
        let choice = first.choice.expect("a choice");
        assert!(first.opened.is_some());
        assert_eq!(
            (
                choice.query.as_str(),
                choice.page.as_str(),
                choice.first_of_search
            ),
            ("disk full", "a", true)
        );
        let same = recent.click(id, page("a")).expect("click");
        assert_eq!(same.choice, None, "the same page again");
        let other = recent.click(id, page("b")).expect("click");
        assert!(!other.choice.expect("a choice").first_of_search);
        for i in 0..CHOICES_PER_SEARCH * 2 {
            recent.click(id, page(&format!("p{i}")));
        }
        assert_eq!(recent.searches[&id].chosen.len(), CHOICES_PER_SEARCH);
    }

    #[test]
    fn lift_maps_hold_only_lifting_queries_with_valid_ids() {
        use crate::store::PageFeedback;
        let lifts = ClickLifts::default();
        let feedback = |lifting: bool| QueryFeedback {
            query: "disk full".into(),
            searches: 3.0,
            lifting,
            pages: vec![
                PageFeedback {
                    page: "runbooks/inodes".into(),
                    weight: 3.0,
                    share: 0.75,
                },
                PageFeedback {
                    page: "../bad".into(),
                    weight: 1.0,
                    share: 0.25,
                },
            ],
        };
        lifts.set("disk full".into(), Some(&feedback(false)));
        assert_eq!(lifts.get("Disk  Full"), None);
        lifts.replace_all(&[feedback(true)]);
        let map = lifts.get("Disk  Full").expect("lifts");
        assert_eq!(map.len(), 1);
        assert_eq!(
            map.get(&DocId::parse("runbooks/inodes").expect("id")),
            Some(&0.75)
        );
        assert_eq!(lifts.get("disk"), None, "another query is unaffected");
        lifts.set("disk full".into(), None);
        assert_eq!(lifts.get("disk full"), None);
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
