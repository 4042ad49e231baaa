//! Insight pages on a big log, fetched as an outsider would: over HTTP, from the real server
//! (every middleware, real SQLite) running in this process on the sample site, signed in with
//! an admin's API token. The log holds 1,000,000 searches (~40,000 distinct queries with typo
//! and plural variants, Zipf-spread over 180 days; the store keeps what its bounds keep:
//! one row per query per day, at most 200,000 rows), 100,000 "Was this helpful?" votes with
//! comments on every guide, 20,000 troubleshooting walks and 20,000 quiz attempts.
//!
//! ```text
//! cargo bench --bench insights        # target: every insight page ≤ 200 ms
//! ```
//!
//! Generating the data takes about 15 seconds; it is made once per run in a temporary folder.
//! The p50/p90/max lines printed first come from 30 single fetches per page; criterion then
//! reports its central value. Measured on the 2-core machine, idle (2026-12-03), p50 / max:
//! `/insights` 108 / 133 ms, `/insights/search` 70 / 82, `?days=180` 142 / 164,
//! `/api/v1/insights/search?days=28` 66 / 92, `/insights/pages` 9 / 13, `?days=180` 51 / 67,
//! `/insights/trees` 10 / 18, `/insights/modules` 21 / 35, the digest 46 / 51.

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use selfserve::model::{Outcome, Site};
use selfserve::records::NewFeedback;
use selfserve::store::{NewAttempt, NewOutcome, SearchLogEntry, SearchLogLimits, Store, UserName};
use selfserve::web::AppState;
use time::OffsetDateTime;

// The allocator of the server binary (src/main.rs), so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

const SEARCHES: usize = 1_000_000;
const DISTINCT_QUERIES: usize = 40_000;
const VOTES: usize = 100_000;
const WALKS: usize = 20_000;
const ATTEMPTS: usize = 20_000;
const DAYS: i64 = 180;

/// The pages measured: the big ones at the default period and at a year.
const PAGES: &[&str] = &[
    "/insights",
    "/insights/search",
    "/insights/search?days=180",
    "/api/v1/insights/search?days=28",
    "/insights/pages",
    "/insights/pages?days=180",
    "/insights/trees",
    "/insights/modules",
    "/insights/digest?owner=team-platform",
];

const WORDS: &[&str] = &[
    "deploy",
    "pod",
    "kubernetes",
    "vault",
    "secret",
    "postgres",
    "connection",
    "timeout",
    "pipeline",
    "runner",
    "cache",
    "ingress",
    "certificate",
    "namespace",
    "quota",
    "memory",
    "oom",
    "crashloop",
    "rollback",
    "helm",
    "chart",
    "alert",
    "dashboard",
    "grafana",
    "token",
    "login",
    "sso",
    "backup",
    "restore",
    "replica",
    "migration",
    "dns",
    "proxy",
    "latency",
    "error",
    "502",
    "503",
    "permission",
    "denied",
    "rotate",
    "key",
    "argo",
    "sync",
    "drift",
];

/// A query of 1–4 words; every seventh a typo or plural variant of a neighbour.
fn query(rng: &mut Rng, i: usize) -> String {
    let mut seed = Rng(i as u64 * 31 + 7);
    let n = 1 + seed.below(4);
    let mut words: Vec<String> = (0..n)
        .map(|_| WORDS[seed.below(WORDS.len())].to_owned())
        .collect();
    match i % 7 {
        3 => words[0].push('s'),
        5 if words[0].len() > 4 => {
            let w = &mut words[0];
            let at = 1 + rng.below(w.len() - 2);
            let mut chars: Vec<char> = w.chars().collect();
            chars.swap(at, at + 1);
            *w = chars.into_iter().collect();
        }
        _ => {}
    }
    if i >= WORDS.len() * 4 {
        words.push(format!("{}", i % 997));
    }
    words.join(" ")
}

fn fill(store: &Store, site: &Site) {
    let now = OffsetDateTime::now_utc();
    let limits = SearchLogLimits {
        retention_days: 180,
        max_rows: 200_000,
    };
    let mut rng = Rng(11);
    let queries: Vec<String> = (0..DISTINCT_QUERIES).map(|i| query(&mut rng, i)).collect();
    let mut batch = Vec::with_capacity(50_000);
    for n in 0..SEARCHES {
        let q = &queries[rng.skewed(DISTINCT_QUERIES)];
        // Older searches first, so pruning by age and row cap behaves as it would live.
        let age = DAYS - 1 - (n as i64 * DAYS / SEARCHES as i64);
        let mut entry = SearchLogEntry::new(q, if rng.below(10) == 0 { 0 } else { 5 });
        entry.at =
            now - time::Duration::days(age) - time::Duration::seconds(rng.below(3600) as i64);
        batch.push(entry);
        if batch.len() == 50_000 {
            store.log_searches(&batch, limits).expect("log");
            batch.clear();
        }
    }
    store.log_searches(&batch, limits).expect("log");

    let guides: Vec<String> = site
        .documents
        .values()
        .filter(|d| d.tree().is_none() && d.module().is_none())
        .map(|d| d.id.as_str().to_owned())
        .collect();
    let votes: Vec<NewFeedback> = (0..VOTES)
        .map(|n| NewFeedback {
            doc_id: guides[rng.skewed(guides.len())].clone(),
            helpful: rng.below(3) != 0,
            comment: (n % 5 == 0)
                .then(|| format!("Comment {n}: the steps skip the part about tokens.")),
            at: now - time::Duration::seconds(rng.below((DAYS * 86_400) as usize) as i64),
        })
        .collect();
    store.insert_feedback_bulk(&votes).expect("votes");

    for doc in site.documents.values() {
        let Some(tree) = doc.tree() else { continue };
        for _ in 0..WALKS / 4 {
            let mut node = &tree.nodes[0];
            let mut trail = vec![node.id.clone()];
            while !node.choices.is_empty() && trail.len() < 12 {
                let to = &node.choices[rng.below(node.choices.len())].to;
                match tree.nodes.iter().find(|n| &n.id == to) {
                    Some(next) => node = next,
                    None => break,
                }
                trail.push(node.id.clone());
            }
            let outcome = node.outcome.unwrap_or(Outcome::Escalate);
            store
                .record_outcome(&NewOutcome {
                    tree_id: doc.id.as_str(),
                    tree_version: "bench",
                    trail: &trail,
                    outcome,
                    note: (outcome == Outcome::Escalate).then_some("still stuck"),
                    contact: None,
                    user_id: None,
                    answers: &[],
                })
                .expect("walk");
        }
    }

    let learners: Vec<UserName> = (0..500)
        .map(|i| UserName::parse(&format!("learner{i}")).expect("name"))
        .collect();
    let ids = store.create_users_bulk(&learners, false).expect("learners");
    let modules: Vec<_> = site
        .documents
        .values()
        .filter_map(|d| d.module().map(|m| (d.id.as_str().to_owned(), m)))
        .filter(|(_, m)| !m.questions.is_empty() && m.settings.draw.is_none())
        .collect();
    let mut answers = Vec::with_capacity(ATTEMPTS);
    for n in 0..ATTEMPTS {
        let (id, module) = &modules[n % modules.len()];
        let picks: Vec<Vec<usize>> = module
            .questions
            .iter()
            .map(|q| {
                if rng.below(3) == 0 {
                    vec![rng.below(q.choices.len())]
                } else {
                    q.answer.clone()
                }
            })
            .collect();
        let right = picks
            .iter()
            .zip(&module.questions)
            .filter(|(a, q)| **a == q.answer)
            .count();
        let score = (right * 100 / module.questions.len()) as u8;
        answers.push((
            ids[n % ids.len()],
            id.clone(),
            module.version,
            serde_json::to_string(&picks).expect("json"),
            score,
            score >= module.pass_percent,
        ));
    }
    store
        .record_attempts_bulk(
            answers
                .iter()
                .map(|(user, module, version, json, score, passed)| {
                    (
                        NewAttempt {
                            user_id: *user,
                            module_id: module,
                            module_version: *version,
                            answers_json: json,
                            score: *score,
                            passed: *passed,
                        },
                        now - time::Duration::hours(rng.below(2000) as i64),
                    )
                }),
        )
        .expect("attempts");
}

/// Starts the server on the sample site and `data`; its address.
fn serve(data: &Path) -> std::net::SocketAddr {
    let (tx, rx) = mpsc::channel();
    let data = data.to_owned();
    std::thread::spawn(move || {
        let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        actix_rt::System::new().block_on(async move {
            let state = AppState::load(content, data, false).expect("load");
            state.build_search_index();
            let (server, addr) = selfserve::web::start(state, "127.0.0.1:0".parse().expect("addr"))
                .await
                .expect("start");
            tx.send(addr).expect("send");
            server.await.expect("server");
        });
    });
    rx.recv_timeout(Duration::from_secs(120))
        .expect("server started")
}

/// One GET with the token over a fresh connection; the status and the body's size.
fn fetch(addr: std::net::SocketAddr, path: &str, token: &str) -> (u16, usize) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut body = Vec::new();
    stream.read_to_end(&mut body).expect("read");
    let status = std::str::from_utf8(&body[9..12])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, body.len())
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let started = Instant::now();
    let token = {
        let state = AppState::load(content, dir.path().to_owned(), false).expect("load");
        let site = state.snapshot.load_full().site.clone();
        fill(&state.store, &site);
        let admin = UserName::parse("bench-admin").expect("name");
        state.store.create_user(&admin, true, None).expect("admin");
        state.store.create_token(&admin, "bench").expect("token").1
    };
    eprintln!("generated in {:.1} s", started.elapsed().as_secs_f64());
    let addr = serve(dir.path());
    for page in PAGES {
        let (status, bytes) = fetch(addr, page, &token);
        assert_eq!(status, 200, "{page}");
        let mut times: Vec<Duration> = (0..30)
            .map(|_| {
                let t = Instant::now();
                fetch(addr, page, &token);
                t.elapsed()
            })
            .collect();
        times.sort();
        eprintln!(
            "{page:<42} {bytes:>8} B  p50 {:>6.1} ms  p90 {:>6.1} ms  max {:>6.1} ms",
            times[15].as_secs_f64() * 1e3,
            times[27].as_secs_f64() * 1e3,
            times[29].as_secs_f64() * 1e3,
        );
    }
    let mut group = c.benchmark_group("insights");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    for page in ["/insights/search", "/insights/pages", "/insights"] {
        group.bench_function(page, |b| b.iter(|| fetch(addr, page, &token)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
