//! The query file format and the ranking metrics (MRR@10, nDCG@10, Success@1, Recall@10).
//!
//! `queries.tsv`: one query per line, `category<TAB>query<TAB>judgments`; judgments are
//! space-separated document ids, each optionally `=grade` (2: the answer, the default;
//! 1: a useful page). `#` starts a comment line.

use std::collections::BTreeMap;

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

/// Parses the query file, naming the line of any mistake.
pub fn parse_queries(text: &str) -> Result<Vec<Judged>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [category, query, judgments] = cols[..] else {
            return Err(format!("line {}: expected 3 tab-separated columns", n + 1));
        };
        let mut relevant = BTreeMap::new();
        for j in judgments.split_whitespace() {
            let (id, grade) = match j.rsplit_once('=') {
                Some((id, g)) => (
                    id,
                    g.parse::<u8>()
                        .map_err(|_| format!("line {}: bad grade in {j}", n + 1))?,
                ),
                None => (j, 2),
            };
            if !(1..=2).contains(&grade) {
                return Err(format!("line {}: grade must be 1 or 2 in {j}", n + 1));
            }
            relevant.insert(id.to_owned(), grade);
        }
        if relevant.is_empty() || query.trim().is_empty() {
            return Err(format!(
                "line {}: a query and at least one judgment are needed",
                n + 1
            ));
        }
        out.push(Judged {
            category: category.trim().to_owned(),
            query: query.to_owned(),
            relevant,
        });
    }
    Ok(out)
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
