//! Click feedback: which pages searchers of a query chose, so search can lift them for that
//! query (issue 14).
//!
//! Queries are kept in the search log's normalised form ([`super::search_log::normalize`]).
//! Per query, `click_queries` counts the searches that chose any result and `click_pages`
//! weighs each chosen page; both decay with a half-life of [`HALF_LIFE_DAYS`] (applied in
//! Rust when a row is updated or read, so nothing rewrites the table to age it). The web
//! layer counts a page at most once per search, so one search clicked many times is one
//! choice, and a query lifts nothing until [`MIN_SEARCHES`] searches chose something
//! ([`shares`]). Anyone may search, so both tables are bounded like the search log: rows
//! untouched for the retention period go, and past the row cap the least recently chosen
//! go first.

use time::OffsetDateTime;

use super::db::{Conn, DbResult, Row, args};
use super::search_log::{SearchLogLimits, normalize};
use super::{Result, Store};
pub use crate::records::{Choice, PageFeedback, QueryFeedback};

/// Days after which a choice counts half.
pub const HALF_LIFE_DAYS: f64 = 30.0;

/// Searches (decayed) that must have chosen a result before a query lifts anything.
pub const MIN_SEARCHES: f64 = 3.0;

/// How far below [`MIN_SEARCHES`] a decayed count may be and still count: three choices
/// made minutes apart have decayed by a millionth, which must not hold the query back.
const MIN_SEARCHES_SLACK: f64 = 0.01;

/// Most rows kept in each click table, whatever `[search_log] max_rows` allows: the
/// server holds every lifting query in memory (about 500 bytes each at worst), so this
/// bounds that to ~25 MB. A site has far fewer queries that several people searched.
pub const MAX_ROWS: u32 = 50_000;

/// Longest page id kept (ids longer than this are not recorded).
const MAX_PAGE_CHARS: usize = 1000;

const SECONDS_PER_DAY: f64 = 86_400.0;

/// `weight` recorded at `last_at`, decayed to `now` (a `last_at` in the future counts as now).
pub fn decayed(weight: f64, last_at: i64, now: i64) -> f64 {
    let age_days = (now - last_at).max(0) as f64 / SECONDS_PER_DAY;
    weight * 0.5f64.powf(age_days / HALF_LIFE_DAYS)
}

/// Each page's share of a query's choices, given the query's decayed searches and its
/// pages' decayed weights; empty (no lift) while fewer than [`MIN_SEARCHES`] searches chose
/// anything.
pub fn shares(searches: f64, weights: &[f64]) -> Vec<f64> {
    let total: f64 = weights.iter().filter(|w| w.is_finite()).sum();
    if searches + MIN_SEARCHES_SLACK < MIN_SEARCHES || total <= 0.0 {
        return Vec::new();
    }
    weights
        .iter()
        .map(|w| {
            if w.is_finite() {
                (w / total).clamp(0.0, 1.0)
            } else {
                0.0
            }
        })
        .collect()
}

/// Rows kept in each click table under `limits`.
pub fn row_cap(limits: SearchLogLimits) -> u32 {
    limits.max_rows.min(MAX_ROWS)
}

/// Adds `add` to the decayed value of a row, returning the new value.
fn bump(old: Option<(f64, i64)>, add: f64, now: i64) -> f64 {
    old.map_or(0.0, |(w, at)| decayed(w, at, now)) + add
}

/// The lock every writer of the click tables takes first. A batch reads each query's and
/// page's decayed weight and writes it back, then prunes by count; on PostgreSQL two
/// replicas doing that at once could lose a choice or deadlock over each other's rows.
/// Batches are written by one logger per replica, so serialising them costs nothing.
const CLICKS_LOCK: &str = "search_clicks";

/// A row's decayed value and time, as `(value, last_at)`.
fn weight_at(row: Option<Row>) -> DbResult<Option<(f64, i64)>> {
    row.map(|r| Ok((r.get(0)?, r.get(1)?))).transpose()
}

fn prune(tx: &mut dyn Conn, limits: SearchLogLimits, now: OffsetDateTime) -> DbResult<u64> {
    let oldest = now.unix_timestamp() - i64::from(limits.retention_days) * 86_400;
    let mut deleted = 0;
    for (table, key) in [
        ("click_queries", "normalized"),
        ("click_pages", "normalized, page"),
    ] {
        deleted += tx.execute(
            &format!("DELETE FROM {table} WHERE last_at < ?1"),
            args![oldest],
        )?;
        // Past the cap, the least recently chosen go first.
        let rows: u64 = tx.query_value(&format!("SELECT COUNT(*) FROM {table}"), &[])?;
        let excess = rows.saturating_sub(u64::from(row_cap(limits)));
        if excess > 0 {
            deleted += tx.execute(
                &format!(
                    "DELETE FROM {table} WHERE ({key}) IN (SELECT {key} FROM {table}
                     ORDER BY last_at, {key} LIMIT ?1)"
                ),
                args![excess],
            )?;
        }
    }
    // A page row whose query went would lift nothing; drop it so the cap stays honest.
    deleted += tx.execute(
        "DELETE FROM click_pages WHERE normalized NOT IN (SELECT normalized FROM click_queries)",
        &[],
    )?;
    Ok(deleted)
}

impl Store {
    /// Records a batch of chosen results in one transaction (blank queries and overlong
    /// page ids are skipped), then prunes to `limits`.
    pub fn record_choices(&self, batch: &[Choice], limits: SearchLogLimits) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        self.write(|tx| {
            tx.lock(CLICKS_LOCK)?;
            for choice in batch {
                let query = normalize(&choice.query);
                if query.is_empty() || choice.page.is_empty() || choice.page.len() > MAX_PAGE_CHARS
                {
                    continue;
                }
                let at = choice.at.unix_timestamp();
                let old_query = weight_at(tx.query_opt(
                    "SELECT searches, last_at FROM click_queries WHERE normalized = ?1",
                    args![&query],
                )?)?;
                let searches = bump(old_query, f64::from(u8::from(choice.first_of_search)), at);
                let query_at = old_query.map_or(at, |(_, last)| last.max(at));
                tx.execute(
                    "INSERT INTO click_queries (normalized, searches, last_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (normalized) DO UPDATE SET
                         searches = excluded.searches, last_at = excluded.last_at",
                    args![&query, searches, query_at],
                )?;
                let old_page = weight_at(tx.query_opt(
                    "SELECT weight, last_at FROM click_pages WHERE normalized = ?1 AND page = ?2",
                    args![&query, &choice.page],
                )?)?;
                let weight = bump(old_page, 1.0, at);
                let page_at = old_page.map_or(at, |(_, last)| last.max(at));
                tx.execute(
                    "INSERT INTO click_pages (normalized, page, weight, last_at)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (normalized, page) DO UPDATE SET
                         weight = excluded.weight, last_at = excluded.last_at",
                    args![&query, &choice.page, weight, page_at],
                )?;
            }
            prune(tx, limits, OffsetDateTime::now_utc())?;
            Ok(())
        })
    }

    /// Deletes what `limits` no longer keep (called hourly by the search logger). Returns
    /// how many rows went.
    pub fn prune_choices(&self, limits: SearchLogLimits, now: OffsetDateTime) -> Result<u64> {
        self.write(|tx| {
            tx.lock(CLICKS_LOCK)?;
            Ok(prune(tx, limits, now)?)
        })
    }

    /// The feedback of one query (typed or normalised), decayed to `now`; `None` when no
    /// search of it chose anything.
    pub fn query_feedback(
        &self,
        query: &str,
        now: OffsetDateTime,
    ) -> Result<Option<QueryFeedback>> {
        let query = normalize(query);
        if query.is_empty() {
            return Ok(None);
        }
        Ok(self.feedback_where(Some(&query), now)?.pop())
    }

    /// Every query's feedback decayed to `now`, most searched first.
    pub fn all_feedback(&self, now: OffsetDateTime) -> Result<Vec<QueryFeedback>> {
        self.feedback_where(None, now)
    }

    fn feedback_where(
        &self,
        query: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Vec<QueryFeedback>> {
        let now = now.unix_timestamp();
        let rows = self.read(|c| {
            Ok(c.query_map(
                "SELECT q.normalized, q.searches, q.last_at, p.page, p.weight, p.last_at
                 FROM click_queries q JOIN click_pages p ON p.normalized = q.normalized
                 WHERE CAST(?1 AS TEXT) IS NULL OR q.normalized = ?1
                 ORDER BY q.normalized",
                args![query],
                |r| {
                    Ok((
                        r.get::<String>(0)?,
                        decayed(r.get(1)?, r.get(2)?, now),
                        r.get::<String>(3)?,
                        decayed(r.get(4)?, r.get(5)?, now),
                    ))
                },
            )?)
        })?;
        let mut out: Vec<QueryFeedback> = Vec::new();
        for (query, searches, page, weight) in rows {
            if out.last().is_none_or(|q| q.query != query) {
                out.push(QueryFeedback {
                    query,
                    searches,
                    lifting: false,
                    pages: Vec::new(),
                });
            }
            if let Some(last) = out.last_mut() {
                last.pages.push(PageFeedback {
                    page,
                    weight,
                    share: 0.0,
                });
            }
        }
        for q in &mut out {
            let weights: Vec<f64> = q.pages.iter().map(|p| p.weight).collect();
            let shared = shares(q.searches, &weights);
            q.lifting = !shared.is_empty();
            for (page, share) in q.pages.iter_mut().zip(shared) {
                page.share = share;
            }
            q.pages
                .sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.page.cmp(&b.page)));
        }
        out.sort_by(|a, b| {
            b.searches
                .total_cmp(&a.searches)
                .then(a.query.cmp(&b.query))
        });
        Ok(out)
    }

    /// Rows in the two click tables (queries, pages).
    pub fn choice_rows(&self) -> Result<(u64, u64)> {
        self.read(|c| {
            let queries = c.query_value("SELECT COUNT(*) FROM click_queries", &[])?;
            let pages = c.query_value("SELECT COUNT(*) FROM click_pages", &[])?;
            Ok((queries, pages))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::stores;
    use proptest::prelude::*;
    use time::Duration;

    const WIDE: SearchLogLimits = SearchLogLimits {
        retention_days: 180,
        max_rows: 200_000,
    };

    fn choice(query: &str, page: &str, first: bool) -> Choice {
        Choice {
            query: query.into(),
            page: page.into(),
            first_of_search: first,
            at: OffsetDateTime::now_utc(),
        }
    }

    fn summary(f: &QueryFeedback) -> Vec<(String, f64, f64)> {
        let round = |x: f64| (x * 100.0).round() / 100.0;
        f.pages
            .iter()
            .map(|p| (p.page.clone(), round(p.weight), round(p.share)))
            .collect()
    }

    #[test]
    fn a_query_lifts_only_after_three_searches_chose_something() {
        for (store, _db) in stores() {
            a_query_lifts_only_after_three_searches_chose_something_on(&store);
        }
    }

    fn a_query_lifts_only_after_three_searches_chose_something_on(store: &Store) {
        let now = OffsetDateTime::now_utc();
        // One search choosing three pages is one search.
        let one_search = [
            choice("Disk Full", "runbooks/inodes", true),
            choice("disk  full", "runbooks/disk", false),
            choice("disk full", "runbooks/inodes", false),
        ];
        store.record_choices(&one_search, WIDE).expect("record");
        let f = store
            .query_feedback("DISK FULL", now)
            .expect("read")
            .expect("some");
        assert!(!f.lifting, "{f:?}");
        assert!(f.pages.iter().all(|p| p.share == 0.0));
        store
            .record_choices(
                &[
                    choice("disk full", "runbooks/inodes", true),
                    choice("disk full", "runbooks/inodes", true),
                ],
                WIDE,
            )
            .expect("record");
        let f = store
            .query_feedback("disk full", now)
            .expect("read")
            .expect("some");
        assert!(f.lifting, "{f:?}");
        assert_eq!((f.searches * 100.0).round(), 300.0);
        assert_eq!(
            summary(&f),
            [
                ("runbooks/inodes".to_owned(), 4.0, 0.8),
                ("runbooks/disk".to_owned(), 1.0, 0.2)
            ]
        );
        assert_eq!(store.query_feedback("other", now).expect("read"), None);
        assert_eq!(store.query_feedback("  ", now).expect("read"), None);
        let all = store.all_feedback(now).expect("all");
        assert_eq!(all.len(), 1);
    }

    #[test]
    fn old_choices_count_less_and_a_recent_favourite_wins() {
        for (store, _db) in stores() {
            old_choices_count_less_and_a_recent_favourite_wins_on(&store);
        }
    }

    fn old_choices_count_less_and_a_recent_favourite_wins_on(store: &Store) {
        let long_ago = OffsetDateTime::now_utc() - Duration::days(60);
        let mut old: Vec<Choice> = (0..4)
            .map(|_| choice("vault sealed", "guides/old", true))
            .collect();
        for c in &mut old {
            c.at = long_ago;
        }
        store.record_choices(&old, WIDE).expect("old");
        let recent: Vec<Choice> = (0..2)
            .map(|_| choice("vault sealed", "guides/new", true))
            .collect();
        store.record_choices(&recent, WIDE).expect("recent");
        let f = store
            .query_feedback("vault sealed", OffsetDateTime::now_utc())
            .expect("read")
            .expect("some");
        // 4 choices two half-lives ago weigh 1; the 2 recent ones weigh 2.
        assert_eq!(
            summary(&f),
            [
                ("guides/new".to_owned(), 2.0, 0.67),
                ("guides/old".to_owned(), 1.0, 0.33)
            ]
        );
        assert_eq!((f.searches * 100.0).round(), 300.0);
    }

    #[test]
    fn clicks_are_pruned_by_age_and_to_the_cap() {
        for (store, _db) in stores() {
            clicks_are_pruned_by_age_and_to_the_cap_on(&store);
        }
    }

    fn clicks_are_pruned_by_age_and_to_the_cap_on(store: &Store) {
        let limits = SearchLogLimits {
            retention_days: 3,
            max_rows: 4,
        };
        let mut old = choice("ancient", "a", true);
        old.at -= Duration::days(4);
        store.record_choices(&[old], limits).expect("old");
        assert_eq!(
            store.choice_rows().expect("rows"),
            (0, 0),
            "past the retention"
        );
        let flood: Vec<Choice> = (0..10)
            .map(|i| {
                let mut c = choice(&format!("flood {i}"), "p", true);
                c.at += Duration::seconds(i);
                c
            })
            .collect();
        store.record_choices(&flood, limits).expect("flood");
        assert_eq!(store.choice_rows().expect("rows"), (4, 4));
        let mut kept: Vec<String> = store
            .all_feedback(OffsetDateTime::now_utc())
            .expect("all")
            .into_iter()
            .map(|f| f.query)
            .collect();
        kept.sort();
        assert_eq!(
            kept,
            ["flood 6", "flood 7", "flood 8", "flood 9"],
            "oldest went first"
        );
        let later = OffsetDateTime::now_utc() + Duration::days(4);
        assert_eq!(store.prune_choices(limits, later).expect("prune"), 8);
        assert_eq!(store.choice_rows().expect("rows"), (0, 0));
    }

    #[test]
    fn the_click_tables_keep_at_most_their_own_cap() {
        assert_eq!(row_cap(WIDE), MAX_ROWS);
        let small = SearchLogLimits {
            retention_days: 1,
            max_rows: 10,
        };
        assert_eq!(row_cap(small), 10);
    }

    #[test]
    fn blank_queries_and_huge_ids_are_not_recorded() {
        for (store, _db) in stores() {
            blank_queries_and_huge_ids_are_not_recorded_on(&store);
        }
    }

    fn blank_queries_and_huge_ids_are_not_recorded_on(store: &Store) {
        let huge = "x".repeat(MAX_PAGE_CHARS + 1);
        store
            .record_choices(&[choice(" \t", "a", true), choice("q", &huge, true)], WIDE)
            .expect("record");
        assert_eq!(store.choice_rows().expect("rows"), (0, 0));
    }

    #[test]
    fn decay_halves_each_half_life() {
        let day = 86_400;
        assert_eq!(decayed(8.0, 0, 0), 8.0);
        assert!((decayed(8.0, 0, 30 * day) - 4.0).abs() < 1e-9);
        assert!((decayed(8.0, 0, 90 * day) - 1.0).abs() < 1e-9);
        assert_eq!(decayed(8.0, 10, 0), 8.0, "a future time counts as now");
        assert!(shares(2.5, &[1.0]).is_empty());
        assert_eq!(shares(2.995, &[1.0, 3.0]), [0.25, 0.75]);
        assert!(shares(5.0, &[0.0]).is_empty());
    }

    proptest! {
        #[test]
        fn decay_never_grows_and_shares_sum_to_one(
            w in 0.0f64..1e6, age in 0i64..10_000_000_000, later in 0i64..1_000_000,
            searches in 0.0f64..100.0, weights in proptest::collection::vec(0.0f64..100.0, 0..20),
        ) {
            let d = decayed(w, 0, age);
            prop_assert!(d <= w && d >= 0.0);
            prop_assert!(decayed(w, 0, age + later) <= d);
            let s = shares(searches, &weights);
            if !s.is_empty() {
                prop_assert!(searches + MIN_SEARCHES_SLACK >= MIN_SEARCHES);
                prop_assert_eq!(s.len(), weights.len());
                prop_assert!(s.iter().all(|x| (0.0..=1.0).contains(x)));
                prop_assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            }
        }
    }
}
