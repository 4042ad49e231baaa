//! The search log's entries and keys, and search click feedback, as plain values.

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

const SECONDS_PER_DAY: i64 = 86_400;

/// Longest query kept, in characters; longer ones are cut (on a character boundary).
pub const MAX_QUERY_CHARS: usize = 200;

/// One search, as the web layer saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchLogEntry {
    /// Made when the search ran; result links carry it so a click can be counted.
    pub id: Uuid,
    /// The query as typed.
    pub query: String,
    /// Total hits.
    pub result_count: u64,
    /// When it ran.
    pub at: OffsetDateTime,
}

impl SearchLogEntry {
    /// An entry for a search that ran just now.
    pub fn new(query: &str, result_count: u64) -> Self {
        Self {
            id: Uuid::now_v7(),
            query: query.to_owned(),
            result_count,
            at: OffsetDateTime::now_utc(),
        }
    }

    /// The row this search counts in; `None` for a blank query (not logged).
    pub fn key(&self) -> Option<QueryKey> {
        let normalized = normalize(&self.query);
        (!normalized.is_empty()).then(|| QueryKey {
            day: day_of(self.at),
            normalized,
        })
    }
}

/// What identifies a row of the log: a normalised query on one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QueryKey {
    /// Days since the Unix epoch (UTC).
    pub day: i64,
    /// The query, normalised and cut.
    pub normalized: String,
}

/// How much of the log is kept (from `site.toml`'s `[search_log]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchLogLimits {
    /// Rows from this many days ago or earlier are deleted (at least 1: today only).
    pub retention_days: u32,
    /// Most rows kept.
    pub max_rows: u32,
}

/// A query and how often it was searched.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QueryCount {
    /// The query, normalised (lowercase, single spaces).
    pub query: String,
    /// Searches in the period.
    pub count: u64,
    /// How many of those searches opened a result.
    pub opened: u64,
}

/// One normalised query's figures over a period: its rows of the log summed over the days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTotals {
    /// The query, normalised.
    pub query: String,
    /// Searches.
    pub searches: u64,
    /// Searches that found nothing.
    pub zero_results: u64,
    /// Searches that opened a result.
    pub opened: u64,
    /// Searches that found something and opened nothing (counted per day, so a day's
    /// zero-result and opened searches never make it negative).
    pub no_clicks: u64,
    /// The last search, in seconds since 1970.
    pub last_at: i64,
    /// The last search on a day when it found nothing at least once (the log keeps one time
    /// per query and day, so this is that day's last search).
    pub last_zero_at: Option<i64>,
}

/// The whole log's figures on one UTC day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DayTotals {
    /// Days since the Unix epoch.
    pub day: i64,
    /// Searches.
    pub searches: u64,
    /// Searches that found nothing.
    pub zero_results: u64,
    /// Searches that opened a result.
    pub opened: u64,
    /// Searches that found something and opened nothing.
    pub no_clicks: u64,
}

/// The search log over a period, summed per query and per day.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchPeriod {
    /// Each normalised query searched in the period, in no particular order.
    pub queries: Vec<QueryTotals>,
    /// Each day with searches, oldest first.
    pub days: Vec<DayTotals>,
}

/// One row of the log: a normalised query's figures on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryDay {
    /// The query, normalised.
    pub query: String,
    /// Its figures that day (`day` is the day).
    pub figures: DayTotals,
}

/// Lowercase with runs of whitespace collapsed, cut to [`MAX_QUERY_CHARS`] characters:
/// "Pod  OOM" and "pod oom" are one query, and no row holds more than 200 characters.
pub fn normalize(query: &str) -> String {
    let folded = query
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let cut = match folded.char_indices().nth(MAX_QUERY_CHARS) {
        Some((end, _)) => &folded[..end],
        None => &folded,
    };
    // Lowercasing can add whitespace-free characters only, but the cut can end on a space.
    cut.trim_end().to_owned()
}

/// The UTC day of a time, as days since the Unix epoch.
pub fn day_of(at: OffsetDateTime) -> i64 {
    at.unix_timestamp().div_euclid(SECONDS_PER_DAY)
}

/// One result a searcher chose, as the web layer saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The query as typed (normalised here).
    pub query: String,
    /// The chosen page's document id.
    pub page: String,
    /// True for the first page this search chose: the search then counts towards
    /// `store::search_clicks::MIN_SEARCHES`.
    pub first_of_search: bool,
    /// When it was chosen.
    pub at: OffsetDateTime,
}

/// A query's feedback, for admins and for the search's lift map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryFeedback {
    /// The normalised query.
    pub query: String,
    /// Searches that chose a result, decayed.
    pub searches: f64,
    /// Whether the query lifts its pages (enough searches chose something).
    pub lifting: bool,
    /// The chosen pages, most chosen first.
    pub pages: Vec<PageFeedback>,
}

/// One chosen page of a query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageFeedback {
    /// The document id.
    pub page: String,
    /// Times chosen, decayed.
    pub weight: f64,
    /// Its share of the query's choices, 0–1 (the lift is proportional to it).
    pub share: f64,
}
