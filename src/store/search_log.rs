//! The search log: what people looked for, what they found, and which result they opened.
//!
//! Searches are frequent and the log is not urgent, so the web layer collects entries and
//! writes them in batches ([`Store::log_searches`]). Each entry gets its id (a UUIDv7) when
//! the search runs, so a click on a result can be tied to it even before the batch lands.

use rusqlite::{TransactionBehavior, params};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Result, Store, StoreError, count_at, unix};

/// Longest query kept; longer ones are cut (on a character boundary).
const MAX_QUERY: usize = 500;

/// One search, as the web layer saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchLogEntry {
    /// Made when the search ran; put it in result links to record clicks.
    pub id: Uuid,
    /// The query as typed.
    pub query: String,
    /// Total hits.
    pub result_count: u64,
    /// How long the search took.
    pub took_ms: f64,
    /// When it ran.
    pub at: OffsetDateTime,
}

impl SearchLogEntry {
    /// An entry for a search that ran just now.
    pub fn new(query: &str, result_count: u64, took_ms: f64) -> Self {
        Self {
            id: Uuid::now_v7(),
            query: query.to_owned(),
            result_count,
            took_ms,
            at: OffsetDateTime::now_utc(),
        }
    }
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

/// Lowercase with runs of whitespace collapsed: "Pod  OOM" and "pod oom" are one query.
fn normalize(query: &str) -> String {
    query
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn truncate(query: &str) -> &str {
    if query.len() <= MAX_QUERY {
        return query;
    }
    let mut end = MAX_QUERY;
    while !query.is_char_boundary(end) {
        end -= 1;
    }
    &query[..end]
}

impl Store {
    /// Writes a batch of searches in one transaction. Blank queries are skipped; an id
    /// already present is ignored, so retrying a batch is harmless.
    pub fn log_searches(&self, batch: &[SearchLogEntry]) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare(
                "INSERT OR IGNORE INTO search_log (id, query, normalized, result_count, took_ms, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for e in batch {
                let query = truncate(e.query.trim());
                if query.is_empty() {
                    continue;
                }
                let took = if e.took_ms.is_finite() {
                    e.took_ms.max(0.0)
                } else {
                    0.0
                };
                let count = i64::try_from(e.result_count).unwrap_or(i64::MAX);
                stmt.execute(params![
                    e.id.to_string(),
                    query,
                    normalize(query),
                    count,
                    took,
                    unix(e.at),
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Records that a result of search `id` was opened. Returns false when the search is
    /// not (yet) in the log; the click is then lost, which a log can afford.
    pub fn record_opened(&self, id: Uuid, url: &str) -> Result<bool> {
        if url.len() > 2000 {
            return Err(StoreError::Invalid("the opened URL is too long".into()));
        }
        let changed = self.conn()?.execute(
            "UPDATE search_log SET opened_url = ?1, opened_at = ?2 WHERE id = ?3",
            params![url, unix(OffsetDateTime::now_utc()), id.to_string()],
        )?;
        Ok(changed == 1)
    }

    /// The most frequent queries since `since`, most frequent first.
    pub fn top_queries(&self, since: OffsetDateTime, limit: u32) -> Result<Vec<QueryCount>> {
        self.query_counts("", since, limit)
    }

    /// The most frequent queries since `since` that found nothing: the gaps in the content.
    pub fn zero_result_queries(
        &self,
        since: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<QueryCount>> {
        self.query_counts("AND result_count = 0", since, limit)
    }

    fn query_counts(
        &self,
        extra: &str,
        since: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<QueryCount>> {
        let conn = self.conn()?;
        let sql = format!(
            "SELECT normalized, COUNT(*), COUNT(opened_url) FROM search_log
             WHERE created_at >= ?1 {extra}
             GROUP BY normalized ORDER BY COUNT(*) DESC, normalized LIMIT ?2"
        );
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(params![unix(since), limit], |r| {
            Ok(QueryCount {
                query: r.get(0)?,
                count: count_at(r, 1)?,
                opened: count_at(r, 2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::store;
    use time::Duration;

    #[test]
    fn searches_are_logged_grouped_and_clicked() {
        let (store, _dir) = store();
        let first = SearchLogEntry::new("Pod OOM", 3, 1.5);
        let batch = vec![
            first.clone(),
            SearchLogEntry::new("pod   oom", 3, 1.0),
            SearchLogEntry::new("vault", 0, 0.4),
            SearchLogEntry::new("vault", 0, 0.3),
            SearchLogEntry::new("vault", 1, 0.3),
            SearchLogEntry::new("kafka", 0, 0.2),
            SearchLogEntry::new("   ", 0, 0.2),
        ];
        store.log_searches(&batch).expect("log");
        store
            .log_searches(&batch[..1])
            .expect("a retried batch is harmless");
        assert!(store.record_opened(first.id, "/docs/pods").expect("click"));
        assert!(!store.record_opened(Uuid::now_v7(), "/x").expect("unknown"));

        let since = OffsetDateTime::now_utc() - Duration::days(1);
        let top = store.top_queries(since, 10).expect("top");
        let summary: Vec<_> = top
            .iter()
            .map(|q| (q.query.as_str(), q.count, q.opened))
            .collect();
        assert_eq!(
            summary,
            [("vault", 3, 0), ("pod oom", 2, 1), ("kafka", 1, 0)]
        );
        let zero = store.zero_result_queries(since, 10).expect("zero");
        let zero: Vec<_> = zero.iter().map(|q| (q.query.as_str(), q.count)).collect();
        assert_eq!(zero, [("vault", 2), ("kafka", 1)]);
        assert_eq!(store.top_queries(since, 1).expect("limit").len(), 1);
        let future = OffsetDateTime::now_utc() + Duration::days(1);
        assert!(store.top_queries(future, 10).expect("none").is_empty());
    }

    #[test]
    fn long_queries_are_cut_on_a_character_boundary() {
        let long = "é".repeat(400);
        let cut = truncate(&long);
        assert!(cut.len() <= MAX_QUERY && cut.chars().all(|c| c == 'é'));
        assert_eq!(normalize("  A\tB  c "), "a b c");
    }
}
