//! The search log: what people looked for, how often, whether it found anything, and how
//! often a result was opened.
//!
//! Anyone may search, so the log is bounded (issue 13: a flood of unique queries filled the
//! disk). A query is kept only in its normalised form, cut to [`MAX_QUERY_CHARS`]; the same
//! normalised query on one UTC day is one row with counters; rows older than the retention
//! period go, and past the row cap the oldest rows go first ([`prune_rule`]). Searches are
//! frequent and the log is not urgent, so the web layer collects entries and writes them in
//! batches ([`Store::log_searches`]), which also prunes.

use rusqlite::{Transaction, TransactionBehavior, params};
use time::OffsetDateTime;

use super::{Result, Store, count_at, unix};
pub use crate::records::{
    MAX_QUERY_CHARS, QueryCount, QueryKey, SearchLogEntry, SearchLogLimits, day_of, normalize,
};

#[cfg(test)]
const SECONDS_PER_DAY: i64 = 86_400;

/// What pruning deletes, given today, the newest row id and the limits: rows of a day before
/// `.0`, and rows whose id is below `.1`. Ids grow with every new row, so keeping only the
/// newest `max_rows` ids removes the oldest rows first and leaves at most `max_rows` rows,
/// whatever else happened to the table.
pub fn prune_rule(today: i64, max_id: i64, limits: SearchLogLimits) -> (i64, i64) {
    let first_day = today - i64::from(limits.retention_days) + 1;
    let first_id = max_id - i64::from(limits.max_rows) + 1;
    (first_day, first_id)
}

fn prune(tx: &Transaction<'_>, limits: SearchLogLimits, now: OffsetDateTime) -> Result<u64> {
    let max_id: Option<i64> =
        tx.query_row("SELECT max(id) FROM search_queries", [], |r| r.get(0))?;
    let Some(max_id) = max_id else {
        return Ok(0);
    };
    let (first_day, first_id) = prune_rule(day_of(now), max_id, limits);
    let old = tx.execute(
        "DELETE FROM search_queries WHERE day < ?1",
        params![first_day],
    )?;
    let over = tx.execute(
        "DELETE FROM search_queries WHERE id < ?1",
        params![first_id],
    )?;
    Ok(u64::try_from(old + over).unwrap_or(u64::MAX))
}

impl Store {
    /// Counts a batch of searches in one transaction (blank queries are skipped), then
    /// prunes the log to `limits`.
    pub fn log_searches(&self, batch: &[SearchLogEntry], limits: SearchLogLimits) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare(
                "INSERT INTO search_queries (day, normalized, searches, zero_results, last_at)
                 VALUES (?1, ?2, 1, ?3, ?4)
                 ON CONFLICT (day, normalized) DO UPDATE SET
                     searches = searches + 1,
                     zero_results = zero_results + excluded.zero_results,
                     last_at = max(last_at, excluded.last_at)",
            )?;
            for e in batch {
                let Some(key) = e.key() else { continue };
                stmt.execute(params![
                    key.day,
                    key.normalized,
                    i64::from(e.result_count == 0),
                    unix(e.at),
                ])?;
            }
        }
        prune(&tx, limits, OffsetDateTime::now_utc())?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes what `limits` no longer keep (the batching logger calls this when idle, so
    /// old rows go even when nobody searches). Returns how many rows went.
    pub fn prune_search_log(&self, limits: SearchLogLimits, now: OffsetDateTime) -> Result<u64> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let deleted = prune(&tx, limits, now)?;
        tx.commit()?;
        Ok(deleted)
    }

    /// Counts that one search of `key` opened a result. Returns false when the row is gone
    /// (pruned) or already counts every search as opened; the click is then lost, which a
    /// log can afford.
    pub fn record_opened(&self, key: &QueryKey) -> Result<bool> {
        let changed = self.conn()?.execute(
            "UPDATE search_queries SET opened = opened + 1
             WHERE day = ?1 AND normalized = ?2 AND opened < searches",
            params![key.day, key.normalized],
        )?;
        Ok(changed == 1)
    }

    /// Rows in the log (one per query per day).
    pub fn search_log_rows(&self) -> Result<u64> {
        Ok(self
            .conn()?
            .query_row("SELECT COUNT(*) FROM search_queries", [], |r| {
                count_at(r, 0)
            })?)
    }

    /// The most frequent queries on the days since `since` (whole UTC days), most frequent
    /// first.
    pub fn top_queries(&self, since: OffsetDateTime, limit: u32) -> Result<Vec<QueryCount>> {
        self.query_counts("searches", "opened", since, limit)
    }

    /// The most frequent queries since `since` that found nothing: the gaps in the content.
    pub fn zero_result_queries(
        &self,
        since: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<QueryCount>> {
        // A search that found nothing had no result to open.
        self.query_counts("zero_results", "0", since, limit)
    }

    fn query_counts(
        &self,
        counted: &str,
        opened: &str,
        since: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<QueryCount>> {
        let conn = self.conn()?;
        let sql = format!(
            "SELECT normalized, SUM({counted}) AS n, SUM({opened}) FROM search_queries
             WHERE day >= ?1
             GROUP BY normalized HAVING n > 0 ORDER BY n DESC, normalized LIMIT ?2"
        );
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(params![day_of(since), limit], |r| {
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
    use proptest::prelude::*;
    use time::Duration;
    use uuid::Uuid;

    const WIDE: SearchLogLimits = SearchLogLimits {
        retention_days: 180,
        max_rows: 200_000,
    };

    #[test]
    fn searches_are_counted_per_query_and_day_and_clicked() {
        let (store, _dir) = store();
        let first = SearchLogEntry::new("Pod OOM", 3);
        let batch = vec![
            first.clone(),
            SearchLogEntry::new("pod   oom", 3),
            SearchLogEntry::new("vault", 0),
            SearchLogEntry::new("vault", 0),
            SearchLogEntry::new("vault", 1),
            SearchLogEntry::new("kafka", 0),
            SearchLogEntry::new("   ", 0),
        ];
        store.log_searches(&batch, WIDE).expect("log");
        assert_eq!(
            store.search_log_rows().expect("rows"),
            3,
            "one row per query"
        );
        let key = first.key().expect("not blank");
        assert!(store.record_opened(&key).expect("click"));
        assert!(store.record_opened(&key).expect("second click"));
        assert!(
            !store.record_opened(&key).expect("third click"),
            "never more opened than searched"
        );
        let gone = QueryKey {
            day: key.day - 1,
            normalized: key.normalized.clone(),
        };
        assert!(!store.record_opened(&gone).expect("unknown"));

        let since = OffsetDateTime::now_utc() - Duration::days(1);
        let top = store.top_queries(since, 10).expect("top");
        let summary: Vec<_> = top
            .iter()
            .map(|q| (q.query.as_str(), q.count, q.opened))
            .collect();
        assert_eq!(
            summary,
            [("vault", 3, 0), ("pod oom", 2, 2), ("kafka", 1, 0)]
        );
        let zero = store.zero_result_queries(since, 10).expect("zero");
        let zero: Vec<_> = zero.iter().map(|q| (q.query.as_str(), q.count)).collect();
        assert_eq!(zero, [("vault", 2), ("kafka", 1)]);
        assert_eq!(store.top_queries(since, 1).expect("limit").len(), 1);
        let future = OffsetDateTime::now_utc() + Duration::days(1);
        assert!(store.top_queries(future, 10).expect("none").is_empty());
    }

    #[test]
    fn the_same_query_on_another_day_is_another_row() {
        let (store, _dir) = store();
        let mut yesterday = SearchLogEntry::new("vault", 1);
        yesterday.at -= Duration::days(1);
        let today = SearchLogEntry::new("Vault", 1);
        store.log_searches(&[yesterday, today], WIDE).expect("log");
        assert_eq!(store.search_log_rows().expect("rows"), 2);
        let since = OffsetDateTime::now_utc() - Duration::days(2);
        assert_eq!(store.top_queries(since, 10).expect("top")[0].count, 2);
    }

    #[test]
    fn the_log_keeps_the_newest_rows_up_to_the_cap_and_the_retention() {
        let (store, _dir) = store();
        let limits = SearchLogLimits {
            retention_days: 3,
            max_rows: 5,
        };
        let mut old = SearchLogEntry::new("ancient", 1);
        old.at -= Duration::days(3);
        let mut recent = SearchLogEntry::new("recent", 1);
        recent.at -= Duration::days(2);
        store.log_searches(&[old, recent], limits).expect("log old");
        let since = OffsetDateTime::now_utc() - Duration::days(10);
        let queries = |s: &Store| -> Vec<String> {
            let mut q: Vec<_> = s
                .top_queries(since, 100)
                .expect("top")
                .into_iter()
                .map(|q| q.query)
                .collect();
            q.sort();
            q
        };
        assert_eq!(queries(&store), ["recent"], "past the retention");
        let flood: Vec<_> = (0..20)
            .map(|i| SearchLogEntry::new(&format!("flood {i:02}"), 0))
            .collect();
        store.log_searches(&flood, limits).expect("flood");
        assert_eq!(store.search_log_rows().expect("rows"), 5);
        assert_eq!(
            queries(&store),
            ["flood 15", "flood 16", "flood 17", "flood 18", "flood 19"],
            "the oldest went first"
        );
        // Idle pruning applies a tighter limit without a new search.
        let tighter = SearchLogLimits {
            retention_days: 3,
            max_rows: 2,
        };
        let deleted = store
            .prune_search_log(tighter, OffsetDateTime::now_utc())
            .expect("prune");
        assert_eq!(deleted, 3);
        assert_eq!(queries(&store), ["flood 18", "flood 19"]);
        let later = OffsetDateTime::now_utc() + Duration::days(3);
        store.prune_search_log(tighter, later).expect("prune");
        assert_eq!(store.search_log_rows().expect("rows"), 0);
    }

    #[test]
    fn the_prune_rule_keeps_whole_days_and_the_newest_ids() {
        let one = SearchLogLimits {
            retention_days: 1,
            max_rows: 1,
        };
        assert_eq!(
            prune_rule(100, 7, one),
            (100, 7),
            "today only, the newest row"
        );
        assert_eq!(prune_rule(100, 7, WIDE), (-79, 7 - 200_000 + 1));
        let day = day_of(OffsetDateTime::UNIX_EPOCH + Duration::seconds(86_399));
        assert_eq!(day, 0);
        assert_eq!(
            day_of(OffsetDateTime::UNIX_EPOCH - Duration::seconds(1)),
            -1
        );
    }

    #[test]
    fn long_queries_are_cut_to_200_characters() {
        let long = "é".repeat(400);
        let cut = normalize(&long);
        assert_eq!(cut.chars().count(), MAX_QUERY_CHARS);
        assert!(cut.chars().all(|c| c == 'é'));
        assert_eq!(normalize("  A\tB  c "), "a b c");
        let spaced = format!("{} b", "a".repeat(MAX_QUERY_CHARS - 1));
        assert_eq!(normalize(&spaced), "a".repeat(MAX_QUERY_CHARS - 1));
        assert_eq!(normalize(" \n "), "");
    }

    #[test]
    fn upgrading_folds_the_old_log_and_compacts_the_file() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join(crate::store::DB_FILE);
        {
            let mut conn = rusqlite::Connection::open(&path).expect("db");
            // The schema before the log was bounded: versions 1 and 2.
            crate::store::migrations::migrations()
                .to_version(&mut conn, 2)
                .expect("old schema");
            let tx = conn.transaction().expect("tx");
            let day = 20_000 * SECONDS_PER_DAY;
            for i in 0..3000 {
                let (query, at, found) = match i {
                    0..=2 => ("Pod OOM".to_owned(), day + i, i64::from(i == 0)),
                    3 => ("pod oom".to_owned(), day + SECONDS_PER_DAY, 1),
                    _ => (format!("flood {i} {}", "x".repeat(400)), day, 0),
                };
                tx.execute(
                    "INSERT INTO search_log (id, query, normalized, result_count, took_ms, \
                     created_at, opened_url) VALUES (?1, ?2, ?3, ?4, 0.5, ?5, ?6)",
                    params![
                        Uuid::now_v7().to_string(),
                        query,
                        query.to_lowercase(),
                        found,
                        at,
                        (i == 1).then_some("/docs/x"),
                    ],
                )
                .expect("old row");
            }
            tx.commit().expect("commit");
            conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
                .expect("checkpoint");
        }
        let before = std::fs::metadata(&path).expect("size").len();
        let store = Store::open(dir.path()).expect("upgrade");
        assert_eq!(store.search_log_rows().expect("rows"), 2 + 2996);
        let conn = store.conn().expect("conn");
        let folded: (i64, i64, i64, i64) = conn
            .query_row(
                "SELECT searches, zero_results, opened, day FROM search_queries
                 WHERE normalized = 'pod oom' ORDER BY day LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .expect("folded row");
        assert_eq!(
            folded,
            (3, 2, 1, 20_000),
            "three searches on one day, one row"
        );
        let longest: i64 = conn
            .query_row(
                "SELECT max(length(normalized)) FROM search_queries",
                [],
                |r| r.get(0),
            )
            .expect("longest");
        assert_eq!(longest, 200, "cut to 200 characters");
        drop(conn);
        // The first prune then applies the cap, and the file shrank at the upgrade.
        store
            .prune_search_log(WIDE, OffsetDateTime::now_utc())
            .expect("prune");
        let after = std::fs::metadata(&path).expect("size").len();
        assert!(after < before, "{after} bytes after, {before} before");
    }

    proptest! {
        #[test]
        fn normalised_queries_are_short_trimmed_and_stable(query in "\\PC{0,400}") {
            let n = normalize(&query);
            prop_assert!(n.chars().count() <= MAX_QUERY_CHARS);
            prop_assert_eq!(n.trim(), n.as_str());
            prop_assert!(!n.contains("  "));
            prop_assert_eq!(normalize(&n), n.clone(), "normalising twice changes nothing");
        }
    }
}
