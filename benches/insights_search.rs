//! Search insights on a full log: 200,000 rows (the log's default cap) holding 1,000,000
//! searches of 50,000 distinct queries over 180 days, in SQLite. Measures what
//! `/insights/search` does per request — the period's rows read and summed, the grouping by
//! stems and typos, the trends of the listed groups, and rendering the page — for the last
//! 28 and 180 days (all rows), and prints where one run's time goes. Target: the page in
//! ≤ 200 ms. Measured on the 2-core machine, idle (2026-12-03): 28 days p50 63 ms (max 72);
//! 180 days p50 155 ms (max 171), of which reading 200,000 rows is 85 ms, grouping 37,000
//! queries of made-up words (the typo index's worst case) 45 ms, trends 6 ms, render 4 ms.
//!
//! ```text
//! cargo bench --bench insights_search
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use selfserve::insights::Period;
use selfserve::insights::search::{LISTED, SearchReport, report};
use selfserve::records::day_of;
use selfserve::render::PageContext;
use selfserve::render::insights::search::{SearchInsights, page};
use selfserve::render::insights::table::QueryParams;
use selfserve::store::Store;

// The allocator of the server binary (src/main.rs), so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

const ROWS: usize = 200_000;
const QUERIES: usize = 50_000;
const DAYS: i64 = 180;
const SEARCHES: u64 = 1_000_000;

/// 50,000 queries of one to four words from a vocabulary of 8,000 made-up words (with
/// typos and plural endings among them, so the grouping has work to do).
fn queries(rng: &mut Rng) -> Vec<String> {
    let letters = b"aeioulnrstdkmpgbcvwy";
    let vocabulary: Vec<String> = (0..8_000)
        .map(|_| {
            let len = 3 + rng.below(9);
            let mut word: String = (0..len)
                .map(|_| char::from(letters[rng.below(letters.len())]))
                .collect();
            if rng.below(10) == 0 {
                word.push('s');
            }
            word
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(QUERIES);
    while out.len() < QUERIES {
        let words = 1 + rng.below(4);
        let query: Vec<&str> = (0..words)
            .map(|_| {
                // Popular words first: the square skews choices towards the low indices.
                let r = rng.below(8_000);
                vocabulary[r * r / 8_000].as_str()
            })
            .collect();
        let query = query.join(" ");
        if seen.insert(query.clone()) {
            out.push(query);
        }
    }
    out
}

/// A store whose log holds [`ROWS`] rows summing to [`SEARCHES`] searches, up to today.
fn store(dir: &std::path::Path) -> Store {
    let store = Store::open(dir).expect("store");
    let path = store.sqlite_path().expect("sqlite").to_path_buf();
    let mut rng = Rng(11);
    let queries = queries(&mut rng);
    let today = day_of(time::OffsetDateTime::now_utc());
    let mut conn = rusqlite::Connection::open(path).expect("open");
    let tx = conn.transaction().expect("tx");
    {
        let mut insert = tx
            .prepare(
                "INSERT OR IGNORE INTO search_queries
                 (id, day, normalized, searches, zero_results, opened, last_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .expect("prepare");
        let per_row = SEARCHES as usize / ROWS;
        let mut id = 0_i64;
        let mut written = 0;
        while written < ROWS {
            let day = today - DAYS + 1 + (written as i64 * DAYS / ROWS as i64);
            let r = rng.below(QUERIES);
            let query = &queries[r * r / QUERIES];
            let searches = 1 + rng.below(2 * per_row - 1);
            let zero = if rng.below(7) == 0 { searches } else { 0 };
            let opened = if zero == 0 {
                rng.below(searches + 1)
            } else {
                0
            };
            id += 1;
            let added = insert
                .execute(rusqlite::params![
                    id,
                    day,
                    query,
                    searches as i64,
                    zero as i64,
                    opened as i64,
                    day * 86_400 + 3_600,
                ])
                .expect("insert");
            written += added;
        }
    }
    tx.commit().expect("commit");
    store
}

fn report_for(store: &Store, days: u32) -> SearchReport {
    let period = Period::of_days(days);
    let today = day_of(time::OffsetDateTime::now_utc());
    let first_day = period.first_day(today);
    let log = store.search_period(first_day).expect("period");
    let mut r = report(&log, period, today, LISTED);
    let rows = store
        .search_days_of(first_day, &r.listed_queries())
        .expect("rows");
    r.add_trends(&rows);
    r
}

fn render(r: &SearchReport) -> String {
    let params = QueryParams::default();
    let ctx = PageContext {
        site_title: "KB",
        nav: &[],
        current_url: "/insights/search".into(),
        viewer: None,
        csrf_token: Some("token".into()),
        today: time::OffsetDateTime::now_utc().date(),
        query: String::new(),
        live_generation: None,
    };
    let owners = vec!["team-platform".to_owned()];
    page(
        &ctx,
        &SearchInsights {
            report: r,
            params: &params,
            is_admin: true,
            owners: &owners,
            gap_pages: &Default::default(),
        },
    )
    .into_string()
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("dir");
    let started = Instant::now();
    let store = store(dir.path());
    let r = report_for(&store, 180);
    eprintln!(
        "generated {} rows, {} searches, {} queries in {} groups, in {:.1?}",
        store.search_log_rows().expect("rows"),
        r.totals.searches,
        r.totals.queries,
        r.totals.groups,
        started.elapsed()
    );
    for days in [28, 180] {
        let mut runs: Vec<Duration> = (0..15)
            .map(|_| {
                let t = Instant::now();
                black_box(render(&report_for(&store, days)));
                t.elapsed()
            })
            .collect();
        runs.sort();
        // One run in its steps, to see where the time goes.
        let period = Period::of_days(days);
        let today = day_of(time::OffsetDateTime::now_utc());
        let first_day = period.first_day(today);
        let t = Instant::now();
        let log = store.search_period(first_day).expect("period");
        let read = t.elapsed();
        let t = Instant::now();
        black_box(selfserve::insights::search::group(&log.queries));
        let grouping = t.elapsed();
        let t = Instant::now();
        let mut r = report(&log, period, today, LISTED);
        let reporting = t.elapsed();
        let t = Instant::now();
        let rows = store
            .search_days_of(first_day, &r.listed_queries())
            .expect("rows");
        r.add_trends(&rows);
        let trends = t.elapsed();
        let t = Instant::now();
        black_box(render(&r));
        let rendering = t.elapsed();
        eprintln!(
            "page data + render, {days} days: p50 {:.1?}, max {:.1?}; one run: read {read:.1?}, \
             grouping {} queries {grouping:.1?} (report with it {reporting:.1?}), trends {trends:.1?}, \
             render {rendering:.1?}",
            runs[runs.len() / 2],
            runs[runs.len() - 1],
            log.queries.len(),
        );
    }
    let mut group = c.benchmark_group("insights_search");
    group.sample_size(10);
    for days in [28, 180] {
        group.bench_function(format!("page {days} days"), |b| {
            b.iter(|| black_box(render(&report_for(&store, days))))
        });
    }
    group.bench_function("read only, 180 days", |b| {
        let today = day_of(time::OffsetDateTime::now_utc());
        b.iter(|| black_box(store.search_period(today - DAYS + 1).expect("period")))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
