//! `/insights/search`: what people search for and do not find. The period picker, the
//! site's totals, searches / zero-result / no-click searches per day as a line chart, then
//! three sortable tables — most searched, found nothing, found something but opened nothing
//! — each query grouped with its other forms (stems, typos), linked to the search, with its
//! trend; each zero-result group carries the "write the missing page" action
//! ([`super::stub::stub_action`]). Queries only: nobody's name is in the log.

use std::collections::HashMap;

use maud::{Markup, html};

use super::charts::{LineChart, Series, line_chart};
use super::table::{Cell, Column, QueryParams, Table, sortable_table};
use super::{Tab, downloads, page as insights_page, period_form};
use crate::insights::search::{GapPage, Listed, SearchReport, day_label, rfc3339, suggested_title};
use crate::render::layout::{Crumb, PageContext};

/// What the page shows.
pub struct SearchInsights<'a> {
    /// The figures.
    pub report: &'a SearchReport,
    /// The page's query, for sorting links.
    pub params: &'a QueryParams,
    /// Admins also get the link to the click feedback.
    pub is_admin: bool,
    /// The owners a stub written from a gap may name (the viewer's choices).
    pub owners: &'a [String],
    /// The pages already started or written for gaps, by the group's shown query
    /// ([`crate::insights::search::gap_pages`]): they replace the "write" action.
    pub gap_pages: &'a HashMap<String, GapPage>,
}

/// The address of a search for `query`.
pub fn search_url(query: &str) -> String {
    let pair = form_urlencoded::Serializer::new(String::new())
        .append_pair("q", query)
        .finish();
    format!("/search?{pair}")
}

fn share(part: u64, whole: u64) -> String {
    if whole == 0 {
        "—".into()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / whole as f64)
    }
}

/// The page.
pub fn page(ctx: &PageContext<'_>, view: &SearchInsights<'_>) -> Markup {
    let report = view.report;
    let days = report.period.days();
    let t = report.totals;
    let main = html! {
        p class="lead" {
            "What people searched for in the last " (days) " days, what found nothing and what "
            "found something nobody opened. Queries are grouped with their other spellings "
            "(case, spacing, word endings, typos). The log keeps queries only, never who searched."
        }
        (period_form(Tab::Search.url(), days))
        (downloads(Some(&format!("/insights/search.csv?days={days}")), Some(&format!("/api/v1/insights/search?days={days}"))))
        ul class="insights-cards" {
            li class="insights-card" {
                h2 { "Searches" }
                span class="insights-figure" { (t.searches) }
                p { (t.queries) " different queries in " (t.groups) " groups." }
            }
            li class="insights-card" {
                h2 { a href="#zero" { "Found nothing" } }
                span class="insights-figure" { (t.zero_results) }
                p { (share(t.zero_results, t.searches)) " of searches." }
            }
            li class="insights-card" {
                h2 { a href="#noclick" { "Found something, opened nothing" } }
                span class="insights-figure" { (t.no_clicks) }
                p { (share(t.no_clicks, t.searches)) " of searches." }
            }
            li class="insights-card" {
                h2 { "Opened a result" }
                span class="insights-figure" { (t.opened) }
                p { (share(t.opened, t.searches)) " of searches." }
            }
        }
        (per_day_chart(report))
        h2 { "Most searched" }
        (top_table(view))
        h2 { "Searches that found nothing" }
        p {
            "The gaps in the content. Writing the missing page makes a stub whose "
            code { "aliases:" } " are the group's queries, so those searches find it."
        }
        (zero_table(view, ctx.csrf_token.as_deref()))
        h2 { "Found something, opened nothing" }
        p { "Results that did not look like the answer: a title or summary to improve, or a page to write." }
        (no_click_table(view))
        p class="insights-downloads" {
            "The CSV holds the three tables in one, its " code { "kind" } " column saying which: "
            code { "top" } ", " code { "zero_results" } " or " code { "no_clicks" } "."
        }
        @if view.is_admin {
            p { a href="/admin/search-feedback" { "Click feedback" } ": which pages searchers chose for each query, and how much that lifts them." }
        }
    };
    insights_page(
        ctx,
        Tab::Search,
        "Search insights",
        vec![Crumb::text("Search")],
        main,
    )
}

fn per_day_chart(report: &SearchReport) -> Markup {
    let t = report.totals;
    let values = |f: fn(&crate::records::DayTotals) -> u64| -> Vec<f64> {
        report.days.iter().map(|d| f(d) as f64).collect()
    };
    line_chart(&LineChart {
        title: "Searches per day".into(),
        summary: format!(
            "Over {} days: {} searches, {} found nothing, {} found something and opened nothing.",
            report.period.days(),
            t.searches,
            t.zero_results,
            t.no_clicks
        ),
        x_labels: report.days.iter().map(|d| day_label(d.day)).collect(),
        series: vec![
            Series {
                name: "Searches".into(),
                values: values(|d| d.searches),
                colour: 0,
            },
            Series {
                name: "Found nothing".into(),
                values: values(|d| d.zero_results),
                colour: 1,
            },
            Series {
                name: "No result opened".into(),
                values: values(|d| d.no_clicks),
                colour: 2,
            },
        ],
    })
}

/// The group's shown query linked to its search, then its other forms.
fn query_cell(listed: &Listed) -> Cell {
    let group = &listed.group;
    let others = group.queries.iter().filter(|q| **q != group.query);
    Cell::Markup {
        html: html! {
            a href=(search_url(&group.query)) { (group.query) }
            @if group.queries.len() > 1 {
                span class="insights-forms" {
                    " also "
                    @for (i, other) in others.enumerate() {
                        @if i > 0 { ", " }
                        a href=(search_url(other)) { (other) }
                    }
                }
            }
        },
        key: group.query.clone(),
    }
}

/// A small line of the trend, named by its figures; sorts by the latest bucket.
fn trend_cell(listed: &Listed, report: &SearchReport, what: &str) -> Cell {
    let per = report.buckets.unit();
    let latest = listed.trend.last().copied().unwrap_or(0);
    Cell::Markup {
        html: sparkline(
            &listed.trend,
            &format!("{what} per {per}, oldest first: {}", join(&listed.trend)),
        ),
        key: format!("{latest:012}"),
    }
}

fn join(values: &[u64]) -> String {
    values
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// An 80 × 20 line, scaled to its own largest value.
fn sparkline(values: &[u64], label: &str) -> Markup {
    const W: f64 = 80.0;
    const H: f64 = 20.0;
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let x = |i: usize| {
        if values.len() <= 1 {
            W / 2.0
        } else {
            W * i as f64 / (values.len() - 1) as f64
        }
    };
    let path: String = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let y = H - 1.0 - (H - 2.0) * *v as f64 / max;
            format!("{}{:.1},{:.1}", if i == 0 { "M" } else { " L" }, x(i), y)
        })
        .collect();
    html! {
        svg class="sparkline" viewBox="0 0 80 20" role="img" aria-label=(label) {
            path class="chart-line chart-s0" d=(path) {}
        }
    }
}

const QUERY: Column = Column {
    key: "query",
    label: "Query",
    numeric: false,
};
const TREND: Column = Column {
    key: "trend",
    label: "Trend",
    numeric: false,
};

fn top_table(view: &SearchInsights<'_>) -> Markup {
    let report = view.report;
    let table = Table {
        id: "top",
        caption: format!("Most searched, {} groups", report.top.len()),
        columns: vec![
            QUERY,
            Column {
                key: "count",
                label: "Searches",
                numeric: true,
            },
            Column {
                key: "clicks",
                label: "Opened a result",
                numeric: true,
            },
            Column {
                key: "rate",
                label: "Click-through",
                numeric: true,
            },
            TREND,
        ],
        rows: report
            .top
            .iter()
            .map(|l| {
                vec![
                    query_cell(l),
                    Cell::count(l.count),
                    Cell::count(l.group.opened),
                    Cell::share((l.count > 0).then(|| l.group.opened as f64 / l.count as f64)),
                    trend_cell(l, report, "Searches"),
                ]
            })
            .collect(),
        default_sort: ("count", true),
    };
    or_empty(&table, view.params, "No searches in this period.")
}

fn zero_table(view: &SearchInsights<'_>, csrf: Option<&str>) -> Markup {
    let report = view.report;
    let table = Table {
        id: "zero",
        caption: format!("Found nothing, {} groups", report.zero_results.len()),
        columns: vec![
            QUERY,
            Column {
                key: "count",
                label: "Searches that found nothing",
                numeric: true,
            },
            Column {
                key: "last",
                label: "Last seen",
                numeric: false,
            },
            TREND,
            Column {
                key: "action",
                label: "Missing page",
                numeric: false,
            },
        ],
        rows: report
            .zero_results
            .iter()
            .map(|l| {
                let last = l.group.last_zero_at.map(rfc3339).unwrap_or_default();
                let title = suggested_title(&l.group.query);
                vec![
                    query_cell(l),
                    Cell::count(l.count),
                    Cell::Markup {
                        html: html! { time datetime=(last) { (last.replace('T', " ").replace('Z', " UTC")) } },
                        key: last.clone(),
                    },
                    trend_cell(l, report, "Searches that found nothing"),
                    match view.gap_pages.get(&l.group.query) {
                        Some(page) => Cell::Markup {
                            html: gap_page_link(page),
                            key: page.title.clone(),
                        },
                        None => Cell::Markup {
                            html: super::stub::stub_action(
                                &l.group.queries,
                                &title,
                                view.owners,
                                csrf,
                            ),
                            key: String::new(),
                        },
                    },
                ]
            })
            .collect(),
        default_sort: ("count", true),
    };
    or_empty(
        &table,
        view.params,
        "Every search found something in this period.",
    )
}

/// The page a gap's searches now find, in place of the "write" action.
fn gap_page_link(page: &GapPage) -> Markup {
    html! {
        @if page.stub {
            "Started: " a href=(page.url) { (page.title) } " (still a stub)"
        } @else {
            "Now found: " a href=(page.url) { (page.title) }
        }
    }
}

fn no_click_table(view: &SearchInsights<'_>) -> Markup {
    let report = view.report;
    let table = Table {
        id: "noclick",
        caption: format!(
            "Found something, opened nothing, {} groups",
            report.no_clicks.len()
        ),
        columns: vec![
            QUERY,
            Column {
                key: "count",
                label: "Searches without a click",
                numeric: true,
            },
            Column {
                key: "searches",
                label: "All searches",
                numeric: true,
            },
            TREND,
        ],
        rows: report
            .no_clicks
            .iter()
            .map(|l| {
                vec![
                    query_cell(l),
                    Cell::count(l.count),
                    Cell::count(l.group.searches),
                    trend_cell(l, report, "Searches without a click"),
                ]
            })
            .collect(),
        default_sort: ("count", true),
    };
    or_empty(
        &table,
        view.params,
        "Every search that found something opened a result.",
    )
}

fn or_empty(table: &Table, params: &QueryParams, empty: &str) -> Markup {
    if table.rows.is_empty() {
        html! { p class="insights-empty" id=(table.id) { (empty) } }
    } else {
        sortable_table(table, params)
    }
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
