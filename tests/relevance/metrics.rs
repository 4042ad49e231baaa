//! The query file formats and the ranking metrics (MRR@10, nDCG@10, Success@1, Recall@10).
//!
//! `queries.tsv`: one query per line, `category<TAB>query<TAB>judgments`; judgments are
//! space-separated document ids, each optionally `=grade` (2: the answer, the default;
//! 1: a useful page). `#` starts a comment line. `user_queries.tsv` has one more column in
//! front, `half` (`tune` or `report`), and every category must appear in both halves.

use std::collections::{BTreeMap, BTreeSet};

/// One graded query.
#[derive(Debug, Clone)]
pub struct Judged {
    pub category: String,
    pub query: String,
    /// Document id → grade (1 or 2).
    pub relevant: BTreeMap<String, u8>,
}

/// The metrics of one query.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scores {
    pub reciprocal_rank: f64,
    pub ndcg: f64,
    pub success_at_1: f64,
    pub recall: f64,
}

/// Parses `queries.tsv`, naming the line of any mistake.
pub fn parse_queries(text: &str) -> Result<Vec<Judged>, String> {
    let mut out = Vec::new();
    for (n, cols) in lines(text) {
        let [category, query, judgments] = cols[..] else {
            return Err(format!("line {n}: expected 3 tab-separated columns"));
        };
        out.push(judged(n, category, query, judgments)?);
    }
    Ok(out)
}

/// Parses `user_queries.tsv` into its two halves (tune, report), naming the line of any
/// mistake; a category missing from one half is a mistake too.
pub fn parse_user_queries(text: &str) -> Result<(Vec<Judged>, Vec<Judged>), String> {
    let (mut tune, mut report) = (Vec::new(), Vec::new());
    for (n, cols) in lines(text) {
        let [half, category, query, judgments] = cols[..] else {
            return Err(format!("line {n}: expected 4 tab-separated columns"));
        };
        let j = judged(n, category, query, judgments)?;
        match half.trim() {
            "tune" => tune.push(j),
            "report" => report.push(j),
            other => {
                return Err(format!(
                    "line {n}: the half is `tune` or `report`, not {other:?}"
                ));
            }
        }
    }
    let categories =
        |set: &[Judged]| -> BTreeSet<String> { set.iter().map(|j| j.category.clone()).collect() };
    let (in_tune, in_report) = (categories(&tune), categories(&report));
    if in_tune != in_report {
        let only: Vec<&String> = in_tune.symmetric_difference(&in_report).collect();
        return Err(format!(
            "categories {only:?} are in one half only; alternate each category's queries"
        ));
    }
    Ok((tune, report))
}

/// The query lines of a file as (1-based line number, tab-separated columns).
fn lines(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|(i, line)| (i + 1, line.split('\t').collect()))
}

fn judged(n: usize, category: &str, query: &str, judgments: &str) -> Result<Judged, String> {
    let mut relevant = BTreeMap::new();
    for j in judgments.split_whitespace() {
        let (id, grade) = match j.rsplit_once('=') {
            Some((id, g)) => (
                id,
                g.parse::<u8>()
                    .map_err(|_| format!("line {n}: bad grade in {j}"))?,
            ),
            None => (j, 2),
        };
        if !(1..=2).contains(&grade) {
            return Err(format!("line {n}: grade must be 1 or 2 in {j}"));
        }
        relevant.insert(id.to_owned(), grade);
    }
    if relevant.is_empty() || query.trim().is_empty() {
        return Err(format!(
            "line {n}: a query and at least one judgment are needed"
        ));
    }
    Ok(Judged {
        category: category.trim().to_owned(),
        query: query.to_owned(),
        relevant,
    })
}

/// Scores one ranked list (ids, best first) against the judgments.
pub fn score(ranked: &[String], judged: &Judged) -> Scores {
    let top: Vec<&String> = ranked.iter().take(10).collect();
    let grade = |id: &String| judged.relevant.get(id).copied().unwrap_or(0);
    let first = top.iter().position(|id| grade(id) > 0);
    let gain = |g: u8| f64::from((1u32 << g) - 1);
    let discount = |i: usize| 1.0 / ((i + 2) as f64).log2();
    let dcg: f64 = top
        .iter()
        .enumerate()
        .map(|(i, id)| gain(grade(id)) * discount(i))
        .sum();
    let mut ideal: Vec<u8> = judged.relevant.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, g)| gain(*g) * discount(i))
        .sum();
    let found = top.iter().filter(|id| grade(id) > 0).count();
    Scores {
        reciprocal_rank: first.map_or(0.0, |p| 1.0 / (p + 1) as f64),
        ndcg: if idcg > 0.0 { dcg / idcg } else { 0.0 },
        success_at_1: if first == Some(0) { 1.0 } else { 0.0 },
        recall: found as f64 / judged.relevant.len().min(10) as f64,
    }
}

/// The mean of one metric.
pub fn mean(scores: &[Scores], metric: impl Fn(&Scores) -> f64) -> f64 {
    if scores.is_empty() {
        return 0.0;
    }
    scores.iter().map(metric).sum::<f64>() / scores.len() as f64
}
