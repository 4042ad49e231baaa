//! The content pipeline, stage by stage, at 1× (both shared corpora together):
//!
//! - `document/parse_render`: front matter + Markdown → sanitised HTML for one large page;
//! - `document/page`: that document placed in the full page shell (nav, breadcrumbs, TOC);
//! - `site/read`, `site/build`, `site/assemble`: walk + read every file; parse and render every
//!   document (`ContentState::from_files`); cross-checks and navigation (`ContentState::site`);
//! - `snapshot/from_site`: the search index over the whole site (`Snapshot::from_site`);
//! - `live/index_replace_document`: that one page replaced in the search index in place
//!   (`SearchIndex::replace_document`: what an incremental `Snapshot::next` would pay);
//! - `live/edit_one_file`: one saved file through `ContentState::apply` + `Snapshot::next`
//!   (what `serve --watch` does per save, minus the debounce).
//!
//! ```text
//! SELFSERVE_CORPUS=../shared/corpus cargo bench --bench pipeline
//! ```
//!
//! Without `SELFSERVE_CORPUS` it measures the sample content in `./content` instead, so it
//! runs anywhere. The content is copied to a temporary folder first (the edit bench writes
//! to it). Samples are kept small: a full run takes about two minutes on two cores.
//!
//! `SELFSERVE_BENCH_CONTENT=DIR` (e.g. a 10× corpus from `scripts/gen-corpus.py`) instead
//! runs each stage once over DIR, printing its time and the resident memory it added, and
//! measures nothing with criterion: the stage profile behind BENCHMARKS.md's scale figures.

#[path = "../tests/common/copy_tree.rs"]
mod copy_tree;
#[path = "support/query_shapes.rs"]
mod query_shapes;
use copy_tree::copy_tree;

use std::collections::BTreeSet;
use std::fs;
use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use selfserve::live::ContentState;
use selfserve::loader::{self, UrlMap};
use selfserve::model::Site;
use selfserve::render::PageContext;
use selfserve::search::{IndexStorage, SearchIndex};
use selfserve::snapshot::Snapshot;
use selfserve::source::{self, ContentFiles};

/// The two real corpora inside `SELFSERVE_CORPUS`.
const CORPUS_FOLDERS: &[&str] = &["gitlab-runbooks", "argocd-docs"];

/// The content to measure: a temporary copy, and what it is called in the output.
struct Content {
    root: tempfile::TempDir,
    label: &'static str,
}

fn content() -> Content {
    let root = tempfile::tempdir().expect("a temporary folder");
    let corpus = std::env::var_os("SELFSERVE_CORPUS")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    match corpus {
        Some(corpus) => {
            for name in CORPUS_FOLDERS {
                copy_tree(&corpus.join(name), &root.path().join(name))
                    .expect("SELFSERVE_CORPUS holds gitlab-runbooks/ and argocd-docs/");
            }
            Content {
                root,
                label: "corpus_1x",
            }
        }
        None => {
            eprintln!(
                "pipeline bench: SELFSERVE_CORPUS is unset; measuring ./content (set it to ../shared/corpus for the 1x figures)"
            );
            let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content");
            copy_tree(&sample, root.path()).expect("copy ./content");
            Content {
                root,
                label: "sample",
            }
        }
    }
}

/// The largest Markdown file: the worst realistic single page.
fn largest(files: &ContentFiles) -> &source::SourceFile {
    files
        .markdown
        .iter()
        .max_by_key(|f| f.bytes.len())
        .expect("the content has Markdown files")
}

fn page_context(site: &Site, url: String) -> PageContext<'_> {
    PageContext {
        site_title: &site.config.title,
        nav: &site.nav,
        current_url: url,
        viewer: None,
        csrf_token: None,
        today: time::OffsetDateTime::now_utc().date(),
        query: String::new(),
        live_generation: None,
    }
}

/// Resident memory of this process in MB (Linux; 0 elsewhere).
fn rss_mb() -> f64 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU time (user + system, all threads) this process has used, in seconds (Linux; 0
/// elsewhere). On a shared machine it says more than wall time about the work done.
fn cpu_s() -> f64 {
    fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // The fields after the command name, which is in parentheses and may hold spaces.
            let rest = s.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let user: f64 = fields.get(11)?.parse().ok()?;
            let system: f64 = fields.get(12)?.parse().ok()?;
            Some((user + system) / 100.0)
        })
        .unwrap_or(0.0)
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let before = rss_mb();
    let cpu_before = cpu_s();
    let started = Instant::now();
    let value = f();
    eprintln!(
        "pipeline bench: {what}: {:.2?} wall, {:.2} s CPU, +{:.0} MB resident (now {:.0} MB)",
        started.elapsed(),
        cpu_s() - cpu_before,
        rss_mb() - before,
        rss_mb()
    );
    value
}

/// `SELFSERVE_BENCH_CONTENT`: each stage once over a (large) content folder.
fn stage_profile(root: &Path) {
    let total = Instant::now();
    let files = timed("read every file", || {
        source::read_content(&source::ContentRoot::new(root)).expect("read content")
    });
    let bytes: usize = files.markdown.iter().map(|f| f.bytes.len()).sum();
    let count = files.markdown.len();
    let state = timed("parse and render every document", || {
        ContentState::from_files(root, files)
    });
    let site = timed("assemble the site", || state.site());
    let documents = site.documents.len();
    // As `serve` does: the index's files in a folder, searched through memory maps.
    let index_home = tempfile::tempdir().expect("a temporary folder");
    let storage = IndexStorage::in_folder(index_home.path()).expect("an index folder");
    let site = std::sync::Arc::new(site);
    let index = timed("build the search index (files in a folder)", || {
        SearchIndex::build_in(&site, &storage)
    });
    let snapshot = Snapshot {
        site,
        search: Some(index),
        pages: Default::default(),
    };
    eprintln!(
        "pipeline bench: {}: {count} Markdown files, {:.1} MB, {documents} documents, {} index entries, index files {:.0} MB; {:.1?} in all, {:.0} MB resident",
        root.display(),
        bytes as f64 / 1e6,
        snapshot.search.as_ref().map_or(0, |i| i.entry_count()),
        folder_bytes(index_home.path()) as f64 / 1e6,
        total.elapsed(),
        rss_mb()
    );
    search_percentiles(&snapshot);
    replace_timings(&snapshot);
}

/// Bytes of the files under `dir`.
fn folder_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| match e.file_type() {
                Ok(t) if t.is_dir() => folder_bytes(&e.path()),
                _ => e.metadata().map_or(0, |m| m.len()),
            })
            .sum()
    })
}

/// What an incremental index update would cost at this scale: `replace_document` (delete,
/// add, commit, reload) of the largest document, 20 times.
fn replace_timings(snapshot: &Snapshot) {
    let Some(index) = snapshot.search.as_ref() else {
        return;
    };
    let Some(doc) = snapshot
        .site
        .documents
        .values()
        .max_by_key(|d| d.body.html().len())
        .cloned()
    else {
        return;
    };
    let mut times: Vec<Duration> = (0..20)
        .map(|_| {
            let started = Instant::now();
            let _ = black_box(index.replace_document(&doc));
            started.elapsed()
        })
        .collect();
    times.sort_unstable();
    eprintln!(
        "pipeline bench: replace one document in the index ({}): p50 {:.2?}, max {:.2?}",
        doc.id,
        percentile(&times, 0.5),
        percentile(&times, 1.0)
    );
}

/// p50 / p99 of single in-process searches, per shape and over all shapes together.
fn search_percentiles(snapshot: &Snapshot) {
    let Some(index) = snapshot.search.as_ref() else {
        return;
    };
    let runs: usize = std::env::var("SELFSERVE_BENCH_SEARCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let mut all = Vec::new();
    eprintln!("pipeline bench: search, {runs} runs per shape: shape, p50, p99, total hits");
    for (name, q) in query_shapes::SHAPES {
        let request = selfserve::search::SearchRequest::new(*q);
        let total = index.search(&request).map_or(0, |r| r.total);
        let mut times: Vec<Duration> = (0..runs)
            .map(|_| {
                let started = Instant::now();
                let _ = black_box(index.search(&request));
                started.elapsed()
            })
            .collect();
        times.sort_unstable();
        all.extend_from_slice(&times);
        eprintln!(
            "pipeline bench:   {name:<18} {:>10.2?} {:>10.2?} {total:>7}",
            percentile(&times, 0.50),
            percentile(&times, 0.99)
        );
    }
    all.sort_unstable();
    eprintln!(
        "pipeline bench:   {:<18} {:>10.2?} {:>10.2?}",
        "ALL SHAPES",
        percentile(&all, 0.50),
        percentile(&all, 0.99)
    );
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p) as usize]
}

fn bench(c: &mut Criterion) {
    if let Some(dir) = std::env::var_os("SELFSERVE_BENCH_CONTENT").filter(|v| !v.is_empty()) {
        // Errors the library logs (a failed index build, say) must show in the profile.
        let _ = tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .try_init();
        stage_profile(Path::new(&dir));
        return;
    }
    let content = content();
    let root = content.root.path();

    // One pass by hand first: the figures BENCHMARKS.md quotes as "one cold build".
    let files = timed("read every file", || {
        source::read_content(&source::ContentRoot::new(root)).expect("read content")
    });
    let markdown_bytes: usize = files.markdown.iter().map(|f| f.bytes.len()).sum();
    let state = timed("parse and render every document", || {
        ContentState::from_files(root, files.clone())
    });
    let site = timed("assemble the site", || state.site());
    let snapshot = timed("build the search index", || {
        Snapshot::from_site(site.clone())
    });
    eprintln!(
        "pipeline bench: {}: {} Markdown files, {:.1} MB, {} documents, {} index entries",
        content.label,
        files.markdown.len(),
        markdown_bytes as f64 / 1e6,
        site.documents.len(),
        snapshot.search.as_ref().map_or(0, |i| i.entry_count()),
    );

    // ── one document ──
    let big = largest(&files).clone();
    let heads: Vec<_> = files
        .markdown
        .iter()
        .filter_map(|f| loader::read_head(f).ok())
        .collect();
    let urls = UrlMap::new(heads.iter());
    let mut group = c.benchmark_group("document");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(4));
    eprintln!(
        "pipeline bench: one document = {} ({} KB)",
        big.rel_path,
        big.bytes.len() / 1024
    );
    group.bench_function("parse_render", |b| {
        b.iter(|| {
            let head = loader::read_head(black_box(&big)).expect("UTF-8");
            black_box(loader::build_document(head, &urls))
        })
    });
    let doc = loader::read_head(&big)
        .ok()
        .and_then(|h| site.get_str(h.id.as_str()).cloned());
    if let Some(doc) = doc {
        let url = doc.url();
        group.bench_function("page", |b| {
            b.iter(|| {
                let ctx = page_context(&site, url.clone());
                black_box(selfserve::render::document::guide(&ctx, &site, &doc).into_string())
            })
        });
    }
    group.finish();

    // ── the whole site ──
    let mut group = c.benchmark_group(format!("site_{}", content.label));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(8));
    group.bench_function("read", |b| {
        b.iter(|| black_box(source::read_content(&source::ContentRoot::new(root)).expect("read")))
    });
    group.bench_function("build", |b| {
        b.iter_batched(
            || files.clone(),
            |files| black_box(ContentState::from_files(root, files)),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("assemble", |b| b.iter(|| black_box(state.site())));
    group.bench_function("snapshot_from_site", |b| {
        b.iter_batched(
            || site.clone(),
            |site| black_box(Snapshot::from_site(site)),
            BatchSize::LargeInput,
        )
    });
    group.finish();

    // ── one live edit ──
    let mut state = state;
    let mut current = snapshot;
    let edited = big.rel_path.clone();
    let path = root.join(&edited);
    let changed: BTreeSet<String> = [edited].into_iter().collect();
    let mut round = 0u64;
    let mut group = c.benchmark_group(format!("live_{}", content.label));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(8));
    let big_doc = loader::read_head(&big)
        .ok()
        .and_then(|h| current.site.get_str(h.id.as_str()).cloned());
    if let Some(doc) = big_doc {
        group.bench_function("index_replace_document", |b| {
            b.iter(|| {
                black_box(
                    current
                        .search
                        .as_ref()
                        .expect("built with an index")
                        .replace_document(&doc),
                )
            })
        });
    }
    group.bench_function("edit_one_file", |b| {
        b.iter(|| {
            round += 1;
            let mut file = fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .expect("open the edited file");
            writeln!(file, "\nbenchword{round}").expect("append");
            drop(file);
            let changes = state.apply(&changed);
            let mut site = state.site_after(&current.site, &changes);
            site.generation = current.site.generation + 1;
            current = Snapshot::next(&current, site);
            black_box(&current);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
