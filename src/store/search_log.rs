//! The search log: what people looked for, how often, whether it found anything, and how
//! often a result was opened.
//!
//! Anyone may search, so the log is bounded (issue 13: a flood of unique queries filled the
//! disk). A query is kept only in its normalised form, cut to [`MAX_QUERY_CHARS`]; the same
//! normalised query on one UTC day is one row with counters; rows older than the retention
//! period go, and past the row cap the oldest rows go first ([`prune_rule`]). Searches are
//! frequent and the log is not urgent, so the web layer collects entries and writes them in
//! batches ([`Store::log_searches`]), which also prunes.

use time::OffsetDateTime;

use super::db::{Conn, DbResult, args};
use super::{Result, Store};
pub use crate::records::{
    DayTotals, MAX_QUERY_CHARS, QueryCount, QueryDay, QueryKey, QueryTotals, SearchLogEntry,
    SearchLogLimits, SearchPeriod, day_of, normalize,
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

/// The lock every writer of the log takes first: the prune reads the newest id and deletes
/// below it, and two batches that upsert the same rows in different orders would deadlock
/// on PostgreSQL. The log is written in batches, so serialising them costs nothing.
const LOG_LOCK: &str = "search_log";

fn prune(tx: &mut dyn Conn, limits: SearchLogLimits, now: OffsetDateTime) -> DbResult<u64> {
    let max_id: Option<i64> = tx.query_value("SELECT max(id) FROM search_queries", &[])?;
    let Some(max_id) = max_id else {
        return Ok(0);
    };
    let (first_day, first_id) = prune_rule(day_of(now), max_id, limits);
    let old = tx.execute(
        "DELETE FROM search_queries WHERE day < ?1",
        args![first_day],
    )?;
    let over = tx.execute("DELETE FROM search_queries WHERE id < ?1", args![first_id])?;
    Ok(old + over)
}

impl Store {
    /// Counts a batch of searches in one transaction (blank queries are skipped), then
    /// prunes the log to `limits`.
    pub fn log_searches(&self, batch: &[SearchLogEntry], limits: SearchLogLimits) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        self.write(|tx| {
            tx.lock(LOG_LOCK)?;
            for e in batch {
                let Some(key) = e.key() else { continue };
                tx.execute(
                    "INSERT INTO search_queries (day, normalized, searches, zero_results, last_at)
                     VALUES (?1, ?2, 1, ?3, ?4)
                     ON CONFLICT (day, normalized) DO UPDATE SET
                         searches = search_queries.searches + 1,
                         zero_results = search_queries.zero_results + excluded.zero_results,
                         last_at = CASE WHEN excluded.last_at > search_queries.last_at
                                   THEN excluded.last_at ELSE search_queries.last_at END",
                    args![
                        key.day,
                        key.normalized,
                        i64::from(e.result_count == 0),
                        e.at,
                    ],
                )?;
            }
            prune(tx, limits, OffsetDateTime::now_utc())?;
            Ok(())
        })
    }

    /// Deletes what `limits` no longer keep (the batching logger calls this when idle, so
    /// old rows go even when nobody searches). Returns how many rows went.
    pub fn prune_search_log(&self, limits: SearchLogLimits, now: OffsetDateTime) -> Result<u64> {
        self.write(|tx| {
            tx.lock(LOG_LOCK)?;
            Ok(prune(tx, limits, now)?)
        })
    }

    /// Counts that one search of `key` opened a result. Returns false when the row is gone
    /// (pruned) or already counts every search as opened; the click is then lost, which a
    /// log can afford.
    pub fn record_opened(&self, key: &QueryKey) -> Result<bool> {
        let changed = self.read(|c| {
            Ok(c.execute(
                "UPDATE search_queries SET opened = opened + 1
                 WHERE day = ?1 AND normalized = ?2 AND opened < searches",
                args![key.day, &key.normalized],
            )?)
        })?;
        Ok(changed == 1)
    }

    /// Rows in the log (one per query per day).
    pub fn search_log_rows(&self) -> Result<u64> {
        self.read(|c| Ok(c.query_value("SELECT COUNT(*) FROM search_queries", &[])?))
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

    /// The log from `first_day` (days since the Unix epoch) on, summed per normalised query
    /// and per day, in one read: what the search insights group and chart. The rows come in
    /// query order from the covering index `search_queries_by_query` (no sort, no table
    /// reads) and are summed here in one pass: SQLite's seven aggregates over a log at its
    /// row cap (200,000 rows) cost about three times the read.
    pub fn search_period(&self, first_day: i64) -> Result<SearchPeriod> {
        self.read(|c| {
            let mut sums = PeriodSums::default();
            c.query_each(
                "SELECT normalized, day, searches, zero_results, opened, last_at
                 FROM search_queries WHERE day >= ?1 ORDER BY normalized",
                args![first_day],
                &mut |r| {
                    let figures = DayTotals {
                        day: r.get(1)?,
                        searches: r.get(2)?,
                        zero_results: r.get(3)?,
                        opened: r.get(4)?,
                        no_clicks: 0,
                    };
                    sums.add(r.text(0)?, figures, r.get(5)?);
                    Ok(())
                },
            )?;
            Ok(sums.finish())
        })
    }

    /// The rows of `queries` (normalised) from `first_day` on, one per query and day, in no
    /// particular order: the trends of the groups an insight page lists.
    pub fn search_days_of(&self, first_day: i64, queries: &[String]) -> Result<Vec<QueryDay>> {
        // Bounded lists of parameters: SQLite allows 32,766 and PostgreSQL 65,535 per query.
        const CHUNK: usize = 500;
        self.read(|c| {
            let mut rows = Vec::new();
            for chunk in queries.chunks(CHUNK) {
                let placeholders: Vec<String> =
                    (0..chunk.len()).map(|i| format!("?{}", i + 2)).collect();
                let sql = format!(
                    "SELECT normalized, day, searches, zero_results, opened,
                            CASE WHEN searches - zero_results - opened > 0
                                 THEN searches - zero_results - opened ELSE 0 END
                     FROM search_queries WHERE day >= ?1 AND normalized IN ({})",
                    placeholders.join(", ")
                );
                let mut params = vec![super::db::Value::from(first_day)];
                params.extend(chunk.iter().map(super::db::Value::from));
                rows.extend(c.query_map(&sql, &params, |r| {
                    Ok(QueryDay {
                        query: r.get(0)?,
                        figures: DayTotals {
                            day: r.get(1)?,
                            searches: r.get(2)?,
                            zero_results: r.get(3)?,
                            opened: r.get(4)?,
                            no_clicks: r.get(5)?,
                        },
                    })
                })?);
            }
            Ok(rows)
        })
    }

    fn query_counts(
        &self,
        counted: &str,
        opened: &str,
        since: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<QueryCount>> {
        // PostgreSQL sums integers as NUMERIC and reads no output alias in HAVING.
        let sql = format!(
            "SELECT normalized, CAST(SUM({counted}) AS BIGINT) AS n, CAST(SUM({opened}) AS BIGINT)
             FROM search_queries
             WHERE day >= ?1
             GROUP BY normalized HAVING SUM({counted}) > 0 ORDER BY n DESC, normalized LIMIT ?2"
        );
        self.read(|c| {
            Ok(c.query_map(&sql, args![day_of(since), limit], |r| {
                Ok(QueryCount {
                    query: r.get(0)?,
                    count: r.get(1)?,
                    opened: r.get(2)?,
                })
            })?)
        })
    }
}

/// Log rows summed, as they come in query order, per query and per day. A day's searches
/// that found something and opened nothing are counted per row, where zero-result and
/// opened searches cannot overlap into a negative figure.
#[derive(Default)]
struct PeriodSums {
    queries: Vec<QueryTotals>,
    days: std::collections::BTreeMap<i64, DayTotals>,
}

impl PeriodSums {
    fn add(&mut self, query: &str, mut f: DayTotals, last_at: i64) {
        f.no_clicks = f.searches.saturating_sub(f.zero_results + f.opened);
        let day = self.days.entry(f.day).or_insert(DayTotals {
            day: f.day,
            ..DayTotals::default()
        });
        day.searches += f.searches;
        day.zero_results += f.zero_results;
        day.opened += f.opened;
        day.no_clicks += f.no_clicks;
        let last_zero_at = (f.zero_results > 0).then_some(last_at);
        match self.queries.last_mut() {
            Some(q) if q.query == query => {
                q.searches += f.searches;
                q.zero_results += f.zero_results;
                q.opened += f.opened;
                q.no_clicks += f.no_clicks;
                q.last_at = q.last_at.max(last_at);
                q.last_zero_at = q.last_zero_at.max(last_zero_at);
            }
            _ => self.queries.push(QueryTotals {
                query: query.to_owned(),
                searches: f.searches,
                zero_results: f.zero_results,
                opened: f.opened,
                no_clicks: f.no_clicks,
                last_at,
                last_zero_at,
            }),
        }
    }

    fn finish(self) -> SearchPeriod {
        SearchPeriod {
            queries: self.queries,
            days: self.days.into_values().collect(),
        }
    }
}

#[cfg(test)]
#[path = "search_period_tests.rs"]
mod period_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::db::Database;
    use crate::store::db::sqlite::SqliteDatabase;
    use crate::store::test_support::stores;
    use proptest::prelude::*;
    use time::Duration;
    use uuid::Uuid;

    const WIDE: SearchLogLimits = SearchLogLimits {
        retention_days: 180,
        max_rows: 200_000,
    };

    #[test]
    fn searches_are_counted_per_query_and_day_and_clicked() {
        for (store, _db) in stores() {
            searches_are_counted_per_query_and_day_and_clicked_on(&store);
        }
    }

    fn searches_are_counted_per_query_and_day_and_clicked_on(store: &Store) {
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
        for (store, _db) in stores() {
            the_same_query_on_another_day_is_another_row_on(&store);
        }
    }

    fn the_same_query_on_another_day_is_another_row_on(store: &Store) {
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
        for (store, _db) in stores() {
            the_log_keeps_the_newest_rows_up_to_the_cap_and_the_retention_on(&store);
        }
    }

    fn the_log_keeps_the_newest_rows_up_to_the_cap_and_the_retention_on(store: &Store) {
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
        assert_eq!(queries(store), ["recent"], "past the retention");
        let flood: Vec<_> = (0..20)
            .map(|i| SearchLogEntry::new(&format!("flood {i:02}"), 0))
            .collect();
        store.log_searches(&flood, limits).expect("flood");
        assert_eq!(store.search_log_rows().expect("rows"), 5);
        assert_eq!(
            queries(store),
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
        assert_eq!(queries(store), ["flood 18", "flood 19"]);
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
        // SQLite only: PostgreSQL databases start past the unbounded log, and the point is
        // the file's size.
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join(crate::store::DB_FILE);
        {
            let db =
                SqliteDatabase::open(path.clone(), rusqlite::OpenFlags::default()).expect("db");
            let mut conn = db.connect().expect("conn");
            // The schema before the log was bounded: versions 1 and 2.
            crate::store::db::migrate::to_latest(
                &mut *conn,
                &crate::store::migrations::VERSIONS[..2],
            )
            .expect("old schema");
            conn.batch("BEGIN").expect("tx");
            let day = 20_000 * SECONDS_PER_DAY;
            for i in 0..3000 {
                let (query, at, found) = match i {
                    0..=2 => ("Pod OOM".to_owned(), day + i, i64::from(i == 0)),
                    3 => ("pod oom".to_owned(), day + SECONDS_PER_DAY, 1),
                    _ => (format!("flood {i} {}", "x".repeat(400)), day, 0),
                };
                conn.execute(
                    "INSERT INTO search_log (id, query, normalized, result_count, took_ms, \
                     created_at, opened_url) VALUES (?1, ?2, ?3, ?4, 0.5, ?5, ?6)",
                    args![
                        Uuid::now_v7().to_string(),
                        &query,
                        query.to_lowercase(),
                        found,
                        at,
                        (i == 1).then_some("/docs/x"),
                    ],
                )
                .expect("old row");
            }
            conn.batch("COMMIT").expect("commit");
            conn.batch("PRAGMA wal_checkpoint(TRUNCATE)")
                .expect("checkpoint");
        }
        let before = std::fs::metadata(&path).expect("size").len();
        let store = Store::open(dir.path()).expect("upgrade");
        assert_eq!(store.search_log_rows().expect("rows"), 2 + 2996);
        let (folded, longest) = store
            .read(|c| {
                let row = c.query_one(
                    "SELECT searches, zero_results, opened, day FROM search_queries
                     WHERE normalized = 'pod oom' ORDER BY day LIMIT 1",
                    &[],
                )?;
                let folded: (i64, i64, i64, i64) =
                    (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
                let longest: i64 =
                    c.query_value("SELECT max(length(normalized)) FROM search_queries", &[])?;
                Ok((folded, longest))
            })
            .expect("folded rows");
        assert_eq!(
            folded,
            (3, 2, 1, 20_000),
            "three searches on one day, one row"
        );
        assert_eq!(longest, 200, "cut to 200 characters");
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
