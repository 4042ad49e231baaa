//! Search relevance over the shared corpora: runs three graded query sets — `queries.tsv`
//! (written from the documents' text) and the two halves of `user_queries.tsv` (written
//! blind, the way users describe what they see) — each with the words alone (lexical) and
//! with the semantic leg fused in (hybrid), and prints MRR@10, nDCG@10, Success@1 and
//! Recall@10 per category and overall. Exits with an error when a set's MRR@10 falls
//! below its floor ([`FLOORS`]).
//!
//! ```text
//! SELFSERVE_CORPUS=../shared/corpus cargo test --release --test relevance
//! ... --test relevance -- --set user-report --leg hybrid --misses
//! ... --test relevance -- --query "argo snyc" [--leg hybrid]
//! ... --test relevance -- --sweep        (fusion weights over the tune half only)
//! ```
//!
//! `--set old|user-tune|user-report` and `--leg lexical|hybrid` may each be given more than
//! once; without them every set runs with both legs. Vectors are kept under the cargo
//! target's temporary folder, so only the first hybrid run embeds the corpus.
//! Without `SELFSERVE_CORPUS` it prints a notice and passes, so `cargo test` works anywhere.

mod corpus;
mod metrics;
mod table;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use selfserve::model::Site;
use selfserve::search::semantic::SemanticLeg;
use selfserve::search::{Fusion, Ranking, SEMANTIC, SearchIndex, SearchRequest};

use metrics::{Judged, Scores};
use table::Leg;

/// MRR@10 floors per (set, leg), a little below what was measured when each was recorded;
/// a change that loses relevance fails here. The old set's lexical floor is the one reached
/// when it was written and tuned (see the report in the search issue); the others were
/// measured with the tuned `Fusion` (lexical weight 0.4, 0.8 for queries naming something
/// exactly; tuned on user-tune only) and the pages' title cards: old 0.928 lexical, 0.943
/// hybrid; user-tune 0.623 lexical, 0.712 hybrid; user-report 0.596 lexical, 0.671 hybrid.
const FLOORS: &[(&str, Leg, f64)] = &[
    ("old", Leg::Lexical, 0.92),
    ("old", Leg::Hybrid, 0.93),
    ("user-tune", Leg::Lexical, 0.60),
    ("user-tune", Leg::Hybrid, 0.69),
    ("user-report", Leg::Lexical, 0.57),
    ("user-report", Leg::Hybrid, 0.65),
];

const QUERIES: &str = include_str!("queries.tsv");
const USER_QUERIES: &str = include_str!("user_queries.tsv");

/// One query set as run.
struct QuerySet {
    name: &'static str,
    queries: Vec<Judged>,
}

/// What the command line asked for.
struct Options {
    sets: Vec<String>,
    legs: Vec<Leg>,
    misses: bool,
    sweep: bool,
    query: Option<String>,
    dump: Option<String>,
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1).collect()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("relevance: {e}");
            return ExitCode::FAILURE;
        }
    };
    let Some(dir) = corpus::corpus_dir() else {
        println!("relevance: SELFSERVE_CORPUS is not set; skipped (point it at ../shared/corpus)");
        return ExitCode::SUCCESS;
    };
    let sets = match query_sets(&options.sets) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("relevance: {e}");
            return ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
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

    if let Some(id) = &options.dump {
        dump(&corpus.site, id);
        return ExitCode::SUCCESS;
    }

    let unknown: Vec<&str> = sets
        .iter()
        .flat_map(|s| &s.queries)
        .flat_map(|q| q.relevant.keys())
        .filter(|id| corpus.site.get_str(id).is_none())
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        eprintln!("relevance: judged ids that are not in the corpus: {unknown:?}");
        return ExitCode::FAILURE;
    }

    let semantic = if options.legs.contains(&Leg::Hybrid) || options.sweep {
        match load_semantic(&corpus.site) {
            Ok(leg) => Some(leg),
            Err(e) => {
                eprintln!("relevance: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        None
    };
    let hybrid = Ranking {
        semantic: semantic.as_ref(),
        ..Ranking::default()
    };
    let ranking = |leg: Leg| match leg {
        Leg::Lexical => Ranking::default(),
        Leg::Hybrid => hybrid,
    };

    if let Some(q) = &options.query {
        for &leg in &options.legs {
            println!("--- {}", leg.name());
            show(&index, q, &ranking(leg));
        }
        return ExitCode::SUCCESS;
    }

    if options.sweep {
        if let Some(leg) = &semantic {
            sweep(&index, leg, &sets);
        }
        return ExitCode::SUCCESS;
    }

    let mut failures = Vec::new();
    for set in &sets {
        let mut columns: Vec<(Leg, BTreeMap<&str, Vec<Scores>>)> = Vec::new();
        for &leg in &options.legs {
            let by_category = run(&index, &ranking(leg), set, leg, options.misses);
            let all: Vec<Scores> = by_category.values().flatten().copied().collect();
            let mrr = metrics::mean(&all, |s| s.reciprocal_rank);
            for &(name, floor_leg, floor) in FLOORS {
                if name == set.name && floor_leg == leg && mrr < floor {
                    failures.push(format!(
                        "{} {}: MRR@10 {mrr:.3} is below the floor {floor:.2}",
                        set.name,
                        leg.name()
                    ));
                }
            }
            columns.push((leg, by_category));
        }
        println!();
        table::print(set.name, set.queries.len(), &columns);
    }
    println!();
    let every: Vec<&Judged> = sets.iter().flat_map(|s| &s.queries).collect();
    for &leg in &options.legs {
        print_latency(&index, &ranking(leg), leg, &every);
    }
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        for f in failures {
            eprintln!("relevance: {f}");
        }
        ExitCode::FAILURE
    }
}

fn parse_args(args: Vec<String>) -> Result<Options, String> {
    let mut options = Options {
        sets: Vec::new(),
        legs: Vec::new(),
        misses: false,
        sweep: false,
        query: None,
        dump: None,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--set" => options.sets.push(
                args.next()
                    .ok_or("--set needs old, user-tune or user-report")?,
            ),
            "--leg" => {
                let name = args.next().unwrap_or_default();
                let leg = Leg::parse(&name)
                    .ok_or_else(|| format!("--leg is lexical or hybrid, not {name:?}"))?;
                options.legs.push(leg);
            }
            "--misses" => options.misses = true,
            "--sweep" => options.sweep = true,
            "--query" => options.query = Some(args.next().unwrap_or_default()),
            "--dump" => options.dump = Some(args.next().unwrap_or_default()),
            // cargo test passes its own flags (e.g. --nocapture) through; they mean nothing here.
            _ => {}
        }
    }
    if options.legs.is_empty() {
        options.legs = if options.query.is_some() {
            vec![Leg::Lexical]
        } else {
            vec![Leg::Lexical, Leg::Hybrid]
        };
    }
    Ok(options)
}

/// The query sets named (all three when none is), parsed and checked.
fn query_sets(names: &[String]) -> Result<Vec<QuerySet>, String> {
    let old = metrics::parse_queries(QUERIES).map_err(|e| format!("queries.tsv: {e}"))?;
    let (tune, report) =
        metrics::parse_user_queries(USER_QUERIES).map_err(|e| format!("user_queries.tsv: {e}"))?;
    let all = [("old", old), ("user-tune", tune), ("user-report", report)];
    for name in names {
        if all.iter().all(|(n, _)| n != name) {
            return Err(format!(
                "--set is old, user-tune or user-report, not {name:?}"
            ));
        }
    }
    Ok(all
        .into_iter()
        .filter(|(n, _)| names.is_empty() || names.iter().any(|m| m == n))
        .map(|(name, queries)| QuerySet { name, queries })
        .collect())
}

/// Loads the model and embeds every passage, reusing the vectors of earlier runs.
fn load_semantic(site: &Site) -> Result<SemanticLeg, String> {
    let cache: PathBuf = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("relevance-vectors");
    std::fs::create_dir_all(&cache)
        .map_err(|e| format!("cannot create the vector cache {}: {e}", cache.display()))?;
    let started = Instant::now();
    let leg = SemanticLeg::load(Some(&cache)).map_err(|e| e.to_string())?;
    let loaded = started.elapsed();
    leg.embed_site_blocking(site).map_err(|e| e.to_string())?;
    println!(
        "relevance: semantic model loaded in {loaded:.1?}; {} passages ready ({} embedded now, \
         the rest from {}) in {:.1?}",
        leg.vectors().passage_count(),
        leg.embedded_count(),
        cache.display(),
        started.elapsed() - loaded,
    );
    Ok(leg)
}

/// Scores every query of `set`, by category; prints the misses when asked.
fn run<'a>(
    index: &SearchIndex,
    ranking: &Ranking<'_>,
    set: &'a QuerySet,
    leg: Leg,
    misses: bool,
) -> BTreeMap<&'a str, Vec<Scores>> {
    let mut by_category: BTreeMap<&str, Vec<Scores>> = BTreeMap::new();
    let mut lexical_only = 0;
    for judged in &set.queries {
        let (ranked, legs) = top10(index, ranking, &judged.query);
        if leg == Leg::Hybrid && !legs.contains(&SEMANTIC) {
            lexical_only += 1;
        }
        let scores = metrics::score(&ranked, judged);
        if misses && scores.reciprocal_rank < 1.0 {
            print_miss(set.name, leg, judged, &ranked, &scores);
        }
        by_category
            .entry(judged.category.as_str())
            .or_default()
            .push(scores);
    }
    if lexical_only > 0 {
        println!(
            "relevance: {} hybrid: the semantic leg did not answer {lexical_only} of {} queries",
            set.name,
            set.queries.len()
        );
    }
    by_category
}

/// The first ten ids and the legs that answered.
fn top10(index: &SearchIndex, ranking: &Ranking<'_>, q: &str) -> (Vec<String>, Vec<&'static str>) {
    let mut request = SearchRequest::new(q);
    request.limit = Some(10);
    match index.search_with(&request, ranking) {
        Ok(results) => (
            results.hits.into_iter().map(|h| h.id).collect(),
            results.legs,
        ),
        Err(e) => {
            eprintln!("relevance: {q:?} failed: {e}");
            (Vec::new(), Vec::new())
        }
    }
}

/// Fusion weights tried over the tune half only (the report half stays unseen), best
/// MRR@10 first, so the defaults in `Fusion` can be chosen without peeking at the report.
fn sweep(index: &SearchIndex, leg: &SemanticLeg, sets: &[QuerySet]) {
    let Some(tune) = sets.iter().find(|s| s.name == "user-tune") else {
        println!("relevance: --sweep runs on the user-tune set; do not exclude it with --set");
        return;
    };
    let mut rows = Vec::new();
    let mut grid = Vec::new();
    for lexical_weight in [0.2, 0.3, 0.4, 0.5, 0.6] {
        for exact_lexical_weight in [0.5, 0.7, 0.8, 0.9] {
            for similarity_floor in [0.0, 0.1, 0.2] {
                for semantic_only_min in [0.2, 0.3, 0.4] {
                    grid.push(Fusion {
                        lexical_weight,
                        exact_lexical_weight,
                        similarity_floor,
                        semantic_only_min,
                        ..Fusion::default()
                    });
                }
            }
        }
    }
    {
        for fusion in grid {
            let ranking = Ranking {
                semantic: Some(leg),
                fusion,
                ..Ranking::default()
            };
            let scores: Vec<Scores> = tune
                .queries
                .iter()
                .map(|j| metrics::score(&top10(index, &ranking, &j.query).0, j))
                .collect();
            rows.push((
                metrics::mean(&scores, |s| s.reciprocal_rank),
                metrics::mean(&scores, |s| s.ndcg),
                fusion,
            ));
        }
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.total_cmp(&a.1)));
    println!(
        "user-tune, {} queries; default {:?}",
        tune.queries.len(),
        Fusion::default()
    );
    println!(
        "{:>7} {:>8}  lexical exact floor semantic_only_min",
        "MRR@10", "nDCG@10"
    );
    for (mrr, ndcg, f) in rows.iter().take(25) {
        println!(
            "{mrr:>7.3} {ndcg:>8.3}  {:>7.1} {:>5.1} {:>5.1} {:>17.1}",
            f.lexical_weight, f.exact_lexical_weight, f.similarity_floor, f.semantic_only_min
        );
    }
}

/// In-process latency over the query sets (5 rounds, so caches are warm as in a server).
fn print_latency(index: &SearchIndex, ranking: &Ranking<'_>, leg: Leg, queries: &[&Judged]) {
    if cfg!(debug_assertions) {
        println!("latency: not measured in a debug build (run with --release)");
        return;
    }
    let mut times: Vec<f64> = Vec::new();
    for _ in 0..5 {
        for judged in queries {
            let started = Instant::now();
            let _ = index.search_with(&SearchRequest::new(judged.query.as_str()), ranking);
            times.push(started.elapsed().as_secs_f64() * 1_000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    println!(
        "latency {:<7} over {} searches: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        leg.name(),
        times.len(),
        at(0.50),
        at(0.90),
        at(0.99),
        at(1.0)
    );
}

fn print_miss(set: &str, leg: Leg, judged: &Judged, ranked: &[String], scores: &Scores) {
    println!(
        "MISS {set} {} [{}] {:?} rr={:.2}",
        leg.name(),
        judged.category,
        judged.query,
        scores.reciprocal_rank
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

fn show(index: &SearchIndex, q: &str, ranking: &Ranking<'_>) {
    match index.search_with(&SearchRequest::new(q), ranking) {
        Ok(r) => {
            println!(
                "{} results in {:.2} ms from {:?}; did you mean: {:?}",
                r.total, r.took_ms, r.legs, r.did_you_mean
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

fn dump(site: &Site, id: &str) {
    if let Some(doc) = site.get_str(id) {
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
}
