//! Search latency over both shared corpora together, one benchmark per query shape, plus
//! p50/p99 over many single runs (criterion reports central values, not tails) and the cost
//! of replacing one document in place. Each shape is timed lexically and hybrid (the
//! semantic leg through `search_with`), the latter twice: with the query's vector already
//! remembered (a repeated query) and with a query the leg has never seen (embedded in the
//! search: the shape's text plus a unique number).
//!
//! ```text
//! SELFSERVE_CORPUS=../shared/corpus cargo bench --bench search
//! ```
//!
//! Without `SELFSERVE_CORPUS` (or `../shared/corpus` beside the project) it prints a notice.

#[path = "../tests/relevance/corpus.rs"]
mod corpus;
#[path = "support/query_shapes.rs"]
mod query_shapes;

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use query_shapes::SHAPES;
use selfserve::search::semantic::SemanticLeg;
use selfserve::search::{Ranking, SearchIndex, SearchRequest};

fn corpus_dir() -> Option<PathBuf> {
    corpus::corpus_dir().or_else(|| {
        let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        beside.is_dir().then_some(beside)
    })
}

/// Runs of each shape for the tail figures (first-time hybrid queries embed each time).
const RUNS: usize = 2_000;
const FIRST_TIME_RUNS: usize = 200;

fn percentiles(index: &SearchIndex, request: &SearchRequest, runs: usize) -> (Duration, Duration) {
    tails((0..runs).map(|_| {
        let started = Instant::now();
        let _ = black_box(index.search(request));
        started.elapsed()
    }))
}

/// p50 and p99 of `times`.
fn tails(times: impl Iterator<Item = Duration>) -> (Duration, Duration) {
    let mut times: Vec<Duration> = times.collect();
    times.sort_unstable();
    let at = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    (at(0.50), at(0.99))
}

/// The semantic leg over `site`, its vectors from the cache the relevance harness shares
/// (embedding the whole corpus into it on the first run: minutes).
fn semantic_leg(site: &selfserve::model::Site) -> Option<SemanticLeg> {
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("relevance-vectors");
    if let Err(e) = std::fs::create_dir_all(&cache) {
        eprintln!(
            "search bench: cannot create {}: {e}; hybrid not measured",
            cache.display()
        );
        return None;
    }
    let started = Instant::now();
    let leg = match SemanticLeg::load(Some(&cache)) {
        Ok(leg) => leg,
        Err(e) => {
            eprintln!("search bench: {e}; hybrid not measured");
            return None;
        }
    };
    let loaded = started.elapsed();
    if let Err(e) = leg.embed_site_blocking(site) {
        eprintln!("search bench: {e}; hybrid not measured");
        return None;
    }
    eprintln!(
        "search bench: model loaded in {loaded:.1?}; {} passages ready in {:.1?} ({} embedded now, the rest from {})",
        leg.vectors().passage_count(),
        started.elapsed() - loaded,
        leg.embedded_count(),
        cache.display()
    );
    Some(leg)
}

/// Lexical, hybrid (query vector remembered) and hybrid (query never seen) p50/p99 of every
/// shape, and over all shapes together.
fn hybrid_tails(index: &SearchIndex, leg: &SemanticLeg) {
    let ranking = Ranking {
        semantic: Some(leg),
        ..Ranking::default()
    };
    let legs = index
        .search_with(&SearchRequest::new("pgbouncer"), &ranking)
        .map(|r| r.legs.join(","))
        .unwrap_or_default();
    eprintln!("search bench: hybrid legs answering: {legs}");
    eprintln!(
        "{:<18} {:>19} {:>19} {:>19}",
        "shape", "lexical p50/p99", "hybrid p50/p99", "hybrid new p50/p99"
    );
    let (mut all_lex, mut all_hyb, mut all_new) = (Vec::new(), Vec::new(), Vec::new());
    let mut unique = 0u64;
    for (name, q) in SHAPES {
        let request = SearchRequest::new(*q);
        let time = |request: &SearchRequest, ranking: &Ranking<'_>| {
            let started = Instant::now();
            let _ = black_box(index.search_with(request, ranking));
            started.elapsed()
        };
        let lexical: Vec<Duration> = (0..RUNS)
            .map(|_| time(&request, &Ranking::default()))
            .collect();
        // The first run embeds the query; the rest find its vector remembered.
        let _ = index.search_with(&request, &ranking);
        let hybrid: Vec<Duration> = (0..RUNS).map(|_| time(&request, &ranking)).collect();
        let fresh: Vec<Duration> = (0..FIRST_TIME_RUNS)
            .map(|_| {
                unique += 1;
                time(
                    &SearchRequest::new(format!("{q} {}", 900_000 + unique)),
                    &ranking,
                )
            })
            .collect();
        let show = |t: &[Duration]| {
            let (p50, p99) = tails(t.iter().copied());
            format!("{:>8.2?} / {:>8.2?}", p50, p99)
        };
        eprintln!(
            "{name:<18} {:>19} {:>19} {:>19}",
            show(&lexical),
            show(&hybrid),
            show(&fresh)
        );
        all_lex.extend(lexical);
        all_hyb.extend(hybrid);
        all_new.extend(fresh);
    }
    let show = |t: Vec<Duration>| {
        let (p50, p99) = tails(t.into_iter());
        format!("{:>8.2?} / {:>8.2?}", p50, p99)
    };
    eprintln!(
        "{:<18} {:>19} {:>19} {:>19}",
        "all shapes",
        show(all_lex),
        show(all_hyb),
        show(all_new)
    );
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
        let (p50, p99) = percentiles(&index, &request, RUNS);
        eprintln!("{name:<18} {p50:>10.2?} {p99:>10.2?} {total:>6}");
    }
    if std::env::var_os("SELFSERVE_SEMANTIC").is_some_and(|v| v == "off") {
        eprintln!("search bench: SELFSERVE_SEMANTIC=off; hybrid not measured");
    } else if let Some(leg) = semantic_leg(&corpus.site) {
        hybrid_tails(&index, &leg);
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
