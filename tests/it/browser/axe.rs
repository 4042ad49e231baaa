//! axe-core in the page: injected through WebDriver (the site's CSP allows no inline script,
//! and WebDriver's scripts are not the page's), run with the WCAG 2.x A/AA rules and the best
//! practices, its violations summarised by impact.

use std::fmt::Write as _;

use anyhow::{Result, bail};
use serde_json::{Value, json};

use super::page::Page;

/// The rule sets run: WCAG 2.0–2.2 levels A and AA, and axe's best practices.
const TAGS: [&str; 7] = [
    "wcag2a",
    "wcag2aa",
    "wcag21a",
    "wcag21aa",
    "wcag22a",
    "wcag22aa",
    "best-practice",
];

/// Impacts, worst first; the first two fail a test.
pub const IMPACTS: [&str; 4] = ["critical", "serious", "moderate", "minor"];

/// One rule broken on a page.
#[derive(Debug, Clone)]
pub struct Violation {
    /// The rule (`color-contrast`).
    pub id: String,
    /// `critical`, `serious`, `moderate` or `minor`.
    pub impact: String,
    /// Each offending element: its selector and axe's failure summary.
    pub nodes: Vec<(String, String)>,
}

impl Violation {
    /// Critical and serious violations fail the tests.
    pub fn blocks(&self) -> bool {
        matches!(self.impact.as_str(), "critical" | "serious")
    }

    /// The rule, impact and every element with its summary, one per line.
    pub fn describe(&self) -> String {
        let mut out = format!("  {} ({}):", self.id, self.impact);
        for (target, summary) in &self.nodes {
            let summary = summary.replace('\n', " ");
            let _ = write!(out, "\n    {target}: {summary}");
        }
        out
    }
}

/// Runs axe on the open page.
pub async fn audit(page: &Page, axe_source: &str) -> Result<Vec<Violation>> {
    let present = page
        .js("return typeof window.axe === 'object';", vec![])
        .await?;
    if present != Value::Bool(true) {
        page.js(axe_source, vec![]).await?;
    }
    let script = "const done = arguments[arguments.length - 1]; \
        axe.run(document, { runOnly: { type: 'tag', values: arguments[0] }, resultTypes: ['violations'] }) \
          .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, \
             nodes: v.nodes.map(n => [n.target.join(' '), n.failureSummary || '']) })))) \
          .catch(e => done({ error: String(e) }));";
    let result = page
        .session
        .client
        .execute_async(script, vec![json!(TAGS)])
        .await?;
    if let Some(error) = result.get("error") {
        bail!("axe failed on {}: {error}", page.here().await);
    }
    let Value::Array(items) = result else {
        bail!("axe answered {result}");
    };
    Ok(items
        .iter()
        .map(|v| Violation {
            id: v["id"].as_str().unwrap_or("?").to_owned(),
            impact: v["impact"].as_str().unwrap_or("minor").to_owned(),
            nodes: v["nodes"]
                .as_array()
                .map(|nodes| {
                    nodes
                        .iter()
                        .map(|n| {
                            (
                                n[0].as_str().unwrap_or("?").to_owned(),
                                n[1].as_str().unwrap_or("").to_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect())
}

/// Elements in violation per impact, in [`IMPACTS`] order.
pub fn counts(violations: &[Violation]) -> [usize; 4] {
    let mut counts = [0; 4];
    for v in violations {
        if let Some(i) = IMPACTS.iter().position(|impact| *impact == v.impact) {
            counts[i] += v.nodes.len();
        }
    }
    counts
}
