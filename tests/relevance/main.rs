//! Search relevance over the shared corpora: runs every graded query of `queries.tsv` and
//! prints MRR@10, nDCG@10, Success@1 and Recall@10 per category and overall; exits with an
//! error when MRR@10 falls below [`MRR_FLOOR`].
//!
//! ```text
//! SELFSERVE_CORPUS=../shared/corpus cargo test --release --test relevance
//! SELFSERVE_CORPUS=../shared/corpus cargo test --release --test relevance -- --misses
//! SELFSERVE_CORPUS=../shared/corpus cargo test --release --test relevance -- --query "argo snyc"
//! ```
//!
//! Without `SELFSERVE_CORPUS` it prints a notice and passes, so `cargo test` works anywhere.

mod corpus;
mod metrics;

use std::collections::BTreeMap;
use std::process::ExitCode;

use selfserve::search::{SearchIndex, SearchRequest};

use metrics::{Judged, Scores};

/// The level reached when the query set was written and tuned (see the report in the
/// search issue); a change that loses relevance fails here.
const MRR_FLOOR: f64 = 0.92;

const QUERIES: &str = include_str!("queries.tsv");

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = corpus::corpus_dir() else {
        println!("relevance: SELFSERVE_CORPUS is not set; skipped (point it at ../shared/corpus)");
        return ExitCode::SUCCESS;
    };
    let queries = match metrics::parse_queries(QUERIES) {
        Ok(q) => q,
        Err(e) => {
            eprintln!("relevance: queries.tsv: {e}");
            return ExitCode::FAILURE;
        }
    };
    let started = std::time::Instant::now();
    let corpus = match corpus::load(&dir) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("relevance: {e}");
            return ExitCode::FAILURE;
        }
    };
    let loaded = started.elapsed();
    let index = SearchIndex::build(&corpus.site);
    println!(
        "relevance: {} documents loaded in {:.1?}, {} index entries built in {:.1?}",
        corpus.site.documents.len(),
        loaded,
        index.entry_count(),
        started.elapsed() - loaded,
    );

    if let Some(pos) = args.iter().position(|a| a == "--query") {
        let q = args.get(pos + 1).map_or("", String::as_str);
        show(&index, q);
        return ExitCode::SUCCESS;
    }

    if let Some(pos) = args.iter().position(|a| a == "--dump") {
        let id = args.get(pos + 1).map_or("", String::as_str);
        if let Some(doc) = corpus.site.get_str(id) {
            let body = doc.body.texts();
            for (i, s) in doc.body.sections().iter().enumerate() {
                println!(
                    "## {:?} {:?}\n{}\n",
                    s.anchor,
                    s.heading,
                    body.section_text(i)
                );
            }
        }
        return ExitCode::SUCCESS;
    }

    let unknown: Vec<&str> = queries
        .iter()
        .flat_map(|q| q.relevant.keys())
        .filter(|id| corpus.site.get_str(id).is_none())
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        eprintln!("relevance: judged ids that are not in the corpus: {unknown:?}");
        return ExitCode::FAILURE;
    }

    let misses = args.iter().any(|a| a == "--misses");
    let mut by_category: BTreeMap<&str, Vec<Scores>> = BTreeMap::new();
    for judged in &queries {
        let ranked = top10(&index, &judged.query);
        let scores = metrics::score(&ranked, judged);
        if misses && scores.reciprocal_rank < 1.0 {
            print_miss(judged, &ranked, &scores);
        }
        by_category
            .entry(judged.category.as_str())
            .or_default()
            .push(scores);
    }
    let all: Vec<Scores> = by_category.values().flatten().copied().collect();
    print_latency(&index, &queries);
    println!(
        "{:<12} {:>4} {:>7} {:>8} {:>6} {:>6}",
        "category", "n", "MRR@10", "nDCG@10", "S@1", "R@10"
    );
    for (category, scores) in &by_category {
        print_row(category, scores);
    }
    print_row("overall", &all);
    let mrr = metrics::mean(&all, |s| s.reciprocal_rank);
    if mrr < MRR_FLOOR {
        eprintln!("relevance: MRR@10 {mrr:.3} is below the floor {MRR_FLOOR:.2}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn top10(index: &SearchIndex, q: &str) -> Vec<String> {
    let mut request = SearchRequest::new(q);
    request.limit = Some(10);
    match index.search(&request) {
        Ok(results) => results.hits.into_iter().map(|h| h.id).collect(),
        Err(e) => {
            eprintln!("relevance: {q:?} failed: {e}");
            Vec::new()
        }
    }
}

/// In-process latency over the query set (5 rounds, so caches are warm as in a server).
fn print_latency(index: &SearchIndex, queries: &[Judged]) {
    if cfg!(debug_assertions) {
        println!("latency: not measured in a debug build (run with --release)");
        return;
    }
    let mut times: Vec<f64> = Vec::new();
    for _ in 0..5 {
        for judged in queries {
            let started = std::time::Instant::now();
            let _ = index.search(&SearchRequest::new(judged.query.as_str()));
            times.push(started.elapsed().as_secs_f64() * 1_000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    println!(
        "latency over {} searches: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        at(0.50),
        at(0.90),
        at(0.99),
        at(1.0)
    );
}

fn print_row(name: &str, scores: &[Scores]) {
    println!(
        "{:<12} {:>4} {:>7.3} {:>8.3} {:>6.3} {:>6.3}",
        name,
        scores.len(),
        metrics::mean(scores, |s| s.reciprocal_rank),
        metrics::mean(scores, |s| s.ndcg),
        metrics::mean(scores, |s| s.success_at_1),
        metrics::mean(scores, |s| s.recall),
    );
}

fn print_miss(judged: &Judged, ranked: &[String], scores: &Scores) {
    println!(
        "MISS [{}] {:?} rr={:.2}",
        judged.category, judged.query, scores.reciprocal_rank
    );
    for id in judged.relevant.keys() {
        let rank = ranked
            .iter()
            .position(|r| r == id)
            .map_or("-".to_owned(), |p| (p + 1).to_string());
        println!("   want {id} (rank {rank})");
    }
    for (i, id) in ranked.iter().take(5).enumerate() {
        println!("   {:>2}. {id}", i + 1);
    }
}

fn show(index: &SearchIndex, q: &str) {
    match index.search(&SearchRequest::new(q)) {
        Ok(r) => {
            println!(
                "{} results in {:.2} ms; did you mean: {:?}",
                r.total, r.took_ms, r.did_you_mean
            );
            for h in r.hits {
                println!(
                    "{:>7.2}  {}  [{}]\n         {}",
                    h.score, h.url, h.title, h.snippet
                );
            }
        }
        Err(e) => println!("error: {e}"),
    }
}
