//! The semantic leg's costs: embedding throughput (passages/s, every core), query embedding
//! latency, and nearest-passage search at 1×, 10× and 100× the corpus's passages, exact and
//! through the centroid shortlist (with its recall against exact).
//!
//! ```text
//! SELFSERVE_CORPUS=../shared/corpus cargo bench --bench semantic
//! ```
//!
//! Without the corpus it measures the sample site in `content/`. Vectors for the scale runs
//! are the corpus's own (from the vector cache the relevance harness and the search bench
//! share under `target/tmp/relevance-vectors`), copied with noise so copies are near but not equal.

#[path = "../tests/relevance/corpus.rs"]
mod corpus;

use std::collections::HashMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use selfserve::model::{DocId, Site};
use selfserve::search::semantic::{
    DIMS, Embedder, PageVectors, Quantized, SemanticLeg, VectorSet, passages,
};

/// Passages embedded for the throughput figure (a sample: the whole corpus takes minutes).
const THROUGHPUT_PASSAGES: usize = 300;

const QUERIES: &[&str] = &[
    "pgbouncer",
    "postgres server ran out of disk space",
    "disk has free space but cannot create new files",
    "dashboard panel shows no data",
    "two database nodes both think they are the leader",
    "argo cd app stuck progressing",
    "how do I roll back an application",
    "SidekiqQueueTooLarge",
];

fn site() -> Site {
    let dir = corpus::corpus_dir().or_else(|| {
        let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        beside.is_dir().then_some(beside)
    });
    match dir.map(|d| corpus::load(&d)) {
        Some(Ok(c)) => c.site,
        _ => {
            eprintln!("semantic bench: no corpus (set SELFSERVE_CORPUS); measuring ./content");
            selfserve::loader::load_site(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content"))
                .map(|(site, _)| site)
                .expect("the sample content loads")
        }
    }
}

fn percentiles(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort_unstable();
    let at = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    (at(0.50), at(0.99))
}

/// splitmix64 noise in [-1, 1).
fn noise(state: &mut u64) -> f32 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 23) as f32 - 1.0
}

/// `copies` perturbed copies of every page of `base`.
fn scaled(base: &VectorSet, copies: usize) -> VectorSet {
    let mut rng = 7u64;
    let mut pages = HashMap::new();
    for copy in 0..copies {
        for (id, page) in base.pages() {
            let passages = (0..page.len())
                .filter_map(|i| {
                    let v = page.vector(i)?;
                    let mut f: Vec<f32> = v
                        .values
                        .iter()
                        .map(|x| {
                            f32::from(*x) * v.scale
                                + if copy == 0 {
                                    0.0
                                } else {
                                    0.02 * noise(&mut rng)
                                }
                        })
                        .collect();
                    selfserve::search::semantic::model::normalise(&mut f);
                    Some((page.ords[i], page.hashes[i], Quantized::from_f32(&f)))
                })
                .collect();
            let id = if copy == 0 {
                id.clone()
            } else {
                DocId::parse(&format!("copy{copy}/{id}")).expect("id")
            };
            pages.insert(id, Arc::new(PageVectors::new(passages)));
        }
    }
    VectorSet::from_pages(pages)
}

fn bench(c: &mut Criterion) {
    let site = site();
    let embedder = Embedder::load().expect("model");
    // Throughput: a fresh leg (no cache) over a sample of real passages.
    let sample: Vec<String> = site
        .documents
        .values()
        .flat_map(|d| passages(d).into_iter().map(|(_, t)| t))
        .take(THROUGHPUT_PASSAGES)
        .collect();
    let started = Instant::now();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                while let Some(t) =
                    sample.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                {
                    black_box(embedder.embed(t).expect("embeds"));
                }
            });
        }
    });
    let took = started.elapsed();
    eprintln!(
        "semantic bench: embedded {} passages on {threads} thread(s) in {took:.1?} = {:.1} passages/s",
        sample.len(),
        sample.len() as f64 / took.as_secs_f64()
    );
    let query_times: Vec<Duration> = (0..200)
        .map(|i| {
            let q = QUERIES[i % QUERIES.len()];
            let started = Instant::now();
            black_box(embedder.embed(q).expect("embeds"));
            started.elapsed()
        })
        .collect();
    let (p50, p99) = percentiles(query_times);
    eprintln!("semantic bench: query embedding p50 {p50:.2?} p99 {p99:.2?}");

    // Nearest passages: the site's own vectors, from the shared cache.
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("relevance-vectors");
    let leg = SemanticLeg::load(Some(&cache)).expect("model");
    let started = Instant::now();
    leg.embed_site_blocking(&site).expect("embeds");
    eprintln!(
        "semantic bench: site vectors ready in {:.1?} ({} embedded, the rest cached)",
        started.elapsed(),
        leg.embedded_count()
    );
    let base = leg.vectors();
    let queries: Vec<Vec<f32>> = QUERIES
        .iter()
        .map(|q| embedder.embed(q).expect("embeds"))
        .collect();
    let mut group = c.benchmark_group("semantic");
    for copies in [1usize, 10, 100] {
        let set = if copies == 1 {
            (*base).clone()
        } else {
            scaled(&base, copies)
        };
        let times: Vec<Duration> = (0..50)
            .flat_map(|_| queries.iter())
            .map(|q| {
                let started = Instant::now();
                black_box(set.nearest(q, 30));
                started.elapsed()
            })
            .collect();
        let (p50, p99) = percentiles(times);
        eprintln!(
            "semantic bench: nearest at {copies}x ({} passages, {}): p50 {p50:.2?} p99 {p99:.2?}",
            set.passage_count(),
            if set.passage_count() > selfserve::search::semantic::vectors::EXACT_LIMIT {
                "centroid shortlist"
            } else {
                "exact"
            }
        );
        if set.passage_count() > selfserve::search::semantic::vectors::EXACT_LIMIT {
            // Recall of the shortlist: exact top 10 by scanning every page.
            let mut found = 0;
            let mut wanted = 0;
            for q in &queries {
                let mut exact: Vec<(f32, &DocId)> = set
                    .pages()
                    .iter()
                    .filter_map(|(id, p)| p.best(q).map(|(s, _)| (s, id)))
                    .collect();
                exact.sort_by(|a, b| b.0.total_cmp(&a.0));
                let approx: Vec<DocId> = set.nearest(q, 10).into_iter().map(|n| n.id).collect();
                for (_, id) in exact.iter().take(10) {
                    wanted += 1;
                    found += usize::from(approx.contains(id));
                }
            }
            eprintln!(
                "semantic bench: shortlist recall@10 at {copies}x: {:.3}",
                found as f64 / wanted as f64
            );
        }
        let q = &queries[1];
        group.bench_function(format!("nearest_{copies}x"), |b| {
            b.iter(|| set.nearest(black_box(q), 30))
        });
    }
    group.bench_function("embed_query", |b| {
        b.iter(|| embedder.embed(black_box(QUERIES[2])))
    });
    group.finish();
    let _ = DIMS;
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
