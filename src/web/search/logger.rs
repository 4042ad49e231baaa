//! The search logger: a background thread that writes searches, opened results and
//! click-feedback choices to the store in batches, prunes both to the site's limits, and
//! keeps the click feedback the search reads ([`ClickLifts`]) current.
//!
//! A choice counts once per search and page, and once per searcher, query and page: the
//! searcher is the signed-in account, or else the client's address (a trusted proxy's
//! `X-Forwarded-For`). So one person searching and clicking again and again adds one
//! choice and one search, and a query lifts nothing until `MIN_SEARCHES` different
//! searchers chose something. Who chose is kept in memory only, for the last
//! [`COUNTED`] choices; the database holds only queries, pages and decayed counts.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::IpAddr;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::SearchLogSink;
use crate::model::DocId;
use crate::store::search_log::normalize;
use crate::store::{Choice, QueryFeedback, QueryKey, SearchLogEntry, SearchLogLimits, Store};

/// Who opened a result, for counting each person once per query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Searcher {
    /// A signed-in account (its id).
    User(i64),
    /// An anonymous client, by address.
    Client(IpAddr),
    /// No address known (all such clicks count as one searcher).
    Unknown,
}

#[derive(Debug)]
enum LogMessage {
    Searched(SearchLogEntry),
    /// A result was opened; the page it is and who opened it, when click feedback counts it.
    Opened(Uuid, Option<(DocId, Searcher)>),
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
/// Choices remembered with who made them (forgotten oldest first); ~100 bytes each.
pub const COUNTED: usize = 50_000;
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

    fn chose(&self, id: Uuid, page: DocId, searcher: Searcher) {
        self.send(LogMessage::Opened(id, Some((page, searcher))));
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
/// against the row its search counted in, and each page it opens counts once; and the
/// last [`COUNTED`] choices by searcher, so a person counts once per query and page.
#[derive(Debug, Default)]
struct Recent {
    searches: HashMap<Uuid, RecentSearch>,
    order: VecDeque<Uuid>,
    counted: Counted,
}

/// What a searcher already counted for: `(searcher, query, None)` a search of the query,
/// `(searcher, query, Some(page))` a choice of the page. Bounded, oldest forgotten first.
#[derive(Debug, Default)]
struct Counted {
    seen: HashSet<CountedKey>,
    order: VecDeque<CountedKey>,
}

type CountedKey = (Searcher, String, Option<DocId>);

impl Counted {
    /// True the first time `key` is seen (within the last [`COUNTED`]).
    fn first(&mut self, key: CountedKey) -> bool {
        if self.seen.contains(&key) {
            return false;
        }
        self.seen.insert(key.clone());
        self.order.push_back(key);
        while self.order.len() > COUNTED {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }
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

    /// What a click on search `id` (opening `page` as `searcher`, when it is a page of the
    /// site) counts for; `None` for a search not remembered.
    fn click(&mut self, id: Uuid, page: Option<(DocId, Searcher)>) -> Option<Click> {
        let search = self.searches.get_mut(&id)?;
        let opened = (!search.opened).then(|| search.key.clone());
        search.opened = true;
        let new_in_search = page.filter(|(p, _)| {
            !search.chosen.contains(p) && search.chosen.len() < CHOICES_PER_SEARCH
        });
        let mut choice = None;
        if let Some((page, searcher)) = new_in_search {
            search.chosen.push(page.clone());
            let query = search.key.normalized.clone();
            let key = (searcher.clone(), query.clone(), Some(page.clone()));
            if self.counted.first(key) {
                choice = Some(Choice {
                    first_of_search: self.counted.first((searcher, query.clone(), None)),
                    query,
                    page: page.as_str().to_owned(),
                    at: time::OffsetDateTime::now_utc(),
                });
            }
        }
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
    let mut opened: Vec<(Uuid, Option<(DocId, Searcher)>)> = Vec::new();
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
                // "Was this helpful?" votes follow the search log's bounds too.
                .and_then(|log| Ok(log + store.prune_page_feedback(limits(), at)?))
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
#[path = "logger_tests.rs"]
mod tests;
