//! Tests of the search log's period reads (the search insights' figures), on both backends.

use super::*;
use crate::store::test_support::stores;
use time::Duration;

const WIDE: SearchLogLimits = SearchLogLimits {
    retention_days: 180,
    max_rows: 200_000,
};

fn entry(query: &str, results: u64, days_ago: i64) -> SearchLogEntry {
    let mut e = SearchLogEntry::new(query, results);
    e.at -= Duration::days(days_ago);
    e
}

#[test]
fn a_period_is_summed_per_query_and_per_day() {
    for (store, _db) in stores() {
        a_period_is_summed_per_query_and_per_day_on(&store);
    }
}

fn a_period_is_summed_per_query_and_per_day_on(store: &Store) {
    let today_vault = entry("vault", 2, 0);
    let batch = vec![
        today_vault.clone(),
        entry("Vault", 2, 0),
        entry("vault", 0, 0),
        entry("vault", 0, 1),
        entry("vault", 3, 1),
        entry("kafka", 1, 1),
        // Before the period: not counted.
        entry("vault", 0, 5),
        entry("ancient", 0, 5),
    ];
    store.log_searches(&batch, WIDE).expect("log");
    let key = today_vault.key().expect("not blank");
    assert!(store.record_opened(&key).expect("click"));

    let today = day_of(OffsetDateTime::now_utc());
    let period = store.search_period(today - 1).expect("period");
    let mut queries = period.queries.clone();
    queries.sort_by(|a, b| a.query.cmp(&b.query));
    let figures: Vec<_> = queries
        .iter()
        .map(|q| {
            (
                q.query.as_str(),
                q.searches,
                q.zero_results,
                q.opened,
                q.no_clicks,
            )
        })
        .collect();
    // vault today: 3 searches, 1 found nothing, 1 opened → 1 without a click; yesterday: 2
    // searches, 1 found nothing → 1 without a click.
    assert_eq!(figures, [("kafka", 1, 0, 0, 1), ("vault", 5, 2, 1, 2)]);
    let vault = &queries[1];
    assert_eq!(
        vault.last_zero_at,
        Some(vault.last_at),
        "today found nothing once"
    );
    assert_eq!(
        queries[0].last_zero_at, None,
        "kafka always found something"
    );

    let days: Vec<_> = period
        .days
        .iter()
        .map(|d| (d.day, d.searches, d.zero_results, d.opened, d.no_clicks))
        .collect();
    assert_eq!(days, [(today - 1, 3, 1, 0, 2), (today, 3, 1, 1, 1)]);

    let wanted = ["vault".to_owned(), "nothing".to_owned()];
    let mut rows = store.search_days_of(today - 1, &wanted).expect("days of");
    rows.sort_by_key(|r| r.figures.day);
    let rows: Vec<_> = rows
        .iter()
        .map(|r| (r.query.as_str(), r.figures.day, r.figures.searches))
        .collect();
    assert_eq!(rows, [("vault", today - 1, 2), ("vault", today, 3)]);
    assert!(
        store
            .search_days_of(today, &[])
            .expect("no queries")
            .is_empty()
    );
    assert_eq!(
        store.search_period(today + 1).expect("future"),
        SearchPeriod::default()
    );
}

#[test]
fn long_lists_of_queries_are_read_in_chunks() {
    for (store, _db) in stores() {
        let batch: Vec<_> = (0..1200).map(|i| entry(&format!("q{i}"), 1, 0)).collect();
        store.log_searches(&batch, WIDE).expect("log");
        let wanted: Vec<String> = (0..1200).map(|i| format!("q{i}")).collect();
        let today = day_of(OffsetDateTime::now_utc());
        assert_eq!(
            store.search_days_of(today, &wanted).expect("rows").len(),
            1200
        );
    }
}
