//! The printed report: one table per query set, a row per category and one overall, the
//! legs side by side so lexical and hybrid compare at a glance.

use std::collections::BTreeMap;

use crate::metrics::{self, Scores};

/// How a set was ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leg {
    /// The words alone (`SearchIndex::search`).
    Lexical,
    /// The words with the semantic leg fused in.
    Hybrid,
}

impl Leg {
    pub fn name(self) -> &'static str {
        match self {
            Leg::Lexical => "lexical",
            Leg::Hybrid => "hybrid",
        }
    }

    pub fn parse(name: &str) -> Option<Leg> {
        [Leg::Lexical, Leg::Hybrid]
            .into_iter()
            .find(|l| l.name() == name)
    }
}

/// Prints one set's table; `columns` holds each leg's scores by category.
pub fn print(set: &str, queries: usize, columns: &[(Leg, BTreeMap<&str, Vec<Scores>>)]) {
    const CELL: usize = 28;
    let mut head = format!("{:<17}", format!("{set} ({queries})"));
    let mut names = format!("{:<12} {:>4}", "category", "n");
    for (leg, _) in columns {
        head.push_str(&format!(" | {:<CELL$}", leg.name()));
        names.push_str(&format!(
            " | {:>6} {:>7} {:>6} {:>6}",
            "MRR@10", "nDCG@10", "S@1", "R@10"
        ));
    }
    println!("{head}");
    println!("{names}");
    let categories: Vec<&str> = columns
        .first()
        .map(|(_, by)| by.keys().copied().collect())
        .unwrap_or_default();
    for category in categories {
        let cells: Vec<&[Scores]> = columns
            .iter()
            .map(|(_, by)| by.get(category).map_or(&[][..], Vec::as_slice))
            .collect();
        row(category, &cells);
    }
    let all: Vec<Vec<Scores>> = columns
        .iter()
        .map(|(_, by)| by.values().flatten().copied().collect())
        .collect();
    let cells: Vec<&[Scores]> = all.iter().map(Vec::as_slice).collect();
    row("overall", &cells);
}

fn row(name: &str, cells: &[&[Scores]]) {
    let n = cells.first().map_or(0, |c| c.len());
    let mut line = format!("{name:<12} {n:>4}");
    for scores in cells {
        line.push_str(&format!(
            " | {:>6.3} {:>7.3} {:>6.3} {:>6.3}",
            metrics::mean(scores, |s| s.reciprocal_rank),
            metrics::mean(scores, |s| s.ndcg),
            metrics::mean(scores, |s| s.success_at_1),
            metrics::mean(scores, |s| s.recall),
        ));
    }
    println!("{line}");
}
