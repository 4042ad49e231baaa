//! Qualification speed on generated data: the `qualified?` decision end to end (look the
//! learner up, read their passes through the covering index, decide) against 10,000 learners
//! and 1,000,000 stored attempts, and the admin matrix page (read, decide, filter, render)
//! for 500 learners × 30 resources. Criterion reports central values; the p50/p99 lines
//! printed first come from many single runs, because the targets are tails.
//!
//! ```text
//! cargo bench --bench qualify          # targets: qualified? p99 < 2 ms, matrix page < 100 ms
//! ```
//!
//! The databases are generated once per run, each in one transaction, in temporary folders.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use selfserve::loader::build_site;
use selfserve::model::{DocId, Site};
use selfserve::qualify::matrix::{Catalog, SortKey, View, matrix};
use selfserve::qualify::{History, Requirements, decide};
use selfserve::render::{PageContext, Viewer, qualifications};
use selfserve::source::{ContentFiles, SourceFile};
use selfserve::store::{NewAttempt, Store, UserName};
use time::OffsetDateTime;

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

const MODULES: usize = 60;
const PATHS: usize = 20;
const RESOURCES: usize = 30;
const ATTEMPTS_PER_LEARNER: usize = 100;

/// 60 modules (every fifth at version 2), 20 paths of 3–5 modules (every fourth requiring the
/// one before), 30 resources requiring 1–2 paths, valid for a year.
fn site() -> Site {
    let mut rng = Rng(7);
    let mut files = Vec::new();
    let mut add = |path: String, text: String| {
        files.push(SourceFile {
            rel_path: path,
            bytes: text.into_bytes(),
        })
    };
    for m in 0..MODULES {
        let version = if m.is_multiple_of(5) { 2 } else { 1 };
        add(
            format!("training/modules/m{m}.md"),
            format!("---\nid: m{m}\ntitle: Module {m}\nversion: {version}\n---\nLesson.\n"),
        );
    }
    for p in 0..PATHS {
        let modules: Vec<String> = (0..3 + rng.below(3))
            .map(|_| format!("m{}", rng.below(MODULES)))
            .collect();
        let requires = if p % 4 == 3 {
            format!("requires: [p{}]\n", p - 1)
        } else {
            String::new()
        };
        add(
            format!("training/paths/p{p}.md"),
            format!(
                "---\nid: p{p}\ntitle: Path {p}\nmodules: [{}]\n{requires}---\nWhy.\n",
                modules.join(", ")
            ),
        );
    }
    for r in 0..RESOURCES {
        let paths: Vec<String> = (0..1 + rng.below(2))
            .map(|_| format!("p{}", rng.below(PATHS)))
            .collect();
        add(
            format!("resources/r{r}.md"),
            format!(
                "---\nid: r{r}\ntitle: Resource {r}\nrequires: [{}]\nvalid_for: 365d\nself_serve: https://portal.example.com/r{r}\n---\nWhat.\n",
                paths.join(", ")
            ),
        );
    }
    build_site(ContentFiles {
        markdown: files,
        assets: Default::default(),
        site_toml: None,
        problems: Vec::new(),
    })
    .0
}

/// A store with `learners` accounts and 100 attempts each over the last two years
/// (60% passes, one in ten at an outdated version).
fn store(dir: &std::path::Path, learners: usize) -> (Store, Vec<UserName>) {
    let store = Store::open(dir).expect("store");
    let names: Vec<UserName> = (0..learners)
        .map(|n| UserName::parse(&format!("learner{n:05}")).expect("name"))
        .collect();
    let ids = store.create_users_bulk(&names, false).expect("users");
    let module_ids: Vec<String> = (0..MODULES).map(|m| format!("m{m}")).collect();
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let mut rng = Rng(42);
    let mut rows = Vec::with_capacity(learners * ATTEMPTS_PER_LEARNER);
    for id in &ids {
        for _ in 0..ATTEMPTS_PER_LEARNER {
            let m = rng.below(MODULES);
            let passed = rng.below(10) < 6;
            let current = if m.is_multiple_of(5) { 2 } else { 1 };
            let version = if rng.below(10) == 0 { 1 } else { current };
            let at = now - (rng.below(730 * 86_400) as i64);
            rows.push((
                NewAttempt {
                    user_id: *id,
                    module_id: &module_ids[m],
                    module_version: version,
                    answers_json: "[]",
                    score: if passed { 100 } else { 40 },
                    passed,
                },
                OffsetDateTime::from_unix_timestamp(at).expect("time"),
            ));
        }
    }
    store.record_attempts_bulk(rows).expect("attempts");
    (store, names)
}

fn percentiles(mut times: Vec<Duration>) -> (Duration, Duration, Duration) {
    times.sort_unstable();
    let at = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    (at(0.50), at(0.99), at(1.0))
}

/// The handler's work for `GET /api/v1/qualified`, minus HTTP.
fn qualified(store: &Store, site: &Site, name: &UserName, resource: &DocId) -> bool {
    let now = OffsetDateTime::now_utc();
    let user = store.find_user(name).expect("find").expect("exists");
    let passes = store.passes_for_user(user.id).expect("passes");
    let history = History::new(&passes, Some(now));
    let req = Requirements::of(site, resource).expect("resource");
    decide(&req, &history, now, site.config.expiring_days).qualified()
}

/// The handler's work for `GET /admin/qualifications?sort=qualified&order=desc`, minus HTTP.
fn matrix_page(store: &Store, site: &Site) -> usize {
    let now = OffsetDateTime::now_utc();
    let users = store.list_users().expect("users");
    let passes = store.all_passes().expect("passes");
    let view = View {
        sort: SortKey::Qualified,
        descending: true,
        ..View::default()
    };
    let m = matrix(
        &Catalog::of(site),
        &users,
        &passes,
        now,
        site.config.expiring_days,
    )
    .view(&view);
    let ctx = PageContext {
        site_title: &site.config.title,
        nav: &site.nav,
        current_url: "/admin/qualifications".into(),
        viewer: Some(Viewer {
            name: "admin".into(),
            is_admin: true,
            sees_insights: true,
        }),
        csrf_token: None,
        today: now.date(),
        query: String::new(),
        live_generation: None,
    };
    qualifications::matrix_page(&ctx, site, &m, &view, None)
        .into_string()
        .len()
}

fn bench(c: &mut Criterion) {
    let site = site();
    let resources: Vec<DocId> = (0..RESOURCES)
        .map(|r| DocId::parse(&format!("r{r}")).expect("id"))
        .collect();

    let big_dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    let (big, names) = store(big_dir.path(), 10_000);
    eprintln!(
        "qualify bench: generated 10,000 learners and {} attempts in {:.1?}",
        big.attempt_count().expect("count"),
        started.elapsed()
    );
    let mut rng = Rng(1);
    let times: Vec<Duration> = (0..20_000)
        .map(|_| {
            let name = &names[rng.below(names.len())];
            let resource = &resources[rng.below(resources.len())];
            let t = Instant::now();
            black_box(qualified(&big, &site, name, resource));
            t.elapsed()
        })
        .collect();
    let (p50, p99, max) = percentiles(times);
    eprintln!(
        "qualified? end to end, 20,000 runs: p50 {p50:.2?}, p99 {p99:.2?}, max {max:.2?} (target p99 < 2 ms)"
    );
    c.bench_function("qualified_end_to_end_10k_learners_1m_attempts", |b| {
        b.iter(|| {
            let name = &names[rng.below(names.len())];
            let resource = &resources[rng.below(resources.len())];
            black_box(qualified(&big, &site, name, resource))
        })
    });

    let small_dir = tempfile::tempdir().expect("temp dir");
    let (small, _) = store(small_dir.path(), 500);
    let times: Vec<Duration> = (0..30)
        .map(|_| {
            let t = Instant::now();
            black_box(matrix_page(&small, &site));
            t.elapsed()
        })
        .collect();
    let bytes = matrix_page(&small, &site);
    let (p50, p99, max) = percentiles(times);
    eprintln!(
        "matrix page 500 × 30 (read, decide, sort, render; {} KB): p50 {p50:.2?}, p99 {p99:.2?}, max {max:.2?} (target < 100 ms)",
        bytes / 1024
    );
    let mut group = c.benchmark_group("matrix");
    group.sample_size(20);
    group.bench_function("matrix_page_500_learners_30_resources", |b| {
        b.iter(|| black_box(matrix_page(&small, &site)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
