//! The troubleshooting deflection views (issue 16, item 4): every tree's walks and deflection
//! rate with their trend (`/insights/trees`), and one tree's trend and nodes
//! (`/insights/trees/{id}`). Pure `model → Markup`.

use maud::{Markup, html};

use super::charts::{LineChart, Series, line_chart};
use super::table::{Cell, Column, QueryParams, Table, sortable_table};
use super::{Tab, downloads, page, period_form};
use crate::insights::deflection::{Deflection, NodeFigures, Trend};
use crate::render::layout::{Crumb, PageContext};
use crate::render::tree_steps::diagram_url;

/// One tree's line on the overview.
#[derive(Debug, Clone)]
pub struct TreeLine {
    /// Its document id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its walks over the period.
    pub figures: Deflection,
}

/// What `/insights/trees` shows.
#[derive(Debug)]
pub struct TreesView<'a> {
    /// The period, in days.
    pub days: u32,
    /// The page's query (sorting, period).
    pub params: &'a QueryParams,
    /// Every tree in scope.
    pub trees: &'a [TreeLine],
    /// Their walks together.
    pub total: Deflection,
    /// Their trend.
    pub trend: &'a Trend,
}

/// What `/insights/trees/{id}` shows.
#[derive(Debug)]
pub struct TreeView<'a> {
    /// The period, in days.
    pub days: u32,
    /// The page's query.
    pub params: &'a QueryParams,
    /// The tree's id.
    pub id: &'a str,
    /// Its title.
    pub title: &'a str,
    /// Its address on the site.
    pub tree_url: &'a str,
    /// Its walks.
    pub figures: Deflection,
    /// Their trend.
    pub trend: &'a Trend,
    /// What walks did at each node.
    pub nodes: &'a [NodeFigures],
}

/// The insight page of one tree.
pub fn tree_insight_url(id: &str) -> String {
    format!("/insights/trees/{id}")
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.0}%", r * 100.0))
}

fn totals(figures: Deflection) -> Markup {
    html! {
        dl class="insights-totals" {
            div { dt { "Walks" } dd { (figures.walks) } }
            div { dt { "Resolved" } dd { (figures.resolved) } }
            div { dt { "Escalated" } dd { (figures.escalated) } }
            div { dt { "Deflection rate" } dd { (percent(figures.rate())) } }
        }
    }
}

fn trend_chart(title: &str, trend: &Trend) -> Markup {
    let per = match trend.bucket {
        crate::insights::deflection::Bucket::Day => "day",
        crate::insights::deflection::Bucket::Week => "week (by its first day)",
    };
    let resolved: u64 = trend.points.iter().map(|p| p.figures.resolved).sum();
    let escalated: u64 = trend.points.iter().map(|p| p.figures.escalated).sum();
    line_chart(&LineChart {
        title: title.to_owned(),
        summary: format!(
            "Walks resolved and escalated per {per}: {resolved} resolved and {escalated} escalated in all."
        ),
        x_labels: trend.points.iter().map(|p| p.label.clone()).collect(),
        series: vec![
            Series {
                name: "Resolved".into(),
                values: trend
                    .points
                    .iter()
                    .map(|p| p.figures.resolved as f64)
                    .collect(),
                colour: 2,
            },
            Series {
                name: "Escalated".into(),
                values: trend
                    .points
                    .iter()
                    .map(|p| p.figures.escalated as f64)
                    .collect(),
                colour: 1,
            },
        ],
    })
}

const fn col(key: &'static str, label: &'static str, numeric: bool) -> Column {
    Column {
        key,
        label,
        numeric,
    }
}

fn figure_cells(figures: Deflection) -> [Cell; 4] {
    [
        Cell::count(figures.walks),
        Cell::count(figures.resolved),
        Cell::count(figures.escalated),
        Cell::share(figures.rate()),
    ]
}

fn csv_link(path: &str, params: &QueryParams) -> String {
    format!("{path}{}", params.with(&[("format", "csv")]))
}

/// `/insights/trees`.
pub fn trees_page(ctx: &PageContext<'_>, v: &TreesView<'_>) -> Markup {
    let rows = v
        .trees
        .iter()
        .map(|t| {
            let mut row = vec![Cell::Link {
                text: t.title.clone(),
                href: tree_insight_url(&t.id),
            }];
            row.extend(figure_cells(t.figures));
            row
        })
        .collect();
    let table = Table {
        id: "trees",
        caption: format!("Troubleshooting trees, last {} days", v.days),
        columns: vec![
            col("tree", "Tree", false),
            col("walks", "Walks", true),
            col("resolved", "Resolved", true),
            col("escalated", "Escalated", true),
            col("rate", "Deflection rate", true),
        ],
        rows,
        default_sort: ("walks", true),
    };
    let main = html! {
        p class="insights-lede" {
            "Of the walks that reached an end, how many readers fixed the problem themselves (resolved) and how many asked for help (escalated). "
            "The deflection rate is resolved ÷ walks; walks left half-way are not recorded."
        }
        (period_form("/insights/trees", v.days))
        (totals(v.total))
        (trend_chart("Resolved and escalated walks", v.trend))
        @if v.trees.is_empty() {
            p { "You answer for no troubleshooting tree." }
        } @else {
            (sortable_table(&table, v.params))
        }
        (downloads(
            Some(&csv_link("/insights/trees", v.params)),
            Some(&format!("/api/v1/insights/trees?days={}", v.days)),
        ))
    };
    page(
        ctx,
        Tab::Trees,
        "Troubleshooting deflection",
        vec![Crumb::text("Troubleshooting")],
        main,
    )
}

/// `/insights/trees/{id}`.
pub fn tree_page(ctx: &PageContext<'_>, v: &TreeView<'_>) -> Markup {
    let rows = v
        .nodes
        .iter()
        .map(|n| {
            let name = match &n.title {
                Some(title) => Cell::Text(title.clone()),
                None => Cell::Markup {
                    html: html! { (n.id) " " span class="insights-note" { "(no longer in the tree)" } },
                    key: n.id.clone(),
                },
            };
            vec![
                name,
                Cell::Text(n.id.clone()),
                Cell::count(n.reached),
                Cell::count(n.stopped),
                Cell::count(n.escalated),
                Cell::count(n.resolved),
            ]
        })
        .collect();
    let table = Table {
        id: "nodes",
        caption: format!("Steps of “{}”, last {} days", v.title, v.days),
        columns: vec![
            col("step", "Step", false),
            col("id", "Id", false),
            col("reached", "Reached", true),
            col("stopped", "Ended here", true),
            col("escalated", "Escalated here", true),
            col("resolved", "Resolved here", true),
        ],
        rows,
        default_sort: ("reached", true),
    };
    let here = tree_insight_url(v.id);
    let main = html! {
        p class="insights-lede" {
            "Where walks through this tree went: how many reached each step, ended there, and of those, escalated or resolved. "
            "An escalation can end on a fix: the reader tried it and it did not help. "
            a href=(diagram_url(v.tree_url)) { "The tree's diagram" } " shows the same counts on its boxes."
        }
        (period_form(&here, v.days))
        (totals(v.figures))
        (trend_chart(&format!("Walks of “{}”", v.title), v.trend))
        (sortable_table(&table, v.params))
        (downloads(
            Some(&csv_link(&here, v.params)),
            Some(&format!("/api/v1/insights/trees/{}?days={}", v.id, v.days)),
        ))
    };
    page(
        ctx,
        Tab::Trees,
        &format!("Deflection: {}", v.title),
        vec![
            Crumb::link("Troubleshooting", "/insights/trees"),
            Crumb::text(v.title.to_owned()),
        ],
        main,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::Period;
    use crate::insights::deflection::trend;
    use crate::model::Outcome;

    fn ctx() -> PageContext<'static> {
        PageContext::for_tests("/insights/trees", None, time::macros::date!(2026 - 01 - 01))
    }

    #[test]
    fn the_overview_lists_trees_with_rates_and_a_trend() {
        let t = trend(Period::of_days(7), 20_000, [(20_000, Outcome::Resolved, 3)]);
        let trees = [TreeLine {
            id: "pod-crash".into(),
            title: "Pod <crash>".into(),
            figures: Deflection {
                walks: 4,
                resolved: 3,
                escalated: 1,
            },
        }];
        let params = QueryParams::parse("days=7");
        let html = trees_page(
            &ctx(),
            &TreesView {
                days: 7,
                params: &params,
                trees: &trees,
                total: trees[0].figures,
                trend: &t,
            },
        )
        .into_string();
        assert!(
            html.contains(r#"<a href="/insights/trees/pod-crash">Pod &lt;crash&gt;</a>"#),
            "{html}"
        );
        assert!(html.contains(">75%<"), "{html}");
        assert!(
            html.contains(r#"href="/insights/trees?days=7&amp;format=csv""#),
            "{html}"
        );
        assert!(html.contains("chart-svg"));
        assert!(!html.contains("style="));
    }
}
