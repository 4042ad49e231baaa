//! Search latency over both shared corpora together, one benchmark per query shape, plus
//! p50/p99 over many single runs (criterion reports central values, not tails) and the cost
//! of replacing one document in place.
//!
//! ```text
//! SELFSERVE_CORPUS=../shared/corpus cargo bench --bench search
//! ```
//!
//! Without `SELFSERVE_CORPUS` (or `../shared/corpus` beside the project) it prints a notice.

#[path = "../tests/relevance/corpus.rs"]
mod corpus;

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use selfserve::search::{SearchIndex, SearchRequest};

/// One query per shape people type.
const SHAPES: &[(&str, &str)] = &[
    ("one_word", "pgbouncer"),
    ("two_words", "sync windows"),
    ("symptom", "postgres server ran out of disk space"),
    ("alert_name", "SidekiqQueueTooLarge"),
    ("snake_identifier", "pg_txid_xmin_age"),
    ("typo", "promethues high memroy"),
    (
        "pasted_error",
        r#"psql: error: could not connect to server: Connection refused Is the server running on host "localhost" (::1)"#,
    ),
    (
        "long_log_line",
        "2024-09-09T11:12:31Z level=error msg=\"Cannot get current offset of topic __consumer_offsets partition 46: x509: certificate has expired or is not yet valid: current time 2024-09-09T11:12:31Z is after 2024-09-01T00:00:00Z\" component=kafka-consumer retry=5",
    ),
    ("common_words", "how to check the status of the service"),
    ("no_match", "zzqxv wqpxz"),
];

fn corpus_dir() -> Option<PathBuf> {
    corpus::corpus_dir().or_else(|| {
        let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        beside.is_dir().then_some(beside)
    })
}

fn percentiles(index: &SearchIndex, request: &SearchRequest, runs: usize) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let _ = black_box(index.search(request));
            started.elapsed()
        })
        .collect();
    times.sort_unstable();
    let at = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    (at(0.50), at(0.99))
}

fn bench(c: &mut Criterion) {
    let Some(dir) = corpus_dir() else {
        eprintln!("search bench: set SELFSERVE_CORPUS to ../shared/corpus; nothing measured");
        return;
    };
    let corpus = match corpus::load(&dir) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("search bench: {e}");
            return;
        }
    };
    let started = Instant::now();
    let index = SearchIndex::build(&corpus.site);
    eprintln!(
        "search bench: {} documents, {} entries in {} segment(s) indexed in {:.0?}",
        corpus.site.documents.len(),
        index.entry_count(),
        index.segment_count(),
        started.elapsed()
    );

    eprintln!("{:<18} {:>10} {:>10} {:>6}", "shape", "p50", "p99", "total");
    for (name, q) in SHAPES {
        let request = SearchRequest::new(*q);
        let total = index.search(&request).map_or(0, |r| r.total);
        let (p50, p99) = percentiles(&index, &request, 2_000);
        eprintln!("{name:<18} {p50:>10.2?} {p99:>10.2?} {total:>6}");
    }

    let mut group = c.benchmark_group("search");
    for (name, q) in SHAPES {
        let request = SearchRequest::new(*q);
        group.bench_function(*name, |b| b.iter(|| black_box(index.search(&request))));
    }
    let mut filtered = SearchRequest::new("sync");
    filtered.kind = Some("guide".into());
    filtered.offset = Some(20);
    group.bench_function("filtered_page_3", |b| {
        b.iter(|| black_box(index.search(&filtered)))
    });
    group.finish();

    if let Some(doc) = corpus.site.get_str("argocd-docs/docs/faq") {
        let doc = doc.clone();
        c.bench_function("replace_document_faq", |b| {
            b.iter(|| black_box(index.replace_document(&doc)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
